// Helpers for the API tests: they load libxlaprune_pjrt_cpu.so with dlopen and call it only
// through the PJRT_Api table, as a framework does.
#pragma once

#include <dlfcn.h>
#include <gtest/gtest.h>
#include <xlaprune/pjrt_c_api.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace xlaprune::pjrt::testing {

// The plugin's table, loaded and initialized once per test process.
inline const PJRT_Api* Api() {
  static const PJRT_Api* api = [] {
    void* handle = dlopen(XLAPRUNE_PJRT_CPU_PLUGIN_PATH, RTLD_LAZY | RTLD_LOCAL);
    if (handle == nullptr) {
      ADD_FAILURE() << "dlopen " << XLAPRUNE_PJRT_CPU_PLUGIN_PATH << ": " << dlerror();
      return static_cast<const PJRT_Api*>(nullptr);
    }
    auto get_api = reinterpret_cast<const PJRT_Api* (*)()>(dlsym(handle, "GetPjrtApi"));
    if (get_api == nullptr) {
      ADD_FAILURE() << "GetPjrtApi not exported";
      return static_cast<const PJRT_Api*>(nullptr);
    }
    const PJRT_Api* table = get_api();
    PJRT_Plugin_Initialize_Args init{};
    init.struct_size = PJRT_Plugin_Initialize_Args_STRUCT_SIZE;
    if (table->PJRT_Plugin_Initialize(&init) != nullptr) ADD_FAILURE() << "PJRT_Plugin_Initialize failed";
    return table;
  }();
  return api;
}

inline void* PluginHandle() { return dlopen(XLAPRUNE_PJRT_CPU_PLUGIN_PATH, RTLD_LAZY | RTLD_LOCAL | RTLD_NOLOAD); }

// A zeroed args struct with struct_size set as a caller built against 0.114 sets it.
#define XLAPRUNE_ARGS(Type) ::xlaprune::pjrt::testing::MakeArgs<Type>(Type##_STRUCT_SIZE)
template <typename T>
T MakeArgs(size_t struct_size) {
  T args;
  std::memset(&args, 0, sizeof(args));
  args.struct_size = struct_size;
  return args;
}

// Code and message of an error, which is destroyed; OK and "" for NULL.
struct ErrorInfo {
  PJRT_Error_Code code = PJRT_Error_Code_OK;
  std::string message;
};

inline ErrorInfo Take(PJRT_Error* error) {
  ErrorInfo info;
  if (error == nullptr) return info;
  const PJRT_Api* api = Api();
  auto code = XLAPRUNE_ARGS(PJRT_Error_GetCode_Args);
  code.error = error;
  PJRT_Error* code_error = api->PJRT_Error_GetCode(&code);
  EXPECT_EQ(code_error, nullptr);
  info.code = code.code;
  auto message = XLAPRUNE_ARGS(PJRT_Error_Message_Args);
  message.error = error;
  api->PJRT_Error_Message(&message);
  info.message.assign(message.message, message.message_size);
  auto destroy = XLAPRUNE_ARGS(PJRT_Error_Destroy_Args);
  destroy.error = error;
  api->PJRT_Error_Destroy(&destroy);
  return info;
}

#define XLAPRUNE_EXPECT_OK(call)                                          \
  do {                                                                    \
    ::xlaprune::pjrt::testing::ErrorInfo xlaprune_info_ = ::xlaprune::pjrt::testing::Take(call); \
    EXPECT_EQ(xlaprune_info_.code, PJRT_Error_Code_OK) << xlaprune_info_.message; \
  } while (0)

#define XLAPRUNE_ASSERT_OK(call)                                          \
  do {                                                                    \
    ::xlaprune::pjrt::testing::ErrorInfo xlaprune_info_ = ::xlaprune::pjrt::testing::Take(call); \
    ASSERT_EQ(xlaprune_info_.code, PJRT_Error_Code_OK) << xlaprune_info_.message; \
  } while (0)

inline PJRT_NamedValue Int64Option(const char* name, int64_t value) {
  PJRT_NamedValue v{};
  v.struct_size = PJRT_NamedValue_STRUCT_SIZE;
  v.name = name;
  v.name_size = std::strlen(name);
  v.type = PJRT_NamedValue_kInt64;
  v.int64_value = value;
  v.value_size = 1;
  return v;
}

inline PJRT_Client* CreateClient(int64_t device_count = 1) {
  PJRT_NamedValue option = Int64Option("cpu_device_count", device_count);
  auto args = XLAPRUNE_ARGS(PJRT_Client_Create_Args);
  args.create_options = &option;
  args.num_options = 1;
  ErrorInfo info = Take(Api()->PJRT_Client_Create(&args));
  EXPECT_EQ(info.code, PJRT_Error_Code_OK) << info.message;
  return args.client;
}

inline void DestroyClient(PJRT_Client* client) {
  auto args = XLAPRUNE_ARGS(PJRT_Client_Destroy_Args);
  args.client = client;
  XLAPRUNE_EXPECT_OK(Api()->PJRT_Client_Destroy(&args));
}

inline std::vector<PJRT_Device*> Devices(PJRT_Client* client) {
  auto args = XLAPRUNE_ARGS(PJRT_Client_Devices_Args);
  args.client = client;
  XLAPRUNE_EXPECT_OK(Api()->PJRT_Client_Devices(&args));
  return std::vector<PJRT_Device*>(args.devices, args.devices + args.num_devices);
}

inline void DestroyEvent(PJRT_Event* event) {
  auto args = XLAPRUNE_ARGS(PJRT_Event_Destroy_Args);
  args.event = event;
  XLAPRUNE_EXPECT_OK(Api()->PJRT_Event_Destroy(&args));
}

inline void DestroyBuffer(PJRT_Buffer* buffer) {
  auto args = XLAPRUNE_ARGS(PJRT_Buffer_Destroy_Args);
  args.buffer = buffer;
  XLAPRUNE_EXPECT_OK(Api()->PJRT_Buffer_Destroy(&args));
}

inline void DestroyLoaded(PJRT_LoadedExecutable* loaded) {
  auto args = XLAPRUNE_ARGS(PJRT_LoadedExecutable_Destroy_Args);
  args.executable = loaded;
  XLAPRUNE_EXPECT_OK(Api()->PJRT_LoadedExecutable_Destroy(&args));
}

inline void DestroyExecutable(PJRT_Executable* executable) {
  auto args = XLAPRUNE_ARGS(PJRT_Executable_Destroy_Args);
  args.executable = executable;
  XLAPRUNE_EXPECT_OK(Api()->PJRT_Executable_Destroy(&args));
}

inline bool IsDeleted(PJRT_Buffer* buffer) {
  auto args = XLAPRUNE_ARGS(PJRT_Buffer_IsDeleted_Args);
  args.buffer = buffer;
  XLAPRUNE_EXPECT_OK(Api()->PJRT_Buffer_IsDeleted(&args));
  return args.is_deleted;
}

// Compiles HLO `module` on `client` with serialized `options` (none when empty); `executable` is
// what the plugin made, if anything.
inline ErrorInfo TryCompileHlo(PJRT_Client* client, std::string module, const std::string& options, PJRT_LoadedExecutable*& executable) {
  auto program = XLAPRUNE_ARGS(PJRT_Program);
  program.code = module.data();
  program.code_size = module.size();
  program.format = "hlo";
  program.format_size = 3;
  auto args = XLAPRUNE_ARGS(PJRT_Client_Compile_Args);
  args.client = client;
  args.program = &program;
  args.compile_options = options.empty() ? nullptr : options.data();
  args.compile_options_size = options.size();
  ErrorInfo info = Take(Api()->PJRT_Client_Compile(&args));
  executable = args.executable;
  return info;
}

// Uploads a dense host array; returns the buffer or records a failure.
inline PJRT_Buffer* Upload(PJRT_Client* client, PJRT_Device* device, PJRT_Buffer_Type type, const void* data,
                           std::vector<int64_t> dims, const std::vector<int64_t>& byte_strides = {}) {
  auto args = XLAPRUNE_ARGS(PJRT_Client_BufferFromHostBuffer_Args);
  args.client = client;
  args.data = data;
  args.type = type;
  args.dims = dims.data();
  args.num_dims = dims.size();
  args.byte_strides = byte_strides.empty() ? nullptr : byte_strides.data();
  args.num_byte_strides = byte_strides.size();
  args.host_buffer_semantics = PJRT_HostBufferSemantics_kImmutableOnlyDuringCall;
  args.device = device;
  ErrorInfo info = Take(Api()->PJRT_Client_BufferFromHostBuffer(&args));
  EXPECT_EQ(info.code, PJRT_Error_Code_OK) << info.message;
  if (info.code != PJRT_Error_Code_OK) return nullptr;
  DestroyEvent(args.done_with_host_buffer);
  return args.buffer;
}

inline PJRT_Buffer* UploadF32(PJRT_Client* client, PJRT_Device* device, const std::vector<float>& values,
                              std::vector<int64_t> dims) {
  return Upload(client, device, PJRT_Buffer_Type_F32, values.data(), std::move(dims));
}

// Downloads a buffer with the size query first, as a framework does.
template <typename T>
std::vector<T> Download(PJRT_Buffer* buffer) {
  auto query = XLAPRUNE_ARGS(PJRT_Buffer_ToHostBuffer_Args);
  query.src = buffer;
  ErrorInfo info = Take(Api()->PJRT_Buffer_ToHostBuffer(&query));
  EXPECT_EQ(info.code, PJRT_Error_Code_OK) << info.message;
  std::vector<T> values(query.dst_size / sizeof(T));
  auto copy = XLAPRUNE_ARGS(PJRT_Buffer_ToHostBuffer_Args);
  copy.src = buffer;
  copy.dst = values.data();
  copy.dst_size = values.size() * sizeof(T);
  info = Take(Api()->PJRT_Buffer_ToHostBuffer(&copy));
  EXPECT_EQ(info.code, PJRT_Error_Code_OK) << info.message;
  if (copy.event != nullptr) {
    auto await = XLAPRUNE_ARGS(PJRT_Event_Await_Args);
    await.event = copy.event;
    XLAPRUNE_EXPECT_OK(Api()->PJRT_Event_Await(&await));
    DestroyEvent(copy.event);
  }
  return values;
}

// A client for one test, destroyed at the end.
class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(Api(), nullptr);
    client_ = CreateClient(DeviceCount());
    ASSERT_NE(client_, nullptr);
    devices_ = Devices(client_);
  }
  void TearDown() override {
    if (client_ != nullptr) DestroyClient(client_);
  }
  virtual int64_t DeviceCount() const { return 1; }

  const PJRT_Api* api() const { return Api(); }
  PJRT_Client* client_ = nullptr;
  std::vector<PJRT_Device*> devices_;
};

}  // namespace xlaprune::pjrt::testing
