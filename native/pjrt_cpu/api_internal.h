// Internal declarations of the PJRT C API layer of the XlaPrune CPU plugin: the objects behind
// the opaque PJRT handles, the error type, and the exception barrier every entry point uses.
#pragma once

#include <xlaprune/pjrt_c_api.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "live_stats.h"

namespace xlaprune::pjrt {

inline constexpr const char kPluginVersion[] = "0.1.0";
inline constexpr const char kPlatformName[] = "cpu";
inline constexpr const char kPlatformVersion[] = "XlaPrune CPU 0.1.0";
inline constexpr const char kDeviceKind[] = "cpu";
inline constexpr const char kMemoryKind[] = "device";
inline constexpr int kMemoryKindId = 0;

// ---- Errors ---------------------------------------------------------------------------------

// Thrown by the API layer for bad input; the barrier turns it into a PJRT_Error.
class ApiError : public std::exception {
 public:
  ApiError(PJRT_Error_Code code, std::string message) : code_(code), message_(std::move(message)) {}
  PJRT_Error_Code code() const noexcept { return code_; }
  const char* what() const noexcept override { return message_.c_str(); }
  const std::string& message() const noexcept { return message_; }

 private:
  PJRT_Error_Code code_;
  std::string message_;
};

[[noreturn]] void Fail(PJRT_Error_Code code, std::string message);
[[noreturn]] inline void InvalidArgument(std::string message) {
  Fail(PJRT_Error_Code_INVALID_ARGUMENT, std::move(message));
}
[[noreturn]] inline void Unimplemented(std::string message) {
  Fail(PJRT_Error_Code_UNIMPLEMENTED, std::move(message));
}

// The plugin's error object: PJRT_Error (a vtable pointer) first, as the 0.114 layout requires.
struct ErrorImpl : PJRT_Error {
  PJRT_Error_Code code;
  std::string message;
};

// Never throws: when memory runs out it returns a static RESOURCE_EXHAUSTED error whose
// destroy does nothing.
PJRT_Error* MakeError(PJRT_Error_Code code, const std::string& message) noexcept;
// Turns the exception being handled into a PJRT_Error. Call only inside a catch block.
PJRT_Error* ErrorFromCurrentException() noexcept;
// Allocates the static out-of-memory error up front; called once from GetPjrtApi.
void WarmUpErrors() noexcept;

// Copies of an error's code and message, for events.
struct Status {
  PJRT_Error_Code code = PJRT_Error_Code_OK;
  std::string message;
  bool ok() const noexcept { return code == PJRT_Error_Code_OK; }
};

// ---- The exception barrier -----------------------------------------------------------------

// Checks `args` against the smallest struct the entry point accepts: null args and short
// structs fail with INVALID_ARGUMENT naming the struct.
void CheckArgsStruct(const void* args, size_t struct_size, const char* struct_name, size_t min_size);

template <typename Args, typename Body>
PJRT_Error* Guarded(const char* struct_name, size_t min_size, Args* args, Body body) noexcept {
  try {
    CheckArgsStruct(args, args != nullptr ? args->struct_size : 0, struct_name, min_size);
    body(args);
    return nullptr;
  } catch (...) {
    return ErrorFromCurrentException();
  }
}

// Defines an entry point `Entry_<Name>` whose body runs behind the barrier. The caller's struct
// must be at least `min_size` bytes; fields past it are touched only when HasField says so.
#define XLAPRUNE_ENTRY_MIN(Name, min_size)                                                 \
  static void Body_##Name(Name##_Args* args);                                             \
  PJRT_Error* Entry_##Name(Name##_Args* args) noexcept {                                  \
    return ::xlaprune::pjrt::Guarded(#Name "_Args", (min_size), args, Body_##Name);       \
  }                                                                                       \
  static void Body_##Name(Name##_Args* args)

#define XLAPRUNE_ENTRY(Name) XLAPRUNE_ENTRY_MIN(Name, Name##_Args_STRUCT_SIZE)

// End offset of `field` in the args type, the upstream STRUCT_SIZE rule.
#define XLAPRUNE_FIELD_END(Type, field) XLAPRUNE_PJRT_SIZE_UPTO(Type, field)
// True if the caller's struct is large enough to contain `field`.
#define XLAPRUNE_HAS_FIELD(args, Type, field) ((args)->struct_size >= XLAPRUNE_FIELD_END(Type, field))

// The value of a caller-provided enum field as an int: a C caller may store any number there,
// and loading an out-of-range value as the enum type is undefined behaviour in C++.
template <typename Enum>
int RawEnum(const Enum& field) noexcept {
  static_assert(sizeof(Enum) == sizeof(int), "PJRT enums are int-sized");
  int value;
  std::memcpy(&value, &field, sizeof(value));
  return value;
}

// Requires a non-null handle argument, naming it in the error.
template <typename T>
T* Require(T* pointer, const char* what) {
  if (pointer == nullptr) InvalidArgument(std::string(what) + " must not be null");
  return pointer;
}

// ---- Events ---------------------------------------------------------------------------------

// Shared by a PJRT_Event and whoever completes it.
class EventState {
 public:
  static std::shared_ptr<EventState> Ready(Status status = {});
  void Set(Status status);  // runs the registered callbacks on the calling thread
  bool IsReady() const;
  bool Settable() const noexcept { return settable_; }
  void MarkSettable() noexcept { settable_ = true; }
  const Status& Wait() const;  // blocks until ready
  // Runs `callback` once the event is ready; at once on this thread if it already is.
  void OnReady(std::function<void(const Status&)> callback);
  // Sets the event only if it is not set yet; returns false if it was.
  bool TrySet(Status status);

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable ready_cv_;
  bool ready_ = false;
  bool settable_ = false;
  Status status_;
  std::vector<std::function<void(const Status&)>> callbacks_;
};

}  // namespace xlaprune::pjrt

struct PJRT_Event {
  std::shared_ptr<xlaprune::pjrt::EventState> state;
};

namespace xlaprune::pjrt {

// New PJRT_Event, already complete with `status`; the caller of the API owns it.
PJRT_Event* NewReadyEvent(Status status = {});

// ---- Client, devices, memories -------------------------------------------------------------

struct ClientState;

struct MemoryImpl : PJRT_Memory {
  ClientState* client = nullptr;
  PJRT_Device* device = nullptr;
  int id = 0;
  std::string debug_string;
  std::string to_string;
  std::mutex user_data_mutex;
  std::vector<std::pair<const void*, std::pair<void*, void (*)(void*)>>> user_data;
  ~MemoryImpl();
};

// Bytes held by live buffers of one device.
struct DeviceMemoryCounters {
  std::mutex mutex;
  int64_t bytes_in_use = 0;
  int64_t peak_bytes_in_use = 0;
  int64_t num_allocs = 0;
  int64_t largest_alloc = 0;
  void Add(int64_t bytes);
  void Remove(int64_t bytes);
};

}  // namespace xlaprune::pjrt

struct PJRT_DeviceDescription {
  int id = 0;
  int process_index = 0;
  std::string debug_string;
  std::string to_string;
  std::vector<std::string> attribute_strings;  // backs string attributes
  std::vector<PJRT_NamedValue> attributes;
};

struct PJRT_Device {
  xlaprune::pjrt::ClientState* client = nullptr;
  int id = 0;
  PJRT_DeviceDescription description;
  xlaprune::pjrt::MemoryImpl* memory = nullptr;
  xlaprune::pjrt::DeviceMemoryCounters counters;
};

namespace xlaprune::pjrt {

// Everything a client owns. Buffers and executables keep it alive through a shared_ptr, so
// their device pointers stay valid even if the caller destroys the client first.
struct ClientState {
  int num_threads = 0;
  std::vector<std::unique_ptr<PJRT_Device>> device_storage;
  std::vector<std::unique_ptr<MemoryImpl>> memory_storage;
  std::vector<PJRT_Device*> devices;
  std::vector<PJRT_Memory*> memories;

  PJRT_Device* DeviceById(int id) const noexcept {
    return id >= 0 && static_cast<size_t>(id) < devices.size() ? devices[static_cast<size_t>(id)] : nullptr;
  }
  // The device if it belongs to this client, else INVALID_ARGUMENT naming `what`.
  PJRT_Device* CheckDevice(PJRT_Device* device, const char* what) const;
  MemoryImpl* CheckMemory(PJRT_Memory* memory, const char* what) const;
  LiveCount<LiveKind::kClient> live_count;
};

}  // namespace xlaprune::pjrt

struct PJRT_Client {
  std::shared_ptr<xlaprune::pjrt::ClientState> state;
};

// ---- Buffers --------------------------------------------------------------------------------

struct PJRT_Buffer {
  std::shared_ptr<xlaprune::pjrt::ClientState> client;
  PJRT_Device* device = nullptr;
  xlaprune::cpu::ArrayShape shape;
  PJRT_Buffer_Type type = PJRT_Buffer_Type_INVALID;
  std::vector<int64_t> minor_to_major;  // dense, for GetMemoryLayout

  mutable std::mutex mutex;
  std::shared_ptr<xlaprune::cpu::DeviceBuffer> storage;  // null once deleted or donated
  bool donated = false;
  int external_references = 0;
  xlaprune::pjrt::LiveCount<xlaprune::pjrt::LiveKind::kBuffer> live_count;

  ~PJRT_Buffer();
};

namespace xlaprune::pjrt {

// Wraps engine storage into a new PJRT_Buffer on `device`, counted in its memory statistics.
PJRT_Buffer* NewBuffer(const std::shared_ptr<ClientState>& client, PJRT_Device* device,
                       std::shared_ptr<cpu::DeviceBuffer> storage);
// The storage of a live buffer; INVALID_ARGUMENT naming `what` if it was deleted or donated.
std::shared_ptr<cpu::DeviceBuffer> LiveStorage(PJRT_Buffer* buffer, const char* what);
// Drops the buffer's storage (delete or donation) and updates the device statistics.
void ReleaseStorage(PJRT_Buffer* buffer, bool donated);

// ---- Element types and shapes ---------------------------------------------------------------

const char* BufferTypeName(PJRT_Buffer_Type type) noexcept;
// The engine type for a PJRT type; UNIMPLEMENTED for types the engine cannot hold.
cpu::ElementType ToEngineType(int type);
PJRT_Buffer_Type ToBufferType(cpu::ElementType type) noexcept;
// "f32[3,4]", as in XLA shape strings.
std::string ShapeString(const cpu::ArrayShape& shape);
// Validates dims (non-negative, byte size fits in memory) and builds the shape.
cpu::ArrayShape MakeShape(int type, const int64_t* dims, size_t num_dims, const char* what);

// ---- Executables ----------------------------------------------------------------------------

// What Compile and DeserializeAndLoad produce; shared by the loaded executable, every
// PJRT_Executable view of it, and running executions.
struct ExecutableState {
  LiveCount<LiveKind::kExecutable> live_count;
  std::shared_ptr<cpu::Executable> engine;
  std::string name;
  int num_replicas = 1;
  int num_partitions = 1;
  std::vector<int> device_assignment;  // device id of each replica
  std::string compile_options;         // as given, for GetCompileOptions
  std::string fingerprint;

  // Cached views handed out through the API; valid while the state lives.
  std::vector<PJRT_Buffer_Type> output_types;
  std::vector<int64_t> output_dims_flat;
  std::vector<size_t> output_ranks;
  std::vector<const char*> output_memory_kinds;
  std::vector<size_t> output_memory_kind_sizes;
  std::vector<const char*> parameter_memory_kinds;
  std::vector<size_t> parameter_memory_kind_sizes;
  std::vector<PJRT_NamedValue> cost_properties;
  std::string optimized_program;
  bool optimized_program_ready = false;
  std::mutex lazy_mutex;  // guards optimized_program
};

// Builds the cached views from the engine executable.
std::shared_ptr<ExecutableState> MakeExecutableState(std::shared_ptr<cpu::Executable> engine, int num_replicas,
                                                     int num_partitions, std::vector<int> device_assignment,
                                                     std::string compile_options);

}  // namespace xlaprune::pjrt

struct PJRT_Executable {
  std::shared_ptr<xlaprune::pjrt::ExecutableState> state;
};

struct PJRT_LoadedExecutable {
  std::shared_ptr<xlaprune::pjrt::ClientState> client;
  std::vector<PJRT_Device*> addressable_devices;  // one per replica, in replica order
  std::vector<PJRT_LogicalDeviceIds> logical_ids;  // {replica, partition 0} per device
  mutable std::mutex mutex;
  std::shared_ptr<xlaprune::pjrt::ExecutableState> state;  // null once deleted
  std::shared_ptr<xlaprune::pjrt::ExecutableState> Live() const;
};

// ---- Entry points ---------------------------------------------------------------------------

// Every implemented slot. The table in api_table.cc fills the rest with UNIMPLEMENTED stubs.
#define XLAPRUNE_IMPLEMENTED_ENTRIES(X)                 \
  X(PJRT_Error_GetCode)                                 \
  X(PJRT_Error_ForEachPayload)                          \
  X(PJRT_Plugin_Initialize)                             \
  X(PJRT_Plugin_Attributes)                             \
  X(PJRT_Event_Destroy)                                 \
  X(PJRT_Event_IsReady)                                 \
  X(PJRT_Event_Error)                                   \
  X(PJRT_Event_Await)                                   \
  X(PJRT_Event_OnReady)                                 \
  X(PJRT_Event_Create)                                  \
  X(PJRT_Event_Set)                                     \
  X(PJRT_Client_Create)                                 \
  X(PJRT_Client_Destroy)                                \
  X(PJRT_Client_PlatformName)                           \
  X(PJRT_Client_ProcessIndex)                           \
  X(PJRT_Client_PlatformVersion)                        \
  X(PJRT_Client_Devices)                                \
  X(PJRT_Client_AddressableDevices)                     \
  X(PJRT_Client_LookupDevice)                           \
  X(PJRT_Client_LookupAddressableDevice)                \
  X(PJRT_Client_AddressableMemories)                    \
  X(PJRT_Client_Compile)                                \
  X(PJRT_Client_DefaultDeviceAssignment)                \
  X(PJRT_Client_BufferFromHostBuffer)                   \
  X(PJRT_Client_CreateUninitializedBuffer)              \
  X(PJRT_DeviceDescription_Id)                          \
  X(PJRT_DeviceDescription_ProcessIndex)                \
  X(PJRT_DeviceDescription_Attributes)                  \
  X(PJRT_DeviceDescription_Kind)                        \
  X(PJRT_DeviceDescription_DebugString)                 \
  X(PJRT_DeviceDescription_ToString)                    \
  X(PJRT_Device_GetDescription)                         \
  X(PJRT_Device_IsAddressable)                          \
  X(PJRT_Device_LocalHardwareId)                        \
  X(PJRT_Device_AddressableMemories)                    \
  X(PJRT_Device_DefaultMemory)                          \
  X(PJRT_Device_MemoryStats)                            \
  X(PJRT_Device_ClearMemoryStats)                       \
  X(PJRT_Memory_Id)                                     \
  X(PJRT_Memory_Kind)                                   \
  X(PJRT_Memory_Kind_Id)                                \
  X(PJRT_Memory_DebugString)                            \
  X(PJRT_Memory_ToString)                               \
  X(PJRT_Memory_AddressableByDevices)                   \
  X(PJRT_Executable_Destroy)                            \
  X(PJRT_Executable_Name)                               \
  X(PJRT_Executable_NumReplicas)                        \
  X(PJRT_Executable_NumPartitions)                      \
  X(PJRT_Executable_NumOutputs)                         \
  X(PJRT_Executable_SizeOfGeneratedCodeInBytes)         \
  X(PJRT_Executable_GetCostAnalysis)                    \
  X(PJRT_Executable_OutputMemoryKinds)                  \
  X(PJRT_Executable_ParameterMemoryKinds)               \
  X(PJRT_Executable_OptimizedProgram)                   \
  X(PJRT_Executable_Serialize)                          \
  X(PJRT_Executable_OutputElementTypes)                 \
  X(PJRT_Executable_OutputDimensions)                   \
  X(PJRT_Executable_Fingerprint)                        \
  X(PJRT_Executable_GetCompiledMemoryStats)             \
  X(PJRT_Executable_GetCompileOptions)                  \
  X(PJRT_Executable_DeserializeAndLoad)                 \
  X(PJRT_LoadedExecutable_Destroy)                      \
  X(PJRT_LoadedExecutable_GetExecutable)                \
  X(PJRT_LoadedExecutable_AddressableDevices)           \
  X(PJRT_LoadedExecutable_AddressableDeviceLogicalIds)  \
  X(PJRT_LoadedExecutable_Delete)                       \
  X(PJRT_LoadedExecutable_IsDeleted)                    \
  X(PJRT_LoadedExecutable_Execute)                      \
  X(PJRT_LoadedExecutable_Fingerprint)                  \
  X(PJRT_Buffer_Destroy)                                \
  X(PJRT_Buffer_ElementType)                            \
  X(PJRT_Buffer_Dimensions)                             \
  X(PJRT_Buffer_UnpaddedDimensions)                     \
  X(PJRT_Buffer_DynamicDimensionIndices)                \
  X(PJRT_Buffer_GetMemoryLayout)                        \
  X(PJRT_Buffer_OnDeviceSizeInBytes)                    \
  X(PJRT_Buffer_Device)                                 \
  X(PJRT_Buffer_Memory)                                 \
  X(PJRT_Buffer_Delete)                                 \
  X(PJRT_Buffer_IsDeleted)                              \
  X(PJRT_Buffer_CopyToDevice)                           \
  X(PJRT_Buffer_CopyToMemory)                           \
  X(PJRT_Buffer_ToHostBuffer)                           \
  X(PJRT_Buffer_CopyRawToHost)                          \
  X(PJRT_Buffer_IsOnCpu)                                \
  X(PJRT_Buffer_ReadyEvent)                             \
  X(PJRT_Buffer_UnsafePointer)                          \
  X(PJRT_Buffer_IncreaseExternalReferenceCount)         \
  X(PJRT_Buffer_DecreaseExternalReferenceCount)         \
  X(PJRT_Buffer_OpaqueDeviceMemoryDataPointer)

#define XLAPRUNE_DECLARE_ENTRY(Name) PJRT_Error* Entry_##Name(Name##_Args* args) noexcept;
XLAPRUNE_IMPLEMENTED_ENTRIES(XLAPRUNE_DECLARE_ENTRY)
#undef XLAPRUNE_DECLARE_ENTRY

void Entry_PJRT_Error_Destroy(PJRT_Error_Destroy_Args* args) noexcept;
void Entry_PJRT_Error_Message(PJRT_Error_Message_Args* args) noexcept;
