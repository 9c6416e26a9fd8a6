// Helpers for the engine tests: HloModuleProtos built with the generated classes, seeded data,
// a compile-and-run shortcut, and comparison against references computed in double.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine.h"
#include "xla/service/hlo.pb.h"

namespace xlaprune::cpu::testing {

using Buffer = std::shared_ptr<DeviceBuffer>;

inline xla::ShapeProto ShapeOf(ElementType type, const std::vector<int64_t>& dims) {
  xla::ShapeProto shape;
  shape.set_element_type(static_cast<xla::PrimitiveType>(type));
  for (int64_t d : dims) shape.add_dimensions(d);
  for (size_t i = dims.size(); i-- > 0;) shape.mutable_layout()->add_minor_to_major(static_cast<int64_t>(i));
  return shape;
}

inline xla::ShapeProto F32(const std::vector<int64_t>& dims) { return ShapeOf(ElementType::kF32, dims); }

inline xla::ShapeProto TupleOf(const std::vector<xla::ShapeProto>& elements) {
  xla::ShapeProto shape;
  shape.set_element_type(xla::TUPLE);
  for (const auto& e : elements) *shape.add_tuple_shapes() = e;
  return shape;
}

// Builds a module one computation at a time; the last computation finished is the entry.
// Instruction names are "<opcode>.<id>", ids unique across the module.
class ModuleBuilder {
 public:
  explicit ModuleBuilder(std::string name = "test") { module_.set_name(std::move(name)); }

  void Begin(const std::string& name) {
    current_ = module_.add_computations();
    current_->set_name(name);
    current_->set_id(next_computation_id_++);
    parameters_ = 0;
  }

  int64_t Parameter(const xla::ShapeProto& shape) {
    xla::HloInstructionProto& p = Add("parameter", shape, {});
    p.set_parameter_number(parameters_++);
    *current_->mutable_program_shape()->add_parameters() = shape;
    return p.id();
  }

  // Appends an instruction to the current computation; set its configs on the returned proto.
  xla::HloInstructionProto& Add(const std::string& opcode, const xla::ShapeProto& shape, const std::vector<int64_t>& operands) {
    xla::HloInstructionProto* in = current_->add_instructions();
    int64_t id = next_id_++;
    in->set_name(opcode + "." + std::to_string(id));
    in->set_opcode(opcode);
    *in->mutable_shape() = shape;
    in->set_id(id);
    for (int64_t o : operands) in->add_operand_ids(o);
    return *in;
  }

  int64_t Constant(float value) {
    xla::HloInstructionProto& c = Add("constant", F32({}), {});
    *c.mutable_literal()->mutable_shape() = F32({});
    c.mutable_literal()->add_f32s(value);
    return c.id();
  }

  // Finishes the current computation with `root` and returns its id.
  int64_t End(int64_t root) {
    current_->set_root_id(root);
    for (const auto& in : current_->instructions()) {
      if (in.id() == root) *current_->mutable_program_shape()->mutable_result() = in.shape();
    }
    module_.set_entry_computation_id(current_->id());
    module_.set_entry_computation_name(current_->name());
    *module_.mutable_host_program_shape() = current_->program_shape();
    return current_->id();
  }

  // A scalar computation (a, b) -> opcode(a, b), e.g. a reducer.
  int64_t Binary(const std::string& opcode, ElementType type = ElementType::kF32) {
    Begin(opcode + "_" + std::to_string(next_computation_id_));
    int64_t a = Parameter(ShapeOf(type, {}));
    int64_t b = Parameter(ShapeOf(type, {}));
    return End(Add(opcode, ShapeOf(type, {}), {a, b}).id());
  }

  // A scalar (a, b) -> pred computation compare(a, b, direction), e.g. a select.
  int64_t Comparison(const std::string& direction, ElementType type = ElementType::kF32) {
    Begin("compare_" + direction + "_" + std::to_string(next_computation_id_));
    int64_t a = Parameter(ShapeOf(type, {}));
    int64_t b = Parameter(ShapeOf(type, {}));
    xla::HloInstructionProto& c = Add("compare", ShapeOf(ElementType::kPred, {}), {a, b});
    c.set_comparison_direction(direction);
    return End(c.id());
  }

  xla::HloModuleProto& proto() { return module_; }
  std::string Serialize() const { return module_.SerializeAsString(); }

 private:
  xla::HloModuleProto module_;
  xla::HloComputationProto* current_ = nullptr;
  int64_t next_id_ = 1;
  int64_t next_computation_id_ = 1;
  int64_t parameters_ = 0;
};

template <typename T>
Buffer MakeBuffer(ElementType type, const std::vector<int64_t>& dims, const std::vector<T>& values) {
  Buffer b = DeviceBuffer::Allocate(ArrayShape{type, dims});
  EXPECT_EQ(b->size_bytes(), values.size() * sizeof(T)) << "test data does not fit the shape";
  if (b->size_bytes() == values.size() * sizeof(T) && !values.empty()) std::memcpy(b->data(), values.data(), b->size_bytes());
  return b;
}

inline Buffer F32Buffer(const std::vector<int64_t>& dims, const std::vector<float>& values) {
  return MakeBuffer(ElementType::kF32, dims, values);
}

template <typename T>
std::vector<T> Values(const Buffer& b) {
  std::vector<T> out(b->size_bytes() / sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), b->data(), b->size_bytes());
  return out;
}

// Uniform in [lo, hi), reproducible from the seed.
inline std::vector<float> Random(size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(gen);
  return v;
}

inline int64_t Count(const std::vector<int64_t>& dims) {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

// Row-major strides.
inline std::vector<int64_t> StridesOf(const std::vector<int64_t>& dims) {
  std::vector<int64_t> s(dims.size(), 1);
  for (size_t i = dims.size(); i-- > 1;) s[i - 1] = s[i] * dims[i];
  return s;
}

// Advances a row-major multi-index; false after the last one.
inline bool NextIndex(std::vector<int64_t>& idx, const std::vector<int64_t>& dims) {
  for (size_t i = dims.size(); i-- > 0;) {
    if (++idx[i] < dims[i]) return true;
    idx[i] = 0;
  }
  return false;
}

inline std::vector<Buffer> CompileAndRun(const std::string& module, const std::vector<Buffer>& arguments,
                                         const CompileConfig& config = CompileConfig{}) {
  auto executable = Executable::Compile(module.data(), module.size(), config);
  return executable->Execute(arguments, std::vector<bool>(arguments.size(), false), 0, nullptr);
}

inline std::vector<Buffer> CompileAndRun(ModuleBuilder& module, const std::vector<Buffer>& arguments) {
  return CompileAndRun(module.Serialize(), arguments);
}

// A reference value computed in double together with the sum of the magnitudes of its terms,
// which bounds the rounding error of any f32 summation order.
struct Reference {
  std::vector<double> value;
  std::vector<double> magnitude;
};

// Every element within rel * (magnitude + 1e-3) of the reference; reports the first few misses.
inline void ExpectNear(const std::vector<float>& got, const Reference& want, double rel = 1e-5) {
  ASSERT_EQ(got.size(), want.value.size());
  int misses = 0;
  for (size_t i = 0; i < got.size(); i++) {
    double tolerance = rel * (want.magnitude[i] + 1e-3);
    if (!(std::fabs(static_cast<double>(got[i]) - want.value[i]) <= tolerance)) {
      if (++misses <= 5) ADD_FAILURE() << "element " << i << ": got " << got[i] << ", want " << want.value[i] << " (tolerance " << tolerance << ")";
    }
  }
  EXPECT_EQ(misses, 0) << "of " << got.size() << " elements";
}

// Element-wise results must be exactly the reference (same f32 operation, same rounding).
inline void ExpectSameBits(const std::vector<float>& got, const std::vector<float>& want) {
  ASSERT_EQ(got.size(), want.size());
  int misses = 0;
  for (size_t i = 0; i < got.size(); i++) {
    bool same = (std::isnan(got[i]) && std::isnan(want[i])) || std::memcmp(&got[i], &want[i], sizeof(float)) == 0;
    if (!same && ++misses <= 5) ADD_FAILURE() << "element " << i << ": got " << got[i] << ", want " << want[i];
  }
  EXPECT_EQ(misses, 0) << "of " << got.size() << " elements";
}

}  // namespace xlaprune::cpu::testing
