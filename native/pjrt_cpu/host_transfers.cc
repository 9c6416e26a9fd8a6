// Host transfers: host arrays (dense or strided) into new buffers, and buffers back into host
// memory. Device memory is host memory, so every transfer completes before the call returns and
// every event handed out is already complete.
#include <cstring>
#include <string>
#include <vector>

#include "api_internal.h"

namespace xlaprune::pjrt {
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

XLAPRUNE_ENTRY(PJRT_Buffer_ToHostBuffer) {
  PJRT_Buffer* buffer = Require(args->src, "PJRT_Buffer_ToHostBuffer_Args.src");
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
  PJRT_Buffer* buffer = Require(args->buffer, "PJRT_Buffer_CopyRawToHost_Args.buffer");
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
