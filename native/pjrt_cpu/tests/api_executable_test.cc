// The compiled program through the C API: its shape and cost queries, serialize/deserialize,
// and compile inputs (options, modules, serialized executables) cut short.
#include "api_execute_fixture.h"
#include "api_test_programs.h"

namespace xlaprune::pjrt::testing {
namespace {

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
  DestroyExecutable(executable);
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
  DestroyExecutable(reloaded_view);
  DestroyExecutable(executable);
  DestroyLoaded(reloaded);
  DestroyLoaded(loaded);
  auto destroy = XLAPRUNE_ARGS(PJRT_LoadedExecutable_Destroy_Args);
  destroy.executable = nullptr;
  XLAPRUNE_EXPECT_OK(api()->PJRT_LoadedExecutable_Destroy(&destroy));
}

TEST_F(Execute, EveryTruncationOfOptionsOrSerializedExecutableIsInvalidArgument) {
  // executable_build_options{num_replicas=1, num_partitions=1, device_assignment{1 x 1: device 0}}
  const std::string options = {0x1A, 0x0E, 0x20, 0x01, 0x28, 0x01, 0x4A, 0x08, 0x08, 0x01, 0x10, 0x01, 0x1A, 0x02, 0x08, 0x00};
  PJRT_LoadedExecutable* loaded = Compile(AddModule(2), options);
  ASSERT_NE(loaded, nullptr);
  const std::string module = AddModule(2);
  for (size_t length = 1; length < options.size(); ++length) {
    PJRT_LoadedExecutable* executable = nullptr;
    ErrorInfo info = TryCompile(module, options.substr(0, length), executable);
    EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT) << "options cut at " << length;
    EXPECT_EQ(executable, nullptr);
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
  DestroyExecutable(view);
  DestroyLoaded(loaded);
}

TEST_F(Execute, TruncatedModuleIsInvalidArgument) {
  const std::string module = AddModule(3);
  PJRT_LoadedExecutable* executable = nullptr;
  ErrorInfo info = TryCompile(module.substr(0, module.size() / 2), "", executable);
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT) << info.message;
  EXPECT_FALSE(info.message.empty());
  EXPECT_EQ(executable, nullptr);
}

}  // namespace
}  // namespace xlaprune::pjrt::testing
