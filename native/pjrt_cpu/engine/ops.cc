// The op catalogue's lookups: by enum, by opcode, and the opcodes refused as unsupported.
#include "ops.h"

#include <set>
#include <unordered_map>

namespace xlaprune::cpu {
namespace {

constexpr OpInfo kOps[] = {
#define XLAPRUNE_OP(e, name, arity, family, types, fusible, cost) \
  {Op::e, name, arity, OpFamily::family, OpTypes::types, fusible, OpCost::cost},
#include "ops.def"
};

constexpr bool InEnumOrder() {
  for (size_t i = 0; i < sizeof kOps / sizeof kOps[0]; i++) {
    if (static_cast<size_t>(kOps[i].op) != i) return false;
  }
  return true;
}
static_assert(InEnumOrder(), "kOps is indexed by Op");

}  // namespace

const OpInfo& Info(Op op) noexcept { return kOps[static_cast<size_t>(op)]; }

const OpInfo* FindOp(const std::string& opcode) noexcept {
  static const auto* by_name = [] {
    auto* map = new std::unordered_map<std::string, const OpInfo*>();
    for (const auto& info : kOps) map->emplace(info.name, &info);
    return map;
  }();
  auto it = by_name->find(opcode);
  return it == by_name->end() ? nullptr : it->second;
}

bool IsKnownUnsupported(const std::string& opcode) noexcept {
  static const auto* names = new std::set<std::string>{
#define XLAPRUNE_UNSUPPORTED(name) name,
#include "ops.def"
  };
  return names->count(opcode) != 0;
}

bool AcceptsType(OpTypes types, ElementType type) noexcept {
  const bool is_float = type == ElementType::kF32 || type == ElementType::kF64;
  const bool is_signed_int = type == ElementType::kS8 || type == ElementType::kS32 || type == ElementType::kS64;
  switch (types) {
    case OpTypes::kAnyType: return true;
    case OpTypes::kNumeric: return type != ElementType::kPred;
    case OpTypes::kSigned: return is_float || is_signed_int;
    case OpTypes::kFloat: return is_float;
    case OpTypes::kIntegralOrPred: return !is_float;
  }
  return false;
}

const char* TypesText(OpTypes types) noexcept {
  switch (types) {
    case OpTypes::kAnyType: return "an operand of any type";
    case OpTypes::kNumeric: return "a numeric operand";
    case OpTypes::kSigned: return "a signed or floating-point operand";
    case OpTypes::kFloat: return "a floating-point operand";
    case OpTypes::kIntegralOrPred: return "an integral or pred operand";
  }
  return "";
}

}  // namespace xlaprune::cpu
