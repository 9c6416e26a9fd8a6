// Topologies and client-less compilation through the C API: PJRT_TopologyDescription_*,
// PJRT_Compile, the unloaded executable's queries, and serialize -> deserialize-and-load ->
// execute compared bit for bit with a direct compile and run.
#if XLAPRUNE_HAVE_HLO_PROTO
#include <cstring>

#include "xla/service/hlo.pb.h"

#include "api_test_programs.h"
#include "api_test_util.h"

namespace xlaprune::pjrt::testing {
namespace {

PJRT_TopologyDescription* CreateTopology(const std::string& name, std::vector<PJRT_NamedValue> options, ErrorInfo& info) {
  auto args = XLAPRUNE_ARGS(PJRT_TopologyDescription_Create_Args);
  args.topology_name = name.data();
  args.topology_name_size = name.size();
  args.create_options = options.empty() ? nullptr : options.data();
  args.num_options = options.size();
  info = Take(Api()->PJRT_TopologyDescription_Create(&args));
  return args.topology;
}

void DestroyTopology(PJRT_TopologyDescription* topology) {
  auto args = XLAPRUNE_ARGS(PJRT_TopologyDescription_Destroy_Args);
  args.topology = topology;
  XLAPRUNE_EXPECT_OK(Api()->PJRT_TopologyDescription_Destroy(&args));
}

std::string SerializeTopology(PJRT_TopologyDescription* topology) {
  auto args = XLAPRUNE_ARGS(PJRT_TopologyDescription_Serialize_Args);
  args.topology = topology;
  XLAPRUNE_EXPECT_OK(Api()->PJRT_TopologyDescription_Serialize(&args));
  std::string bytes(args.serialized_bytes, args.serialized_bytes_size);
  args.serialized_topology_deleter(args.serialized_topology);
  return bytes;
}

// The add module reshaped to f32[2,3] with every layout removed, so that the layouts in the
// optimized program can only come from the plugin.
std::string AddModule2x3WithoutLayouts() {
  xla::HloModuleProto module;
  EXPECT_TRUE(module.ParseFromString(AddModule(6)));
  auto reshape = [](xla::ShapeProto& shape) {
    shape.clear_dimensions();
    shape.add_dimensions(2);
    shape.add_dimensions(3);
    shape.clear_is_dynamic_dimension();
    shape.clear_layout();
  };
  for (auto& p : *module.mutable_host_program_shape()->mutable_parameters()) reshape(p);
  reshape(*module.mutable_host_program_shape()->mutable_result());
  for (auto& computation : *module.mutable_computations()) {
    if (computation.has_program_shape()) {
      for (auto& p : *computation.mutable_program_shape()->mutable_parameters()) reshape(p);
      reshape(*computation.mutable_program_shape()->mutable_result());
    }
    for (auto& instruction : *computation.mutable_instructions()) reshape(*instruction.mutable_shape());
  }
  return module.SerializeAsString();
}

class Topology : public ClientTest {
 protected:
  int64_t DeviceCount() const override { return 2; }

  PJRT_Executable* CompileFor(PJRT_TopologyDescription* topology, const std::string& module, const std::string& options,
                              ErrorInfo& info) {
    std::string code = module;
    auto program = XLAPRUNE_ARGS(PJRT_Program);
    program.code = code.data();
    program.code_size = code.size();
    program.format = "hlo";
    program.format_size = 3;
    auto args = XLAPRUNE_ARGS(PJRT_Compile_Args);
    args.topology = topology;
    args.program = &program;
    args.compile_options = options.data();
    args.compile_options_size = options.size();
    info = Take(api()->PJRT_Compile(&args));
    return args.executable;
  }

  std::string Serialize(PJRT_Executable* executable) {
    auto args = XLAPRUNE_ARGS(PJRT_Executable_Serialize_Args);
    args.executable = executable;
    XLAPRUNE_EXPECT_OK(api()->PJRT_Executable_Serialize(&args));
    std::string blob(args.serialized_bytes, args.serialized_bytes_size);
    args.serialized_executable_deleter(args.serialized_executable);
    return blob;
  }

  std::string Fingerprint(PJRT_Executable* executable) {
    auto args = XLAPRUNE_ARGS(PJRT_Executable_Fingerprint_Args);
    args.executable = executable;
    XLAPRUNE_EXPECT_OK(api()->PJRT_Executable_Fingerprint(&args));
    return std::string(args.executable_fingerprint, args.executable_fingerprint_size);
  }

  // Runs `loaded` on device 0 with x, y (f32[2,3]) and returns the output's bytes.
  std::vector<float> Run(PJRT_LoadedExecutable* loaded, const std::vector<float>& x, const std::vector<float>& y) {
    PJRT_Buffer* bx = UploadF32(client_, devices_[0], x, {2, 3});
    PJRT_Buffer* by = UploadF32(client_, devices_[0], y, {2, 3});
    auto options = XLAPRUNE_ARGS(PJRT_ExecuteOptions);
    std::vector<PJRT_Buffer*> arguments{bx, by};
    PJRT_Buffer* const* argument_list = arguments.data();
    PJRT_Buffer* output = nullptr;
    PJRT_Buffer** output_list = &output;
    PJRT_Event* done = nullptr;
    auto args = XLAPRUNE_ARGS(PJRT_LoadedExecutable_Execute_Args);
    args.executable = loaded;
    args.options = &options;
    args.argument_lists = &argument_list;
    args.num_devices = 1;
    args.num_args = 2;
    args.output_lists = &output_list;
    args.device_complete_events = &done;
    args.execute_device = devices_[0];
    XLAPRUNE_EXPECT_OK(api()->PJRT_LoadedExecutable_Execute(&args));
    std::vector<float> result;
    if (done != nullptr) {
      auto await = XLAPRUNE_ARGS(PJRT_Event_Await_Args);
      await.event = done;
      XLAPRUNE_EXPECT_OK(api()->PJRT_Event_Await(&await));
      DestroyEvent(done);
    }
    if (output != nullptr) {
      result = Download<float>(output);
      DestroyBuffer(output);
    }
    DestroyBuffer(bx);
    DestroyBuffer(by);
    return result;
  }
};

TEST_F(Topology, NamedTopologyHasItsDevicesAndRoundTripsThroughSerialize) {
  ErrorInfo info;
  PJRT_TopologyDescription* topology = CreateTopology("cpu:4", {}, info);
  ASSERT_EQ(info.code, PJRT_Error_Code_OK) << info.message;
  auto name = XLAPRUNE_ARGS(PJRT_TopologyDescription_PlatformName_Args);
  name.topology = topology;
  XLAPRUNE_ASSERT_OK(api()->PJRT_TopologyDescription_PlatformName(&name));
  EXPECT_EQ(std::string(name.platform_name, name.platform_name_size), "cpu");
  auto devices = XLAPRUNE_ARGS(PJRT_TopologyDescription_GetDeviceDescriptions_Args);
  devices.topology = topology;
  XLAPRUNE_ASSERT_OK(api()->PJRT_TopologyDescription_GetDeviceDescriptions(&devices));
  ASSERT_EQ(devices.num_descriptions, 4u);
  for (size_t i = 0; i < 4; ++i) {
    auto id = XLAPRUNE_ARGS(PJRT_DeviceDescription_Id_Args);
    id.device_description = devices.descriptions[i];
    XLAPRUNE_ASSERT_OK(api()->PJRT_DeviceDescription_Id(&id));
    EXPECT_EQ(id.id, static_cast<int>(i));
    auto kind = XLAPRUNE_ARGS(PJRT_DeviceDescription_Kind_Args);
    kind.device_description = devices.descriptions[i];
    XLAPRUNE_ASSERT_OK(api()->PJRT_DeviceDescription_Kind(&kind));
    EXPECT_EQ(std::string(kind.device_kind, kind.device_kind_size), "cpu");
  }
  auto attributes = XLAPRUNE_ARGS(PJRT_TopologyDescription_Attributes_Args);
  attributes.topology = topology;
  XLAPRUNE_ASSERT_OK(api()->PJRT_TopologyDescription_Attributes(&attributes));
  ASSERT_EQ(attributes.num_attributes, 1u);
  EXPECT_EQ(std::string(attributes.attributes[0].name, attributes.attributes[0].name_size), "cpu_device_count");
  EXPECT_EQ(attributes.attributes[0].int64_value, 4);

  const std::string bytes = SerializeTopology(topology);
  EXPECT_EQ(bytes, "XlaPruneCpuTopology\ncpu:4");
  auto deserialize = XLAPRUNE_ARGS(PJRT_TopologyDescription_Deserialize_Args);
  deserialize.serialized_topology = bytes.data();
  deserialize.serialized_topology_size = bytes.size();
  XLAPRUNE_ASSERT_OK(api()->PJRT_TopologyDescription_Deserialize(&deserialize));
  EXPECT_EQ(SerializeTopology(deserialize.topology), bytes);
  DestroyTopology(deserialize.topology);
  DestroyTopology(topology);

  // "cpu" alone is one device; the option may set the count when the name does not.
  topology = CreateTopology("cpu", {Int64Option("cpu_device_count", 3)}, info);
  ASSERT_EQ(info.code, PJRT_Error_Code_OK) << info.message;
  EXPECT_EQ(SerializeTopology(topology), "XlaPruneCpuTopology\ncpu:3");
  DestroyTopology(topology);
}

TEST_F(Topology, BadNamesAndOptionsAreRefusedNamingThem) {
  ErrorInfo info;
  EXPECT_EQ(CreateTopology("v5e:2x2", {}, info), nullptr);
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "unknown topology 'v5e:2x2' for the XlaPrune CPU plugin: expected 'cpu' or 'cpu:N' with N in 1..1024");
  CreateTopology("cpu:0", {}, info);
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  CreateTopology("cpu:4x", {}, info);
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(CreateTopology("cpu", {Int64Option("wrap", 1)}, info), nullptr);
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "unknown topology option 'wrap' for the XlaPrune CPU plugin (known options: cpu_device_count)");
  CreateTopology("cpu:2", {Int64Option("cpu_device_count", 4)}, info);
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "topology option cpu_device_count = 4 contradicts topology 'cpu:2'");
  CreateTopology("cpu", {Int64Option("cpu_device_count", 0)}, info);
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "topology option cpu_device_count must be in [1, 1024], got 0");
  auto deserialize = XLAPRUNE_ARGS(PJRT_TopologyDescription_Deserialize_Args);
  deserialize.serialized_topology = "garbage";
  deserialize.serialized_topology_size = 7;
  info = Take(api()->PJRT_TopologyDescription_Deserialize(&deserialize));
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "serialized topology is not an XlaPrune CPU topology");
}

TEST_F(Topology, CompileWithoutClientReportsStatsLayoutsAndCost) {
  ErrorInfo info;
  PJRT_TopologyDescription* topology = CreateTopology("cpu:2", {}, info);
  ASSERT_EQ(info.code, PJRT_Error_Code_OK) << info.message;
  PJRT_Executable* executable = CompileFor(topology, AddModule2x3WithoutLayouts(), CompileOptionsBytes(2), info);
  ASSERT_EQ(info.code, PJRT_Error_Code_OK) << info.message;
  DestroyTopology(topology);  // the executable does not need it any more

  auto replicas = XLAPRUNE_ARGS(PJRT_Executable_NumReplicas_Args);
  replicas.executable = executable;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_NumReplicas(&replicas));
  EXPECT_EQ(replicas.num_replicas, 2u);
  auto stats = XLAPRUNE_ARGS(PJRT_Executable_GetCompiledMemoryStats_Args);
  stats.executable = executable;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_GetCompiledMemoryStats(&stats));
  EXPECT_EQ(stats.argument_size_in_bytes, 2 * 6 * 4);  // two f32[2,3]
  EXPECT_EQ(stats.output_size_in_bytes, 6 * 4);
  EXPECT_EQ(stats.generated_code_size_in_bytes, 0);
  auto cost = XLAPRUNE_ARGS(PJRT_Executable_GetCostAnalysis_Args);
  cost.executable = executable;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_GetCostAnalysis(&cost));
  ASSERT_EQ(cost.num_properties, 3u);
  EXPECT_EQ(std::string(cost.properties[0].name, cost.properties[0].name_size), "flops");
  EXPECT_EQ(cost.properties[0].float_value, 6.0f);  // one add per element
  auto dims = XLAPRUNE_ARGS(PJRT_Executable_OutputDimensions_Args);
  dims.executable = executable;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_OutputDimensions(&dims));
  ASSERT_EQ(dims.num_outputs, 1u);
  EXPECT_EQ(std::vector<int64_t>(dims.dims, dims.dims + dims.dim_sizes[0]), (std::vector<int64_t>{2, 3}));

  auto program = XLAPRUNE_ARGS(PJRT_Program);
  auto optimized = XLAPRUNE_ARGS(PJRT_Executable_OptimizedProgram_Args);
  optimized.executable = executable;
  optimized.program = &program;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_OptimizedProgram(&optimized));
  EXPECT_EQ(std::string(program.format, program.format_size), "hlo");
  std::string code(program.code_size, '\0');
  program.code = code.data();
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_OptimizedProgram(&optimized));
  xla::HloModuleProto module;
  ASSERT_TRUE(module.ParseFromString(code));
  int instructions = 0;
  for (const auto& computation : module.computations()) {
    for (const auto& instruction : computation.instructions()) {
      ASSERT_TRUE(instruction.shape().has_layout()) << instruction.name();
      EXPECT_EQ(std::vector<int64_t>(instruction.shape().layout().minor_to_major().begin(),
                                     instruction.shape().layout().minor_to_major().end()),
                (std::vector<int64_t>{1, 0}))
          << instruction.name();
      ++instructions;
    }
  }
  EXPECT_EQ(instructions, 3);  // two parameters and the add
  ASSERT_TRUE(module.host_program_shape().result().has_layout());
  EXPECT_EQ(module.host_program_shape().result().layout().minor_to_major_size(), 2);
  DestroyExecutable(executable);
}

TEST_F(Topology, SerializedTopologyExecutableRunsBitExactlyLikeADirectCompile) {
  ErrorInfo info;
  PJRT_TopologyDescription* topology = CreateTopology("cpu:2", {}, info);
  ASSERT_EQ(info.code, PJRT_Error_Code_OK) << info.message;
  const std::string module = AddModule2x3WithoutLayouts();
  const std::string options = CompileOptionsBytes(1);
  PJRT_Executable* executable = CompileFor(topology, module, options, info);
  ASSERT_EQ(info.code, PJRT_Error_Code_OK) << info.message;
  const std::string blob = Serialize(executable);
  const std::string fingerprint = Fingerprint(executable);
  EXPECT_EQ(fingerprint.size(), 16u);
  EXPECT_EQ(fingerprint.find_first_not_of("0123456789abcdef"), std::string::npos) << fingerprint;
  EXPECT_EQ(blob.find(fingerprint), std::string::npos);  // a hash, not the serialized executable

  auto load = XLAPRUNE_ARGS(PJRT_Executable_DeserializeAndLoad_Args);
  load.client = client_;
  load.serialized_executable = blob.data();
  load.serialized_executable_size = blob.size();
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_DeserializeAndLoad(&load));

  std::string code = module;
  auto program = XLAPRUNE_ARGS(PJRT_Program);
  program.code = code.data();
  program.code_size = code.size();
  program.format = "hlo";
  program.format_size = 3;
  auto direct = XLAPRUNE_ARGS(PJRT_Client_Compile_Args);
  direct.client = client_;
  direct.program = &program;
  direct.compile_options = options.data();
  direct.compile_options_size = options.size();
  XLAPRUNE_ASSERT_OK(api()->PJRT_Client_Compile(&direct));

  const std::vector<float> x{0.1f, -2.5f, 3.25e-7f, 1e30f, -0.0f, 7.0f};
  const std::vector<float> y{0.2f, 2.5f, 1.0f, 1e30f, 0.0f, -1.0f / 3.0f};
  std::vector<float> reloaded = Run(load.loaded_executable, x, y);
  std::vector<float> expected = Run(direct.executable, x, y);
  ASSERT_EQ(reloaded.size(), 6u);
  EXPECT_EQ(std::memcmp(reloaded.data(), expected.data(), 6 * sizeof(float)), 0);
  EXPECT_EQ(reloaded[0], 0.1f + 0.2f);

  // The same module and options compiled on a client give the same fingerprint.
  auto view = XLAPRUNE_ARGS(PJRT_LoadedExecutable_GetExecutable_Args);
  view.loaded_executable = direct.executable;
  XLAPRUNE_ASSERT_OK(api()->PJRT_LoadedExecutable_GetExecutable(&view));
  EXPECT_EQ(Fingerprint(view.executable), fingerprint);
  DestroyExecutable(view.executable);

  // Compiled for two replicas, it does not load on a one-device client.
  PJRT_Executable* two = CompileFor(topology, module, CompileOptionsBytes(2), info);
  ASSERT_EQ(info.code, PJRT_Error_Code_OK) << info.message;
  EXPECT_NE(Fingerprint(two), fingerprint);
  const std::string two_blob = Serialize(two);
  PJRT_Client* small = CreateClient(1);
  auto load_small = XLAPRUNE_ARGS(PJRT_Executable_DeserializeAndLoad_Args);
  load_small.client = small;
  load_small.serialized_executable = two_blob.data();
  load_small.serialized_executable_size = two_blob.size();
  info = Take(api()->PJRT_Executable_DeserializeAndLoad(&load_small));
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "the executable runs on device 1 but the client has 1 devices (create option cpu_device_count)");
  DestroyClient(small);

  // A topology with too few devices for the options fails at compile time.
  PJRT_TopologyDescription* one = CreateTopology("cpu", {}, info);
  EXPECT_EQ(CompileFor(one, module, CompileOptionsBytes(2), info), nullptr);
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  DestroyTopology(one);

  DestroyExecutable(two);
  DestroyLoaded(direct.executable);
  DestroyLoaded(load.loaded_executable);
  DestroyExecutable(executable);
  DestroyTopology(topology);
}

TEST_F(Topology, CompileRefusesAMissingTopologyAndOtherFormats) {
  ErrorInfo info;
  EXPECT_EQ(CompileFor(nullptr, AddModule(1), CompileOptionsBytes(1), info), nullptr);
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "PJRT_Compile_Args.topology must not be null");
  PJRT_TopologyDescription* topology = CreateTopology("cpu", {}, info);
  std::string code = "module {}";
  auto program = XLAPRUNE_ARGS(PJRT_Program);
  program.code = code.data();
  program.code_size = code.size();
  program.format = "mlir";
  program.format_size = 4;
  auto args = XLAPRUNE_ARGS(PJRT_Compile_Args);
  args.topology = topology;
  args.program = &program;
  info = Take(api()->PJRT_Compile(&args));
  EXPECT_EQ(info.code, PJRT_Error_Code_UNIMPLEMENTED);
  EXPECT_EQ(info.message,
            "program format 'mlir' is not supported: the XlaPrune CPU plugin accepts only format 'hlo' (a serialized "
            "HloModuleProto)");
  // The same program checks as PJRT_Client_Compile (one CompileProgram serves both).
  program.format = "hlo_with_config";
  program.format_size = 15;
  info = Take(api()->PJRT_Compile(&args));
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message,
            "Unknown program format 'hlo_with_config': the XlaPrune CPU plugin accepts only format 'hlo' (a serialized "
            "HloModuleProto)");
  EXPECT_EQ(args.executable, nullptr);
  program.format = "hlo";
  program.format_size = 3;
  args.compile_options = nullptr;
  args.compile_options_size = 4;
  info = Take(api()->PJRT_Compile(&args));
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "PJRT_Compile_Args.compile_options is null but compile_options_size is 4");
  DestroyTopology(topology);
}

}  // namespace
}  // namespace xlaprune::pjrt::testing
#endif  // XLAPRUNE_HAVE_HLO_PROTO
