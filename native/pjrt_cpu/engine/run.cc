// The interpreter: runs a validated Program instruction by instruction, freeing each value
// after its last reader. Kernels are plain loops (a correct reference); dot uses oneDNN's sgemm
// for the plain matrix-product case.
#include <dnnl.h>

#include <algorithm>
#include <cmath>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>

#include "internal.h"
#include "kernels.h"

namespace xlaprune::cpu {
namespace {

using Buf = std::shared_ptr<DeviceBuffer>;

struct Value {
  Buf array;
  std::vector<Value> tuple;
  bool is_tuple = false;
};

// Calls body(T) with T the C++ type of `type`.
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

template <typename T> T* P(const Buf& b) { return static_cast<T*>(b->data()); }

// Advances a multi-index over `dims`; returns false after the last one.
bool Next(std::vector<int64_t>& index, const std::vector<int64_t>& dims) {
  for (int d = static_cast<int>(dims.size()) - 1; d >= 0; d--) {
    if (++index[d] < dims[d]) return true;
    index[d] = 0;
  }
  return false;
}

template <typename T>
T Apply(Op op, T a, T b) {
  switch (op) {
    case Op::kAdd: return static_cast<T>(a + b);
    case Op::kSubtract: return static_cast<T>(a - b);
    case Op::kMultiply: return static_cast<T>(a * b);
    case Op::kDivide:
      if constexpr (std::is_integral_v<T>) {
        // XLA's rules where C++ is undefined: x / 0 = -1, and MIN / -1 = MIN (no trap).
        if (b == 0) return static_cast<T>(-1);
        if constexpr (std::is_signed_v<T>) {
          if (a == std::numeric_limits<T>::min() && b == static_cast<T>(-1)) return a;
        }
        return static_cast<T>(a / b);
      }
      else return a / b;
    case Op::kMaximum:
      if constexpr (std::is_floating_point_v<T>) { if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN(); }
      return a > b ? a : b;
    case Op::kMinimum:
      if constexpr (std::is_floating_point_v<T>) { if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<T>::quiet_NaN(); }
      return a < b ? a : b;
    case Op::kPower: return static_cast<T>(std::pow(static_cast<double>(a), static_cast<double>(b)));
    case Op::kAnd:
      if constexpr (std::is_integral_v<T>) return static_cast<T>(a & b); else return a;
    case Op::kOr:
      if constexpr (std::is_integral_v<T>) return static_cast<T>(a | b); else return a;
    case Op::kXor:
      if constexpr (std::is_integral_v<T>) return static_cast<T>(a ^ b); else return a;
    default: throw EngineError(ErrorCode::kInternal, "not a binary op");
  }
}

template <typename T>
T ApplyUnary(Op op, T x, ElementType type) {
  switch (op) {
    case Op::kNegate: return static_cast<T>(-x);
    case Op::kAbs:
      if constexpr (std::is_signed_v<T>) return x < 0 ? static_cast<T>(-x) : x; else return x;
    case Op::kSign:
      if constexpr (std::is_floating_point_v<T>) { if (std::isnan(x)) return x; }
      return static_cast<T>(x > 0 ? 1 : (x < 0 ? -1 : 0));
    case Op::kExp: return static_cast<T>(std::exp(x));
    case Op::kLog: return static_cast<T>(std::log(x));
    case Op::kSqrt: return static_cast<T>(std::sqrt(x));
    case Op::kRsqrt: return static_cast<T>(1 / std::sqrt(x));
    case Op::kTanh: return static_cast<T>(std::tanh(x));
    case Op::kNot:
      if (type == ElementType::kPred) return static_cast<T>(x == 0 ? 1 : 0);
      if constexpr (std::is_integral_v<T>) return static_cast<T>(~x); else return x;
    case Op::kCopy: return x;
    default: throw EngineError(ErrorCode::kInternal, "not a unary op");
  }
}

// XLAPRUNE_CPU_PROFILE=1: time every entry-computation instruction by kind and print the totals
// on standard error when the process exits. A developer aid; off by default and free when off.
class OpProfile {
 public:
  static OpProfile* Get() {
    static OpProfile* profile = std::getenv("XLAPRUNE_CPU_PROFILE") != nullptr ? new OpProfile() : nullptr;
    return profile;
  }
  void Add(const std::string& kind, double ms) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto& e = totals_[kind];
    e.first += ms;
    e.second++;
  }

 private:
  OpProfile() { std::atexit([] { Get()->Print(); }); }
  void Print() {
    std::lock_guard<std::mutex> lock(mutex_);
    double all = 0;
    for (const auto& [k, v] : totals_) all += v.first;
    std::vector<std::pair<double, std::string>> rows;
    for (const auto& [k, v] : totals_) rows.emplace_back(v.first, k);
    std::sort(rows.rbegin(), rows.rend());
    std::fprintf(stderr, "xlaprune cpu profile: %.1f ms in entry instructions\n", all);
    for (const auto& [ms, k] : rows) std::fprintf(stderr, "  %-40s %8ld x %10.2f ms %5.1f%%\n", k.c_str(), static_cast<long>(totals_[k].second), ms, 100 * ms / all);
  }
  std::mutex mutex_;
  std::map<std::string, std::pair<double, long>> totals_;
};

std::string ProfileKind(const Instr& in) {
  if (in.op == Op::kConvolution) return std::string("convolution (") + (in.dnnl_conv ? ConvolutionRole(*in.dnnl_conv) : "generic") + ")";
  if (in.fusion != nullptr) return "fusion into " + in.opcode;
  return in.opcode;
}

constexpr int64_t kGrain = 1 << 14;  // elements per thread below which one thread is faster

class Interpreter {
 public:
  Interpreter(const Program& program, int replica, CollectiveHub* hub) : program_(program), replica_(replica), hub_(hub) {}

  Value Run(int comp_index, std::vector<Value> args) {
    const Computation& comp = program_.computations[comp_index];
    std::vector<Value> vals(comp.instrs.size());
    OpProfile* profile = comp_index == program_.entry ? OpProfile::Get() : nullptr;
    for (int i = 0; i < static_cast<int>(comp.instrs.size()); i++) {
      const Instr& in = comp.instrs[i];
      if (in.fused_away) continue;
      if (profile != nullptr) {
        auto start = std::chrono::steady_clock::now();
        vals[i] = Eval(in, vals, args);
        profile->Add(ProfileKind(in), std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
      } else {
        vals[i] = Eval(in, vals, args);
      }
      for (int o : in.operands) {
        if (comp.instrs[o].last_use == i) vals[o] = Value{};
      }
    }
    return vals[comp.root];
  }

 private:
  Buf New(const Shape& shape) { return DeviceBuffer::Allocate(shape.array); }

  Value Arr(Buf b) { Value v; v.array = std::move(b); return v; }

  // Kernels that may leave output elements unwritten (empty contractions, generic convolution,
  // padding holes) get zeroed memory; every other kernel writes each element.
  static bool NeedsZeroedOutput(const Instr& in) {
    switch (in.op) {
      case Op::kDot: case Op::kPad: case Op::kConcatenate: case Op::kAllReduce: return true;
      case Op::kConvolution: return in.dnnl_conv == nullptr;
      default: return false;
    }
  }

  Value Eval(const Instr& in, std::vector<Value>& vals, std::vector<Value>& args) {
    auto x = [&](size_t i) -> const Buf& { return vals[in.operands[i]].array; };
    switch (in.op) {
      case Op::kParameter: return args.at(in.parameter_number);
      case Op::kConstant: return Arr(in.literal);
      case Op::kTuple: {
        Value t;
        t.is_tuple = true;
        for (int o : in.operands) t.tuple.push_back(vals[o]);
        return t;
      }
      case Op::kGetTupleElement: return vals[in.operands[0]].tuple.at(in.tuple_index);
      default: break;
    }
    Buf out = in.shape.tuple ? nullptr : NeedsZeroedOutput(in) ? New(in.shape) : DeviceBuffer::AllocateUninitialized(in.shape.array);
    const ArrayShape& os = in.shape.array;
    const int64_t n = in.shape.tuple ? 0 : os.ElementCount();
    if (in.fusion != nullptr) {
      const Fusion& f = *in.fusion;
      std::vector<const void*> inputs(f.inputs.size());
      for (size_t k = 0; k < inputs.size(); k++) inputs[k] = x(k)->data();
      if (in.op == Op::kReduce) {
        RunFusedReduce(f, inputs, in.dims, *P<float>(x(f.inputs.size())), in.simple_reducer, P<float>(out));
      } else {
        RunFusion(f, inputs, out->data());
      }
      return Arr(out);
    }
    switch (in.op) {
      case Op::kIota: {
        auto strides = kernels::RowMajorStrides(os.dims);
        int64_t d = in.dims[0];
        Dispatch(os.type, [&](auto t) {
          using T = decltype(t);
          for (int64_t i = 0; i < n; i++) P<T>(out)[i] = static_cast<T>((i / strides[d]) % os.dims[d]);
        });
        break;
      }
      case Op::kReshape: case Op::kCopy:
        std::memcpy(out->data(), x(0)->data(), out->size_bytes());
        break;
      case Op::kBroadcast: Broadcast(in, *x(0), out); break;
      case Op::kTranspose: Transpose(in, x(0), out); break;
      case Op::kConvert: Convert(x(0), out); break;
      case Op::kSlice: Slice(in, x(0), out); break;
      case Op::kPad: Pad(in, x(0), x(1), out); break;
      case Op::kConcatenate: Concatenate(in, vals, out); break;
      case Op::kAdd: case Op::kSubtract: case Op::kMultiply: case Op::kDivide: case Op::kMaximum: case Op::kMinimum:
      case Op::kPower: case Op::kAnd: case Op::kOr: case Op::kXor:
        Dispatch(os.type, [&](auto t) {
          using T = decltype(t);
          const T* a = P<T>(x(0));
          const T* b = P<T>(x(1));
          T* o = P<T>(out);
          const Op op = in.op;
          kernels::ParallelFor(n, kGrain, [&](int64_t begin, int64_t end) {
            switch (op) {
              case Op::kAdd: for (int64_t i = begin; i < end; i++) o[i] = static_cast<T>(a[i] + b[i]); break;
              case Op::kMultiply: for (int64_t i = begin; i < end; i++) o[i] = static_cast<T>(a[i] * b[i]); break;
              case Op::kSubtract: for (int64_t i = begin; i < end; i++) o[i] = static_cast<T>(a[i] - b[i]); break;
              default: for (int64_t i = begin; i < end; i++) o[i] = Apply<T>(op, a[i], b[i]);
            }
          });
        });
        break;
      case Op::kNegate: case Op::kAbs: case Op::kSign: case Op::kExp: case Op::kLog: case Op::kSqrt: case Op::kRsqrt:
      case Op::kTanh: case Op::kNot:
        Dispatch(os.type, [&](auto t) {
          using T = decltype(t);
          const T* a = P<T>(x(0));
          T* o = P<T>(out);
          kernels::ParallelFor(n, kGrain, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; i++) o[i] = ApplyUnary<T>(in.op, a[i], os.type);
          });
        });
        break;
      case Op::kCompare: Compare(in, x(0), x(1), out); break;
      case Op::kSelect:
        Dispatch(os.type, [&](auto t) {
          using T = decltype(t);
          const uint8_t* p = P<uint8_t>(x(0));
          const T* a = P<T>(x(1));
          const T* b = P<T>(x(2));
          T* o = P<T>(out);
          kernels::ParallelFor(n, kGrain, [&](int64_t begin, int64_t end) {
            for (int64_t i = begin; i < end; i++) o[i] = p[i] ? a[i] : b[i];
          });
        });
        break;
      case Op::kClamp:
        Dispatch(os.type, [&](auto t) {
          using T = decltype(t);
          const bool lo_scalar = x(0)->shape().dims.empty(), hi_scalar = x(2)->shape().dims.empty();
          for (int64_t i = 0; i < n; i++) {
            T lo = P<T>(x(0))[lo_scalar ? 0 : i], hi = P<T>(x(2))[hi_scalar ? 0 : i], v = P<T>(x(1))[i];
            P<T>(out)[i] = std::min(std::max(v, lo), hi);
          }
        });
        break;
      case Op::kDot: Dot(in, x(0), x(1), out); break;
      case Op::kConvolution: Convolution(in, x(0), x(1), out); break;
      case Op::kReduce: Reduce(in, x(0), x(1), out); break;
      case Op::kReduceWindow: ReduceWindow(in, x(0), x(1), out); break;
      case Op::kSelectAndScatter: SelectAndScatter(in, x(0), x(1), x(2), out); break;
      case Op::kRngBitGenerator: return RngBitGenerator(in, x(0));
      case Op::kAllReduce: {
        std::vector<double> values(static_cast<size_t>(n));
        Dispatch(os.type, [&](auto t) {
          using T = decltype(t);
          for (int64_t i = 0; i < n; i++) values[i] = static_cast<double>(P<T>(x(0))[i]);
          HubAllReduceSum(hub_, values);
          for (int64_t i = 0; i < n; i++) P<T>(out)[i] = static_cast<T>(values[i]);
        });
        break;
      }
      default:
        throw EngineError(ErrorCode::kUnimplemented, "opcode '" + in.opcode + "' cannot run");
    }
    return Arr(out);
  }

  void Broadcast(const Instr& in, const DeviceBuffer& src, Buf& out) {
    const auto& od = out->shape().dims;
    auto ss = kernels::RowMajorStrides(src.shape().dims);
    std::vector<int64_t> strides(od.size(), 0);
    for (size_t k = 0; k < in.dims.size(); k++) strides[in.dims[k]] = ss[k];
    kernels::StridedCopy(src.data(), out->data(), od, strides, 0, ElementSize(src.shape().type));
  }

  void Transpose(const Instr& in, const Buf& src, Buf& out) {
    auto ss = kernels::RowMajorStrides(src->shape().dims);
    const auto& od = out->shape().dims;
    std::vector<int64_t> strides(od.size());
    for (size_t k = 0; k < od.size(); k++) strides[k] = ss[in.dims[k]];
    kernels::StridedCopy(src->data(), out->data(), od, strides, 0, ElementSize(src->shape().type));
  }

  void Convert(const Buf& src, Buf& out) {
    int64_t n = out->shape().ElementCount();
    bool to_pred = out->shape().type == ElementType::kPred;
    Dispatch(src->shape().type, [&](auto s) {
      using S = decltype(s);
      Dispatch(out->shape().type, [&](auto d) {
        using D = decltype(d);
        for (int64_t i = 0; i < n; i++) {
          S v = P<S>(src)[i];
          if (to_pred) {
            P<D>(out)[i] = static_cast<D>(v != 0);
          } else if constexpr (std::is_integral_v<D> && std::is_floating_point_v<S>) {
            // Out-of-range and NaN float-to-int conversions saturate instead of being undefined.
            double x = std::isnan(static_cast<double>(v)) ? 0.0 : static_cast<double>(v);
            // Compare before converting: double(INT64_MAX) rounds up to 2^63, itself out of range.
            if (x >= static_cast<double>(std::numeric_limits<D>::max())) P<D>(out)[i] = std::numeric_limits<D>::max();
            else if (x <= static_cast<double>(std::numeric_limits<D>::lowest())) P<D>(out)[i] = std::numeric_limits<D>::lowest();
            else P<D>(out)[i] = static_cast<D>(x);
          } else {
            P<D>(out)[i] = static_cast<D>(v);
          }
        }
      });
    });
  }

  void Slice(const Instr& in, const Buf& src, Buf& out) {
    auto ss = kernels::RowMajorStrides(src->shape().dims);
    const auto& od = out->shape().dims;
    std::vector<int64_t> strides(od.size());
    int64_t base = 0;
    for (size_t k = 0; k < od.size(); k++) {
      strides[k] = ss[k] * in.slice[k][2];
      base += in.slice[k][0] * ss[k];
    }
    kernels::StridedCopy(src->data(), out->data(), od, strides, base, ElementSize(src->shape().type));
  }

  void Pad(const Instr& in, const Buf& src, const Buf& value, Buf& out) {
    size_t bytes = ElementSize(src->shape().type);
    int64_t n = out->shape().ElementCount();
    auto* o = static_cast<uint8_t*>(out->data());
    for (int64_t i = 0; i < n; i++) std::memcpy(o + i * bytes, value->data(), bytes);
    const auto& sd = src->shape().dims;
    auto os = kernels::RowMajorStrides(out->shape().dims);
    std::vector<int64_t> idx(sd.size(), 0);
    int64_t m = src->shape().ElementCount();
    for (int64_t i = 0; i < m; i++) {
      int64_t off = 0;
      bool inside = true;
      for (size_t k = 0; k < sd.size(); k++) {
        int64_t p = in.padding[k][0] + idx[k] * (in.padding[k][2] + 1);
        if (p < 0 || p >= out->shape().dims[k]) { inside = false; break; }
        off += p * os[k];
      }
      if (inside) std::memcpy(o + off * bytes, static_cast<const uint8_t*>(src->data()) + i * bytes, bytes);
      Next(idx, sd);
    }
  }

  void Concatenate(const Instr& in, std::vector<Value>& vals, Buf& out) {
    const auto& od = out->shape().dims;
    int64_t axis = in.dims[0];
    size_t bytes = ElementSize(out->shape().type);
    int64_t outer = 1, inner = static_cast<int64_t>(bytes);
    for (int64_t d = 0; d < axis; d++) outer *= od[d];
    for (size_t d = axis + 1; d < od.size(); d++) inner *= od[d];
    int64_t row = od[axis] * inner, at = 0;
    for (int o : in.operands) {
      const Buf& b = vals[o].array;
      int64_t chunk = b->shape().dims[axis] * inner;
      for (int64_t r = 0; r < outer; r++)
        std::memcpy(static_cast<uint8_t*>(out->data()) + r * row + at, static_cast<const uint8_t*>(b->data()) + r * chunk, chunk);
      at += chunk;
    }
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

  void Dot(const Instr& in, const Buf& lhs, const Buf& rhs, Buf& out) {
    const auto& ld = lhs->shape().dims;
    const auto& rd = rhs->shape().dims;
    const auto& dn = in.dot;
    // Plain [M,K] x [K,N] in f32: oneDNN's sgemm.
    if (lhs->shape().type == ElementType::kF32 && ld.size() == 2 && rd.size() == 2 && dn.lhs_batch.empty() &&
        dn.lhs_contract.size() == 1 && dn.rhs_contract.size() == 1) {
      int64_t M = ld[1 - dn.lhs_contract[0]], K = ld[dn.lhs_contract[0]], N = rd[1 - dn.rhs_contract[0]];
      char ta = dn.lhs_contract[0] == 1 ? 'N' : 'T';
      char tb = dn.rhs_contract[0] == 0 ? 'N' : 'T';
      if (M > 0 && N > 0 && K > 0 && M * N * K <= (int64_t{1} << 18)) {
        // Small products (the classifier of a narrow model): sgemm's per-call setup costs more
        // than the arithmetic.
        const float* A = P<float>(lhs);
        const float* B = P<float>(rhs);
        float* C = P<float>(out);
        const int64_t ai = ta == 'N' ? K : 1, ak = ta == 'N' ? 1 : M, bk = tb == 'N' ? N : 1, bj = tb == 'N' ? 1 : K;
        std::fill(C, C + M * N, 0.0f);
        for (int64_t i = 0; i < M; i++)
          for (int64_t k = 0; k < K; k++) {
            const float a = A[i * ai + k * ak];
            for (int64_t j = 0; j < N; j++) C[i * N + j] += a * B[k * bk + j * bj];
          }
        return;
      }
      if (M > 0 && N > 0 && K > 0) {
        if (dnnl_sgemm(ta, tb, M, N, K, 1.0f, P<float>(lhs), ta == 'N' ? K : M, P<float>(rhs), tb == 'N' ? N : K, 0.0f, P<float>(out), N) != dnnl_success)
          throw EngineError(ErrorCode::kInternal, "dnnl_sgemm failed in '" + in.name + "'");
      }
      return;
    }
    auto ls = kernels::RowMajorStrides(ld), rs = kernels::RowMajorStrides(rd);
    std::vector<int64_t> lfree, rfree;
    for (size_t i = 0; i < ld.size(); i++)
      if (std::find(dn.lhs_batch.begin(), dn.lhs_batch.end(), static_cast<int64_t>(i)) == dn.lhs_batch.end() &&
          std::find(dn.lhs_contract.begin(), dn.lhs_contract.end(), static_cast<int64_t>(i)) == dn.lhs_contract.end()) lfree.push_back(i);
    for (size_t i = 0; i < rd.size(); i++)
      if (std::find(dn.rhs_batch.begin(), dn.rhs_batch.end(), static_cast<int64_t>(i)) == dn.rhs_batch.end() &&
          std::find(dn.rhs_contract.begin(), dn.rhs_contract.end(), static_cast<int64_t>(i)) == dn.rhs_contract.end()) rfree.push_back(i);
    // Offsets of every contracting multi-index, once.
    std::vector<int64_t> kdims;
    for (int64_t d : dn.lhs_contract) kdims.push_back(ld[d]);
    std::vector<int64_t> loff, roff;
    {
      std::vector<int64_t> k(kdims.size(), 0);
      int64_t count = 1;
      for (int64_t d : kdims) count *= d;
      for (int64_t c = 0; c < count; c++) {
        int64_t lo = 0, ro = 0;
        for (size_t j = 0; j < k.size(); j++) { lo += k[j] * ls[dn.lhs_contract[j]]; ro += k[j] * rs[dn.rhs_contract[j]]; }
        loff.push_back(lo);
        roff.push_back(ro);
        Next(k, kdims);
      }
    }
    const auto& od = out->shape().dims;
    Dispatch(out->shape().type, [&](auto t) {
      using T = decltype(t);
      std::vector<int64_t> idx(od.size(), 0);
      int64_t n = out->shape().ElementCount();
      for (int64_t i = 0; i < n; i++) {
        int64_t lb = 0, rb = 0, at = 0;
        for (size_t j = 0; j < dn.lhs_batch.size(); j++, at++) { lb += idx[at] * ls[dn.lhs_batch[j]]; rb += idx[at] * rs[dn.rhs_batch[j]]; }
        for (int64_t d : lfree) lb += idx[at++] * ls[d];
        for (int64_t d : rfree) rb += idx[at++] * rs[d];
        T acc = 0;
        const T* a = P<T>(lhs) + lb;
        const T* b = P<T>(rhs) + rb;
        for (size_t c = 0; c < loff.size(); c++) acc += a[loff[c]] * b[roff[c]];
        P<T>(out)[i] = acc;
        Next(idx, od);
      }
    });
  }

  // Every form XLA uses, gradients included: padding, strides, lhs (base) and rhs (window)
  // dilation, window reversal, feature groups and batch groups.
  void Convolution(const Instr& in, const Buf& lhs, const Buf& rhs, Buf& out) {
    if (in.dnnl_conv != nullptr) {
      RunConvolution(*in.dnnl_conv, lhs->data(), rhs->data(), out->data());
      return;
    }
    if (out->shape().type == ElementType::kF32 && in.feature_groups == 1 && in.batch_groups == 1) {
      ConvolutionGemm(in, lhs, rhs, out);
      return;
    }
    const auto& c = in.conv;
    const auto& ld = lhs->shape().dims;
    const auto& kd = rhs->shape().dims;
    const auto& od = out->shape().dims;
    auto ls = kernels::RowMajorStrides(ld), ks = kernels::RowMajorStrides(kd), os = kernels::RowMajorStrides(od);
    size_t sp = c.in_spatial.size();
    int64_t out_n = od[c.out_batch], of_total = od[c.out_feature];
    int64_t if_per_group = kd[c.k_in];
    int64_t of_per_fgroup = of_total / in.feature_groups;
    int64_t of_per_bgroup = of_total / in.batch_groups;
    std::vector<int64_t> kspatial(sp), ospatial(sp);
    for (size_t s = 0; s < sp; s++) { kspatial[s] = kd[c.k_spatial[s]]; ospatial[s] = od[c.out_spatial[s]]; }
    Dispatch(out->shape().type, [&](auto t) {
      using T = decltype(t);
      const T* L = P<T>(lhs);
      const T* K = P<T>(rhs);
      T* O = P<T>(out);
      std::vector<int64_t> opos(sp, 0), kpos(sp, 0);
      for (int64_t n = 0; n < out_n; n++) {
        for (int64_t of = 0; of < of_total; of++) {
          int64_t g = of / of_per_fgroup;
          int64_t in_n = in.batch_groups > 1 ? (of / of_per_bgroup) * out_n + n : n;
          std::fill(opos.begin(), opos.end(), 0);
          do {
            T acc = 0;
            std::fill(kpos.begin(), kpos.end(), 0);
            do {
              int64_t loff = in_n * ls[c.in_batch], koff = of * ks[c.k_out];
              bool inside = true;
              for (size_t s = 0; s < sp && inside; s++) {
                const WindowDim& w = in.window[s];
                int64_t p = opos[s] * w.stride + kpos[s] * w.window_dilation - w.pad_lo;
                if (p < 0 || p % w.base_dilation != 0) { inside = false; break; }
                p /= w.base_dilation;
                if (p >= ld[c.in_spatial[s]]) { inside = false; break; }
                loff += p * ls[c.in_spatial[s]];
                int64_t kk = w.reversal ? w.size - 1 - kpos[s] : kpos[s];
                koff += kk * ks[c.k_spatial[s]];
              }
              if (inside) {
                for (int64_t i = 0; i < if_per_group; i++)
                  acc += L[loff + (g * if_per_group + i) * ls[c.in_feature]] * K[koff + i * ks[c.k_in]];
              }
            } while (Next(kpos, kspatial));
            int64_t ooff = n * os[c.out_batch] + of * os[c.out_feature];
            for (size_t s = 0; s < sp; s++) ooff += opos[s] * os[c.out_spatial[s]];
            O[ooff] = acc;
          } while (!ospatial.empty() && Next(opos, ospatial));
        }
      }
    });
  }

  // Ungrouped f32 convolution as im2col + sgemm, for any dimension numbers, padding, dilation,
  // stride and window reversal (so forward, input-gradient and weight-gradient convolutions all
  // take it): per output batch, gather the input windows into a [IF*KS, OS] matrix and multiply
  // by the kernel as [OF, IF*KS].
  void ConvolutionGemm(const Instr& in, const Buf& lhs, const Buf& rhs, Buf& out) {
    const auto& c = in.conv;
    const auto& ld = lhs->shape().dims;
    const auto& kd = rhs->shape().dims;
    const auto& od = out->shape().dims;
    auto ls = kernels::RowMajorStrides(ld), ks = kernels::RowMajorStrides(kd), os = kernels::RowMajorStrides(od);
    const size_t sp = c.in_spatial.size();
    const int64_t IF = kd[c.k_in], OF = od[c.out_feature], N = od[c.out_batch];
    std::vector<int64_t> kspatial(sp), ospatial(sp);
    int64_t KS = 1, OS = 1;
    for (size_t s = 0; s < sp; s++) {
      kspatial[s] = kd[c.k_spatial[s]];
      ospatial[s] = od[c.out_spatial[s]];
      KS *= kspatial[s];
      OS *= ospatial[s];
    }
    if (N == 0 || OF == 0 || OS == 0) return;
    const float* L = P<float>(lhs);
    const float* K = P<float>(rhs);
    float* O = P<float>(out);
    // Kernel as [OF, IF*KS], with window reversal applied.
    std::vector<float> wm(static_cast<size_t>(OF * IF * KS));
    std::vector<int64_t> kpos(sp, 0), opos(sp, 0);
    for (int64_t k = 0; k < KS; k++) {
      int64_t koff = 0;
      for (size_t s = 0; s < sp; s++) koff += (in.window[s].reversal ? in.window[s].size - 1 - kpos[s] : kpos[s]) * ks[c.k_spatial[s]];
      for (int64_t o = 0; o < OF; o++)
        for (int64_t i = 0; i < IF; i++) wm[static_cast<size_t>(o * IF * KS + i * KS + k)] = K[koff + o * ks[c.k_out] + i * ks[c.k_in]];
      Next(kpos, kspatial);
    }
    // For each (window position, output position): the input spatial offset, or -1 for padding.
    std::vector<int64_t> where(static_cast<size_t>(KS * OS));
    std::vector<int64_t> oofs(static_cast<size_t>(OS));
    std::fill(kpos.begin(), kpos.end(), 0);
    for (int64_t k = 0; k < KS; k++) {
      std::fill(opos.begin(), opos.end(), 0);
      for (int64_t o = 0; o < OS; o++) {
        int64_t off = 0;
        for (size_t s = 0; s < sp && off >= 0; s++) {
          const WindowDim& w = in.window[s];
          int64_t p = opos[s] * w.stride + kpos[s] * w.window_dilation - w.pad_lo;
          if (p < 0 || p % w.base_dilation != 0 || p / w.base_dilation >= ld[c.in_spatial[s]]) off = -1;
          else off += (p / w.base_dilation) * ls[c.in_spatial[s]];
        }
        where[static_cast<size_t>(k * OS + o)] = off;
        if (k == 0) {
          int64_t oo = 0;
          for (size_t s = 0; s < sp; s++) oo += opos[s] * os[c.out_spatial[s]];
          oofs[static_cast<size_t>(o)] = oo;
        }
        Next(opos, ospatial);
      }
      Next(kpos, kspatial);
    }
    std::vector<float> col(static_cast<size_t>(IF * KS * OS));
    std::vector<float> result(static_cast<size_t>(OF * OS));
    for (int64_t n = 0; n < N; n++) {
      for (int64_t i = 0; i < IF; i++) {
        const float* base = L + n * ls[c.in_batch] + i * ls[c.in_feature];
        float* row = col.data() + i * KS * OS;
        for (int64_t k = 0; k < KS * OS; k++) {
          int64_t off = where[static_cast<size_t>(k)];
          row[k] = off >= 0 ? base[off] : 0.0f;
        }
      }
      if (dnnl_sgemm('N', 'N', OF, OS, IF * KS, 1.0f, wm.data(), IF * KS, col.data(), OS, 0.0f, result.data(), OS) != dnnl_success)
        throw EngineError(ErrorCode::kInternal, "dnnl_sgemm failed in '" + in.name + "'");
      for (int64_t o = 0; o < OF; o++) {
        float* dst = O + n * os[c.out_batch] + o * os[c.out_feature];
        const float* src = result.data() + o * OS;
        for (int64_t q = 0; q < OS; q++) dst[oofs[static_cast<size_t>(q)]] = src[q];
      }
    }
  }

  // A reducer either known to be one binary op, or interpreted on scalars.
  template <typename T>
  std::function<T(T, T)> Reducer(const Instr& in, int which = 0) {
    if (which == 0 && in.has_simple_reducer) {
      Op op = in.simple_reducer;
      return [op](T a, T b) { return Apply<T>(op, a, b); };
    }
    int comp = in.called[which];
    ElementType type = program_.computations[comp].params[0].array.type;
    return [this, comp, type](T a, T b) {
      return ScalarCall<T>(comp, type, a, b);
    };
  }

  template <typename T, typename R = T>
  R ScalarCall(int comp, ElementType type, T a, T b) {
    ArrayShape scalar{type, {}};
    Value va, vb;
    va.array = DeviceBuffer::Allocate(scalar);
    vb.array = DeviceBuffer::Allocate(scalar);
    *P<T>(va.array) = a;
    *P<T>(vb.array) = b;
    Value r = Run(comp, {va, vb});
    return *P<R>(r.array);
  }

  static bool FastReducer(const Instr& in, kernels::Reducer& r) {
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
  static bool FastType(ElementType type, F&& body) {
    switch (type) {
      case ElementType::kF32: body(float{}); return true;
      case ElementType::kF64: body(double{}); return true;
      case ElementType::kS32: body(int32_t{}); return true;
      case ElementType::kS64: body(int64_t{}); return true;
      default: return false;
    }
  }

  // The window as a 2-D pooling window over the two minor dimensions, if it is one.
  static bool AsWindow2D(const Instr& in, const std::vector<int64_t>& operand, const std::vector<int64_t>& result, kernels::Window2D& w) {
    size_t rank = operand.size();
    if (rank < 2 || in.window.size() != rank) return false;
    for (size_t d = 0; d < rank; d++) {
      const WindowDim& wd = in.window[d];
      if (wd.window_dilation != 1 || wd.base_dilation != 1 || wd.pad_lo < 0 || wd.pad_hi < 0) return false;
      if (d + 2 < rank) {
        if (wd.size != 1 || wd.stride != 1 || wd.pad_lo != 0 || wd.pad_hi != 0) return false;
        w.outer *= operand[d];
      }
    }
    const WindowDim& h = in.window[rank - 2];
    const WindowDim& c = in.window[rank - 1];
    w.in_h = operand[rank - 2];
    w.in_w = operand[rank - 1];
    w.out_h = result[rank - 2];
    w.out_w = result[rank - 1];
    w.size_h = h.size;
    w.size_w = c.size;
    w.stride_h = h.stride;
    w.stride_w = c.stride;
    w.pad_h = h.pad_lo;
    w.pad_w = c.pad_lo;
    return true;
  }

  void Reduce(const Instr& in, const Buf& src, const Buf& init, Buf& out) {
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

  void ReduceWindow(const Instr& in, const Buf& src, const Buf& init, Buf& out) {
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

  void SelectAndScatter(const Instr& in, const Buf& operand, const Buf& source, const Buf& init, Buf& out) {
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
      if (in.has_simple_reducer) scatter = [op = in.simple_reducer](T a, T b) { return Apply<T>(op, a, b); };
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

  static uint64_t SplitMix(uint64_t z) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

  // Counter-based bits: element i of a call is SplitMix(key ^ SplitMix(counter + i)), with the
  // key in state[0] and the counter in state[1]; the new state advances the counter past them.
  Value RngBitGenerator(const Instr& in, const Buf& state) {
    const Shape& bits_shape = in.shape.elements[1];
    Buf new_state = DeviceBuffer::Allocate(state->shape());
    Buf bits = DeviceBuffer::Allocate(bits_shape.array);
    const uint64_t* s = P<uint64_t>(state);
    uint64_t key = s[0];
    uint64_t counter = state->shape().dims[0] > 1 ? s[1] : 0;
    int64_t n = bits_shape.array.ElementCount();
    for (int64_t i = 0; i < n; i++) {
      uint64_t v = SplitMix(key ^ SplitMix(counter + static_cast<uint64_t>(i)));
      if (bits_shape.array.type == ElementType::kU32) P<uint32_t>(bits)[i] = static_cast<uint32_t>(v >> 32);
      else P<uint64_t>(bits)[i] = v;
    }
    std::memcpy(new_state->data(), state->data(), state->size_bytes());
    if (state->shape().dims[0] > 1) P<uint64_t>(new_state)[1] = counter + static_cast<uint64_t>(n);
    else P<uint64_t>(new_state)[0] = SplitMix(key);
    Value t;
    t.is_tuple = true;
    t.tuple = {Arr(new_state), Arr(bits)};
    return t;
  }

  const Program& program_;
  int replica_;
  CollectiveHub* hub_;
};

}  // namespace

std::vector<std::shared_ptr<DeviceBuffer>> RunProgram(const Program& program, const std::vector<std::shared_ptr<DeviceBuffer>>& arguments,
                                                      int replica_id, CollectiveHub* hub) {
  std::vector<Value> args;
  for (const auto& a : arguments) {
    Value v;
    v.array = a;
    args.push_back(v);
  }
  Value result = Interpreter(program, replica_id, hub).Run(program.entry, std::move(args));
  std::vector<std::shared_ptr<DeviceBuffer>> outputs;
  if (result.is_tuple) {
    for (auto& e : result.tuple) outputs.push_back(e.array);
  } else {
    outputs.push_back(result.array);
  }
  return outputs;
}

std::string ProgramText(const Program& program) {
  std::string text = "HloModule " + program.name + "\n";
  for (size_t c = 0; c < program.computations.size(); c++) {
    const Computation& comp = program.computations[c];
    text += "\n" + std::string(static_cast<int>(c) == program.entry ? "ENTRY " : "") + "%" + comp.name + " {\n";
    for (size_t i = 0; i < comp.instrs.size(); i++) {
      const Instr& in = comp.instrs[i];
      if (in.fused_away) continue;
      text += std::string("  ") + (static_cast<int>(i) == comp.root ? "ROOT " : "") + "%" + in.name + " = " + in.shape.Text() + " " + in.opcode + "(";
      for (size_t o = 0; o < in.operands.size(); o++) text += (o ? ", %" : "%") + comp.instrs[in.operands[o]].name;
      if (in.op == Op::kParameter) text += std::to_string(in.parameter_number);
      text += ")";
      if (in.fusion != nullptr) {
        text += ", fused={";
        for (size_t m = 0; m < in.fusion->members.size(); m++) text += (m ? ", %" : "%") + in.fusion->members[m];
        text += "}";
      }
      if (in.dnnl_conv != nullptr) text += std::string(", onednn=\"") + ConvolutionRole(*in.dnnl_conv) + "\"";
      text += "\n";
    }
    text += "}\n";
  }
  return text;
}

}  // namespace xlaprune::cpu
