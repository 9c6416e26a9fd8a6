// CompileOptionsProto through the generated protobuf-lite class. Protobuf-lite says only that
// bytes do not parse, and it keeps a known field sent with the wrong wire type as an unknown
// field; so a check first walks the wire format against the table of the fields this plugin
// reads and names the first problem and its byte offset. Every value comes from the class.
#include "compile_options.h"

#include <limits>
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

// The fields the plugin reads, by message, with their wire types: what the check enforces.
struct Message;
struct Field {
  uint32_t number;
  int wire_type;
  const char* name;
  const Message* message;      // a message field's type; null for scalars and bytes
  bool packed_varints;  // a repeated integer, which may also come packed
};
struct Message {
  const char* name;
  const Field* fields;
  size_t count;
};

constexpr Field kComputationDeviceFields[] = {{1, kVarint, "replica_device_ids", nullptr, true}};
constexpr Message kComputationDevice{"ComputationDevice", kComputationDeviceFields, 1};
constexpr Field kDeviceAssignmentFields[] = {
    {1, kVarint, "replica_count", nullptr, false},
    {2, kVarint, "computation_count", nullptr, false},
    {3, kLengthDelimited, "computation_devices", &kComputationDevice, false},
};
constexpr Message kDeviceAssignment{"DeviceAssignmentProto", kDeviceAssignmentFields, 3};
constexpr Field kBuildOptionsFields[] = {
    {4, kVarint, "num_replicas", nullptr, false},
    {5, kVarint, "num_partitions", nullptr, false},
    {6, kVarint, "use_spmd_partitioning", nullptr, false},
    {9, kLengthDelimited, "device_assignment", &kDeviceAssignment, false},
};
constexpr Message kBuildOptions{"ExecutableBuildOptionsProto", kBuildOptionsFields, 4};
constexpr Field kCompileOptionsFields[] = {
    {3, kLengthDelimited, "executable_build_options", &kBuildOptions, false},
    {6, kLengthDelimited, "serialized_multi_slice_config", nullptr, false},
};
constexpr Message kCompileOptions{"CompileOptionsProto", kCompileOptionsFields, 2};

// Walks one message: every tag, length and varint well formed, every known field with its wire
// type; unknown fields skipped by wire type.
void Check(WireReader reader, const Message& message) {
  while (!reader.AtEnd()) {
    int wire_type = 0;
    const uint32_t number = reader.Tag(wire_type);
    const Field* field = nullptr;
    for (size_t i = 0; i < message.count; i++) {
      if (message.fields[i].number == number) field = &message.fields[i];
    }
    if (field == nullptr) {
      reader.Skip(wire_type);
    } else if (field->packed_varints && wire_type == kLengthDelimited) {
      WireReader packed = reader.Submessage(field->name);
      while (!packed.AtEnd()) (void)packed.Varint();
    } else {
      reader.Expect(wire_type, field->wire_type, field->name);
      if (wire_type == kVarint) {
        (void)reader.Varint();
      } else {
        WireReader inner = reader.Submessage(field->message != nullptr ? field->message->name : field->name);
        if (field->message != nullptr) Check(inner, *field->message);
      }
    }
  }
}

}  // namespace

xla::CompileOptionsProto ParseCompileOptions(const char* bytes, size_t size) {
  xla::CompileOptionsProto options;
  if (size == 0) return options;
  if (size > static_cast<size_t>(std::numeric_limits<int>::max())) {
    InvalidArgument("compile_options is not a valid CompileOptionsProto: " + std::to_string(size) + " bytes is larger than 2 GiB");
  }
  const auto* begin = reinterpret_cast<const uint8_t*>(bytes);
  Check(WireReader(begin, begin + size, begin, kCompileOptions.name), kCompileOptions);
  if (!options.ParseFromArray(bytes, static_cast<int>(size))) {
    InvalidArgument("compile_options is not a valid CompileOptionsProto: a field this plugin does not read is malformed");
  }
  if (!options.serialized_multi_slice_config().empty()) {
    Unimplemented("multi-slice compile options are not supported by the XlaPrune CPU plugin");
  }
  return options;
}

Placement ResolvePlacement(const xla::CompileOptionsProto& options, size_t device_count) {
  const xla::ExecutableBuildOptionsProto& build = options.executable_build_options();
  if (build.num_replicas() < 0 || build.num_partitions() < 0) {
    InvalidArgument("compile options have num_replicas = " + std::to_string(build.num_replicas()) +
                    " and num_partitions = " + std::to_string(build.num_partitions()) + "; both must be >= 1");
  }
  const int64_t replicas = build.num_replicas() == 0 ? 1 : build.num_replicas();
  const int64_t partitions = build.num_partitions() == 0 ? 1 : build.num_partitions();
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
  if (!build.has_device_assignment()) {
    for (int r = 0; r < placement.num_replicas; ++r) placement.replica_devices.push_back(r);
    return placement;
  }
  const xla::DeviceAssignmentProto& assignment = build.device_assignment();
  if (assignment.replica_count() != replicas || assignment.computation_count() != partitions ||
      assignment.computation_devices_size() != partitions) {
    InvalidArgument("device_assignment is " + std::to_string(assignment.replica_count()) + " replicas x " +
                    std::to_string(assignment.computation_count()) + " computations with " +
                    std::to_string(assignment.computation_devices_size()) +
                    " computation_devices entries, but the options ask for " + std::to_string(replicas) +
                    " replicas x " + std::to_string(partitions) + " partitions");
  }
  const auto& ids = assignment.computation_devices(0).replica_device_ids();
  if (ids.size() != replicas) {
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

std::string SerializeCompileOptions(const Placement& placement) {
  xla::CompileOptionsProto options;
  xla::ExecutableBuildOptionsProto& build = *options.mutable_executable_build_options();
  build.set_num_replicas(placement.num_replicas);
  build.set_num_partitions(placement.num_partitions);
  xla::DeviceAssignmentProto& assignment = *build.mutable_device_assignment();
  assignment.set_replica_count(placement.num_replicas);
  assignment.set_computation_count(placement.num_partitions);
  auto& devices = *assignment.add_computation_devices();
  for (int id : placement.replica_devices) devices.add_replica_device_ids(id);
  return options.SerializeAsString();
}

}  // namespace xlaprune::pjrt
