// The compile stage's steps, shared by its files: decoding protos (hlo_decode.cc), shape
// inference and verification (shape_inference.cc), liveness and memory (liveness.cc) and cost
// (cost.cc); program_builder.cc runs them in order.
#pragma once

#include <string>
#include <vector>

#include "internal.h"
#include "xla/service/hlo.pb.h"

namespace xlaprune::cpu {

constexpr int64_t kMaxDim = int64_t{1} << 40;

[[noreturn]] inline void Fail(ErrorCode code, const std::string& message) { throw EngineError(code, message); }

// Where an error is: every message names the computation and the instruction.
struct Context {
  std::string computation;
  std::string instruction;
  [[noreturn]] void Invalid(const std::string& what) const {
    Fail(ErrorCode::kInvalidArgument, "computation '" + computation + "', instruction '" + instruction + "': " + what);
  }
  [[noreturn]] void Unimplemented(const std::string& what) const {
    Fail(ErrorCode::kUnimplemented, "computation '" + computation + "', instruction '" + instruction + "': " + what);
  }
};

inline ArrayShape Arr(ElementType t, std::vector<int64_t> dims) { return ArrayShape{t, std::move(dims)}; }
inline Shape Sh(ArrayShape a) {
  Shape s;
  s.array = std::move(a);
  return s;
}

// hlo_decode.cc
Shape ParseShape(const xla::ShapeProto& proto, const Context& ctx, int depth = 0);
// The instruction's configs (window, dimension numbers, padding, slice, comparison) into `in`.
void DecodeConfigs(const xla::HloInstructionProto& ip, Instr& in, const Context& ctx);
std::shared_ptr<DeviceBuffer> DecodeLiteral(const xla::HloInstructionProto& ip, const Shape& shape, const Context& ctx);

// shape_inference.cc: the result shape XLA's shape inference gives, after checking operands,
// arity, element types and configs (the declared shape for ops whose result is given).
Shape Infer(Instr& in, const Shape& declared, const std::vector<Instr>& instrs, const std::vector<Computation>& comps, const Context& ctx);

// liveness.cc
void PlanMemory(Program& program);     // argument, output, alias and peak temporary bytes

// cost.cc
void PlanCost(Program& program);

}  // namespace xlaprune::cpu
