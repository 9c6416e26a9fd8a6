// Compile, executable metadata, serialize/deserialize and execute through the C API, with real
// programs (see api_test_programs.h).
#include <atomic>
#include <thread>

#include "api_test_programs.h"
#include "api_test_util.h"

namespace xlaprune::pjrt::testing {
namespace {

class Execute : public ClientTest {
 protected:
  int64_t DeviceCount() const override { return 2; }

  PJRT_LoadedExecutable* Compile(const std::string& module, const std::string& options) {
    std::string code = module;
    auto program = XLAPRUNE_ARGS(PJRT_Program);
    program.code = code.data();
    program.code_size = code.size();
    program.format = "hlo";
    program.format_size = 3;
    auto args = XLAPRUNE_ARGS(PJRT_Client_Compile_Args);
    args.client = client_;
    args.program = &program;
    args.compile_options = options.data();
    args.compile_options_size = options.size();
    ErrorInfo info = Take(api()->PJRT_Client_Compile(&args));
    EXPECT_EQ(info.code, PJRT_Error_Code_OK) << info.message;
    return args.executable;
  }

  PJRT_Executable* View(PJRT_LoadedExecutable* loaded) {
    auto args = XLAPRUNE_ARGS(PJRT_LoadedExecutable_GetExecutable_Args);
    args.loaded_executable = loaded;
    XLAPRUNE_EXPECT_OK(api()->PJRT_LoadedExecutable_GetExecutable(&args));
    return args.executable;
  }

  void DestroyView(PJRT_Executable* executable) {
    auto args = XLAPRUNE_ARGS(PJRT_Executable_Destroy_Args);
    args.executable = executable;
    XLAPRUNE_EXPECT_OK(api()->PJRT_Executable_Destroy(&args));
  }

  void DestroyLoaded(PJRT_LoadedExecutable* loaded) {
    auto args = XLAPRUNE_ARGS(PJRT_LoadedExecutable_Destroy_Args);
    args.executable = loaded;
    XLAPRUNE_EXPECT_OK(api()->PJRT_LoadedExecutable_Destroy(&args));
  }

  // Runs on one device with `arguments`; fills `outputs` on success.
  ErrorInfo Run(PJRT_LoadedExecutable* loaded, std::vector<PJRT_Buffer*> arguments, std::vector<PJRT_Buffer*>& outputs,
                std::vector<int64_t> non_donatable = {}, size_t num_outputs = 1) {
    auto options = XLAPRUNE_ARGS(PJRT_ExecuteOptions);
    options.non_donatable_input_indices = non_donatable.empty() ? nullptr : non_donatable.data();
    options.num_non_donatable_input_indices = non_donatable.size();
    PJRT_Buffer* const* argument_list = arguments.data();
    outputs.assign(num_outputs, nullptr);
    PJRT_Buffer** output_list = outputs.data();
    PJRT_Event* complete = nullptr;
    auto args = XLAPRUNE_ARGS(PJRT_LoadedExecutable_Execute_Args);
    args.executable = loaded;
    args.options = &options;
    args.argument_lists = &argument_list;
    args.num_devices = 1;
    args.num_args = arguments.size();
    args.output_lists = &output_list;
    args.device_complete_events = &complete;
    ErrorInfo info = Take(api()->PJRT_LoadedExecutable_Execute(&args));
    if (info.code == PJRT_Error_Code_OK) {
      EXPECT_NE(complete, nullptr);
      auto await = XLAPRUNE_ARGS(PJRT_Event_Await_Args);
      await.event = complete;
      XLAPRUNE_EXPECT_OK(api()->PJRT_Event_Await(&await));
      DestroyEvent(complete);
    } else {
      EXPECT_EQ(complete, nullptr);
    }
    return info;
  }

  bool IsDeleted(PJRT_Buffer* buffer) {
    auto args = XLAPRUNE_ARGS(PJRT_Buffer_IsDeleted_Args);
    args.buffer = buffer;
    XLAPRUNE_EXPECT_OK(api()->PJRT_Buffer_IsDeleted(&args));
    return args.is_deleted;
  }

  PJRT_Buffer* F32(std::vector<float> values, int device = 0) {
    const int64_t n = static_cast<int64_t>(values.size());
    return UploadF32(client_, devices_[static_cast<size_t>(device)], values, {n});
  }
};

TEST_F(Execute, AddRunsAndDonatesTheAliasedInput) {
  PJRT_LoadedExecutable* loaded = Compile(AddModule(3), CompileOptionsBytes(1));
  ASSERT_NE(loaded, nullptr);
  PJRT_Buffer* x = F32({1, 2, 3});
  PJRT_Buffer* y = F32({10, 20, 30});
  std::vector<PJRT_Buffer*> outputs;
  ErrorInfo info = Run(loaded, {x, y}, outputs);
  ASSERT_EQ(info.code, PJRT_Error_Code_OK) << info.message;
  EXPECT_EQ(Download<float>(outputs[0]), (std::vector<float>{11, 22, 33}));
  EXPECT_TRUE(IsDeleted(x));  // donated to the output it aliases
  EXPECT_FALSE(IsDeleted(y));
  auto to_host = XLAPRUNE_ARGS(PJRT_Buffer_ToHostBuffer_Args);
  to_host.src = x;
  info = Take(api()->PJRT_Buffer_ToHostBuffer(&to_host));
  EXPECT_EQ(info.message, "buffer has been donated to an execution");
  for (PJRT_Buffer* b : {x, y, outputs[0]}) DestroyBuffer(b);
  DestroyLoaded(loaded);
}

TEST_F(Execute, NonDonatableInputsStayAlive) {
  PJRT_LoadedExecutable* loaded = Compile(AddModule(2), CompileOptionsBytes(1));
  ASSERT_NE(loaded, nullptr);
  PJRT_Buffer* x = F32({1, 2});
  PJRT_Buffer* y = F32({3, 4});
  std::vector<PJRT_Buffer*> outputs;
  ErrorInfo info = Run(loaded, {x, y}, outputs, {0});
  ASSERT_EQ(info.code, PJRT_Error_Code_OK) << info.message;
  EXPECT_FALSE(IsDeleted(x));
  EXPECT_EQ(Download<float>(x), (std::vector<float>{1, 2}));
  EXPECT_EQ(Download<float>(outputs[0]), (std::vector<float>{4, 6}));
  DestroyBuffer(outputs[0]);
  info = Run(loaded, {x, y}, outputs, {5});
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "non_donatable_input_indices contains 5 but the program takes 2 arguments");
  for (PJRT_Buffer* b : {x, y}) DestroyBuffer(b);
  DestroyLoaded(loaded);
}

TEST_F(Execute, WrongArgumentsAreRejectedWithClearMessages) {
  PJRT_LoadedExecutable* loaded = Compile(AddModule(3), CompileOptionsBytes(1));
  ASSERT_NE(loaded, nullptr);
  PJRT_Buffer* x = F32({1, 2, 3});
  PJRT_Buffer* four = F32({1, 2, 3, 4});
  int32_t ints[3] = {1, 2, 3};
  PJRT_Buffer* s32 = Upload(client_, devices_[0], PJRT_Buffer_Type_S32, ints, {3});
  PJRT_Buffer* elsewhere = F32({1, 2, 3}, 1);
  std::vector<PJRT_Buffer*> outputs;
  ErrorInfo info = Run(loaded, {x}, outputs);
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "the program takes 2 arguments, got 1");
  info = Run(loaded, {x, four}, outputs);
  EXPECT_EQ(info.message, "argument 1 has shape f32[4], the program expects f32[3]");
  info = Run(loaded, {s32, x}, outputs);
  EXPECT_EQ(info.message, "argument 0 has shape s32[3], the program expects f32[3]");
  info = Run(loaded, {x, elsewhere}, outputs);
  EXPECT_EQ(info.message, "argument 1 is on device cpu:1 but the program runs on cpu:0");
  info = Run(loaded, {x, nullptr}, outputs);
  EXPECT_EQ(info.message, "argument 1 is null");
  info = Run(loaded, {x, x}, outputs);
  EXPECT_EQ(info.message, "argument 0 is donated but the same buffer is also passed as argument 1");
  EXPECT_FALSE(IsDeleted(x));  // nothing is donated when the call is rejected
  auto del = XLAPRUNE_ARGS(PJRT_Buffer_Delete_Args);
  del.buffer = four;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Buffer_Delete(&del));
  info = Run(loaded, {four, x}, outputs);
  EXPECT_EQ(info.message, "argument 0 has shape f32[4], the program expects f32[3]");
  PJRT_Buffer* gone = F32({1, 2, 3});
  del.buffer = gone;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Buffer_Delete(&del));
  info = Run(loaded, {x, gone}, outputs);
  EXPECT_EQ(info.message, "argument 1 has been deleted");
  for (PJRT_Buffer* b : {x, four, s32, elsewhere, gone}) DestroyBuffer(b);
  DestroyLoaded(loaded);
}

TEST_F(Execute, ExecutableReportsItsShapeAndCosts) {
  const std::string options = CompileOptionsBytes(1);
  PJRT_LoadedExecutable* loaded = Compile(AddModule(3), options);
  ASSERT_NE(loaded, nullptr);
  PJRT_Executable* executable = View(loaded);
  auto replicas = XLAPRUNE_ARGS(PJRT_Executable_NumReplicas_Args);
  replicas.executable = executable;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_NumReplicas(&replicas));
  EXPECT_EQ(replicas.num_replicas, 1u);
  auto partitions = XLAPRUNE_ARGS(PJRT_Executable_NumPartitions_Args);
  partitions.executable = executable;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_NumPartitions(&partitions));
  EXPECT_EQ(partitions.num_partitions, 1u);
  auto outputs = XLAPRUNE_ARGS(PJRT_Executable_NumOutputs_Args);
  outputs.executable = executable;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_NumOutputs(&outputs));
  EXPECT_EQ(outputs.num_outputs, 1u);
  auto types = XLAPRUNE_ARGS(PJRT_Executable_OutputElementTypes_Args);
  types.executable = executable;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_OutputElementTypes(&types));
  ASSERT_EQ(types.num_output_types, 1u);
  EXPECT_EQ(types.output_types[0], PJRT_Buffer_Type_F32);
  auto dims = XLAPRUNE_ARGS(PJRT_Executable_OutputDimensions_Args);
  dims.executable = executable;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_OutputDimensions(&dims));
  ASSERT_EQ(dims.num_outputs, 1u);
  EXPECT_EQ(dims.dim_sizes[0], 1u);
  EXPECT_EQ(dims.dims[0], 3);
  auto kinds = XLAPRUNE_ARGS(PJRT_Executable_OutputMemoryKinds_Args);
  kinds.executable = executable;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_OutputMemoryKinds(&kinds));
  ASSERT_EQ(kinds.num_outputs, 1u);
  EXPECT_EQ(std::string(kinds.memory_kinds[0], kinds.memory_kind_sizes[0]), "device");
  auto parameter_kinds = XLAPRUNE_ARGS(PJRT_Executable_ParameterMemoryKinds_Args);
  parameter_kinds.executable = executable;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_ParameterMemoryKinds(&parameter_kinds));
  EXPECT_EQ(parameter_kinds.num_parameters, 2u);
  auto cost = XLAPRUNE_ARGS(PJRT_Executable_GetCostAnalysis_Args);
  cost.executable = executable;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_GetCostAnalysis(&cost));
  ASSERT_EQ(cost.num_properties, 3u);
  EXPECT_EQ(std::string(cost.properties[0].name, cost.properties[0].name_size), "flops");
  EXPECT_EQ(cost.properties[0].type, PJRT_NamedValue_kFloat);
  EXPECT_EQ(cost.properties[0].float_value, 3.0f);  // one add per element
  EXPECT_EQ(std::string(cost.properties[1].name, cost.properties[1].name_size), "transcendentals");
  EXPECT_EQ(cost.properties[1].float_value, 0.0f);
  EXPECT_EQ(std::string(cost.properties[2].name, cost.properties[2].name_size), "bytes accessed");
  EXPECT_EQ(cost.properties[2].float_value, 36.0f);  // two f32[3] read, one written
  auto stats = XLAPRUNE_ARGS(PJRT_Executable_GetCompiledMemoryStats_Args);
  stats.executable = executable;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_GetCompiledMemoryStats(&stats));
  EXPECT_EQ(stats.argument_size_in_bytes, 24);
  EXPECT_EQ(stats.output_size_in_bytes, 12);
  EXPECT_EQ(stats.alias_size_in_bytes, 12);
  EXPECT_EQ(stats.host_temp_size_in_bytes, 0);
  auto code_size = XLAPRUNE_ARGS(PJRT_Executable_SizeOfGeneratedCodeInBytes_Args);
  code_size.executable = executable;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_SizeOfGeneratedCodeInBytes(&code_size));
  EXPECT_EQ(code_size.size_in_bytes, stats.generated_code_size_in_bytes);
  EXPECT_EQ(code_size.size_in_bytes, 0);  // no generated code: the engine interprets a plan
  // The older struct (up to peak_memory_in_bytes) is filled without touching what follows.
  PJRT_Executable_GetCompiledMemoryStats_Args older;
  std::memset(&older, 0x5A, sizeof(older));
  older.struct_size = 112;
  older.extension_start = nullptr;
  older.executable = executable;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_GetCompiledMemoryStats(&older));
  EXPECT_EQ(older.argument_size_in_bytes, 24);
  EXPECT_EQ(older.total_size_in_bytes, 0x5A5A5A5A5A5A5A5A);
  auto compile_options = XLAPRUNE_ARGS(PJRT_Executable_GetCompileOptions_Args);
  compile_options.executable = executable;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_GetCompileOptions(&compile_options));
  EXPECT_EQ(std::string(compile_options.serialized_bytes, compile_options.serialized_bytes_size), options);
  compile_options.serialized_compile_options_deleter(compile_options.serialized_compile_options);
  auto program = XLAPRUNE_ARGS(PJRT_Program);
  auto optimized = XLAPRUNE_ARGS(PJRT_Executable_OptimizedProgram_Args);
  optimized.executable = executable;
  optimized.program = &program;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_OptimizedProgram(&optimized));
  EXPECT_EQ(std::string(program.format, program.format_size), "hlo");  // layouts: api_topology_test.cc
  std::string code(program.code_size, '\0');
  program.code = code.data();
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_OptimizedProgram(&optimized));
  EXPECT_EQ(program.code_size, code.size());
  DestroyView(executable);
  DestroyLoaded(loaded);
}

TEST_F(Execute, SerializeDeserializeRunsTheSameProgram) {
  PJRT_LoadedExecutable* loaded = Compile(AddModule(2), CompileOptionsBytes(1));
  ASSERT_NE(loaded, nullptr);
  PJRT_Executable* executable = View(loaded);
  auto serialize = XLAPRUNE_ARGS(PJRT_Executable_Serialize_Args);
  serialize.executable = executable;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_Serialize(&serialize));
  std::string blob(serialize.serialized_bytes, serialize.serialized_bytes_size);
  serialize.serialized_executable_deleter(serialize.serialized_executable);
  auto fingerprint = XLAPRUNE_ARGS(PJRT_Executable_Fingerprint_Args);
  fingerprint.executable = executable;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_Fingerprint(&fingerprint));
  std::string original(fingerprint.executable_fingerprint, fingerprint.executable_fingerprint_size);
  EXPECT_EQ(original.size(), 16u);

  auto load = XLAPRUNE_ARGS(PJRT_Executable_DeserializeAndLoad_Args);
  load.client = client_;
  load.serialized_executable = blob.data();
  load.serialized_executable_size = blob.size();
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_DeserializeAndLoad(&load));
  PJRT_Executable* reloaded_view = View(load.loaded_executable);
  fingerprint.executable = reloaded_view;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_Fingerprint(&fingerprint));
  EXPECT_EQ(std::string(fingerprint.executable_fingerprint, fingerprint.executable_fingerprint_size), original);
  std::vector<PJRT_Buffer*> outputs;
  PJRT_Buffer* x = F32({0.5f, 1.5f});
  PJRT_Buffer* y = F32({2, 3});
  ErrorInfo info = Run(load.loaded_executable, {x, y}, outputs);
  ASSERT_EQ(info.code, PJRT_Error_Code_OK) << info.message;
  EXPECT_EQ(Download<float>(outputs[0]), (std::vector<float>{2.5f, 4.5f}));

  // One flipped byte in the middle fails the checksum.
  PJRT_LoadedExecutable* reloaded = load.loaded_executable;
  std::string corrupted = blob;
  corrupted[corrupted.size() / 2] ^= 0x40;
  load.serialized_executable = corrupted.data();
  load.loaded_executable = nullptr;
  info = Take(api()->PJRT_Executable_DeserializeAndLoad(&load));
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message,
            "serialized executable is not a valid XlaPrune CPU executable: checksum mismatch (corrupted or truncated)");
  load.serialized_executable = blob.data();
  load.serialized_executable_size = blob.size() - 1;
  info = Take(api()->PJRT_Executable_DeserializeAndLoad(&load));
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  for (PJRT_Buffer* b : {x, y, outputs[0]}) DestroyBuffer(b);
  DestroyView(reloaded_view);
  DestroyView(executable);
  DestroyLoaded(reloaded);
  DestroyLoaded(loaded);
  auto destroy = XLAPRUNE_ARGS(PJRT_LoadedExecutable_Destroy_Args);
  destroy.executable = nullptr;
  XLAPRUNE_EXPECT_OK(api()->PJRT_LoadedExecutable_Destroy(&destroy));
}

TEST_F(Execute, DeletedExecutableRefusesToRun) {
  PJRT_LoadedExecutable* loaded = Compile(AddModule(1), CompileOptionsBytes(1));
  ASSERT_NE(loaded, nullptr);
  PJRT_Executable* view = View(loaded);  // keeps answering after the delete
  auto del = XLAPRUNE_ARGS(PJRT_LoadedExecutable_Delete_Args);
  del.executable = loaded;
  XLAPRUNE_ASSERT_OK(api()->PJRT_LoadedExecutable_Delete(&del));
  auto is_deleted = XLAPRUNE_ARGS(PJRT_LoadedExecutable_IsDeleted_Args);
  is_deleted.executable = loaded;
  XLAPRUNE_ASSERT_OK(api()->PJRT_LoadedExecutable_IsDeleted(&is_deleted));
  EXPECT_TRUE(is_deleted.is_deleted);
  PJRT_Buffer* x = F32({1});
  std::vector<PJRT_Buffer*> outputs;
  ErrorInfo info = Run(loaded, {x, x}, outputs);
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "the loaded executable has been deleted");
  auto name = XLAPRUNE_ARGS(PJRT_Executable_NumOutputs_Args);
  name.executable = view;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_NumOutputs(&name));
  EXPECT_EQ(name.num_outputs, 1u);
  DestroyBuffer(x);
  DestroyView(view);
  DestroyLoaded(loaded);
}

TEST_F(Execute, ShortExecuteOptionsAreRejected) {
  PJRT_LoadedExecutable* loaded = Compile(AddModule(1), CompileOptionsBytes(1));
  ASSERT_NE(loaded, nullptr);
  auto options = MakeArgs<PJRT_ExecuteOptions>(48);
  auto args = XLAPRUNE_ARGS(PJRT_LoadedExecutable_Execute_Args);
  args.executable = loaded;
  args.options = &options;
  ErrorInfo info = Take(api()->PJRT_LoadedExecutable_Execute(&args));
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "Unexpected PJRT_ExecuteOptions size: expected 72, got 48");
  DestroyLoaded(loaded);
}

TEST_F(Execute, TwoReplicasAllReduceAcrossDevices) {
  PJRT_LoadedExecutable* loaded = Compile(AllReduceSumModule(2), CompileOptionsBytes(2));
  ASSERT_NE(loaded, nullptr);
  auto devices = XLAPRUNE_ARGS(PJRT_LoadedExecutable_AddressableDevices_Args);
  devices.executable = loaded;
  XLAPRUNE_ASSERT_OK(api()->PJRT_LoadedExecutable_AddressableDevices(&devices));
  ASSERT_EQ(devices.num_addressable_devices, 2u);
  EXPECT_EQ(devices.addressable_devices[0], devices_[0]);
  EXPECT_EQ(devices.addressable_devices[1], devices_[1]);
  auto logical = XLAPRUNE_ARGS(PJRT_LoadedExecutable_AddressableDeviceLogicalIds_Args);
  logical.executable = loaded;
  XLAPRUNE_ASSERT_OK(api()->PJRT_LoadedExecutable_AddressableDeviceLogicalIds(&logical));
  ASSERT_EQ(logical.num_addressable_device_logical_ids, 2u);
  EXPECT_EQ(logical.addressable_device_logical_ids[1].replica, 1);
  EXPECT_EQ(logical.addressable_device_logical_ids[1].partition, 0);

  PJRT_Buffer* a = F32({1, 2}, 0);
  PJRT_Buffer* b = F32({10, 20}, 1);
  PJRT_Buffer* const list0[] = {a};
  PJRT_Buffer* const list1[] = {b};
  PJRT_Buffer* const* argument_lists[] = {list0, list1};
  PJRT_Buffer* out0[1] = {nullptr};
  PJRT_Buffer* out1[1] = {nullptr};
  PJRT_Buffer** output_lists[] = {out0, out1};
  PJRT_Event* events[2] = {nullptr, nullptr};
  auto options = XLAPRUNE_ARGS(PJRT_ExecuteOptions);
  auto args = XLAPRUNE_ARGS(PJRT_LoadedExecutable_Execute_Args);
  args.executable = loaded;
  args.options = &options;
  args.argument_lists = argument_lists;
  args.num_devices = 2;
  args.num_args = 1;
  args.output_lists = output_lists;
  args.device_complete_events = events;
  XLAPRUNE_ASSERT_OK(api()->PJRT_LoadedExecutable_Execute(&args));
  EXPECT_EQ(Download<float>(out0[0]), (std::vector<float>{11, 22}));
  EXPECT_EQ(Download<float>(out1[0]), (std::vector<float>{11, 22}));
  auto where = XLAPRUNE_ARGS(PJRT_Buffer_Device_Args);
  where.buffer = out1[0];
  XLAPRUNE_ASSERT_OK(api()->PJRT_Buffer_Device(&where));
  EXPECT_EQ(where.device, devices_[1]);
  for (PJRT_Event* e : events) DestroyEvent(e);

  args.num_devices = 1;
  ErrorInfo info = Take(api()->PJRT_LoadedExecutable_Execute(&args));
  EXPECT_EQ(info.message, "the program runs on 2 device(s) but num_devices is 1");
  for (PJRT_Buffer* buffer : {a, b, out0[0], out1[0]}) DestroyBuffer(buffer);
  DestroyLoaded(loaded);
}

TEST_F(Execute, EightThreadsCompileAndRunAtOnce) {
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([this, t, &good] {
      PJRT_LoadedExecutable* loaded = Compile(AddModule(4), CompileOptionsBytes(1));
      if (loaded == nullptr) return;
      int runs = 0;
      for (int i = 0; i < 5; ++i) {
        const float base = static_cast<float>(t * 10 + i);
        PJRT_Buffer* x = F32({base, base, base, base});
        PJRT_Buffer* y = F32({1, 2, 3, 4});
        std::vector<PJRT_Buffer*> outputs;
        ErrorInfo info = Run(loaded, {x, y}, outputs);
        if (info.code == PJRT_Error_Code_OK &&
            Download<float>(outputs[0]) == std::vector<float>{base + 1, base + 2, base + 3, base + 4}) {
          ++runs;
        }
        for (PJRT_Buffer* b : {x, y}) DestroyBuffer(b);
        if (info.code == PJRT_Error_Code_OK) DestroyBuffer(outputs[0]);
      }
      DestroyLoaded(loaded);
      if (runs == 5) ++good;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(good.load(), 8);
}

TEST_F(Execute, EveryTruncationOfOptionsOrSerializedExecutableIsInvalidArgument) {
  // executable_build_options{num_replicas=1, num_partitions=1, device_assignment{1 x 1: device 0}}
  const std::string options = {0x1A, 0x0E, 0x20, 0x01, 0x28, 0x01, 0x4A, 0x08, 0x08, 0x01, 0x10, 0x01, 0x1A, 0x02, 0x08, 0x00};
  PJRT_LoadedExecutable* loaded = Compile(AddModule(2), options);
  ASSERT_NE(loaded, nullptr);
  const std::string module = AddModule(2);
  for (size_t length = 1; length < options.size(); ++length) {
    std::string code = module;
    std::string prefix = options.substr(0, length);
    auto program = XLAPRUNE_ARGS(PJRT_Program);
    program.code = code.data();
    program.code_size = code.size();
    program.format = "hlo";
    program.format_size = 3;
    auto args = XLAPRUNE_ARGS(PJRT_Client_Compile_Args);
    args.client = client_;
    args.program = &program;
    args.compile_options = prefix.data();
    args.compile_options_size = prefix.size();
    ErrorInfo info = Take(api()->PJRT_Client_Compile(&args));
    EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT) << "options cut at " << length;
    EXPECT_EQ(info.message.rfind("compile_options is not a valid CompileOptionsProto: ", 0), 0u) << info.message;
  }
  PJRT_Executable* view = View(loaded);
  auto serialize = XLAPRUNE_ARGS(PJRT_Executable_Serialize_Args);
  serialize.executable = view;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_Serialize(&serialize));
  const std::string blob(serialize.serialized_bytes, serialize.serialized_bytes_size);
  serialize.serialized_executable_deleter(serialize.serialized_executable);
  for (size_t length = 0; length < blob.size(); ++length) {
    std::string prefix = blob.substr(0, length);
    auto load = XLAPRUNE_ARGS(PJRT_Executable_DeserializeAndLoad_Args);
    load.client = client_;
    load.serialized_executable = prefix.data();
    load.serialized_executable_size = prefix.size();
    ErrorInfo info = Take(api()->PJRT_Executable_DeserializeAndLoad(&load));
    EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT) << "blob cut at " << length;
    EXPECT_EQ(load.loaded_executable, nullptr);
  }
  DestroyView(view);
  DestroyLoaded(loaded);
}

TEST_F(Execute, TruncatedModuleIsInvalidArgument) {
  std::string module = AddModule(3);
  std::string code = module.substr(0, module.size() / 2);
  auto program = XLAPRUNE_ARGS(PJRT_Program);
  program.code = code.data();
  program.code_size = code.size();
  program.format = "hlo";
  program.format_size = 3;
  auto args = XLAPRUNE_ARGS(PJRT_Client_Compile_Args);
  args.client = client_;
  args.program = &program;
  ErrorInfo info = Take(api()->PJRT_Client_Compile(&args));
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT) << info.message;
  EXPECT_FALSE(info.message.empty());
  EXPECT_EQ(args.executable, nullptr);
}

}  // namespace
}  // namespace xlaprune::pjrt::testing
