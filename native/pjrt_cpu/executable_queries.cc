// Everything a PJRT_Executable or PJRT_LoadedExecutable reports: names, counts, output types and
// shapes, cost and memory statistics, the optimized program, compile options, devices, deletion.
#include <cstring>
#include <mutex>
#include <string>

#include "api_internal.h"

struct PJRT_SerializedCompileOptions {
  std::string bytes;
};

namespace {

xlaprune::pjrt::ExecutableState& StateOf(PJRT_Executable* executable, const char* what) {
  return *xlaprune::pjrt::Require(executable, what)->state;
}

}  // namespace

using namespace xlaprune::pjrt;
namespace cpu = xlaprune::cpu;

XLAPRUNE_ENTRY(PJRT_Executable_Name) {
  ExecutableState& state = StateOf(args->executable, "PJRT_Executable_Name_Args.executable");
  args->executable_name = state.name.c_str();
  args->executable_name_size = state.name.size();
}

XLAPRUNE_ENTRY(PJRT_Executable_NumReplicas) {
  args->num_replicas = static_cast<size_t>(StateOf(args->executable, "PJRT_Executable_NumReplicas_Args.executable").num_replicas);
}

XLAPRUNE_ENTRY(PJRT_Executable_NumPartitions) {
  args->num_partitions =
      static_cast<size_t>(StateOf(args->executable, "PJRT_Executable_NumPartitions_Args.executable").num_partitions);
}

XLAPRUNE_ENTRY(PJRT_Executable_NumOutputs) {
  args->num_outputs = StateOf(args->executable, "PJRT_Executable_NumOutputs_Args.executable").output_types.size();
}

XLAPRUNE_ENTRY(PJRT_Executable_SizeOfGeneratedCodeInBytes) {
  ExecutableState& state = StateOf(args->executable, "PJRT_Executable_SizeOfGeneratedCodeInBytes_Args.executable");
  (void)state;
  args->size_in_bytes = 0;  // the engine interprets a plan: there is no generated code to measure
}

XLAPRUNE_ENTRY(PJRT_Executable_GetCostAnalysis) {
  ExecutableState& state = StateOf(args->executable, "PJRT_Executable_GetCostAnalysis_Args.executable");
  args->num_properties = state.cost_properties.size();
  args->properties = state.cost_properties.data();
}

XLAPRUNE_ENTRY(PJRT_Executable_OutputMemoryKinds) {
  ExecutableState& state = StateOf(args->executable, "PJRT_Executable_OutputMemoryKinds_Args.executable");
  args->num_outputs = state.output_memory_kinds.size();
  args->memory_kinds = state.output_memory_kinds.data();
  args->memory_kind_sizes = state.output_memory_kind_sizes.data();
}

XLAPRUNE_ENTRY(PJRT_Executable_ParameterMemoryKinds) {
  ExecutableState& state = StateOf(args->executable, "PJRT_Executable_ParameterMemoryKinds_Args.executable");
  args->num_parameters = state.parameter_memory_kinds.size();
  args->memory_kinds = state.parameter_memory_kinds.data();
  args->memory_kind_sizes = state.parameter_memory_kind_sizes.data();
}

// Format "hlo": the serialized HloModuleProto the engine runs, every array shape with the
// layout the engine keeps it in. Call with code == NULL to learn the size first.
XLAPRUNE_ENTRY(PJRT_Executable_OptimizedProgram) {
  static const char kFormat[] = "hlo";
  ExecutableState& state = StateOf(args->executable, "PJRT_Executable_OptimizedProgram_Args.executable");
  PJRT_Program* program = Require(args->program, "PJRT_Executable_OptimizedProgram_Args.program");
  if (program->struct_size < PJRT_Program_STRUCT_SIZE) {
    InvalidArgument("Unexpected PJRT_Program size: expected " + std::to_string(PJRT_Program_STRUCT_SIZE) + ", got " +
                    std::to_string(program->struct_size));
  }
  const std::string* text = nullptr;
  {
    std::lock_guard<std::mutex> lock(state.lazy_mutex);
    if (!state.optimized_program_ready) {
      state.optimized_program = OptimizedModuleProto(state.module_proto);
      state.optimized_program_ready = true;
    }
    text = &state.optimized_program;
  }
  program->format = kFormat;
  program->format_size = sizeof(kFormat) - 1;
  if (program->code == nullptr) {
    program->code_size = text->size();
    return;
  }
  if (program->code_size < text->size()) {
    InvalidArgument("PJRT_Program.code_size is " + std::to_string(program->code_size) + " but the program needs " +
                    std::to_string(text->size()) + " bytes");
  }
  std::memcpy(program->code, text->data(), text->size());
  program->code_size = text->size();
}

XLAPRUNE_ENTRY(PJRT_Executable_OutputElementTypes) {
  ExecutableState& state = StateOf(args->executable, "PJRT_Executable_OutputElementTypes_Args.executable");
  args->output_types = state.output_types.data();
  args->num_output_types = state.output_types.size();
}

XLAPRUNE_ENTRY(PJRT_Executable_OutputDimensions) {
  ExecutableState& state = StateOf(args->executable, "PJRT_Executable_OutputDimensions_Args.executable");
  args->num_outputs = state.output_ranks.size();
  args->dims = state.output_dims_flat.data();
  args->dim_sizes = state.output_ranks.data();
}

XLAPRUNE_ENTRY(PJRT_Executable_Fingerprint) {
  ExecutableState& state = StateOf(args->executable, "PJRT_Executable_Fingerprint_Args.executable");
  args->executable_fingerprint = state.fingerprint.c_str();
  args->executable_fingerprint_size = state.fingerprint.size();
}

// Callers built against 0.72..0.103 pass a shorter struct: the minimum ends at
// peak_memory_in_bytes, and later fields are written only when the struct holds them.
XLAPRUNE_ENTRY_MIN(PJRT_Executable_GetCompiledMemoryStats,
                   XLAPRUNE_FIELD_END(PJRT_Executable_GetCompiledMemoryStats_Args, peak_memory_in_bytes)) {
  ExecutableState& state = StateOf(args->executable, "PJRT_Executable_GetCompiledMemoryStats_Args.executable");
  const cpu::MemoryStats stats = state.engine->memory_stats();
  args->generated_code_size_in_bytes = 0;  // no generated code (see SizeOfGeneratedCodeInBytes)
  args->argument_size_in_bytes = stats.argument_bytes;
  args->output_size_in_bytes = stats.output_bytes;
  args->alias_size_in_bytes = stats.alias_bytes;
  args->temp_size_in_bytes = stats.temp_bytes;
  // Host memory is device memory here; XLA reports host_* only for separate host memory spaces.
  args->host_generated_code_size_in_bytes = 0;
  args->host_argument_size_in_bytes = 0;
  args->host_output_size_in_bytes = 0;
  args->host_alias_size_in_bytes = 0;
  args->host_temp_size_in_bytes = 0;
  args->peak_memory_in_bytes = stats.peak_bytes;
  const int64_t total = stats.argument_bytes + stats.output_bytes - stats.alias_bytes + stats.temp_bytes;
  using Args = PJRT_Executable_GetCompiledMemoryStats_Args;
  if (XLAPRUNE_HAS_FIELD(args, Args, total_size_in_bytes)) args->total_size_in_bytes = total;
  if (XLAPRUNE_HAS_FIELD(args, Args, total_allocation_bytes)) args->total_allocation_bytes = total;
  if (XLAPRUNE_HAS_FIELD(args, Args, indefinite_allocations)) args->indefinite_allocations = 0;
  if (XLAPRUNE_HAS_FIELD(args, Args, peak_unpadded_heap_bytes)) args->peak_unpadded_heap_bytes = stats.peak_bytes;
}

XLAPRUNE_ENTRY(PJRT_Executable_GetCompileOptions) {
  ExecutableState& state = StateOf(args->executable, "PJRT_Executable_GetCompileOptions_Args.executable");
  auto holder = std::make_unique<PJRT_SerializedCompileOptions>();
  holder->bytes = state.compile_options;
  args->serialized_bytes = holder->bytes.data();
  args->serialized_bytes_size = holder->bytes.size();
  args->serialized_compile_options_deleter = [](PJRT_SerializedCompileOptions* p) { delete p; };
  args->serialized_compile_options = holder.release();
}

XLAPRUNE_ENTRY(PJRT_LoadedExecutable_GetExecutable) {
  PJRT_LoadedExecutable* loaded = Require(args->loaded_executable, "PJRT_LoadedExecutable_GetExecutable_Args.loaded_executable");
  args->executable = new PJRT_Executable{loaded->Live()};
}

XLAPRUNE_ENTRY(PJRT_LoadedExecutable_AddressableDevices) {
  PJRT_LoadedExecutable* loaded = Require(args->executable, "PJRT_LoadedExecutable_AddressableDevices_Args.executable");
  args->addressable_devices = loaded->addressable_devices.data();
  args->num_addressable_devices = loaded->addressable_devices.size();
}

XLAPRUNE_ENTRY(PJRT_LoadedExecutable_AddressableDeviceLogicalIds) {
  PJRT_LoadedExecutable* loaded =
      Require(args->executable, "PJRT_LoadedExecutable_AddressableDeviceLogicalIds_Args.executable");
  args->addressable_device_logical_ids = loaded->logical_ids.data();
  args->num_addressable_device_logical_ids = loaded->logical_ids.size();
}

// Running executions hold their own reference, so the engine executable is freed after the
// last of them finishes.
XLAPRUNE_ENTRY(PJRT_LoadedExecutable_Delete) {
  PJRT_LoadedExecutable* loaded = Require(args->executable, "PJRT_LoadedExecutable_Delete_Args.executable");
  std::shared_ptr<ExecutableState> released;
  std::lock_guard<std::mutex> lock(loaded->mutex);
  released.swap(loaded->state);
}

XLAPRUNE_ENTRY(PJRT_LoadedExecutable_IsDeleted) {
  PJRT_LoadedExecutable* loaded = Require(args->executable, "PJRT_LoadedExecutable_IsDeleted_Args.executable");
  std::lock_guard<std::mutex> lock(loaded->mutex);
  args->is_deleted = loaded->state == nullptr;
}

// Deprecated upstream in favour of PJRT_Executable_Fingerprint; answers the same.
XLAPRUNE_ENTRY(PJRT_LoadedExecutable_Fingerprint) {
  PJRT_LoadedExecutable* loaded = Require(args->executable, "PJRT_LoadedExecutable_Fingerprint_Args.executable");
  std::shared_ptr<ExecutableState> state = loaded->Live();
  args->executable_fingerprint = state->fingerprint.c_str();  // owned by the state, which the loaded executable holds
  args->executable_fingerprint_size = state->fingerprint.size();
}
