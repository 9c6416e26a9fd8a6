// Buffers through the C API: host round trips (dense and strided), metadata, layouts, deletion,
// copies, raw reads, pointers, external references, memory statistics and bad input.
#include <cstdint>

#include "api_test_util.h"

namespace xlaprune::pjrt::testing {
namespace {

class Buffers : public ClientTest {
 protected:
  int64_t DeviceCount() const override { return 2; }

  ErrorInfo TryUpload(PJRT_Buffer_Type type, const void* data, const std::vector<int64_t>& dims,
                      PJRT_Buffer** buffer, PJRT_Buffer_MemoryLayout* layout = nullptr) {
    auto args = XLAPRUNE_ARGS(PJRT_Client_BufferFromHostBuffer_Args);
    args.client = client_;
    args.data = data;
    args.type = type;
    args.dims = dims.data();
    args.num_dims = dims.size();
    args.host_buffer_semantics = PJRT_HostBufferSemantics_kImmutableOnlyDuringCall;
    args.device = devices_[0];
    args.device_layout = layout;
    ErrorInfo info = Take(api()->PJRT_Client_BufferFromHostBuffer(&args));
    *buffer = args.buffer;
    if (info.code == PJRT_Error_Code_OK) DestroyEvent(args.done_with_host_buffer);
    return info;
  }


  int64_t BytesInUse(PJRT_Device* device) {
    auto args = XLAPRUNE_ARGS(PJRT_Device_MemoryStats_Args);
    args.device = device;
    XLAPRUNE_EXPECT_OK(api()->PJRT_Device_MemoryStats(&args));
    return args.bytes_in_use;
  }
};

TEST_F(Buffers, DenseRoundTripKeepsValuesTypeAndDims) {
  std::vector<float> values = {1, 2, 3, 4, 5, 6};
  PJRT_Buffer* buffer = UploadF32(client_, devices_[0], values, {2, 3});
  ASSERT_NE(buffer, nullptr);
  EXPECT_EQ(Download<float>(buffer), values);
  auto type = XLAPRUNE_ARGS(PJRT_Buffer_ElementType_Args);
  type.buffer = buffer;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Buffer_ElementType(&type));
  EXPECT_EQ(type.type, PJRT_Buffer_Type_F32);
  auto dims = XLAPRUNE_ARGS(PJRT_Buffer_Dimensions_Args);
  dims.buffer = buffer;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Buffer_Dimensions(&dims));
  EXPECT_EQ(std::vector<int64_t>(dims.dims, dims.dims + dims.num_dims), (std::vector<int64_t>{2, 3}));
  auto unpadded = XLAPRUNE_ARGS(PJRT_Buffer_UnpaddedDimensions_Args);
  unpadded.buffer = buffer;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Buffer_UnpaddedDimensions(&unpadded));
  EXPECT_EQ(std::vector<int64_t>(unpadded.unpadded_dims, unpadded.unpadded_dims + unpadded.num_dims),
            (std::vector<int64_t>{2, 3}));
  auto dynamic = XLAPRUNE_ARGS(PJRT_Buffer_DynamicDimensionIndices_Args);
  dynamic.buffer = buffer;
  dynamic.num_dynamic_dims = 99;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Buffer_DynamicDimensionIndices(&dynamic));
  EXPECT_EQ(dynamic.num_dynamic_dims, 0u);
  auto size = XLAPRUNE_ARGS(PJRT_Buffer_OnDeviceSizeInBytes_Args);
  size.buffer = buffer;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Buffer_OnDeviceSizeInBytes(&size));
  EXPECT_EQ(size.on_device_size_in_bytes, 24u);
  auto device = XLAPRUNE_ARGS(PJRT_Buffer_Device_Args);
  device.buffer = buffer;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Buffer_Device(&device));
  EXPECT_EQ(device.device, devices_[0]);
  auto memory = XLAPRUNE_ARGS(PJRT_Buffer_Memory_Args);
  memory.buffer = buffer;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Buffer_Memory(&memory));
  auto default_memory = XLAPRUNE_ARGS(PJRT_Device_DefaultMemory_Args);
  default_memory.device = devices_[0];
  XLAPRUNE_ASSERT_OK(api()->PJRT_Device_DefaultMemory(&default_memory));
  EXPECT_EQ(memory.memory, default_memory.memory);
  auto on_cpu = XLAPRUNE_ARGS(PJRT_Buffer_IsOnCpu_Args);
  on_cpu.buffer = buffer;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Buffer_IsOnCpu(&on_cpu));
  EXPECT_TRUE(on_cpu.is_on_cpu);
  DestroyBuffer(buffer);
}

TEST_F(Buffers, ScalarsAndEmptyArraysAndOtherTypes) {
  int32_t scalar = -7;
  PJRT_Buffer* s = Upload(client_, devices_[0], PJRT_Buffer_Type_S32, &scalar, {});
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(Download<int32_t>(s), std::vector<int32_t>{-7});
  DestroyBuffer(s);
  PJRT_Buffer* empty = Upload(client_, devices_[0], PJRT_Buffer_Type_F32, nullptr, {0, 5});
  ASSERT_NE(empty, nullptr);
  EXPECT_TRUE(Download<float>(empty).empty());
  DestroyBuffer(empty);
  uint16_t bf16[2] = {0x3F80, 0xC000};  // 1.0, -2.0
  PJRT_Buffer* b = Upload(client_, devices_[0], PJRT_Buffer_Type_BF16, bf16, {2});
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(Download<uint16_t>(b), (std::vector<uint16_t>{0x3F80, 0xC000}));
  DestroyBuffer(b);
}

TEST_F(Buffers, ByteStridesAreGatheredIntoDenseOrder) {
  // Host holds a 3x2 column-major array: element (i, j) at byte 4 * (i + 3 * j).
  std::vector<float> column_major = {0, 10, 20, 1, 11, 21};
  PJRT_Buffer* transposed = Upload(client_, devices_[0], PJRT_Buffer_Type_F32, column_major.data(), {3, 2}, {4, 12});
  ASSERT_NE(transposed, nullptr);
  EXPECT_EQ(Download<float>(transposed), (std::vector<float>{0, 1, 10, 11, 20, 21}));
  DestroyBuffer(transposed);
  // Every other element of a row, read backwards (negative stride into the interior).
  std::vector<float> row = {0, 1, 2, 3, 4, 5, 6};
  PJRT_Buffer* reversed = Upload(client_, devices_[0], PJRT_Buffer_Type_F32, &row[6], {4}, {-8});
  ASSERT_NE(reversed, nullptr);
  EXPECT_EQ(Download<float>(reversed), (std::vector<float>{6, 4, 2, 0}));
  DestroyBuffer(reversed);
  // Broadcast with stride 0.
  float one = 3.5f;
  PJRT_Buffer* broadcast = Upload(client_, devices_[0], PJRT_Buffer_Type_F32, &one, {2, 2}, {0, 0});
  ASSERT_NE(broadcast, nullptr);
  EXPECT_EQ(Download<float>(broadcast), (std::vector<float>{3.5f, 3.5f, 3.5f, 3.5f}));
  DestroyBuffer(broadcast);
}

TEST_F(Buffers, StridesOfTheWrongRankAreInvalid) {
  std::vector<float> values(4);
  std::vector<int64_t> dims = {2, 2};
  std::vector<int64_t> strides = {4};
  auto args = XLAPRUNE_ARGS(PJRT_Client_BufferFromHostBuffer_Args);
  args.client = client_;
  args.data = values.data();
  args.type = PJRT_Buffer_Type_F32;
  args.dims = dims.data();
  args.num_dims = 2;
  args.byte_strides = strides.data();
  args.num_byte_strides = 1;
  args.device = devices_[0];
  ErrorInfo info = Take(api()->PJRT_Client_BufferFromHostBuffer(&args));
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "byte_strides has 1 entries but the shape f32[2,2] has rank 2");
}

TEST_F(Buffers, BadShapesAndTypesFailWithClearErrors) {
  PJRT_Buffer* buffer = nullptr;
  float data[4] = {};
  ErrorInfo info = TryUpload(PJRT_Buffer_Type_F32, data, {2, -2}, &buffer);
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "PJRT_Client_BufferFromHostBuffer_Args: dimension -2 is negative in shape f32[2,-2]");
  info = TryUpload(PJRT_Buffer_Type_C64, data, {2}, &buffer);
  EXPECT_EQ(info.code, PJRT_Error_Code_UNIMPLEMENTED);
  EXPECT_EQ(info.message, "element type c64 is not supported by the XlaPrune CPU plugin");
  info = TryUpload(static_cast<PJRT_Buffer_Type>(77), data, {2}, &buffer);
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "element type 77 is not a valid PJRT_Buffer_Type");
  info = TryUpload(PJRT_Buffer_Type_F32, data, {int64_t{1} << 40, int64_t{1} << 30}, &buffer);
  EXPECT_EQ(info.code, PJRT_Error_Code_RESOURCE_EXHAUSTED);
  EXPECT_EQ(info.message,
            "PJRT_Client_BufferFromHostBuffer_Args: shape f32[1099511627776,1073741824] does not fit in memory");
  info = TryUpload(PJRT_Buffer_Type_F32, nullptr, {2}, &buffer);
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "PJRT_Client_BufferFromHostBuffer_Args.data is null");
}

// Found by fuzz_execute: an empty shape whose other dimensions multiply past int64 once reached
// the engine's element count (signed overflow) instead of being refused.
TEST_F(Buffers, EmptyShapeWithHugeOtherDimsIsInvalid) {
  PJRT_Buffer* buffer = nullptr;
  float data[1] = {};
  ErrorInfo info = TryUpload(PJRT_Buffer_Type_F32, data, {0, int64_t{1} << 62, 4}, &buffer);
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "PJRT_Client_BufferFromHostBuffer_Args: the dimensions of shape f32[0,4611686018427387904,4] multiply past the int64 range");
  EXPECT_EQ(buffer, nullptr);
}

TEST_F(Buffers, OnlyDenseMajorToMinorDeviceLayoutsAreAccepted) {
  float data[6] = {1, 2, 3, 4, 5, 6};
  int64_t row_major[2] = {1, 0};
  int64_t column_major[2] = {0, 1};
  PJRT_Buffer_MemoryLayout layout;
  std::memset(&layout, 0, sizeof(layout));
  layout.struct_size = PJRT_Buffer_MemoryLayout_STRUCT_SIZE;
  layout.type = PJRT_Buffer_MemoryLayout_Type_Tiled;
  layout.tiled.struct_size = PJRT_Buffer_MemoryLayout_Tiled_STRUCT_SIZE;
  layout.tiled.minor_to_major = row_major;
  layout.tiled.minor_to_major_size = 2;
  PJRT_Buffer* buffer = nullptr;
  ErrorInfo info = TryUpload(PJRT_Buffer_Type_F32, data, {2, 3}, &buffer, &layout);
  ASSERT_EQ(info.code, PJRT_Error_Code_OK) << info.message;
  DestroyBuffer(buffer);
  layout.tiled.minor_to_major = column_major;
  info = TryUpload(PJRT_Buffer_Type_F32, data, {2, 3}, &buffer, &layout);
  EXPECT_EQ(info.code, PJRT_Error_Code_UNIMPLEMENTED);
  EXPECT_EQ(info.message,
            "PJRT_Client_BufferFromHostBuffer_Args.device_layout: the XlaPrune CPU plugin supports only dense "
            "major-to-minor layouts for f32[2,3]");
  layout.struct_size = 40;
  info = TryUpload(PJRT_Buffer_Type_F32, data, {2, 3}, &buffer, &layout);
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "Unexpected PJRT_Buffer_MemoryLayout size: expected 76, got 40");
}

TEST_F(Buffers, MemoryLayoutIsDenseTiledWithoutTiles) {
  std::vector<float> values(24);
  PJRT_Buffer* buffer = UploadF32(client_, devices_[0], values, {2, 3, 4});
  ASSERT_NE(buffer, nullptr);
  auto args = XLAPRUNE_ARGS(PJRT_Buffer_GetMemoryLayout_Args);
  args.buffer = buffer;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Buffer_GetMemoryLayout(&args));
  EXPECT_EQ(args.layout.type, PJRT_Buffer_MemoryLayout_Type_Tiled);
  EXPECT_EQ(args.layout.tiled.num_tiles, 0u);
  ASSERT_EQ(args.layout.tiled.minor_to_major_size, 3u);
  EXPECT_EQ(args.layout.tiled.minor_to_major[0], 2);
  EXPECT_EQ(args.layout.tiled.minor_to_major[1], 1);
  EXPECT_EQ(args.layout.tiled.minor_to_major[2], 0);
  DestroyBuffer(buffer);
}

TEST_F(Buffers, ToHostBufferChecksTheDestinationSize) {
  std::vector<float> values = {1, 2, 3};
  PJRT_Buffer* buffer = UploadF32(client_, devices_[0], values, {3});
  ASSERT_NE(buffer, nullptr);
  float small[2];
  auto args = XLAPRUNE_ARGS(PJRT_Buffer_ToHostBuffer_Args);
  args.src = buffer;
  args.dst = small;
  args.dst_size = sizeof(small);
  ErrorInfo info = Take(api()->PJRT_Buffer_ToHostBuffer(&args));
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "dst_size is 8 bytes but the buffer f32[3] needs 12");
  DestroyBuffer(buffer);
}

TEST_F(Buffers, DeleteDropsStorageAndLaterUseFails) {
  std::vector<float> values(256, 1.0f);
  const int64_t before = BytesInUse(devices_[0]);
  PJRT_Buffer* buffer = UploadF32(client_, devices_[0], values, {16, 16});
  ASSERT_NE(buffer, nullptr);
  EXPECT_EQ(BytesInUse(devices_[0]), before + 1024);
  EXPECT_FALSE(IsDeleted(buffer));
  auto del = XLAPRUNE_ARGS(PJRT_Buffer_Delete_Args);
  del.buffer = buffer;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Buffer_Delete(&del));
  EXPECT_TRUE(IsDeleted(buffer));
  EXPECT_EQ(BytesInUse(devices_[0]), before);
  auto args = XLAPRUNE_ARGS(PJRT_Buffer_ToHostBuffer_Args);
  args.src = buffer;
  ErrorInfo info = Take(api()->PJRT_Buffer_ToHostBuffer(&args));
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "buffer has been deleted");
  auto ready = XLAPRUNE_ARGS(PJRT_Buffer_ReadyEvent_Args);
  ready.buffer = buffer;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Buffer_ReadyEvent(&ready));
  auto await = XLAPRUNE_ARGS(PJRT_Event_Await_Args);
  await.event = ready.event;
  info = Take(api()->PJRT_Event_Await(&await));
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "buffer has been deleted");
  DestroyEvent(ready.event);
  DestroyBuffer(buffer);
}

TEST_F(Buffers, CopyToDeviceAndMemoryMakeIndependentCopies) {
  std::vector<float> values = {4, 5};
  PJRT_Buffer* buffer = UploadF32(client_, devices_[0], values, {2});
  ASSERT_NE(buffer, nullptr);
  auto copy = XLAPRUNE_ARGS(PJRT_Buffer_CopyToDevice_Args);
  copy.buffer = buffer;
  copy.dst_device = devices_[1];
  XLAPRUNE_ASSERT_OK(api()->PJRT_Buffer_CopyToDevice(&copy));
  auto device = XLAPRUNE_ARGS(PJRT_Buffer_Device_Args);
  device.buffer = copy.dst_buffer;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Buffer_Device(&device));
  EXPECT_EQ(device.device, devices_[1]);
  EXPECT_EQ(Download<float>(copy.dst_buffer), values);
  copy.dst_device = devices_[0];
  PJRT_Buffer* first_copy = copy.dst_buffer;
  ErrorInfo info = Take(api()->PJRT_Buffer_CopyToDevice(&copy));
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "the buffer is already on device cpu:0");

  auto memory = XLAPRUNE_ARGS(PJRT_Device_DefaultMemory_Args);
  memory.device = devices_[1];
  XLAPRUNE_ASSERT_OK(api()->PJRT_Device_DefaultMemory(&memory));
  auto to_memory = XLAPRUNE_ARGS(PJRT_Buffer_CopyToMemory_Args);
  to_memory.buffer = buffer;
  to_memory.dst_memory = memory.memory;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Buffer_CopyToMemory(&to_memory));
  EXPECT_EQ(Download<float>(to_memory.dst_buffer), values);
  DestroyBuffer(to_memory.dst_buffer);
  DestroyBuffer(first_copy);
  DestroyBuffer(buffer);
}

TEST_F(Buffers, RawCopyReadsABoundedRange) {
  std::vector<int32_t> values = {10, 20, 30, 40};
  PJRT_Buffer* buffer = Upload(client_, devices_[0], PJRT_Buffer_Type_S32, values.data(), {4});
  ASSERT_NE(buffer, nullptr);
  int32_t middle[2] = {0, 0};
  auto args = XLAPRUNE_ARGS(PJRT_Buffer_CopyRawToHost_Args);
  args.buffer = buffer;
  args.dst = middle;
  args.offset = 4;
  args.transfer_size = 8;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Buffer_CopyRawToHost(&args));
  EXPECT_EQ(middle[0], 20);
  EXPECT_EQ(middle[1], 30);
  DestroyEvent(args.event);
  args.offset = 12;
  ErrorInfo info = Take(api()->PJRT_Buffer_CopyRawToHost(&args));
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "raw copy of 8 bytes at offset 12 is outside the buffer's 16 bytes");
  DestroyBuffer(buffer);
}

TEST_F(Buffers, PointersAndExternalReferences) {
  std::vector<float> values = {1, 2};
  PJRT_Buffer* buffer = UploadF32(client_, devices_[0], values, {2});
  ASSERT_NE(buffer, nullptr);
  auto unsafe = XLAPRUNE_ARGS(PJRT_Buffer_UnsafePointer_Args);
  unsafe.buffer = buffer;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Buffer_UnsafePointer(&unsafe));
  auto opaque = XLAPRUNE_ARGS(PJRT_Buffer_OpaqueDeviceMemoryDataPointer_Args);
  opaque.buffer = buffer;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Buffer_OpaqueDeviceMemoryDataPointer(&opaque));
  EXPECT_EQ(reinterpret_cast<uintptr_t>(opaque.device_memory_ptr), unsafe.buffer_pointer);
  EXPECT_EQ(static_cast<const float*>(opaque.device_memory_ptr)[1], 2.0f);
  EXPECT_EQ(unsafe.buffer_pointer % 64, 0u);
  auto decrease = XLAPRUNE_ARGS(PJRT_Buffer_DecreaseExternalReferenceCount_Args);
  decrease.buffer = buffer;
  ErrorInfo info = Take(api()->PJRT_Buffer_DecreaseExternalReferenceCount(&decrease));
  EXPECT_EQ(info.code, PJRT_Error_Code_FAILED_PRECONDITION);
  auto increase = XLAPRUNE_ARGS(PJRT_Buffer_IncreaseExternalReferenceCount_Args);
  increase.buffer = buffer;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Buffer_IncreaseExternalReferenceCount(&increase));
  XLAPRUNE_ASSERT_OK(api()->PJRT_Buffer_DecreaseExternalReferenceCount(&decrease));
  DestroyBuffer(buffer);
}

TEST_F(Buffers, MemoryStatsCountLiveBuffersPerDevice) {
  auto clear = XLAPRUNE_ARGS(PJRT_Device_ClearMemoryStats_Args);
  clear.device = devices_[1];
  XLAPRUNE_ASSERT_OK(api()->PJRT_Device_ClearMemoryStats(&clear));
  std::vector<float> a(100), b(50);
  PJRT_Buffer* first = UploadF32(client_, devices_[1], a, {100});
  PJRT_Buffer* second = UploadF32(client_, devices_[1], b, {50});
  DestroyBuffer(first);
  auto stats = XLAPRUNE_ARGS(PJRT_Device_MemoryStats_Args);
  stats.device = devices_[1];
  XLAPRUNE_ASSERT_OK(api()->PJRT_Device_MemoryStats(&stats));
  EXPECT_EQ(stats.bytes_in_use, 200);
  EXPECT_TRUE(stats.peak_bytes_in_use_is_set);
  EXPECT_EQ(stats.peak_bytes_in_use, 600);
  EXPECT_TRUE(stats.num_allocs_is_set);
  EXPECT_EQ(stats.num_allocs, 2);
  EXPECT_TRUE(stats.largest_alloc_size_is_set);
  EXPECT_EQ(stats.largest_alloc_size, 400);
  EXPECT_FALSE(stats.bytes_limit_is_set);
  DestroyBuffer(second);
  XLAPRUNE_ASSERT_OK(api()->PJRT_Device_MemoryStats(&stats));
  EXPECT_EQ(stats.bytes_in_use, 0);
}

TEST_F(Buffers, BufferOutlivesItsClient) {
  std::vector<float> values = {9, 8};
  PJRT_Buffer* buffer = UploadF32(client_, devices_[0], values, {2});
  ASSERT_NE(buffer, nullptr);
  DestroyClient(client_);
  client_ = nullptr;
  EXPECT_EQ(Download<float>(buffer), values);
  DestroyBuffer(buffer);
}

}  // namespace
}  // namespace xlaprune::pjrt::testing
