// The parts of xla.CompileOptionsProto this plugin uses, read with a small protobuf wire reader
// (field numbers from xla/pjrt/proto/compile_options.proto and xla/xla.proto).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace xlaprune::pjrt {

struct CompileOptions {
  // As found in the proto; 0 means the field was absent (proto3 default).
  int64_t num_replicas = 0;
  int64_t num_partitions = 0;
  bool use_spmd_partitioning = false;
  bool has_device_assignment = false;
  int64_t assignment_replica_count = 0;
  int64_t assignment_computation_count = 0;
  // computation_devices[c][r]: the device id of replica r of computation c.
  std::vector<std::vector<int64_t>> computation_devices;
};

// Parses serialized CompileOptionsProto bytes; empty input gives all defaults. Malformed bytes
// fail with INVALID_ARGUMENT saying where; a multi-slice config fails with UNIMPLEMENTED.
CompileOptions ParseCompileOptions(const char* bytes, size_t size);

// The replica -> device assignment the options ask for, checked against `device_count`.
// Absent counts mean 1. Partitions other than 1 fail with UNIMPLEMENTED.
struct Placement {
  int num_replicas = 1;
  int num_partitions = 1;
  std::vector<int> replica_devices;
};
Placement ResolvePlacement(const CompileOptions& options, size_t device_count);

// A minimal CompileOptionsProto: executable_build_options{num_replicas, num_partitions,
// device_assignment}.
std::string SerializeCompileOptions(const Placement& placement);

}  // namespace xlaprune::pjrt
