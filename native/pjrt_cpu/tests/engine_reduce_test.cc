// Reduce, reduce-window and select-and-scatter against naive references: sums and maxima over
// various dimensions, reducers that the engine must interpret, max pooling with and without
// padding, and the max-pool gradient including ties and overlapping windows.
#include <limits>

#include "engine_test_util.h"

namespace xlaprune::cpu::testing {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();

std::vector<int64_t> Without(const std::vector<int64_t>& dims, const std::vector<int64_t>& removed) {
  std::vector<int64_t> out;
  for (int64_t d = 0; d < static_cast<int64_t>(dims.size()); d++) {
    if (std::find(removed.begin(), removed.end(), d) == removed.end()) out.push_back(dims[d]);
  }
  return out;
}

// reduce(x, init) over `dims` with `reducer` (a computation id built before the entry).
std::string ReduceModule(ModuleBuilder& m, int64_t reducer, ElementType type, const std::vector<int64_t>& shape,
                         const std::vector<int64_t>& dims, const xla::LiteralProto& init_literal) {
  m.Begin("main");
  int64_t x = m.Parameter(ShapeOf(type, shape));
  xla::HloInstructionProto& init = m.Add("constant", ShapeOf(type, {}), {});
  *init.mutable_literal() = init_literal;
  int64_t init_id = init.id();
  xla::HloInstructionProto& r = m.Add("reduce", ShapeOf(type, Without(shape, dims)), {x, init_id});
  for (int64_t d : dims) r.add_dimensions(d);
  r.add_called_computation_ids(reducer);
  m.End(r.id());
  return m.Serialize();
}

xla::LiteralProto F32Literal(float v) {
  xla::LiteralProto l;
  *l.mutable_shape() = F32({});
  l.add_f32s(v);
  return l;
}

// Reference reduce in double: returns sums (or maxima) and magnitudes per output element.
Reference ReduceReference(const std::vector<float>& x, const std::vector<int64_t>& shape, const std::vector<int64_t>& dims, bool max) {
  auto od = Without(shape, dims);
  auto os = StridesOf(od);
  Reference ref{std::vector<double>(Count(od), max ? -kInf : 0.0), std::vector<double>(Count(od), 0.0)};
  std::vector<int64_t> idx(shape.size(), 0);
  for (size_t i = 0; i < x.size(); i++) {
    int64_t at = 0;
    for (int64_t d = 0, o = 0; d < static_cast<int64_t>(shape.size()); d++) {
      if (std::find(dims.begin(), dims.end(), d) == dims.end()) at += idx[d] * os[o++];
    }
    if (max) ref.value[at] = std::max<double>(ref.value[at], x[i]);
    else ref.value[at] += x[i];
    ref.magnitude[at] += std::fabs(x[i]);
    NextIndex(idx, shape);
  }
  if (max) ref.magnitude.assign(ref.magnitude.size(), 0.0);  // a maximum is exact
  return ref;
}

void CheckReduce(const std::string& opcode, const std::vector<int64_t>& shape, const std::vector<int64_t>& dims, uint32_t seed) {
  ModuleBuilder m;
  int64_t reducer = m.Binary(opcode);
  bool max = opcode == "maximum";
  auto module = ReduceModule(m, reducer, ElementType::kF32, shape, dims, F32Literal(max ? -kInf : 0.0f));
  auto x = Random(Count(shape), seed);
  auto out = CompileAndRun(module, {F32Buffer(shape, x)});
  EXPECT_EQ(out[0]->shape().dims, Without(shape, dims));
  ExpectNear(Values<float>(out[0]), ReduceReference(x, shape, dims, max));
}

TEST(EngineReduce, SumOverMiddleDimension) { CheckReduce("add", {4, 37, 5}, {1}, 1); }
TEST(EngineReduce, SumOverLeadingDimension) { CheckReduce("add", {65, 3}, {0}, 2); }
TEST(EngineReduce, SumOverTrailingDimensions) { CheckReduce("add", {4, 64, 16, 16}, {2, 3}, 3); }
TEST(EngineReduce, SumOverBatchAndSpatialLikeBatchNorm) { CheckReduce("add", {4, 64, 16, 16}, {0, 2, 3}, 4); }
TEST(EngineReduce, SumOverAllDimensionsToAScalar) { CheckReduce("add", {7, 9, 11}, {0, 1, 2}, 5); }
TEST(EngineReduce, SumOverNoDimensionsIsIdentity) { CheckReduce("add", {3, 5}, {}, 6); }
TEST(EngineReduce, MaxOverFirstAndLast) { CheckReduce("maximum", {5, 37, 6}, {0, 2}, 7); }
TEST(EngineReduce, MaxOverRows) { CheckReduce("maximum", {65, 33}, {1}, 8); }

TEST(EngineReduce, SumOverBatchAndSpatialChannelsLast) { CheckReduce("add", {4, 16, 16, 64}, {0, 1, 2}, 31); }
TEST(EngineReduce, MaxOverLeadingDimensionsChannelsLast) { CheckReduce("maximum", {6, 5, 5, 33}, {0, 1, 2}, 32); }
TEST(EngineReduce, SumOverBatchOfUnitSpatialChannelsFirst) { CheckReduce("add", {130, 64, 1, 1}, {0, 2, 3}, 33); }
TEST(EngineReduce, SumKeepingARowWiderThanAThreadsShare) { CheckReduce("add", {3, 17000}, {0}, 34); }
TEST(EngineReduce, MaxKeepingWideRowsInColumnTiles) { CheckReduce("maximum", {5, 2, 3000}, {0, 1}, 36); }
TEST(EngineReduce, SumOfManyRowsIsSplitIntoChunks) { CheckReduce("add", {4096, 3, 3, 8}, {0, 1, 2}, 35); }

// reduce(x [3, 2], init) over dimension 0 with `opcode`.
std::vector<float> ReduceRowsOf3x2(const std::string& opcode, float init, const std::vector<float>& x) {
  ModuleBuilder m;
  int64_t reducer = m.Binary(opcode);
  auto module = ReduceModule(m, reducer, ElementType::kF32, {3, 2}, {0}, F32Literal(init));
  return Values<float>(CompileAndRun(module, {F32Buffer({3, 2}, x)})[0]);
}

// The init value joins once, whatever the number of chunks the rows are split into.
TEST(EngineReduce, HandComputedLeadingSumWithInit) {
  EXPECT_EQ(ReduceRowsOf3x2("add", 10.0f, {1, 2, 3, 4, 5, 6}), (std::vector<float>{19, 22}));
}

// NaN wins a maximum over leading dimensions, from any row.
TEST(EngineReduce, LeadingMaxPropagatesNaN) {
  auto v = ReduceRowsOf3x2("maximum", -kInf, {1, 2, std::numeric_limits<float>::quiet_NaN(), 4, 5, 6});
  EXPECT_TRUE(std::isnan(v[0]));
  EXPECT_EQ(v[1], 6.0f);
}

TEST(EngineReduce, HandComputedRowSums) {
  ModuleBuilder m;
  int64_t reducer = m.Binary("add");
  auto module = ReduceModule(m, reducer, ElementType::kF32, {2, 3}, {1}, F32Literal(0));
  auto out = CompileAndRun(module, {F32Buffer({2, 3}, {1, 2, 3, 4, 5, 6})});
  EXPECT_EQ(Values<float>(out[0]), (std::vector<float>{6, 15}));
}

// max(a, b) written as select(a >= b, a, b): not one binary op, so the engine interprets it.
TEST(EngineReduce, InterpretedSelectMaxReducer) {
  ModuleBuilder m;
  m.Begin("select_max");
  int64_t a = m.Parameter(F32({}));
  int64_t b = m.Parameter(F32({}));
  xla::HloInstructionProto& ge = m.Add("compare", ShapeOf(ElementType::kPred, {}), {a, b});
  ge.set_comparison_direction("GE");
  int64_t ge_id = ge.id();
  int64_t reducer = m.End(m.Add("select", F32({}), {ge_id, a, b}).id());
  const std::vector<int64_t> shape{4, 37, 9};
  auto module = ReduceModule(m, reducer, ElementType::kF32, shape, {1}, F32Literal(-kInf));
  auto x = Random(Count(shape), 9);
  auto out = CompileAndRun(module, {F32Buffer(shape, x)});
  ExpectNear(Values<float>(out[0]), ReduceReference(x, shape, {1}, true));
}

// An s32 sum whose reducer is copy(add(a, b)): interpreted, and exact in any order.
TEST(EngineReduce, InterpretedIntegerSumReducer) {
  ModuleBuilder m;
  m.Begin("sum_copy");
  int64_t a = m.Parameter(ShapeOf(ElementType::kS32, {}));
  int64_t b = m.Parameter(ShapeOf(ElementType::kS32, {}));
  int64_t sum = m.Add("add", ShapeOf(ElementType::kS32, {}), {a, b}).id();
  int64_t reducer = m.End(m.Add("copy", ShapeOf(ElementType::kS32, {}), {sum}).id());
  xla::LiteralProto zero;
  *zero.mutable_shape() = ShapeOf(ElementType::kS32, {});
  zero.add_s32s(0);
  auto module = ReduceModule(m, reducer, ElementType::kS32, {3, 4}, {0}, zero);
  std::vector<int32_t> x{1, -2, 3, 1000000, 5, 6, -7, 2000000, 9, 10, 11, -3000000};
  auto out = CompileAndRun(module, {MakeBuffer(ElementType::kS32, {3, 4}, x)});
  EXPECT_EQ(Values<int32_t>(out[0]), (std::vector<int32_t>{15, 14, 7, 0}));
}

// ---- reduce-window ----------------------------------------------------------------------------

struct Window {
  std::vector<int64_t> size, stride, pad_lo, pad_hi;
};

int64_t WindowOut(int64_t in, int64_t size, int64_t stride, int64_t lo, int64_t hi) {
  int64_t padded = in + lo + hi;
  return padded < size ? 0 : (padded - size) / stride + 1;
}

std::vector<int64_t> WindowShape(const std::vector<int64_t>& shape, const Window& w) {
  std::vector<int64_t> out;
  for (size_t d = 0; d < shape.size(); d++) out.push_back(WindowOut(shape[d], w.size[d], w.stride[d], w.pad_lo[d], w.pad_hi[d]));
  return out;
}

void SetWindow(xla::HloInstructionProto& in, const Window& w) {
  for (size_t d = 0; d < w.size.size(); d++) {
    auto* wd = in.mutable_window()->add_dimensions();
    wd->set_size(w.size[d]);
    wd->set_stride(w.stride[d]);
    wd->set_padding_low(w.pad_lo[d]);
    wd->set_padding_high(w.pad_hi[d]);
  }
}

// Visits the in-bounds operand offsets of the window at output index `o`.
template <typename F>
void ForWindow(const std::vector<int64_t>& shape, const Window& w, const std::vector<int64_t>& o, F&& visit) {
  auto st = StridesOf(shape);
  std::vector<int64_t> k(shape.size(), 0);
  do {
    int64_t off = 0;
    bool inside = true;
    for (size_t d = 0; d < shape.size(); d++) {
      int64_t p = o[d] * w.stride[d] + k[d] - w.pad_lo[d];
      if (p < 0 || p >= shape[d]) inside = false;
      off += p * st[d];
    }
    if (inside) visit(off);
  } while (NextIndex(k, w.size));
}

void CheckReduceWindow(const std::string& opcode, const std::vector<int64_t>& shape, const Window& w, uint32_t seed) {
  bool max = opcode == "maximum";
  ModuleBuilder m;
  int64_t reducer = m.Binary(opcode);
  m.Begin("main");
  int64_t x = m.Parameter(F32(shape));
  int64_t init = m.Constant(max ? -kInf : 0.0f);
  auto od = WindowShape(shape, w);
  xla::HloInstructionProto& rw = m.Add("reduce-window", F32(od), {x, init});
  SetWindow(rw, w);
  rw.add_called_computation_ids(reducer);
  m.End(rw.id());

  auto data = Random(Count(shape), seed);
  auto out = CompileAndRun(m, {F32Buffer(shape, data)});
  EXPECT_EQ(out[0]->shape().dims, od);
  Reference ref{std::vector<double>(Count(od)), std::vector<double>(Count(od))};
  std::vector<int64_t> o(od.size(), 0);
  for (int64_t i = 0; i < Count(od); i++) {
    double acc = max ? -kInf : 0.0, mag = 0;
    ForWindow(shape, w, o, [&](int64_t off) {
      acc = max ? std::max<double>(acc, data[off]) : acc + data[off];
      mag += max ? 0.0 : std::fabs(data[off]);
    });
    ref.value[i] = acc;
    ref.magnitude[i] = mag;
    NextIndex(o, od);
  }
  ExpectNear(Values<float>(out[0]), ref);
}

TEST(EngineReduceWindow, MaxPool2x2Stride2) {
  CheckReduceWindow("maximum", {4, 37, 16, 16}, Window{{1, 1, 2, 2}, {1, 1, 2, 2}, {0, 0, 0, 0}, {0, 0, 0, 0}}, 11);
}

TEST(EngineReduceWindow, MaxPool2x2Stride2OddSizeDropsTheLastRow) {
  CheckReduceWindow("maximum", {1, 3, 7, 7}, Window{{1, 1, 2, 2}, {1, 1, 2, 2}, {0, 0, 0, 0}, {0, 0, 0, 0}}, 12);
}

TEST(EngineReduceWindow, MaxPool3x3Stride1Padding1) {
  CheckReduceWindow("maximum", {2, 5, 7, 7}, Window{{1, 1, 3, 3}, {1, 1, 1, 1}, {0, 0, 1, 1}, {0, 0, 1, 1}}, 13);
}

TEST(EngineReduceWindow, SumPool3x3Stride2AsymmetricPadding) {
  CheckReduceWindow("add", {4, 3, 9, 8}, Window{{1, 1, 3, 3}, {1, 1, 2, 2}, {0, 0, 1, 0}, {0, 0, 1, 2}}, 14);
}

TEST(EngineReduceWindow, SumOverAWindowAcrossChannels) {
  CheckReduceWindow("add", {4, 65, 1, 1}, Window{{2, 5, 1, 1}, {2, 3, 1, 1}, {0, 0, 0, 0}, {0, 0, 0, 0}}, 15);
}

TEST(EngineReduceWindow, MaxPool2x2Stride2ChannelsLast) {
  CheckReduceWindow("maximum", {4, 16, 16, 37}, Window{{1, 2, 2, 1}, {1, 2, 2, 1}, {0, 0, 0, 0}, {0, 0, 0, 0}}, 16);
}

TEST(EngineReduceWindow, SumPool3x3Stride2PaddedChannelsLast) {
  CheckReduceWindow("add", {2, 9, 8, 5}, Window{{1, 3, 3, 1}, {1, 2, 2, 1}, {0, 1, 0, 0}, {0, 1, 2, 0}}, 17);
}

TEST(EngineReduceWindow, WindowOverTheTwoLeadingDimensions) {
  CheckReduceWindow("maximum", {6, 7, 3, 4}, Window{{2, 3, 1, 1}, {2, 2, 1, 1}, {0, 1, 0, 0}, {0, 1, 0, 0}}, 18);
}

TEST(EngineReduceWindow, HandComputedMaxPool) {
  ModuleBuilder m;
  int64_t reducer = m.Binary("maximum");
  m.Begin("main");
  int64_t x = m.Parameter(F32({4, 4}));
  int64_t init = m.Constant(-kInf);
  xla::HloInstructionProto& rw = m.Add("reduce-window", F32({2, 2}), {x, init});
  SetWindow(rw, Window{{2, 2}, {2, 2}, {0, 0}, {0, 0}});
  rw.add_called_computation_ids(reducer);
  m.End(rw.id());
  auto out = CompileAndRun(m, {F32Buffer({4, 4}, {1, 5, 2, 0, 3, -1, 7, 7, -4, -3, 0, 0, -2, -8, 0, -1})});
  EXPECT_EQ(Values<float>(out[0]), (std::vector<float>{5, 7, -2, 0}));
}

// ---- select-and-scatter ------------------------------------------------------------------------

std::string MaxPoolGradModule(const std::vector<int64_t>& shape, const Window& w) {
  ModuleBuilder m;
  int64_t select = m.Comparison("GE");
  int64_t scatter = m.Binary("add");
  m.Begin("main");
  int64_t x = m.Parameter(F32(shape));
  int64_t source = m.Parameter(F32(WindowShape(shape, w)));
  int64_t init = m.Constant(0.0f);
  xla::HloInstructionProto& ss = m.Add("select-and-scatter", F32(shape), {x, source, init});
  SetWindow(ss, w);
  ss.add_called_computation_ids(select);
  ss.add_called_computation_ids(scatter);
  m.End(ss.id());
  return m.Serialize();
}

// Each window's first maximum (in row-major window order) receives the window's source value.
Reference MaxPoolGradReference(const std::vector<float>& x, const std::vector<float>& source, const std::vector<int64_t>& shape, const Window& w) {
  auto od = WindowShape(shape, w);
  Reference ref{std::vector<double>(x.size()), std::vector<double>(x.size())};
  std::vector<int64_t> o(od.size(), 0);
  for (int64_t i = 0; i < Count(od); i++) {
    int64_t best = -1;
    ForWindow(shape, w, o, [&](int64_t off) {
      if (best < 0 || x[off] > x[best]) best = off;
    });
    if (best >= 0) {
      ref.value[best] += source[i];
      ref.magnitude[best] += std::fabs(source[i]);
    }
    NextIndex(o, od);
  }
  return ref;
}

void CheckMaxPoolGrad(const std::vector<int64_t>& shape, const Window& w, const std::vector<float>& x, uint32_t seed) {
  auto source = Random(Count(WindowShape(shape, w)), seed);
  auto out = CompileAndRun(MaxPoolGradModule(shape, w), {F32Buffer(shape, x), F32Buffer(WindowShape(shape, w), source)});
  ExpectNear(Values<float>(out[0]), MaxPoolGradReference(x, source, shape, w));
}

// Random inputs; with `ties`, values from {0, 1} only, so most windows hold ties.
void CheckMaxPoolGradOnRandom(const std::vector<int64_t>& shape, const Window& w, uint32_t seed, bool ties) {
  auto x = ties ? Random(Count(shape), seed, 0.0f, 2.0f) : Random(Count(shape), seed);
  if (ties) {
    for (auto& v : x) v = std::floor(v);
  }
  CheckMaxPoolGrad(shape, w, x, seed + 1);
}

const Window kPool2x2ChannelsFirst{{1, 1, 2, 2}, {1, 1, 2, 2}, {0, 0, 0, 0}, {0, 0, 0, 0}};
const Window kPool2x2ChannelsLast{{1, 2, 2, 1}, {1, 2, 2, 1}, {0, 0, 0, 0}, {0, 0, 0, 0}};

TEST(EngineSelectAndScatter, MaxPoolGradient2x2Stride2) { CheckMaxPoolGradOnRandom({4, 37, 16, 16}, kPool2x2ChannelsFirst, 21, false); }
TEST(EngineSelectAndScatter, TiesGoToTheFirstElementOfEachWindow) { CheckMaxPoolGradOnRandom({2, 3, 8, 8}, kPool2x2ChannelsFirst, 25, true); }
TEST(EngineSelectAndScatter, OverlappingWindowsWithPaddingAccumulate) {
  CheckMaxPoolGradOnRandom({2, 3, 7, 7}, Window{{1, 1, 3, 3}, {1, 1, 2, 2}, {0, 0, 1, 1}, {0, 0, 1, 1}}, 23, false);
}
TEST(EngineSelectAndScatter, MaxPoolGradient2x2Stride2ChannelsLast) { CheckMaxPoolGradOnRandom({4, 16, 16, 37}, kPool2x2ChannelsLast, 27, false); }
TEST(EngineSelectAndScatter, TiesGoToTheFirstElementPerChannelChannelsLast) { CheckMaxPoolGradOnRandom({2, 8, 8, 5}, kPool2x2ChannelsLast, 31, true); }
TEST(EngineSelectAndScatter, OverlappingPaddedWindowsChannelsLast) {
  CheckMaxPoolGradOnRandom({2, 7, 7, 3}, Window{{1, 3, 3, 1}, {1, 2, 2, 1}, {0, 1, 1, 0}, {0, 1, 1, 0}}, 29, false);
}

// Channels-last [1, 1, 4, 2]: channel 0 holds [3, 3, 1, 3] (the hand-computed case above), channel
// 1 holds [0, 5, 5, 1]; window 2 stride 1 picks positions 0, 1, 3 and 1, 1, 2.
TEST(EngineSelectAndScatter, HandComputedPerChannelChoice) {
  Window w{{1, 1, 2, 1}, {1, 1, 1, 1}, {0, 0, 0, 0}, {0, 0, 0, 0}};
  auto out = CompileAndRun(MaxPoolGradModule({1, 1, 4, 2}, w),
                           {F32Buffer({1, 1, 4, 2}, {3, 0, 3, 5, 1, 5, 3, 1}), F32Buffer({1, 1, 3, 2}, {10, 1, 20, 2, 40, 4})});
  EXPECT_EQ(Values<float>(out[0]), (std::vector<float>{10, 0, 20, 3, 0, 4, 40, 0}));
}

// A window far larger than the array (padding on both sides): each of the 2x2 windows covers all
// four positions, so each channel's maximum collects every source value of that channel. The
// kernel's bookkeeping must follow the positions inside the array, not the window's 2^40.
TEST(EngineSelectAndScatter, HandComputedWindowFarLargerThanTheArray) {
  const int64_t size = int64_t{1} << 20, half = size / 2;
  Window w{{1, size, size, 1}, {1, 1, 1, 1}, {0, half, half, 0}, {0, half - 1, half - 1, 0}};
  auto out = CompileAndRun(MaxPoolGradModule({1, 2, 2, 2}, w),
                           {F32Buffer({1, 2, 2, 2}, {1, 7, 5, 0, 3, 0, 2, 9}), F32Buffer({1, 2, 2, 2}, {1, 10, 2, 20, 3, 30, 4, 40})});
  EXPECT_EQ(Values<float>(out[0]), (std::vector<float>{0, 0, 10, 0, 0, 0, 0, 100}));
}

TEST(EngineSelectAndScatter, HandComputedTiesAndOverlap) {
  // 1x4 input [3, 3, 1, 3], window 2 stride 1: windows (3,3) (3,1) (1,3) pick positions 0, 1, 3.
  Window w{{1, 2}, {1, 1}, {0, 0}, {0, 0}};
  auto out = CompileAndRun(MaxPoolGradModule({1, 4}, w), {F32Buffer({1, 4}, {3, 3, 1, 3}), F32Buffer({1, 3}, {10, 20, 40})});
  EXPECT_EQ(Values<float>(out[0]), (std::vector<float>{10, 20, 0, 40}));
}

}  // namespace
}  // namespace xlaprune::cpu::testing
