// Test programs as serialized HloModuleProtos, written with a small protobuf wire writer
// (field numbers from xla/service/hlo.proto and xla/xla_data.proto). Encoding them here, rather
// than with the engine's generated classes, also checks that the engine reads bytes produced
// independently of its own parser.
#include "api_test_programs.h"

#include <initializer_list>
#include <vector>

namespace xlaprune::pjrt::testing {
namespace {

class Message {
 public:
  Message& Varint(int field, uint64_t value) {
    Key(field, 0);
    PutVarint(value);
    return *this;
  }
  Message& String(int field, const std::string& value) {
    Key(field, 2);
    PutVarint(value.size());
    bytes_ += value;
    return *this;
  }
  Message& Sub(int field, const Message& message) { return String(field, message.bytes_); }
  Message& PackedVarints(int field, const std::vector<int64_t>& values) {
    Message packed;
    for (int64_t v : values) packed.PutVarint(static_cast<uint64_t>(v));
    return String(field, packed.bytes_);
  }
  const std::string& bytes() const { return bytes_; }

 private:
  void Key(int field, int wire_type) { PutVarint((static_cast<uint64_t>(field) << 3) | static_cast<uint64_t>(wire_type)); }
  void PutVarint(uint64_t value) {
    while (value >= 0x80) {
      bytes_.push_back(static_cast<char>((value & 0x7F) | 0x80));
      value >>= 7;
    }
    bytes_.push_back(static_cast<char>(value));
  }
  std::string bytes_;
};

constexpr int kF32 = 11;  // xla::PrimitiveType F32

// ShapeProto{element_type, dimensions, layout{minor_to_major}, is_dynamic_dimension}.
Message F32Shape(const std::vector<int64_t>& dims) {
  Message shape;
  shape.Varint(2, kF32);
  if (!dims.empty()) shape.PackedVarints(3, dims);
  std::vector<int64_t> minor_to_major;
  for (size_t i = dims.size(); i-- > 0;) minor_to_major.push_back(static_cast<int64_t>(i));
  Message layout;
  if (!minor_to_major.empty()) layout.PackedVarints(1, minor_to_major);
  shape.Sub(5, layout);
  if (!dims.empty()) shape.PackedVarints(6, std::vector<int64_t>(dims.size(), 0));
  return shape;
}

Message Instruction(const std::string& name, const std::string& opcode, const Message& shape, int64_t id,
                    std::initializer_list<int64_t> operands = {}) {
  Message instruction;
  instruction.String(1, name).String(2, opcode).Sub(3, shape).Varint(35, static_cast<uint64_t>(id));
  if (operands.size() != 0) instruction.PackedVarints(36, std::vector<int64_t>(operands));
  return instruction;
}

Message Parameter(const std::string& name, const Message& shape, int64_t id, int64_t number) {
  Message instruction = Instruction(name, "parameter", shape, id);
  instruction.Varint(9, static_cast<uint64_t>(number));
  return instruction;
}

Message ProgramShape(const std::vector<Message>& parameters, const Message& result) {
  Message program;
  for (const Message& p : parameters) program.Sub(1, p);
  program.Sub(2, result);
  for (size_t i = 0; i < parameters.size(); ++i) program.String(3, "p" + std::to_string(i));
  return program;
}

Message Computation(const std::string& name, int64_t id, const std::vector<Message>& instructions, int64_t root_id,
                    const Message& program_shape) {
  Message computation;
  computation.String(1, name);
  for (const Message& i : instructions) computation.Sub(2, i);
  computation.Sub(4, program_shape).Varint(5, static_cast<uint64_t>(id)).Varint(6, static_cast<uint64_t>(root_id));
  return computation;
}

}  // namespace

std::string AddModule(int64_t n) {
  Message vector = F32Shape({n});
  Message entry = Computation("add", 1,
                              {Parameter("x", vector, 1, 0), Parameter("y", vector, 2, 1),
                               Instruction("sum", "add", vector, 3, {1, 2})},
                              3, ProgramShape({vector, vector}, vector));
  // input_output_alias: output {} may alias parameter 0 {}.
  Message alias_entry;
  alias_entry.Varint(2, 0).Varint(4, 1);
  Message alias;
  alias.Sub(1, alias_entry);
  Message module;
  module.String(1, "add").String(2, "add").Sub(3, entry).Sub(4, ProgramShape({vector, vector}, vector));
  module.Varint(5, 1).Varint(6, 1).Sub(8, alias);
  return module.bytes();
}

std::string AllReduceSumModule(int64_t n) {
  Message scalar = F32Shape({});
  Message reducer = Computation("sum_f32", 1,
                                {Parameter("a", scalar, 1, 0), Parameter("b", scalar, 2, 1),
                                 Instruction("a_plus_b", "add", scalar, 3, {1, 2})},
                                3, ProgramShape({scalar, scalar}, scalar));
  Message vector = F32Shape({n});
  // Instruction ids are unique across the module.
  Message reduce = Instruction("total", "all-reduce", vector, 5, {4});
  reduce.PackedVarints(38, {1});  // to_apply = sum_f32; no replica_groups: all replicas
  Message entry = Computation("all_reduce", 2, {Parameter("x", vector, 4, 0), reduce}, 5, ProgramShape({vector}, vector));
  Message module;
  module.String(1, "all_reduce").String(2, "all_reduce").Sub(3, reducer).Sub(3, entry);
  module.Sub(4, ProgramShape({vector}, vector)).Varint(5, 2).Varint(6, 2);
  return module.bytes();
}

std::string CompileOptionsBytes(int num_replicas) {
  Message build;
  build.Varint(4, static_cast<uint64_t>(num_replicas)).Varint(5, 1);
  Message options;
  options.Sub(3, build);
  return options.bytes();
}

}  // namespace xlaprune::pjrt::testing
