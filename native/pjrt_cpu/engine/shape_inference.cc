// Shape inference and verification, as XLA's shape inference and HLO verifier do it: arity and
// element types from the op catalogue, then each op's own rule for its configs and result.
#include <algorithm>
#include <numeric>

#include "program_builder.h"

namespace xlaprune::cpu {
namespace {


const ArrayShape& ArrayOf(const Instr& instr, const Context& ctx, const char* what = "operand") {
  if (instr.shape.tuple) ctx.Invalid(std::string(what) + " '" + instr.name + "' is a tuple where an array is needed");
  return instr.shape.array;
}

void CheckDimIndex(int64_t d, size_t rank, const Context& ctx, const std::string& what) {
  if (d < 0 || d >= static_cast<int64_t>(rank)) ctx.Invalid(what + " " + std::to_string(d) + " is out of range for rank " + std::to_string(rank));
}

int64_t WindowOutputSize(int64_t in, const WindowDim& w, const Context& ctx) {
  if (w.size < 1 || w.stride < 1) ctx.Invalid("window size and stride must be at least 1");
  if (w.pad_lo < -kMaxDim || w.pad_lo > kMaxDim || w.pad_hi < -kMaxDim || w.pad_hi > kMaxDim || w.window_dilation > kMaxDim ||
      w.base_dilation > kMaxDim || w.size > kMaxDim || w.stride > kMaxDim)
    ctx.Invalid("window values are out of range");
  int64_t dilated_in = in == 0 ? 0 : (in - 1) * w.base_dilation + 1;
  int64_t padded = dilated_in + w.pad_lo + w.pad_hi;
  int64_t dilated_window = (w.size - 1) * w.window_dilation + 1;
  if (padded < dilated_window) return 0;
  return (padded - dilated_window) / w.stride + 1;
}

// The reducer is one binary op applied to its two scalar parameters: run it directly.
void DetectSimpleReducer(Instr& instr, const Computation& reducer) {
  const Instr& root = reducer.instrs[reducer.root];
  if (reducer.params.size() != 2 || root.operands.size() != 2) return;
  const Instr& a = reducer.instrs[root.operands[0]];
  const Instr& b = reducer.instrs[root.operands[1]];
  bool params = a.op == Op::kParameter && b.op == Op::kParameter && a.parameter_number != b.parameter_number;
  if (params && (root.op == Op::kAdd || root.op == Op::kMaximum || root.op == Op::kMinimum || root.op == Op::kMultiply ||
                 root.op == Op::kAnd || root.op == Op::kOr)) {
    instr.simple_reducer = root.op;
    instr.has_simple_reducer = true;
  }
}

void Arity(const Instr& in, size_t n, const Context& ctx) {
  if (in.operands.size() != n) ctx.Invalid(in.opcode + " takes " + std::to_string(n) + " operand(s), got " + std::to_string(in.operands.size()));
}

void CheckReducer(Instr& in, const std::vector<Computation>& comps, const ArrayShape& init, const Context& ctx) {
  if (in.called.empty()) ctx.Invalid(in.opcode + " needs a called computation");
  const Computation& r = comps[in.called[0]];
  Shape scalar = Sh(Arr(init.type, {}));
  if (r.params.size() != 2 || r.params[0] != scalar || r.params[1] != scalar || r.instrs[r.root].shape != scalar)
    ctx.Invalid("reducer '" + r.name + "' must take two " + scalar.Text() + " and return one");
  DetectSimpleReducer(in, r);
}

ArrayShape InferConvolution(Instr& in, const ArrayShape& lhs, const ArrayShape& rhs, const Context& ctx) {
  const auto& c = in.conv;
  size_t rank = lhs.dims.size();
  size_t spatial = c.in_spatial.size();
  if (lhs.type != rhs.type) ctx.Invalid("convolution operands differ in type");
  if (rhs.dims.size() != rank || spatial + 2 != rank || c.k_spatial.size() != spatial || c.out_spatial.size() != spatial || in.window.size() != spatial)
    ctx.Invalid("convolution dimension numbers do not match the operand ranks");
  std::vector<int64_t> all_in = {c.in_batch, c.in_feature}, all_k = {c.k_in, c.k_out}, all_out = {c.out_batch, c.out_feature};
  all_in.insert(all_in.end(), c.in_spatial.begin(), c.in_spatial.end());
  all_k.insert(all_k.end(), c.k_spatial.begin(), c.k_spatial.end());
  all_out.insert(all_out.end(), c.out_spatial.begin(), c.out_spatial.end());
  for (auto* v : {&all_in, &all_k, &all_out}) {
    std::vector<int64_t> s = *v;
    std::sort(s.begin(), s.end());
    for (size_t i = 0; i < s.size(); i++) if (s[i] != static_cast<int64_t>(i)) ctx.Invalid("convolution dimension numbers are not a permutation");
  }
  int64_t g = in.feature_groups, bg = in.batch_groups;
  int64_t in_features = lhs.dims[c.in_feature], out_features = rhs.dims[c.k_out];
  if (g > 1 && bg > 1) ctx.Invalid("feature_group_count and batch_group_count cannot both exceed 1");
  if (g > in_features || in_features % g != 0 || rhs.dims[c.k_in] * g != in_features)
    ctx.Invalid("input features " + std::to_string(in_features) + " do not match kernel input features " + std::to_string(rhs.dims[c.k_in]) + " x feature_group_count " + std::to_string(g));
  if (out_features % g != 0 || out_features % bg != 0 || lhs.dims[c.in_batch] % bg != 0) ctx.Invalid("feature or batch counts are not divisible by the group counts");
  std::vector<int64_t> out(rank);
  out[c.out_batch] = lhs.dims[c.in_batch] / bg;
  out[c.out_feature] = out_features;
  for (size_t i = 0; i < spatial; i++) {
    const WindowDim& w = in.window[i];
    if (w.size != rhs.dims[c.k_spatial[i]]) ctx.Invalid("window size " + std::to_string(w.size) + " does not match kernel size " + std::to_string(rhs.dims[c.k_spatial[i]]));
    out[c.out_spatial[i]] = WindowOutputSize(lhs.dims[c.in_spatial[i]], w, ctx);
  }
  return Arr(lhs.type, out);
}

ArrayShape InferDot(Instr& in, const ArrayShape& lhs, const ArrayShape& rhs, const Context& ctx) {
  const auto& d = in.dot;
  if (lhs.type != rhs.type) ctx.Invalid("dot operands differ in type");
  if (d.lhs_contract.size() != d.rhs_contract.size() || d.lhs_batch.size() != d.rhs_batch.size()) ctx.Invalid("dot dimension numbers have mismatched counts");
  std::vector<bool> lused(lhs.dims.size()), rused(rhs.dims.size());
  auto use = [&](std::vector<bool>& used, int64_t dim, size_t rank) {
    CheckDimIndex(dim, rank, ctx, "dot dimension");
    if (used[dim]) ctx.Invalid("dot dimension " + std::to_string(dim) + " is used twice");
    used[dim] = true;
  };
  std::vector<int64_t> out;
  for (size_t i = 0; i < d.lhs_batch.size(); i++) {
    use(lused, d.lhs_batch[i], lhs.dims.size());
    use(rused, d.rhs_batch[i], rhs.dims.size());
    if (lhs.dims[d.lhs_batch[i]] != rhs.dims[d.rhs_batch[i]]) ctx.Invalid("dot batch dimensions differ in size");
    out.push_back(lhs.dims[d.lhs_batch[i]]);
  }
  for (size_t i = 0; i < d.lhs_contract.size(); i++) {
    use(lused, d.lhs_contract[i], lhs.dims.size());
    use(rused, d.rhs_contract[i], rhs.dims.size());
    if (lhs.dims[d.lhs_contract[i]] != rhs.dims[d.rhs_contract[i]])
      ctx.Invalid("dot contracting dimensions differ: " + ShapeText(lhs) + " and " + ShapeText(rhs));
  }
  for (size_t i = 0; i < lhs.dims.size(); i++) if (!lused[i]) out.push_back(lhs.dims[i]);
  for (size_t i = 0; i < rhs.dims.size(); i++) if (!rused[i]) out.push_back(rhs.dims[i]);
  return Arr(lhs.type, out);
}

// Element-wise families: operands of the result's shape (a ternary op's outer operands may be
// scalars), of one element type the catalogue accepts for the op.
ArrayShape InferElementwise(const Instr& in, const OpInfo& info, const std::vector<Instr>& instrs, const Context& ctx) {
  auto operand = [&](size_t i) -> const ArrayShape& { return ArrayOf(instrs[in.operands[i]], ctx); };
  const ArrayShape& x = operand(info.family == OpFamily::kTernary ? 1 : 0);
  if (info.family == OpFamily::kBinary && (operand(0).dims != operand(1).dims || operand(0).type != operand(1).type))
    ctx.Invalid(in.opcode + ": operand shapes " + ShapeText(operand(0)) + " and " + ShapeText(operand(1)) + " differ");
  if (info.family == OpFamily::kTernary) {
    for (size_t i : {size_t{0}, size_t{2}}) {
      if (operand(i).type != x.type || (!operand(i).dims.empty() && operand(i).dims != x.dims))
        ctx.Invalid(in.opcode + " bounds must be scalars or match the operand");
    }
  }
  if (!AcceptsType(info.types, x.type)) ctx.Invalid(in.opcode + " needs " + TypesText(info.types) + ", got " + ShapeText(x));
  return x;
}

}  // namespace

// Infers the result shape from the operands (as XLA's shape inference does) and returns it;
// for ops whose result is given by the instruction (parameter, constant, iota, broadcast,
// reshape, convert, rng-bit-generator), checks the declared shape is consistent and returns it.
Shape Infer(Instr& in, const Shape& declared, const std::vector<Instr>& instrs, const std::vector<Computation>& comps, const Context& ctx) {
  auto operand = [&](size_t i) -> const ArrayShape& { return ArrayOf(instrs[in.operands[i]], ctx); };
  auto needArray = [&]() -> const ArrayShape& {
    if (declared.tuple) ctx.Invalid(in.opcode + " must have an array shape");
    return declared.array;
  };
  const OpInfo& info = Info(in.op);
  bool calls = info.family == OpFamily::kReduction || info.family == OpFamily::kCollective;
  if (!calls && !in.called.empty()) ctx.Invalid(in.opcode + " may not call computations");
  if (info.arity >= 0) Arity(in, static_cast<size_t>(info.arity), ctx);
  switch (info.family) {
    case OpFamily::kUnary: case OpFamily::kBinary: case OpFamily::kTernary: return Sh(InferElementwise(in, info, instrs, ctx));
    default: break;
  }
  switch (in.op) {
    case Op::kParameter:
    case Op::kConstant:
      return declared;
    case Op::kIota: {
      const auto& a = needArray();
      if (in.dims.size() != 1) ctx.Invalid("iota needs exactly one dimension");
      CheckDimIndex(in.dims[0], a.dims.size(), ctx, "iota dimension");
      return declared;
    }
    case Op::kBroadcast: {
      const auto& a = needArray();
      const auto& o = operand(0);
      if (in.dims.size() != o.dims.size()) ctx.Invalid("broadcast dimensions has " + std::to_string(in.dims.size()) + " entries for operand rank " + std::to_string(o.dims.size()));
      for (size_t i = 0; i < in.dims.size(); i++) {
        CheckDimIndex(in.dims[i], a.dims.size(), ctx, "broadcast dimension");
        if (a.dims[in.dims[i]] != o.dims[i]) ctx.Invalid("broadcast maps operand dimension " + std::to_string(i) + " of size " + std::to_string(o.dims[i]) + " to a dimension of size " + std::to_string(a.dims[in.dims[i]]));
      }
      if (a.type != o.type) ctx.Invalid("broadcast changes the element type");
      return declared;
    }
    case Op::kReshape: {
      const auto& a = needArray();
      if (a.ElementCount() != operand(0).ElementCount() || a.type != operand(0).type) ctx.Invalid("reshape from " + ShapeText(operand(0)) + " to " + ShapeText(a) + " changes the element count or type");
      return declared;
    }
    case Op::kConvert: {
      const auto& a = needArray();
      if (a.dims != operand(0).dims) ctx.Invalid("convert changes dimensions");
      return declared;
    }
    case Op::kTranspose: {
      const auto& o = operand(0);
      std::vector<int64_t> sorted = in.dims;
      std::sort(sorted.begin(), sorted.end());
      std::vector<int64_t> iota(o.dims.size());
      std::iota(iota.begin(), iota.end(), 0);
      if (sorted != iota) ctx.Invalid("transpose dimensions are not a permutation of the operand's");
      ArrayShape r{o.type, {}};
      for (int64_t d : in.dims) r.dims.push_back(o.dims[d]);
      return Sh(r);
    }
    case Op::kSlice: {
      const auto& o = operand(0);
      if (in.slice.size() != o.dims.size()) ctx.Invalid("slice needs one slice dimension per operand dimension");
      ArrayShape r{o.type, {}};
      for (size_t i = 0; i < in.slice.size(); i++) {
        auto [start, limit, stride] = in.slice[i];
        if (start < 0 || limit > o.dims[i] || start > limit || stride < 1) ctx.Invalid("slice [" + std::to_string(start) + ":" + std::to_string(limit) + ":" + std::to_string(stride) + "] is out of range for a dimension of size " + std::to_string(o.dims[i]));
        r.dims.push_back((limit - start + stride - 1) / stride);
      }
      return Sh(r);
    }
    case Op::kPad: {
      const auto& o = operand(0);
      if (!operand(1).dims.empty() || operand(1).type != o.type) ctx.Invalid("pad value must be a scalar of the operand's type");
      if (in.padding.size() != o.dims.size()) ctx.Invalid("padding_config needs one entry per operand dimension");
      ArrayShape r{o.type, {}};
      for (size_t i = 0; i < in.padding.size(); i++) {
        auto [lo, hi, interior] = in.padding[i];
        if (interior < 0 || interior > kMaxDim || lo < -kMaxDim || lo > kMaxDim || hi < -kMaxDim || hi > kMaxDim) ctx.Invalid("padding is out of range");
        int64_t size = o.dims[i] + lo + hi + std::max<int64_t>(o.dims[i] - 1, 0) * interior;
        if (size < 0) ctx.Invalid("padding makes dimension " + std::to_string(i) + " negative");
        r.dims.push_back(size);
      }
      return Sh(r);
    }
    case Op::kConcatenate: {
      if (in.operands.empty()) ctx.Invalid("concatenate needs operands");
      if (in.dims.size() != 1) ctx.Invalid("concatenate needs exactly one dimension");
      ArrayShape r = operand(0);
      CheckDimIndex(in.dims[0], r.dims.size(), ctx, "concatenate dimension");
      for (size_t i = 1; i < in.operands.size(); i++) {
        const auto& o = operand(i);
        if (o.type != r.type || o.dims.size() != r.dims.size()) ctx.Invalid("concatenate operands differ in type or rank");
        for (size_t d = 0; d < o.dims.size(); d++) {
          if (static_cast<int64_t>(d) == in.dims[0]) r.dims[d] += o.dims[d];
          else if (o.dims[d] != r.dims[d]) ctx.Invalid("concatenate operands differ in dimension " + std::to_string(d));
        }
      }
      return Sh(r);
    }
    case Op::kTuple: {
      Shape t;
      t.tuple = true;
      for (int o : in.operands) t.elements.push_back(instrs[o].shape);
      return t;
    }
    case Op::kGetTupleElement: {
      const Shape& t = instrs[in.operands[0]].shape;
      if (!t.tuple) ctx.Invalid("get-tuple-element of a non-tuple");
      if (in.tuple_index < 0 || in.tuple_index >= static_cast<int64_t>(t.elements.size())) ctx.Invalid("tuple_index " + std::to_string(in.tuple_index) + " is out of range");
      return t.elements[in.tuple_index];
    }
    case Op::kCopy: return Sh(operand(0));
    case Op::kCompare: {
      if (operand(0).dims != operand(1).dims || operand(0).type != operand(1).type)
        ctx.Invalid("compare: operand shapes " + ShapeText(operand(0)) + " and " + ShapeText(operand(1)) + " differ");
      return Sh(Arr(ElementType::kPred, operand(0).dims));
    }
    case Op::kSelect: {
      if (operand(0).type != ElementType::kPred || operand(0).dims != operand(1).dims || operand(1).dims != operand(2).dims || operand(1).type != operand(2).type)
        ctx.Invalid("select needs a predicate and two operands of one shape, got " + ShapeText(operand(0)) + ", " + ShapeText(operand(1)) + ", " + ShapeText(operand(2)));
      return Sh(operand(1));
    }
    case Op::kConvolution: return Sh(InferConvolution(in, operand(0), operand(1), ctx));
    case Op::kDot: return Sh(InferDot(in, operand(0), operand(1), ctx));
    case Op::kReduce: {
      if (in.operands.size() != 2) {
        if (in.operands.size() % 2 == 0 && !in.operands.empty())
          Fail(ErrorCode::kUnimplemented, "computation '" + ctx.computation + "', instruction '" + ctx.instruction + "': reduce of several inputs is not supported");
        ctx.Invalid("reduce needs an even number of operands");
      }
      const auto& o = operand(0);
      if (!operand(1).dims.empty() || operand(1).type != o.type) ctx.Invalid("reduce init value must be a scalar of the operand's type");
      CheckReducer(in, comps, operand(1), ctx);
      std::vector<bool> reduced(o.dims.size(), false);
      for (int64_t d : in.dims) {
        CheckDimIndex(d, o.dims.size(), ctx, "reduce dimension");
        if (reduced[d]) ctx.Invalid("reduce dimension " + std::to_string(d) + " is repeated");
        reduced[d] = true;
      }
      ArrayShape r{o.type, {}};
      for (size_t d = 0; d < o.dims.size(); d++) if (!reduced[d]) r.dims.push_back(o.dims[d]);
      return Sh(r);
    }
    case Op::kReduceWindow: {
      if (in.operands.size() != 2) ctx.Invalid("reduce-window of one input needs two operands");
      const auto& o = operand(0);
      if (!operand(1).dims.empty() || operand(1).type != o.type) ctx.Invalid("reduce-window init value must be a scalar of the operand's type");
      CheckReducer(in, comps, operand(1), ctx);
      if (in.window.size() != o.dims.size()) ctx.Invalid("window needs one dimension per operand dimension");
      ArrayShape r{o.type, {}};
      for (size_t d = 0; d < o.dims.size(); d++) r.dims.push_back(WindowOutputSize(o.dims[d], in.window[d], ctx));
      return Sh(r);
    }
    case Op::kSelectAndScatter: {
      if (in.called.size() != 2) ctx.Invalid("select-and-scatter needs two called computations (select, scatter)");
      const auto& o = operand(0);
      if (in.window.size() != o.dims.size()) ctx.Invalid("window needs one dimension per operand dimension");
      ArrayShape expect{o.type, {}};
      for (size_t d = 0; d < o.dims.size(); d++) expect.dims.push_back(WindowOutputSize(o.dims[d], in.window[d], ctx));
      if (operand(1).dims != expect.dims || operand(1).type != o.type) ctx.Invalid("source shape " + ShapeText(operand(1)) + " does not match the window output " + ShapeText(expect));
      if (!operand(2).dims.empty() || operand(2).type != o.type) ctx.Invalid("select-and-scatter init value must be a scalar of the operand's type");
      const Computation& select = comps[in.called[0]];
      if (select.params.size() != 2 || select.instrs[select.root].shape != Sh(Arr(ElementType::kPred, {}))) ctx.Invalid("select computation '" + select.name + "' must take two scalars and return pred[]");
      const Computation& scatter = comps[in.called[1]];
      Instr probe;
      probe.called = {in.called[1]};
      probe.opcode = in.opcode;
      CheckReducer(probe, comps, operand(2), ctx);
      in.has_simple_reducer = probe.has_simple_reducer;
      in.simple_reducer = probe.simple_reducer;
      (void)scatter;
      for (const auto& w : in.window) if (w.base_dilation != 1 || w.window_dilation != 1) Fail(ErrorCode::kUnimplemented, "computation '" + ctx.computation + "', instruction '" + ctx.instruction + "': select-and-scatter with dilation is not supported");
      return Sh(o);
    }
    case Op::kRngBitGenerator: {
      const auto& state = operand(0);
      if (state.type != ElementType::kU64 || state.dims.size() != 1 || state.dims[0] < 1) ctx.Invalid("rng-bit-generator state must be u64[n]");
      if (!declared.tuple || declared.elements.size() != 2 || declared.elements[0].tuple || declared.elements[0].array.dims != state.dims ||
          declared.elements[0].array.type != ElementType::kU64 || declared.elements[1].tuple ||
          (declared.elements[1].array.type != ElementType::kU32 && declared.elements[1].array.type != ElementType::kU64))
        ctx.Invalid("rng-bit-generator must return (u64 state, u32 or u64 bits)");
      return declared;
    }
    case Op::kAllReduce: {
      if (in.called.size() != 1) ctx.Invalid("all-reduce needs one reducer");
      DetectSimpleReducer(in, comps[in.called[0]]);
      if (!in.has_simple_reducer || in.simple_reducer != Op::kAdd)
        Fail(ErrorCode::kUnimplemented, "computation '" + ctx.computation + "', instruction '" + ctx.instruction + "': all-reduce supports only a sum reducer");
      return Sh(operand(0));
    }
    default:  // the element-wise families, handled above
      break;
  }
  ctx.Invalid("unhandled opcode " + in.opcode);
}

}  // namespace xlaprune::cpu
