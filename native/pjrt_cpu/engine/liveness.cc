// Liveness and memory: the last reader of every value (so the interpreter frees it early) and
// the byte counts PJRT_Executable_GetCompiledMemoryStats reports.
#include <algorithm>

#include "program_builder.h"

namespace xlaprune::cpu {

void PlanLiveness(Computation& comp) {
  for (auto& in : comp.instrs) in.last_use = -1;
  for (int i = 0; i < static_cast<int>(comp.instrs.size()); i++) {
    if (comp.instrs[i].fused_away) continue;  // fused members are never evaluated
    for (int o : comp.instrs[i].operands) comp.instrs[o].last_use = std::max(comp.instrs[o].last_use, i);
  }
  comp.instrs[comp.root].last_use = static_cast<int>(comp.instrs.size());
}

// Arguments and outputs as given; temporaries by simulating the interpreter's allocation order
// (a value lives from its instruction to its last reader).
void PlanMemory(Program& program) {
  const Computation& entry = program.computations[program.entry];
  MemoryStats& m = program.memory;
  for (const auto& p : program.parameter_shapes) m.argument_bytes += static_cast<int64_t>(p.ByteSize());
  for (size_t i = 0; i < program.output_shapes.size(); i++) {
    m.output_bytes += static_cast<int64_t>(program.output_shapes[i].ByteSize());
    if (program.output_aliases[i] >= 0) m.alias_bytes += static_cast<int64_t>(program.output_shapes[i].ByteSize());
  }
  int64_t live = 0, peak_temp = 0;
  std::vector<std::vector<int>> dies(entry.instrs.size() + 1);
  for (int i = 0; i < static_cast<int>(entry.instrs.size()); i++) {
    const Instr& in = entry.instrs[i];
    bool owns = in.op != Op::kParameter && in.op != Op::kTuple && in.op != Op::kGetTupleElement && !in.fused_away;
    if (owns && in.last_use >= 0 && in.last_use < static_cast<int>(entry.instrs.size())) {
      live += in.shape.Bytes();
      dies[in.last_use].push_back(i);
    }
    peak_temp = std::max(peak_temp, live);
    for (int d : dies[i]) live -= entry.instrs[d].shape.Bytes();
  }
  m.temp_bytes = peak_temp;
  m.peak_bytes = m.argument_bytes + m.output_bytes - m.alias_bytes + m.temp_bytes;
}

}  // namespace xlaprune::cpu
