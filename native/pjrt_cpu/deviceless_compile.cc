// PJRT_Compile: compiles for a topology without a client. The result is an unloaded
// PJRT_Executable (memory statistics, cost analysis, optimized program, serialization) that
// PJRT_Executable_DeserializeAndLoad later loads onto a client with enough devices.
#include <string>

#include "api_internal.h"
#include "compile_options.h"
#include "topology.h"

using namespace xlaprune::pjrt;
namespace cpu = xlaprune::cpu;

// The optional client (for performance-guided compilation upstream) is not read: the plan does
// not depend on the client.
XLAPRUNE_ENTRY(PJRT_Compile) {
  const PJRT_TopologyDescription* topology = Require(args->topology, "PJRT_Compile_Args.topology");
  const PJRT_Program* program = Require(args->program, "PJRT_Compile_Args.program");
  if (program->struct_size < PJRT_Program_STRUCT_SIZE) {
    InvalidArgument("Unexpected PJRT_Program size: expected " + std::to_string(PJRT_Program_STRUCT_SIZE) + ", got " +
                    std::to_string(program->struct_size));
  }
  if (program->format == nullptr) InvalidArgument("PJRT_Program.format must not be null");
  const std::string format(program->format, program->format_size);
  if (format != "hlo") {
    (format == "mlir" ? Unimplemented : InvalidArgument)(
        "program format '" + format + "' is not supported: the XlaPrune CPU plugin accepts only format 'hlo' "
        "(a serialized HloModuleProto)");
  }
  if (program->code == nullptr && program->code_size != 0) InvalidArgument("PJRT_Program.code must not be null");
  if (args->compile_options == nullptr && args->compile_options_size != 0) {
    InvalidArgument("PJRT_Compile_Args.compile_options is null but compile_options_size is " +
                    std::to_string(args->compile_options_size));
  }
  Placement placement = ResolvePlacement(ParseCompileOptions(args->compile_options, args->compile_options_size),
                                         static_cast<size_t>(topology->device_count));
  cpu::CompileConfig config;
  config.num_replicas = placement.num_replicas;
  config.num_partitions = placement.num_partitions;
  std::string module(program->code == nullptr ? "" : program->code, program->code_size);
  std::shared_ptr<cpu::Executable> engine = cpu::Executable::Compile(module.data(), module.size(), config);
  if (engine == nullptr) Fail(PJRT_Error_Code_INTERNAL, "the engine returned no executable");
  std::string options = args->compile_options_size == 0 ? SerializeCompileOptions(placement)
                                                        : std::string(args->compile_options, args->compile_options_size);
  auto state = MakeExecutableState(std::move(engine), placement.num_replicas, placement.num_partitions,
                                   placement.replica_devices, std::move(options), std::move(module));
  args->executable = new PJRT_Executable{std::move(state)};
}
