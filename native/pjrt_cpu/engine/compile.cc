// Parsing and validation of an HloModuleProto, as XLA's loader and verifier would do it:
// ids, operand order, arity, required configs, and a shape re-inferred for every instruction.
#include <algorithm>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <unordered_map>

#include "internal.h"
#include "xla/service/hlo.pb.h"

namespace xlaprune::cpu {
namespace {

constexpr int64_t kMaxDim = int64_t{1} << 40;

[[noreturn]] void Fail(ErrorCode code, const std::string& message) { throw EngineError(code, message); }

const std::map<std::string, Op>& Opcodes() {
  static const std::map<std::string, Op> table = {
      {"parameter", Op::kParameter}, {"constant", Op::kConstant}, {"iota", Op::kIota},
      {"broadcast", Op::kBroadcast}, {"reshape", Op::kReshape}, {"transpose", Op::kTranspose},
      {"convert", Op::kConvert}, {"slice", Op::kSlice}, {"pad", Op::kPad}, {"concatenate", Op::kConcatenate},
      {"tuple", Op::kTuple}, {"get-tuple-element", Op::kGetTupleElement}, {"convolution", Op::kConvolution},
      {"dot", Op::kDot}, {"add", Op::kAdd}, {"subtract", Op::kSubtract}, {"multiply", Op::kMultiply},
      {"divide", Op::kDivide}, {"maximum", Op::kMaximum}, {"minimum", Op::kMinimum}, {"power", Op::kPower},
      {"and", Op::kAnd}, {"or", Op::kOr}, {"xor", Op::kXor}, {"negate", Op::kNegate}, {"abs", Op::kAbs},
      {"sign", Op::kSign}, {"exponential", Op::kExp}, {"log", Op::kLog}, {"sqrt", Op::kSqrt},
      {"rsqrt", Op::kRsqrt}, {"tanh", Op::kTanh}, {"not", Op::kNot}, {"copy", Op::kCopy},
      {"compare", Op::kCompare}, {"select", Op::kSelect}, {"clamp", Op::kClamp}, {"reduce", Op::kReduce},
      {"reduce-window", Op::kReduceWindow}, {"select-and-scatter", Op::kSelectAndScatter},
      {"rng-bit-generator", Op::kRngBitGenerator}, {"all-reduce", Op::kAllReduce},
  };
  return table;
}

// XLA opcodes this plugin knows but does not run: UNIMPLEMENTED rather than "unknown".
const std::set<std::string>& KnownUnsupported() {
  static const std::set<std::string> names = {
      "while", "call", "conditional", "fusion", "custom-call", "sort", "gather", "scatter", "dynamic-slice",
      "dynamic-update-slice", "reverse", "bitcast", "bitcast-convert", "reduce-precision", "rng",
      "batch-norm-training", "batch-norm-grad", "batch-norm-inference", "cosine", "sine", "logistic",
      "log-plus-one", "exponential-minus-one", "remainder", "round-nearest-afz", "floor", "ceil",
      "shift-left", "shift-right-logical", "shift-right-arithmetic", "all-gather", "all-to-all",
      "collective-permute", "reduce-scatter", "infeed", "outfeed", "send", "recv", "after-all",
      "partition-id", "replica-id", "cholesky", "triangular-solve", "fft", "top-k", "is-finite",
      "atan2", "cbrt", "erf", "tan", "popcnt", "clz", "real", "imag", "complex", "map", "domain"};
  return names;
}

bool IsFloat(ElementType t) { return t == ElementType::kF32 || t == ElementType::kF64; }
bool IsSupportedType(ElementType t) {
  switch (t) {
    case ElementType::kPred: case ElementType::kS8: case ElementType::kS32: case ElementType::kS64:
    case ElementType::kU8: case ElementType::kU32: case ElementType::kU64: case ElementType::kF32:
    case ElementType::kF64:
      return true;
    default:
      return false;
  }
}

struct Context {
  std::string computation;
  std::string instruction;
  [[noreturn]] void Invalid(const std::string& what) const {
    Fail(ErrorCode::kInvalidArgument, "computation '" + computation + "', instruction '" + instruction + "': " + what);
  }
};

Shape ParseShape(const xla::ShapeProto& proto, const Context& ctx, int depth = 0) {
  Shape s;
  if (proto.element_type() == xla::TUPLE) {
    if (depth > 2) ctx.Invalid("tuple shapes nest too deeply");
    s.tuple = true;
    for (const auto& e : proto.tuple_shapes()) s.elements.push_back(ParseShape(e, ctx, depth + 1));
    return s;
  }
  auto type = static_cast<ElementType>(proto.element_type());
  if (!IsSupportedType(type)) {
    Fail(ErrorCode::kUnimplemented, "computation '" + ctx.computation + "', instruction '" + ctx.instruction +
                                        "': element type " + xla::PrimitiveType_Name(proto.element_type()) +
                                        " is not supported by the XlaPrune CPU plugin");
  }
  s.array.type = type;
  int64_t count = 1;
  for (int64_t d : proto.dimensions()) {
    if (d < 0 || d > kMaxDim) ctx.Invalid("dimension " + std::to_string(d) + " is out of range");
    s.array.dims.push_back(d);
    if (d != 0 && count > static_cast<int64_t>(kMaxBufferBytes) / d) ctx.Invalid("shape has too many elements");
    count *= d;
  }
  if (static_cast<uint64_t>(count) * ElementSize(type) > kMaxBufferBytes) {
    Fail(ErrorCode::kResourceExhausted, "computation '" + ctx.computation + "', instruction '" + ctx.instruction +
                                            "': shape " + ShapeText(s.array) + " is larger than a buffer may be");
  }
  if (proto.has_layout() && proto.layout().minor_to_major_size() != 0 &&
      proto.layout().minor_to_major_size() != proto.dimensions_size()) {
    ctx.Invalid("layout minor_to_major has " + std::to_string(proto.layout().minor_to_major_size()) +
                " entries for rank " + std::to_string(proto.dimensions_size()));
  }
  return s;
}

ArrayShape Arr(ElementType t, std::vector<int64_t> dims) { return ArrayShape{t, std::move(dims)}; }
Shape Sh(ArrayShape a) { Shape s; s.array = std::move(a); return s; }

const ArrayShape& ArrayOf(const Instr& instr, const Context& ctx, const char* what = "operand") {
  if (instr.shape.tuple) ctx.Invalid(std::string(what) + " '" + instr.name + "' is a tuple where an array is needed");
  return instr.shape.array;
}

void CheckDimIndex(int64_t d, size_t rank, const Context& ctx, const std::string& what) {
  if (d < 0 || d >= static_cast<int64_t>(rank)) ctx.Invalid(what + " " + std::to_string(d) + " is out of range for rank " + std::to_string(rank));
}

std::vector<WindowDim> ParseWindow(const xla::Window& w) {
  std::vector<WindowDim> out;
  for (const auto& d : w.dimensions()) {
    WindowDim wd;
    wd.size = d.size();
    wd.stride = d.stride();
    wd.pad_lo = d.padding_low();
    wd.pad_hi = d.padding_high();
    wd.window_dilation = std::max<int64_t>(d.window_dilation(), 1);
    wd.base_dilation = std::max<int64_t>(d.base_dilation(), 1);
    wd.reversal = d.window_reversal();
    out.push_back(wd);
  }
  return out;
}

int64_t WindowOutputSize(int64_t in, const WindowDim& w, const Context& ctx) {
  if (w.size < 1 || w.stride < 1) ctx.Invalid("window size and stride must be at least 1");
  if (w.pad_lo < -kMaxDim || w.pad_lo > kMaxDim || w.pad_hi < -kMaxDim || w.pad_hi > kMaxDim || w.window_dilation > kMaxDim ||
      w.base_dilation > kMaxDim || w.size > kMaxDim || w.stride > kMaxDim)
    ctx.Invalid("window values are out of range");
  int64_t dilated_in = in == 0 ? 0 : (in - 1) * w.base_dilation + 1;
  int64_t padded = dilated_in + w.pad_lo + w.pad_hi;
  int64_t dilated_window = (w.size - 1) * w.window_dilation + 1;
  if (padded < dilated_window) return 0;
  return (padded - dilated_window) / w.stride + 1;
}

// The reducer is one binary op applied to its two scalar parameters: run it directly.
void DetectSimpleReducer(Instr& instr, const Computation& reducer) {
  const Instr& root = reducer.instrs[reducer.root];
  if (reducer.params.size() != 2 || root.operands.size() != 2) return;
  const Instr& a = reducer.instrs[root.operands[0]];
  const Instr& b = reducer.instrs[root.operands[1]];
  bool params = a.op == Op::kParameter && b.op == Op::kParameter && a.parameter_number != b.parameter_number;
  if (params && (root.op == Op::kAdd || root.op == Op::kMaximum || root.op == Op::kMinimum || root.op == Op::kMultiply ||
                 root.op == Op::kAnd || root.op == Op::kOr)) {
    instr.simple_reducer = root.op;
    instr.has_simple_reducer = true;
  }
}

class Builder {
 public:
  Builder(const xla::HloModuleProto& module, int num_replicas) : module_(module), replicas_(num_replicas) {}

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
      auto op = Opcodes().find(ip.opcode());
      if (op == Opcodes().end()) {
        if (KnownUnsupported().count(ip.opcode())) {
          Fail(ErrorCode::kUnimplemented, "computation '" + cp.name() + "', instruction '" + ip.name() + "': opcode '" + ip.opcode() +
                                              "' is not supported by the XlaPrune CPU plugin");
        }
        ctx.Invalid("unknown opcode '" + ip.opcode() + "'");
      }
      in.op = op->second;
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
      Decode(ip, in, ctx);
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
    // Liveness: the last reader of every value, so the interpreter can free it early.
    for (int i = 0; i < static_cast<int>(comp.instrs.size()); i++) {
      for (int o : comp.instrs[i].operands) comp.instrs[o].last_use = std::max(comp.instrs[o].last_use, i);
    }
    comp.instrs[comp.root].last_use = static_cast<int>(comp.instrs.size());
    return comp;
  }

  void Decode(const xla::HloInstructionProto& ip, Instr& in, const Context& ctx) {
    switch (in.op) {
      case Op::kConvolution: {
        if (!ip.has_window() || !ip.has_convolution_dimension_numbers()) ctx.Invalid("convolution needs window and convolution_dimension_numbers");
        in.window = ParseWindow(ip.window());
        const auto& d = ip.convolution_dimension_numbers();
        in.conv.in_batch = d.input_batch_dimension();
        in.conv.in_feature = d.input_feature_dimension();
        in.conv.in_spatial.assign(d.input_spatial_dimensions().begin(), d.input_spatial_dimensions().end());
        in.conv.k_in = d.kernel_input_feature_dimension();
        in.conv.k_out = d.kernel_output_feature_dimension();
        in.conv.k_spatial.assign(d.kernel_spatial_dimensions().begin(), d.kernel_spatial_dimensions().end());
        in.conv.out_batch = d.output_batch_dimension();
        in.conv.out_feature = d.output_feature_dimension();
        in.conv.out_spatial.assign(d.output_spatial_dimensions().begin(), d.output_spatial_dimensions().end());
        in.feature_groups = std::max<int64_t>(ip.feature_group_count(), 1);
        in.batch_groups = std::max<int64_t>(ip.batch_group_count(), 1);
        break;
      }
      case Op::kDot: {
        if (!ip.has_dot_dimension_numbers()) ctx.Invalid("dot needs dot_dimension_numbers");
        const auto& d = ip.dot_dimension_numbers();
        in.dot.lhs_contract.assign(d.lhs_contracting_dimensions().begin(), d.lhs_contracting_dimensions().end());
        in.dot.rhs_contract.assign(d.rhs_contracting_dimensions().begin(), d.rhs_contracting_dimensions().end());
        in.dot.lhs_batch.assign(d.lhs_batch_dimensions().begin(), d.lhs_batch_dimensions().end());
        in.dot.rhs_batch.assign(d.rhs_batch_dimensions().begin(), d.rhs_batch_dimensions().end());
        break;
      }
      case Op::kReduceWindow:
      case Op::kSelectAndScatter:
        if (!ip.has_window()) ctx.Invalid(in.opcode + " needs a window");
        in.window = ParseWindow(ip.window());
        break;
      case Op::kPad:
        if (!ip.has_padding_config()) ctx.Invalid("pad needs padding_config");
        for (const auto& p : ip.padding_config().dimensions()) in.padding.push_back({p.edge_padding_low(), p.edge_padding_high(), p.interior_padding()});
        break;
      case Op::kSlice:
        for (const auto& s : ip.slice_dimensions()) in.slice.push_back({s.start(), s.limit(), s.stride() == 0 ? 1 : s.stride()});
        break;
      case Op::kCompare:
        in.direction = ip.comparison_direction();
        if (in.direction != "EQ" && in.direction != "NE" && in.direction != "LT" && in.direction != "LE" && in.direction != "GT" && in.direction != "GE")
          ctx.Invalid("comparison_direction '" + in.direction + "' is not one of EQ NE LT LE GT GE");
        break;
      default:
        break;
    }
  }

  static void Arity(const Instr& in, size_t n, const Context& ctx) {
    if (in.operands.size() != n) ctx.Invalid(in.opcode + " takes " + std::to_string(n) + " operand(s), got " + std::to_string(in.operands.size()));
  }

  // Infers the result shape from the operands (as XLA's shape inference does) and returns it;
  // for ops whose result is given by the instruction (parameter, constant, iota, broadcast,
  // reshape, convert, rng-bit-generator), checks the declared shape is consistent and returns it.
  Shape Infer(Instr& in, const Shape& declared, const std::vector<Instr>& instrs, const std::vector<Computation>& comps, const Context& ctx) {
    auto operand = [&](size_t i) -> const ArrayShape& { return ArrayOf(instrs[in.operands[i]], ctx); };
    auto needArray = [&]() -> const ArrayShape& {
      if (declared.tuple) ctx.Invalid(in.opcode + " must have an array shape");
      return declared.array;
    };
    bool calls = in.op == Op::kReduce || in.op == Op::kReduceWindow || in.op == Op::kSelectAndScatter || in.op == Op::kAllReduce;
    if (!calls && !in.called.empty()) ctx.Invalid(in.opcode + " may not call computations");
    switch (in.op) {
      case Op::kParameter:
      case Op::kConstant:
        Arity(in, 0, ctx);
        return declared;
      case Op::kIota: {
        Arity(in, 0, ctx);
        const auto& a = needArray();
        if (in.dims.size() != 1) ctx.Invalid("iota needs exactly one dimension");
        CheckDimIndex(in.dims[0], a.dims.size(), ctx, "iota dimension");
        return declared;
      }
      case Op::kBroadcast: {
        Arity(in, 1, ctx);
        const auto& a = needArray();
        const auto& o = operand(0);
        if (in.dims.size() != o.dims.size()) ctx.Invalid("broadcast dimensions has " + std::to_string(in.dims.size()) + " entries for operand rank " + std::to_string(o.dims.size()));
        for (size_t i = 0; i < in.dims.size(); i++) {
          CheckDimIndex(in.dims[i], a.dims.size(), ctx, "broadcast dimension");
          if (a.dims[in.dims[i]] != o.dims[i]) ctx.Invalid("broadcast maps operand dimension " + std::to_string(i) + " of size " + std::to_string(o.dims[i]) + " to a dimension of size " + std::to_string(a.dims[in.dims[i]]));
        }
        if (a.type != o.type) ctx.Invalid("broadcast changes the element type");
        return declared;
      }
      case Op::kReshape: {
        Arity(in, 1, ctx);
        const auto& a = needArray();
        if (a.ElementCount() != operand(0).ElementCount() || a.type != operand(0).type) ctx.Invalid("reshape from " + ShapeText(operand(0)) + " to " + ShapeText(a) + " changes the element count or type");
        return declared;
      }
      case Op::kConvert: {
        Arity(in, 1, ctx);
        const auto& a = needArray();
        if (a.dims != operand(0).dims) ctx.Invalid("convert changes dimensions");
        return declared;
      }
      case Op::kTranspose: {
        Arity(in, 1, ctx);
        const auto& o = operand(0);
        std::vector<int64_t> sorted = in.dims;
        std::sort(sorted.begin(), sorted.end());
        std::vector<int64_t> iota(o.dims.size());
        std::iota(iota.begin(), iota.end(), 0);
        if (sorted != iota) ctx.Invalid("transpose dimensions are not a permutation of the operand's");
        ArrayShape r{o.type, {}};
        for (int64_t d : in.dims) r.dims.push_back(o.dims[d]);
        return Sh(r);
      }
      case Op::kSlice: {
        Arity(in, 1, ctx);
        const auto& o = operand(0);
        if (in.slice.size() != o.dims.size()) ctx.Invalid("slice needs one slice dimension per operand dimension");
        ArrayShape r{o.type, {}};
        for (size_t i = 0; i < in.slice.size(); i++) {
          auto [start, limit, stride] = in.slice[i];
          if (start < 0 || limit > o.dims[i] || start > limit || stride < 1) ctx.Invalid("slice [" + std::to_string(start) + ":" + std::to_string(limit) + ":" + std::to_string(stride) + "] is out of range for a dimension of size " + std::to_string(o.dims[i]));
          r.dims.push_back((limit - start + stride - 1) / stride);
        }
        return Sh(r);
      }
      case Op::kPad: {
        Arity(in, 2, ctx);
        const auto& o = operand(0);
        if (!operand(1).dims.empty() || operand(1).type != o.type) ctx.Invalid("pad value must be a scalar of the operand's type");
        if (in.padding.size() != o.dims.size()) ctx.Invalid("padding_config needs one entry per operand dimension");
        ArrayShape r{o.type, {}};
        for (size_t i = 0; i < in.padding.size(); i++) {
          auto [lo, hi, interior] = in.padding[i];
          if (interior < 0 || interior > kMaxDim || lo < -kMaxDim || lo > kMaxDim || hi < -kMaxDim || hi > kMaxDim) ctx.Invalid("padding is out of range");
          int64_t size = o.dims[i] + lo + hi + std::max<int64_t>(o.dims[i] - 1, 0) * interior;
          if (size < 0) ctx.Invalid("padding makes dimension " + std::to_string(i) + " negative");
          r.dims.push_back(size);
        }
        return Sh(r);
      }
      case Op::kConcatenate: {
        if (in.operands.empty()) ctx.Invalid("concatenate needs operands");
        if (in.dims.size() != 1) ctx.Invalid("concatenate needs exactly one dimension");
        ArrayShape r = operand(0);
        CheckDimIndex(in.dims[0], r.dims.size(), ctx, "concatenate dimension");
        for (size_t i = 1; i < in.operands.size(); i++) {
          const auto& o = operand(i);
          if (o.type != r.type || o.dims.size() != r.dims.size()) ctx.Invalid("concatenate operands differ in type or rank");
          for (size_t d = 0; d < o.dims.size(); d++) {
            if (static_cast<int64_t>(d) == in.dims[0]) r.dims[d] += o.dims[d];
            else if (o.dims[d] != r.dims[d]) ctx.Invalid("concatenate operands differ in dimension " + std::to_string(d));
          }
        }
        return Sh(r);
      }
      case Op::kTuple: {
        Shape t;
        t.tuple = true;
        for (int o : in.operands) t.elements.push_back(instrs[o].shape);
        return t;
      }
      case Op::kGetTupleElement: {
        Arity(in, 1, ctx);
        const Shape& t = instrs[in.operands[0]].shape;
        if (!t.tuple) ctx.Invalid("get-tuple-element of a non-tuple");
        if (in.tuple_index < 0 || in.tuple_index >= static_cast<int64_t>(t.elements.size())) ctx.Invalid("tuple_index " + std::to_string(in.tuple_index) + " is out of range");
        return t.elements[in.tuple_index];
      }
      case Op::kAdd: case Op::kSubtract: case Op::kMultiply: case Op::kDivide: case Op::kMaximum: case Op::kMinimum:
      case Op::kPower: case Op::kAnd: case Op::kOr: case Op::kXor: {
        Arity(in, 2, ctx);
        if (operand(0).dims != operand(1).dims || operand(0).type != operand(1).type)
          ctx.Invalid(in.opcode + ": operand shapes " + ShapeText(operand(0)) + " and " + ShapeText(operand(1)) + " differ");
        return Sh(operand(0));
      }
      case Op::kNegate: case Op::kAbs: case Op::kSign: case Op::kExp: case Op::kLog: case Op::kSqrt: case Op::kRsqrt:
      case Op::kTanh: case Op::kNot: case Op::kCopy: {
        Arity(in, 1, ctx);
        const auto& o = operand(0);
        bool transcendental = in.op == Op::kExp || in.op == Op::kLog || in.op == Op::kSqrt || in.op == Op::kRsqrt || in.op == Op::kTanh;
        if (transcendental && !IsFloat(o.type)) ctx.Invalid(in.opcode + " needs a floating-point operand, got " + ShapeText(o));
        return Sh(o);
      }
      case Op::kCompare: {
        Arity(in, 2, ctx);
        if (operand(0).dims != operand(1).dims || operand(0).type != operand(1).type)
          ctx.Invalid("compare: operand shapes " + ShapeText(operand(0)) + " and " + ShapeText(operand(1)) + " differ");
        return Sh(Arr(ElementType::kPred, operand(0).dims));
      }
      case Op::kSelect: {
        Arity(in, 3, ctx);
        if (operand(0).type != ElementType::kPred || operand(0).dims != operand(1).dims || operand(1).dims != operand(2).dims || operand(1).type != operand(2).type)
          ctx.Invalid("select needs a predicate and two operands of one shape, got " + ShapeText(operand(0)) + ", " + ShapeText(operand(1)) + ", " + ShapeText(operand(2)));
        return Sh(operand(1));
      }
      case Op::kClamp: {
        Arity(in, 3, ctx);
        const auto& x = operand(1);
        for (size_t i : {size_t{0}, size_t{2}}) {
          if (operand(i).type != x.type || (!operand(i).dims.empty() && operand(i).dims != x.dims)) ctx.Invalid("clamp bounds must be scalars or match the operand");
        }
        return Sh(x);
      }
      case Op::kConvolution: Arity(in, 2, ctx); return Sh(InferConvolution(in, operand(0), operand(1), ctx));
      case Op::kDot: Arity(in, 2, ctx); return Sh(InferDot(in, operand(0), operand(1), ctx));
      case Op::kReduce: {
        if (in.operands.size() != 2) {
          if (in.operands.size() % 2 == 0 && !in.operands.empty())
            Fail(ErrorCode::kUnimplemented, "computation '" + ctx.computation + "', instruction '" + ctx.instruction + "': reduce of several inputs is not supported");
          ctx.Invalid("reduce needs an even number of operands");
        }
        const auto& o = operand(0);
        if (!operand(1).dims.empty() || operand(1).type != o.type) ctx.Invalid("reduce init value must be a scalar of the operand's type");
        CheckReducer(in, comps, operand(1), ctx);
        std::vector<bool> reduced(o.dims.size(), false);
        for (int64_t d : in.dims) {
          CheckDimIndex(d, o.dims.size(), ctx, "reduce dimension");
          if (reduced[d]) ctx.Invalid("reduce dimension " + std::to_string(d) + " is repeated");
          reduced[d] = true;
        }
        ArrayShape r{o.type, {}};
        for (size_t d = 0; d < o.dims.size(); d++) if (!reduced[d]) r.dims.push_back(o.dims[d]);
        return Sh(r);
      }
      case Op::kReduceWindow: {
        if (in.operands.size() != 2) ctx.Invalid("reduce-window of one input needs two operands");
        const auto& o = operand(0);
        if (!operand(1).dims.empty() || operand(1).type != o.type) ctx.Invalid("reduce-window init value must be a scalar of the operand's type");
        CheckReducer(in, comps, operand(1), ctx);
        if (in.window.size() != o.dims.size()) ctx.Invalid("window needs one dimension per operand dimension");
        ArrayShape r{o.type, {}};
        for (size_t d = 0; d < o.dims.size(); d++) r.dims.push_back(WindowOutputSize(o.dims[d], in.window[d], ctx));
        return Sh(r);
      }
      case Op::kSelectAndScatter: {
        Arity(in, 3, ctx);
        if (in.called.size() != 2) ctx.Invalid("select-and-scatter needs two called computations (select, scatter)");
        const auto& o = operand(0);
        if (in.window.size() != o.dims.size()) ctx.Invalid("window needs one dimension per operand dimension");
        ArrayShape expect{o.type, {}};
        for (size_t d = 0; d < o.dims.size(); d++) expect.dims.push_back(WindowOutputSize(o.dims[d], in.window[d], ctx));
        if (operand(1).dims != expect.dims || operand(1).type != o.type) ctx.Invalid("source shape " + ShapeText(operand(1)) + " does not match the window output " + ShapeText(expect));
        if (!operand(2).dims.empty() || operand(2).type != o.type) ctx.Invalid("select-and-scatter init value must be a scalar of the operand's type");
        const Computation& select = comps[in.called[0]];
        if (select.params.size() != 2 || select.instrs[select.root].shape != Sh(Arr(ElementType::kPred, {}))) ctx.Invalid("select computation '" + select.name + "' must take two scalars and return pred[]");
        const Computation& scatter = comps[in.called[1]];
        Instr probe;
        probe.called = {in.called[1]};
        probe.opcode = in.opcode;
        CheckReducer(probe, comps, operand(2), ctx);
        in.has_simple_reducer = probe.has_simple_reducer;
        in.simple_reducer = probe.simple_reducer;
        (void)scatter;
        for (const auto& w : in.window) if (w.base_dilation != 1 || w.window_dilation != 1) Fail(ErrorCode::kUnimplemented, "computation '" + ctx.computation + "', instruction '" + ctx.instruction + "': select-and-scatter with dilation is not supported");
        return Sh(o);
      }
      case Op::kRngBitGenerator: {
        Arity(in, 1, ctx);
        const auto& state = operand(0);
        if (state.type != ElementType::kU64 || state.dims.size() != 1 || state.dims[0] < 1) ctx.Invalid("rng-bit-generator state must be u64[n]");
        if (!declared.tuple || declared.elements.size() != 2 || declared.elements[0].tuple || declared.elements[0].array.dims != state.dims ||
            declared.elements[0].array.type != ElementType::kU64 || declared.elements[1].tuple ||
            (declared.elements[1].array.type != ElementType::kU32 && declared.elements[1].array.type != ElementType::kU64))
          ctx.Invalid("rng-bit-generator must return (u64 state, u32 or u64 bits)");
        return declared;
      }
      case Op::kAllReduce: {
        Arity(in, 1, ctx);
        if (in.called.size() != 1) ctx.Invalid("all-reduce needs one reducer");
        DetectSimpleReducer(in, comps[in.called[0]]);
        if (!in.has_simple_reducer || in.simple_reducer != Op::kAdd)
          Fail(ErrorCode::kUnimplemented, "computation '" + ctx.computation + "', instruction '" + ctx.instruction + "': all-reduce supports only a sum reducer");
        return Sh(operand(0));
      }
    }
    ctx.Invalid("unhandled opcode " + in.opcode);
  }

  void CheckReducer(Instr& in, const std::vector<Computation>& comps, const ArrayShape& init, const Context& ctx) {
    if (in.called.empty()) ctx.Invalid(in.opcode + " needs a called computation");
    const Computation& r = comps[in.called[0]];
    Shape scalar = Sh(Arr(init.type, {}));
    if (r.params.size() != 2 || r.params[0] != scalar || r.params[1] != scalar || r.instrs[r.root].shape != scalar)
      ctx.Invalid("reducer '" + r.name + "' must take two " + scalar.Text() + " and return one");
    DetectSimpleReducer(in, r);
  }

  ArrayShape InferConvolution(Instr& in, const ArrayShape& lhs, const ArrayShape& rhs, const Context& ctx) {
    const auto& c = in.conv;
    size_t rank = lhs.dims.size();
    size_t spatial = c.in_spatial.size();
    if (lhs.type != rhs.type) ctx.Invalid("convolution operands differ in type");
    if (rhs.dims.size() != rank || spatial + 2 != rank || c.k_spatial.size() != spatial || c.out_spatial.size() != spatial || in.window.size() != spatial)
      ctx.Invalid("convolution dimension numbers do not match the operand ranks");
    std::vector<int64_t> all_in = {c.in_batch, c.in_feature}, all_k = {c.k_in, c.k_out}, all_out = {c.out_batch, c.out_feature};
    all_in.insert(all_in.end(), c.in_spatial.begin(), c.in_spatial.end());
    all_k.insert(all_k.end(), c.k_spatial.begin(), c.k_spatial.end());
    all_out.insert(all_out.end(), c.out_spatial.begin(), c.out_spatial.end());
    for (auto* v : {&all_in, &all_k, &all_out}) {
      std::vector<int64_t> s = *v;
      std::sort(s.begin(), s.end());
      for (size_t i = 0; i < s.size(); i++) if (s[i] != static_cast<int64_t>(i)) ctx.Invalid("convolution dimension numbers are not a permutation");
    }
    int64_t g = in.feature_groups, bg = in.batch_groups;
    int64_t in_features = lhs.dims[c.in_feature], out_features = rhs.dims[c.k_out];
    if (g > 1 && bg > 1) ctx.Invalid("feature_group_count and batch_group_count cannot both exceed 1");
    if (g > in_features || in_features % g != 0 || rhs.dims[c.k_in] * g != in_features)
      ctx.Invalid("input features " + std::to_string(in_features) + " do not match kernel input features " + std::to_string(rhs.dims[c.k_in]) + " x feature_group_count " + std::to_string(g));
    if (out_features % g != 0 || out_features % bg != 0 || lhs.dims[c.in_batch] % bg != 0) ctx.Invalid("feature or batch counts are not divisible by the group counts");
    std::vector<int64_t> out(rank);
    out[c.out_batch] = lhs.dims[c.in_batch] / bg;
    out[c.out_feature] = out_features;
    for (size_t i = 0; i < spatial; i++) {
      const WindowDim& w = in.window[i];
      if (w.size != rhs.dims[c.k_spatial[i]]) ctx.Invalid("window size " + std::to_string(w.size) + " does not match kernel size " + std::to_string(rhs.dims[c.k_spatial[i]]));
      out[c.out_spatial[i]] = WindowOutputSize(lhs.dims[c.in_spatial[i]], w, ctx);
    }
    return Arr(lhs.type, out);
  }

  ArrayShape InferDot(Instr& in, const ArrayShape& lhs, const ArrayShape& rhs, const Context& ctx) {
    const auto& d = in.dot;
    if (lhs.type != rhs.type) ctx.Invalid("dot operands differ in type");
    if (d.lhs_contract.size() != d.rhs_contract.size() || d.lhs_batch.size() != d.rhs_batch.size()) ctx.Invalid("dot dimension numbers have mismatched counts");
    std::vector<bool> lused(lhs.dims.size()), rused(rhs.dims.size());
    auto use = [&](std::vector<bool>& used, int64_t dim, size_t rank) {
      CheckDimIndex(dim, rank, ctx, "dot dimension");
      if (used[dim]) ctx.Invalid("dot dimension " + std::to_string(dim) + " is used twice");
      used[dim] = true;
    };
    std::vector<int64_t> out;
    for (size_t i = 0; i < d.lhs_batch.size(); i++) {
      use(lused, d.lhs_batch[i], lhs.dims.size());
      use(rused, d.rhs_batch[i], rhs.dims.size());
      if (lhs.dims[d.lhs_batch[i]] != rhs.dims[d.rhs_batch[i]]) ctx.Invalid("dot batch dimensions differ in size");
      out.push_back(lhs.dims[d.lhs_batch[i]]);
    }
    for (size_t i = 0; i < d.lhs_contract.size(); i++) {
      use(lused, d.lhs_contract[i], lhs.dims.size());
      use(rused, d.rhs_contract[i], rhs.dims.size());
      if (lhs.dims[d.lhs_contract[i]] != rhs.dims[d.rhs_contract[i]])
        ctx.Invalid("dot contracting dimensions differ: " + ShapeText(lhs) + " and " + ShapeText(rhs));
    }
    for (size_t i = 0; i < lhs.dims.size(); i++) if (!lused[i]) out.push_back(lhs.dims[i]);
    for (size_t i = 0; i < rhs.dims.size(); i++) if (!rused[i]) out.push_back(rhs.dims[i]);
    return Arr(lhs.type, out);
  }

  std::shared_ptr<DeviceBuffer> DecodeLiteral(const xla::HloInstructionProto& ip, const Shape& shape, const Context& ctx) {
    if (shape.tuple) Fail(ErrorCode::kUnimplemented, "computation '" + ctx.computation + "', instruction '" + ctx.instruction + "': tuple constants are not supported");
    if (!ip.has_literal()) ctx.Invalid("constant has no literal");
    const auto& lit = ip.literal();
    auto buffer = DeviceBuffer::Allocate(shape.array);
    int64_t n = shape.array.ElementCount();
    auto check = [&](int64_t have) {
      if (have != n) ctx.Invalid("expected " + std::to_string(n) + " elements in LiteralProto, got " + std::to_string(have));
    };
    switch (shape.array.type) {
      case ElementType::kF32: check(lit.f32s_size()); std::copy(lit.f32s().begin(), lit.f32s().end(), static_cast<float*>(buffer->data())); break;
      case ElementType::kF64: check(lit.f64s_size()); std::copy(lit.f64s().begin(), lit.f64s().end(), static_cast<double*>(buffer->data())); break;
      case ElementType::kS32: check(lit.s32s_size()); std::copy(lit.s32s().begin(), lit.s32s().end(), static_cast<int32_t*>(buffer->data())); break;
      case ElementType::kS64: check(lit.s64s_size()); std::copy(lit.s64s().begin(), lit.s64s().end(), static_cast<int64_t*>(buffer->data())); break;
      case ElementType::kU32: check(lit.u32s_size()); std::copy(lit.u32s().begin(), lit.u32s().end(), static_cast<uint32_t*>(buffer->data())); break;
      case ElementType::kU64: check(lit.u64s_size()); std::copy(lit.u64s().begin(), lit.u64s().end(), static_cast<uint64_t*>(buffer->data())); break;
      case ElementType::kPred: check(lit.preds_size()); std::copy(lit.preds().begin(), lit.preds().end(), static_cast<uint8_t*>(buffer->data())); break;
      case ElementType::kU8: check(static_cast<int64_t>(lit.u8s().size())); std::copy(lit.u8s().begin(), lit.u8s().end(), static_cast<uint8_t*>(buffer->data())); break;
      case ElementType::kS8: check(static_cast<int64_t>(lit.s8s().size())); std::copy(lit.s8s().begin(), lit.s8s().end(), static_cast<int8_t*>(buffer->data())); break;
      default: Fail(ErrorCode::kUnimplemented, "constant of type " + TypeName(shape.array.type) + " is not supported");
    }
    return buffer;
  }

  void FinishEntry(Program& program);

  const xla::HloModuleProto& module_;
  int replicas_;
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

  PlanFusions(entry);

  // Memory: arguments and outputs as given; temporaries by simulating the interpreter's
  // allocation order (a value lives from its instruction to its last reader).
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
  m.generated_code_bytes = static_cast<int64_t>(module_.ByteSizeLong());
  m.peak_bytes = m.argument_bytes + m.output_bytes - m.alias_bytes + m.temp_bytes;

  // Cost: 2 flops per multiply-accumulate in dot and convolution, 1 per element elsewhere.
  CostAnalysis& c = program.cost;
  for (const auto& in : entry.instrs) {
    if (in.op == Op::kParameter || in.op == Op::kConstant || in.op == Op::kTuple || in.op == Op::kGetTupleElement) continue;
    double out = in.shape.tuple ? 0.0 : static_cast<double>(in.shape.array.ElementCount());
    double read = 0;
    for (int o : in.operands) read += static_cast<double>(entry.instrs[o].shape.Bytes());
    c.bytes_accessed += read + static_cast<double>(in.shape.Bytes());
    switch (in.op) {
      case Op::kDot: {
        double k = 1;
        for (int64_t d : in.dot.lhs_contract) k *= static_cast<double>(entry.instrs[in.operands[0]].shape.array.dims[d]);
        c.flops += 2 * out * k;
        break;
      }
      case Op::kConvolution: {
        const auto& rhs = entry.instrs[in.operands[1]].shape.array;
        double k = static_cast<double>(rhs.dims[in.conv.k_in]);
        for (int64_t d : in.conv.k_spatial) k *= static_cast<double>(rhs.dims[d]);
        c.flops += 2 * out * k / static_cast<double>(in.batch_groups);
        break;
      }
      case Op::kReduce: case Op::kReduceWindow: {
        double reduced = static_cast<double>(entry.instrs[in.operands[0]].shape.array.ElementCount());
        if (in.fusion != nullptr) {
          reduced = 1;
          for (int64_t d : in.fusion->dims) reduced *= static_cast<double>(d);
        }
        c.flops += reduced;
        break;
      }
      case Op::kExp: case Op::kLog: case Op::kSqrt: case Op::kRsqrt: case Op::kTanh: case Op::kPower:
        c.transcendentals += out;
        break;
      case Op::kReshape: case Op::kBroadcast: case Op::kTranspose: case Op::kSlice: case Op::kPad: case Op::kConcatenate:
      case Op::kCopy: case Op::kIota: case Op::kRngBitGenerator: case Op::kConvert:
        break;
      default:
        c.flops += out;
    }
  }
}

}  // namespace

std::string Shape::Text() const {
  if (!tuple) return ShapeText(array);
  std::string s = "(";
  for (size_t i = 0; i < elements.size(); i++) s += (i ? ", " : "") + elements[i].Text();
  return s + ")";
}

bool Shape::operator==(const Shape& other) const {
  if (tuple != other.tuple) return false;
  if (!tuple) return array.type == other.array.type && array.dims == other.array.dims;
  return elements == other.elements;
}

int64_t Shape::Bytes() const {
  if (!tuple) return static_cast<int64_t>(array.ByteSize());
  int64_t n = 0;
  for (const auto& e : elements) n += e.Bytes();
  return n;
}

std::unique_ptr<Program> BuildProgram(const void* bytes, size_t size, int num_replicas) {
  if (bytes == nullptr && size != 0) Fail(ErrorCode::kInvalidArgument, "module bytes are null");
  if (size > static_cast<size_t>(std::numeric_limits<int>::max())) Fail(ErrorCode::kInvalidArgument, "module is larger than 2 GiB");
  xla::HloModuleProto module;
  if (!module.ParseFromArray(bytes, static_cast<int>(size))) {
    Fail(ErrorCode::kInvalidArgument, "the program is not a valid serialized HloModuleProto (" + std::to_string(size) + " bytes; truncated or another format)");
  }
  return Builder(module, num_replicas).Build();
}

}  // namespace xlaprune::cpu
