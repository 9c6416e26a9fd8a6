// Loop fusion of f32 element-wise chains.
//
// A train step is mostly element-wise work around the convolutions: batch-norm (subtract the
// mean, scale, shift), ReLU and its mask, the SGD update. Run one op at a time, each op reads
// and writes whole activation-sized arrays and every per-channel vector is first broadcast to
// one. Here chains are grouped at compile time (a producer joins its consumers' group when all
// its users are in it; broadcasts are read through their index mapping instead of being
// materialised), and each group runs as one pass over blocks of elements. A reduction whose
// input is such a chain (the batch-norm statistics) reads the chain block by block too.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <map>
#include <set>

#include "elementwise_math.h"
#include "internal.h"
#include "kernels.h"

namespace xlaprune::cpu {
namespace {

constexpr int64_t kBlock = 512;

enum Cmp { kEq, kNe, kLt, kLe, kGt, kGe };

Cmp ParseCmp(const std::string& d) {
  if (d == "EQ") return kEq;
  if (d == "NE") return kNe;
  if (d == "LT") return kLt;
  if (d == "LE") return kLe;
  if (d == "GT") return kGt;
  return kGe;
}

bool IsF32(const Shape& s) { return !s.tuple && s.array.type == ElementType::kF32; }
bool IsPred(const Shape& s) { return !s.tuple && s.array.type == ElementType::kPred; }

// Element-wise ops a group can hold (fusible in ops.def): f32 results of f32 operands, or pred
// results of comparing f32 values.
bool Fusible(const Computation& comp, const Instr& in) {
  const OpInfo& info = Info(in.op);
  if (!info.fusible || in.shape.tuple || in.shape.array.dims.size() > 8) return false;
  const auto operand = [&](size_t k) -> const Shape& { return comp.instrs[in.operands[k]].shape; };
  switch (info.family) {
    case OpFamily::kUnary: case OpFamily::kBinary: case OpFamily::kTernary:
      for (size_t k = 0; k < in.operands.size(); k++) {
        if (!IsF32(operand(k))) return false;
      }
      return IsF32(in.shape);
    case OpFamily::kCompareOp:
      return IsPred(in.shape) && IsF32(operand(0)) && IsF32(operand(1));
    case OpFamily::kSelectOp:
      return IsF32(in.shape) && IsPred(operand(0)) && IsF32(operand(1)) && IsF32(operand(2));
    default:
      return false;
  }
}

// A reduction whose input chain can be read block by block: contiguous runs need the minor
// dimension reduced, or only leading dimensions reduced (rows of kept elements).
bool FusibleReduce(const Computation& comp, const Instr& in) {
  if (in.op != Op::kReduce || !IsF32(in.shape) || !in.has_simple_reducer || in.operands.size() != 2) return false;
  if (in.simple_reducer != Op::kAdd && in.simple_reducer != Op::kMaximum && in.simple_reducer != Op::kMinimum) return false;
  const Instr& operand = comp.instrs[in.operands[0]];
  const std::vector<int64_t>& dims = operand.shape.array.dims;
  int64_t minor = static_cast<int64_t>(dims.size()) - 1, rows = 0, width = 0;
  const bool runs = minor >= 0 && std::find(in.dims.begin(), in.dims.end(), minor) != in.dims.end();
  return (runs || kernels::AsLeadingReduction(dims, in.dims, rows, width)) && Fusible(comp, operand);
}

// Loads elements [start, start + n) of the fusion's index space from one input into out.
void Load(const FusedInput& input, const void* data, int64_t start, int64_t n, float* out) {
  if (input.pred) {
    const uint8_t* p = static_cast<const uint8_t*>(data);
    if (input.identity) {
      for (int64_t j = 0; j < n; j++) out[j] = p[start + j] ? 1.0f : 0.0f;
      return;
    }
    // Rare (a broadcast pred): element by element.
    for (int64_t j = 0; j < n; j++) {
      int64_t off = 0, rest = start + j;
      for (size_t d = input.dims.size(); d-- > 0;) {
        off += (rest % input.dims[d]) * input.strides[d];
        rest /= input.dims[d];
      }
      out[j] = p[off] ? 1.0f : 0.0f;
    }
    return;
  }
  const float* src = static_cast<const float*>(data);
  if (input.dims.empty()) {
    std::fill(out, out + n, src[0]);
    return;
  }
  const size_t rank = input.dims.size();
  int64_t idx[16];
  int64_t off = 0, rest = start;
  for (size_t d = rank; d-- > 0;) {
    idx[d] = rest % input.dims[d];
    rest /= input.dims[d];
    off += idx[d] * input.strides[d];
  }
  const int64_t inner = input.dims[rank - 1], stride = input.strides[rank - 1];
  if (rank == 2 && input.strides[0] == 0 && stride == 1 && inner < 64) {
    // A short vector repeated along the rows (a per-channel scale of a channels-last array):
    // runs of a few elements each would cost more in bookkeeping than in copying.
    // One period from the phase, then doubling copies.
    const int64_t first = std::min(n, inner);
    for (int64_t j = 0, k = idx[1]; j < first; j++) {
      out[j] = src[k];
      if (++k == inner) k = 0;
    }
    for (int64_t done = first; done < n;) {
      const int64_t copy = std::min(done - done % inner, n - done);
      std::memcpy(out + done, out, static_cast<size_t>(copy) * sizeof(float));
      done += copy;
    }
    return;
  }
  int64_t j = 0;
  while (j < n) {
    int64_t run = std::min(n - j, inner - idx[rank - 1]);
    if (stride == 0) std::fill(out + j, out + j + run, src[off]);
    else if (stride == 1) std::memcpy(out + j, src + off, static_cast<size_t>(run) * sizeof(float));
    else for (int64_t k = 0; k < run; k++) out[j + k] = src[off + k * stride];
    j += run;
    off += run * stride;
    idx[rank - 1] += run;
    // Carry into the outer dimensions.
    for (size_t d = rank - 1; d > 0 && idx[d] == input.dims[d]; d--) {
      off -= idx[d] * input.strides[d];
      idx[d] = 0;
      idx[d - 1]++;
      off += input.strides[d - 1];
    }
  }
}

// Evaluates elements [start, start + n) (n <= kBlock) of every node; returns the root's values.
// Built for AVX2 as well as the baseline; the loader picks the clone the CPU runs.
XLAPRUNE_VECTOR_CLONES
const float* EvalBlock(const Fusion& f, const std::vector<const void*>& inputs, int64_t start, int64_t n, float* scratch, std::vector<const float*>& value) {
  using T = float;  // the element type the catalogue's expressions see
  constexpr ElementType type = ElementType::kF32;
  (void)type;
  for (size_t k = 0; k < f.nodes.size(); k++) {
    const FusedNode& node = f.nodes[k];
    float* o = scratch + k * kBlock;
    if (node.op == Op::kParameter) {
      const FusedInput& input = f.inputs[node.input];
      if (input.identity && !input.pred) {
        value[k] = static_cast<const float*>(inputs[node.input]) + start;  // read in place
      } else {
        Load(input, inputs[node.input], start, n, o);
        value[k] = o;
      }
      continue;
    }
    const float* pa = value[node.a];
    const float* pb = node.b >= 0 ? value[node.b] : nullptr;
    const float* pc = node.c >= 0 ? value[node.c] : nullptr;
    switch (node.op) {
      // Every fusible element-wise op of the catalogue, with the expression the unfused kernel uses.
#define XLAPRUNE_UNARY(e, name, types, fusible, cost, expr) \
  case Op::e:                                                \
    for (int64_t j = 0; j < n; j++) {                        \
      const float x = pa[j];                                 \
      o[j] = expr;                                           \
    }                                                        \
    break;
#define XLAPRUNE_BINARY(e, name, types, fusible, cost, expr) \
  case Op::e:                                                 \
    for (int64_t j = 0; j < n; j++) {                         \
      const float a = pa[j], b = pb[j];                       \
      o[j] = expr;                                            \
    }                                                         \
    break;
#define XLAPRUNE_TERNARY(e, name, types, fusible, cost, expr) \
  case Op::e:                                                  \
    for (int64_t j = 0; j < n; j++) {                          \
      const float a = pa[j], b = pb[j], c = pc[j];             \
      o[j] = expr;                                             \
    }                                                          \
    break;
#include "ops.def"
      case Op::kSelect: for (int64_t j = 0; j < n; j++) o[j] = pa[j] != 0 ? pb[j] : pc[j]; break;
      case Op::kCompare:
        switch (static_cast<Cmp>(node.cmp)) {
          case kEq: for (int64_t j = 0; j < n; j++) o[j] = pa[j] == pb[j] ? 1.0f : 0.0f; break;
          case kNe: for (int64_t j = 0; j < n; j++) o[j] = pa[j] != pb[j] ? 1.0f : 0.0f; break;
          case kLt: for (int64_t j = 0; j < n; j++) o[j] = pa[j] < pb[j] ? 1.0f : 0.0f; break;
          case kLe: for (int64_t j = 0; j < n; j++) o[j] = pa[j] <= pb[j] ? 1.0f : 0.0f; break;
          case kGt: for (int64_t j = 0; j < n; j++) o[j] = pa[j] > pb[j] ? 1.0f : 0.0f; break;
          case kGe: for (int64_t j = 0; j < n; j++) o[j] = pa[j] >= pb[j] ? 1.0f : 0.0f; break;
        }
        break;
      default: break;  // not produced by the planner
    }
    value[k] = o;
  }
  return value[f.nodes.size() - 1];
}

class Planner {
 public:
  explicit Planner(Computation& comp) : comp_(comp), group_(comp.instrs.size(), -1), users_(comp.instrs.size()) {
    for (int i = 0; i < static_cast<int>(comp.instrs.size()); i++) {
      for (int o : comp.instrs[i].operands) users_[o].push_back(i);
    }
  }

  void Run() {
    const int n = static_cast<int>(comp_.instrs.size());
    std::vector<int> roots;
    // Consumers come after producers: scanning backwards, every user of an instruction has
    // already chosen its group when the instruction is considered.
    for (int i = n - 1; i >= 0; i--) {
      Instr& in = comp_.instrs[i];
      if (i != comp_.root && JoinsUsersGroup(i)) continue;
      if (FusibleReduce(comp_, in) || Fusible(comp_, in)) {
        group_[i] = static_cast<int>(roots.size());
        dims_.push_back(in.op == Op::kReduce ? comp_.instrs[in.operands[0]].shape.array.dims : in.shape.array.dims);
        roots.push_back(i);
      }
    }
    for (size_t g = 0; g < roots.size(); g++) Build(static_cast<int>(g), roots[g]);
    // A broadcast read by groups alone never needs its array.
    for (int i = 0; i < n; i++) {
      Instr& in = comp_.instrs[i];
      if (in.op != Op::kBroadcast || i == comp_.root || users_[i].empty()) continue;
      bool all_inlined = std::all_of(users_[i].begin(), users_[i].end(), [&](int u) { return group_[u] >= 0; });
      if (all_inlined) in.fused_away = true;
    }
  }

 private:
  bool JoinsUsersGroup(int i) {
    const Instr& in = comp_.instrs[i];
    if (!Fusible(comp_, in) || users_[i].empty()) return false;
    int g = group_[users_[i][0]];
    if (g < 0) return false;
    for (int u : users_[i]) {
      if (group_[u] != g) return false;
      // A reduce root takes only its operand from the group, not its init value.
      const Instr& user = comp_.instrs[u];
      if (user.op == Op::kReduce && user.operands[0] != i) return false;
    }
    if (in.shape.array.dims != dims_[g]) return false;
    group_[i] = g;
    return true;
  }

  void Build(int g, int root) {
    Instr& r = comp_.instrs[root];
    auto f = std::make_shared<Fusion>();
    f->dims = dims_[g];
    const bool reduce = r.op == Op::kReduce;
    std::vector<int> members;
    for (int i = 0; i <= root; i++) {
      if (group_[i] == g && !(reduce && i == root)) members.push_back(i);
    }
    if (members.empty()) {  // a reduce whose input did not join: it runs unfused
      group_[root] = -1;
      return;
    }
    std::map<int, int> node_of;
    std::map<int, int> input_of;  // source instruction (broadcasts resolved) -> input index
    std::vector<int> external;
    auto input_node = [&](int o) {
      auto [it, inserted] = input_of.emplace(o, static_cast<int>(f->inputs.size()));
      if (inserted) {
        const Instr& src = comp_.instrs[o];
        FusedInput input;
        input.instr = o;
        if (src.op == Op::kBroadcast && (IsF32(comp_.instrs[src.operands[0]].shape) || IsPred(comp_.instrs[src.operands[0]].shape))) {
          // Read the broadcast's operand through the broadcast's index mapping.
          const Instr& operand = comp_.instrs[src.operands[0]];
          auto s = kernels::RowMajorStrides(operand.shape.array.dims);
          input.dims = f->dims;
          input.strides.assign(f->dims.size(), 0);
          for (size_t k = 0; k < src.dims.size(); k++) input.strides[src.dims[k]] = s[k];
          input.pred = IsPred(operand.shape);
          input.identity = false;
          external.push_back(src.operands[0]);
        } else if (!src.shape.tuple && src.shape.array.dims != f->dims) {
          // A scalar operand (a clamp bound): every element reads element 0.
          input.dims = f->dims;
          input.strides.assign(f->dims.size(), 0);
          input.pred = IsPred(src.shape);
          input.identity = false;
          external.push_back(o);
        } else {
          input.dims = f->dims;
          input.strides = kernels::RowMajorStrides(f->dims);
          input.pred = IsPred(src.shape);
          input.identity = true;
          external.push_back(o);
        }
        kernels::Simplify(input.dims, input.strides);
        f->inputs.push_back(std::move(input));
      }
      FusedNode node;
      node.op = Op::kParameter;
      node.input = it->second;
      f->nodes.push_back(node);
      return static_cast<int>(f->nodes.size()) - 1;
    };
    for (int m : members) {
      const Instr& in = comp_.instrs[m];
      FusedNode node;
      node.op = in.op;
      node.cmp = in.op == Op::kCompare ? ParseCmp(in.direction) : 0;
      int refs[3] = {-1, -1, -1};
      for (size_t k = 0; k < in.operands.size() && k < 3; k++) {
        int o = in.operands[k];
        auto it = node_of.find(o);
        refs[k] = it != node_of.end() ? it->second : input_node(o);
      }
      node.a = refs[0];
      node.b = refs[1];
      node.c = refs[2];
      f->nodes.push_back(node);
      node_of[m] = static_cast<int>(f->nodes.size()) - 1;
      f->members.push_back(in.name);
      if (m != root) comp_.instrs[m].fused_away = true;
    }
    f->root_pred = !reduce && IsPred(r.shape);
    f->reduce_init_operand = reduce ? r.operands[1] : -1;
    // The root now reads the group's inputs (and, for a reduce, its init value last).
    r.operands = external;
    if (reduce) r.operands.push_back(f->reduce_init_operand);
    r.fusion = f;
  }

  Computation& comp_;
  std::vector<int> group_;
  std::vector<std::vector<int>> users_;
  std::vector<std::vector<int64_t>> dims_;
};

}  // namespace

void PlanFusions(Computation& comp) {
  static const bool disabled = std::getenv("XLAPRUNE_CPU_NO_FUSION") != nullptr;
  if (disabled) return;
  Planner(comp).Run();
  PlanLiveness(comp);  // again: fused members are never evaluated and their roots read the inputs
}

namespace {

// EvalBlock on this thread's scratch, kept between calls: most groups are small (the SGD update
// of one layer's vectors), where a fresh zeroed allocation would cost more than the arithmetic.
// The result stays valid until the thread's next call.
const float* EvalBlockOnThread(const Fusion& f, const std::vector<const void*>& inputs, int64_t start, int64_t n) {
  thread_local std::vector<float> scratch;
  thread_local std::vector<const float*> value;
  if (scratch.size() < f.nodes.size() * kBlock) scratch.resize(f.nodes.size() * kBlock);
  value.resize(f.nodes.size());
  return EvalBlock(f, inputs, start, n, scratch.data(), value);
}

}  // namespace

void RunFusion(const Fusion& f, const std::vector<const void*>& inputs, void* out) {
  int64_t total = 1;
  for (int64_t d : f.dims) total *= d;
  const int64_t blocks = (total + kBlock - 1) / kBlock;
  kernels::ParallelFor(blocks, 16, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; b++) {
      int64_t start = b * kBlock, n = std::min(kBlock, total - start);
      const float* v = EvalBlockOnThread(f, inputs, start, n);
      if (f.root_pred) {
        uint8_t* o = static_cast<uint8_t*>(out) + start;
        for (int64_t j = 0; j < n; j++) o[j] = v[j] != 0 ? 1 : 0;
      } else {
        std::memcpy(static_cast<float*>(out) + start, v, static_cast<size_t>(n) * sizeof(float));
      }
    }
  });
}

void RunFusedReduce(const Fusion& f, const std::vector<const void*>& inputs, const std::vector<int64_t>& reduced, float init, Op reducer, float* out) {
  const kernels::Reducer op = reducer == Op::kAdd ? kernels::Reducer::kAdd : reducer == Op::kMaximum ? kernels::Reducer::kMax : kernels::Reducer::kMin;
  int64_t rows = 0, width = 0;
  if (kernels::AsLeadingReduction(f.dims, reduced, rows, width)) {
    kernels::ReduceLeading<float>(rows, width, out, init, op, kBlock, [&](int64_t start, int64_t n) { return EvalBlockOnThread(f, inputs, start, n); });
    return;
  }
  kernels::ReduceRuns<float>(f.dims, reduced, out, init, [&](double acc, int64_t offset, int64_t length, int64_t stride) {
    if (stride != 1) {
      // The minor dimension is reduced but has size 1 (h = w = 1): the run steps over kept
      // elements, so evaluate it element by element.
      for (int64_t j = 0; j < length; j++) acc = kernels::ReduceContiguous(EvalBlockOnThread(f, inputs, offset + j * stride, 1), 1, acc, op);
      return acc;
    }
    for (int64_t s = 0; s < length; s += kBlock) {
      int64_t n = std::min(kBlock, length - s);
      acc = kernels::ReduceContiguous(EvalBlockOnThread(f, inputs, offset + s, n), n, acc, op);
    }
    return acc;
  });
}

}  // namespace xlaprune::cpu
