// Buffers: host transfers (dense and strided), metadata, deletion, copies, external references.
// Device memory is host memory, so every transfer completes before the call returns and every
// event handed out is already complete.
#include <array>
#include <cstring>
#include <limits>
#include <string>

#include "api_internal.h"

namespace xlaprune::pjrt {

// ---- Element types and shapes ---------------------------------------------------------------

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

// ---- Buffer objects -------------------------------------------------------------------------

namespace {

// The dense minor-to-major order of rank r is r-1, ..., 0: the last r entries of this table.
constexpr size_t kSharedLayoutRank = 32;
constexpr std::array<int64_t, kSharedLayoutRank> kDescendingDims = [] {
  std::array<int64_t, kSharedLayoutRank> dims{};
  for (size_t i = 0; i < kSharedLayoutRank; ++i) dims[i] = static_cast<int64_t>(kSharedLayoutRank - 1 - i);
  return dims;
}();

const int64_t* DenseMinorToMajor(const PJRT_Buffer& buffer) {
  const size_t rank = buffer.shape.dims.size();
  return rank <= kSharedLayoutRank ? kDescendingDims.data() + (kSharedLayoutRank - rank) : buffer.minor_to_major.data();
}

}  // namespace

PJRT_Buffer* NewBuffer(const std::shared_ptr<ClientState>& client, PJRT_Device* device,
                       std::shared_ptr<cpu::DeviceBuffer> storage) {
  auto buffer = std::make_unique<PJRT_Buffer>();
  buffer->client = client;
  buffer->device = device;
  buffer->shape = storage->shape();
  buffer->type = ToBufferType(buffer->shape.type);
  // Up to kSharedLayoutRank the dense layout comes from a shared table (see DenseMinorToMajor); only higher ranks
  // keep their own copy.
  const size_t rank = buffer->shape.dims.size();
  if (rank > kSharedLayoutRank) {
    buffer->minor_to_major.resize(rank);
    for (size_t i = 0; i < rank; ++i) buffer->minor_to_major[i] = static_cast<int64_t>(rank - 1 - i);
  }
  device->counters.Add(static_cast<int64_t>(storage->size_bytes()));
  buffer->storage = std::move(storage);
  return buffer.release();
}

}  // namespace xlaprune::pjrt

PJRT_Buffer::~PJRT_Buffer() {
  if (storage != nullptr) device->counters.Remove(static_cast<int64_t>(storage->size_bytes()));
}

namespace xlaprune::pjrt {

std::shared_ptr<cpu::DeviceBuffer> LiveStorage(PJRT_Buffer* buffer, const char* what) {
  std::lock_guard<std::mutex> lock(buffer->mutex);
  if (buffer->storage == nullptr) {
    InvalidArgument(std::string(what) + (buffer->donated ? " has been donated to an execution" : " has been deleted"));
  }
  return buffer->storage;
}

void ReleaseStorage(PJRT_Buffer* buffer, bool donated) {
  std::shared_ptr<cpu::DeviceBuffer> storage;
  {
    std::lock_guard<std::mutex> lock(buffer->mutex);
    storage.swap(buffer->storage);
    if (storage != nullptr) buffer->donated = donated;
  }
  if (storage != nullptr) buffer->device->counters.Remove(static_cast<int64_t>(storage->size_bytes()));
}

namespace {

// NULL or a dense major-to-minor layout without tiles; anything else is UNIMPLEMENTED.
void RequireDenseLayout(const PJRT_Buffer_MemoryLayout* layout, const cpu::ArrayShape& shape, const char* what) {
  if (layout == nullptr) return;
  if (layout->struct_size < PJRT_Buffer_MemoryLayout_STRUCT_SIZE) {
    InvalidArgument("Unexpected PJRT_Buffer_MemoryLayout size: expected " +
                    std::to_string(PJRT_Buffer_MemoryLayout_STRUCT_SIZE) + ", got " + std::to_string(layout->struct_size));
  }
  const size_t rank = shape.dims.size();
  bool dense = false;
  const int type = RawEnum(layout->type);
  if (type == PJRT_Buffer_MemoryLayout_Type_Tiled) {
    const PJRT_Buffer_MemoryLayout_Tiled& tiled = layout->tiled;
    dense = tiled.num_tiles == 0 && tiled.minor_to_major_size == rank && (rank == 0 || tiled.minor_to_major != nullptr);
    for (size_t i = 0; dense && i < rank; ++i) dense = tiled.minor_to_major[i] == static_cast<int64_t>(rank - 1 - i);
  } else if (type == PJRT_Buffer_MemoryLayout_Type_Strides) {
    const PJRT_Buffer_MemoryLayout_Strides& strides = layout->strides;
    dense = strides.num_byte_strides == rank && (rank == 0 || strides.byte_strides != nullptr);
    // The dense stride of a dimension; past a zero-size dimension the product may leave int64
    // (MakeShape bounds only non-empty shapes), and then no stride can be the dense one.
    int64_t expected = static_cast<int64_t>(cpu::ElementSize(shape.type));
    bool representable = true;
    for (size_t i = rank; dense && i-- > 0;) {
      dense = shape.dims[i] <= 1 || (representable && strides.byte_strides[i] == expected);
      representable = representable && !__builtin_mul_overflow(expected, shape.dims[i], &expected);
    }
  } else {
    InvalidArgument(std::string(what) + ": layout type " + std::to_string(type) +
                    " is not a PJRT_Buffer_MemoryLayout_Type");
  }
  if (!dense) {
    Unimplemented(std::string(what) + ": the XlaPrune CPU plugin supports only dense major-to-minor layouts for " +
                  ShapeString(shape));
  }
}

// Copies a strided host array into dense major-to-minor order, one innermost row at a time.
void CopyStrided(const char* src, char* dst, const cpu::ArrayShape& shape, const int64_t* byte_strides) {
  const size_t element_size = cpu::ElementSize(shape.type);
  const size_t rank = shape.dims.size();
  if (rank == 0) {
    std::memcpy(dst, src, element_size);
    return;
  }
  for (int64_t d : shape.dims) {
    if (d == 0) return;
  }
  const int64_t inner = shape.dims[rank - 1];
  const int64_t inner_stride = byte_strides[rank - 1];
  const size_t row_bytes = static_cast<size_t>(inner) * element_size;
  std::vector<int64_t> index(rank - 1, 0);
  for (;;) {
    int64_t offset = 0;
    for (size_t i = 0; i + 1 < rank; ++i) offset += index[i] * byte_strides[i];
    const char* row = src + offset;
    if (inner_stride == static_cast<int64_t>(element_size)) {
      std::memcpy(dst, row, row_bytes);
    } else {
      for (int64_t j = 0; j < inner; ++j) std::memcpy(dst + j * element_size, row + j * inner_stride, element_size);
    }
    dst += row_bytes;
    size_t d = rank - 1;
    while (d > 0) {
      if (++index[d - 1] < shape.dims[d - 1]) break;
      index[d - 1] = 0;
      --d;
    }
    if (d == 0) return;
  }
}

// The device a transfer targets: `memory` if given (it must agree with `device`), else `device`.
PJRT_Device* TargetDevice(ClientState& client, PJRT_Device* device, PJRT_Memory* memory, const char* what) {
  if (memory != nullptr) {
    MemoryImpl* impl = client.CheckMemory(memory, (std::string(what) + ".memory").c_str());
    if (device != nullptr && device != impl->device) {
      InvalidArgument(std::string(what) + ": memory " + impl->debug_string + " is not attached to device " +
                      device->description.debug_string);
    }
    return impl->device;
  }
  return client.CheckDevice(device, (std::string(what) + ".device").c_str());
}

PJRT_Buffer* BufferOf(PJRT_Buffer* buffer, const char* what) { return Require(buffer, what); }

}  // namespace
}  // namespace xlaprune::pjrt

using namespace xlaprune::pjrt;
namespace cpu = xlaprune::cpu;

XLAPRUNE_ENTRY(PJRT_Client_BufferFromHostBuffer) {
  const char* what = "PJRT_Client_BufferFromHostBuffer_Args";
  PJRT_Client* client = Require(args->client, "PJRT_Client_BufferFromHostBuffer_Args.client");
  PJRT_Device* device = TargetDevice(*client->state, args->device, args->memory, what);
  const int semantics = RawEnum(args->host_buffer_semantics);
  if (semantics < PJRT_HostBufferSemantics_kImmutableOnlyDuringCall || semantics > PJRT_HostBufferSemantics_kMutableZeroCopy) {
    InvalidArgument("host_buffer_semantics " + std::to_string(semantics) +
                    " is not a PJRT_HostBufferSemantics");
  }
  cpu::ArrayShape shape = MakeShape(RawEnum(args->type), args->dims, args->num_dims, what);
  RequireDenseLayout(args->device_layout, shape, "PJRT_Client_BufferFromHostBuffer_Args.device_layout");
  const size_t bytes = shape.ByteSize();
  if (args->data == nullptr && bytes != 0) InvalidArgument("PJRT_Client_BufferFromHostBuffer_Args.data is null");
  if (args->num_byte_strides != 0) {
    if (args->num_byte_strides != args->num_dims) {
      InvalidArgument("byte_strides has " + std::to_string(args->num_byte_strides) + " entries but the shape " +
                      ShapeString(shape) + " has rank " + std::to_string(args->num_dims));
    }
    Require(args->byte_strides, "PJRT_Client_BufferFromHostBuffer_Args.byte_strides");
  }
  // Every semantics is served by a copy, so the host buffer is free again when this returns.
  std::shared_ptr<cpu::DeviceBuffer> storage = cpu::DeviceBuffer::Allocate(shape);
  if (bytes != 0) {
    if (args->num_byte_strides == 0) {
      std::memcpy(storage->data(), args->data, bytes);
    } else {
      CopyStrided(static_cast<const char*>(args->data), static_cast<char*>(storage->data()), shape, args->byte_strides);
    }
  }
  std::unique_ptr<PJRT_Event> done(NewReadyEvent());
  PJRT_Buffer* buffer = NewBuffer(client->state, device, std::move(storage));
  args->done_with_host_buffer = done.release();
  args->buffer = buffer;
}

XLAPRUNE_ENTRY(PJRT_Client_CreateUninitializedBuffer) {
  const char* what = "PJRT_Client_CreateUninitializedBuffer_Args";
  PJRT_Client* client = Require(args->client, "PJRT_Client_CreateUninitializedBuffer_Args.client");
  PJRT_Device* device = TargetDevice(*client->state, args->device, args->memory, what);
  cpu::ArrayShape shape = MakeShape(RawEnum(args->shape_element_type), args->shape_dims, args->shape_num_dims, what);
  RequireDenseLayout(args->shape_layout, shape, "PJRT_Client_CreateUninitializedBuffer_Args.shape_layout");
  args->buffer = NewBuffer(client->state, device, cpu::DeviceBuffer::Allocate(shape));
}

XLAPRUNE_ENTRY(PJRT_Buffer_Destroy) { delete args->buffer; }

XLAPRUNE_ENTRY(PJRT_Buffer_ElementType) {
  args->type = BufferOf(args->buffer, "PJRT_Buffer_ElementType_Args.buffer")->type;
}

XLAPRUNE_ENTRY(PJRT_Buffer_Dimensions) {
  PJRT_Buffer* buffer = BufferOf(args->buffer, "PJRT_Buffer_Dimensions_Args.buffer");
  args->dims = buffer->shape.dims.data();
  args->num_dims = buffer->shape.dims.size();
}

XLAPRUNE_ENTRY(PJRT_Buffer_UnpaddedDimensions) {
  PJRT_Buffer* buffer = BufferOf(args->buffer, "PJRT_Buffer_UnpaddedDimensions_Args.buffer");
  args->unpadded_dims = buffer->shape.dims.data();
  args->num_dims = buffer->shape.dims.size();
}

// All dimensions are static.
XLAPRUNE_ENTRY(PJRT_Buffer_DynamicDimensionIndices) {
  BufferOf(args->buffer, "PJRT_Buffer_DynamicDimensionIndices_Args.buffer");
  args->dynamic_dim_indices = nullptr;
  args->num_dynamic_dims = 0;
}

XLAPRUNE_ENTRY(PJRT_Buffer_GetMemoryLayout) {
  PJRT_Buffer* buffer = BufferOf(args->buffer, "PJRT_Buffer_GetMemoryLayout_Args.buffer");
  PJRT_Buffer_MemoryLayout& layout = args->layout;
  std::memset(&layout, 0, sizeof(layout));
  layout.struct_size = PJRT_Buffer_MemoryLayout_STRUCT_SIZE;
  layout.type = PJRT_Buffer_MemoryLayout_Type_Tiled;
  layout.tiled.struct_size = PJRT_Buffer_MemoryLayout_Tiled_STRUCT_SIZE;
  layout.tiled.minor_to_major = DenseMinorToMajor(*buffer);
  layout.tiled.minor_to_major_size = buffer->shape.dims.size();
  layout.tiled.tile_dims = nullptr;
  layout.tiled.tile_dim_sizes = nullptr;
  layout.tiled.num_tiles = 0;
}

XLAPRUNE_ENTRY(PJRT_Buffer_OnDeviceSizeInBytes) {
  PJRT_Buffer* buffer = BufferOf(args->buffer, "PJRT_Buffer_OnDeviceSizeInBytes_Args.buffer");
  args->on_device_size_in_bytes = LiveStorage(buffer, "buffer")->size_bytes();
}

XLAPRUNE_ENTRY(PJRT_Buffer_Device) { args->device = BufferOf(args->buffer, "PJRT_Buffer_Device_Args.buffer")->device; }

XLAPRUNE_ENTRY(PJRT_Buffer_Memory) {
  args->memory = BufferOf(args->buffer, "PJRT_Buffer_Memory_Args.buffer")->device->memory;
}

XLAPRUNE_ENTRY(PJRT_Buffer_Delete) { ReleaseStorage(BufferOf(args->buffer, "PJRT_Buffer_Delete_Args.buffer"), false); }

XLAPRUNE_ENTRY(PJRT_Buffer_IsDeleted) {
  PJRT_Buffer* buffer = BufferOf(args->buffer, "PJRT_Buffer_IsDeleted_Args.buffer");
  std::lock_guard<std::mutex> lock(buffer->mutex);
  args->is_deleted = buffer->storage == nullptr;
}

XLAPRUNE_ENTRY(PJRT_Buffer_CopyToDevice) {
  PJRT_Buffer* buffer = BufferOf(args->buffer, "PJRT_Buffer_CopyToDevice_Args.buffer");
  PJRT_Device* device = buffer->client->CheckDevice(args->dst_device, "PJRT_Buffer_CopyToDevice_Args.dst_device");
  if (device == buffer->device) InvalidArgument("the buffer is already on device " + device->description.debug_string);
  std::shared_ptr<cpu::DeviceBuffer> source = LiveStorage(buffer, "buffer");
  std::shared_ptr<cpu::DeviceBuffer> copy = cpu::DeviceBuffer::Allocate(source->shape());
  if (source->size_bytes() != 0) std::memcpy(copy->data(), source->data(), source->size_bytes());
  args->dst_buffer = NewBuffer(buffer->client, device, std::move(copy));
}

XLAPRUNE_ENTRY(PJRT_Buffer_CopyToMemory) {
  PJRT_Buffer* buffer = BufferOf(args->buffer, "PJRT_Buffer_CopyToMemory_Args.buffer");
  MemoryImpl* memory = buffer->client->CheckMemory(args->dst_memory, "PJRT_Buffer_CopyToMemory_Args.dst_memory");
  if (memory->device == buffer->device) InvalidArgument("the buffer is already in memory " + memory->debug_string);
  std::shared_ptr<cpu::DeviceBuffer> source = LiveStorage(buffer, "buffer");
  std::shared_ptr<cpu::DeviceBuffer> copy = cpu::DeviceBuffer::Allocate(source->shape());
  if (source->size_bytes() != 0) std::memcpy(copy->data(), source->data(), source->size_bytes());
  args->dst_buffer = NewBuffer(buffer->client, memory->device, std::move(copy));
}

XLAPRUNE_ENTRY(PJRT_Buffer_ToHostBuffer) {
  PJRT_Buffer* buffer = BufferOf(args->src, "PJRT_Buffer_ToHostBuffer_Args.src");
  RequireDenseLayout(args->host_layout, buffer->shape, "PJRT_Buffer_ToHostBuffer_Args.host_layout");
  std::shared_ptr<cpu::DeviceBuffer> source = LiveStorage(buffer, "buffer");
  const size_t needed = source->size_bytes();
  if (args->dst == nullptr) {
    args->dst_size = needed;
    args->event = nullptr;
    return;
  }
  if (args->dst_size < needed) {
    InvalidArgument("dst_size is " + std::to_string(args->dst_size) + " bytes but the buffer " +
                    ShapeString(buffer->shape) + " needs " + std::to_string(needed));
  }
  if (needed != 0) std::memcpy(args->dst, source->data(), needed);
  args->event = NewReadyEvent();
}

XLAPRUNE_ENTRY(PJRT_Buffer_CopyRawToHost) {
  PJRT_Buffer* buffer = BufferOf(args->buffer, "PJRT_Buffer_CopyRawToHost_Args.buffer");
  std::shared_ptr<cpu::DeviceBuffer> source = LiveStorage(buffer, "buffer");
  const int64_t size = static_cast<int64_t>(source->size_bytes());
  if (args->offset < 0 || args->transfer_size < 0 || args->offset > size || args->transfer_size > size - args->offset) {
    InvalidArgument("raw copy of " + std::to_string(args->transfer_size) + " bytes at offset " +
                    std::to_string(args->offset) + " is outside the buffer's " + std::to_string(size) + " bytes");
  }
  if (args->transfer_size != 0) {
    Require(args->dst, "PJRT_Buffer_CopyRawToHost_Args.dst");
    std::memcpy(args->dst, static_cast<const char*>(source->data()) + args->offset,
                static_cast<size_t>(args->transfer_size));
  }
  args->event = NewReadyEvent();
}

XLAPRUNE_ENTRY(PJRT_Buffer_IsOnCpu) {
  BufferOf(args->buffer, "PJRT_Buffer_IsOnCpu_Args.buffer");
  args->is_on_cpu = true;
}

XLAPRUNE_ENTRY(PJRT_Buffer_ReadyEvent) {
  PJRT_Buffer* buffer = BufferOf(args->buffer, "PJRT_Buffer_ReadyEvent_Args.buffer");
  Status status;
  {
    std::lock_guard<std::mutex> lock(buffer->mutex);
    if (buffer->storage == nullptr) {
      status.code = PJRT_Error_Code_INVALID_ARGUMENT;
      status.message = buffer->donated ? "buffer has been donated to an execution" : "buffer has been deleted";
    }
  }
  args->event = NewReadyEvent(std::move(status));
}

XLAPRUNE_ENTRY(PJRT_Buffer_UnsafePointer) {
  PJRT_Buffer* buffer = BufferOf(args->buffer, "PJRT_Buffer_UnsafePointer_Args.buffer");
  args->buffer_pointer = reinterpret_cast<uintptr_t>(LiveStorage(buffer, "buffer")->data());
}

XLAPRUNE_ENTRY(PJRT_Buffer_OpaqueDeviceMemoryDataPointer) {
  PJRT_Buffer* buffer = BufferOf(args->buffer, "PJRT_Buffer_OpaqueDeviceMemoryDataPointer_Args.buffer");
  args->device_memory_ptr = LiveStorage(buffer, "buffer")->data();
}

XLAPRUNE_ENTRY(PJRT_Buffer_IncreaseExternalReferenceCount) {
  PJRT_Buffer* buffer = BufferOf(args->buffer, "PJRT_Buffer_IncreaseExternalReferenceCount_Args.buffer");
  std::lock_guard<std::mutex> lock(buffer->mutex);
  if (buffer->storage == nullptr) InvalidArgument("buffer has been deleted or donated");
  ++buffer->external_references;
}

XLAPRUNE_ENTRY(PJRT_Buffer_DecreaseExternalReferenceCount) {
  PJRT_Buffer* buffer = BufferOf(args->buffer, "PJRT_Buffer_DecreaseExternalReferenceCount_Args.buffer");
  std::lock_guard<std::mutex> lock(buffer->mutex);
  if (buffer->external_references == 0) {
    Fail(PJRT_Error_Code_FAILED_PRECONDITION,
         "the buffer's external reference count is zero: PJRT_Buffer_IncreaseExternalReferenceCount was not called");
  }
  --buffer->external_references;
}
