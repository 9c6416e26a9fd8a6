// The fixture of the compile and execute tests through the C API (api_execute_test.cc and
// api_executable_test.cc): a two-device client with helpers to compile, view, run and destroy.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "api_test_util.h"

namespace xlaprune::pjrt::testing {

// In the named namespace, not an anonymous one: both test files' Execute suites share this type.
class Execute : public ClientTest {
 protected:
  int64_t DeviceCount() const override { return 2; }

  ErrorInfo TryCompile(std::string module, const std::string& options, PJRT_LoadedExecutable*& executable) {
    return TryCompileHlo(client_, std::move(module), options, executable);
  }

  PJRT_LoadedExecutable* Compile(const std::string& module, const std::string& options) {
    PJRT_LoadedExecutable* executable = nullptr;
    ErrorInfo info = TryCompile(module, options, executable);
    EXPECT_EQ(info.code, PJRT_Error_Code_OK) << info.message;
    return executable;
  }

  PJRT_Executable* View(PJRT_LoadedExecutable* loaded) {
    auto args = XLAPRUNE_ARGS(PJRT_LoadedExecutable_GetExecutable_Args);
    args.loaded_executable = loaded;
    XLAPRUNE_EXPECT_OK(api()->PJRT_LoadedExecutable_GetExecutable(&args));
    return args.executable;
  }

  // Runs on one device with `arguments`; fills `outputs` on success.
  ErrorInfo Run(PJRT_LoadedExecutable* loaded, std::vector<PJRT_Buffer*> arguments, std::vector<PJRT_Buffer*>& outputs,
                std::vector<int64_t> non_donatable = {}, size_t num_outputs = 1) {
    auto options = XLAPRUNE_ARGS(PJRT_ExecuteOptions);
    options.non_donatable_input_indices = non_donatable.empty() ? nullptr : non_donatable.data();
    options.num_non_donatable_input_indices = non_donatable.size();
    PJRT_Buffer* const* argument_list = arguments.data();
    outputs.assign(num_outputs, nullptr);
    PJRT_Buffer** output_list = outputs.data();
    PJRT_Event* complete = nullptr;
    auto args = XLAPRUNE_ARGS(PJRT_LoadedExecutable_Execute_Args);
    args.executable = loaded;
    args.options = &options;
    args.argument_lists = &argument_list;
    args.num_devices = 1;
    args.num_args = arguments.size();
    args.output_lists = &output_list;
    args.device_complete_events = &complete;
    ErrorInfo info = Take(api()->PJRT_LoadedExecutable_Execute(&args));
    if (info.code == PJRT_Error_Code_OK) {
      EXPECT_NE(complete, nullptr);
      auto await = XLAPRUNE_ARGS(PJRT_Event_Await_Args);
      await.event = complete;
      XLAPRUNE_EXPECT_OK(api()->PJRT_Event_Await(&await));
      DestroyEvent(complete);
    } else {
      EXPECT_EQ(complete, nullptr);
    }
    return info;
  }

  PJRT_Buffer* F32(std::vector<float> values, int device = 0) {
    const int64_t n = static_cast<int64_t>(values.size());
    return UploadF32(client_, devices_[static_cast<size_t>(device)], values, {n});
  }
};

}  // namespace xlaprune::pjrt::testing
