// CompileOptionsProto for this plugin: parsed with the generated protobuf-lite class
// (native/proto/xla/pjrt/proto/compile_options.proto), after a wire-format check that names the
// first malformed byte; placements resolved from it and written back with the same class.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "xla/pjrt/proto/compile_options.pb.h"

namespace xlaprune::pjrt {

// Parses serialized CompileOptionsProto bytes; empty input gives all defaults. Malformed bytes
// fail with INVALID_ARGUMENT saying where; a multi-slice config fails with UNIMPLEMENTED.
// Unknown fields are skipped, as protobuf does.
xla::CompileOptionsProto ParseCompileOptions(const char* bytes, size_t size);

// The replica -> device assignment the options ask for, checked against `device_count`.
// Absent counts mean 1. Partitions other than 1 fail with UNIMPLEMENTED.
struct Placement {
  int num_replicas = 1;
  int num_partitions = 1;
  std::vector<int> replica_devices;
};
Placement ResolvePlacement(const xla::CompileOptionsProto& options, size_t device_count);

// A minimal CompileOptionsProto: executable_build_options{num_replicas, num_partitions,
// device_assignment}.
std::string SerializeCompileOptions(const Placement& placement);

}  // namespace xlaprune::pjrt
