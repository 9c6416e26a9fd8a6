// The function table: version, size, every slot filled, UNIMPLEMENTED stubs naming their
// function, and the single export.
#include <xlaprune/xlaprune_live_stats.h>

#include <set>
#include <string>

#include "api_test_util.h"

namespace xlaprune::pjrt::testing {
namespace {

TEST(ApiTable, DeclaresVersion0_114AndTheFullTableSize) {
  const PJRT_Api* api = Api();
  ASSERT_NE(api, nullptr);
  EXPECT_EQ(api->struct_size, 1144u);
  EXPECT_EQ(api->struct_size, static_cast<size_t>(PJRT_Api_STRUCT_SIZE));
  // One extension: the plugin's live-object counts (api_live_stats_test.cc).
  ASSERT_NE(api->extension_start, nullptr);
  EXPECT_EQ(XlaPrune_ExtensionType(api->extension_start), XLAPRUNE_EXTENSION_TYPE_LIVE_STATS);
  EXPECT_EQ(api->extension_start->next, nullptr);
  EXPECT_EQ(api->pjrt_api_version.struct_size, static_cast<size_t>(PJRT_Api_Version_STRUCT_SIZE));
  EXPECT_EQ(api->pjrt_api_version.major_version, 0);
  EXPECT_EQ(api->pjrt_api_version.minor_version, 114);
}

TEST(ApiTable, All138SlotsAreFilled) {
  const PJRT_Api* api = Api();
  const size_t first_slot = offsetof(PJRT_Api, PJRT_Error_Destroy);
  ASSERT_EQ(first_slot, 40u);
  const size_t slots = (api->struct_size - first_slot) / sizeof(void*);
  ASSERT_EQ(slots, 138u);
  std::set<const void*> distinct;
  for (size_t i = 0; i < slots; ++i) {
    const void* slot = nullptr;
    std::memcpy(&slot, reinterpret_cast<const char*>(api) + first_slot + i * sizeof(void*), sizeof(slot));
    EXPECT_NE(slot, nullptr) << "slot " << (i + 1);
    distinct.insert(slot);
  }
  // Each slot has its own function, so every UNIMPLEMENTED error can name its slot.
  EXPECT_EQ(distinct.size(), 138u);
}

TEST(ApiTable, OnlyGetPjrtApiIsExported) {
  void* handle = PluginHandle();
  ASSERT_NE(handle, nullptr);
  EXPECT_NE(dlsym(handle, "GetPjrtApi"), nullptr);
  EXPECT_EQ(dlsym(handle, "_Z24Entry_PJRT_Client_CreateP23PJRT_Client_Create_Args"), nullptr);
  EXPECT_EQ(dlsym(handle, "_ZN8xlaprune4pjrt9MakeErrorE15PJRT_Error_CodeRKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE"), nullptr);
  dlclose(handle);
}

// Calls `Name` with a zeroed args struct and expects UNIMPLEMENTED naming the function.
#define XLAPRUNE_EXPECT_UNIMPLEMENTED(Name)                                              \
  {                                                                                      \
    auto args = XLAPRUNE_ARGS(Name##_Args);                                              \
    ErrorInfo info = Take(Api()->Name(&args));                                           \
    EXPECT_EQ(info.code, PJRT_Error_Code_UNIMPLEMENTED) << #Name;                        \
    EXPECT_EQ(info.code, 12) << #Name;                                                   \
    EXPECT_EQ(info.message, #Name " is not implemented by the XlaPrune CPU plugin");      \
    ++count;                                                                             \
  }

TEST(ApiTable, UnsupportedSlotsReturnUnimplementedNamingTheFunction) {
  int count = 0;
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_CopyToDeviceStream_Destroy)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_CopyToDeviceStream_AddChunk)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_CopyToDeviceStream_TotalBytes)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_CopyToDeviceStream_GranuleSize)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_CopyToDeviceStream_CurrentBytes)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_Client_CreateViewOfDeviceBuffer)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_Client_TopologyDescription)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_ExecuteContext_Create)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_ExecuteContext_Destroy)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_AsyncHostToDeviceTransferManager_Destroy)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_AsyncHostToDeviceTransferManager_TransferData)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_Client_CreateBuffersForAsyncHostToDevice)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_AsyncHostToDeviceTransferManager_RetrieveBuffer)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_AsyncHostToDeviceTransferManager_Device)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_AsyncHostToDeviceTransferManager_BufferCount)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_AsyncHostToDeviceTransferManager_BufferSize)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_AsyncHostToDeviceTransferManager_SetBufferError)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_AsyncHostToDeviceTransferManager_AddMetadata)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_Client_DmaMap)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_Client_DmaUnmap)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_Client_UpdateGlobalProcessInfo)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_Client_CreateAliasBuffer)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_Client_FulfillAliasBuffer)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_LoadedExecutable_GetDeviceAssignment)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_Client_CreateErrorBuffer)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_AsyncHostToDeviceTransferManager_TransferLiteral)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_Buffer_CopyRawToHostFuture)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_Device_PoisonExecution)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_Device_CreateAsyncTrackingEvent)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_AsyncTrackingEvent_Destroy)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_Buffer_DonateWithControlDependency)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_Device_GetAttributes)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_Client_Load)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_Buffer_Bitcast)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_TopologyDescription_Fingerprint)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_TopologyDescription_MakeCanonicalShapeForMemorySpace)
  XLAPRUNE_EXPECT_UNIMPLEMENTED(PJRT_TopologyDescription_GetMemorySpaceKindIds)
  EXPECT_EQ(count, 37);
}

}  // namespace
}  // namespace xlaprune::pjrt::testing
