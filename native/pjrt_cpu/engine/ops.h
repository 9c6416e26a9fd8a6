// The op catalogue (ops.def) as C++: the Op enum and one OpInfo per op, which parsing,
// verification, shape inference, cost analysis, fusion and the interpreter all read.
#pragma once

#include <string>

#include "engine.h"

namespace xlaprune::cpu {

enum class Op {
#define XLAPRUNE_OP(e, name, arity, family, types, fusible, cost) e,
#include "ops.def"
};

// Which shape rule and which kernel an op uses.
enum class OpFamily {
  kLeaf,         // parameter, constant, iota
  kTupleOp,      // tuple, get-tuple-element
  kMove,         // data movement: the result holds operand elements (or converted ones)
  kContraction,  // dot, convolution
  kUnary,        // element-wise, one operand of the result's shape
  kBinary,       // element-wise, two operands of the result's shape
  kTernary,      // element-wise, operand 1 of the result's shape, operands 0 and 2 too or scalars
  kCompareOp,    // element-wise, pred result
  kSelectOp,     // element-wise, pred selector
  kReduction,    // calls a reducer computation
  kCollective,   // all-reduce
  kRandom,       // rng-bit-generator
};

// The element types an op accepts (as XLA's shape inference does).
enum class OpTypes {
  kAnyType,
  kNumeric,          // not pred
  kSigned,           // signed integers and floating point
  kFloat,            // floating point only
  kIntegralOrPred,   // integers and pred
};

// How cost analysis counts an op (cost.cc).
enum class OpCost {
  kFree,             // no work and no traffic: parameter, constant, tuple plumbing
  kMove,             // bytes only
  kElementwise,      // one flop per result element
  kTranscendental,   // one transcendental per result element
  kDotCost,          // two flops per multiply-accumulate
  kConvolutionCost,  // two flops per multiply-accumulate
  kReductionCost,    // one flop per element reduced
};

struct OpInfo {
  Op op;
  const char* name;
  int arity;  // -1: checked by the op's own shape rule
  OpFamily family;
  OpTypes types;
  bool fusible;
  OpCost cost;
};

const OpInfo& Info(Op op) noexcept;
// The op named by an HLO opcode, or null when the engine does not know it.
const OpInfo* FindOp(const std::string& opcode) noexcept;
// Opcodes XLA has but this engine refuses as UNIMPLEMENTED.
bool IsKnownUnsupported(const std::string& opcode) noexcept;
bool AcceptsType(OpTypes types, ElementType type) noexcept;
// What AcceptsType requires, for error messages ("a floating-point operand").
const char* TypesText(OpTypes types) noexcept;

}  // namespace xlaprune::cpu
