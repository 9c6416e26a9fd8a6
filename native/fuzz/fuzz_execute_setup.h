// The fixed side of the execute fuzzer: one client with two CPU devices and four small compiled
// programs, made once, and the helpers that destroy what the plugin hands out. Setup() builds
// them and registers their teardown at exit.
#pragma once

#include <xlaprune/pjrt_c_api.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace xlaprune::fuzz {

extern const PJRT_Api* api;

[[noreturn]] void Die(const char* what);
// Destroys an error; true if there was none.
bool Ok(PJRT_Error* error);
void DestroyEvent(PJRT_Event* event);
void DestroyBuffer(PJRT_Buffer* buffer);

struct Parameter {
  PJRT_Buffer_Type type;
  std::vector<int64_t> dims;
};

struct Program {
  PJRT_LoadedExecutable* executable = nullptr;
  std::vector<Parameter> parameters;
  size_t num_outputs = 0;
};

extern PJRT_Client* client;
extern std::vector<PJRT_Device*> devices;
extern std::vector<PJRT_Memory*> memories;
extern std::vector<Program> programs;

// Creates the client and compiles the programs; call once, before the first input.
void Setup();

}  // namespace xlaprune::fuzz
