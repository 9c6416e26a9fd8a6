// Builds a Program from an HloModuleProto as XLA's loader and verifier would: module and
// computation structure, ids, operand order and names here; each instruction's configs, shape
// and literal through hlo_decode.cc and shape_inference.cc; then fusion, memory and cost plans.
#include <algorithm>
#include <limits>
#include <set>
#include <unordered_map>

#include "program_builder.h"

namespace xlaprune::cpu {
namespace {

class Builder {
 public:
  Builder(const xla::HloModuleProto& module, int num_replicas, bool fuse) : module_(module), replicas_(num_replicas), fuse_(fuse) {}

  std::unique_ptr<Program> Build() {
    auto program = std::make_unique<Program>();
    program->name = module_.name();
    if (module_.name().empty()) Fail(ErrorCode::kInvalidArgument, "module has no name");
    if (!module_.has_host_program_shape()) Fail(ErrorCode::kInvalidArgument, "module '" + module_.name() + "': no program shape found in the proto");
    std::set<std::string> names;
    for (int c = 0; c < module_.computations_size(); c++) {
      const auto& cp = module_.computations(c);
      if (cp.id() < 0) Fail(ErrorCode::kInvalidArgument, "computation '" + cp.name() + "' has a negative id");
      if (comp_index_.count(cp.id())) Fail(ErrorCode::kInvalidArgument, "computation id " + std::to_string(cp.id()) + " is used twice");
      if (!names.insert(cp.name()).second) Fail(ErrorCode::kInvalidArgument, "computation name '" + cp.name() + "' is used twice");
      program->computations.push_back(BuildComputation(cp, program->computations));
      comp_index_[cp.id()] = c;
    }
    auto entry = comp_index_.find(module_.entry_computation_id());
    if (entry == comp_index_.end()) Fail(ErrorCode::kInvalidArgument, "entry computation id " + std::to_string(module_.entry_computation_id()) + " names no computation");
    program->entry = entry->second;
    FinishEntry(*program);
    for (auto& comp : program->computations) {
      for (auto& in : comp.instrs) {
        if (in.op == Op::kConvolution) in.dnnl_conv = PlanConvolution(in, comp.instrs[in.operands[0]].shape.array, comp.instrs[in.operands[1]].shape.array);
      }
    }
    return program;
  }

 private:
  Computation BuildComputation(const xla::HloComputationProto& cp, const std::vector<Computation>& earlier) {
    Computation comp;
    comp.name = cp.name();
    std::unordered_map<int64_t, int> local;  // low 32 bits of ids
    std::set<int64_t> param_numbers;
    for (const auto& ip : cp.instructions()) {
      Context ctx{cp.name(), ip.name()};
      if (ip.name().empty()) Fail(ErrorCode::kInvalidArgument, "computation '" + cp.name() + "' has an instruction without a name");
      if (!instruction_names_.insert(ip.name()).second) ctx.Invalid("instruction name is used twice in the module");
      if (ip.id() < 0) ctx.Invalid("id must not be negative");
      int64_t id = ip.id() & 0xFFFFFFFF;
      if (local.count(id)) ctx.Invalid("id " + std::to_string(id) + " is used twice");
      Instr in;
      in.name = ip.name();
      in.opcode = ip.opcode();
      const OpInfo* op = FindOp(ip.opcode());
      if (op == nullptr) {
        if (IsKnownUnsupported(ip.opcode())) {
          Fail(ErrorCode::kUnimplemented, "computation '" + cp.name() + "', instruction '" + ip.name() + "': opcode '" + ip.opcode() +
                                              "' is not supported by the XlaPrune CPU plugin");
        }
        ctx.Invalid("unknown opcode '" + ip.opcode() + "'");
      }
      in.op = op->op;
      if (!ip.has_shape()) ctx.Invalid("shape is missing");
      Shape declared = ParseShape(ip.shape(), ctx);
      for (int64_t operand : ip.operand_ids()) {
        auto it = local.find(operand & 0xFFFFFFFF);
        if (it == local.end()) ctx.Invalid("operand id " + std::to_string(operand) + " is not defined earlier in the computation");
        in.operands.push_back(it->second);
      }
      for (int64_t callee : ip.called_computation_ids()) {
        auto it = comp_index_.find(callee);
        if (it == comp_index_.end()) ctx.Invalid("called computation id " + std::to_string(callee) + " is not defined earlier in the module");
        in.called.push_back(it->second);
      }
      in.parameter_number = ip.parameter_number();
      in.tuple_index = ip.tuple_index();
      in.dims.assign(ip.dimensions().begin(), ip.dimensions().end());
      DecodeConfigs(ip, in, ctx);
      Shape inferred = Infer(in, declared, comp.instrs, earlier, ctx);
      if (inferred != declared) ctx.Invalid("shape " + declared.Text() + " does not match the shape " + inferred.Text() + " inferred for " + ip.opcode());
      in.shape = declared;
      if (in.op == Op::kConstant) in.literal = DecodeLiteral(ip, declared, ctx);
      if (in.op == Op::kParameter) {
        if (in.parameter_number < 0 || !param_numbers.insert(in.parameter_number).second) ctx.Invalid("invalid parameter number " + std::to_string(in.parameter_number));
      }
      local[id] = static_cast<int>(comp.instrs.size());
      comp.instrs.push_back(std::move(in));
    }
    if (cp.instructions_size() == 0) Fail(ErrorCode::kInvalidArgument, "computation '" + cp.name() + "' has no instructions");
    auto root = local.find(cp.root_id() & 0xFFFFFFFF);
    if (cp.root_id() < 0 || root == local.end()) Fail(ErrorCode::kInvalidArgument, "computation '" + cp.name() + "': root id " + std::to_string(cp.root_id()) + " names no instruction");
    comp.root = root->second;
    comp.params.resize(param_numbers.size());
    for (const auto& in : comp.instrs) {
      if (in.op != Op::kParameter) continue;
      if (in.parameter_number >= static_cast<int64_t>(param_numbers.size())) {
        Fail(ErrorCode::kInvalidArgument, "computation '" + cp.name() + "': parameter numbers must be 0.." + std::to_string(param_numbers.size() - 1) + ", found " + std::to_string(in.parameter_number));
      }
      comp.params[in.parameter_number] = in.shape;
    }
    PlanLiveness(comp);
    return comp;
  }
  void FinishEntry(Program& program);

  const xla::HloModuleProto& module_;
  int replicas_;
  bool fuse_;
  std::unordered_map<int64_t, int> comp_index_;
  std::set<std::string> instruction_names_;
};


void Builder::FinishEntry(Program& program) {
  Computation& entry = program.computations[program.entry];
  for (const auto& p : entry.params) {
    if (p.tuple) Fail(ErrorCode::kUnimplemented, "entry computation '" + entry.name + "': tuple parameters are not supported");
    program.parameter_shapes.push_back(p.array);
  }
  const auto& host = module_.host_program_shape();
  if (host.parameters_size() != static_cast<int>(entry.params.size())) {
    Fail(ErrorCode::kInvalidArgument, "module '" + module_.name() + "': program shape has " + std::to_string(host.parameters_size()) +
                                          " parameters, the entry computation " + std::to_string(entry.params.size()));
  }
  Context ctx{entry.name, "program shape"};
  for (int i = 0; i < host.parameters_size(); i++) {
    if (ParseShape(host.parameters(i), ctx) != entry.params[i]) ctx.Invalid("parameter " + std::to_string(i) + " differs from the program shape");
  }
  if (!host.has_result() || ParseShape(host.result(), ctx) != entry.instrs[entry.root].shape) ctx.Invalid("result differs from the entry root's shape");
  const Shape& root = entry.instrs[entry.root].shape;
  program.tuple_result = root.tuple;
  if (root.tuple) {
    for (const auto& e : root.elements) {
      if (e.tuple) Fail(ErrorCode::kUnimplemented, "entry computation '" + entry.name + "': nested tuple results are not supported");
      program.output_shapes.push_back(e.array);
    }
  } else {
    program.output_shapes.push_back(root.array);
  }
  program.output_aliases.assign(program.output_shapes.size(), -1);
  for (const auto& a : module_.input_output_alias().entries()) {
    Context actx{entry.name, "input_output_alias"};
    if (a.parameter_number() < 0 || a.parameter_number() >= static_cast<int64_t>(program.parameter_shapes.size()) || a.parameter_shape_index_size() != 0)
      actx.Invalid("parameter " + std::to_string(a.parameter_number()) + " is not an array parameter of the entry");
    int64_t out = 0;
    if (root.tuple) {
      if (a.output_shape_index_size() != 1 || a.output_shape_index(0) < 0 || a.output_shape_index(0) >= static_cast<int64_t>(program.output_shapes.size()))
        actx.Invalid("output index does not name an element of the result tuple");
      out = a.output_shape_index(0);
    } else if (a.output_shape_index_size() != 0) {
      actx.Invalid("output index must be empty for an array result");
    }
    if (program.output_shapes[out].dims != program.parameter_shapes[a.parameter_number()].dims ||
        program.output_shapes[out].type != program.parameter_shapes[a.parameter_number()].type)
      actx.Invalid("output " + std::to_string(out) + " " + ShapeText(program.output_shapes[out]) + " cannot alias parameter " +
                   std::to_string(a.parameter_number()) + " " + ShapeText(program.parameter_shapes[a.parameter_number()]));
    if (program.output_aliases[out] != -1) actx.Invalid("output " + std::to_string(out) + " aliases two parameters");
    program.output_aliases[out] = static_cast<int>(a.parameter_number());
  }

  if (fuse_) PlanFusions(entry);
  PlanMemory(program);
  PlanCost(program);
}

}  // namespace

std::unique_ptr<Program> BuildProgram(const void* bytes, size_t size, int num_replicas, bool fuse) {
  if (bytes == nullptr && size != 0) Fail(ErrorCode::kInvalidArgument, "module bytes are null");
  if (size > static_cast<size_t>(std::numeric_limits<int>::max())) Fail(ErrorCode::kInvalidArgument, "module is larger than 2 GiB");
  xla::HloModuleProto module;
  if (!module.ParseFromArray(bytes, static_cast<int>(size))) {
    Fail(ErrorCode::kInvalidArgument, "the program is not a valid serialized HloModuleProto (" + std::to_string(size) + " bytes; truncated or another format)");
  }
  return Builder(module, num_replicas, fuse).Build();
}

}  // namespace xlaprune::cpu
