// Errors (slots and the 0.114 vtable), argument validation through the barrier, plugin
// initialization and attributes, and events.
#include <atomic>
#include <mutex>
#include <thread>

#include "api_test_util.h"

namespace xlaprune::pjrt::testing {
namespace {

// Produces a known error: LookupDevice with an id the client does not have.
PJRT_Error* MakeNotFound(PJRT_Client* client) {
  auto args = XLAPRUNE_ARGS(PJRT_Client_LookupDevice_Args);
  args.client = client;
  args.id = 7;
  return Api()->PJRT_Client_LookupDevice(&args);
}

TEST(ApiErrors, CodeMessageAndDestroyThroughSlots) {
  PJRT_Client* client = CreateClient(1);
  ErrorInfo info = Take(MakeNotFound(client));
  EXPECT_EQ(info.code, PJRT_Error_Code_NOT_FOUND);
  EXPECT_EQ(info.message, "no device with id 7 (the client has 1 devices)");
  DestroyClient(client);
}

TEST(ApiErrors, ErrorStartsWithAValidFunctionTable) {
  PJRT_Client* client = CreateClient(1);
  PJRT_Error* error = MakeNotFound(client);
  ASSERT_NE(error, nullptr);
  const PJRT_Error_FunctionTable* table = error->vtable;
  ASSERT_NE(table, nullptr);
  EXPECT_EQ(table->struct_size, static_cast<size_t>(PJRT_Error_FunctionTable_STRUCT_SIZE));
  EXPECT_EQ(table->instance_size, static_cast<size_t>(PJRT_Error_STRUCT_SIZE));
  EXPECT_EQ(table->extension_start, nullptr);
  EXPECT_EQ(table->get_code(error), PJRT_Error_Code_NOT_FOUND);
  const char* message = nullptr;
  size_t size = 0;
  table->message(error, &message, &size);
  EXPECT_EQ(std::string(message, size), "no device with id 7 (the client has 1 devices)");
  int visits = 0;
  table->for_each_payload(error, [](const char*, size_t, const char*, size_t, void* n) { ++*static_cast<int*>(n); },
                          &visits);
  EXPECT_EQ(visits, 0);
  auto payloads = XLAPRUNE_ARGS(PJRT_Error_ForEachPayload_Args);
  payloads.error = error;
  payloads.visitor = [](const char*, size_t, const char*, size_t, void* n) { ++*static_cast<int*>(n); };
  payloads.user_arg = &visits;
  XLAPRUNE_EXPECT_OK(Api()->PJRT_Error_ForEachPayload(&payloads));
  EXPECT_EQ(visits, 0);
  table->destroy(error);  // the vtable's destroy frees it, like slot 1
  DestroyClient(client);
}

TEST(ApiErrors, NullArgsAreInvalidArgumentNamingTheStruct) {
  ErrorInfo info = Take(Api()->PJRT_Client_Create(nullptr));
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "PJRT_Client_Create_Args pointer must not be null");
  info = Take(Api()->PJRT_Buffer_ToHostBuffer(nullptr));
  EXPECT_EQ(info.message, "PJRT_Buffer_ToHostBuffer_Args pointer must not be null");
  info = Take(Api()->PJRT_Error_GetCode(nullptr));
  EXPECT_EQ(info.message, "PJRT_Error_GetCode_Args pointer must not be null");
}

TEST(ApiErrors, NullHandlesAreInvalidArgumentNamingTheField) {
  auto args = XLAPRUNE_ARGS(PJRT_Client_Devices_Args);
  ErrorInfo info = Take(Api()->PJRT_Client_Devices(&args));
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "PJRT_Client_Devices_Args.client must not be null");
  auto code = XLAPRUNE_ARGS(PJRT_Error_GetCode_Args);
  info = Take(Api()->PJRT_Error_GetCode(&code));
  EXPECT_EQ(info.message, "PJRT_Error_GetCode_Args.error must not be null");
}

TEST(ApiErrors, ShortStructIsInvalidArgumentWithExpectedAndActualSize) {
  auto args = MakeArgs<PJRT_Client_Create_Args>(16);
  ErrorInfo info = Take(Api()->PJRT_Client_Create(&args));
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  // The 0.61 key-value try-get fields are optional: the minimum ends at `client` (72 bytes).
  EXPECT_EQ(info.message, "Unexpected PJRT_Client_Create_Args size: expected 72, got 16");
  EXPECT_EQ(args.client, nullptr);

  auto devices = MakeArgs<PJRT_Client_Devices_Args>(PJRT_Client_Devices_Args_STRUCT_SIZE - 8);
  info = Take(Api()->PJRT_Client_Devices(&devices));
  EXPECT_EQ(info.message, "Unexpected PJRT_Client_Devices_Args size: expected 40, got 32");

  auto stats = MakeArgs<PJRT_Executable_GetCompiledMemoryStats_Args>(104);
  info = Take(Api()->PJRT_Executable_GetCompiledMemoryStats(&stats));
  EXPECT_EQ(info.message, "Unexpected PJRT_Executable_GetCompiledMemoryStats_Args size: expected 112, got 104");
}

TEST(ApiErrors, CreateWithTheOlderStructSizeWritesOnlyInsideIt) {
  // A caller built before 0.61 passes 72 bytes; the bytes after must stay untouched.
  PJRT_Client_Create_Args args;
  std::memset(&args, 0xAB, sizeof(args));
  args.struct_size = 72;
  args.extension_start = nullptr;
  args.create_options = nullptr;
  args.num_options = 0;
  XLAPRUNE_ASSERT_OK(Api()->PJRT_Client_Create(&args));
  unsigned char tail[16];
  std::memcpy(tail, reinterpret_cast<const char*>(&args) + 72, sizeof(tail));
  for (unsigned char byte : tail) EXPECT_EQ(byte, 0xAB);
  DestroyClient(args.client);
}

TEST(ApiPlugin, InitializeSucceedsAndChecksSize) {
  auto args = XLAPRUNE_ARGS(PJRT_Plugin_Initialize_Args);
  XLAPRUNE_EXPECT_OK(Api()->PJRT_Plugin_Initialize(&args));
  args.struct_size = 8;
  ErrorInfo info = Take(Api()->PJRT_Plugin_Initialize(&args));
  EXPECT_EQ(info.message, "Unexpected PJRT_Plugin_Initialize_Args size: expected 16, got 8");
}

TEST(ApiPlugin, AttributesNameXlaVersionAndXlaPruneVersion) {
  auto args = XLAPRUNE_ARGS(PJRT_Plugin_Attributes_Args);
  XLAPRUNE_ASSERT_OK(Api()->PJRT_Plugin_Attributes(&args));
  ASSERT_EQ(args.num_attributes, 3u);
  const PJRT_NamedValue& xla = args.attributes[0];
  EXPECT_EQ(std::string(xla.name, xla.name_size), "xla_version");
  EXPECT_EQ(xla.type, PJRT_NamedValue_kInt64);
  EXPECT_EQ(xla.int64_value, 114);
  const PJRT_NamedValue& version = args.attributes[1];
  EXPECT_EQ(std::string(version.name, version.name_size), "xlaprune_version");
  EXPECT_EQ(version.type, PJRT_NamedValue_kString);
  EXPECT_EQ(std::string(version.string_value, version.value_size), "0.1.0");
  const PJRT_NamedValue& formats = args.attributes[2];
  EXPECT_EQ(std::string(formats.name, formats.name_size), "program_formats");
  EXPECT_EQ(std::string(formats.string_value, formats.value_size), "hlo");
}

PJRT_Event* CreateEvent() {
  auto args = XLAPRUNE_ARGS(PJRT_Event_Create_Args);
  ErrorInfo info = Take(Api()->PJRT_Event_Create(&args));
  EXPECT_EQ(info.code, PJRT_Error_Code_OK) << info.message;
  return args.event;
}

bool IsReady(PJRT_Event* event) {
  auto args = XLAPRUNE_ARGS(PJRT_Event_IsReady_Args);
  args.event = event;
  XLAPRUNE_EXPECT_OK(Api()->PJRT_Event_IsReady(&args));
  return args.is_ready;
}

PJRT_Error* SetEvent(PJRT_Event* event, PJRT_Error_Code code, const std::string& message) {
  auto args = XLAPRUNE_ARGS(PJRT_Event_Set_Args);
  args.event = event;
  args.error_code = code;
  args.error_message = message.data();
  args.error_message_size = message.size();
  return Api()->PJRT_Event_Set(&args);
}

TEST(ApiEvents, CreateSetAwaitOk) {
  PJRT_Event* event = CreateEvent();
  EXPECT_FALSE(IsReady(event));
  auto error_args = XLAPRUNE_ARGS(PJRT_Event_Error_Args);
  error_args.event = event;
  ErrorInfo info = Take(Api()->PJRT_Event_Error(&error_args));
  EXPECT_EQ(info.code, PJRT_Error_Code_FAILED_PRECONDITION);
  EXPECT_EQ(info.message, "PJRT_Event_Error called before the event is ready");
  XLAPRUNE_EXPECT_OK(SetEvent(event, PJRT_Error_Code_OK, ""));
  EXPECT_TRUE(IsReady(event));
  auto await = XLAPRUNE_ARGS(PJRT_Event_Await_Args);
  await.event = event;
  XLAPRUNE_EXPECT_OK(Api()->PJRT_Event_Await(&await));
  XLAPRUNE_EXPECT_OK(Api()->PJRT_Event_Error(&error_args));
  info = Take(SetEvent(event, PJRT_Error_Code_OK, ""));
  EXPECT_EQ(info.code, PJRT_Error_Code_FAILED_PRECONDITION);
  EXPECT_EQ(info.message, "PJRT_Event_Set: the event is already set");
  DestroyEvent(event);
}

TEST(ApiEvents, ErrorSetOnAnotherThreadReachesAwaitAndEveryCaller) {
  PJRT_Event* event = CreateEvent();
  std::thread setter([event] {
    XLAPRUNE_EXPECT_OK(SetEvent(event, PJRT_Error_Code_DATA_LOSS, "disk on fire"));
  });
  auto await = XLAPRUNE_ARGS(PJRT_Event_Await_Args);
  await.event = event;
  ErrorInfo info = Take(Api()->PJRT_Event_Await(&await));
  setter.join();
  EXPECT_EQ(info.code, PJRT_Error_Code_DATA_LOSS);
  EXPECT_EQ(info.message, "disk on fire");
  auto error_args = XLAPRUNE_ARGS(PJRT_Event_Error_Args);
  error_args.event = event;
  info = Take(Api()->PJRT_Event_Error(&error_args));
  EXPECT_EQ(info.code, PJRT_Error_Code_DATA_LOSS);
  EXPECT_EQ(info.message, "disk on fire");
  DestroyEvent(event);
}

struct CallbackLog {
  std::mutex mutex;
  std::vector<ErrorInfo> calls;
};

void RecordCallback(PJRT_Error* error, void* user_arg) {
  auto* log = static_cast<CallbackLog*>(user_arg);
  ErrorInfo info = Take(error);  // the callback owns the error
  std::lock_guard<std::mutex> lock(log->mutex);
  log->calls.push_back(info);
}

TEST(ApiEvents, OnReadyRunsOnceBeforeAndAfterCompletion) {
  PJRT_Event* event = CreateEvent();
  CallbackLog log;
  auto on_ready = XLAPRUNE_ARGS(PJRT_Event_OnReady_Args);
  on_ready.event = event;
  on_ready.callback = RecordCallback;
  on_ready.user_arg = &log;
  XLAPRUNE_EXPECT_OK(Api()->PJRT_Event_OnReady(&on_ready));
  EXPECT_TRUE(log.calls.empty());
  XLAPRUNE_EXPECT_OK(SetEvent(event, PJRT_Error_Code_ABORTED, "stopped"));
  ASSERT_EQ(log.calls.size(), 1u);
  EXPECT_EQ(log.calls[0].code, PJRT_Error_Code_ABORTED);
  EXPECT_EQ(log.calls[0].message, "stopped");
  // Registered after completion: runs at once.
  XLAPRUNE_EXPECT_OK(Api()->PJRT_Event_OnReady(&on_ready));
  ASSERT_EQ(log.calls.size(), 2u);
  EXPECT_EQ(log.calls[1].code, PJRT_Error_Code_ABORTED);
  DestroyEvent(event);
}

TEST(ApiEvents, SetRejectsBadCodesAndEventsItDidNotCreate) {
  PJRT_Event* event = CreateEvent();
  ErrorInfo info = Take(SetEvent(event, static_cast<PJRT_Error_Code>(99), "x"));
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "PJRT_Event_Set: error_code 99 is not a PJRT_Error_Code");
  EXPECT_FALSE(IsReady(event));
  DestroyEvent(event);

  // A buffer's ready event belongs to the plugin.
  PJRT_Client* client = CreateClient(1);
  std::vector<float> values = {1.0f};
  PJRT_Buffer* buffer = UploadF32(client, Devices(client)[0], values, {1});
  ASSERT_NE(buffer, nullptr);
  auto ready = XLAPRUNE_ARGS(PJRT_Buffer_ReadyEvent_Args);
  ready.buffer = buffer;
  XLAPRUNE_ASSERT_OK(Api()->PJRT_Buffer_ReadyEvent(&ready));
  EXPECT_TRUE(IsReady(ready.event));
  info = Take(SetEvent(ready.event, PJRT_Error_Code_OK, ""));
  EXPECT_EQ(info.message, "PJRT_Event_Set: the event was not created by PJRT_Event_Create");
  DestroyEvent(ready.event);
  DestroyBuffer(buffer);
  DestroyClient(client);
}

}  // namespace
}  // namespace xlaprune::pjrt::testing
