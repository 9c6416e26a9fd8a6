/*
 * Pins the LP64 layout of xlaprune/pjrt_c_api.h: every number below was
 * measured by compiling the upstream 0.114 header, independently of ours.
 * Compiled as C by native/testplugins; any mismatch fails the build. The
 * managed side checks the same layout in the generated layout tests.
 */
#include <xlaprune/pjrt_c_api.h>

#if defined(__x86_64__) || defined(__aarch64__)

#define XP_SIZE(type, struct_size, c_sizeof)                                    \
  _Static_assert(type##_STRUCT_SIZE == (struct_size),                           \
                 #type "_STRUCT_SIZE");                                          \
  _Static_assert(sizeof(type) == (c_sizeof), "sizeof(" #type ")")
#define XP_AT(type, field, offset)                                              \
  _Static_assert(offsetof(type, field) == (offset), #type "." #field)

_Static_assert(PJRT_API_MAJOR == 0, "major version");
_Static_assert(PJRT_API_MINOR == 114, "minor version");

/* Version record embedded at the start of the table. */
XP_SIZE(PJRT_Api_Version, 24, 24);
XP_AT(PJRT_Api_Version, major_version, 16);
XP_AT(PJRT_Api_Version, minor_version, 20);

/* The table: three leading fields, then 138 slots, 8 bytes apart. */
XP_SIZE(PJRT_Api, 1144, 1144);
XP_AT(PJRT_Api, struct_size, 0);
XP_AT(PJRT_Api, extension_start, 8);
XP_AT(PJRT_Api, pjrt_api_version, 16);
XP_AT(PJRT_Api, PJRT_Error_Destroy, 40); /* slot 1 */
XP_AT(PJRT_Api, PJRT_Error_Message, 48); /* slot 2 */
XP_AT(PJRT_Api, PJRT_Error_GetCode, 56); /* slot 3 */
XP_AT(PJRT_Api, PJRT_Plugin_Initialize, 64); /* slot 4 */
XP_AT(PJRT_Api, PJRT_Plugin_Attributes, 72); /* slot 5 */
XP_AT(PJRT_Api, PJRT_Event_Destroy, 80); /* slot 6 */
XP_AT(PJRT_Api, PJRT_Event_IsReady, 88); /* slot 7 */
XP_AT(PJRT_Api, PJRT_Event_Error, 96); /* slot 8 */
XP_AT(PJRT_Api, PJRT_Event_Await, 104); /* slot 9 */
XP_AT(PJRT_Api, PJRT_Event_OnReady, 112); /* slot 10 */
XP_AT(PJRT_Api, PJRT_Client_Create, 120); /* slot 11 */
XP_AT(PJRT_Api, PJRT_Client_Destroy, 128); /* slot 12 */
XP_AT(PJRT_Api, PJRT_Client_PlatformName, 136); /* slot 13 */
XP_AT(PJRT_Api, PJRT_Client_ProcessIndex, 144); /* slot 14 */
XP_AT(PJRT_Api, PJRT_Client_PlatformVersion, 152); /* slot 15 */
XP_AT(PJRT_Api, PJRT_Client_Devices, 160); /* slot 16 */
XP_AT(PJRT_Api, PJRT_Client_AddressableDevices, 168); /* slot 17 */
XP_AT(PJRT_Api, PJRT_Client_LookupDevice, 176); /* slot 18 */
XP_AT(PJRT_Api, PJRT_Client_LookupAddressableDevice, 184); /* slot 19 */
XP_AT(PJRT_Api, PJRT_Client_AddressableMemories, 192); /* slot 20 */
XP_AT(PJRT_Api, PJRT_Client_Compile, 200); /* slot 21 */
XP_AT(PJRT_Api, PJRT_Client_DefaultDeviceAssignment, 208); /* slot 22 */
XP_AT(PJRT_Api, PJRT_Client_BufferFromHostBuffer, 216); /* slot 23 */
XP_AT(PJRT_Api, PJRT_DeviceDescription_Id, 224); /* slot 24 */
XP_AT(PJRT_Api, PJRT_DeviceDescription_ProcessIndex, 232); /* slot 25 */
XP_AT(PJRT_Api, PJRT_DeviceDescription_Attributes, 240); /* slot 26 */
XP_AT(PJRT_Api, PJRT_DeviceDescription_Kind, 248); /* slot 27 */
XP_AT(PJRT_Api, PJRT_DeviceDescription_DebugString, 256); /* slot 28 */
XP_AT(PJRT_Api, PJRT_DeviceDescription_ToString, 264); /* slot 29 */
XP_AT(PJRT_Api, PJRT_Device_GetDescription, 272); /* slot 30 */
XP_AT(PJRT_Api, PJRT_Device_IsAddressable, 280); /* slot 31 */
XP_AT(PJRT_Api, PJRT_Device_LocalHardwareId, 288); /* slot 32 */
XP_AT(PJRT_Api, PJRT_Device_AddressableMemories, 296); /* slot 33 */
XP_AT(PJRT_Api, PJRT_Device_DefaultMemory, 304); /* slot 34 */
XP_AT(PJRT_Api, PJRT_Device_MemoryStats, 312); /* slot 35 */
XP_AT(PJRT_Api, PJRT_Memory_Id, 320); /* slot 36 */
XP_AT(PJRT_Api, PJRT_Memory_Kind, 328); /* slot 37 */
XP_AT(PJRT_Api, PJRT_Memory_DebugString, 336); /* slot 38 */
XP_AT(PJRT_Api, PJRT_Memory_ToString, 344); /* slot 39 */
XP_AT(PJRT_Api, PJRT_Memory_AddressableByDevices, 352); /* slot 40 */
XP_AT(PJRT_Api, PJRT_Executable_Destroy, 360); /* slot 41 */
XP_AT(PJRT_Api, PJRT_Executable_Name, 368); /* slot 42 */
XP_AT(PJRT_Api, PJRT_Executable_NumReplicas, 376); /* slot 43 */
XP_AT(PJRT_Api, PJRT_Executable_NumPartitions, 384); /* slot 44 */
XP_AT(PJRT_Api, PJRT_Executable_NumOutputs, 392); /* slot 45 */
XP_AT(PJRT_Api, PJRT_Executable_SizeOfGeneratedCodeInBytes, 400); /* slot 46 */
XP_AT(PJRT_Api, PJRT_Executable_GetCostAnalysis, 408); /* slot 47 */
XP_AT(PJRT_Api, PJRT_Executable_OutputMemoryKinds, 416); /* slot 48 */
XP_AT(PJRT_Api, PJRT_Executable_OptimizedProgram, 424); /* slot 49 */
XP_AT(PJRT_Api, PJRT_Executable_Serialize, 432); /* slot 50 */
XP_AT(PJRT_Api, PJRT_LoadedExecutable_Destroy, 440); /* slot 51 */
XP_AT(PJRT_Api, PJRT_LoadedExecutable_GetExecutable, 448); /* slot 52 */
XP_AT(PJRT_Api, PJRT_LoadedExecutable_AddressableDevices, 456); /* slot 53 */
XP_AT(PJRT_Api, PJRT_LoadedExecutable_Delete, 464); /* slot 54 */
XP_AT(PJRT_Api, PJRT_LoadedExecutable_IsDeleted, 472); /* slot 55 */
XP_AT(PJRT_Api, PJRT_LoadedExecutable_Execute, 480); /* slot 56 */
XP_AT(PJRT_Api, PJRT_Executable_DeserializeAndLoad, 488); /* slot 57 */
XP_AT(PJRT_Api, PJRT_LoadedExecutable_Fingerprint, 496); /* slot 58 */
XP_AT(PJRT_Api, PJRT_Buffer_Destroy, 504); /* slot 59 */
XP_AT(PJRT_Api, PJRT_Buffer_ElementType, 512); /* slot 60 */
XP_AT(PJRT_Api, PJRT_Buffer_Dimensions, 520); /* slot 61 */
XP_AT(PJRT_Api, PJRT_Buffer_UnpaddedDimensions, 528); /* slot 62 */
XP_AT(PJRT_Api, PJRT_Buffer_DynamicDimensionIndices, 536); /* slot 63 */
XP_AT(PJRT_Api, PJRT_Buffer_GetMemoryLayout, 544); /* slot 64 */
XP_AT(PJRT_Api, PJRT_Buffer_OnDeviceSizeInBytes, 552); /* slot 65 */
XP_AT(PJRT_Api, PJRT_Buffer_Device, 560); /* slot 66 */
XP_AT(PJRT_Api, PJRT_Buffer_Memory, 568); /* slot 67 */
XP_AT(PJRT_Api, PJRT_Buffer_Delete, 576); /* slot 68 */
XP_AT(PJRT_Api, PJRT_Buffer_IsDeleted, 584); /* slot 69 */
XP_AT(PJRT_Api, PJRT_Buffer_CopyToDevice, 592); /* slot 70 */
XP_AT(PJRT_Api, PJRT_Buffer_ToHostBuffer, 600); /* slot 71 */
XP_AT(PJRT_Api, PJRT_Buffer_IsOnCpu, 608); /* slot 72 */
XP_AT(PJRT_Api, PJRT_Buffer_ReadyEvent, 616); /* slot 73 */
XP_AT(PJRT_Api, PJRT_Buffer_UnsafePointer, 624); /* slot 74 */
XP_AT(PJRT_Api, PJRT_Buffer_IncreaseExternalReferenceCount, 632); /* slot 75 */
XP_AT(PJRT_Api, PJRT_Buffer_DecreaseExternalReferenceCount, 640); /* slot 76 */
XP_AT(PJRT_Api, PJRT_Buffer_OpaqueDeviceMemoryDataPointer, 648); /* slot 77 */
XP_AT(PJRT_Api, PJRT_CopyToDeviceStream_Destroy, 656); /* slot 78 */
XP_AT(PJRT_Api, PJRT_CopyToDeviceStream_AddChunk, 664); /* slot 79 */
XP_AT(PJRT_Api, PJRT_CopyToDeviceStream_TotalBytes, 672); /* slot 80 */
XP_AT(PJRT_Api, PJRT_CopyToDeviceStream_GranuleSize, 680); /* slot 81 */
XP_AT(PJRT_Api, PJRT_CopyToDeviceStream_CurrentBytes, 688); /* slot 82 */
XP_AT(PJRT_Api, PJRT_TopologyDescription_Create, 696); /* slot 83 */
XP_AT(PJRT_Api, PJRT_TopologyDescription_Destroy, 704); /* slot 84 */
XP_AT(PJRT_Api, PJRT_TopologyDescription_PlatformName, 712); /* slot 85 */
XP_AT(PJRT_Api, PJRT_TopologyDescription_PlatformVersion, 720); /* slot 86 */
XP_AT(PJRT_Api, PJRT_TopologyDescription_GetDeviceDescriptions, 728); /* slot 87 */
XP_AT(PJRT_Api, PJRT_TopologyDescription_Serialize, 736); /* slot 88 */
XP_AT(PJRT_Api, PJRT_TopologyDescription_Attributes, 744); /* slot 89 */
XP_AT(PJRT_Api, PJRT_Compile, 752); /* slot 90 */
XP_AT(PJRT_Api, PJRT_Executable_OutputElementTypes, 760); /* slot 91 */
XP_AT(PJRT_Api, PJRT_Executable_OutputDimensions, 768); /* slot 92 */
XP_AT(PJRT_Api, PJRT_Buffer_CopyToMemory, 776); /* slot 93 */
XP_AT(PJRT_Api, PJRT_Client_CreateViewOfDeviceBuffer, 784); /* slot 94 */
XP_AT(PJRT_Api, PJRT_Executable_Fingerprint, 792); /* slot 95 */
XP_AT(PJRT_Api, PJRT_Client_TopologyDescription, 800); /* slot 96 */
XP_AT(PJRT_Api, PJRT_Executable_GetCompiledMemoryStats, 808); /* slot 97 */
XP_AT(PJRT_Api, PJRT_Memory_Kind_Id, 816); /* slot 98 */
XP_AT(PJRT_Api, PJRT_ExecuteContext_Create, 824); /* slot 99 */
XP_AT(PJRT_Api, PJRT_ExecuteContext_Destroy, 832); /* slot 100 */
XP_AT(PJRT_Api, PJRT_Buffer_CopyRawToHost, 840); /* slot 101 */
XP_AT(PJRT_Api, PJRT_AsyncHostToDeviceTransferManager_Destroy, 848); /* slot 102 */
XP_AT(PJRT_Api, PJRT_AsyncHostToDeviceTransferManager_TransferData, 856); /* slot 103 */
XP_AT(PJRT_Api, PJRT_Client_CreateBuffersForAsyncHostToDevice, 864); /* slot 104 */
XP_AT(PJRT_Api, PJRT_AsyncHostToDeviceTransferManager_RetrieveBuffer, 872); /* slot 105 */
XP_AT(PJRT_Api, PJRT_AsyncHostToDeviceTransferManager_Device, 880); /* slot 106 */
XP_AT(PJRT_Api, PJRT_AsyncHostToDeviceTransferManager_BufferCount, 888); /* slot 107 */
XP_AT(PJRT_Api, PJRT_AsyncHostToDeviceTransferManager_BufferSize, 896); /* slot 108 */
XP_AT(PJRT_Api, PJRT_AsyncHostToDeviceTransferManager_SetBufferError, 904); /* slot 109 */
XP_AT(PJRT_Api, PJRT_AsyncHostToDeviceTransferManager_AddMetadata, 912); /* slot 110 */
XP_AT(PJRT_Api, PJRT_Client_DmaMap, 920); /* slot 111 */
XP_AT(PJRT_Api, PJRT_Client_DmaUnmap, 928); /* slot 112 */
XP_AT(PJRT_Api, PJRT_Client_CreateUninitializedBuffer, 936); /* slot 113 */
XP_AT(PJRT_Api, PJRT_Client_UpdateGlobalProcessInfo, 944); /* slot 114 */
XP_AT(PJRT_Api, PJRT_TopologyDescription_Deserialize, 952); /* slot 115 */
XP_AT(PJRT_Api, PJRT_Client_CreateAliasBuffer, 960); /* slot 116 */
XP_AT(PJRT_Api, PJRT_Client_FulfillAliasBuffer, 968); /* slot 117 */
XP_AT(PJRT_Api, PJRT_LoadedExecutable_GetDeviceAssignment, 976); /* slot 118 */
XP_AT(PJRT_Api, PJRT_Client_CreateErrorBuffer, 984); /* slot 119 */
XP_AT(PJRT_Api, PJRT_AsyncHostToDeviceTransferManager_TransferLiteral, 992); /* slot 120 */
XP_AT(PJRT_Api, PJRT_Buffer_CopyRawToHostFuture, 1000); /* slot 121 */
XP_AT(PJRT_Api, PJRT_Device_PoisonExecution, 1008); /* slot 122 */
XP_AT(PJRT_Api, PJRT_Device_CreateAsyncTrackingEvent, 1016); /* slot 123 */
XP_AT(PJRT_Api, PJRT_AsyncTrackingEvent_Destroy, 1024); /* slot 124 */
XP_AT(PJRT_Api, PJRT_Executable_GetCompileOptions, 1032); /* slot 125 */
XP_AT(PJRT_Api, PJRT_Buffer_DonateWithControlDependency, 1040); /* slot 126 */
XP_AT(PJRT_Api, PJRT_Event_Create, 1048); /* slot 127 */
XP_AT(PJRT_Api, PJRT_Event_Set, 1056); /* slot 128 */
XP_AT(PJRT_Api, PJRT_Device_GetAttributes, 1064); /* slot 129 */
XP_AT(PJRT_Api, PJRT_Client_Load, 1072); /* slot 130 */
XP_AT(PJRT_Api, PJRT_LoadedExecutable_AddressableDeviceLogicalIds, 1080); /* slot 131 */
XP_AT(PJRT_Api, PJRT_Buffer_Bitcast, 1088); /* slot 132 */
XP_AT(PJRT_Api, PJRT_Error_ForEachPayload, 1096); /* slot 133 */
XP_AT(PJRT_Api, PJRT_TopologyDescription_Fingerprint, 1104); /* slot 134 */
XP_AT(PJRT_Api, PJRT_Executable_ParameterMemoryKinds, 1112); /* slot 135 */
XP_AT(PJRT_Api, PJRT_Device_ClearMemoryStats, 1120); /* slot 136 */
XP_AT(PJRT_Api, PJRT_TopologyDescription_MakeCanonicalShapeForMemorySpace, 1128); /* slot 137 */
XP_AT(PJRT_Api, PJRT_TopologyDescription_GetMemorySpaceKindIds, 1136); /* slot 138 */

/* Args and helper structs used by the managed layer and the CPU plugin. */
XP_SIZE(PJRT_Error_Destroy_Args, 24, 24);
XP_AT(PJRT_Error_Destroy_Args, struct_size, 0);
XP_AT(PJRT_Error_Destroy_Args, extension_start, 8);
XP_AT(PJRT_Error_Destroy_Args, error, 16);
XP_SIZE(PJRT_Error_Message_Args, 40, 40);
XP_AT(PJRT_Error_Message_Args, struct_size, 0);
XP_AT(PJRT_Error_Message_Args, extension_start, 8);
XP_AT(PJRT_Error_Message_Args, error, 16);
XP_AT(PJRT_Error_Message_Args, message, 24);
XP_AT(PJRT_Error_Message_Args, message_size, 32);
XP_SIZE(PJRT_Error_GetCode_Args, 28, 32);
XP_AT(PJRT_Error_GetCode_Args, struct_size, 0);
XP_AT(PJRT_Error_GetCode_Args, extension_start, 8);
XP_AT(PJRT_Error_GetCode_Args, error, 16);
XP_AT(PJRT_Error_GetCode_Args, code, 24);
XP_SIZE(PJRT_Plugin_Initialize_Args, 16, 16);
XP_AT(PJRT_Plugin_Initialize_Args, struct_size, 0);
XP_AT(PJRT_Plugin_Initialize_Args, extension_start, 8);
XP_SIZE(PJRT_Plugin_Attributes_Args, 32, 32);
XP_AT(PJRT_Plugin_Attributes_Args, struct_size, 0);
XP_AT(PJRT_Plugin_Attributes_Args, extension_start, 8);
XP_AT(PJRT_Plugin_Attributes_Args, attributes, 16);
XP_AT(PJRT_Plugin_Attributes_Args, num_attributes, 24);
XP_SIZE(PJRT_NamedValue, 56, 56);
XP_AT(PJRT_NamedValue, struct_size, 0);
XP_AT(PJRT_NamedValue, extension_start, 8);
XP_AT(PJRT_NamedValue, name, 16);
XP_AT(PJRT_NamedValue, name_size, 24);
XP_AT(PJRT_NamedValue, type, 32);
XP_AT(PJRT_NamedValue, string_value, 40);
XP_AT(PJRT_NamedValue, int64_value, 40);
XP_AT(PJRT_NamedValue, int64_array_value, 40);
XP_AT(PJRT_NamedValue, float_value, 40);
XP_AT(PJRT_NamedValue, bool_value, 40);
XP_AT(PJRT_NamedValue, value_size, 48);
XP_SIZE(PJRT_Event_Destroy_Args, 24, 24);
XP_AT(PJRT_Event_Destroy_Args, struct_size, 0);
XP_AT(PJRT_Event_Destroy_Args, extension_start, 8);
XP_AT(PJRT_Event_Destroy_Args, event, 16);
XP_SIZE(PJRT_Event_Await_Args, 24, 24);
XP_AT(PJRT_Event_Await_Args, struct_size, 0);
XP_AT(PJRT_Event_Await_Args, extension_start, 8);
XP_AT(PJRT_Event_Await_Args, event, 16);
XP_SIZE(PJRT_Client_Create_Args, 88, 88);
XP_AT(PJRT_Client_Create_Args, struct_size, 0);
XP_AT(PJRT_Client_Create_Args, extension_start, 8);
XP_AT(PJRT_Client_Create_Args, create_options, 16);
XP_AT(PJRT_Client_Create_Args, num_options, 24);
XP_AT(PJRT_Client_Create_Args, kv_get_callback, 32);
XP_AT(PJRT_Client_Create_Args, kv_get_user_arg, 40);
XP_AT(PJRT_Client_Create_Args, kv_put_callback, 48);
XP_AT(PJRT_Client_Create_Args, kv_put_user_arg, 56);
XP_AT(PJRT_Client_Create_Args, client, 64);
XP_AT(PJRT_Client_Create_Args, kv_try_get_callback, 72);
XP_AT(PJRT_Client_Create_Args, kv_try_get_user_arg, 80);
XP_SIZE(PJRT_Client_Destroy_Args, 24, 24);
XP_AT(PJRT_Client_Destroy_Args, struct_size, 0);
XP_AT(PJRT_Client_Destroy_Args, extension_start, 8);
XP_AT(PJRT_Client_Destroy_Args, client, 16);
XP_SIZE(PJRT_Client_PlatformName_Args, 40, 40);
XP_AT(PJRT_Client_PlatformName_Args, struct_size, 0);
XP_AT(PJRT_Client_PlatformName_Args, extension_start, 8);
XP_AT(PJRT_Client_PlatformName_Args, client, 16);
XP_AT(PJRT_Client_PlatformName_Args, platform_name, 24);
XP_AT(PJRT_Client_PlatformName_Args, platform_name_size, 32);
XP_SIZE(PJRT_Client_AddressableDevices_Args, 40, 40);
XP_AT(PJRT_Client_AddressableDevices_Args, struct_size, 0);
XP_AT(PJRT_Client_AddressableDevices_Args, extension_start, 8);
XP_AT(PJRT_Client_AddressableDevices_Args, client, 16);
XP_AT(PJRT_Client_AddressableDevices_Args, addressable_devices, 24);
XP_AT(PJRT_Client_AddressableDevices_Args, num_addressable_devices, 32);
XP_SIZE(PJRT_Program, 48, 48);
XP_AT(PJRT_Program, struct_size, 0);
XP_AT(PJRT_Program, extension_start, 8);
XP_AT(PJRT_Program, code, 16);
XP_AT(PJRT_Program, code_size, 24);
XP_AT(PJRT_Program, format, 32);
XP_AT(PJRT_Program, format_size, 40);
XP_SIZE(PJRT_Client_Compile_Args, 56, 56);
XP_AT(PJRT_Client_Compile_Args, struct_size, 0);
XP_AT(PJRT_Client_Compile_Args, extension_start, 8);
XP_AT(PJRT_Client_Compile_Args, client, 16);
XP_AT(PJRT_Client_Compile_Args, program, 24);
XP_AT(PJRT_Client_Compile_Args, compile_options, 32);
XP_AT(PJRT_Client_Compile_Args, compile_options_size, 40);
XP_AT(PJRT_Client_Compile_Args, executable, 48);
XP_SIZE(PJRT_Client_BufferFromHostBuffer_Args, 120, 120);
XP_AT(PJRT_Client_BufferFromHostBuffer_Args, struct_size, 0);
XP_AT(PJRT_Client_BufferFromHostBuffer_Args, extension_start, 8);
XP_AT(PJRT_Client_BufferFromHostBuffer_Args, client, 16);
XP_AT(PJRT_Client_BufferFromHostBuffer_Args, data, 24);
XP_AT(PJRT_Client_BufferFromHostBuffer_Args, type, 32);
XP_AT(PJRT_Client_BufferFromHostBuffer_Args, dims, 40);
XP_AT(PJRT_Client_BufferFromHostBuffer_Args, num_dims, 48);
XP_AT(PJRT_Client_BufferFromHostBuffer_Args, byte_strides, 56);
XP_AT(PJRT_Client_BufferFromHostBuffer_Args, num_byte_strides, 64);
XP_AT(PJRT_Client_BufferFromHostBuffer_Args, host_buffer_semantics, 72);
XP_AT(PJRT_Client_BufferFromHostBuffer_Args, device, 80);
XP_AT(PJRT_Client_BufferFromHostBuffer_Args, memory, 88);
XP_AT(PJRT_Client_BufferFromHostBuffer_Args, device_layout, 96);
XP_AT(PJRT_Client_BufferFromHostBuffer_Args, done_with_host_buffer, 104);
XP_AT(PJRT_Client_BufferFromHostBuffer_Args, buffer, 112);
XP_SIZE(PJRT_ExecuteOptions, 144, 144);
XP_AT(PJRT_ExecuteOptions, struct_size, 0);
XP_AT(PJRT_ExecuteOptions, extension_start, 8);
XP_AT(PJRT_ExecuteOptions, send_callbacks, 16);
XP_AT(PJRT_ExecuteOptions, recv_callbacks, 24);
XP_AT(PJRT_ExecuteOptions, num_send_ops, 32);
XP_AT(PJRT_ExecuteOptions, num_recv_ops, 40);
XP_AT(PJRT_ExecuteOptions, launch_id, 48);
XP_AT(PJRT_ExecuteOptions, non_donatable_input_indices, 56);
XP_AT(PJRT_ExecuteOptions, num_non_donatable_input_indices, 64);
XP_AT(PJRT_ExecuteOptions, context, 72);
XP_AT(PJRT_ExecuteOptions, call_location, 80);
XP_AT(PJRT_ExecuteOptions, num_tasks, 88);
XP_AT(PJRT_ExecuteOptions, task_ids, 96);
XP_AT(PJRT_ExecuteOptions, incarnation_ids, 104);
XP_AT(PJRT_ExecuteOptions, multi_slice_config, 112);
XP_AT(PJRT_ExecuteOptions, use_major_to_minor_data_layout_for_callbacks, 120);
XP_AT(PJRT_ExecuteOptions, hlo_output_callbacks, 128);
XP_AT(PJRT_ExecuteOptions, num_hlo_output_callbacks, 136);
XP_SIZE(PJRT_LoadedExecutable_Execute_Args, 80, 80);
XP_AT(PJRT_LoadedExecutable_Execute_Args, struct_size, 0);
XP_AT(PJRT_LoadedExecutable_Execute_Args, extension_start, 8);
XP_AT(PJRT_LoadedExecutable_Execute_Args, executable, 16);
XP_AT(PJRT_LoadedExecutable_Execute_Args, options, 24);
XP_AT(PJRT_LoadedExecutable_Execute_Args, argument_lists, 32);
XP_AT(PJRT_LoadedExecutable_Execute_Args, num_devices, 40);
XP_AT(PJRT_LoadedExecutable_Execute_Args, num_args, 48);
XP_AT(PJRT_LoadedExecutable_Execute_Args, output_lists, 56);
XP_AT(PJRT_LoadedExecutable_Execute_Args, device_complete_events, 64);
XP_AT(PJRT_LoadedExecutable_Execute_Args, execute_device, 72);
XP_SIZE(PJRT_LoadedExecutable_GetExecutable_Args, 32, 32);
XP_AT(PJRT_LoadedExecutable_GetExecutable_Args, struct_size, 0);
XP_AT(PJRT_LoadedExecutable_GetExecutable_Args, extension_start, 8);
XP_AT(PJRT_LoadedExecutable_GetExecutable_Args, loaded_executable, 16);
XP_AT(PJRT_LoadedExecutable_GetExecutable_Args, executable, 24);
XP_SIZE(PJRT_Executable_NumOutputs_Args, 32, 32);
XP_AT(PJRT_Executable_NumOutputs_Args, struct_size, 0);
XP_AT(PJRT_Executable_NumOutputs_Args, extension_start, 8);
XP_AT(PJRT_Executable_NumOutputs_Args, executable, 16);
XP_AT(PJRT_Executable_NumOutputs_Args, num_outputs, 24);
XP_SIZE(PJRT_Executable_GetCompiledMemoryStats_Args, 144, 144);
XP_AT(PJRT_Executable_GetCompiledMemoryStats_Args, struct_size, 0);
XP_AT(PJRT_Executable_GetCompiledMemoryStats_Args, extension_start, 8);
XP_AT(PJRT_Executable_GetCompiledMemoryStats_Args, executable, 16);
XP_AT(PJRT_Executable_GetCompiledMemoryStats_Args, generated_code_size_in_bytes, 24);
XP_AT(PJRT_Executable_GetCompiledMemoryStats_Args, argument_size_in_bytes, 32);
XP_AT(PJRT_Executable_GetCompiledMemoryStats_Args, output_size_in_bytes, 40);
XP_AT(PJRT_Executable_GetCompiledMemoryStats_Args, alias_size_in_bytes, 48);
XP_AT(PJRT_Executable_GetCompiledMemoryStats_Args, temp_size_in_bytes, 56);
XP_AT(PJRT_Executable_GetCompiledMemoryStats_Args, host_generated_code_size_in_bytes, 64);
XP_AT(PJRT_Executable_GetCompiledMemoryStats_Args, host_argument_size_in_bytes, 72);
XP_AT(PJRT_Executable_GetCompiledMemoryStats_Args, host_output_size_in_bytes, 80);
XP_AT(PJRT_Executable_GetCompiledMemoryStats_Args, host_alias_size_in_bytes, 88);
XP_AT(PJRT_Executable_GetCompiledMemoryStats_Args, host_temp_size_in_bytes, 96);
XP_AT(PJRT_Executable_GetCompiledMemoryStats_Args, peak_memory_in_bytes, 104);
XP_AT(PJRT_Executable_GetCompiledMemoryStats_Args, total_size_in_bytes, 112);
XP_AT(PJRT_Executable_GetCompiledMemoryStats_Args, total_allocation_bytes, 120);
XP_AT(PJRT_Executable_GetCompiledMemoryStats_Args, indefinite_allocations, 128);
XP_AT(PJRT_Executable_GetCompiledMemoryStats_Args, peak_unpadded_heap_bytes, 136);
XP_SIZE(PJRT_Buffer_ToHostBuffer_Args, 56, 56);
XP_AT(PJRT_Buffer_ToHostBuffer_Args, struct_size, 0);
XP_AT(PJRT_Buffer_ToHostBuffer_Args, extension_start, 8);
XP_AT(PJRT_Buffer_ToHostBuffer_Args, src, 16);
XP_AT(PJRT_Buffer_ToHostBuffer_Args, host_layout, 24);
XP_AT(PJRT_Buffer_ToHostBuffer_Args, dst, 32);
XP_AT(PJRT_Buffer_ToHostBuffer_Args, dst_size, 40);
XP_AT(PJRT_Buffer_ToHostBuffer_Args, event, 48);
XP_SIZE(PJRT_Buffer_Dimensions_Args, 40, 40);
XP_AT(PJRT_Buffer_Dimensions_Args, struct_size, 0);
XP_AT(PJRT_Buffer_Dimensions_Args, extension_start, 8);
XP_AT(PJRT_Buffer_Dimensions_Args, buffer, 16);
XP_AT(PJRT_Buffer_Dimensions_Args, dims, 24);
XP_AT(PJRT_Buffer_Dimensions_Args, num_dims, 32);
XP_SIZE(PJRT_Buffer_ElementType_Args, 28, 32);
XP_AT(PJRT_Buffer_ElementType_Args, struct_size, 0);
XP_AT(PJRT_Buffer_ElementType_Args, extension_start, 8);
XP_AT(PJRT_Buffer_ElementType_Args, buffer, 16);
XP_AT(PJRT_Buffer_ElementType_Args, type, 24);
XP_SIZE(PJRT_Buffer_OnDeviceSizeInBytes_Args, 32, 32);
XP_AT(PJRT_Buffer_OnDeviceSizeInBytes_Args, struct_size, 0);
XP_AT(PJRT_Buffer_OnDeviceSizeInBytes_Args, extension_start, 8);
XP_AT(PJRT_Buffer_OnDeviceSizeInBytes_Args, buffer, 16);
XP_AT(PJRT_Buffer_OnDeviceSizeInBytes_Args, on_device_size_in_bytes, 24);
XP_SIZE(PJRT_Buffer_MemoryLayout_Tiled, 56, 56);
XP_AT(PJRT_Buffer_MemoryLayout_Tiled, struct_size, 0);
XP_AT(PJRT_Buffer_MemoryLayout_Tiled, extension_start, 8);
XP_AT(PJRT_Buffer_MemoryLayout_Tiled, minor_to_major, 16);
XP_AT(PJRT_Buffer_MemoryLayout_Tiled, minor_to_major_size, 24);
XP_AT(PJRT_Buffer_MemoryLayout_Tiled, tile_dims, 32);
XP_AT(PJRT_Buffer_MemoryLayout_Tiled, tile_dim_sizes, 40);
XP_AT(PJRT_Buffer_MemoryLayout_Tiled, num_tiles, 48);
XP_SIZE(PJRT_Buffer_MemoryLayout_Strides, 32, 32);
XP_AT(PJRT_Buffer_MemoryLayout_Strides, struct_size, 0);
XP_AT(PJRT_Buffer_MemoryLayout_Strides, extension_start, 8);
XP_AT(PJRT_Buffer_MemoryLayout_Strides, byte_strides, 16);
XP_AT(PJRT_Buffer_MemoryLayout_Strides, num_byte_strides, 24);
XP_SIZE(PJRT_Buffer_MemoryLayout, 76, 80);
XP_AT(PJRT_Buffer_MemoryLayout, struct_size, 0);
XP_AT(PJRT_Buffer_MemoryLayout, extension_start, 8);
XP_AT(PJRT_Buffer_MemoryLayout, tiled, 16);
XP_AT(PJRT_Buffer_MemoryLayout, strides, 16);
XP_AT(PJRT_Buffer_MemoryLayout, type, 72);
XP_SIZE(PJRT_Buffer_GetMemoryLayout_Args, 104, 104);
XP_AT(PJRT_Buffer_GetMemoryLayout_Args, struct_size, 0);
XP_AT(PJRT_Buffer_GetMemoryLayout_Args, extension_start, 8);
XP_AT(PJRT_Buffer_GetMemoryLayout_Args, buffer, 16);
XP_AT(PJRT_Buffer_GetMemoryLayout_Args, layout, 24);
XP_SIZE(PJRT_Buffer_Destroy_Args, 24, 24);
XP_AT(PJRT_Buffer_Destroy_Args, struct_size, 0);
XP_AT(PJRT_Buffer_Destroy_Args, extension_start, 8);
XP_AT(PJRT_Buffer_Destroy_Args, buffer, 16);
XP_SIZE(PJRT_Buffer_ReadyEvent_Args, 32, 32);
XP_AT(PJRT_Buffer_ReadyEvent_Args, struct_size, 0);
XP_AT(PJRT_Buffer_ReadyEvent_Args, extension_start, 8);
XP_AT(PJRT_Buffer_ReadyEvent_Args, buffer, 16);
XP_AT(PJRT_Buffer_ReadyEvent_Args, event, 24);
XP_SIZE(PJRT_Executable_OutputDimensions_Args, 48, 48);
XP_AT(PJRT_Executable_OutputDimensions_Args, struct_size, 0);
XP_AT(PJRT_Executable_OutputDimensions_Args, extension_start, 8);
XP_AT(PJRT_Executable_OutputDimensions_Args, executable, 16);
XP_AT(PJRT_Executable_OutputDimensions_Args, num_outputs, 24);
XP_AT(PJRT_Executable_OutputDimensions_Args, dims, 32);
XP_AT(PJRT_Executable_OutputDimensions_Args, dim_sizes, 40);
XP_SIZE(PJRT_Executable_OutputElementTypes_Args, 40, 40);
XP_AT(PJRT_Executable_OutputElementTypes_Args, struct_size, 0);
XP_AT(PJRT_Executable_OutputElementTypes_Args, extension_start, 8);
XP_AT(PJRT_Executable_OutputElementTypes_Args, executable, 16);
XP_AT(PJRT_Executable_OutputElementTypes_Args, output_types, 24);
XP_AT(PJRT_Executable_OutputElementTypes_Args, num_output_types, 32);
XP_SIZE(PJRT_Device_GetDescription_Args, 32, 32);
XP_AT(PJRT_Device_GetDescription_Args, struct_size, 0);
XP_AT(PJRT_Device_GetDescription_Args, extension_start, 8);
XP_AT(PJRT_Device_GetDescription_Args, device, 16);
XP_AT(PJRT_Device_GetDescription_Args, device_description, 24);
XP_SIZE(PJRT_DeviceDescription_Kind_Args, 40, 40);
XP_AT(PJRT_DeviceDescription_Kind_Args, struct_size, 0);
XP_AT(PJRT_DeviceDescription_Kind_Args, extension_start, 8);
XP_AT(PJRT_DeviceDescription_Kind_Args, device_description, 16);
XP_AT(PJRT_DeviceDescription_Kind_Args, device_kind, 24);
XP_AT(PJRT_DeviceDescription_Kind_Args, device_kind_size, 32);
XP_SIZE(PJRT_Extension_Base, 24, 24);
XP_AT(PJRT_Extension_Base, struct_size, 0);
XP_AT(PJRT_Extension_Base, type, 8);
XP_AT(PJRT_Extension_Base, next, 16);

#endif

/* Keeps the translation unit non-empty on other targets. */
int xlaprune_pjrt_c_api_abi_checked(void) { return PJRT_Api_STRUCT_SIZE > 0; }
