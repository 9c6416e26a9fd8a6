// GetPjrtApi, the plugin's only export: the PJRT_Api table with every slot filled. Slots this
// plugin does not support return UNIMPLEMENTED naming the function.
#include <cstring>

#include "api_internal.h"

namespace {

using xlaprune::pjrt::MakeError;

#define XLAPRUNE_UNIMPLEMENTED_ENTRY(Name)                                                             \
  PJRT_Error* Unsupported_##Name(Name##_Args*) noexcept {                                             \
    return MakeError(PJRT_Error_Code_UNIMPLEMENTED, #Name " is not implemented by the XlaPrune CPU plugin"); \
  }

// Every slot that returns UNIMPLEMENTED.
#define XLAPRUNE_UNIMPLEMENTED_ENTRIES(X) \
  X(PJRT_CopyToDeviceStream_Destroy) \
  X(PJRT_CopyToDeviceStream_AddChunk) \
  X(PJRT_CopyToDeviceStream_TotalBytes) \
  X(PJRT_CopyToDeviceStream_GranuleSize) \
  X(PJRT_CopyToDeviceStream_CurrentBytes) \
  X(PJRT_TopologyDescription_Create) \
  X(PJRT_TopologyDescription_Destroy) \
  X(PJRT_TopologyDescription_PlatformName) \
  X(PJRT_TopologyDescription_PlatformVersion) \
  X(PJRT_TopologyDescription_GetDeviceDescriptions) \
  X(PJRT_TopologyDescription_Serialize) \
  X(PJRT_TopologyDescription_Attributes) \
  X(PJRT_Compile) \
  X(PJRT_Client_CreateViewOfDeviceBuffer) \
  X(PJRT_Client_TopologyDescription) \
  X(PJRT_ExecuteContext_Create) \
  X(PJRT_ExecuteContext_Destroy) \
  X(PJRT_AsyncHostToDeviceTransferManager_Destroy) \
  X(PJRT_AsyncHostToDeviceTransferManager_TransferData) \
  X(PJRT_Client_CreateBuffersForAsyncHostToDevice) \
  X(PJRT_AsyncHostToDeviceTransferManager_RetrieveBuffer) \
  X(PJRT_AsyncHostToDeviceTransferManager_Device) \
  X(PJRT_AsyncHostToDeviceTransferManager_BufferCount) \
  X(PJRT_AsyncHostToDeviceTransferManager_BufferSize) \
  X(PJRT_AsyncHostToDeviceTransferManager_SetBufferError) \
  X(PJRT_AsyncHostToDeviceTransferManager_AddMetadata) \
  X(PJRT_Client_DmaMap) \
  X(PJRT_Client_DmaUnmap) \
  X(PJRT_Client_UpdateGlobalProcessInfo) \
  X(PJRT_TopologyDescription_Deserialize) \
  X(PJRT_Client_CreateAliasBuffer) \
  X(PJRT_Client_FulfillAliasBuffer) \
  X(PJRT_LoadedExecutable_GetDeviceAssignment) \
  X(PJRT_Client_CreateErrorBuffer) \
  X(PJRT_AsyncHostToDeviceTransferManager_TransferLiteral) \
  X(PJRT_Buffer_CopyRawToHostFuture) \
  X(PJRT_Device_PoisonExecution) \
  X(PJRT_Device_CreateAsyncTrackingEvent) \
  X(PJRT_AsyncTrackingEvent_Destroy) \
  X(PJRT_Buffer_DonateWithControlDependency) \
  X(PJRT_Device_GetAttributes) \
  X(PJRT_Client_Load) \
  X(PJRT_Buffer_Bitcast) \
  X(PJRT_TopologyDescription_Fingerprint) \
  X(PJRT_TopologyDescription_MakeCanonicalShapeForMemorySpace) \
  X(PJRT_TopologyDescription_GetMemorySpaceKindIds) \

XLAPRUNE_UNIMPLEMENTED_ENTRIES(XLAPRUNE_UNIMPLEMENTED_ENTRY)

PJRT_Api BuildApi() noexcept {
  PJRT_Api api;
  std::memset(&api, 0, sizeof(api));
  api.struct_size = PJRT_Api_STRUCT_SIZE;
  api.extension_start = xlaprune::pjrt::LiveStatsExtension();
  api.pjrt_api_version.struct_size = PJRT_Api_Version_STRUCT_SIZE;
  api.pjrt_api_version.extension_start = nullptr;
  api.pjrt_api_version.major_version = PJRT_API_MAJOR;
  api.pjrt_api_version.minor_version = PJRT_API_MINOR;
  api.PJRT_Error_Destroy = Entry_PJRT_Error_Destroy;
  api.PJRT_Error_Message = Entry_PJRT_Error_Message;
#define XLAPRUNE_SET_IMPLEMENTED(Name) api.Name = Entry_##Name;
#define XLAPRUNE_SET_UNIMPLEMENTED(Name) api.Name = Unsupported_##Name;
  XLAPRUNE_IMPLEMENTED_ENTRIES(XLAPRUNE_SET_IMPLEMENTED)
  XLAPRUNE_UNIMPLEMENTED_ENTRIES(XLAPRUNE_SET_UNIMPLEMENTED)
#undef XLAPRUNE_SET_IMPLEMENTED
#undef XLAPRUNE_SET_UNIMPLEMENTED
  return api;
}

}  // namespace

extern "C" __attribute__((visibility("default"))) const PJRT_Api* GetPjrtApi(void) {
  static const PJRT_Api api = [] {
    xlaprune::pjrt::WarmUpErrors();
    return BuildApi();
  }();
  return &api;
}
