// Element-wise ops, compare/select, chains that a fusing engine would run as one loop (their
// results pinned bit for bit), rng-bit-generator determinism and a two-replica all-reduce.
#include <limits>
#include <thread>

#include "engine_test_util.h"

namespace xlaprune::cpu::testing {
namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

std::vector<Buffer> Unary(const std::string& opcode, ElementType type, const Buffer& x) {
  ModuleBuilder m;
  m.Begin("main");
  int64_t p = m.Parameter(ShapeOf(type, x->shape().dims));
  m.End(m.Add(opcode, ShapeOf(type, x->shape().dims), {p}).id());
  return CompileAndRun(m, {x});
}

std::vector<Buffer> Binary(const std::string& opcode, ElementType type, const Buffer& a, const Buffer& b) {
  ModuleBuilder m;
  m.Begin("main");
  int64_t p = m.Parameter(ShapeOf(type, a->shape().dims));
  int64_t q = m.Parameter(ShapeOf(type, b->shape().dims));
  m.End(m.Add(opcode, ShapeOf(type, a->shape().dims), {p, q}).id());
  return CompileAndRun(m, {a, b});
}

// f32 arithmetic is exact IEEE: the engine must give the bits the same single operation gives.
void CheckBinaryF32(const std::string& opcode, float (*f)(float, float), uint32_t seed) {
  const std::vector<int64_t> shape{4, 37, 3, 3};
  auto a = Random(Count(shape), seed, -4, 4), b = Random(Count(shape), seed + 1, -4, 4);
  auto out = Binary(opcode, ElementType::kF32, F32Buffer(shape, a), F32Buffer(shape, b));
  std::vector<float> want;
  for (size_t i = 0; i < a.size(); i++) want.push_back(f(a[i], b[i]));
  ExpectSameBits(Values<float>(out[0]), want);
}

TEST(EngineElementwise, Add) { CheckBinaryF32("add", [](float a, float b) { return a + b; }, 1); }
TEST(EngineElementwise, Subtract) { CheckBinaryF32("subtract", [](float a, float b) { return a - b; }, 2); }
TEST(EngineElementwise, Multiply) { CheckBinaryF32("multiply", [](float a, float b) { return a * b; }, 3); }
TEST(EngineElementwise, Divide) { CheckBinaryF32("divide", [](float a, float b) { return a / b; }, 4); }
TEST(EngineElementwise, Maximum) { CheckBinaryF32("maximum", [](float a, float b) { return a > b ? a : b; }, 5); }
TEST(EngineElementwise, Minimum) { CheckBinaryF32("minimum", [](float a, float b) { return a < b ? a : b; }, 6); }

TEST(EngineElementwise, MaximumAndMinimumPropagateNaNFromEitherSide) {
  std::vector<float> a{kNaN, 1.0f, kNaN, -kInf, 0.0f}, b{1.0f, kNaN, kNaN, kNaN, -2.0f};
  auto mx = Values<float>(Binary("maximum", ElementType::kF32, F32Buffer({5}, a), F32Buffer({5}, b))[0]);
  auto mn = Values<float>(Binary("minimum", ElementType::kF32, F32Buffer({5}, a), F32Buffer({5}, b))[0]);
  for (int i = 0; i < 4; i++) {
    EXPECT_TRUE(std::isnan(mx[i])) << i;
    EXPECT_TRUE(std::isnan(mn[i])) << i;
  }
  EXPECT_EQ(mx[4], 0.0f);
  EXPECT_EQ(mn[4], -2.0f);
}

TEST(EngineElementwise, DivideByZeroGivesInfinitiesAndNaN) {
  auto got = Values<float>(Binary("divide", ElementType::kF32, F32Buffer({3}, {1, -1, 0}), F32Buffer({3}, {0, 0, 0}))[0]);
  EXPECT_EQ(got[0], kInf);
  EXPECT_EQ(got[1], -kInf);
  EXPECT_TRUE(std::isnan(got[2]));
}

TEST(EngineElementwise, IntegerDivisionByZeroIsMinusOne) {
  auto got = Values<int32_t>(Binary("divide", ElementType::kS32, MakeBuffer<int32_t>(ElementType::kS32, {3}, {7, -7, 0}),
                                    MakeBuffer<int32_t>(ElementType::kS32, {3}, {0, 2, 0}))[0]);
  EXPECT_EQ(got, (std::vector<int32_t>{-1, -3, -1}));
}

// XLA defines INT_MIN / -1 as INT_MIN; the host division would trap (SIGFPE) on x86.
TEST(EngineElementwise, IntegerDivisionOverflowIsIntMin) {
  auto got = Values<int32_t>(Binary("divide", ElementType::kS32, MakeBuffer<int32_t>(ElementType::kS32, {1}, {std::numeric_limits<int32_t>::min()}),
                                    MakeBuffer<int32_t>(ElementType::kS32, {1}, {-1}))[0]);
  EXPECT_EQ(got, (std::vector<int32_t>{std::numeric_limits<int32_t>::min()}));
}

// Transcendentals: within 2 ulp-ish of the double-precision value (vectorised approximations allowed).
void CheckUnaryF32(const std::string& opcode, double (*f)(double), float lo, float hi, uint32_t seed) {
  const std::vector<int64_t> shape{4, 65, 5};
  auto x = Random(Count(shape), seed, lo, hi);
  auto got = Values<float>(Unary(opcode, ElementType::kF32, F32Buffer(shape, x))[0]);
  Reference ref;
  for (float v : x) {
    ref.value.push_back(f(v));
    ref.magnitude.push_back(std::fabs(f(v)));
  }
  ExpectNear(got, ref, 3e-7);
}

TEST(EngineElementwise, Exponential) { CheckUnaryF32("exponential", [](double x) { return std::exp(x); }, -10, 10, 11); }
TEST(EngineElementwise, Log) { CheckUnaryF32("log", [](double x) { return std::log(x); }, 1e-3f, 100, 12); }
TEST(EngineElementwise, Sqrt) { CheckUnaryF32("sqrt", [](double x) { return std::sqrt(x); }, 0, 100, 13); }
TEST(EngineElementwise, Rsqrt) { CheckUnaryF32("rsqrt", [](double x) { return 1 / std::sqrt(x); }, 1e-3f, 100, 14); }
TEST(EngineElementwise, Tanh) { CheckUnaryF32("tanh", [](double x) { return std::tanh(x); }, -5, 5, 15); }
TEST(EngineElementwise, Negate) { CheckUnaryF32("negate", [](double x) { return -x; }, -5, 5, 16); }
TEST(EngineElementwise, Abs) { CheckUnaryF32("abs", [](double x) { return std::fabs(x); }, -5, 5, 17); }

TEST(EngineElementwise, SpecialValuesOfTranscendentals) {
  auto x = F32Buffer({4}, {0.0f, -1.0f, kInf, kNaN});
  auto log = Values<float>(Unary("log", ElementType::kF32, x)[0]);
  EXPECT_EQ(log[0], -kInf);
  EXPECT_TRUE(std::isnan(log[1]));
  EXPECT_EQ(log[2], kInf);
  EXPECT_TRUE(std::isnan(log[3]));
  auto rsqrt = Values<float>(Unary("rsqrt", ElementType::kF32, x)[0]);
  EXPECT_EQ(rsqrt[0], kInf);
  EXPECT_TRUE(std::isnan(rsqrt[1]));
  EXPECT_EQ(rsqrt[2], 0.0f);
  auto exp = Values<float>(Unary("exponential", ElementType::kF32, F32Buffer({3}, {-kInf, 0.0f, 100.0f}))[0]);
  EXPECT_EQ(exp, (std::vector<float>{0.0f, 1.0f, kInf}));
}

TEST(EngineElementwise, SignKeepsNaN) {
  auto got = Values<float>(Unary("sign", ElementType::kF32, F32Buffer({4}, {-3.0f, 0.0f, 2.0f, kNaN}))[0]);
  EXPECT_EQ(got[0], -1.0f);
  EXPECT_EQ(got[1], 0.0f);
  EXPECT_EQ(got[2], 1.0f);
  EXPECT_TRUE(std::isnan(got[3]));
}

TEST(EngineElementwise, PowerHandComputed) {
  auto got = Values<float>(Binary("power", ElementType::kF32, F32Buffer({4}, {2, 9, -2, 0}), F32Buffer({4}, {10, 0.5f, 3, 0}))[0]);
  EXPECT_EQ(got, (std::vector<float>{1024, 3, -8, 1}));
}

TEST(EngineElementwise, LogicOnPredAndS32) {
  auto a = MakeBuffer<uint8_t>(ElementType::kPred, {4}, {0, 0, 1, 1});
  auto b = MakeBuffer<uint8_t>(ElementType::kPred, {4}, {0, 1, 0, 1});
  EXPECT_EQ(Values<uint8_t>(Binary("and", ElementType::kPred, a, b)[0]), (std::vector<uint8_t>{0, 0, 0, 1}));
  EXPECT_EQ(Values<uint8_t>(Binary("or", ElementType::kPred, a, b)[0]), (std::vector<uint8_t>{0, 1, 1, 1}));
  EXPECT_EQ(Values<uint8_t>(Binary("xor", ElementType::kPred, a, b)[0]), (std::vector<uint8_t>{0, 1, 1, 0}));
  EXPECT_EQ(Values<uint8_t>(Unary("not", ElementType::kPred, a)[0]), (std::vector<uint8_t>{1, 1, 0, 0}));
  auto i = MakeBuffer<int32_t>(ElementType::kS32, {2}, {0x0F0F, -1});
  auto j = MakeBuffer<int32_t>(ElementType::kS32, {2}, {0x00FF, 5});
  EXPECT_EQ(Values<int32_t>(Binary("and", ElementType::kS32, i, j)[0]), (std::vector<int32_t>{0x000F, 5}));
  EXPECT_EQ(Values<int32_t>(Binary("xor", ElementType::kS32, i, j)[0]), (std::vector<int32_t>{0x0FF0, -6}));
  EXPECT_EQ(Values<int32_t>(Unary("not", ElementType::kS32, i)[0]), (std::vector<int32_t>{~0x0F0F, 0}));
}

TEST(EngineElementwise, CompareEveryDirectionWithNaN) {
  std::vector<float> a{1, 2, 3, kNaN, kNaN}, b{2, 2, 2, 1, kNaN};
  const std::vector<std::pair<std::string, std::vector<uint8_t>>> cases = {
      {"EQ", {0, 1, 0, 0, 0}}, {"NE", {1, 0, 1, 1, 1}}, {"LT", {1, 0, 0, 0, 0}},
      {"LE", {1, 1, 0, 0, 0}}, {"GT", {0, 0, 1, 0, 0}}, {"GE", {0, 1, 1, 0, 0}}};
  for (const auto& [direction, want] : cases) {
    ModuleBuilder m;
    m.Begin("main");
    int64_t p = m.Parameter(F32({5}));
    int64_t q = m.Parameter(F32({5}));
    xla::HloInstructionProto& c = m.Add("compare", ShapeOf(ElementType::kPred, {5}), {p, q});
    c.set_comparison_direction(direction);
    m.End(c.id());
    EXPECT_EQ(Values<uint8_t>(CompileAndRun(m, {F32Buffer({5}, a), F32Buffer({5}, b)})[0]), want) << direction;
  }
}

TEST(EngineElementwise, SelectAndClamp) {
  ModuleBuilder m;
  m.Begin("main");
  int64_t p = m.Parameter(ShapeOf(ElementType::kPred, {4}));
  int64_t a = m.Parameter(F32({4}));
  int64_t b = m.Parameter(F32({4}));
  int64_t sel = m.Add("select", F32({4}), {p, a, b}).id();
  int64_t lo = m.Constant(-1.0f);
  int64_t hi = m.Constant(1.0f);
  int64_t clamp = m.Add("clamp", F32({4}), {lo, sel, hi}).id();
  m.End(m.Add("tuple", TupleOf({F32({4}), F32({4})}), {sel, clamp}).id());
  auto out = CompileAndRun(m, {MakeBuffer<uint8_t>(ElementType::kPred, {4}, {1, 0, 1, 0}), F32Buffer({4}, {5, 6, -7, 8}), F32Buffer({4}, {0.5f, -0.25f, 3, kNaN})});
  ASSERT_EQ(out.size(), 2u);
  auto s = Values<float>(out[0]);
  EXPECT_EQ(s[0], 5);
  EXPECT_EQ(s[1], -0.25f);
  EXPECT_EQ(s[2], -7);
  EXPECT_TRUE(std::isnan(s[3]));
  auto c = Values<float>(out[1]);
  EXPECT_EQ(c[0], 1);
  EXPECT_EQ(c[1], -0.25f);
  EXPECT_EQ(c[2], -1);
  EXPECT_TRUE(std::isnan(c[3]));
}

// ---- chains a fusing engine would merge --------------------------------------------------------

// relu((x + broadcast(bias)) * broadcast(scale)), also returning the pre-activation, on a shape
// big enough to be split across threads; the channel dimension is `channel_dim` of `shape`.
void CheckBiasScaleRelu(const std::vector<int64_t>& shape, int64_t channel_dim, uint32_t seed) {
  const int64_t channels = shape[static_cast<size_t>(channel_dim)];
  ModuleBuilder m;
  m.Begin("main");
  int64_t x = m.Parameter(F32(shape));
  int64_t bias = m.Parameter(F32({channels}));
  int64_t scale = m.Parameter(F32({channels}));
  xla::HloInstructionProto& bb = m.Add("broadcast", F32(shape), {bias});
  bb.add_dimensions(channel_dim);
  int64_t bb_id = bb.id();
  xla::HloInstructionProto& sb = m.Add("broadcast", F32(shape), {scale});
  sb.add_dimensions(channel_dim);
  int64_t sb_id = sb.id();
  int64_t sum = m.Add("add", F32(shape), {x, bb_id}).id();
  int64_t prod = m.Add("multiply", F32(shape), {sum, sb_id}).id();
  int64_t zero = m.Constant(0.0f);
  int64_t zeros = m.Add("broadcast", F32(shape), {zero}).id();
  int64_t relu = m.Add("maximum", F32(shape), {prod, zeros}).id();
  m.End(m.Add("tuple", TupleOf({F32(shape), F32(shape)}), {relu, prod}).id());

  auto xv = Random(Count(shape), seed), bv = Random(channels, seed + 1), sv = Random(channels, seed + 2, 0.5f, 2.0f);
  xv[5] = kNaN;  // a NaN must survive max(., 0)
  auto out = CompileAndRun(m, {F32Buffer(shape, xv), F32Buffer({channels}, bv), F32Buffer({channels}, sv)});
  ASSERT_EQ(out.size(), 2u);
  int64_t inner = 1;  // elements per step of the channel index
  for (size_t d = static_cast<size_t>(channel_dim) + 1; d < shape.size(); d++) inner *= shape[d];
  std::vector<float> want_relu, want_prod;
  for (size_t i = 0; i < xv.size(); i++) {
    size_t c = (i / static_cast<size_t>(inner)) % static_cast<size_t>(channels);
    float p = (xv[i] + bv[c]) * sv[c];
    want_prod.push_back(p);
    want_relu.push_back(std::isnan(p) ? kNaN : (p > 0.0f ? p : 0.0f));
  }
  ExpectSameBits(Values<float>(out[0]), want_relu);
  ExpectSameBits(Values<float>(out[1]), want_prod);
}

TEST(EngineFusedChains, BiasScaleReluMatchesSeparateOps) { CheckBiasScaleRelu({4, 64, 16, 16}, 1, 31); }
// Channels-last: each block of the fusion starts at another phase of the repeated vectors (37
// does not divide the block size), and the vectors are shorter than a block.
TEST(EngineFusedChains, BiasScaleReluChannelsLast) { CheckBiasScaleRelu({4, 16, 16, 37}, 3, 51); }
TEST(EngineFusedChains, BiasScaleReluChannelsLastWideVectors) { CheckBiasScaleRelu({2, 4, 4, 700}, 3, 55); }

// One value read by several ops of the chain, and a chain feeding a reduce.
TEST(EngineFusedChains, FanOutAndChainIntoReduce) {
  const std::vector<int64_t> shape{4, 37, 7, 7};
  ModuleBuilder m;
  int64_t add = m.Binary("add");
  m.Begin("main");
  int64_t x = m.Parameter(F32(shape));
  int64_t y = m.Parameter(F32(shape));
  int64_t d = m.Add("subtract", F32(shape), {x, y}).id();
  int64_t sq = m.Add("multiply", F32(shape), {d, d}).id();
  int64_t e = m.Add("exponential", F32(shape), {d}).id();
  int64_t q = m.Add("divide", F32(shape), {sq, e}).id();
  int64_t zero = m.Constant(0.0f);
  xla::HloInstructionProto& r = m.Add("reduce", F32({37}), {q, zero});
  r.add_dimensions(0), r.add_dimensions(2), r.add_dimensions(3);
  r.add_called_computation_ids(add);
  m.End(r.id());

  auto xv = Random(Count(shape), 34), yv = Random(Count(shape), 35);
  auto out = CompileAndRun(m, {F32Buffer(shape, xv), F32Buffer(shape, yv)});
  Reference ref{std::vector<double>(37), std::vector<double>(37)};
  for (size_t i = 0; i < xv.size(); i++) {
    double dd = static_cast<double>(xv[i] - yv[i]);
    double t = dd * dd / std::exp(dd);
    ref.value[(i / 49) % 37] += t;
    ref.magnitude[(i / 49) % 37] += std::fabs(t);
  }
  ExpectNear(Values<float>(out[0]), ref, 2e-6);
}

// The same reduce where the reduced minor dimensions have size 1 ([N, C, 1, 1], a batch norm
// after the last pooling of a small image): the reduced elements of one channel are not
// contiguous, so a fused reduce cannot read them as one run.
TEST(EngineFusedChains, ChainIntoReduceOverUnitMinorDimensions) {
  const std::vector<int64_t> shape{5, 3, 1, 1};
  ModuleBuilder m;
  int64_t add = m.Binary("add");
  m.Begin("main");
  int64_t x = m.Parameter(F32(shape));
  int64_t y = m.Parameter(F32(shape));
  int64_t d = m.Add("subtract", F32(shape), {x, y}).id();
  int64_t sq = m.Add("multiply", F32(shape), {d, d}).id();
  int64_t zero = m.Constant(0.0f);
  xla::HloInstructionProto& r = m.Add("reduce", F32({3}), {sq, zero});
  r.add_dimensions(0), r.add_dimensions(2), r.add_dimensions(3);
  r.add_called_computation_ids(add);
  m.End(r.id());

  auto xv = Random(Count(shape), 38), yv = Random(Count(shape), 39);
  auto out = CompileAndRun(m, {F32Buffer(shape, xv), F32Buffer(shape, yv)});
  Reference ref{std::vector<double>(3), std::vector<double>(3)};
  for (size_t i = 0; i < xv.size(); i++) {
    double dd = static_cast<double>(xv[i] - yv[i]);
    ref.value[i % 3] += dd * dd;
    ref.magnitude[i % 3] += dd * dd;
  }
  ExpectNear(Values<float>(out[0]), ref, 2e-6);
}

// A chain into a reduce that keeps only the minor dimension (a batch norm of a channels-last
// array): rows of channels are read block by block, and a channel count wider than one block
// is read in pieces.
void CheckChainIntoLeadingReduce(const std::vector<int64_t>& shape, const std::string& reducer, uint32_t seed) {
  const int64_t channels = shape.back();
  ModuleBuilder m;
  int64_t op = m.Binary(reducer);
  m.Begin("main");
  int64_t x = m.Parameter(F32(shape));
  int64_t y = m.Parameter(F32(shape));
  int64_t d = m.Add("subtract", F32(shape), {x, y}).id();
  int64_t sq = m.Add("multiply", F32(shape), {d, d}).id();
  int64_t init = m.Constant(reducer == "add" ? 0.5f : -1.0f);
  xla::HloInstructionProto& r = m.Add("reduce", F32({channels}), {sq, init});
  for (size_t k = 0; k + 1 < shape.size(); k++) r.add_dimensions(static_cast<int64_t>(k));
  r.add_called_computation_ids(op);
  m.End(r.id());

  auto xv = Random(Count(shape), seed), yv = Random(Count(shape), seed + 1);
  auto out = CompileAndRun(m, {F32Buffer(shape, xv), F32Buffer(shape, yv)});
  const bool add = reducer == "add";
  Reference ref{std::vector<double>(static_cast<size_t>(channels), add ? 0.5 : -1.0), std::vector<double>(static_cast<size_t>(channels), 0.5)};
  for (size_t i = 0; i < xv.size(); i++) {
    double dd = static_cast<double>(xv[i] - yv[i]);
    double& v = ref.value[i % static_cast<size_t>(channels)];
    v = add ? v + dd * dd : std::max(v, dd * dd);
    ref.magnitude[i % static_cast<size_t>(channels)] += add ? dd * dd : 0.0;
  }
  ExpectNear(Values<float>(out[0]), ref, 2e-6);
}

TEST(EngineFusedChains, ChainIntoReduceKeepingChannelsLast) { CheckChainIntoLeadingReduce({4, 7, 7, 37}, "add", 40); }
TEST(EngineFusedChains, ChainIntoMaxKeepingMoreChannelsThanABlock) { CheckChainIntoLeadingReduce({3, 5, 1100}, "maximum", 42); }
TEST(EngineFusedChains, ChainIntoReduceKeepingRowsBetweenABlockAndATile) { CheckChainIntoLeadingReduce({4, 3, 700}, "add", 46); }
TEST(EngineFusedChains, ChainIntoReduceOfManyRowsKeepingFewChannels) { CheckChainIntoLeadingReduce({64, 16, 16, 8}, "add", 44); }

// An output that aliases a donated parameter: the chain may run in place, the result must not change.
TEST(EngineFusedChains, DonatedArgumentReusedForAliasedOutput) {
  const std::vector<int64_t> shape{1000};
  ModuleBuilder m;
  m.Begin("main");
  int64_t x = m.Parameter(F32(shape));
  int64_t y = m.Parameter(F32(shape));
  int64_t s = m.Add("add", F32(shape), {x, y}).id();
  int64_t t = m.Add("multiply", F32(shape), {s, x}).id();
  m.End(m.Add("maximum", F32(shape), {t, y}).id());
  auto* alias = m.proto().mutable_input_output_alias()->add_entries();
  alias->set_parameter_number(0);
  std::string module = m.Serialize();
  auto xv = Random(1000, 36), yv = Random(1000, 37);
  auto xb = F32Buffer(shape, xv);
  auto exe = Executable::Compile(module.data(), module.size(), CompileConfig{});
  ASSERT_EQ(exe->output_aliases(), (std::vector<int>{0}));
  auto out = exe->Execute({xb, F32Buffer(shape, yv)}, {true, false}, 0, nullptr);
  std::vector<float> want;
  for (size_t i = 0; i < xv.size(); i++) want.push_back(std::max((xv[i] + yv[i]) * xv[i], yv[i]));
  ExpectSameBits(Values<float>(out[0]), want);
  EXPECT_EQ(out[0]->data(), xb->data());
}

// ---- rng-bit-generator ------------------------------------------------------------------------

std::vector<Buffer> Rng(ElementType bits, int64_t n, uint64_t key, uint64_t counter) {
  ModuleBuilder m;
  m.Begin("main");
  int64_t s = m.Parameter(ShapeOf(ElementType::kU64, {2}));
  xla::HloInstructionProto& r = m.Add("rng-bit-generator", TupleOf({ShapeOf(ElementType::kU64, {2}), ShapeOf(bits, {n})}), {s});
  r.set_rng_algorithm(xla::RNG_DEFAULT);
  m.End(r.id());
  return CompileAndRun(m, {MakeBuffer<uint64_t>(ElementType::kU64, {2}, {key, counter})});
}

uint64_t SplitMix64(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

TEST(EngineRngBitGenerator, DocumentedCounterStreamAndDeterminism) {
  auto first = Rng(ElementType::kU64, 8, 42, 7);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(Values<uint64_t>(first[0]), (std::vector<uint64_t>{42, 15}));
  auto bits = Values<uint64_t>(first[1]);
  for (uint64_t i = 0; i < 8; i++) EXPECT_EQ(bits[i], SplitMix64(42 ^ SplitMix64(7 + i))) << i;
  // Same state, same bits; the next state continues the stream where this call stopped.
  EXPECT_EQ(Values<uint64_t>(Rng(ElementType::kU64, 8, 42, 7)[1]), bits);
  auto both = Values<uint64_t>(Rng(ElementType::kU64, 16, 42, 7)[1]);
  auto next = Values<uint64_t>(Rng(ElementType::kU64, 8, 42, 15)[1]);
  EXPECT_EQ(std::vector<uint64_t>(both.begin(), both.begin() + 8), bits);
  EXPECT_EQ(std::vector<uint64_t>(both.begin() + 8, both.end()), next);
  // Another key gives other bits.
  auto other = Values<uint64_t>(Rng(ElementType::kU64, 8, 43, 7)[1]);
  for (int i = 0; i < 8; i++) EXPECT_NE(other[i], bits[i]);
}

TEST(EngineRngBitGenerator, U32BitsAreTheHighHalves) {
  auto wide = Values<uint64_t>(Rng(ElementType::kU64, 5, 9, 0)[1]);
  auto narrow = Values<uint32_t>(Rng(ElementType::kU32, 5, 9, 0)[1]);
  for (int i = 0; i < 5; i++) EXPECT_EQ(narrow[i], static_cast<uint32_t>(wide[i] >> 32));
}

// ---- all-reduce over two replicas ---------------------------------------------------------------

TEST(EngineAllReduce, TwoReplicasSumTheirArguments) {
  ModuleBuilder m;
  int64_t sum = m.Binary("add");
  m.Begin("main");
  int64_t x = m.Parameter(F32({65}));
  xla::HloInstructionProto& ar = m.Add("all-reduce", F32({65}), {x});
  ar.add_called_computation_ids(sum);
  m.End(ar.id());
  std::string module = m.Serialize();
  CompileConfig config;
  config.num_replicas = 2;
  auto exe = Executable::Compile(module.data(), module.size(), config);
  auto hub = MakeCollectiveHub(2);
  auto a = Random(65, 41), b = Random(65, 42);
  std::vector<Buffer> out0, out1;
  std::thread replica1([&] { out1 = exe->Execute({F32Buffer({65}, b)}, {false}, 1, hub.get()); });
  out0 = exe->Execute({F32Buffer({65}, a)}, {false}, 0, hub.get());
  replica1.join();
  std::vector<float> want;
  for (int i = 0; i < 65; i++) want.push_back(a[i] + b[i]);
  ExpectSameBits(Values<float>(out0[0]), want);
  ExpectSameBits(Values<float>(out1[0]), want);
}

}  // namespace
}  // namespace xlaprune::cpu::testing
