// Reductions: reduce, reduce-window and select-and-scatter. A reducer that is one binary op
// runs directly (kernels.h has the fast f32/f64/s32/s64 forms); any other is interpreted on scalars.
#include <algorithm>

#include "interpreter.h"
#include "kernels.h"

namespace xlaprune::cpu {
namespace {

bool FastReducer(const Instr& in, kernels::Reducer& r) {
  if (!in.has_simple_reducer) return false;
  switch (in.simple_reducer) {
    case Op::kAdd: r = kernels::Reducer::kAdd; return true;
    case Op::kMaximum: r = kernels::Reducer::kMax; return true;
    case Op::kMinimum: r = kernels::Reducer::kMin; return true;
    case Op::kMultiply: r = kernels::Reducer::kMul; return true;
    default: return false;
  }
}

template <typename F>
bool FastType(ElementType type, F&& body) {
  switch (type) {
    case ElementType::kF32: body(float{}); return true;
    case ElementType::kF64: body(double{}); return true;
    case ElementType::kS32: body(int32_t{}); return true;
    case ElementType::kS64: body(int64_t{}); return true;
    default: return false;
  }
}

// The window as a 2-D pooling window, if it is one: at most two neighbouring dimensions H, W have
// a window other than size 1, stride 1 and no padding (the two minor ones of a channels-first
// array, the two before C of a channels-last one), and nothing is dilated.
bool AsWindow2D(const Instr& in, const std::vector<int64_t>& operand, const std::vector<int64_t>& result, kernels::Window2D& w) {
  const size_t rank = operand.size();
  if (rank < 2 || in.window.size() != rank) return false;
  size_t first = rank, last = 0;
  for (size_t d = 0; d < rank; d++) {
    const WindowDim& wd = in.window[d];
    if (wd.window_dilation != 1 || wd.base_dilation != 1 || wd.pad_lo < 0 || wd.pad_hi < 0) return false;
    if (wd.size != 1 || wd.stride != 1 || wd.pad_lo != 0 || wd.pad_hi != 0) {
      first = std::min(first, d);
      last = d;
    }
  }
  const size_t h_dim = first == rank ? rank - 2 : std::min(first, rank - 2);  // no real window: any two will do
  if (first != rank && last > h_dim + 1) return false;
  for (size_t d = 0; d < rank; d++) {
    if (d < h_dim) w.outer *= operand[d];
    if (d > h_dim + 1) w.inner *= operand[d];
  }
  const WindowDim& h = in.window[h_dim];
  const WindowDim& c = in.window[h_dim + 1];
  w.in_h = operand[h_dim];
  w.in_w = operand[h_dim + 1];
  w.out_h = result[h_dim];
  w.out_w = result[h_dim + 1];
  w.size_h = h.size;
  w.size_w = c.size;
  w.stride_h = h.stride;
  w.stride_w = c.stride;
  w.pad_h = h.pad_lo;
  w.pad_w = c.pad_lo;
  return true;
}

// Visits every operand position in the window of output position `opos` (skipping padding and
// base-dilation holes), passing the operand's flat offset.
template <typename F>
void ForWindow(const Instr& in, const std::vector<int64_t>& sd, const std::vector<int64_t>& ss, const std::vector<int64_t>& opos, F&& visit) {
  size_t rank = sd.size();
  std::vector<int64_t> wdims(rank), w(rank, 0);
  for (size_t d = 0; d < rank; d++) wdims[d] = in.window[d].size;
  do {
    int64_t off = 0;
    bool inside = true;
    for (size_t d = 0; d < rank; d++) {
      const WindowDim& wd = in.window[d];
      int64_t p = opos[d] * wd.stride + w[d] * wd.window_dilation - wd.pad_lo;
      if (p < 0 || p % wd.base_dilation != 0 || p / wd.base_dilation >= sd[d]) { inside = false; break; }
      off += (p / wd.base_dilation) * ss[d];
    }
    if (inside) visit(off);
  } while (rank > 0 && Next(w, wdims));
}

}  // namespace

// A reducer either known to be one binary op, or interpreted on scalars.
template <typename T>
std::function<T(T, T)> Interpreter::Reducer(const Instr& in, int which) {
  if (which == 0 && in.has_simple_reducer) {
    Op op = in.simple_reducer;
    return [op](T a, T b) { return ApplyBinary<T>(op, a, b); };
  }
  int comp = in.called[which];
  ElementType type = program_.computations[comp].params[0].array.type;
  return [this, comp, type](T a, T b) {
    return ScalarCall<T>(comp, type, a, b);
  };
}

template <typename T, typename R>
R Interpreter::ScalarCall(int comp, ElementType type, T a, T b) {
  ArrayShape scalar{type, {}};
  Value va, vb;
  va.array = DeviceBuffer::Allocate(scalar);
  vb.array = DeviceBuffer::Allocate(scalar);
  *P<T>(va.array) = a;
  *P<T>(vb.array) = b;
  Value r = Run(comp, {va, vb});
  return *P<R>(r.array);
}

void Interpreter::Reduce(const Instr& in, const Buf& src, const Buf& init, Buf& out) {
  kernels::Reducer r;
  if (FastReducer(in, r) && FastType(src->shape().type, [&](auto t) {
        using T = decltype(t);
        kernels::Reduce<T>(P<T>(src), P<T>(out), src->shape().dims, in.dims, *P<T>(init), r);
      }))
    return;
  const auto& sd = src->shape().dims;
  auto ostr = kernels::RowMajorStrides(out->shape().dims);
  std::vector<int64_t> map(sd.size(), 0);  // stride in the output of each source dimension (0 if reduced)
  for (size_t d = 0, o = 0; d < sd.size(); d++) {
    if (std::find(in.dims.begin(), in.dims.end(), static_cast<int64_t>(d)) == in.dims.end()) map[d] = ostr[o++];
  }
  Dispatch(src->shape().type, [&](auto t) {
    using T = decltype(t);
    auto f = Reducer<T>(in);
    T* o = P<T>(out);
    int64_t on = out->shape().ElementCount();
    for (int64_t i = 0; i < on; i++) o[i] = *P<T>(init);
    std::vector<int64_t> idx(sd.size(), 0);
    int64_t n = src->shape().ElementCount();
    const T* s = P<T>(src);
    for (int64_t i = 0; i < n; i++) {
      int64_t off = 0;
      for (size_t d = 0; d < sd.size(); d++) off += idx[d] * map[d];
      o[off] = f(o[off], s[i]);
      Next(idx, sd);
    }
  });
}

void Interpreter::ReduceWindow(const Instr& in, const Buf& src, const Buf& init, Buf& out) {
  kernels::Reducer r;
  kernels::Window2D w;
  if (FastReducer(in, r) && AsWindow2D(in, src->shape().dims, out->shape().dims, w) && FastType(src->shape().type, [&](auto t) {
        using T = decltype(t);
        kernels::ReduceWindow2D<T>(P<T>(src), P<T>(out), w, *P<T>(init), r);
      }))
    return;
  const auto& sd = src->shape().dims;
  auto ss = kernels::RowMajorStrides(sd);
  const auto& od = out->shape().dims;
  Dispatch(src->shape().type, [&](auto t) {
    using T = decltype(t);
    auto f = Reducer<T>(in);
    const T* s = P<T>(src);
    std::vector<int64_t> opos(od.size(), 0);
    int64_t n = out->shape().ElementCount();
    for (int64_t i = 0; i < n; i++) {
      T acc = *P<T>(init);
      ForWindow(in, sd, ss, opos, [&](int64_t off) { acc = f(acc, s[off]); });
      P<T>(out)[i] = acc;
      Next(opos, od);
    }
  });
}

void Interpreter::SelectAndScatter(const Instr& in, const Buf& operand, const Buf& source, const Buf& init, Buf& out) {
  const auto& sd = operand->shape().dims;
  auto ss = kernels::RowMajorStrides(sd);
  const auto& srcd = source->shape().dims;
  const Computation& select = program_.computations[in.called[0]];
  // A select that is compare(p0, p1, DIR) runs directly.
  std::string direction;
  const Instr& root = select.instrs[select.root];
  if (root.op == Op::kCompare && select.instrs[root.operands[0]].op == Op::kParameter && select.instrs[root.operands[0]].parameter_number == 0 &&
      select.instrs[root.operands[1]].op == Op::kParameter && select.instrs[root.operands[1]].parameter_number == 1)
    direction = root.direction;
  kernels::Window2D w;
  if ((direction == "GE" || direction == "GT") && in.has_simple_reducer && in.simple_reducer == Op::kAdd &&
      AsWindow2D(in, sd, srcd, w) && FastType(operand->shape().type, [&](auto t) {
        using T = decltype(t);
        kernels::SelectAndScatter2D<T>(P<T>(operand), P<T>(source), P<T>(out), w, *P<T>(init), direction == "GE");
      }))
    return;
  Dispatch(operand->shape().type, [&](auto t) {
    using T = decltype(t);
    const T* x = P<T>(operand);
    T* o = P<T>(out);
    int64_t n = out->shape().ElementCount();
    for (int64_t i = 0; i < n; i++) o[i] = *P<T>(init);
    auto scatter = Reducer<T>(in, in.has_simple_reducer ? 0 : 1);
    if (in.has_simple_reducer) scatter = [op = in.simple_reducer](T a, T b) { return ApplyBinary<T>(op, a, b); };
    auto keep = [&](T a, T b) -> bool {
      if (direction == "GE") return a >= b;
      if (direction == "GT") return a > b;
      if (direction == "LE") return a <= b;
      if (direction == "LT") return a < b;
      if (direction == "EQ") return a == b;
      if (direction == "NE") return a != b;
      return ScalarCall<T, uint8_t>(in.called[0], operand->shape().type, a, b) != 0;
    };
    std::vector<int64_t> spos(srcd.size(), 0);
    int64_t m = source->shape().ElementCount();
    for (int64_t i = 0; i < m; i++) {
      int64_t chosen = -1;
      ForWindow(in, sd, ss, spos, [&](int64_t off) {
        if (chosen < 0 || !keep(x[chosen], x[off])) chosen = off;
      });
      if (chosen >= 0) o[chosen] = scatter(o[chosen], P<T>(source)[i]);
      Next(spos, srcd);
    }
  });
}

}  // namespace xlaprune::cpu
