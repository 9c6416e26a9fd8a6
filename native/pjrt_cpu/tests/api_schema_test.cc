// Cross-checks against the generated classes of native/proto: the hand-encoded test programs
// parse as the HloModuleProtos they claim to be, and CompileOptionsProto bytes written by protoc's
// classes are read by the plugin as meant (device assignment honoured, options echoed back).
#if XLAPRUNE_HAVE_HLO_PROTO
#include "xla/pjrt/proto/compile_options.pb.h"
#include "xla/service/hlo.pb.h"

#include "api_test_programs.h"
#include "api_test_util.h"

namespace xlaprune::pjrt::testing {
namespace {

TEST(ApiSchema, HandEncodedAddModuleParsesWithTheGeneratedClasses) {
  xla::HloModuleProto module;
  ASSERT_TRUE(module.ParseFromString(AddModule(3)));
  EXPECT_EQ(module.name(), "add");
  EXPECT_EQ(module.entry_computation_id(), 1);
  ASSERT_EQ(module.computations_size(), 1);
  const xla::HloComputationProto& entry = module.computations(0);
  EXPECT_EQ(entry.root_id(), 3);
  ASSERT_EQ(entry.instructions_size(), 3);
  EXPECT_EQ(entry.instructions(0).opcode(), "parameter");
  EXPECT_EQ(entry.instructions(1).parameter_number(), 1);
  const xla::HloInstructionProto& sum = entry.instructions(2);
  EXPECT_EQ(sum.opcode(), "add");
  ASSERT_EQ(sum.operand_ids_size(), 2);
  EXPECT_EQ(sum.operand_ids(1), 2);
  EXPECT_EQ(sum.shape().element_type(), xla::F32);
  ASSERT_EQ(sum.shape().dimensions_size(), 1);
  EXPECT_EQ(sum.shape().dimensions(0), 3);
  EXPECT_EQ(module.host_program_shape().parameters_size(), 2);
  ASSERT_EQ(module.input_output_alias().entries_size(), 1);
  EXPECT_EQ(module.input_output_alias().entries(0).parameter_number(), 0);
}

TEST(ApiSchema, HandEncodedAllReduceModuleParsesWithTheGeneratedClasses) {
  xla::HloModuleProto module;
  ASSERT_TRUE(module.ParseFromString(AllReduceSumModule(2)));
  ASSERT_EQ(module.computations_size(), 2);
  const xla::HloInstructionProto& reduce = module.computations(1).instructions(1);
  EXPECT_EQ(reduce.opcode(), "all-reduce");
  ASSERT_EQ(reduce.called_computation_ids_size(), 1);
  EXPECT_EQ(reduce.called_computation_ids(0), module.computations(0).id());
}

class SchemaOptions : public ClientTest {
 protected:
  int64_t DeviceCount() const override { return 2; }
};

TEST_F(SchemaOptions, DeviceAssignmentFromGeneratedOptionsIsHonoured) {
  xla::CompileOptionsProto options;
  xla::ExecutableBuildOptionsProto* build = options.mutable_executable_build_options();
  build->set_device_ordinal(-1);
  build->set_num_replicas(2);
  build->set_num_partitions(1);
  xla::DeviceAssignmentProto* assignment = build->mutable_device_assignment();
  assignment->set_replica_count(2);
  assignment->set_computation_count(1);
  auto* devices = assignment->add_computation_devices();
  devices->add_replica_device_ids(1);  // replica 0 on device 1
  devices->add_replica_device_ids(0);
  const std::string bytes = options.SerializeAsString();

  std::string code = AllReduceSumModule(2);
  auto program = XLAPRUNE_ARGS(PJRT_Program);
  program.code = code.data();
  program.code_size = code.size();
  program.format = "hlo";
  program.format_size = 3;
  auto compile = XLAPRUNE_ARGS(PJRT_Client_Compile_Args);
  compile.client = client_;
  compile.program = &program;
  compile.compile_options = bytes.data();
  compile.compile_options_size = bytes.size();
  XLAPRUNE_ASSERT_OK(api()->PJRT_Client_Compile(&compile));
  auto addressable = XLAPRUNE_ARGS(PJRT_LoadedExecutable_AddressableDevices_Args);
  addressable.executable = compile.executable;
  XLAPRUNE_ASSERT_OK(api()->PJRT_LoadedExecutable_AddressableDevices(&addressable));
  ASSERT_EQ(addressable.num_addressable_devices, 2u);
  EXPECT_EQ(addressable.addressable_devices[0], devices_[1]);
  EXPECT_EQ(addressable.addressable_devices[1], devices_[0]);

  auto view = XLAPRUNE_ARGS(PJRT_LoadedExecutable_GetExecutable_Args);
  view.loaded_executable = compile.executable;
  XLAPRUNE_ASSERT_OK(api()->PJRT_LoadedExecutable_GetExecutable(&view));
  auto echoed = XLAPRUNE_ARGS(PJRT_Executable_GetCompileOptions_Args);
  echoed.executable = view.executable;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_GetCompileOptions(&echoed));
  xla::CompileOptionsProto parsed;
  ASSERT_TRUE(parsed.ParseFromArray(echoed.serialized_bytes, static_cast<int>(echoed.serialized_bytes_size)));
  EXPECT_EQ(parsed.executable_build_options().num_replicas(), 2);
  EXPECT_EQ(parsed.executable_build_options().device_assignment().computation_devices(0).replica_device_ids(0), 1);
  echoed.serialized_compile_options_deleter(echoed.serialized_compile_options);

  auto destroy_view = XLAPRUNE_ARGS(PJRT_Executable_Destroy_Args);
  destroy_view.executable = view.executable;
  XLAPRUNE_EXPECT_OK(api()->PJRT_Executable_Destroy(&destroy_view));
  auto destroy = XLAPRUNE_ARGS(PJRT_LoadedExecutable_Destroy_Args);
  destroy.executable = compile.executable;
  XLAPRUNE_EXPECT_OK(api()->PJRT_LoadedExecutable_Destroy(&destroy));
}

TEST_F(SchemaOptions, OptionsSynthesizedForAnEmptyRequestParseAsOneReplica) {
  std::string code = AddModule(2);
  auto program = XLAPRUNE_ARGS(PJRT_Program);
  program.code = code.data();
  program.code_size = code.size();
  program.format = "hlo";
  program.format_size = 3;
  auto compile = XLAPRUNE_ARGS(PJRT_Client_Compile_Args);
  compile.client = client_;
  compile.program = &program;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Client_Compile(&compile));
  auto view = XLAPRUNE_ARGS(PJRT_LoadedExecutable_GetExecutable_Args);
  view.loaded_executable = compile.executable;
  XLAPRUNE_ASSERT_OK(api()->PJRT_LoadedExecutable_GetExecutable(&view));
  auto echoed = XLAPRUNE_ARGS(PJRT_Executable_GetCompileOptions_Args);
  echoed.executable = view.executable;
  XLAPRUNE_ASSERT_OK(api()->PJRT_Executable_GetCompileOptions(&echoed));
  xla::CompileOptionsProto parsed;
  ASSERT_TRUE(parsed.ParseFromArray(echoed.serialized_bytes, static_cast<int>(echoed.serialized_bytes_size)));
  const xla::ExecutableBuildOptionsProto& build = parsed.executable_build_options();
  EXPECT_EQ(build.num_replicas(), 1);
  EXPECT_EQ(build.num_partitions(), 1);
  EXPECT_EQ(build.device_assignment().replica_count(), 1);
  EXPECT_EQ(build.device_assignment().computation_count(), 1);
  ASSERT_EQ(build.device_assignment().computation_devices_size(), 1);
  EXPECT_EQ(build.device_assignment().computation_devices(0).replica_device_ids(0), 0);
  echoed.serialized_compile_options_deleter(echoed.serialized_compile_options);
  auto destroy_view = XLAPRUNE_ARGS(PJRT_Executable_Destroy_Args);
  destroy_view.executable = view.executable;
  XLAPRUNE_EXPECT_OK(api()->PJRT_Executable_Destroy(&destroy_view));
  auto destroy = XLAPRUNE_ARGS(PJRT_LoadedExecutable_Destroy_Args);
  destroy.executable = compile.executable;
  XLAPRUNE_EXPECT_OK(api()->PJRT_LoadedExecutable_Destroy(&destroy));
}

}  // namespace
}  // namespace xlaprune::pjrt::testing
#endif  // XLAPRUNE_HAVE_HLO_PROTO
