// Element types and shapes: PJRT buffer types to engine types and back, XLA-style shape strings,
// and the checked construction of a shape from caller-given dims.
#include <cstdint>
#include <limits>
#include <string>

#include "api_internal.h"

namespace xlaprune::pjrt {

const char* BufferTypeName(PJRT_Buffer_Type type) noexcept {
  switch (type) {
    case PJRT_Buffer_Type_INVALID: return "invalid";
    case PJRT_Buffer_Type_PRED: return "pred";
    case PJRT_Buffer_Type_S8: return "s8";
    case PJRT_Buffer_Type_S16: return "s16";
    case PJRT_Buffer_Type_S32: return "s32";
    case PJRT_Buffer_Type_S64: return "s64";
    case PJRT_Buffer_Type_U8: return "u8";
    case PJRT_Buffer_Type_U16: return "u16";
    case PJRT_Buffer_Type_U32: return "u32";
    case PJRT_Buffer_Type_U64: return "u64";
    case PJRT_Buffer_Type_F16: return "f16";
    case PJRT_Buffer_Type_F32: return "f32";
    case PJRT_Buffer_Type_F64: return "f64";
    case PJRT_Buffer_Type_BF16: return "bf16";
    case PJRT_Buffer_Type_C64: return "c64";
    case PJRT_Buffer_Type_C128: return "c128";
    case PJRT_Buffer_Type_F8E5M2: return "f8e5m2";
    case PJRT_Buffer_Type_F8E4M3FN: return "f8e4m3fn";
    case PJRT_Buffer_Type_F8E4M3B11FNUZ: return "f8e4m3b11fnuz";
    case PJRT_Buffer_Type_F8E5M2FNUZ: return "f8e5m2fnuz";
    case PJRT_Buffer_Type_F8E4M3FNUZ: return "f8e4m3fnuz";
    case PJRT_Buffer_Type_S4: return "s4";
    case PJRT_Buffer_Type_U4: return "u4";
    case PJRT_Buffer_Type_TOKEN: return "token";
    case PJRT_Buffer_Type_S2: return "s2";
    case PJRT_Buffer_Type_U2: return "u2";
    case PJRT_Buffer_Type_F8E4M3: return "f8e4m3";
    case PJRT_Buffer_Type_F8E3M4: return "f8e3m4";
    case PJRT_Buffer_Type_F8E8M0FNU: return "f8e8m0fnu";
    case PJRT_Buffer_Type_F4E2M1FN: return "f4e2m1fn";
    case PJRT_Buffer_Type_S1: return "s1";
    case PJRT_Buffer_Type_U1: return "u1";
    case PJRT_Buffer_Type_F6E2M3FN: return "f6e2m3fn";
    case PJRT_Buffer_Type_F6E3M2FN: return "f6e3m2fn";
  }
  return nullptr;
}

cpu::ElementType ToEngineType(int raw_type) {
  using cpu::ElementType;
  if (raw_type <= PJRT_Buffer_Type_INVALID || raw_type > PJRT_Buffer_Type_F6E3M2FN) {
    InvalidArgument("element type " + std::to_string(raw_type) + " is not a valid PJRT_Buffer_Type");
  }
  const auto type = static_cast<PJRT_Buffer_Type>(raw_type);
  switch (type) {
    case PJRT_Buffer_Type_PRED: return ElementType::kPred;
    case PJRT_Buffer_Type_S8: return ElementType::kS8;
    case PJRT_Buffer_Type_S16: return ElementType::kS16;
    case PJRT_Buffer_Type_S32: return ElementType::kS32;
    case PJRT_Buffer_Type_S64: return ElementType::kS64;
    case PJRT_Buffer_Type_U8: return ElementType::kU8;
    case PJRT_Buffer_Type_U16: return ElementType::kU16;
    case PJRT_Buffer_Type_U32: return ElementType::kU32;
    case PJRT_Buffer_Type_U64: return ElementType::kU64;
    case PJRT_Buffer_Type_F16: return ElementType::kF16;
    case PJRT_Buffer_Type_F32: return ElementType::kF32;
    case PJRT_Buffer_Type_F64: return ElementType::kF64;
    case PJRT_Buffer_Type_BF16: return ElementType::kBF16;
    default: break;
  }
  Unimplemented(std::string("element type ") + BufferTypeName(type) + " is not supported by the XlaPrune CPU plugin");
}

PJRT_Buffer_Type ToBufferType(cpu::ElementType type) noexcept {
  using cpu::ElementType;
  switch (type) {
    case ElementType::kPred: return PJRT_Buffer_Type_PRED;
    case ElementType::kS8: return PJRT_Buffer_Type_S8;
    case ElementType::kS16: return PJRT_Buffer_Type_S16;
    case ElementType::kS32: return PJRT_Buffer_Type_S32;
    case ElementType::kS64: return PJRT_Buffer_Type_S64;
    case ElementType::kU8: return PJRT_Buffer_Type_U8;
    case ElementType::kU16: return PJRT_Buffer_Type_U16;
    case ElementType::kU32: return PJRT_Buffer_Type_U32;
    case ElementType::kU64: return PJRT_Buffer_Type_U64;
    case ElementType::kF16: return PJRT_Buffer_Type_F16;
    case ElementType::kF32: return PJRT_Buffer_Type_F32;
    case ElementType::kF64: return PJRT_Buffer_Type_F64;
    case ElementType::kBF16: return PJRT_Buffer_Type_BF16;
    case ElementType::kInvalid: break;
  }
  return PJRT_Buffer_Type_INVALID;
}

std::string ShapeString(const cpu::ArrayShape& shape) {
  const char* name = BufferTypeName(ToBufferType(shape.type));
  std::string text = name != nullptr ? name : "invalid";
  text += '[';
  for (size_t i = 0; i < shape.dims.size(); ++i) {
    if (i > 0) text += ',';
    text += std::to_string(shape.dims[i]);
  }
  text += ']';
  return text;
}

cpu::ArrayShape MakeShape(int type, const int64_t* dims, size_t num_dims, const char* what) {
  cpu::ArrayShape shape;
  shape.type = ToEngineType(type);
  if (num_dims > 0 && dims == nullptr) {
    InvalidArgument(std::string(what) + ": dims is null but num_dims is " + std::to_string(num_dims));
  }
  shape.dims.assign(dims, dims + num_dims);
  bool has_zero = false;
  for (int64_t d : shape.dims) {
    if (d < 0) {
      InvalidArgument(std::string(what) + ": dimension " + std::to_string(d) + " is negative in shape " +
                      ShapeString(shape));
    }
    has_zero = has_zero || d == 0;
  }
  // The byte size must fit in int64 before the engine computes it. The engine multiplies the
  // dims in order, so even an empty shape must keep the product of its other dims in range.
  int64_t bytes = static_cast<int64_t>(cpu::ElementSize(shape.type));
  for (size_t i = 0; i < shape.dims.size(); ++i) {
    if (shape.dims[i] == 0) continue;
    if (bytes > std::numeric_limits<int64_t>::max() / shape.dims[i]) {
      if (has_zero) {
        InvalidArgument(std::string(what) + ": the dimensions of shape " + ShapeString(shape) +
                        " multiply past the int64 range");
      }
      Fail(PJRT_Error_Code_RESOURCE_EXHAUSTED, std::string(what) + ": shape " + ShapeString(shape) + " does not fit in memory");
    }
    bytes *= shape.dims[i];
  }
  return shape;
}

}  // namespace xlaprune::pjrt
