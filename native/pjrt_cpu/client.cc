// Client creation, devices, device descriptions and memories.
//
// Create options (PJRT_NamedValue):
//   cpu_device_count  kInt64, 1..1024, default 1: the number of CPU devices (replicas).
//   num_threads       kInt64, 0..1024, default 0 (one per hardware thread): engine threads.
// Any other option name is rejected with INVALID_ARGUMENT, as XLA's own plugins do, so that a
// misspelt option never goes unnoticed.
#include <algorithm>
#include <cstring>
#include <string>

#include "api_internal.h"

namespace xlaprune::pjrt {

MemoryImpl::~MemoryImpl() {
  for (auto& entry : user_data) {
    if (entry.second.second != nullptr && entry.second.first != nullptr) entry.second.second(entry.second.first);
  }
}

void DeviceMemoryCounters::Add(int64_t bytes) {
  std::lock_guard<std::mutex> lock(mutex);
  bytes_in_use += bytes;
  peak_bytes_in_use = std::max(peak_bytes_in_use, bytes_in_use);
  num_allocs += 1;
  largest_alloc = std::max(largest_alloc, bytes);
}

void DeviceMemoryCounters::Remove(int64_t bytes) {
  std::lock_guard<std::mutex> lock(mutex);
  bytes_in_use -= bytes;
}

PJRT_Device* ClientState::CheckDevice(PJRT_Device* device, const char* what) const {
  if (device == nullptr) InvalidArgument(std::string(what) + " must not be null");
  if (device->client != this) InvalidArgument(std::string(what) + " belongs to a different client");
  return device;
}

void DescribeCpuDevice(PJRT_DeviceDescription& description, int id) {
  description.id = id;
  description.process_index = 0;
  description.debug_string = "cpu:" + std::to_string(id);
  description.to_string = "CpuDevice(id=" + std::to_string(id) + ", process_index=0, kind=" + kDeviceKind + ")";
  description.attributes.push_back(Int64Value("local_hardware_id", id));
}

MemoryImpl* ClientState::CheckMemory(PJRT_Memory* memory, const char* what) const {
  if (memory == nullptr) InvalidArgument(std::string(what) + " must not be null");
  auto* impl = static_cast<MemoryImpl*>(memory);
  if (impl->client != this) InvalidArgument(std::string(what) + " belongs to a different client");
  return impl;
}

namespace {

void* GetMemoryUserData(PJRT_Memory* memory, const void* key) {
  auto* impl = static_cast<MemoryImpl*>(memory);
  std::lock_guard<std::mutex> lock(impl->user_data_mutex);
  for (auto& entry : impl->user_data) {
    if (entry.first == key) return entry.second.first;
  }
  return nullptr;
}

void SetMemoryUserData(PJRT_Memory* memory, const void* key, void* data, void (*dtor)(void*)) {
  auto* impl = static_cast<MemoryImpl*>(memory);
  std::pair<void*, void (*)(void*)> old{nullptr, nullptr};
  {
    std::lock_guard<std::mutex> lock(impl->user_data_mutex);
    auto it = std::find_if(impl->user_data.begin(), impl->user_data.end(),
                           [key](const auto& entry) { return entry.first == key; });
    if (it != impl->user_data.end()) {
      old = it->second;
      impl->user_data.erase(it);
    }
    // push_back may throw; this function has no way to report it, so drop the value instead.
    try {
      if (data != nullptr) impl->user_data.push_back({key, {data, dtor}});
    } catch (...) {
      if (dtor != nullptr) dtor(data);
    }
  }
  if (old.second != nullptr && old.first != nullptr) old.second(old.first);
}

const PJRT_Memory_FunctionTable kMemoryTable = {
    PJRT_Memory_FunctionTable_STRUCT_SIZE, nullptr, PJRT_Memory_STRUCT_SIZE, GetMemoryUserData, SetMemoryUserData,
};

const char* NamedValueTypeName(int type) {
  switch (type) {
    case PJRT_NamedValue_kString: return "kString";
    case PJRT_NamedValue_kInt64: return "kInt64";
    case PJRT_NamedValue_kInt64List: return "kInt64List";
    case PJRT_NamedValue_kFloat: return "kFloat";
    case PJRT_NamedValue_kBool: return "kBool";
  }
  return "unknown";
}

int64_t Int64Option(const PJRT_NamedValue& option, const std::string& name, int64_t min, int64_t max) {
  const int type = RawEnum(option.type);
  if (type != PJRT_NamedValue_kInt64) {
    InvalidArgument("create option " + name + " must be kInt64, got " + NamedValueTypeName(type));
  }
  if (option.int64_value < min || option.int64_value > max) {
    InvalidArgument("create option " + name + " must be in [" + std::to_string(min) + ", " + std::to_string(max) +
                    "], got " + std::to_string(option.int64_value));
  }
  return option.int64_value;
}

std::shared_ptr<ClientState> BuildClient(int device_count, int num_threads) {
  auto state = std::make_shared<ClientState>();
  state->num_threads = num_threads;
  for (int id = 0; id < device_count; ++id) {
    auto device = std::make_unique<PJRT_Device>();
    device->client = state.get();
    device->id = id;
    DescribeCpuDevice(device->description, id);
    device->description.attributes.push_back(Int64Value("num_threads", num_threads));

    auto memory = std::make_unique<MemoryImpl>();
    memory->vtable = &kMemoryTable;
    memory->client = state.get();
    memory->device = device.get();
    memory->id = id;
    memory->debug_string = "cpu:" + std::to_string(id) + " memory (kind device)";
    memory->to_string = "CpuMemory(id=" + std::to_string(id) + ", kind=device)";
    device->memory = memory.get();

    state->devices.push_back(device.get());
    state->memories.push_back(memory.get());
    state->device_storage.push_back(std::move(device));
    state->memory_storage.push_back(std::move(memory));
  }
  return state;
}

PJRT_Device* DeviceOf(PJRT_Device* device, const char* what) { return Require(device, what); }
MemoryImpl* MemoryOf(PJRT_Memory* memory, const char* what) { return static_cast<MemoryImpl*>(Require(memory, what)); }

}  // namespace
}  // namespace xlaprune::pjrt

using namespace xlaprune::pjrt;
namespace cpu = xlaprune::cpu;

// The key-value callbacks (added in 0.61) are not read: a single-process client needs none.
XLAPRUNE_ENTRY_MIN(PJRT_Client_Create, XLAPRUNE_FIELD_END(PJRT_Client_Create_Args, client)) {
  if (args->create_options == nullptr && args->num_options != 0) {
    InvalidArgument("PJRT_Client_Create_Args.create_options is null but num_options is " +
                    std::to_string(args->num_options));
  }
  int64_t device_count = 1;
  int64_t num_threads = 0;
  for (size_t i = 0; i < args->num_options; ++i) {
    const PJRT_NamedValue& option = args->create_options[i];
    if (option.name == nullptr) InvalidArgument("create option " + std::to_string(i) + " has a null name");
    std::string name(option.name, option.name_size);
    if (name == "cpu_device_count") {
      device_count = Int64Option(option, name, 1, 1024);
    } else if (name == "num_threads") {
      num_threads = Int64Option(option, name, 0, 1024);
    } else {
      InvalidArgument("unknown create option '" + name +
                      "' for the XlaPrune CPU plugin (known options: cpu_device_count, num_threads)");
    }
  }
  auto client = std::make_unique<PJRT_Client>();
  client->state = BuildClient(static_cast<int>(device_count), static_cast<int>(num_threads));
  args->client = client.release();
}

XLAPRUNE_ENTRY(PJRT_Client_Destroy) { delete args->client; }

XLAPRUNE_ENTRY(PJRT_Client_PlatformName) {
  Require(args->client, "PJRT_Client_PlatformName_Args.client");
  SetPlatformName(args);
}

XLAPRUNE_ENTRY(PJRT_Client_ProcessIndex) {
  Require(args->client, "PJRT_Client_ProcessIndex_Args.client");
  args->process_index = 0;
}

XLAPRUNE_ENTRY(PJRT_Client_PlatformVersion) {
  Require(args->client, "PJRT_Client_PlatformVersion_Args.client");
  SetPlatformVersion(args);
}

XLAPRUNE_ENTRY(PJRT_Client_Devices) {
  ClientState& state = *Require(args->client, "PJRT_Client_Devices_Args.client")->state;
  args->devices = state.devices.data();
  args->num_devices = state.devices.size();
}

XLAPRUNE_ENTRY(PJRT_Client_AddressableDevices) {
  ClientState& state = *Require(args->client, "PJRT_Client_AddressableDevices_Args.client")->state;
  args->addressable_devices = state.devices.data();
  args->num_addressable_devices = state.devices.size();
}

XLAPRUNE_ENTRY(PJRT_Client_LookupDevice) {
  ClientState& state = *Require(args->client, "PJRT_Client_LookupDevice_Args.client")->state;
  PJRT_Device* device = state.DeviceById(args->id);
  if (device == nullptr) {
    Fail(PJRT_Error_Code_NOT_FOUND, "no device with id " + std::to_string(args->id) + " (the client has " +
                                        std::to_string(state.devices.size()) + " devices)");
  }
  args->device = device;
}

XLAPRUNE_ENTRY(PJRT_Client_LookupAddressableDevice) {
  ClientState& state = *Require(args->client, "PJRT_Client_LookupAddressableDevice_Args.client")->state;
  PJRT_Device* device = state.DeviceById(args->local_hardware_id);
  if (device == nullptr) {
    Fail(PJRT_Error_Code_NOT_FOUND, "no addressable device with local hardware id " +
                                        std::to_string(args->local_hardware_id) + " (the client has " +
                                        std::to_string(state.devices.size()) + " devices)");
  }
  args->addressable_device = device;
}

XLAPRUNE_ENTRY(PJRT_Client_AddressableMemories) {
  ClientState& state = *Require(args->client, "PJRT_Client_AddressableMemories_Args.client")->state;
  args->addressable_memories = state.memories.data();
  args->num_addressable_memories = state.memories.size();
}

XLAPRUNE_ENTRY(PJRT_Client_DefaultDeviceAssignment) {
  ClientState& state = *Require(args->client, "PJRT_Client_DefaultDeviceAssignment_Args.client")->state;
  if (args->num_replicas < 1 || args->num_partitions < 1) {
    InvalidArgument("default device assignment needs num_replicas >= 1 and num_partitions >= 1, got " +
                    std::to_string(args->num_replicas) + " and " + std::to_string(args->num_partitions));
  }
  size_t needed = static_cast<size_t>(args->num_replicas) * static_cast<size_t>(args->num_partitions);
  if (needed > state.devices.size()) {
    InvalidArgument("a device assignment of " + std::to_string(args->num_replicas) + " replicas x " +
                    std::to_string(args->num_partitions) + " partitions needs " + std::to_string(needed) +
                    " devices, but the client has " + std::to_string(state.devices.size()));
  }
  if (args->default_assignment_size < needed) {
    InvalidArgument("default_assignment_size is " + std::to_string(args->default_assignment_size) + ", needs " +
                    std::to_string(needed));
  }
  Require(args->default_assignment, "PJRT_Client_DefaultDeviceAssignment_Args.default_assignment");
  // Replica-major, like XLA's computation placer: replica r, partition p -> r * partitions + p.
  for (size_t i = 0; i < needed; ++i) args->default_assignment[i] = static_cast<int>(i);
}

XLAPRUNE_ENTRY(PJRT_DeviceDescription_Id) {
  args->id = Require(args->device_description, "PJRT_DeviceDescription_Id_Args.device_description")->id;
}

XLAPRUNE_ENTRY(PJRT_DeviceDescription_ProcessIndex) {
  args->process_index =
      Require(args->device_description, "PJRT_DeviceDescription_ProcessIndex_Args.device_description")->process_index;
}

XLAPRUNE_ENTRY(PJRT_DeviceDescription_Attributes) {
  PJRT_DeviceDescription* description =
      Require(args->device_description, "PJRT_DeviceDescription_Attributes_Args.device_description");
  args->num_attributes = description->attributes.size();
  args->attributes = description->attributes.data();
}

XLAPRUNE_ENTRY(PJRT_DeviceDescription_Kind) {
  Require(args->device_description, "PJRT_DeviceDescription_Kind_Args.device_description");
  args->device_kind = kDeviceKind;
  args->device_kind_size = sizeof(kDeviceKind) - 1;
}

XLAPRUNE_ENTRY(PJRT_DeviceDescription_DebugString) {
  PJRT_DeviceDescription* description =
      Require(args->device_description, "PJRT_DeviceDescription_DebugString_Args.device_description");
  args->debug_string = description->debug_string.c_str();
  args->debug_string_size = description->debug_string.size();
}

XLAPRUNE_ENTRY(PJRT_DeviceDescription_ToString) {
  PJRT_DeviceDescription* description =
      Require(args->device_description, "PJRT_DeviceDescription_ToString_Args.device_description");
  args->to_string = description->to_string.c_str();
  args->to_string_size = description->to_string.size();
}

XLAPRUNE_ENTRY(PJRT_Device_GetDescription) {
  args->device_description = &DeviceOf(args->device, "PJRT_Device_GetDescription_Args.device")->description;
}

XLAPRUNE_ENTRY(PJRT_Device_IsAddressable) {
  DeviceOf(args->device, "PJRT_Device_IsAddressable_Args.device");
  args->is_addressable = true;
}

XLAPRUNE_ENTRY(PJRT_Device_LocalHardwareId) {
  args->local_hardware_id = DeviceOf(args->device, "PJRT_Device_LocalHardwareId_Args.device")->id;
}

XLAPRUNE_ENTRY(PJRT_Device_AddressableMemories) {
  PJRT_Device* device = DeviceOf(args->device, "PJRT_Device_AddressableMemories_Args.device");
  args->memories = &device->client->memories[static_cast<size_t>(device->id)];
  args->num_memories = 1;
}

XLAPRUNE_ENTRY(PJRT_Device_DefaultMemory) {
  args->memory = DeviceOf(args->device, "PJRT_Device_DefaultMemory_Args.device")->memory;
}

// bytes_in_use counts the storage of live PJRT buffers on the device; temporaries of a running
// execution are not included.
XLAPRUNE_ENTRY(PJRT_Device_MemoryStats) {
  PJRT_Device* device = DeviceOf(args->device, "PJRT_Device_MemoryStats_Args.device");
  DeviceMemoryCounters& counters = device->counters;
  std::lock_guard<std::mutex> lock(counters.mutex);
  args->bytes_in_use = counters.bytes_in_use;
  args->peak_bytes_in_use = counters.peak_bytes_in_use;
  args->peak_bytes_in_use_is_set = true;
  args->num_allocs = counters.num_allocs;
  args->num_allocs_is_set = true;
  args->largest_alloc_size = counters.largest_alloc;
  args->largest_alloc_size_is_set = true;
  args->bytes_limit_is_set = false;
  args->bytes_reserved_is_set = false;
  args->peak_bytes_reserved_is_set = false;
  args->bytes_reservable_limit_is_set = false;
  args->largest_free_block_bytes_is_set = false;
  args->pool_bytes_is_set = false;
  args->peak_pool_bytes_is_set = false;
  args->peak_allocated_bytes_is_set = false;
}

// Starts the peak and allocation counters afresh from what is live now.
XLAPRUNE_ENTRY(PJRT_Device_ClearMemoryStats) {
  PJRT_Device* device = DeviceOf(args->device, "PJRT_Device_ClearMemoryStats_Args.device");
  DeviceMemoryCounters& counters = device->counters;
  std::lock_guard<std::mutex> lock(counters.mutex);
  counters.peak_bytes_in_use = counters.bytes_in_use;
  counters.num_allocs = 0;
  counters.largest_alloc = 0;
}

XLAPRUNE_ENTRY(PJRT_Memory_Id) { args->id = MemoryOf(args->memory, "PJRT_Memory_Id_Args.memory")->id; }

XLAPRUNE_ENTRY(PJRT_Memory_Kind) {
  MemoryOf(args->memory, "PJRT_Memory_Kind_Args.memory");
  args->kind = kMemoryKind;
  args->kind_size = sizeof(kMemoryKind) - 1;
}

XLAPRUNE_ENTRY(PJRT_Memory_Kind_Id) {
  MemoryOf(args->memory, "PJRT_Memory_Kind_Id_Args.memory");
  args->kind_id = kMemoryKindId;
}

XLAPRUNE_ENTRY(PJRT_Memory_DebugString) {
  MemoryImpl* memory = MemoryOf(args->memory, "PJRT_Memory_DebugString_Args.memory");
  args->debug_string = memory->debug_string.c_str();
  args->debug_string_size = memory->debug_string.size();
}

XLAPRUNE_ENTRY(PJRT_Memory_ToString) {
  MemoryImpl* memory = MemoryOf(args->memory, "PJRT_Memory_ToString_Args.memory");
  args->to_string = memory->to_string.c_str();
  args->to_string_size = memory->to_string.size();
}

XLAPRUNE_ENTRY(PJRT_Memory_AddressableByDevices) {
  MemoryImpl* memory = MemoryOf(args->memory, "PJRT_Memory_AddressableByDevices_Args.memory");
  args->devices = &memory->client->devices[static_cast<size_t>(memory->id)];
  args->num_devices = 1;
}
