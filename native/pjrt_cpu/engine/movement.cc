// Data-movement kernels: the result holds operand elements, moved (broadcast, transpose, slice,
// pad, concatenate) or converted to another element type.
#include <cstring>

#include "interpreter.h"
#include "kernels.h"

namespace xlaprune::cpu {

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

}  // namespace xlaprune::cpu
