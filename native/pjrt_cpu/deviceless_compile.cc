// PJRT_Compile: compiles for a topology without a client. The result is an unloaded
// PJRT_Executable (memory statistics, cost analysis, optimized program, serialization) that
// PJRT_Executable_DeserializeAndLoad later loads onto a client with enough devices.
#include <string>

#include "api_internal.h"
#include "topology.h"

using namespace xlaprune::pjrt;

// The optional client (for performance-guided compilation upstream) is not read: the plan does
// not depend on the client.
XLAPRUNE_ENTRY(PJRT_Compile) {
  const PJRT_TopologyDescription* topology = Require(args->topology, "PJRT_Compile_Args.topology");
  const PJRT_Program* program = Require(args->program, "PJRT_Compile_Args.program");
  args->executable = new PJRT_Executable{CompileProgram(*program, args->compile_options, args->compile_options_size,
                                                        "PJRT_Compile_Args", static_cast<size_t>(topology->device_count),
                                                        0)};
}
