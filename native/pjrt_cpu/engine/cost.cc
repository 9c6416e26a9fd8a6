// Cost analysis of the entry computation, by each op's cost class in the catalogue: 2 flops per
// multiply-accumulate in dot and convolution, 1 per element reduced or computed elsewhere,
// transcendentals counted apart, and the bytes every instruction reads and writes.
#include "program_builder.h"

namespace xlaprune::cpu {

void PlanCost(Program& program) {
  const Computation& entry = program.computations[program.entry];
  CostAnalysis& c = program.cost;
  for (const auto& in : entry.instrs) {
    const OpCost cost = Info(in.op).cost;
    if (cost == OpCost::kFree) continue;
    double out = in.shape.tuple ? 0.0 : static_cast<double>(in.shape.array.ElementCount());
    double read = 0;
    for (int o : in.operands) read += static_cast<double>(entry.instrs[o].shape.Bytes());
    c.bytes_accessed += read + static_cast<double>(in.shape.Bytes());
    switch (cost) {
      case OpCost::kDotCost: {
        double k = 1;
        for (int64_t d : in.dot.lhs_contract) k *= static_cast<double>(entry.instrs[in.operands[0]].shape.array.dims[d]);
        c.flops += 2 * out * k;
        break;
      }
      case OpCost::kConvolutionCost: {
        const auto& rhs = entry.instrs[in.operands[1]].shape.array;
        double k = static_cast<double>(rhs.dims[in.conv.k_in]);
        for (int64_t d : in.conv.k_spatial) k *= static_cast<double>(rhs.dims[d]);
        c.flops += 2 * out * k / static_cast<double>(in.batch_groups);
        break;
      }
      case OpCost::kReductionCost: {
        double reduced = static_cast<double>(entry.instrs[in.operands[0]].shape.array.ElementCount());
        if (in.fusion != nullptr) {
          reduced = 1;
          for (int64_t d : in.fusion->dims) reduced *= static_cast<double>(d);
        }
        c.flops += reduced;
        break;
      }
      case OpCost::kTranscendental: c.transcendentals += out; break;
      case OpCost::kElementwise: c.flops += out; break;
      case OpCost::kMove: case OpCost::kFree: break;
    }
  }
}

}  // namespace xlaprune::cpu
