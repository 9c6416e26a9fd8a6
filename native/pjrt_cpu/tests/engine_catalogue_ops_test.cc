// The element-wise ops added through the op catalogue (sqrt, tanh, floor, abs, sign, power,
// clamp): each against a naive reference and hand-computed edge cases (NaN, infinities, -0,
// negative bases), on the unfused path and, for f32, the fused path, which must give the same
// bits. Also the element types each op accepts, as XLA's shape inference does.
#include <limits>

#include "engine_test_util.h"

namespace xlaprune::cpu::testing {
namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();
const float kInf = std::numeric_limits<float>::infinity();

bool Fused(const Executable& e) { return e.optimized_program_text().find("fused={") != std::string::npos; }

// Runs the module with fusion off and on; checks which path each took and that both agree bit
// for bit; returns the (unfused) first output.
template <typename T>
std::vector<T> RunBothPaths(ModuleBuilder& m, const std::vector<Buffer>& args, bool fusible) {
  const std::string module = m.Serialize();
  CompileConfig unfused_config;
  unfused_config.fusion = false;
  auto unfused = Executable::Compile(module.data(), module.size(), unfused_config);
  auto fused = Executable::Compile(module.data(), module.size(), CompileConfig{});
  EXPECT_FALSE(Fused(*unfused)) << unfused->optimized_program_text();
  EXPECT_EQ(Fused(*fused), fusible) << fused->optimized_program_text();
  const std::vector<bool> donated(args.size(), false);
  auto a = Values<T>(unfused->Execute(args, donated, 0, nullptr)[0]);
  auto b = Values<T>(fused->Execute(args, donated, 0, nullptr)[0]);
  if constexpr (std::is_same_v<T, float>) ExpectSameBits(b, a);
  else EXPECT_EQ(b, a);
  return a;
}

template <typename T>
std::vector<T> RunUnary(const std::string& opcode, ElementType type, const std::vector<T>& x) {
  const std::vector<int64_t> dims{static_cast<int64_t>(x.size())};
  ModuleBuilder m;
  m.Begin("main");
  int64_t p = m.Parameter(ShapeOf(type, dims));
  m.End(m.Add(opcode, ShapeOf(type, dims), {p}).id());
  return RunBothPaths<T>(m, {MakeBuffer<T>(type, dims, x)}, type == ElementType::kF32);
}

template <typename T>
std::vector<T> RunBinary(const std::string& opcode, ElementType type, const std::vector<T>& a, const std::vector<T>& b) {
  const std::vector<int64_t> dims{static_cast<int64_t>(a.size())};
  ModuleBuilder m;
  m.Begin("main");
  int64_t p = m.Parameter(ShapeOf(type, dims));
  int64_t q = m.Parameter(ShapeOf(type, dims));
  m.End(m.Add(opcode, ShapeOf(type, dims), {p, q}).id());
  return RunBothPaths<T>(m, {MakeBuffer<T>(type, dims, a), MakeBuffer<T>(type, dims, b)}, type == ElementType::kF32);
}

// Random values, then the edge cases, so the fused path sees several blocks and a tail.
std::vector<float> WithEdges(std::vector<float> edges, uint32_t seed, float lo, float hi) {
  auto v = Random(1500, seed, lo, hi);
  v.insert(v.end(), edges.begin(), edges.end());
  return v;
}

bool SameBits(float a, float b) { return (std::isnan(a) && std::isnan(b)) || std::memcmp(&a, &b, sizeof a) == 0; }

// Every element equals f(x) computed naively in double and rounded once to f32.
void ExpectEachIs(const std::vector<float>& x, const std::vector<float>& got, double (*f)(double)) {
  ASSERT_EQ(got.size(), x.size());
  int misses = 0;
  for (size_t i = 0; i < x.size(); i++) {
    float want = static_cast<float>(f(static_cast<double>(x[i])));
    if (!SameBits(got[i], want) && ++misses <= 5) ADD_FAILURE() << "x = " << x[i] << ": got " << got[i] << ", want " << want;
  }
  EXPECT_EQ(misses, 0);
}

TEST(EngineCatalogueOps, SqrtIsCorrectlyRounded) {
  auto x = WithEdges({0.0f, -0.0f, -1.0f, kInf, -kInf, kNaN, 4.0f, 1e-40f}, 21, 0, 1000);
  auto got = RunUnary<float>("sqrt", ElementType::kF32, x);
  ExpectEachIs(x, got, [](double v) { return std::sqrt(v); });
  const size_t e = 1500;
  EXPECT_TRUE(std::signbit(got[e + 1]) && got[e + 1] == 0.0f) << "sqrt(-0) = -0";
  EXPECT_TRUE(std::isnan(got[e + 2]));
  EXPECT_EQ(got[e + 3], kInf);
  EXPECT_TRUE(std::isnan(got[e + 4]));
  EXPECT_EQ(got[e + 6], 2.0f);
}

TEST(EngineCatalogueOps, TanhWithinTwoUlpAndSaturates) {
  auto x = WithEdges({0.0f, -0.0f, kInf, -kInf, kNaN, 20.0f, -20.0f}, 22, -6, 6);
  auto got = RunUnary<float>("tanh", ElementType::kF32, x);
  for (size_t i = 0; i < x.size(); i++) {
    double want = std::tanh(static_cast<double>(x[i]));
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(got[i])) << i;
      continue;
    }
    EXPECT_NEAR(got[i], want, std::fabs(want) * 2.4e-7 + 1e-45) << "x = " << x[i];
  }
  const size_t e = 1500;
  EXPECT_TRUE(std::signbit(got[e + 1]) && got[e + 1] == 0.0f) << "tanh(-0) = -0";
  EXPECT_EQ(got[e + 2], 1.0f);
  EXPECT_EQ(got[e + 3], -1.0f);
  EXPECT_EQ(got[e + 5], 1.0f);
  EXPECT_EQ(got[e + 6], -1.0f);
}

TEST(EngineCatalogueOps, FloorRoundsTowardMinusInfinity) {
  auto x = WithEdges({-0.5f, -0.0f, 2.5f, -2.5f, kInf, -kInf, kNaN, 1e30f, -1e-30f}, 23, -100, 100);
  auto got = RunUnary<float>("floor", ElementType::kF32, x);
  ExpectEachIs(x, got, [](double v) { return std::floor(v); });
  const size_t e = 1500;
  EXPECT_EQ(got[e + 0], -1.0f);
  EXPECT_TRUE(std::signbit(got[e + 1]) && got[e + 1] == 0.0f) << "floor(-0) = -0";
  EXPECT_EQ(got[e + 2], 2.0f);
  EXPECT_EQ(got[e + 3], -3.0f);
  EXPECT_EQ(got[e + 4], kInf);
  EXPECT_EQ(got[e + 5], -kInf);
  EXPECT_TRUE(std::isnan(got[e + 6]));
  EXPECT_EQ(got[e + 7], 1e30f);
  EXPECT_EQ(got[e + 8], -1.0f);
  // f64 runs unfused only.
  EXPECT_EQ(RunUnary<double>("floor", ElementType::kF64, {-0.25, 7.75}), (std::vector<double>{-1.0, 7.0}));
}

TEST(EngineCatalogueOps, AbsClearsTheSignBit) {
  auto x = WithEdges({-0.0f, -kInf, kInf, -3.5f, kNaN}, 24, -50, 50);
  auto got = RunUnary<float>("abs", ElementType::kF32, x);
  ExpectEachIs(x, got, [](double v) { return std::fabs(v); });
  const size_t e = 1500;
  EXPECT_FALSE(std::signbit(got[e + 0])) << "abs(-0) = +0";
  EXPECT_EQ(got[e + 1], kInf);
  EXPECT_EQ(got[e + 3], 3.5f);
  const int32_t min = std::numeric_limits<int32_t>::min();
  EXPECT_EQ(RunUnary<int32_t>("abs", ElementType::kS32, {-5, 0, 7, min}), (std::vector<int32_t>{5, 0, 7, min})) << "abs(MIN) wraps to MIN";
  EXPECT_EQ(RunUnary<uint32_t>("abs", ElementType::kU32, {0, 9}), (std::vector<uint32_t>{0, 9}));
}

TEST(EngineCatalogueOps, SignKeepsNaNAndSignedZero) {
  auto x = WithEdges({-0.0f, 0.0f, kNaN, -kInf, kInf, 1e-45f, -1e-45f}, 25, -3, 3);
  auto got = RunUnary<float>("sign", ElementType::kF32, x);
  ExpectEachIs(x, got, [](double v) { return std::isnan(v) || v == 0 ? v : (v > 0 ? 1.0 : -1.0); });
  const size_t e = 1500;
  EXPECT_TRUE(std::signbit(got[e + 0]) && got[e + 0] == 0.0f) << "sign(-0) = -0";
  EXPECT_TRUE(!std::signbit(got[e + 1]) && got[e + 1] == 0.0f);
  EXPECT_TRUE(std::isnan(got[e + 2]));
  EXPECT_EQ(got[e + 3], -1.0f);
  EXPECT_EQ(got[e + 4], 1.0f);
  EXPECT_EQ(got[e + 5], 1.0f);
  EXPECT_EQ(got[e + 6], -1.0f);
  EXPECT_EQ(RunUnary<int32_t>("sign", ElementType::kS32, {-7, 0, 3, std::numeric_limits<int32_t>::min()}), (std::vector<int32_t>{-1, 0, 1, -1}));
}

TEST(EngineCatalogueOps, PowerOfNegativeBasesAndSpecialValues) {
  auto a = Random(1500, 26, 0, 10), b = Random(1500, 27, -3, 3);
  const std::vector<float> ea{-2, -2, -8, 2, 0, kNaN, kInf, 0, -0.0f, 1, -kInf};
  const std::vector<float> eb{0.5f, 3, 1.0f / 3, -1, 0, 0, -1, -1, 3, kNaN, 3};
  a.insert(a.end(), ea.begin(), ea.end());
  b.insert(b.end(), eb.begin(), eb.end());
  auto got = RunBinary<float>("power", ElementType::kF32, a, b);
  for (size_t i = 0; i < a.size(); i++) {
    float want = static_cast<float>(std::pow(static_cast<double>(a[i]), static_cast<double>(b[i])));
    EXPECT_TRUE(SameBits(got[i], want)) << a[i] << " ^ " << b[i] << ": got " << got[i] << ", want " << want;
  }
  const size_t e = 1500;
  EXPECT_TRUE(std::isnan(got[e + 0])) << "negative base, non-integer exponent";
  EXPECT_EQ(got[e + 1], -8.0f);
  EXPECT_TRUE(std::isnan(got[e + 2]));
  EXPECT_EQ(got[e + 3], 0.5f);
  EXPECT_EQ(got[e + 4], 1.0f) << "0 ^ 0 = 1";
  EXPECT_EQ(got[e + 5], 1.0f) << "NaN ^ 0 = 1";
  EXPECT_EQ(got[e + 6], 0.0f);
  EXPECT_EQ(got[e + 7], kInf) << "0 ^ -1";
  EXPECT_TRUE(std::signbit(got[e + 8]) && got[e + 8] == 0.0f) << "(-0) ^ 3 = -0";
  EXPECT_EQ(got[e + 9], 1.0f) << "1 ^ NaN = 1";
  EXPECT_EQ(got[e + 10], -kInf);
}

TEST(EngineCatalogueOps, IntegerPowerIsExactAndWraps) {
  auto got = RunBinary<int32_t>("power", ElementType::kS32, {3, 2, -2, 2, 1, -1, -1, 0, 7, 5},
                                {4, 31, 3, -1, -3, -3, -2, 0, 0, 13});
  EXPECT_EQ(got, (std::vector<int32_t>{81, std::numeric_limits<int32_t>::min(), -8, 0, 1, -1, 1, 1, 1, 1220703125}));
  auto big = RunBinary<int64_t>("power", ElementType::kS64, {3, 10}, {39, 18});
  EXPECT_EQ(big, (std::vector<int64_t>{4052555153018976267LL, 1000000000000000000LL}));
}

// clamp(min, x, max), with scalar or full-shaped bounds.
std::vector<float> RunClamp(const std::vector<float>& lo, const std::vector<float>& x, const std::vector<float>& hi) {
  const std::vector<int64_t> dims{static_cast<int64_t>(x.size())};
  auto dims_of = [&](const std::vector<float>& v) { return v.size() == 1 ? std::vector<int64_t>{} : dims; };
  ModuleBuilder m;
  m.Begin("main");
  int64_t a = m.Parameter(F32(dims_of(lo)));
  int64_t p = m.Parameter(F32(dims));
  int64_t b = m.Parameter(F32(dims_of(hi)));
  m.End(m.Add("clamp", F32(dims), {a, p, b}).id());
  return RunBothPaths<float>(m, {F32Buffer(dims_of(lo), lo), F32Buffer(dims, x), F32Buffer(dims_of(hi), hi)}, true);
}

float NaiveClamp(float lo, float x, float hi) {
  if (std::isnan(lo) || std::isnan(x) || std::isnan(hi)) return kNaN;
  return x < lo ? lo : (x > hi ? hi : x);
}

TEST(EngineCatalogueOps, ClampWithScalarBounds) {
  auto x = WithEdges({kNaN, kInf, -kInf, -1.0f, 1.0f}, 28, -3, 3);
  auto got = RunClamp({-1.0f}, x, {1.0f});
  for (size_t i = 0; i < x.size(); i++) EXPECT_TRUE(SameBits(got[i], NaiveClamp(-1, x[i], 1))) << x[i] << " -> " << got[i];
  const size_t e = 1500;
  EXPECT_TRUE(std::isnan(got[e + 0]));
  EXPECT_EQ(got[e + 1], 1.0f);
  EXPECT_EQ(got[e + 2], -1.0f);
}

TEST(EngineCatalogueOps, ClampWithArrayBoundsAndNaNBounds) {
  const std::vector<float> lo{0, 0, kNaN, -5, 2}, x{-1, 0.5f, 3, 7, 9}, hi{1, 1, 4, kNaN, 3};
  auto got = RunClamp(lo, x, hi);
  for (size_t i = 0; i < x.size(); i++) EXPECT_TRUE(SameBits(got[i], NaiveClamp(lo[i], x[i], hi[i]))) << i;
  EXPECT_EQ(got[0], 0.0f);
  EXPECT_EQ(got[1], 0.5f);
  EXPECT_TRUE(std::isnan(got[2])) << "a NaN bound gives NaN, as maximum and minimum do";
  EXPECT_TRUE(std::isnan(got[3]));
  EXPECT_EQ(got[4], 3.0f);
}

TEST(EngineCatalogueOps, ClampOfIntegersWithScalarBounds) {
  ModuleBuilder m;
  m.Begin("main");
  int64_t a = m.Parameter(ShapeOf(ElementType::kS32, {}));
  int64_t p = m.Parameter(ShapeOf(ElementType::kS32, {5}));
  int64_t b = m.Parameter(ShapeOf(ElementType::kS32, {}));
  m.End(m.Add("clamp", ShapeOf(ElementType::kS32, {5}), {a, p, b}).id());
  auto got = RunBothPaths<int32_t>(m, {MakeBuffer<int32_t>(ElementType::kS32, {}, {-2}), MakeBuffer<int32_t>(ElementType::kS32, {5}, {-9, -2, 0, 4, 100}),
                                       MakeBuffer<int32_t>(ElementType::kS32, {}, {4})}, false);
  EXPECT_EQ(got, (std::vector<int32_t>{-2, -2, 0, 4, 4}));
}

// relu6(floor(x * 4) / 4): the new ops inside one fused group, a constant scalar bound included.
TEST(EngineCatalogueOps, NewOpsFuseIntoOneChain) {
  const std::vector<int64_t> dims{3, 700};
  ModuleBuilder m;
  m.Begin("main");
  int64_t x = m.Parameter(F32(dims));
  int64_t four = m.Add("broadcast", F32(dims), {m.Constant(4.0f)}).id();
  int64_t scaled = m.Add("multiply", F32(dims), {x, four}).id();
  int64_t floored = m.Add("floor", F32(dims), {scaled}).id();
  int64_t back = m.Add("divide", F32(dims), {floored, four}).id();
  int64_t magnitude = m.Add("abs", F32(dims), {back}).id();
  int64_t signed_back = m.Add("multiply", F32(dims), {magnitude, m.Add("sign", F32(dims), {back}).id()}).id();
  m.End(m.Add("clamp", F32(dims), {m.Constant(0.0f), signed_back, m.Constant(6.0f)}).id());
  auto in = Random(Count(dims), 29, -10, 10);
  auto got = RunBothPaths<float>(m, {F32Buffer(dims, in)}, true);
  for (size_t i = 0; i < in.size(); i++) {
    float q = std::floor(in[i] * 4.0f) / 4.0f;
    float want = NaiveClamp(0, std::fabs(q) * (q > 0 ? 1.0f : q < 0 ? -1.0f : q), 6);
    EXPECT_TRUE(SameBits(got[i], want)) << in[i] << ": got " << got[i] << ", want " << want;
  }
}

// Cost analysis reads each op's cost class: floor, clamp and abs are arithmetic (a flop per
// element), tanh and power transcendentals; bytes are operands read plus the result written.
TEST(EngineCatalogueOps, CostAnalysisCountsByCostClass) {
  ModuleBuilder m;
  m.Begin("main");
  int64_t x = m.Parameter(F32({10}));
  int64_t floored = m.Add("floor", F32({10}), {x}).id();
  int64_t t = m.Add("tanh", F32({10}), {floored}).id();
  int64_t p = m.Add("power", F32({10}), {t, x}).id();
  int64_t c = m.Add("clamp", F32({10}), {m.Constant(-1.0f), p, m.Constant(1.0f)}).id();
  m.End(m.Add("abs", F32({10}), {c}).id());
  const std::string module = m.Serialize();
  CompileConfig config;
  config.fusion = false;
  CostAnalysis cost = Executable::Compile(module.data(), module.size(), config)->cost_analysis();
  EXPECT_EQ(cost.flops, 30.0);
  EXPECT_EQ(cost.transcendentals, 20.0);
  EXPECT_EQ(cost.bytes_accessed, 80.0 + 80.0 + 120.0 + 88.0 + 80.0);
}

// XLA's element-type rules for the new ops, with the op named in the error.
void ExpectRejected(const std::string& opcode, ElementType type, const std::string& message, int operands = 1) {
  ModuleBuilder m;
  m.Begin("main");
  std::vector<int64_t> ps;
  for (int i = 0; i < operands; i++) ps.push_back(m.Parameter(ShapeOf(type, {3})));
  m.End(m.Add(opcode, ShapeOf(type, {3}), ps).id());
  const std::string module = m.Serialize();
  try {
    Executable::Compile(module.data(), module.size(), CompileConfig{});
    ADD_FAILURE() << opcode << " compiled";
  } catch (const EngineError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
  }
}

TEST(EngineCatalogueOps, ElementTypesAreCheckedAsXlaDoes) {
  ExpectRejected("floor", ElementType::kS32, "floor needs a floating-point operand, got s32[3]");
  ExpectRejected("sqrt", ElementType::kS32, "sqrt needs a floating-point operand, got s32[3]");
  ExpectRejected("tanh", ElementType::kU8, "tanh needs a floating-point operand, got u8[3]");
  ExpectRejected("sign", ElementType::kU32, "sign needs a signed or floating-point operand, got u32[3]");
  ExpectRejected("abs", ElementType::kPred, "abs needs a numeric operand, got pred[3]");
  ExpectRejected("power", ElementType::kPred, "power needs a numeric operand, got pred[3]", 2);
  ExpectRejected("clamp", ElementType::kPred, "clamp needs a numeric operand, got pred[3]", 3);
}

TEST(EngineCatalogueOps, ClampBoundsMustBeScalarsOrMatch) {
  ModuleBuilder m;
  m.Begin("main");
  int64_t a = m.Parameter(F32({2}));
  int64_t p = m.Parameter(F32({3}));
  int64_t b = m.Parameter(F32({}));
  m.End(m.Add("clamp", F32({3}), {a, p, b}).id());
  const std::string module = m.Serialize();
  try {
    Executable::Compile(module.data(), module.size(), CompileConfig{});
    ADD_FAILURE() << "clamp with an f32[2] bound compiled";
  } catch (const EngineError& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("clamp bounds must be scalars or match the operand"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace xlaprune::cpu::testing
