// Contractions the oneDNN plan does not take: dot (sgemm for plain matrix products, a loop
// otherwise) and convolution (im2col + sgemm for ungrouped f32, a direct loop for the rest).
#include <dnnl.h>

#include <algorithm>

#include "interpreter.h"
#include "kernels.h"

namespace xlaprune::cpu {

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

namespace {

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

}  // namespace

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



}  // namespace xlaprune::cpu
