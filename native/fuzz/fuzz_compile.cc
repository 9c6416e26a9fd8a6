// Fuzzes the engine's compile path: any bytes must either compile or fail with an
// EngineError; a module that compiles is also executed once on zero-filled arguments of
// modest size, so validation gaps that would crash execution show up too.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "engine.h"

using namespace xlaprune::cpu;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    auto executable = Executable::Compile(data, size, CompileConfig{});
    size_t total = 0;
    for (const auto& shape : executable->parameter_shapes()) total += shape.ByteSize();
    if (total > (size_t{1} << 24)) return 0;
    std::vector<std::shared_ptr<DeviceBuffer>> arguments;
    for (const auto& shape : executable->parameter_shapes()) arguments.push_back(DeviceBuffer::Allocate(shape));
    executable->Execute(arguments, std::vector<bool>(arguments.size(), false), 0, nullptr);
  } catch (const EngineError&) {
  }
  return 0;
}
