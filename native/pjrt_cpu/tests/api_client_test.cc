// Client creation options, platform, devices, descriptions and memories.
#include "api_test_util.h"

namespace xlaprune::pjrt::testing {
namespace {

ErrorInfo CreateWith(const std::vector<PJRT_NamedValue>& options, PJRT_Client** client) {
  auto args = XLAPRUNE_ARGS(PJRT_Client_Create_Args);
  args.create_options = options.data();
  args.num_options = options.size();
  ErrorInfo info = Take(Api()->PJRT_Client_Create(&args));
  *client = args.client;
  return info;
}

std::string Str(const char* data, size_t size) { return std::string(data, size); }

TEST(ApiClient, DefaultsToOneCpuDevice) {
  PJRT_Client* client = nullptr;
  ErrorInfo info = CreateWith({}, &client);
  ASSERT_EQ(info.code, PJRT_Error_Code_OK) << info.message;
  EXPECT_EQ(Devices(client).size(), 1u);
  DestroyClient(client);
}

TEST(ApiClient, RejectsBadOptionsByName) {
  PJRT_Client* client = nullptr;
  PJRT_NamedValue text = Int64Option("cpu_device_count", 0);
  text.type = PJRT_NamedValue_kString;
  text.string_value = "4";
  text.value_size = 1;
  ErrorInfo info = CreateWith({text}, &client);
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "create option cpu_device_count must be kInt64, got kString");

  info = CreateWith({Int64Option("cpu_device_count", 0)}, &client);
  EXPECT_EQ(info.message, "create option cpu_device_count must be in [1, 1024], got 0");
  info = CreateWith({Int64Option("num_threads", -2)}, &client);
  EXPECT_EQ(info.message, "create option num_threads must be in [0, 1024], got -2");
  info = CreateWith({Int64Option("cpu_devices", 2)}, &client);
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message,
            "unknown create option 'cpu_devices' for the XlaPrune CPU plugin (known options: cpu_device_count, num_threads)");
}

class ThreeDeviceClient : public ClientTest {
 protected:
  int64_t DeviceCount() const override { return 3; }
};

TEST_F(ThreeDeviceClient, PlatformNameVersionAndProcessIndex) {
  auto name = XLAPRUNE_ARGS(PJRT_Client_PlatformName_Args);
  name.client = client_;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Client_PlatformName(&name));
  EXPECT_EQ(Str(name.platform_name, name.platform_name_size), "cpu");
  auto version = XLAPRUNE_ARGS(PJRT_Client_PlatformVersion_Args);
  version.client = client_;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Client_PlatformVersion(&version));
  EXPECT_EQ(Str(version.platform_version, version.platform_version_size), "XlaPrune CPU 0.1.0");
  auto index = XLAPRUNE_ARGS(PJRT_Client_ProcessIndex_Args);
  index.client = client_;
  index.process_index = -1;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Client_ProcessIndex(&index));
  EXPECT_EQ(index.process_index, 0);
}

TEST_F(ThreeDeviceClient, DevicesHaveIdsKindAndDescriptions) {
  ASSERT_EQ(devices_.size(), 3u);
  auto addressable = XLAPRUNE_ARGS(PJRT_Client_AddressableDevices_Args);
  addressable.client = client_;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Client_AddressableDevices(&addressable));
  ASSERT_EQ(addressable.num_addressable_devices, 3u);
  for (int i = 0; i < 3; ++i) {
    PJRT_Device* device = devices_[static_cast<size_t>(i)];
    EXPECT_EQ(addressable.addressable_devices[i], device);
    auto get = XLAPRUNE_ARGS(PJRT_Device_GetDescription_Args);
    get.device = device;
    XLAPRUNE_ASSERT_OK(api()->PJRT_Device_GetDescription(&get));
    auto id = XLAPRUNE_ARGS(PJRT_DeviceDescription_Id_Args);
    id.device_description = get.device_description;
    XLAPRUNE_ASSERT_OK(api()->PJRT_DeviceDescription_Id(&id));
    EXPECT_EQ(id.id, i);
    auto process = XLAPRUNE_ARGS(PJRT_DeviceDescription_ProcessIndex_Args);
    process.device_description = get.device_description;
    XLAPRUNE_ASSERT_OK(api()->PJRT_DeviceDescription_ProcessIndex(&process));
    EXPECT_EQ(process.process_index, 0);
    auto kind = XLAPRUNE_ARGS(PJRT_DeviceDescription_Kind_Args);
    kind.device_description = get.device_description;
    XLAPRUNE_ASSERT_OK(api()->PJRT_DeviceDescription_Kind(&kind));
    EXPECT_EQ(Str(kind.device_kind, kind.device_kind_size), "cpu");
    auto debug = XLAPRUNE_ARGS(PJRT_DeviceDescription_DebugString_Args);
    debug.device_description = get.device_description;
    XLAPRUNE_ASSERT_OK(api()->PJRT_DeviceDescription_DebugString(&debug));
    EXPECT_EQ(Str(debug.debug_string, debug.debug_string_size), "cpu:" + std::to_string(i));
    auto text = XLAPRUNE_ARGS(PJRT_DeviceDescription_ToString_Args);
    text.device_description = get.device_description;
    XLAPRUNE_ASSERT_OK(api()->PJRT_DeviceDescription_ToString(&text));
    EXPECT_EQ(Str(text.to_string, text.to_string_size),
              "CpuDevice(id=" + std::to_string(i) + ", process_index=0, kind=cpu)");
    auto attributes = XLAPRUNE_ARGS(PJRT_DeviceDescription_Attributes_Args);
    attributes.device_description = get.device_description;
    XLAPRUNE_ASSERT_OK(api()->PJRT_DeviceDescription_Attributes(&attributes));
    ASSERT_EQ(attributes.num_attributes, 2u);
    EXPECT_EQ(Str(attributes.attributes[0].name, attributes.attributes[0].name_size), "local_hardware_id");
    EXPECT_EQ(attributes.attributes[0].int64_value, i);
    EXPECT_EQ(Str(attributes.attributes[1].name, attributes.attributes[1].name_size), "num_threads");
    EXPECT_EQ(attributes.attributes[1].int64_value, 0);
    auto local = XLAPRUNE_ARGS(PJRT_Device_LocalHardwareId_Args);
    local.device = device;
    XLAPRUNE_ASSERT_OK(api()->PJRT_Device_LocalHardwareId(&local));
    EXPECT_EQ(local.local_hardware_id, i);
    auto is_addressable = XLAPRUNE_ARGS(PJRT_Device_IsAddressable_Args);
    is_addressable.device = device;
    XLAPRUNE_ASSERT_OK(api()->PJRT_Device_IsAddressable(&is_addressable));
    EXPECT_TRUE(is_addressable.is_addressable);
  }
}

TEST_F(ThreeDeviceClient, LookupByIdAndLocalHardwareId) {
  auto lookup = XLAPRUNE_ARGS(PJRT_Client_LookupDevice_Args);
  lookup.client = client_;
  lookup.id = 2;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Client_LookupDevice(&lookup));
  EXPECT_EQ(lookup.device, devices_[2]);
  auto local = XLAPRUNE_ARGS(PJRT_Client_LookupAddressableDevice_Args);
  local.client = client_;
  local.local_hardware_id = 1;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Client_LookupAddressableDevice(&local));
  EXPECT_EQ(local.addressable_device, devices_[1]);
  local.local_hardware_id = -1;
  ErrorInfo info = Take(api()->PJRT_Client_LookupAddressableDevice(&local));
  EXPECT_EQ(info.code, PJRT_Error_Code_NOT_FOUND);
  EXPECT_EQ(info.message, "no addressable device with local hardware id -1 (the client has 3 devices)");
}

TEST_F(ThreeDeviceClient, OneDefaultMemoryPerDevice) {
  auto memories = XLAPRUNE_ARGS(PJRT_Client_AddressableMemories_Args);
  memories.client = client_;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Client_AddressableMemories(&memories));
  ASSERT_EQ(memories.num_addressable_memories, 3u);
  for (int i = 0; i < 3; ++i) {
    PJRT_Device* device = devices_[static_cast<size_t>(i)];
    auto default_memory = XLAPRUNE_ARGS(PJRT_Device_DefaultMemory_Args);
    default_memory.device = device;
    XLAPRUNE_ASSERT_OK(api()->PJRT_Device_DefaultMemory(&default_memory));
    PJRT_Memory* memory = default_memory.memory;
    EXPECT_EQ(memory, memories.addressable_memories[i]);
    ASSERT_NE(memory->vtable, nullptr);
    EXPECT_EQ(memory->vtable->instance_struct_size, static_cast<size_t>(PJRT_Memory_STRUCT_SIZE));
    auto device_memories = XLAPRUNE_ARGS(PJRT_Device_AddressableMemories_Args);
    device_memories.device = device;
    XLAPRUNE_ASSERT_OK(api()->PJRT_Device_AddressableMemories(&device_memories));
    ASSERT_EQ(device_memories.num_memories, 1u);
    EXPECT_EQ(device_memories.memories[0], memory);
    auto id = XLAPRUNE_ARGS(PJRT_Memory_Id_Args);
    id.memory = memory;
    XLAPRUNE_ASSERT_OK(api()->PJRT_Memory_Id(&id));
    EXPECT_EQ(id.id, i);
    auto kind = XLAPRUNE_ARGS(PJRT_Memory_Kind_Args);
    kind.memory = memory;
    XLAPRUNE_ASSERT_OK(api()->PJRT_Memory_Kind(&kind));
    EXPECT_EQ(Str(kind.kind, kind.kind_size), "device");
    auto kind_id = XLAPRUNE_ARGS(PJRT_Memory_Kind_Id_Args);
    kind_id.memory = memory;
    kind_id.kind_id = -1;
    XLAPRUNE_ASSERT_OK(api()->PJRT_Memory_Kind_Id(&kind_id));
    EXPECT_EQ(kind_id.kind_id, 0);
    auto debug = XLAPRUNE_ARGS(PJRT_Memory_DebugString_Args);
    debug.memory = memory;
    XLAPRUNE_ASSERT_OK(api()->PJRT_Memory_DebugString(&debug));
    EXPECT_EQ(Str(debug.debug_string, debug.debug_string_size), "cpu:" + std::to_string(i) + " memory (kind device)");
    auto text = XLAPRUNE_ARGS(PJRT_Memory_ToString_Args);
    text.memory = memory;
    XLAPRUNE_ASSERT_OK(api()->PJRT_Memory_ToString(&text));
    EXPECT_EQ(Str(text.to_string, text.to_string_size), "CpuMemory(id=" + std::to_string(i) + ", kind=device)");
    auto by = XLAPRUNE_ARGS(PJRT_Memory_AddressableByDevices_Args);
    by.memory = memory;
    XLAPRUNE_ASSERT_OK(api()->PJRT_Memory_AddressableByDevices(&by));
    ASSERT_EQ(by.num_devices, 1u);
    EXPECT_EQ(by.devices[0], device);
  }
}

int s_destroyed = 0;

TEST_F(ThreeDeviceClient, MemoryUserDataIsKeptAndReleased) {
  PJRT_Memory* memory = nullptr;
  {
    auto default_memory = XLAPRUNE_ARGS(PJRT_Device_DefaultMemory_Args);
    default_memory.device = devices_[0];
    XLAPRUNE_ASSERT_OK(api()->PJRT_Device_DefaultMemory(&default_memory));
    memory = default_memory.memory;
  }
  static int key = 0;
  static int first = 1;
  static int second = 2;
  s_destroyed = 0;
  EXPECT_EQ(memory->vtable->get_user_data(memory, &key), nullptr);
  memory->vtable->set_user_data(memory, &key, &first, [](void*) { ++s_destroyed; });
  EXPECT_EQ(memory->vtable->get_user_data(memory, &key), &first);
  memory->vtable->set_user_data(memory, &key, &second, [](void*) { ++s_destroyed; });
  EXPECT_EQ(s_destroyed, 1);  // the replaced value
  EXPECT_EQ(memory->vtable->get_user_data(memory, &key), &second);
  DestroyClient(client_);
  client_ = nullptr;
  EXPECT_EQ(s_destroyed, 2);  // released with the client
}

TEST_F(ThreeDeviceClient, DefaultDeviceAssignmentIsReplicaMajor) {
  int assignment[4] = {-1, -1, -1, -1};
  auto args = XLAPRUNE_ARGS(PJRT_Client_DefaultDeviceAssignment_Args);
  args.client = client_;
  args.num_replicas = 3;
  args.num_partitions = 1;
  args.default_assignment_size = 4;
  args.default_assignment = assignment;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Client_DefaultDeviceAssignment(&args));
  EXPECT_EQ(assignment[0], 0);
  EXPECT_EQ(assignment[1], 1);
  EXPECT_EQ(assignment[2], 2);
  EXPECT_EQ(assignment[3], -1);
  args.num_replicas = 4;
  ErrorInfo info = Take(api()->PJRT_Client_DefaultDeviceAssignment(&args));
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "a device assignment of 4 replicas x 1 partitions needs 4 devices, but the client has 3");
}

}  // namespace
}  // namespace xlaprune::pjrt::testing
