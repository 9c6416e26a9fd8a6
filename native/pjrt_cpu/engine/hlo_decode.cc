// Decoding an HloInstructionProto's parts: shapes (with the element types and sizes the engine
// accepts), configs (windows, dimension numbers, padding, slices, comparisons) and literals.
#include <algorithm>

#include "program_builder.h"

namespace xlaprune::cpu {
namespace {

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

}  // namespace

Shape ParseShape(const xla::ShapeProto& proto, const Context& ctx, int depth) {
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

void DecodeConfigs(const xla::HloInstructionProto& ip, Instr& in, const Context& ctx) {
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

}  // namespace xlaprune::cpu
