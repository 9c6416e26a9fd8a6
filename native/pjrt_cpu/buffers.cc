// Buffer objects: creation, the live storage behind a handle, metadata, deletion, device-to-device
// copies and external references. Host transfers are in host_transfers.cc.
#include <array>
#include <cstring>
#include <string>

#include "api_internal.h"

namespace xlaprune::pjrt {
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

PJRT_Buffer* BufferOf(PJRT_Buffer* buffer, const char* what) { return Require(buffer, what); }

// A new buffer on `device` that holds a copy of `buffer`'s contents.
PJRT_Buffer* CopyOf(PJRT_Buffer* buffer, PJRT_Device* device) {
  std::shared_ptr<cpu::DeviceBuffer> source = LiveStorage(buffer, "buffer");
  std::shared_ptr<cpu::DeviceBuffer> copy = cpu::DeviceBuffer::Allocate(source->shape());
  if (source->size_bytes() != 0) std::memcpy(copy->data(), source->data(), source->size_bytes());
  return NewBuffer(buffer->client, device, std::move(copy));
}

}  // namespace
}  // namespace xlaprune::pjrt

using namespace xlaprune::pjrt;

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
  args->dst_buffer = CopyOf(buffer, device);
}

XLAPRUNE_ENTRY(PJRT_Buffer_CopyToMemory) {
  PJRT_Buffer* buffer = BufferOf(args->buffer, "PJRT_Buffer_CopyToMemory_Args.buffer");
  MemoryImpl* memory = buffer->client->CheckMemory(args->dst_memory, "PJRT_Buffer_CopyToMemory_Args.dst_memory");
  if (memory->device == buffer->device) InvalidArgument("the buffer is already in memory " + memory->debug_string);
  args->dst_buffer = CopyOf(buffer, memory->device);
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
