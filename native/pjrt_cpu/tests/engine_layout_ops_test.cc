// Data movement against naive references: pad (low, high, negative, interior), strided slice,
// transpose (rank 2 and 4), broadcast, concatenate, reshape, iota and convert (float-to-int
// saturation included).
#include <limits>

#include "engine_test_util.h"

namespace xlaprune::cpu::testing {
namespace {

// Runs a one-instruction module: parameter(s) of `inputs`, then `opcode` with result `out`.
template <typename Configure>
std::vector<Buffer> RunOne(const std::string& opcode, const std::vector<xla::ShapeProto>& inputs, const xla::ShapeProto& out,
                           const std::vector<Buffer>& args, Configure&& configure) {
  ModuleBuilder m;
  m.Begin("main");
  std::vector<int64_t> ids;
  for (const auto& s : inputs) ids.push_back(m.Parameter(s));
  xla::HloInstructionProto& in = m.Add(opcode, out, ids);
  configure(in);
  m.End(in.id());
  return CompileAndRun(m, args);
}

struct PadDim {
  int64_t lo, hi, interior;
};

std::vector<float> PadReference(const std::vector<float>& x, const std::vector<int64_t>& shape, const std::vector<PadDim>& pads, float value,
                                std::vector<int64_t>& out_dims) {
  out_dims.clear();
  for (size_t d = 0; d < shape.size(); d++) out_dims.push_back(shape[d] + pads[d].lo + pads[d].hi + std::max<int64_t>(shape[d] - 1, 0) * pads[d].interior);
  auto st = StridesOf(shape);
  std::vector<float> out(Count(out_dims), value);
  std::vector<int64_t> o(out_dims.size(), 0);
  for (size_t i = 0; i < out.size(); i++) {
    int64_t off = 0;
    bool inside = true;
    for (size_t d = 0; d < shape.size(); d++) {
      int64_t q = o[d] - pads[d].lo;
      if (q < 0 || q % (pads[d].interior + 1) != 0 || q / (pads[d].interior + 1) >= shape[d]) inside = false;
      off += q / (pads[d].interior + 1) * st[d];
    }
    if (inside) out[i] = x[off];
    NextIndex(o, out_dims);
  }
  return out;
}

void CheckPad(const std::vector<int64_t>& shape, const std::vector<PadDim>& pads, uint32_t seed) {
  auto x = Random(Count(shape), seed);
  std::vector<int64_t> od;
  auto want = PadReference(x, shape, pads, 0.5f, od);
  ModuleBuilder m;
  m.Begin("main");
  int64_t p = m.Parameter(F32(shape));
  int64_t v = m.Constant(0.5f);
  xla::HloInstructionProto& pad = m.Add("pad", F32(od), {p, v});
  for (const auto& d : pads) {
    auto* pd = pad.mutable_padding_config()->add_dimensions();
    pd->set_edge_padding_low(d.lo);
    pd->set_edge_padding_high(d.hi);
    pd->set_interior_padding(d.interior);
  }
  m.End(pad.id());
  auto out = CompileAndRun(m, {F32Buffer(shape, x)});
  EXPECT_EQ(out[0]->shape().dims, od);
  ExpectSameBits(Values<float>(out[0]), want);
}

TEST(EngineLayoutOps, PadHandComputedInteriorAndEdges) {
  std::vector<int64_t> od;
  auto want = PadReference({1, 2, 3}, {3}, {{2, 1, 1}}, 0.5f, od);
  EXPECT_EQ(want, (std::vector<float>{0.5f, 0.5f, 1, 0.5f, 2, 0.5f, 3, 0.5f}));
  CheckPad({3}, {{2, 1, 1}}, 1);
}
TEST(EngineLayoutOps, PadLowAndHigh) { CheckPad({4, 37, 7, 7}, {{0, 0, 0}, {0, 0, 0}, {1, 1, 0}, {2, 0, 0}}, 2); }
TEST(EngineLayoutOps, PadNegativeCrops) { CheckPad({5, 9}, {{-1, -2, 0}, {-3, 1, 0}}, 3); }
TEST(EngineLayoutOps, PadInteriorWithNegativeEdges) { CheckPad({4, 6}, {{-1, -1, 2}, {1, -2, 1}}, 4); }
TEST(EngineLayoutOps, PadCropsEverythingToZeroSize) { CheckPad({3, 2}, {{-3, 0, 0}, {0, 0, 0}}, 5); }

void CheckSlice(const std::vector<int64_t>& shape, const std::vector<std::array<int64_t, 3>>& s, uint32_t seed) {
  auto x = Random(Count(shape), seed);
  std::vector<int64_t> od;
  for (const auto& d : s) od.push_back((d[1] - d[0] + d[2] - 1) / d[2]);
  std::vector<float> want;
  auto st = StridesOf(shape);
  std::vector<int64_t> o(od.size(), 0);
  for (int64_t i = 0; i < Count(od); i++) {
    int64_t off = 0;
    for (size_t d = 0; d < od.size(); d++) off += (s[d][0] + o[d] * s[d][2]) * st[d];
    want.push_back(x[off]);
    NextIndex(o, od);
  }
  auto out = RunOne("slice", {F32(shape)}, F32(od), {F32Buffer(shape, x)}, [&](xla::HloInstructionProto& in) {
    for (const auto& d : s) {
      auto* sd = in.add_slice_dimensions();
      sd->set_start(d[0]);
      sd->set_limit(d[1]);
      sd->set_stride(d[2]);
    }
  });
  EXPECT_EQ(out[0]->shape().dims, od);
  ExpectSameBits(Values<float>(out[0]), want);
}

TEST(EngineLayoutOps, SliceHandComputedStride2) {
  auto out = RunOne("slice", {F32({7})}, F32({3}), {F32Buffer({7}, {0, 1, 2, 3, 4, 5, 6})}, [](xla::HloInstructionProto& in) {
    auto* sd = in.add_slice_dimensions();
    sd->set_start(1);
    sd->set_limit(6);
    sd->set_stride(2);
  });
  EXPECT_EQ(Values<float>(out[0]), (std::vector<float>{1, 3, 5}));
}
TEST(EngineLayoutOps, SliceWithStridesRank4) { CheckSlice({4, 37, 9, 8}, {{{1, 4, 2}, {0, 37, 3}, {2, 9, 1}, {0, 8, 5}}}, 6); }
TEST(EngineLayoutOps, SliceContiguousRows) { CheckSlice({65, 16}, {{{3, 40, 1}, {0, 16, 1}}}, 7); }

void CheckTranspose(const std::vector<int64_t>& shape, const std::vector<int64_t>& perm, uint32_t seed) {
  auto x = Random(Count(shape), seed);
  std::vector<int64_t> od;
  for (int64_t p : perm) od.push_back(shape[p]);
  auto st = StridesOf(shape);
  std::vector<float> want;
  std::vector<int64_t> o(od.size(), 0);
  for (int64_t i = 0; i < Count(od); i++) {
    int64_t off = 0;
    for (size_t k = 0; k < perm.size(); k++) off += o[k] * st[perm[k]];
    want.push_back(x[off]);
    NextIndex(o, od);
  }
  auto out = RunOne("transpose", {F32(shape)}, F32(od), {F32Buffer(shape, x)}, [&](xla::HloInstructionProto& in) {
    for (int64_t p : perm) in.add_dimensions(p);
  });
  EXPECT_EQ(out[0]->shape().dims, od);
  ExpectSameBits(Values<float>(out[0]), want);
}

TEST(EngineLayoutOps, TransposeHandComputed2x3) {
  auto out = RunOne("transpose", {F32({2, 3})}, F32({3, 2}), {F32Buffer({2, 3}, {1, 2, 3, 4, 5, 6})},
                    [](xla::HloInstructionProto& in) { in.add_dimensions(1), in.add_dimensions(0); });
  EXPECT_EQ(Values<float>(out[0]), (std::vector<float>{1, 4, 2, 5, 3, 6}));
}
TEST(EngineLayoutOps, TransposeRank2Large) { CheckTranspose({65, 130}, {1, 0}, 8); }
TEST(EngineLayoutOps, TransposeNchwToNhwc) { CheckTranspose({4, 37, 7, 9}, {0, 2, 3, 1}, 9); }
TEST(EngineLayoutOps, TransposeOihwToHwio) { CheckTranspose({64, 64, 3, 3}, {2, 3, 1, 0}, 10); }
TEST(EngineLayoutOps, TransposeIdentity) { CheckTranspose({3, 4, 5}, {0, 1, 2}, 11); }

TEST(EngineLayoutOps, BroadcastScalar) {
  auto out = RunOne("broadcast", {F32({})}, F32({2, 3}), {F32Buffer({}, {2.5f})}, [](xla::HloInstructionProto&) {});
  EXPECT_EQ(Values<float>(out[0]), std::vector<float>(6, 2.5f));
}

TEST(EngineLayoutOps, BroadcastBiasOverChannels) {
  auto bias = Random(37, 12);
  auto out = RunOne("broadcast", {F32({37})}, F32({4, 37, 3, 5}), {F32Buffer({37}, bias)}, [](xla::HloInstructionProto& in) { in.add_dimensions(1); });
  auto got = Values<float>(out[0]);
  std::vector<float> want;
  for (int n = 0; n < 4; n++)
    for (int c = 0; c < 37; c++)
      for (int s = 0; s < 15; s++) want.push_back(bias[c]);
  ExpectSameBits(got, want);
}

TEST(EngineLayoutOps, BroadcastTwoDimensionsIntoRank3) {
  auto x = Random(15, 13);
  auto out = RunOne("broadcast", {F32({3, 5})}, F32({3, 4, 5}), {F32Buffer({3, 5}, x)},
                    [](xla::HloInstructionProto& in) { in.add_dimensions(0), in.add_dimensions(2); });
  std::vector<float> want;
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 4; j++)
      for (int k = 0; k < 5; k++) want.push_back(x[i * 5 + k]);
  ExpectSameBits(Values<float>(out[0]), want);
}

TEST(EngineLayoutOps, ConcatenateThreeAlongChannels) {
  auto a = Random(2 * 3 * 4, 14), b = Random(2 * 1 * 4, 15), c = Random(2 * 5 * 4, 16);
  auto out = RunOne("concatenate", {F32({2, 3, 4}), F32({2, 1, 4}), F32({2, 5, 4})}, F32({2, 9, 4}),
                    {F32Buffer({2, 3, 4}, a), F32Buffer({2, 1, 4}, b), F32Buffer({2, 5, 4}, c)},
                    [](xla::HloInstructionProto& in) { in.add_dimensions(1); });
  std::vector<float> want;
  for (int n = 0; n < 2; n++) {
    want.insert(want.end(), a.begin() + n * 12, a.begin() + (n + 1) * 12);
    want.insert(want.end(), b.begin() + n * 4, b.begin() + (n + 1) * 4);
    want.insert(want.end(), c.begin() + n * 20, c.begin() + (n + 1) * 20);
  }
  ExpectSameBits(Values<float>(out[0]), want);
}

TEST(EngineLayoutOps, ConcatenateAlongLastDimension) {
  auto out = RunOne("concatenate", {F32({2, 2}), F32({2, 1})}, F32({2, 3}), {F32Buffer({2, 2}, {1, 2, 3, 4}), F32Buffer({2, 1}, {9, 8})},
                    [](xla::HloInstructionProto& in) { in.add_dimensions(1); });
  EXPECT_EQ(Values<float>(out[0]), (std::vector<float>{1, 2, 9, 3, 4, 8}));
}

TEST(EngineLayoutOps, ReshapeKeepsRowMajorOrder) {
  auto x = Random(4 * 37 * 2 * 2, 17);
  auto out = RunOne("reshape", {F32({4, 37, 2, 2})}, F32({4, 148}), {F32Buffer({4, 37, 2, 2}, x)}, [](xla::HloInstructionProto&) {});
  ExpectSameBits(Values<float>(out[0]), x);
}

TEST(EngineLayoutOps, IotaS32AlongColumnsAndF32AlongRows) {
  auto a = RunOne("iota", {}, ShapeOf(ElementType::kS32, {2, 3}), {}, [](xla::HloInstructionProto& in) { in.add_dimensions(1); });
  EXPECT_EQ(Values<int32_t>(a[0]), (std::vector<int32_t>{0, 1, 2, 0, 1, 2}));
  auto b = RunOne("iota", {}, F32({3, 2}), {}, [](xla::HloInstructionProto& in) { in.add_dimensions(0); });
  EXPECT_EQ(Values<float>(b[0]), (std::vector<float>{0, 0, 1, 1, 2, 2}));
  auto c = RunOne("iota", {}, ShapeOf(ElementType::kU8, {300}), {}, [](xla::HloInstructionProto& in) { in.add_dimensions(0); });
  auto cv = Values<uint8_t>(c[0]);
  EXPECT_EQ(cv[255], 255);
  EXPECT_EQ(cv[256], 0);  // wraps like XLA's integer iota
  EXPECT_EQ(cv[299], 43);
}

template <typename To, typename From>
std::vector<To> Convert(ElementType from, ElementType to, const std::vector<From>& values) {
  std::vector<int64_t> dims{static_cast<int64_t>(values.size())};
  auto out = RunOne("convert", {ShapeOf(from, dims)}, ShapeOf(to, dims), {MakeBuffer(from, dims, values)}, [](xla::HloInstructionProto&) {});
  return Values<To>(out[0]);
}

TEST(EngineLayoutOps, ConvertF32ToS32TruncatesAndSaturates) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  auto got = Convert<int32_t>(ElementType::kF32, ElementType::kS32, std::vector<float>{2.7f, -2.7f, 0.0f, 3e9f, -3e9f, inf, -inf, nan, 2147483520.0f});
  EXPECT_EQ(got, (std::vector<int32_t>{2, -2, 0, std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min(),
                                       std::numeric_limits<int32_t>::max(), std::numeric_limits<int32_t>::min(), 0, 2147483520}));
}

TEST(EngineLayoutOps, ConvertF32ToU8Saturates) {
  auto got = Convert<uint8_t>(ElementType::kF32, ElementType::kU8, std::vector<float>{300.0f, -5.0f, 254.9f, 1.5f});
  EXPECT_EQ(got, (std::vector<uint8_t>{255, 0, 254, 1}));
}

TEST(EngineLayoutOps, ConvertF64ToS64SaturatesBelow) {
  auto got = Convert<int64_t>(ElementType::kF64, ElementType::kS64, std::vector<double>{-1e19, -7.9});
  EXPECT_EQ(got, (std::vector<int64_t>{std::numeric_limits<int64_t>::min(), -7}));
}

// Saturation above the 64-bit range: double(INT64_MAX) rounds up to 2^63 (2^64 for u64), so the
// engine must compare before it converts.
TEST(EngineLayoutOps, ConvertF64ToS64AndU64SaturateAbove) {
  auto s = Convert<int64_t>(ElementType::kF64, ElementType::kS64, std::vector<double>{1e19, 9.3e18});
  EXPECT_EQ(s, (std::vector<int64_t>{std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::max()}));
  auto u = Convert<uint64_t>(ElementType::kF32, ElementType::kU64, std::vector<float>{1e20f, -1.0f});
  EXPECT_EQ(u, (std::vector<uint64_t>{std::numeric_limits<uint64_t>::max(), 0}));
}

TEST(EngineLayoutOps, ConvertToAndFromPred) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  auto pred = Convert<uint8_t>(ElementType::kF32, ElementType::kPred, std::vector<float>{0.0f, -0.0f, 2.0f, -1e-30f, nan});
  EXPECT_EQ(pred, (std::vector<uint8_t>{0, 0, 1, 1, 1}));
  auto back = Convert<float>(ElementType::kPred, ElementType::kF32, std::vector<uint8_t>{0, 1, 1});
  EXPECT_EQ(back, (std::vector<float>{0, 1, 1}));
}

TEST(EngineLayoutOps, ConvertS32ToF32RoundsToNearest) {
  auto got = Convert<float>(ElementType::kS32, ElementType::kF32, std::vector<int32_t>{16777217, -3, 2147483647});
  EXPECT_EQ(got, (std::vector<float>{16777216.0f, -3.0f, 2147483648.0f}));
}

TEST(EngineLayoutOps, ConvertF32ToF64AndBackIsExact) {
  auto x = Random(37, 18);
  auto wide = Convert<double>(ElementType::kF32, ElementType::kF64, x);
  for (size_t i = 0; i < x.size(); i++) EXPECT_EQ(wide[i], static_cast<double>(x[i]));
  auto narrow = Convert<float>(ElementType::kF64, ElementType::kF32, wide);
  ExpectSameBits(narrow, x);
}

}  // namespace
}  // namespace xlaprune::cpu::testing
