// The unfused element-wise kernels: one parallel loop per op, its scalar expression taken from
// the op catalogue (ops.def).
#include "elementwise.h"

#include "interpreter.h"
#include "kernels.h"

namespace xlaprune::cpu {
namespace {

constexpr int64_t kGrain = 1 << 14;  // elements per thread below which one thread is faster

template <typename T>
void Unary(Op op, ElementType type, const T* px, T* o, int64_t n) {
  (void)type;  // read by the expressions that need it (not)
  switch (op) {
#define XLAPRUNE_UNARY(e, name, types, fusible, cost, expr)                        \
  case Op::e:                                                                     \
    kernels::ParallelFor(n, kGrain, [&](int64_t begin, int64_t end) {             \
      for (int64_t i = begin; i < end; i++) {                                     \
        const T x = px[i];                                                        \
        o[i] = expr;                                                              \
      }                                                                           \
    });                                                                           \
    return;
#include "ops.def"
    default: throw EngineError(ErrorCode::kInternal, "not a unary op");
  }
}

template <typename T>
void Binary(Op op, const T* pa, const T* pb, T* o, int64_t n) {
  switch (op) {
#define XLAPRUNE_BINARY(e, name, types, fusible, cost, expr)                       \
  case Op::e:                                                                     \
    kernels::ParallelFor(n, kGrain, [&](int64_t begin, int64_t end) {             \
      for (int64_t i = begin; i < end; i++) {                                     \
        const T a = pa[i], b = pb[i];                                             \
        o[i] = expr;                                                              \
      }                                                                           \
    });                                                                           \
    return;
#include "ops.def"
    default: throw EngineError(ErrorCode::kInternal, "not a binary op");
  }
}

// Operands 0 and 2 step by 0 when they are scalars.
template <typename T>
void Ternary(Op op, const T* pa, int64_t sa, const T* pb, const T* pc, int64_t sc, T* o, int64_t n) {
  switch (op) {
#define XLAPRUNE_TERNARY(e, name, types, fusible, cost, expr)                      \
  case Op::e:                                                                     \
    kernels::ParallelFor(n, kGrain, [&](int64_t begin, int64_t end) {             \
      for (int64_t i = begin; i < end; i++) {                                     \
        const T a = pa[i * sa], b = pb[i], c = pc[i * sc];                        \
        o[i] = expr;                                                              \
      }                                                                           \
    });                                                                           \
    return;
#include "ops.def"
    default: throw EngineError(ErrorCode::kInternal, "not a ternary op");
  }
}

}  // namespace

void RunElementwise(Op op, const std::vector<const DeviceBuffer*>& operands, DeviceBuffer& out) {
  const ElementType type = out.shape().type;
  const int64_t n = out.shape().ElementCount();
  Dispatch(type, [&](auto t) {
    using T = decltype(t);
    auto p = [&](size_t k) { return static_cast<const T*>(operands[k]->data()); };
    T* o = static_cast<T*>(out.data());
    switch (Info(op).family) {
      case OpFamily::kUnary: Unary<T>(op, type, p(0), o, n); return;
      case OpFamily::kBinary: Binary<T>(op, p(0), p(1), o, n); return;
      case OpFamily::kTernary: {
        auto step = [&](size_t k) -> int64_t { return operands[k]->shape().dims.empty() ? 0 : 1; };
        Ternary<T>(op, p(0), step(0), p(1), p(2), step(2), o, n);
        return;
      }
      default: throw EngineError(ErrorCode::kInternal, std::string("'") + Info(op).name + "' is not element-wise");
    }
  });
}

void Compare(const Instr& in, const Buf& a, const Buf& b, Buf& out) {
  int64_t n = out->shape().ElementCount();
  const std::string& d = in.direction;
  Dispatch(a->shape().type, [&](auto t) {
    using T = decltype(t);
    const T* x = P<T>(a);
    const T* y = P<T>(b);
    uint8_t* o = P<uint8_t>(out);
    auto run = [&](auto cmp) {
      kernels::ParallelFor(n, kGrain, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; i++) o[i] = cmp(x[i], y[i]) ? 1 : 0;
      });
    };
    if (d == "EQ") run([](T p, T q) { return p == q; });
    else if (d == "NE") run([](T p, T q) { return p != q; });
    else if (d == "LT") run([](T p, T q) { return p < q; });
    else if (d == "LE") run([](T p, T q) { return p <= q; });
    else if (d == "GT") run([](T p, T q) { return p > q; });
    else run([](T p, T q) { return p >= q; });
  });
}

void Select(const Buf& pred, const Buf& on_true, const Buf& on_false, Buf& out) {
  const int64_t n = out->shape().ElementCount();
  Dispatch(out->shape().type, [&](auto t) {
    using T = decltype(t);
    const uint8_t* p = P<uint8_t>(pred);
    const T* a = P<T>(on_true);
    const T* b = P<T>(on_false);
    T* o = P<T>(out);
    kernels::ParallelFor(n, kGrain, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; i++) o[i] = p[i] ? a[i] : b[i];
    });
  });
}

}  // namespace xlaprune::cpu
