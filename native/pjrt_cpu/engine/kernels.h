// Fast kernels of the CPU engine on raw dense row-major arrays. run.cc decides when a fast
// kernel applies and falls back to its generic loops otherwise.
#pragma once

#include <cmath>
#include <cstddef>
#include <algorithm>
#include <cstdint>
#include <limits>
#include <type_traits>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

// Hot loops are compiled twice, for AVX2 + FMA and for the baseline the library targets, and the
// dynamic loader picks one on the running CPU (GCC function multi-versioning).
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define XLAPRUNE_VECTOR_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define XLAPRUNE_VECTOR_CLONES
#endif

namespace xlaprune::cpu::kernels {

// Splits [0, n) into one contiguous range per thread (none when n < 2 * grain) and calls
// body(begin, end) on each. The body must not throw.
template <typename F>
void ParallelFor(int64_t n, int64_t grain, F&& body) {
#ifdef _OPENMP
  int64_t threads = omp_get_max_threads();
  if (grain > 0 && n / grain < threads) threads = n / grain;
  if (threads > 1 && !omp_in_parallel()) {
#pragma omp parallel num_threads(static_cast<int>(threads))
    {
      int64_t t = omp_get_thread_num(), count = omp_get_num_threads();
      body(n * t / count, n * (t + 1) / count);
    }
    return;
  }
#endif
  if (n > 0) body(int64_t{0}, n);
}

// Element strides of a dense row-major array.
inline std::vector<int64_t> RowMajorStrides(const std::vector<int64_t>& dims) {
  std::vector<int64_t> s(dims.size(), 1);
  for (size_t d = dims.size(); d-- > 1;) s[d - 1] = s[d] * dims[d];
  return s;
}

// Drops size-1 dimensions and merges neighbours that step through memory as one (H and W of a
// row-major NCHW array), so strided loops run over few, long dimensions.
inline void Simplify(std::vector<int64_t>& dims, std::vector<int64_t>& strides) {
  std::vector<int64_t> d, s;
  for (size_t i = 0; i < dims.size(); i++) {
    if (dims[i] == 1) continue;
    if (!d.empty() && s.back() == strides[i] * dims[i]) {
      d.back() *= dims[i];
      s.back() = strides[i];
      continue;
    }
    d.push_back(dims[i]);
    s.push_back(strides[i]);
  }
  dims = std::move(d);
  strides = std::move(s);
}

// out[i] = src[base + sum_d index_d(i) * strides[d]] for i over `dims` row-major: broadcast
// (stride 0), transpose (permuted strides), slice (scaled strides) and copy in one kernel.
void StridedCopy(const void* src, void* out, std::vector<int64_t> dims, std::vector<int64_t> strides, int64_t base, size_t element_size);

enum class Reducer { kAdd, kMax, kMin, kMul };

// One step of a reduction. Max and min propagate NaN, as XLA's do. Written as selects, not
// branches, so a loop over it vectorises when `op` is a compile-time constant (WithReducer).
template <typename T, typename Op>
inline T Combine(Op op, T a, T b) {
  switch (static_cast<Reducer>(op)) {
    case Reducer::kAdd: return static_cast<T>(a + b);
    case Reducer::kMul: return static_cast<T>(a * b);
    case Reducer::kMax:
    case Reducer::kMin: {
      T m = (static_cast<Reducer>(op) == Reducer::kMax ? a > b : a < b) ? a : b;
      if constexpr (std::is_floating_point_v<T>) m = std::isnan(a) || std::isnan(b) ? std::numeric_limits<T>::quiet_NaN() : m;
      return m;
    }
  }
  return a;
}

// Calls body(op) with the reducer as a compile-time constant.
template <typename F>
void WithReducer(Reducer op, F&& body) {
  switch (op) {
    case Reducer::kAdd: body(std::integral_constant<Reducer, Reducer::kAdd>{}); break;
    case Reducer::kMax: body(std::integral_constant<Reducer, Reducer::kMax>{}); break;
    case Reducer::kMin: body(std::integral_constant<Reducer, Reducer::kMin>{}); break;
    case Reducer::kMul: body(std::integral_constant<Reducer, Reducer::kMul>{}); break;
  }
}

// out[o] = reduce over the `reduced` dims of src (dims `src_dims`), starting from init; out is
// in row-major order of the kept dims.
template <typename T>
void Reduce(const T* src, T* out, const std::vector<int64_t>& src_dims, const std::vector<int64_t>& reduced, T init, Reducer op);

// f32 reductions accumulate in f64, so a batch-norm mean over N*H*W values is as accurate as
// the inputs allow (an f32 running sum loses digits with every thousand terms).
template <typename T>
using Accumulator = std::conditional_t<std::is_same_v<T, float>, double, T>;

// Reduces n contiguous elements into acc.
template <typename T>
Accumulator<T> ReduceContiguous(const T* x, int64_t n, Accumulator<T> acc, Reducer op);

// The loop structure of Reduce with the source abstracted: for every output element, calls
// acc = run(acc, offset, length, stride) (acc an Accumulator<T>) once per run of its reduced elements (offsets in the
// row-major index space of src_dims), outputs spread over threads.
template <typename T, typename Run>
void ReduceRuns(std::vector<int64_t> src_dims, const std::vector<int64_t>& reduced, T* out, T init, Run&& run) {
  const size_t rank = src_dims.size();
  const std::vector<int64_t> strides = RowMajorStrides(src_dims);
  std::vector<int64_t> kd, ks, rd, rs;
  for (size_t d = 0; d < rank; d++) {
    bool r = false;
    for (int64_t x : reduced) r = r || x == static_cast<int64_t>(d);
    (r ? rd : kd).push_back(src_dims[d]);
    (r ? rs : ks).push_back(strides[d]);
  }
  int64_t outputs = 1, count = 1;
  for (int64_t d : kd) outputs *= d;
  for (int64_t d : rd) count *= d;
  if (outputs == 0) return;
  std::vector<int64_t> md = rd, ms = rs;
  Simplify(md, ms);
  const int64_t inner = md.empty() ? 1 : md.back(), inner_stride = md.empty() ? 0 : ms.back();
  const int64_t rows = count == 0 ? 0 : count / inner;
  ParallelFor(outputs, std::max<int64_t>(1, (int64_t{1} << 14) / std::max<int64_t>(count, 1)), [&](int64_t begin, int64_t end) {
    for (int64_t o = begin; o < end; o++) {
      int64_t base = 0, rest = o;
      for (size_t d = kd.size(); d-- > 0;) {
        base += (rest % kd[d]) * ks[d];
        rest /= kd[d];
      }
      Accumulator<T> acc = init;
      for (int64_t r = 0; r < rows; r++) {
        int64_t off = base, rr = r;
        for (size_t d = md.empty() ? 0 : md.size() - 1; d-- > 0;) {  // the dims outside the innermost run
          off += (rr % md[d]) * ms[d];
          rr /= md[d];
        }
        acc = run(acc, off, inner, inner_stride);
      }
      out[o] = static_cast<T>(acc);
    }
  });
}

// A reduction that keeps only trailing dimensions, ignoring dimensions of size 1 (a batch-norm
// statistic of a channels-last array: reduce N, H and W, keep C): `rows` rows of `width`
// contiguous elements are reduced element-wise into `width` outputs. False for other reductions,
// for one that keeps nothing (width 1) and for one that reduces nothing.
inline bool AsLeadingReduction(const std::vector<int64_t>& dims, const std::vector<int64_t>& reduced, int64_t& rows, int64_t& width) {
  rows = 1;
  width = 1;
  bool kept_seen = false;
  for (size_t d = 0; d < dims.size(); d++) {
    if (dims[d] == 1) continue;
    const bool r = std::find(reduced.begin(), reduced.end(), static_cast<int64_t>(d)) != reduced.end();
    if (r && kept_seen) return false;
    kept_seen = kept_seen || !r;
    (r ? rows : width) *= dims[d];
  }
  return width > 1 && rows > 1;
}

// The identity of a reducer, so per-thread partial results can start from it.
template <typename A>
A Identity(Reducer op) {
  switch (op) {
    case Reducer::kAdd: return A{0};
    case Reducer::kMul: return A{1};
    case Reducer::kMax: return std::numeric_limits<A>::has_infinity ? -std::numeric_limits<A>::infinity() : std::numeric_limits<A>::lowest();
    case Reducer::kMin: return std::numeric_limits<A>::has_infinity ? std::numeric_limits<A>::infinity() : std::numeric_limits<A>::max();
  }
  return A{0};
}

// out[c] = init combined with every src[r * width + c] (AsLeadingReduction's form). `block(start,
// n)` returns the elements [start, start + n) of the row-major source (n <= max_block). Narrow
// rows (a channel vector) go to a fixed number of row chunks, each reduced on one thread from the
// identity and combined in order; wide rows go to column tiles, each reduced over all rows in
// order. Either way the result does not depend on the thread count, and the scratch stays small.
template <typename T, typename Block>
void ReduceLeading(int64_t rows, int64_t width, T* out, T init, Reducer op, int64_t max_block, Block&& block) {
  using A = Accumulator<T>;
  constexpr int64_t kChunkElements = int64_t{1} << 15, kMaxChunks = 16, kTile = 1024;
  WithReducer(op, [&](auto fixed_op) {
    // acc[0, n) combined with n contiguous source elements.
    const auto add_row = [fixed_op](A* acc, const T* v, int64_t n) {
      for (int64_t c = 0; c < n; c++) acc[c] = Combine<A>(fixed_op, acc[c], static_cast<A>(v[c]));  // vectorises
    };
    const int64_t tile = std::min(kTile, max_block);
    if (width > tile) {
      const int64_t tiles = (width + tile - 1) / tile;
      ParallelFor(tiles, std::max<int64_t>(1, kChunkElements / std::max<int64_t>(rows * tile, 1)), [&](int64_t begin, int64_t end) {
        std::vector<A> acc(static_cast<size_t>(tile));
        for (int64_t t = begin; t < end; t++) {
          const int64_t c0 = t * tile, n = std::min(tile, width - c0);
          std::fill(acc.begin(), acc.end(), static_cast<A>(init));
          for (int64_t r = 0; r < rows; r++) add_row(acc.data(), block(r * width + c0, n), n);
          for (int64_t c = 0; c < n; c++) out[c0 + c] = static_cast<T>(acc[c]);
        }
      });
      return;
    }
    const int64_t chunks = std::clamp<int64_t>(rows * width / kChunkElements, 1, std::min(rows, kMaxChunks));
    const int64_t per_block = max_block / width;  // >= 1: width <= tile <= max_block
    std::vector<A> partial(static_cast<size_t>(chunks * width), Identity<A>(op));
    ParallelFor(chunks, 1, [&](int64_t begin, int64_t end) {
      for (int64_t k = begin; k < end; k++) {
        A* acc = partial.data() + k * width;
        const int64_t r0 = rows * k / chunks, r1 = rows * (k + 1) / chunks;
        for (int64_t r = r0; r < r1; r += per_block) {
          const int64_t n = std::min(per_block, r1 - r);
          const T* v = block(r * width, n * width);
          for (int64_t i = 0; i < n; i++) add_row(acc, v + i * width, width);
        }
      }
    });
    for (int64_t c = 0; c < width; c++) {
      A a = static_cast<A>(init);
      for (int64_t k = 0; k < chunks; k++) a = Combine<A>(fixed_op, a, partial[k * width + c]);
      out[c] = static_cast<T>(a);
    }
  });
}

// A window that moves over two neighbouring dimensions H and W (size 1, stride 1, no padding in
// every other dimension; no dilation): the pooling windows of a CNN, channels-first (H, W minor)
// or channels-last (H, W followed by C).
struct Window2D {
  int64_t outer = 1;  // product of the dimensions before H
  int64_t inner = 1;  // product of the dimensions after W (C of a channels-last array)
  int64_t in_h = 0, in_w = 0, out_h = 0, out_w = 0;
  int64_t size_h = 1, size_w = 1, stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0;
};

template <typename T>
void ReduceWindow2D(const T* src, T* out, const Window2D& w, T init, Reducer op);

// Max-pool gradient: for each source element, the first position of its window holding the
// window's maximum gets it added. Ties: the first (select GE keeps its choice) or the last (GT).
template <typename T>
void SelectAndScatter2D(const T* operand, const T* source, T* out, const Window2D& w, T init, bool keep_first_of_ties);

}  // namespace xlaprune::cpu::kernels
