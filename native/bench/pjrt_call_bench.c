/*
 * The reference a C# caller is measured against: a plain C program that drives a PJRT plugin
 * through its function table, with no binding layer at all.
 *
 *   xlaprune_pjrt_call_bench PLUGIN.so MODULE.pb ITERATIONS [ROUNDS]
 *
 * MODULE.pb is a serialized HloModuleProto taking two f32[N] parameters and returning one
 * array (the benchmark writes a tiny add). Runs ROUNDS (default 1) rounds of ITERATIONS calls
 * after a warm-up of ITERATIONS / 10, each call timed with CLOCK_MONOTONIC, and prints one JSON
 * line with the median round's mean time per call of
 *   launch_ns:       PJRT_LoadedExecutable_Execute alone (outputs and completion event handed back);
 *   launch_wait_ns:  Execute, then awaiting its completion event, destroying event and output;
 *   call_ns:         one trivial call through the table (PJRT_Buffer_OnDeviceSizeInBytes), timed as
 *                    a loop of ITERATIONS calls: the fixed cost of crossing into the plugin.
 * The C# side (bench/XlaPrune.Bench/TinyExecuteBench.cs) times the same two spans the same way.
 */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <xlaprune/pjrt_c_api.h>

static const PJRT_Api *api;

static void check(PJRT_Error *error, const char *what) {
  if (error == NULL) return;
  PJRT_Error_Message_Args m = {.struct_size = PJRT_Error_Message_Args_STRUCT_SIZE, .error = error};
  api->PJRT_Error_Message(&m);
  fprintf(stderr, "%s failed: %.*s\n", what, (int)m.message_size, m.message);
  PJRT_Error_Destroy_Args d = {.struct_size = PJRT_Error_Destroy_Args_STRUCT_SIZE, .error = error};
  api->PJRT_Error_Destroy(&d);
  exit(1);
}

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static char *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(1);
  }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *bytes = malloc((size_t)n + 1);
  if (bytes == NULL || fread(bytes, 1, (size_t)n, f) != (size_t)n) {
    fprintf(stderr, "cannot read %s\n", path);
    exit(1);
  }
  fclose(f);
  *size = (size_t)n;
  return bytes;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double median(double *values, long n) {
  qsort(values, (size_t)n, sizeof(double), compare_doubles);
  return values[n / 2];
}

static PJRT_Buffer *upload(PJRT_Client *client, PJRT_Device *device, const float *data, int64_t n) {
  PJRT_Client_BufferFromHostBuffer_Args a = {
      .struct_size = PJRT_Client_BufferFromHostBuffer_Args_STRUCT_SIZE,
      .client = client,
      .data = data,
      .type = PJRT_Buffer_Type_F32,
      .dims = &n,
      .num_dims = 1,
      .host_buffer_semantics = PJRT_HostBufferSemantics_kImmutableOnlyDuringCall,
      .device = device,
  };
  check(api->PJRT_Client_BufferFromHostBuffer(&a), "PJRT_Client_BufferFromHostBuffer");
  if (a.done_with_host_buffer != NULL) {
    PJRT_Event_Destroy_Args d = {.struct_size = PJRT_Event_Destroy_Args_STRUCT_SIZE, .event = a.done_with_host_buffer};
    api->PJRT_Event_Destroy(&d);
  }
  return a.buffer;
}

int main(int argc, char **argv) {
  if (argc != 4 && argc != 5) {
    fprintf(stderr, "usage: %s PLUGIN.so MODULE.pb ITERATIONS [ROUNDS]\n", argv[0]);
    return 2;
  }
  long iterations = strtol(argv[3], NULL, 10);
  long rounds = argc == 5 ? strtol(argv[4], NULL, 10) : 1;
  if (iterations < 1 || rounds < 1) {
    fprintf(stderr, "ITERATIONS and ROUNDS must be positive\n");
    return 2;
  }
  void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) {
    fprintf(stderr, "dlopen %s: %s\n", argv[1], dlerror());
    return 1;
  }
  const PJRT_Api *(*get_api)(void) = (const PJRT_Api *(*)(void))dlsym(lib, "GetPjrtApi");
  if (get_api == NULL) {
    fprintf(stderr, "%s does not export GetPjrtApi\n", argv[1]);
    return 1;
  }
  api = get_api();
  PJRT_Plugin_Initialize_Args init = {.struct_size = PJRT_Plugin_Initialize_Args_STRUCT_SIZE};
  check(api->PJRT_Plugin_Initialize(&init), "PJRT_Plugin_Initialize");

  PJRT_Client_Create_Args create = {.struct_size = PJRT_Client_Create_Args_STRUCT_SIZE};
  check(api->PJRT_Client_Create(&create), "PJRT_Client_Create");
  PJRT_Client *client = create.client;
  PJRT_Client_AddressableDevices_Args devs = {.struct_size = PJRT_Client_AddressableDevices_Args_STRUCT_SIZE, .client = client};
  check(api->PJRT_Client_AddressableDevices(&devs), "PJRT_Client_AddressableDevices");
  PJRT_Device *device = devs.addressable_devices[0];

  size_t module_size;
  char *module = read_file(argv[2], &module_size);
  PJRT_Program program = {
      .struct_size = PJRT_Program_STRUCT_SIZE, .code = module, .code_size = module_size, .format = "hlo", .format_size = 3};
  /* CompileOptionsProto{executable_build_options{num_replicas: 1, num_partitions: 1}} */
  static const char options_bytes[] = {0x1A, 0x04, 0x20, 0x01, 0x28, 0x01};
  PJRT_Client_Compile_Args compile = {
      .struct_size = PJRT_Client_Compile_Args_STRUCT_SIZE, .client = client, .program = &program,
      .compile_options = options_bytes, .compile_options_size = sizeof options_bytes};
  check(api->PJRT_Client_Compile(&compile), "PJRT_Client_Compile");

  float x[4] = {1, 2, 3, 4}, y[4] = {10, 20, 30, 40};
  PJRT_Buffer *args[2] = {upload(client, device, x, 4), upload(client, device, y, 4)};
  PJRT_Buffer *const *argument_lists[1] = {args};
  PJRT_Buffer *outputs[1];
  PJRT_Buffer **output_lists[1] = {outputs};
  PJRT_Event *done[1];
  PJRT_ExecuteOptions options = {.struct_size = PJRT_ExecuteOptions_STRUCT_SIZE};

  double *launch_rounds = malloc((size_t)rounds * sizeof(double));
  double *total_rounds = malloc((size_t)rounds * sizeof(double));
  double *call_rounds = malloc((size_t)rounds * sizeof(double));
  if (launch_rounds == NULL || total_rounds == NULL || call_rounds == NULL) {
    fprintf(stderr, "out of memory\n");
    return 1;
  }
  for (long r = 0; r < rounds; r++) {
    int64_t launch = 0, total = 0;
    /* The first round starts with a tenth of warm-up calls. */
    for (long i = r == 0 ? -iterations / 10 : 0; i < iterations; i++) {
      PJRT_LoadedExecutable_Execute_Args exec = {
          .struct_size = PJRT_LoadedExecutable_Execute_Args_STRUCT_SIZE, .executable = compile.executable,
          .options = &options, .argument_lists = argument_lists, .num_devices = 1, .num_args = 2,
          .output_lists = output_lists, .device_complete_events = done};
      int64_t t0 = now_ns();
      check(api->PJRT_LoadedExecutable_Execute(&exec), "PJRT_LoadedExecutable_Execute");
      int64_t t1 = now_ns();
      PJRT_Event_Await_Args wait = {.struct_size = PJRT_Event_Await_Args_STRUCT_SIZE, .event = done[0]};
      check(api->PJRT_Event_Await(&wait), "PJRT_Event_Await");
      PJRT_Event_Destroy_Args de = {.struct_size = PJRT_Event_Destroy_Args_STRUCT_SIZE, .event = done[0]};
      api->PJRT_Event_Destroy(&de);
      PJRT_Buffer_Destroy_Args db = {.struct_size = PJRT_Buffer_Destroy_Args_STRUCT_SIZE, .buffer = outputs[0]};
      check(api->PJRT_Buffer_Destroy(&db), "PJRT_Buffer_Destroy");
      int64_t t2 = now_ns();
      if (i >= 0) {
        launch += t1 - t0;
        total += t2 - t0;
      }
    }
    launch_rounds[r] = (double)launch / (double)iterations;
    total_rounds[r] = (double)total / (double)iterations;
    PJRT_Buffer_OnDeviceSizeInBytes_Args size = {.struct_size = PJRT_Buffer_OnDeviceSizeInBytes_Args_STRUCT_SIZE, .buffer = args[0]};
    int64_t c0 = now_ns();
    for (long i = 0; i < iterations; i++) check(api->PJRT_Buffer_OnDeviceSizeInBytes(&size), "PJRT_Buffer_OnDeviceSizeInBytes");
    call_rounds[r] = (double)(now_ns() - c0) / (double)iterations;
  }
  printf("{\"iterations\": %ld, \"rounds\": %ld, \"launch_ns\": %.1f, \"launch_wait_ns\": %.1f, \"call_ns\": %.1f}\n", iterations, rounds,
         median(launch_rounds, rounds), median(total_rounds, rounds), median(call_rounds, rounds));
  free(launch_rounds);
  free(total_rounds);
  free(call_rounds);

  for (int i = 0; i < 2; i++) {
    PJRT_Buffer_Destroy_Args db = {.struct_size = PJRT_Buffer_Destroy_Args_STRUCT_SIZE, .buffer = args[i]};
    check(api->PJRT_Buffer_Destroy(&db), "PJRT_Buffer_Destroy");
  }
  PJRT_LoadedExecutable_Destroy_Args dx = {.struct_size = PJRT_LoadedExecutable_Destroy_Args_STRUCT_SIZE, .executable = compile.executable};
  check(api->PJRT_LoadedExecutable_Destroy(&dx), "PJRT_LoadedExecutable_Destroy");
  PJRT_Client_Destroy_Args dc = {.struct_size = PJRT_Client_Destroy_Args_STRUCT_SIZE, .client = client};
  check(api->PJRT_Client_Destroy(&dc), "PJRT_Client_Destroy");
  free(module);
  return 0;
}
