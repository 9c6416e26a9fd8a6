// Serialized HloModuleProtos for the compile and execute tests, hand-encoded in
// api_test_programs.cc.
#pragma once

#include <cstdint>
#include <string>

namespace xlaprune::pjrt::testing {

// add(p0: f32[n], p1: f32[n]) -> f32[n], with the output aliasing parameter 0 (may-alias).
std::string AddModule(int64_t n);

// all-reduce(p0: f32[n]) summed over all replicas -> f32[n].
std::string AllReduceSumModule(int64_t n);

// CompileOptionsProto{executable_build_options{num_replicas, num_partitions=1}}.
std::string CompileOptionsBytes(int num_replicas);

}  // namespace xlaprune::pjrt::testing
