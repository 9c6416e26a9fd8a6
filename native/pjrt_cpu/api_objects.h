// The objects behind the opaque PJRT handles of the XlaPrune CPU plugin: events, clients,
// devices, memories, buffers and executables, and the conversions between PJRT and engine types.
#pragma once

#include <xlaprune/pjrt_c_api.h>

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "api_barrier.h"
#include "engine/engine.h"
#include "live_stats.h"

namespace xlaprune::pjrt {

inline constexpr const char kPluginVersion[] = "0.1.0";
inline constexpr const char kPlatformName[] = "cpu";
inline constexpr const char kPlatformVersion[] = "XlaPrune CPU 0.1.0";
inline constexpr const char kDeviceKind[] = "cpu";
inline constexpr const char kMemoryKind[] = "device";
inline constexpr int kMemoryKindId = 0;

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

namespace xlaprune::pjrt {

// Named values of one kInt64, kFloat or kString (named_values.cc); `name` and a string `value`
// must outlive them.
PJRT_NamedValue Int64Value(const char* name, int64_t value);
PJRT_NamedValue FloatValue(const char* name, double value);
PJRT_NamedValue StringValue(const char* name, const char* value);
// The description of CPU device `id` that clients and topologies share: ids, names and the
// local_hardware_id attribute.
void DescribeCpuDevice(PJRT_DeviceDescription& description, int id);

// The plugin's platform name and version, as clients and topologies report them.
template <typename Args>
void SetPlatformName(Args* args) noexcept {
  args->platform_name = kPlatformName;
  args->platform_name_size = sizeof(kPlatformName) - 1;
}
template <typename Args>
void SetPlatformVersion(Args* args) noexcept {
  args->platform_version = kPlatformVersion;
  args->platform_version_size = sizeof(kPlatformVersion) - 1;
}

}  // namespace xlaprune::pjrt

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
  std::string module_proto;            // the HloModuleProto as compiled, for OptimizedProgram
  std::string fingerprint;             // hex FNV-1a of module, options and placement

  // Cached views handed out through the API; valid while the state lives.
  std::vector<PJRT_Buffer_Type> output_types;
  std::vector<int64_t> output_dims_flat;
  std::vector<size_t> output_ranks;
  std::vector<const char*> output_memory_kinds;
  std::vector<size_t> output_memory_kind_sizes;
  std::vector<const char*> parameter_memory_kinds;
  std::vector<size_t> parameter_memory_kind_sizes;
  std::vector<PJRT_NamedValue> cost_properties;
  std::string optimized_program;  // module_proto with the layouts the engine uses
  bool optimized_program_ready = false;
  std::mutex lazy_mutex;  // guards optimized_program
};

// Builds the cached views from the engine executable.
std::shared_ptr<ExecutableState> MakeExecutableState(std::shared_ptr<cpu::Executable> engine, int num_replicas,
                                                     int num_partitions, std::vector<int> device_assignment,
                                                     std::string compile_options, std::string module_proto);

// Compiles `program` (format hlo) with serialized CompileOptionsProto bytes for a client or
// topology of `device_count` devices, with `num_threads` engine threads (0: one per hardware
// thread): the checks and steps PJRT_Client_Compile and PJRT_Compile share. `args_name` names the
// caller's args struct in errors, e.g. "PJRT_Compile_Args".
std::shared_ptr<ExecutableState> CompileProgram(const PJRT_Program& program, const char* compile_options,
                                                size_t compile_options_size, const char* args_name,
                                                size_t device_count, int num_threads);

// The module with a layout on every array shape: the dense row-major layout the engine keeps
// every buffer in (minor_to_major = rank-1..0, no tiles). Defined in optimized_program.cc.
std::string OptimizedModuleProto(const std::string& module_proto);

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
