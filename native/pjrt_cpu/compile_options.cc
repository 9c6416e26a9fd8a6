// A protobuf wire-format reader just large enough for CompileOptionsProto. Unknown fields are
// skipped by wire type, as a generated parser would; known fields with the wrong wire type and
// truncated input are errors.
#include "compile_options.h"

#include <set>
#include <string>

#include "api_internal.h"

namespace xlaprune::pjrt {
namespace {

// Wire types of the protobuf encoding.
constexpr int kVarint = 0;
constexpr int kFixed64 = 1;
constexpr int kLengthDelimited = 2;
constexpr int kFixed32 = 5;

class WireReader {
 public:
  WireReader(const uint8_t* begin, const uint8_t* end, const uint8_t* origin, std::string message)
      : p_(begin), end_(end), origin_(origin), message_(std::move(message)) {}

  bool AtEnd() const noexcept { return p_ >= end_; }

  uint64_t Varint() {
    uint64_t value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ >= end_) Malformed("truncated varint");
      uint8_t byte = *p_++;
      value |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return value;
    }
    Malformed("varint longer than 10 bytes");
  }

  // Reads a tag; returns the field number and sets `wire_type`.
  uint32_t Tag(int& wire_type) {
    uint64_t tag = Varint();
    wire_type = static_cast<int>(tag & 7);
    uint64_t field = tag >> 3;
    if (field == 0 || field > 0x1FFFFFFF) Malformed("invalid field number " + std::to_string(field));
    return static_cast<uint32_t>(field);
  }

  WireReader Submessage(const std::string& name) {
    uint64_t length = Varint();
    if (length > static_cast<uint64_t>(end_ - p_)) Malformed("length of " + name + " runs past the end");
    WireReader inner(p_, p_ + length, origin_, name);
    p_ += length;
    return inner;
  }

  void Skip(int wire_type) {
    switch (wire_type) {
      case kVarint: (void)Varint(); return;
      case kFixed64: Advance(8); return;
      case kFixed32: Advance(4); return;
      case kLengthDelimited: {
        uint64_t length = Varint();
        if (length > static_cast<uint64_t>(end_ - p_)) Malformed("length-delimited field runs past the end");
        p_ += length;
        return;
      }
      default: Malformed("unsupported wire type " + std::to_string(wire_type));
    }
  }

  [[noreturn]] void Malformed(const std::string& what) const {
    InvalidArgument("compile_options is not a valid CompileOptionsProto: " + what + " in " + message_ + " at byte " +
                    std::to_string(p_ - origin_));
  }

  void Expect(int wire_type, int expected, const char* field) const {
    if (wire_type != expected) {
      Malformed(std::string("field ") + field + " has wire type " + std::to_string(wire_type) + ", expected " +
                std::to_string(expected));
    }
  }

 private:
  void Advance(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n) Malformed("truncated fixed-width field");
    p_ += n;
  }

  const uint8_t* p_;
  const uint8_t* end_;
  const uint8_t* origin_;
  std::string message_;
};

void ParseComputationDevice(WireReader reader, std::vector<int64_t>& ids) {
  while (!reader.AtEnd()) {
    int wire_type = 0;
    uint32_t field = reader.Tag(wire_type);
    if (field == 1 && wire_type == kVarint) {
      ids.push_back(static_cast<int64_t>(reader.Varint()));
    } else if (field == 1 && wire_type == kLengthDelimited) {  // packed
      WireReader packed = reader.Submessage("replica_device_ids");
      while (!packed.AtEnd()) ids.push_back(static_cast<int64_t>(packed.Varint()));
    } else if (field == 1) {
      reader.Expect(wire_type, kVarint, "replica_device_ids");
    } else {
      reader.Skip(wire_type);
    }
  }
}

void ParseDeviceAssignment(WireReader reader, CompileOptions& options) {
  options.has_device_assignment = true;
  while (!reader.AtEnd()) {
    int wire_type = 0;
    uint32_t field = reader.Tag(wire_type);
    switch (field) {
      case 1:
        reader.Expect(wire_type, kVarint, "replica_count");
        options.assignment_replica_count = static_cast<int32_t>(reader.Varint());
        break;
      case 2:
        reader.Expect(wire_type, kVarint, "computation_count");
        options.assignment_computation_count = static_cast<int32_t>(reader.Varint());
        break;
      case 3:
        reader.Expect(wire_type, kLengthDelimited, "computation_devices");
        options.computation_devices.emplace_back();
        ParseComputationDevice(reader.Submessage("ComputationDevice"), options.computation_devices.back());
        break;
      default: reader.Skip(wire_type);
    }
  }
}

void ParseBuildOptions(WireReader reader, CompileOptions& options) {
  while (!reader.AtEnd()) {
    int wire_type = 0;
    uint32_t field = reader.Tag(wire_type);
    switch (field) {
      case 4:
        reader.Expect(wire_type, kVarint, "num_replicas");
        options.num_replicas = static_cast<int64_t>(reader.Varint());
        break;
      case 5:
        reader.Expect(wire_type, kVarint, "num_partitions");
        options.num_partitions = static_cast<int64_t>(reader.Varint());
        break;
      case 6:
        reader.Expect(wire_type, kVarint, "use_spmd_partitioning");
        options.use_spmd_partitioning = reader.Varint() != 0;
        break;
      case 9:
        reader.Expect(wire_type, kLengthDelimited, "device_assignment");
        // A repeated occurrence of a message field merges into the earlier one.
        ParseDeviceAssignment(reader.Submessage("DeviceAssignmentProto"), options);
        break;
      default: reader.Skip(wire_type);
    }
  }
}

}  // namespace

CompileOptions ParseCompileOptions(const char* bytes, size_t size) {
  CompileOptions options;
  if (size == 0) return options;
  const auto* begin = reinterpret_cast<const uint8_t*>(bytes);
  WireReader reader(begin, begin + size, begin, "CompileOptionsProto");
  while (!reader.AtEnd()) {
    int wire_type = 0;
    uint32_t field = reader.Tag(wire_type);
    if (field == 3) {
      reader.Expect(wire_type, kLengthDelimited, "executable_build_options");
      ParseBuildOptions(reader.Submessage("ExecutableBuildOptionsProto"), options);
    } else if (field == 6) {
      reader.Expect(wire_type, kLengthDelimited, "serialized_multi_slice_config");
      WireReader config = reader.Submessage("serialized_multi_slice_config");
      if (!config.AtEnd()) Unimplemented("multi-slice compile options are not supported by the XlaPrune CPU plugin");
    } else {
      reader.Skip(wire_type);
    }
  }
  return options;
}

Placement ResolvePlacement(const CompileOptions& options, size_t device_count) {
  if (options.num_replicas < 0 || options.num_partitions < 0) {
    InvalidArgument("compile options have num_replicas = " + std::to_string(options.num_replicas) +
                    " and num_partitions = " + std::to_string(options.num_partitions) + "; both must be >= 1");
  }
  const int64_t replicas = options.num_replicas == 0 ? 1 : options.num_replicas;
  const int64_t partitions = options.num_partitions == 0 ? 1 : options.num_partitions;
  if (partitions != 1) {
    Unimplemented("num_partitions = " + std::to_string(partitions) +
                  ": the XlaPrune CPU plugin runs replicated programs only (num_partitions = 1)");
  }
  if (replicas > static_cast<int64_t>(device_count)) {
    InvalidArgument("compile options ask for " + std::to_string(replicas) + " replicas but the client has " +
                    std::to_string(device_count) + " devices (create option cpu_device_count)");
  }
  Placement placement;
  placement.num_replicas = static_cast<int>(replicas);
  placement.num_partitions = 1;
  if (!options.has_device_assignment) {
    for (int r = 0; r < placement.num_replicas; ++r) placement.replica_devices.push_back(r);
    return placement;
  }
  if (options.assignment_replica_count != replicas || options.assignment_computation_count != partitions ||
      options.computation_devices.size() != static_cast<size_t>(partitions)) {
    InvalidArgument("device_assignment is " + std::to_string(options.assignment_replica_count) + " replicas x " +
                    std::to_string(options.assignment_computation_count) + " computations with " +
                    std::to_string(options.computation_devices.size()) +
                    " computation_devices entries, but the options ask for " + std::to_string(replicas) +
                    " replicas x " + std::to_string(partitions) + " partitions");
  }
  const std::vector<int64_t>& ids = options.computation_devices[0];
  if (ids.size() != static_cast<size_t>(replicas)) {
    InvalidArgument("device_assignment lists " + std::to_string(ids.size()) + " devices for " +
                    std::to_string(replicas) + " replicas");
  }
  std::set<int64_t> seen;
  for (int64_t id : ids) {
    if (id < 0 || id >= static_cast<int64_t>(device_count)) {
      InvalidArgument("device_assignment names device " + std::to_string(id) + " but the client has devices 0.." +
                      std::to_string(device_count - 1));
    }
    if (!seen.insert(id).second) InvalidArgument("device_assignment names device " + std::to_string(id) + " twice");
    placement.replica_devices.push_back(static_cast<int>(id));
  }
  return placement;
}

namespace {

void PutVarint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

void PutLengthDelimited(std::string& out, uint32_t field, const std::string& payload) {
  PutVarint(out, (static_cast<uint64_t>(field) << 3) | kLengthDelimited);
  PutVarint(out, payload.size());
  out += payload;
}

}  // namespace

std::string SerializeCompileOptions(const Placement& placement) {
  std::string devices;
  for (int id : placement.replica_devices) {
    PutVarint(devices, (1u << 3) | kVarint);
    PutVarint(devices, static_cast<uint64_t>(id));
  }
  std::string assignment;
  PutVarint(assignment, (1u << 3) | kVarint);
  PutVarint(assignment, static_cast<uint64_t>(placement.num_replicas));
  PutVarint(assignment, (2u << 3) | kVarint);
  PutVarint(assignment, static_cast<uint64_t>(placement.num_partitions));
  PutLengthDelimited(assignment, 3, devices);
  std::string build;
  PutVarint(build, (4u << 3) | kVarint);
  PutVarint(build, static_cast<uint64_t>(placement.num_replicas));
  PutVarint(build, (5u << 3) | kVarint);
  PutVarint(build, static_cast<uint64_t>(placement.num_partitions));
  PutLengthDelimited(build, 9, assignment);
  std::string options;
  PutLengthDelimited(options, 3, build);
  return options;
}

}  // namespace xlaprune::pjrt
