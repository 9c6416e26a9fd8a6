// The optimized program text: the module as run, fused groups and oneDNN plans named.
#include "internal.h"

namespace xlaprune::cpu {

std::string ProgramText(const Program& program) {
  std::string text = "HloModule " + program.name + "\n";
  for (size_t c = 0; c < program.computations.size(); c++) {
    const Computation& comp = program.computations[c];
    text += "\n" + std::string(static_cast<int>(c) == program.entry ? "ENTRY " : "") + "%" + comp.name + " {\n";
    for (size_t i = 0; i < comp.instrs.size(); i++) {
      const Instr& in = comp.instrs[i];
      if (in.fused_away) continue;
      text += std::string("  ") + (static_cast<int>(i) == comp.root ? "ROOT " : "") + "%" + in.name + " = " + in.shape.Text() + " " + in.opcode + "(";
      for (size_t o = 0; o < in.operands.size(); o++) text += (o ? ", %" : "%") + comp.instrs[in.operands[o]].name;
      if (in.op == Op::kParameter) text += std::to_string(in.parameter_number);
      text += ")";
      if (in.fusion != nullptr) {
        text += ", fused={";
        for (size_t m = 0; m < in.fusion->members.size(); m++) text += (m ? ", %" : "%") + in.fusion->members[m];
        text += "}";
      }
      if (in.dnnl_conv != nullptr) text += std::string(", onednn=\"") + ConvolutionRole(*in.dnnl_conv) + "\"";
      text += "\n";
    }
    text += "}\n";
  }
  return text;
}

}  // namespace xlaprune::cpu
