// Element-wise ops on whole arrays (the unfused path) and the element-type dispatch every
// typed kernel uses.
#pragma once

#include <cmath>
#include <vector>

#include "elementwise_math.h"
#include "internal.h"

namespace xlaprune::cpu {

// Calls body(T{}) with T the C++ type of `type` (pred is held as uint8_t).
template <typename F>
void Dispatch(ElementType type, F&& body) {
  switch (type) {
    case ElementType::kF32: body(float{}); return;
    case ElementType::kF64: body(double{}); return;
    case ElementType::kS32: body(int32_t{}); return;
    case ElementType::kS64: body(int64_t{}); return;
    case ElementType::kU32: body(uint32_t{}); return;
    case ElementType::kU64: body(uint64_t{}); return;
    case ElementType::kS8: body(int8_t{}); return;
    case ElementType::kPred:
    case ElementType::kU8: body(uint8_t{}); return;
    default: throw EngineError(ErrorCode::kUnimplemented, "element type " + TypeName(type) + " is not supported");
  }
}

// One element of a binary op (reducers run their op through this).
template <typename T>
T ApplyBinary(Op op, T a, T b) {
  switch (op) {
#define XLAPRUNE_BINARY(e, name, types, fusible, cost, expr) \
  case Op::e: return expr;
#include "ops.def"
    default: throw EngineError(ErrorCode::kInternal, "not a binary op");
  }
}

// Runs an op of family kUnary, kBinary or kTernary over arrays whose shapes shape inference
// checked; a ternary op's operands 0 and 2 may be scalars.
void RunElementwise(Op op, const std::vector<const DeviceBuffer*>& operands, DeviceBuffer& out);

}  // namespace xlaprune::cpu
