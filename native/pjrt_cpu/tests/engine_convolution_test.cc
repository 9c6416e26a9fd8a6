// Convolution against naive references: forward NCHW/OIHW with padding and stride, the
// input-gradient form (lhs dilation + window reversal), the kernel-gradient form (swapped
// batch/feature dimension numbers, window dilation), feature groups and batch groups; odd
// channel counts and shapes large enough for blocked or threaded kernels.
#include <array>

#include "engine_test_util.h"

namespace xlaprune::cpu::testing {
namespace {

// A 2-D convolution: operand dims, dimension numbers and window, as in ConvolutionDimensionNumbers.
struct Conv {
  std::vector<int64_t> lhs, rhs;
  int64_t in_b = 0, in_f = 1;
  std::array<int64_t, 2> in_s{2, 3};
  int64_t k_in = 1, k_out = 0;
  std::array<int64_t, 2> k_s{2, 3};
  int64_t out_b = 0, out_f = 1;
  std::array<int64_t, 2> out_s{2, 3};
  std::array<int64_t, 2> stride{1, 1}, pad_lo{0, 0}, pad_hi{0, 0}, lhs_dil{1, 1}, rhs_dil{1, 1};
  std::array<bool, 2> reversal{false, false};
  int64_t feature_groups = 1, batch_groups = 1;

  int64_t OutSpatial(int s) const {
    int64_t in = lhs[in_s[s]], k = rhs[k_s[s]];
    int64_t dilated_in = (in - 1) * lhs_dil[s] + 1;
    int64_t dilated_k = (k - 1) * rhs_dil[s] + 1;
    int64_t padded = dilated_in + pad_lo[s] + pad_hi[s];
    return padded < dilated_k ? 0 : (padded - dilated_k) / stride[s] + 1;
  }

  std::vector<int64_t> Out() const {
    std::vector<int64_t> out(4);
    out[out_b] = lhs[in_b] / batch_groups;
    out[out_f] = rhs[k_out];
    for (int s = 0; s < 2; s++) out[out_s[s]] = OutSpatial(s);
    return out;
  }

  std::string Module() const {
    ModuleBuilder m("conv");
    m.Begin("main");
    int64_t l = m.Parameter(F32(lhs));
    int64_t r = m.Parameter(F32(rhs));
    xla::HloInstructionProto& c = m.Add("convolution", F32(Out()), {l, r});
    auto* d = c.mutable_convolution_dimension_numbers();
    d->set_input_batch_dimension(in_b);
    d->set_input_feature_dimension(in_f);
    d->set_kernel_input_feature_dimension(k_in);
    d->set_kernel_output_feature_dimension(k_out);
    d->set_output_batch_dimension(out_b);
    d->set_output_feature_dimension(out_f);
    for (int s = 0; s < 2; s++) {
      d->add_input_spatial_dimensions(in_s[s]);
      d->add_kernel_spatial_dimensions(k_s[s]);
      d->add_output_spatial_dimensions(out_s[s]);
      auto* w = c.mutable_window()->add_dimensions();
      w->set_size(rhs[k_s[s]]);
      w->set_stride(stride[s]);
      w->set_padding_low(pad_lo[s]);
      w->set_padding_high(pad_hi[s]);
      w->set_base_dilation(lhs_dil[s]);
      w->set_window_dilation(rhs_dil[s]);
      w->set_window_reversal(reversal[s]);
    }
    c.set_feature_group_count(feature_groups);
    c.set_batch_group_count(batch_groups);
    m.End(c.id());
    return m.Serialize();
  }

  // XLA's convolution semantics, written out: output feature `of` belongs to feature group
  // of / (OF / feature_groups) and batch group of / (OF / batch_groups); a batch group reads
  // input batch bg * (N / batch_groups) + n.
  Reference Evaluate(const std::vector<float>& x, const std::vector<float>& k) const {
    std::vector<int64_t> od = Out();
    auto ls = StridesOf(lhs), ks = StridesOf(rhs), os = StridesOf(od);
    int64_t of_total = od[out_f], n_out = od[out_b];
    int64_t kin = rhs[k_in];
    Reference ref{std::vector<double>(Count(od)), std::vector<double>(Count(od))};
    std::vector<int64_t> o(4, 0);
    if (Count(od) == 0) return ref;
    do {
      int64_t of = o[out_f];
      int64_t group = of / (of_total / feature_groups);
      int64_t batch = (of / (of_total / batch_groups)) * n_out + o[out_b];
      double sum = 0, mag = 0;
      for (int64_t i = 0; i < kin; i++) {
        for (int64_t ky = 0; ky < rhs[k_s[0]]; ky++) {
          for (int64_t kx = 0; kx < rhs[k_s[1]]; kx++) {
            std::array<int64_t, 2> kpos{ky, kx}, pos{};
            bool inside = true;
            for (int s = 0; s < 2; s++) {
              int64_t p = o[out_s[s]] * stride[s] + kpos[s] * rhs_dil[s] - pad_lo[s];
              if (p < 0 || p % lhs_dil[s] != 0 || p / lhs_dil[s] >= lhs[in_s[s]]) inside = false;
              pos[s] = p / lhs_dil[s];
            }
            if (!inside) continue;
            int64_t lo = batch * ls[in_b] + (group * kin + i) * ls[in_f] + pos[0] * ls[in_s[0]] + pos[1] * ls[in_s[1]];
            int64_t ky_r = reversal[0] ? rhs[k_s[0]] - 1 - ky : ky;
            int64_t kx_r = reversal[1] ? rhs[k_s[1]] - 1 - kx : kx;
            int64_t ko = of * ks[k_out] + i * ks[k_in] + ky_r * ks[k_s[0]] + kx_r * ks[k_s[1]];
            double t = static_cast<double>(x[lo]) * k[ko];
            sum += t;
            mag += std::fabs(t);
          }
        }
      }
      int64_t at = o[0] * os[0] + o[1] * os[1] + o[2] * os[2] + o[3] * os[3];
      ref.value[at] = sum;
      ref.magnitude[at] = mag;
    } while (NextIndex(o, od));
    return ref;
  }
};

void CheckConv(const Conv& c, uint32_t seed) {
  auto x = Random(Count(c.lhs), seed);
  auto k = Random(Count(c.rhs), seed + 1);
  auto out = CompileAndRun(c.Module(), {F32Buffer(c.lhs, x), F32Buffer(c.rhs, k)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]->shape().dims, c.Out());
  ExpectNear(Values<float>(out[0]), c.Evaluate(x, k));
}

// Plain NCHW x OIHW, 3x3 pad 1 stride 1.
Conv Forward(int64_t n, int64_t ci, int64_t hw, int64_t co, int64_t kk = 3, int64_t pad = 1, int64_t stride = 1) {
  Conv c;
  c.lhs = {n, ci, hw, hw};
  c.rhs = {co, ci, kk, kk};
  c.pad_lo = c.pad_hi = {pad, pad};
  c.stride = {stride, stride};
  return c;
}

TEST(EngineConvolution, ForwardBatch1ThreeChannels7x7) {
  Conv c = Forward(1, 3, 7, 8);
  EXPECT_EQ(c.Out(), (std::vector<int64_t>{1, 8, 7, 7}));
  CheckConv(c, 11);
}

TEST(EngineConvolution, ForwardBatch4Channels37Stride2AsymmetricPadding) {
  Conv c = Forward(4, 37, 16, 5);
  c.stride = {2, 2};
  c.pad_lo = {0, 1};
  c.pad_hi = {1, 0};
  EXPECT_EQ(c.Out(), (std::vector<int64_t>{4, 5, 8, 8}));
  CheckConv(c, 12);
}

TEST(EngineConvolution, ForwardLargeEnoughForBlockedKernels) {
  Conv c = Forward(4, 64, 16, 64);
  CheckConv(c, 13);
}

TEST(EngineConvolution, ForwardChannels65To37On1x1) {
  Conv c = Forward(4, 65, 1, 37, 1, 0);
  EXPECT_EQ(c.Out(), (std::vector<int64_t>{4, 37, 1, 1}));
  CheckConv(c, 14);
}

TEST(EngineConvolution, Forward1x1InputWith3x3KernelSeesOnlyTheCentreTap) {
  Conv c = Forward(1, 3, 1, 65);
  EXPECT_EQ(c.Out(), (std::vector<int64_t>{1, 65, 1, 1}));
  CheckConv(c, 15);
}

TEST(EngineConvolution, ForwardNegativePaddingCropsTheInput) {
  Conv c = Forward(2, 3, 7, 4);
  c.pad_lo = {-1, 0};
  c.pad_hi = {0, -2};
  EXPECT_EQ(c.Out(), (std::vector<int64_t>{2, 4, 4, 3}));
  CheckConv(c, 16);
}

TEST(EngineConvolution, NhwcInputHwioKernelNhwcOutput) {
  Conv c;
  c.lhs = {4, 7, 7, 37};   // N H W C
  c.rhs = {3, 3, 37, 16};  // H W I O
  c.in_b = 0; c.in_f = 3; c.in_s = {1, 2};
  c.k_in = 2; c.k_out = 3; c.k_s = {0, 1};
  c.out_b = 0; c.out_f = 3; c.out_s = {1, 2};
  c.pad_lo = c.pad_hi = {1, 1};
  EXPECT_EQ(c.Out(), (std::vector<int64_t>{4, 7, 7, 16}));
  CheckConv(c, 17);
}

TEST(EngineConvolution, WindowDilationAndReversalForward) {
  Conv c = Forward(2, 5, 9, 6);
  c.rhs_dil = {2, 3};
  c.reversal = {true, false};
  EXPECT_EQ(c.Out(), (std::vector<int64_t>{2, 6, 7, 5}));
  CheckConv(c, 18);
}

// The gradient of y = conv(x, w; stride s, pad p) with respect to x, as XLA writes it: dy with
// lhs (base) dilation s, the kernel's I and O swapped by dimension numbers, window reversal,
// padding k-1-p low. Checked against the gradient scattered straight from the forward definition.
void CheckInputGradient(int64_t n, int64_t ci, int64_t h, int64_t co, int64_t k, int64_t s, int64_t p, uint32_t seed) {
  int64_t ho = (h + 2 * p - k) / s + 1;
  Conv g;
  g.lhs = {n, co, ho, ho};  // dy
  g.rhs = {co, ci, k, k};   // w as OIHW
  g.k_in = 0;               // contracted over the forward output features
  g.k_out = 1;
  g.lhs_dil = {s, s};
  g.reversal = {true, true};
  int64_t dilated = (ho - 1) * s + 1;
  g.pad_lo = {k - 1 - p, k - 1 - p};
  g.pad_hi = {h + k - 1 - dilated - (k - 1 - p), h + k - 1 - dilated - (k - 1 - p)};
  ASSERT_EQ(g.Out(), (std::vector<int64_t>{n, ci, h, h}));

  auto dy = Random(Count(g.lhs), seed);
  auto w = Random(Count(g.rhs), seed + 1);
  auto out = CompileAndRun(g.Module(), {F32Buffer(g.lhs, dy), F32Buffer(g.rhs, w)});

  Reference ref{std::vector<double>(n * ci * h * h), std::vector<double>(n * ci * h * h)};
  for (int64_t b = 0; b < n; b++)
    for (int64_t o = 0; o < co; o++)
      for (int64_t oy = 0; oy < ho; oy++)
        for (int64_t ox = 0; ox < ho; ox++)
          for (int64_t c = 0; c < ci; c++)
            for (int64_t ky = 0; ky < k; ky++)
              for (int64_t kx = 0; kx < k; kx++) {
                int64_t y = oy * s + ky - p, x = ox * s + kx - p;
                if (y < 0 || y >= h || x < 0 || x >= h) continue;
                double t = static_cast<double>(dy[((b * co + o) * ho + oy) * ho + ox]) * w[((o * ci + c) * k + ky) * k + kx];
                int64_t at = ((b * ci + c) * h + y) * h + x;
                ref.value[at] += t;
                ref.magnitude[at] += std::fabs(t);
              }
  ExpectNear(Values<float>(out[0]), ref);
  ExpectNear(Values<float>(out[0]), g.Evaluate(dy, w));
}

TEST(EngineConvolution, InputGradientStride1) { CheckInputGradient(2, 3, 7, 8, 3, 1, 1, 21); }
TEST(EngineConvolution, InputGradientStride2OddSize) { CheckInputGradient(4, 5, 7, 37, 3, 2, 1, 22); }
TEST(EngineConvolution, InputGradientStride2EvenSize) { CheckInputGradient(1, 65, 8, 3, 3, 2, 1, 23); }
TEST(EngineConvolution, InputGradientLarge) { CheckInputGradient(4, 64, 16, 64, 3, 1, 1, 24); }

// The gradient with respect to w: x with batch and feature swapped by dimension numbers, dy as
// the kernel (its batch contracted), window dilation s; the result written as OIHW through the
// output dimension numbers (output feature = dim 0, output batch = dim 1).
void CheckKernelGradient(int64_t n, int64_t ci, int64_t h, int64_t co, int64_t k, int64_t s, int64_t p, uint32_t seed) {
  int64_t ho = (h + 2 * p - k) / s + 1;
  Conv g;
  g.lhs = {n, ci, h, h};    // x
  g.in_b = 1;               // channels act as the batch
  g.in_f = 0;               // the batch is contracted
  g.rhs = {n, co, ho, ho};  // dy
  g.k_in = 0;
  g.k_out = 1;
  g.out_f = 0;
  g.out_b = 1;
  g.rhs_dil = {s, s};
  int64_t dilated = (ho - 1) * s + 1;
  g.pad_lo = {p, p};
  g.pad_hi = {k + dilated - 1 - h - p, k + dilated - 1 - h - p};
  ASSERT_EQ(g.Out(), (std::vector<int64_t>{co, ci, k, k}));

  auto x = Random(Count(g.lhs), seed);
  auto dy = Random(Count(g.rhs), seed + 1);
  auto out = CompileAndRun(g.Module(), {F32Buffer(g.lhs, x), F32Buffer(g.rhs, dy)});

  Reference ref{std::vector<double>(co * ci * k * k), std::vector<double>(co * ci * k * k)};
  for (int64_t b = 0; b < n; b++)
    for (int64_t o = 0; o < co; o++)
      for (int64_t oy = 0; oy < ho; oy++)
        for (int64_t ox = 0; ox < ho; ox++)
          for (int64_t c = 0; c < ci; c++)
            for (int64_t ky = 0; ky < k; ky++)
              for (int64_t kx = 0; kx < k; kx++) {
                int64_t y = oy * s + ky - p, xx = ox * s + kx - p;
                if (y < 0 || y >= h || xx < 0 || xx >= h) continue;
                double t = static_cast<double>(x[((b * ci + c) * h + y) * h + xx]) * dy[((b * co + o) * ho + oy) * ho + ox];
                int64_t at = ((o * ci + c) * k + ky) * k + kx;
                ref.value[at] += t;
                ref.magnitude[at] += std::fabs(t);
              }
  ExpectNear(Values<float>(out[0]), ref);
  ExpectNear(Values<float>(out[0]), g.Evaluate(x, dy));
}

TEST(EngineConvolution, KernelGradientStride1) { CheckKernelGradient(2, 3, 7, 8, 3, 1, 1, 31); }
TEST(EngineConvolution, KernelGradientStride2OddSize) { CheckKernelGradient(4, 37, 7, 5, 3, 2, 1, 32); }
TEST(EngineConvolution, KernelGradientStride2EvenSizeNegativeHighPadding) { CheckKernelGradient(1, 3, 8, 65, 3, 2, 0, 33); }
TEST(EngineConvolution, KernelGradientLarge) { CheckKernelGradient(4, 64, 16, 64, 3, 1, 1, 34); }

TEST(EngineConvolution, DepthwiseFeatureGroupsWithMultiplier2) {
  Conv c = Forward(4, 37, 7, 74);
  c.rhs = {74, 1, 3, 3};
  c.feature_groups = 37;
  CheckConv(c, 41);
}

TEST(EngineConvolution, TwoFeatureGroupsStride2) {
  Conv c = Forward(2, 6, 9, 4);
  c.rhs = {4, 3, 3, 3};
  c.feature_groups = 2;
  c.stride = {2, 2};
  CheckConv(c, 42);
}

TEST(EngineConvolution, FeatureGroupsLarge) {
  Conv c = Forward(4, 64, 16, 64);
  c.rhs = {64, 16, 3, 3};
  c.feature_groups = 4;
  CheckConv(c, 43);
}

TEST(EngineConvolution, BatchGroupsOneImagePerGroup) {
  Conv c = Forward(4, 3, 7, 8);
  c.batch_groups = 4;
  EXPECT_EQ(c.Out(), (std::vector<int64_t>{1, 8, 7, 7}));
  CheckConv(c, 51);
}

TEST(EngineConvolution, BatchGroupsTwoImagesPerGroup) {
  Conv c = Forward(4, 5, 6, 6, 2, 0);
  c.batch_groups = 2;
  EXPECT_EQ(c.Out(), (std::vector<int64_t>{2, 6, 5, 5}));
  CheckConv(c, 52);
}

// The kernel gradient of a depthwise convolution (feature groups = C) is a batch-grouped
// convolution with batch_group_count = C over x with batch and feature swapped.
TEST(EngineConvolution, DepthwiseKernelGradientAsBatchGroups) {
  const int64_t n = 4, c = 37, h = 7, k = 3, p = 1;
  Conv g;
  g.lhs = {n, c, h, h};
  g.in_b = 1;
  g.in_f = 0;
  g.rhs = {n, c, h, h};  // dy (stride 1, same padding)
  g.k_in = 0;
  g.k_out = 1;
  g.out_f = 0;
  g.out_b = 1;
  g.pad_lo = g.pad_hi = {p, p};
  g.batch_groups = c;
  ASSERT_EQ(g.Out(), (std::vector<int64_t>{c, 1, k, k}));

  auto x = Random(Count(g.lhs), 53);
  auto dy = Random(Count(g.rhs), 54);
  auto out = CompileAndRun(g.Module(), {F32Buffer(g.lhs, x), F32Buffer(g.rhs, dy)});
  Reference ref{std::vector<double>(c * k * k), std::vector<double>(c * k * k)};
  for (int64_t b = 0; b < n; b++)
    for (int64_t ch = 0; ch < c; ch++)
      for (int64_t oy = 0; oy < h; oy++)
        for (int64_t ox = 0; ox < h; ox++)
          for (int64_t ky = 0; ky < k; ky++)
            for (int64_t kx = 0; kx < k; kx++) {
              int64_t y = oy + ky - p, xx = ox + kx - p;
              if (y < 0 || y >= h || xx < 0 || xx >= h) continue;
              double t = static_cast<double>(x[((b * c + ch) * h + y) * h + xx]) * dy[((b * c + ch) * h + oy) * h + ox];
              ref.value[(ch * k + ky) * k + kx] += t;
              ref.magnitude[(ch * k + ky) * k + kx] += std::fabs(t);
            }
  ExpectNear(Values<float>(out[0]), ref);
}

// A hand-computed case pins the arithmetic itself: 1x1x3x3 input 1..9, 2x2 kernel of ones.
TEST(EngineConvolution, HandComputedSumsOf2x2Windows) {
  Conv c = Forward(1, 1, 3, 1, 2, 0);
  auto out = CompileAndRun(c.Module(), {F32Buffer(c.lhs, {1, 2, 3, 4, 5, 6, 7, 8, 9}), F32Buffer(c.rhs, {1, 1, 1, 1})});
  EXPECT_EQ(Values<float>(out[0]), (std::vector<float>{12, 16, 24, 28}));
}

}  // namespace
}  // namespace xlaprune::cpu::testing
