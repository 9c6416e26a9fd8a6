// Fuzzes the compile path: serialized CompileOptionsProto bytes through the plugin's options
// reader and placement, then HloModuleProto bytes through the engine's compile. Any bytes must
// either compile or fail with an ApiError / EngineError. A module that compiles is executed
// once per replica on zero-filled arguments of modest size (replicas on their own threads,
// sharing a collective hub), so validation gaps that would crash execution show up too.
//
// Input: [options length, 2 bytes little-endian][options bytes][module bytes]; a length past
// the end takes all remaining bytes as options.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include <google/protobuf/stubs/logging.h>

#include "api_internal.h"
#include "compile_options.h"
#include "engine.h"

using namespace xlaprune::cpu;

namespace {

constexpr size_t kDevices = 4;

void RunReplica(Executable& executable, int replica, CollectiveHub* hub) {
  try {
    std::vector<std::shared_ptr<DeviceBuffer>> arguments;
    for (const auto& shape : executable.parameter_shapes()) arguments.push_back(DeviceBuffer::Allocate(shape));
    executable.Execute(arguments, std::vector<bool>(arguments.size(), false), replica, hub);
  } catch (const EngineError&) {
    if (hub != nullptr) AbortCollectiveHub(*hub, "replica " + std::to_string(replica) + " failed");
  }
}

}  // namespace

// Malformed modules are expected: protobuf's parse warnings would only bury the fuzzer's output.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  size_t options_size = size >= 2 ? (static_cast<size_t>(data[0]) | static_cast<size_t>(data[1]) << 8) : 0;
  const uint8_t* rest = data + (size >= 2 ? 2 : size);
  size_t rest_size = size >= 2 ? size - 2 : 0;
  if (options_size > rest_size) options_size = rest_size;
  // Copies, so reads past either part are caught.
  const std::vector<char> options(rest, rest + options_size);
  const std::vector<char> module(rest + options_size, rest + rest_size);

  CompileConfig config;
  try {
    auto placement = xlaprune::pjrt::ResolvePlacement(xlaprune::pjrt::ParseCompileOptions(options.data(), options.size()), kDevices);
    config.num_replicas = placement.num_replicas;
    config.num_partitions = placement.num_partitions;
    config.num_threads = 1;
  } catch (const xlaprune::pjrt::ApiError&) {
    return 0;
  }
  try {
    auto executable = Executable::Compile(module.data(), module.size(), config);
    // Modest programs only: memory and work a real caller could ask for, not the fuzzer's worst.
    if (executable->memory_stats().peak_bytes > (int64_t{1} << 26) || executable->cost_analysis().flops > 1e8) return 0;
    if (executable->num_replicas() == 1) {
      RunReplica(*executable, 0, nullptr);
      return 0;
    }
    auto hub = MakeCollectiveHub(executable->num_replicas());
    std::vector<std::thread> threads;
    for (int r = 1; r < executable->num_replicas(); r++) threads.emplace_back(RunReplica, std::ref(*executable), r, hub.get());
    RunReplica(*executable, 0, hub.get());
    for (auto& t : threads) t.join();
  } catch (const EngineError&) {
  }
  return 0;
}
