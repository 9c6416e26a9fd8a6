#include "kernels.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

namespace xlaprune::cpu::kernels {
namespace {

constexpr int64_t kGrain = 1 << 14;  // elements per thread below which threads cost more than they give

template <typename E>
void CopyRun(const E* src, E* out, int64_t n, int64_t stride) {
  if (stride == 1) {
    std::memcpy(out, src, static_cast<size_t>(n) * sizeof(E));
  } else if (stride == 0) {
    std::fill(out, out + n, *src);
  } else {
    for (int64_t j = 0; j < n; j++) out[j] = src[j * stride];
  }
}

template <typename E>
void StridedCopyTyped(const E* src, E* out, const std::vector<int64_t>& dims, const std::vector<int64_t>& strides) {
  if (dims.empty()) {
    *out = *src;
    return;
  }
  const size_t rank = dims.size();
  const int64_t inner = dims[rank - 1], inner_stride = strides[rank - 1];
  int64_t rows = 1;
  for (size_t d = 0; d + 1 < rank; d++) rows *= dims[d];
  ParallelFor(rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(inner, 1)), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; r++) {
      int64_t off = 0, rest = r;
      for (size_t d = rank - 1; d-- > 0;) {
        off += (rest % dims[d]) * strides[d];
        rest /= dims[d];
      }
      CopyRun(src + off, out + r * inner, inner, inner_stride);
    }
  });
}

// Reduces a run into acc. Additions keep 8 partial sums so the loop vectorises.
template <typename T>
Accumulator<T> ReduceRun(const T* x, int64_t n, int64_t stride, Accumulator<T> acc, Reducer op) {
  using A = Accumulator<T>;
  if (op == Reducer::kAdd && stride == 1 && std::is_floating_point_v<T>) {
    A lanes[8] = {};
    int64_t j = 0;
    for (; j + 8 <= n; j += 8)
      for (int l = 0; l < 8; l++) lanes[l] += static_cast<A>(x[j + l]);
    A sum = 0;
    for (int l = 0; l < 8; l++) sum += lanes[l];
    for (; j < n; j++) sum += static_cast<A>(x[j]);
    return acc + sum;
  }
  for (int64_t j = 0; j < n; j++) acc = Combine<A>(op, acc, static_cast<A>(x[j * stride]));
  return acc;
}

}  // namespace

void StridedCopy(const void* src, void* out, std::vector<int64_t> dims, std::vector<int64_t> strides, int64_t base, size_t element_size) {
  for (int64_t d : dims) {
    if (d == 0) return;
  }
  Simplify(dims, strides);
  switch (element_size) {
    case 1: StridedCopyTyped(static_cast<const uint8_t*>(src) + base, static_cast<uint8_t*>(out), dims, strides); break;
    case 2: StridedCopyTyped(static_cast<const uint16_t*>(src) + base, static_cast<uint16_t*>(out), dims, strides); break;
    case 4: StridedCopyTyped(static_cast<const uint32_t*>(src) + base, static_cast<uint32_t*>(out), dims, strides); break;
    default: StridedCopyTyped(static_cast<const uint64_t*>(src) + base, static_cast<uint64_t*>(out), dims, strides); break;
  }
}

template <typename T>
void Reduce(const T* src, T* out, const std::vector<int64_t>& src_dims, const std::vector<int64_t>& reduced, T init, Reducer op) {
  int64_t rows = 0, width = 0;
  if (AsLeadingReduction(src_dims, reduced, rows, width)) {
    // Per output, the runs would stride through memory `width` elements apart: read rows instead.
    ReduceLeading<T>(rows, width, out, init, op, kGrain, [src](int64_t start, int64_t) { return src + start; });
    return;
  }
  ReduceRuns<T>(src_dims, reduced, out, init, [&](Accumulator<T> acc, int64_t offset, int64_t length, int64_t stride) { return ReduceRun(src + offset, length, stride, acc, op); });
}

template <typename T>
Accumulator<T> ReduceContiguous(const T* x, int64_t n, Accumulator<T> acc, Reducer op) {
  return ReduceRun(x, n, 1, acc, op);
}

// Calls body(c) with the channel count of a window: a compile-time 1 for channels-first arrays,
// so their loops over channels vanish and accumulators stay in registers.
using OneChannel = std::integral_constant<int64_t, 1>;

template <typename F>
void WithChannels(int64_t inner, F&& body) {
  if (inner == 1) body(OneChannel{});
  else body(inner);
}

// Per-channel scratch of a window kernel: on the stack for one channel, on the heap otherwise.
template <typename E, typename C>
auto ChannelScratch(C c) {
  if constexpr (std::is_same_v<C, OneChannel>) return std::array<E, 1>{};
  else return std::vector<E>(static_cast<size_t>(c));
}

// Calls visit(position) for every in-bounds position (h * in_w + col) of output (oh, ow)'s window,
// in row-major window order.
template <typename F>
inline void ForWindowPositions(const Window2D& w, int64_t oh, int64_t ow, F&& visit) {
  for (int64_t kh = 0; kh < w.size_h; kh++) {
    const int64_t h = oh * w.stride_h + kh - w.pad_h;
    if (h < 0 || h >= w.in_h) continue;
    for (int64_t kw = 0; kw < w.size_w; kw++) {
      const int64_t col = ow * w.stride_w + kw - w.pad_w;
      if (col >= 0 && col < w.in_w) visit(h * w.in_w + col);
    }
  }
}

// Channels-first windows reduce scalars; channels-last ones reduce rows of `inner` contiguous
// channels at once.
template <typename T>
void ReduceWindow2D(const T* src, T* out, const Window2D& w, T init, Reducer reducer) {
  WithReducer(reducer, [&](auto op) {
    WithChannels(w.inner, [&](auto c) {
      const int64_t in_plane = w.in_h * w.in_w * c, out_plane = w.out_h * w.out_w * c;
      ParallelFor(w.outer, std::max<int64_t>(1, kGrain / std::max<int64_t>(out_plane * w.size_h * w.size_w, 1)), [&](int64_t begin, int64_t end) {
        auto acc = ChannelScratch<T>(c);
        for (int64_t p = begin; p < end; p++) {
          const T* x = src + p * in_plane;
          T* y = out + p * out_plane;
          for (int64_t oh = 0; oh < w.out_h; oh++) {
            for (int64_t ow = 0; ow < w.out_w; ow++) {
              std::fill(acc.begin(), acc.end(), init);
              ForWindowPositions(w, oh, ow, [&](int64_t at) {
                const T* v = x + at * c;
                for (int64_t k = 0; k < c; k++) acc[k] = Combine(op, acc[k], v[k]);
              });
              std::copy(acc.begin(), acc.end(), y + (oh * w.out_w + ow) * c);
            }
          }
        }
      });
    });
  });
}

// For each window, the first position (row-major window order) holding its maximum gets the
// window's source value added; per channel when the array is channels-last. The choice is kept as
// 32-bit window-position indices beside the best values, so the per-channel comparisons vectorise.
template <typename T>
void SelectAndScatter2D(const T* operand, const T* source, T* out, const Window2D& w, T init, bool keep_first_of_ties) {
  const auto run = [&](auto c, auto first_of_ties) {
    const int64_t in_plane = w.in_h * w.in_w * c, src_plane = w.out_h * w.out_w * c;
    // Planes are independent: each thread owns whole planes of the output.
    ParallelFor(w.outer, std::max<int64_t>(1, kGrain / std::max<int64_t>(in_plane, 1)), [&](int64_t begin, int64_t end) {
      // One channel keeps the chosen position itself; several keep which of the window's visited
      // positions (in order) holds each channel's maximum, 32-bit like the values beside them.
      constexpr bool kOne = std::is_same_v<decltype(c), OneChannel>;
      // A window has at most this many in-bounds positions, however large its size (which the
      // program may set far beyond the array): the bound keeps this list within the plane.
      const int64_t most = std::min(w.size_h, w.in_h) * std::min(w.size_w, w.in_w);
      std::vector<int64_t> positions(kOne ? 0 : static_cast<size_t>(most));
      auto pick = ChannelScratch<std::conditional_t<kOne, int64_t, int32_t>>(c);
      auto best = ChannelScratch<T>(c);
      for (int64_t p = begin; p < end; p++) {
        const T* x = operand + p * in_plane;
        const T* s = source + p * src_plane;
        T* y = out + p * in_plane;
        std::fill(y, y + in_plane, init);
        for (int64_t oh = 0; oh < w.out_h; oh++) {
          for (int64_t ow = 0; ow < w.out_w; ow++) {
            int32_t visited = 0;
            ForWindowPositions(w, oh, ow, [&](int64_t position) {
              const T* v = x + position * c;
              const auto id = kOne ? position : static_cast<int64_t>(visited);
              const bool first = visited == 0;
              for (int64_t k = 0; k < c; k++) {
                // Ties: GE keeps the first maximum, GT moves to the last; a NaN is never kept.
                const bool keep = !first && (first_of_ties ? best[k] >= v[k] : best[k] > v[k]);
                best[k] = keep ? best[k] : v[k];
                pick[k] = keep ? pick[k] : static_cast<std::decay_t<decltype(pick[k])>>(id);
              }
              if constexpr (!kOne) positions[static_cast<size_t>(visited)] = position;
              visited++;
            });
            if (visited == 0) continue;
            const T* g = s + (oh * w.out_w + ow) * c;
            for (int64_t k = 0; k < c; k++) {
              const int64_t position = kOne ? static_cast<int64_t>(pick[k]) : positions[static_cast<size_t>(pick[k])];
              T& target = y[position * c + k];
              target = static_cast<T>(target + g[k]);
            }
          }
        }
      }
    });
  };
  WithChannels(w.inner, [&](auto c) {
    if (keep_first_of_ties) run(c, std::true_type{});
    else run(c, std::false_type{});
  });
}

#define XLAPRUNE_INSTANTIATE(T)                                                                                                       \
  template void Reduce<T>(const T*, T*, const std::vector<int64_t>&, const std::vector<int64_t>&, T, Reducer);                       \
  template Accumulator<T> ReduceContiguous<T>(const T*, int64_t, Accumulator<T>, Reducer);                                                                      \
  template void ReduceWindow2D<T>(const T*, T*, const Window2D&, T, Reducer);                                                         \
  template void SelectAndScatter2D<T>(const T*, const T*, T*, const Window2D&, T, bool);
XLAPRUNE_INSTANTIATE(float)
XLAPRUNE_INSTANTIATE(double)
XLAPRUNE_INSTANTIATE(int32_t)
XLAPRUNE_INSTANTIATE(int64_t)
#undef XLAPRUNE_INSTANTIATE

}  // namespace xlaprune::cpu::kernels
