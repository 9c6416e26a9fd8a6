/*
 * A plugin that reports PJRT 0.40 and a table that ends after slot 97
 * (PJRT_Executable_GetCompiledMemoryStats, the last slot 0.40 had). It
 * implements only errors, plugin attributes and a client without devices;
 * every other slot inside its table returns UNIMPLEMENTED. The managed loader
 * must work with it and refuse, by itself, calls to slots past the table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xlaprune/pjrt_c_api.h>

#define FAKE_MINOR 40
#define FAKE_TABLE_SIZE                                                        \
  (offsetof(PJRT_Api, PJRT_Executable_GetCompiledMemoryStats) +                \
   sizeof(void *))

typedef struct FakeError {
  PJRT_Error base;
  PJRT_Error_Code code;
  char message[160];
} FakeError;

struct PJRT_Client {
  int unused;
};

static PJRT_Api s_api;
static int s_initialize_calls;
static int s_live_clients;
static int s_live_errors;

/* Test hooks: the managed tests read these to prove initialize-once and no leaks. */
int xlaprune_fake_initialize_calls(void) { return s_initialize_calls; }
int xlaprune_fake_live_clients(void) { return s_live_clients; }
int xlaprune_fake_live_errors(void) { return s_live_errors; }

static PJRT_Error *make_error(PJRT_Error_Code code, const char *message) {
  FakeError *error = (FakeError *)calloc(1, sizeof(FakeError));
  if (error == NULL) {
    return NULL;
  }
  s_live_errors++;
  error->code = code;
  snprintf(error->message, sizeof error->message, "%s", message);
  return &error->base;
}

static void error_destroy(PJRT_Error_Destroy_Args *args) {
  if (args->error != NULL) {
    s_live_errors--;
    free(args->error);
  }
}

static void error_message(PJRT_Error_Message_Args *args) {
  const FakeError *error = (const FakeError *)args->error;
  args->message = error->message;
  args->message_size = strlen(error->message);
}

static PJRT_Error *error_get_code(PJRT_Error_GetCode_Args *args) {
  args->code = ((const FakeError *)args->error)->code;
  return NULL;
}

static PJRT_Error *plugin_initialize(PJRT_Plugin_Initialize_Args *args) {
  (void)args;
  s_initialize_calls++;
  return NULL;
}

static const int64_t s_fake_list[3] = {1, 2, 3};
static PJRT_NamedValue s_attributes[2];

/* Everything of a named value but the value itself. */
static void name_value(PJRT_NamedValue *value, const char *name,
                       PJRT_NamedValue_Type type, size_t value_size) {
  value->struct_size = PJRT_NamedValue_STRUCT_SIZE;
  value->name = name;
  value->name_size = strlen(name);
  value->type = type;
  value->value_size = value_size;
}

static PJRT_Error *plugin_attributes(PJRT_Plugin_Attributes_Args *args) {
  name_value(&s_attributes[0], "fake_version", PJRT_NamedValue_kInt64, 1);
  s_attributes[0].int64_value = 40;
  name_value(&s_attributes[1], "fake_list", PJRT_NamedValue_kInt64List, 3);
  s_attributes[1].int64_array_value = s_fake_list;
  args->attributes = s_attributes;
  args->num_attributes = 2;
  return NULL;
}

static PJRT_Error *client_create(PJRT_Client_Create_Args *args) {
  PJRT_Client *client = (PJRT_Client *)calloc(1, sizeof(PJRT_Client));
  if (client == NULL) {
    return make_error(PJRT_Error_Code_RESOURCE_EXHAUSTED, "out of memory");
  }
  s_live_clients++;
  args->client = client;
  return NULL;
}

static PJRT_Error *client_destroy(PJRT_Client_Destroy_Args *args) {
  if (args->client != NULL) {
    s_live_clients--;
    free(args->client);
  }
  return NULL;
}

static PJRT_Error *client_platform_name(PJRT_Client_PlatformName_Args *args) {
  args->platform_name = "fake";
  args->platform_name_size = 4;
  return NULL;
}

static PJRT_Error *
client_platform_version(PJRT_Client_PlatformVersion_Args *args) {
  args->platform_version = "fake 0.40";
  args->platform_version_size = strlen("fake 0.40");
  return NULL;
}

static PJRT_Error *client_process_index(PJRT_Client_ProcessIndex_Args *args) {
  args->process_index = 0;
  return NULL;
}

static PJRT_Error *client_devices(PJRT_Client_Devices_Args *args) {
  args->devices = NULL;
  args->num_devices = 0;
  return NULL;
}

static PJRT_Error *
client_addressable_devices(PJRT_Client_AddressableDevices_Args *args) {
  args->addressable_devices = NULL;
  args->num_addressable_devices = 0;
  return NULL;
}

static PJRT_Error *
client_addressable_memories(PJRT_Client_AddressableMemories_Args *args) {
  args->addressable_memories = NULL;
  args->num_addressable_memories = 0;
  return NULL;
}

static PJRT_Error *unimplemented(void *args) {
  (void)args;
  return make_error(PJRT_Error_Code_UNIMPLEMENTED,
                    "this fake plugin implements only clients");
}

const PJRT_Api *GetPjrtApi(void) {
  if (s_api.struct_size == 0) {
    /* Every slot inside the table answers; the implemented ones are set below. */
    void **slot = (void **)&s_api.PJRT_Error_Destroy;
    void **end = (void **)((char *)&s_api + FAKE_TABLE_SIZE);
    for (; slot < end; ++slot) {
      *slot = (void *)unimplemented;
    }
    s_api.struct_size = FAKE_TABLE_SIZE;
    s_api.pjrt_api_version.struct_size = PJRT_Api_Version_STRUCT_SIZE;
    s_api.pjrt_api_version.major_version = 0;
    s_api.pjrt_api_version.minor_version = FAKE_MINOR;
    s_api.PJRT_Error_Destroy = error_destroy;
    s_api.PJRT_Error_Message = error_message;
    s_api.PJRT_Error_GetCode = error_get_code;
    s_api.PJRT_Plugin_Initialize = plugin_initialize;
    s_api.PJRT_Plugin_Attributes = plugin_attributes;
    s_api.PJRT_Client_Create = client_create;
    s_api.PJRT_Client_Destroy = client_destroy;
    s_api.PJRT_Client_PlatformName = client_platform_name;
    s_api.PJRT_Client_PlatformVersion = client_platform_version;
    s_api.PJRT_Client_ProcessIndex = client_process_index;
    s_api.PJRT_Client_Devices = client_devices;
    s_api.PJRT_Client_AddressableDevices = client_addressable_devices;
    s_api.PJRT_Client_AddressableMemories = client_addressable_memories;
  }
  return &s_api;
}
