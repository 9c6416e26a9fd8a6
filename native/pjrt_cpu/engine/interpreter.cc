// The interpreter: runs a validated Program instruction by instruction, freeing each value
// after its last reader, and hands each instruction to its kernel. Kernels are plain loops (a
// correct reference); dot and convolution use oneDNN where they can.
#include <chrono>
#include <cstring>

#include "interpreter.h"
#include "kernels.h"
#include "profile.h"

namespace xlaprune::cpu {
namespace {

// Kernels that may leave output elements unwritten (empty contractions, generic convolution,
// padding holes) get zeroed memory; every other kernel writes each element.
bool NeedsZeroedOutput(const Instr& in) {
  switch (in.op) {
    case Op::kDot: case Op::kPad: case Op::kConcatenate: case Op::kAllReduce: return true;
    case Op::kConvolution: return in.dnnl_conv == nullptr;
    default: return false;
  }
}

}  // namespace

Value Interpreter::Run(int comp_index, std::vector<Value> args) {
  const Computation& comp = program_.computations[comp_index];
  std::vector<Value> vals(comp.instrs.size());
  OpProfile* profile = comp_index == program_.entry ? OpProfile::Get() : nullptr;
  for (int i = 0; i < static_cast<int>(comp.instrs.size()); i++) {
    const Instr& in = comp.instrs[i];
    if (in.fused_away) continue;
    if (profile != nullptr) {
      auto start = std::chrono::steady_clock::now();
      vals[i] = Eval(in, vals, args);
      profile->Add(in, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    } else {
      vals[i] = Eval(in, vals, args);
    }
    for (int o : in.operands) {
      if (comp.instrs[o].last_use == i) vals[o] = Value{};
    }
  }
  return vals[comp.root];
}

Value Interpreter::Eval(const Instr& in, std::vector<Value>& vals, std::vector<Value>& args) {
  auto x = [&](size_t i) -> const Buf& { return vals[in.operands[i]].array; };
  switch (in.op) {
    case Op::kParameter: return args.at(in.parameter_number);
    case Op::kConstant: return ArrayValue(in.literal);
    case Op::kTuple: {
      Value t;
      t.is_tuple = true;
      for (int o : in.operands) t.tuple.push_back(vals[o]);
      return t;
    }
    case Op::kGetTupleElement: return vals[in.operands[0]].tuple.at(in.tuple_index);
    default: break;
  }
  Buf out = in.shape.tuple ? nullptr : NeedsZeroedOutput(in) ? DeviceBuffer::Allocate(in.shape.array) : DeviceBuffer::AllocateUninitialized(in.shape.array);
  const ArrayShape& os = in.shape.array;
  const int64_t n = in.shape.tuple ? 0 : os.ElementCount();
  if (in.fusion != nullptr) {
    const Fusion& f = *in.fusion;
    std::vector<const void*> inputs(f.inputs.size());
    for (size_t k = 0; k < inputs.size(); k++) inputs[k] = x(k)->data();
    if (in.op == Op::kReduce) {
      RunFusedReduce(f, inputs, in.dims, *P<float>(x(f.inputs.size())), in.simple_reducer, P<float>(out));
    } else {
      RunFusion(f, inputs, out->data());
    }
    return ArrayValue(out);
  }
  switch (Info(in.op).family) {
    case OpFamily::kUnary: case OpFamily::kBinary: case OpFamily::kTernary: {
      std::vector<const DeviceBuffer*> operands;
      for (size_t k = 0; k < in.operands.size(); k++) operands.push_back(x(k).get());
      RunElementwise(in.op, operands, *out);
      return ArrayValue(out);
    }
    default: break;
  }
  switch (in.op) {
    case Op::kIota: {
      auto strides = kernels::RowMajorStrides(os.dims);
      int64_t d = in.dims[0];
      Dispatch(os.type, [&](auto t) {
        using T = decltype(t);
        for (int64_t i = 0; i < n; i++) P<T>(out)[i] = static_cast<T>((i / strides[d]) % os.dims[d]);
      });
      break;
    }
    case Op::kReshape: case Op::kCopy:
      std::memcpy(out->data(), x(0)->data(), out->size_bytes());
      break;
    case Op::kBroadcast: Broadcast(in, *x(0), out); break;
    case Op::kTranspose: Transpose(in, x(0), out); break;
    case Op::kConvert: Convert(x(0), out); break;
    case Op::kSlice: Slice(in, x(0), out); break;
    case Op::kPad: Pad(in, x(0), x(1), out); break;
    case Op::kConcatenate: Concatenate(in, vals, out); break;
    case Op::kCompare: Compare(in, x(0), x(1), out); break;
    case Op::kSelect: Select(x(0), x(1), x(2), out); break;
    case Op::kDot: Dot(in, x(0), x(1), out); break;
    case Op::kConvolution: Convolution(in, x(0), x(1), out); break;
    case Op::kReduce: Reduce(in, x(0), x(1), out); break;
    case Op::kReduceWindow: ReduceWindow(in, x(0), x(1), out); break;
    case Op::kSelectAndScatter: SelectAndScatter(in, x(0), x(1), x(2), out); break;
    case Op::kRngBitGenerator: return RngBitGenerator(in, x(0));
    case Op::kAllReduce: {
      std::vector<double> values(static_cast<size_t>(n));
      Dispatch(os.type, [&](auto t) {
        using T = decltype(t);
        for (int64_t i = 0; i < n; i++) values[i] = static_cast<double>(P<T>(x(0))[i]);
        HubAllReduceSum(hub_, values);
        for (int64_t i = 0; i < n; i++) P<T>(out)[i] = static_cast<T>(values[i]);
      });
      break;
    }
    default:
      throw EngineError(ErrorCode::kUnimplemented, "opcode '" + in.opcode + "' cannot run");
  }
  return ArrayValue(out);
}

std::vector<std::shared_ptr<DeviceBuffer>> RunProgram(const Program& program, const std::vector<std::shared_ptr<DeviceBuffer>>& arguments,
                                                      int replica_id, CollectiveHub* hub) {
  std::vector<Value> args;
  for (const auto& a : arguments) args.push_back(ArrayValue(a));
  Value result = Interpreter(program, replica_id, hub).Run(program.entry, std::move(args));
  std::vector<std::shared_ptr<DeviceBuffer>> outputs;
  if (result.is_tuple) {
    for (auto& e : result.tuple) outputs.push_back(e.array);
  } else {
    outputs.push_back(result.array);
  }
  return outputs;
}

}  // namespace xlaprune::cpu
