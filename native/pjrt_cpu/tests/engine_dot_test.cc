// Dot general against a naive reference: plain matrix products, transposed contracting
// dimensions, batch dimensions, vectors, and sizes large enough for blocked kernels.
#include "engine_test_util.h"

namespace xlaprune::cpu::testing {
namespace {

struct Dot {
  std::vector<int64_t> lhs, rhs;
  std::vector<int64_t> lc, rc, lb, rb;

  // Batch dims, then lhs free dims, then rhs free dims (XLA's order).
  std::vector<int64_t> Free(const std::vector<int64_t>& dims, const std::vector<int64_t>& c, const std::vector<int64_t>& b) const {
    std::vector<int64_t> free;
    for (int64_t d = 0; d < static_cast<int64_t>(dims.size()); d++) {
      if (std::find(c.begin(), c.end(), d) == c.end() && std::find(b.begin(), b.end(), d) == b.end()) free.push_back(d);
    }
    return free;
  }
  std::vector<int64_t> Out() const {
    std::vector<int64_t> out;
    for (int64_t d : lb) out.push_back(lhs[d]);
    for (int64_t d : Free(lhs, lc, lb)) out.push_back(lhs[d]);
    for (int64_t d : Free(rhs, rc, rb)) out.push_back(rhs[d]);
    return out;
  }

  std::string Module() const {
    ModuleBuilder m("dot");
    m.Begin("main");
    int64_t l = m.Parameter(F32(lhs));
    int64_t r = m.Parameter(F32(rhs));
    xla::HloInstructionProto& d = m.Add("dot", F32(Out()), {l, r});
    auto* n = d.mutable_dot_dimension_numbers();
    for (int64_t v : lc) n->add_lhs_contracting_dimensions(v);
    for (int64_t v : rc) n->add_rhs_contracting_dimensions(v);
    for (int64_t v : lb) n->add_lhs_batch_dimensions(v);
    for (int64_t v : rb) n->add_rhs_batch_dimensions(v);
    m.End(d.id());
    return m.Serialize();
  }

  Reference Evaluate(const std::vector<float>& a, const std::vector<float>& b) const {
    auto od = Out();
    auto lf = Free(lhs, lc, lb), rf = Free(rhs, rc, rb);
    auto ls = StridesOf(lhs), rs = StridesOf(rhs);
    std::vector<int64_t> cdims;
    for (int64_t d : lc) cdims.push_back(lhs[d]);
    Reference ref{std::vector<double>(Count(od)), std::vector<double>(Count(od))};
    std::vector<int64_t> o(od.size(), 0);
    for (int64_t i = 0; i < Count(od); i++) {
      int64_t lbase = 0, rbase = 0;
      size_t at = 0;
      for (size_t k = 0; k < lb.size(); k++, at++) {
        lbase += o[at] * ls[lb[k]];
        rbase += o[at] * rs[rb[k]];
      }
      for (int64_t d : lf) lbase += o[at++] * ls[d];
      for (int64_t d : rf) rbase += o[at++] * rs[d];
      std::vector<int64_t> c(cdims.size(), 0);
      double sum = 0, mag = 0;
      do {
        int64_t lo = lbase, ro = rbase;
        for (size_t k = 0; k < c.size(); k++) {
          lo += c[k] * ls[lc[k]];
          ro += c[k] * rs[rc[k]];
        }
        double t = static_cast<double>(a[lo]) * b[ro];
        sum += t;
        mag += std::fabs(t);
      } while (!c.empty() && NextIndex(c, cdims));
      ref.value[i] = sum;
      ref.magnitude[i] = mag;
      if (!o.empty()) NextIndex(o, od);
    }
    return ref;
  }
};

void CheckDot(const Dot& d, uint32_t seed) {
  auto a = Random(Count(d.lhs), seed);
  auto b = Random(Count(d.rhs), seed + 1);
  auto out = CompileAndRun(d.Module(), {F32Buffer(d.lhs, a), F32Buffer(d.rhs, b)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]->shape().dims, d.Out());
  ExpectNear(Values<float>(out[0]), d.Evaluate(a, b));
}

TEST(EngineDot, HandComputed2x2) {
  Dot d{{2, 2}, {2, 2}, {1}, {0}, {}, {}};
  auto out = CompileAndRun(d.Module(), {F32Buffer({2, 2}, {1, 2, 3, 4}), F32Buffer({2, 2}, {5, 6, 7, 8})});
  EXPECT_EQ(Values<float>(out[0]), (std::vector<float>{19, 22, 43, 50}));
}

TEST(EngineDot, Plain2DOddSizes) { CheckDot(Dot{{37, 65}, {65, 3}, {1}, {0}, {}, {}}, 1); }
TEST(EngineDot, Plain2DLarge) { CheckDot(Dot{{128, 576}, {576, 64}, {1}, {0}, {}, {}}, 2); }
TEST(EngineDot, LhsTransposed) { CheckDot(Dot{{65, 37}, {65, 5}, {0}, {0}, {}, {}}, 3); }
TEST(EngineDot, RhsTransposed) { CheckDot(Dot{{37, 65}, {5, 65}, {1}, {1}, {}, {}}, 4); }
TEST(EngineDot, BothTransposedLarge) { CheckDot(Dot{{256, 64}, {100, 256}, {0}, {1}, {}, {}}, 5); }
TEST(EngineDot, BatchDimensions) { CheckDot(Dot{{4, 7, 9}, {4, 9, 5}, {2}, {1}, {0}, {0}}, 6); }
TEST(EngineDot, BatchDimensionsInOtherPositions) { CheckDot(Dot{{7, 3, 9}, {9, 5, 3}, {2}, {0}, {1}, {2}}, 7); }
TEST(EngineDot, TwoContractingDimensions) { CheckDot(Dot{{3, 4, 5}, {5, 4, 6}, {1, 2}, {1, 0}, {}, {}}, 8); }
TEST(EngineDot, VectorVector) { CheckDot(Dot{{65}, {65}, {0}, {0}, {}, {}}, 9); }
TEST(EngineDot, MatrixVector) { CheckDot(Dot{{37, 65}, {65}, {1}, {0}, {}, {}}, 10); }
TEST(EngineDot, VectorMatrix) { CheckDot(Dot{{65}, {65, 37}, {0}, {0}, {}, {}}, 11); }
TEST(EngineDot, OuterProductWithoutContraction) { CheckDot(Dot{{5}, {3}, {}, {}, {}, {}}, 12); }
TEST(EngineDot, SingleRowAndColumn) { CheckDot(Dot{{1, 64}, {64, 1}, {1}, {0}, {}, {}}, 13); }

}  // namespace
}  // namespace xlaprune::cpu::testing
