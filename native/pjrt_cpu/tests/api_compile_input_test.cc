// Compile and DeserializeAndLoad input checks that fail before the engine is involved: program
// formats, PJRT_Program size, CompileOptionsProto bytes and placements, foreign blobs.
#include <string>

#include "api_test_util.h"

namespace xlaprune::pjrt::testing {
namespace {

class CompileInput : public ClientTest {
 protected:
  int64_t DeviceCount() const override { return 2; }

  ErrorInfo Compile(const std::string& format, const std::string& options, size_t program_size = PJRT_Program_STRUCT_SIZE) {
    std::string code = "not a module";
    auto program = XLAPRUNE_ARGS(PJRT_Program);
    program.struct_size = program_size;
    program.code = code.data();
    program.code_size = code.size();
    program.format = format.data();
    program.format_size = format.size();
    auto args = XLAPRUNE_ARGS(PJRT_Client_Compile_Args);
    args.client = client_;
    args.program = &program;
    args.compile_options = options.data();
    args.compile_options_size = options.size();
    ErrorInfo info = Take(api()->PJRT_Client_Compile(&args));
    EXPECT_EQ(args.executable, nullptr);
    return info;
  }
};

std::string Bytes(std::initializer_list<int> values) {
  std::string bytes;
  for (int v : values) bytes.push_back(static_cast<char>(v));
  return bytes;
}

TEST_F(CompileInput, MlirIsUnimplementedAndSaysWhatIsAccepted) {
  ErrorInfo info = Compile("mlir", "");
  EXPECT_EQ(info.code, PJRT_Error_Code_UNIMPLEMENTED);
  EXPECT_EQ(info.message,
            "program format 'mlir' is not supported: the XlaPrune CPU plugin accepts only format 'hlo' (a serialized "
            "HloModuleProto)");
}

TEST_F(CompileInput, UnknownFormatIsInvalidArgument) {
  ErrorInfo info = Compile("hlo_with_config", "");
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message,
            "Unknown program format 'hlo_with_config': the XlaPrune CPU plugin accepts only format 'hlo' (a serialized "
            "HloModuleProto)");
}

TEST_F(CompileInput, ShortProgramStructIsRejected) {
  ErrorInfo info = Compile("hlo", "", 32);
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "Unexpected PJRT_Program size: expected 48, got 32");
}

TEST_F(CompileInput, TruncatedCompileOptionsNameTheProblemAndOffset) {
  // executable_build_options claims 4 bytes but only 2 follow.
  ErrorInfo info = Compile("hlo", Bytes({0x1A, 0x04, 0x20, 0x01}));
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message,
            "compile_options is not a valid CompileOptionsProto: length of ExecutableBuildOptionsProto runs past the "
            "end in CompileOptionsProto at byte 2");
  info = Compile("hlo", Bytes({0x1A, 0x02, 0x20, 0x81}));
  EXPECT_EQ(info.message,
            "compile_options is not a valid CompileOptionsProto: truncated varint in ExecutableBuildOptionsProto at "
            "byte 4");
  info = Compile("hlo", Bytes({0x7B}));  // field 15, wire type 3 (group start)
  EXPECT_EQ(info.message,
            "compile_options is not a valid CompileOptionsProto: unsupported wire type 3 in CompileOptionsProto at byte 1");
  info = Compile("hlo", Bytes({0x1A, 0x02, 0x22, 0x00}));  // num_replicas as length-delimited
  EXPECT_EQ(info.message,
            "compile_options is not a valid CompileOptionsProto: field num_replicas has wire type 2, expected 0 in "
            "ExecutableBuildOptionsProto at byte 3");
}

TEST_F(CompileInput, ReplicaAndPartitionCountsAreChecked) {
  ErrorInfo info = Compile("hlo", Bytes({0x1A, 0x04, 0x20, 0x03, 0x28, 0x01}));
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "compile options ask for 3 replicas but the client has 2 devices (create option cpu_device_count)");
  info = Compile("hlo", Bytes({0x1A, 0x04, 0x20, 0x01, 0x28, 0x02}));
  EXPECT_EQ(info.code, PJRT_Error_Code_UNIMPLEMENTED);
  EXPECT_EQ(info.message,
            "num_partitions = 2: the XlaPrune CPU plugin runs replicated programs only (num_partitions = 1)");
}

TEST_F(CompileInput, DeviceAssignmentMustMatchAndNameRealDevices) {
  // num_replicas=2, num_partitions=1, device_assignment{replica_count=2, computation_count=1,
  // computation_devices{replica_device_ids=[1, 1]}}
  ErrorInfo info = Compile("hlo", Bytes({0x1A, 0x10, 0x20, 0x02, 0x28, 0x01, 0x4A, 0x0A, 0x08, 0x02, 0x10, 0x01,
                                         0x1A, 0x04, 0x08, 0x01, 0x08, 0x01}));
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "device_assignment names device 1 twice");
  // Same with ids [0, 5], packed.
  info = Compile("hlo", Bytes({0x1A, 0x10, 0x20, 0x02, 0x28, 0x01, 0x4A, 0x0A, 0x08, 0x02, 0x10, 0x01, 0x1A, 0x04,
                               0x0A, 0x02, 0x00, 0x05}));
  EXPECT_EQ(info.message, "device_assignment names device 5 but the client has devices 0..1");
  // replica_count 1 while num_replicas is 2.
  info = Compile("hlo", Bytes({0x1A, 0x0E, 0x20, 0x02, 0x28, 0x01, 0x4A, 0x08, 0x08, 0x01, 0x10, 0x01, 0x1A, 0x02,
                               0x08, 0x00}));
  EXPECT_EQ(info.message,
            "device_assignment is 1 replicas x 1 computations with 1 computation_devices entries, but the options ask "
            "for 2 replicas x 1 partitions");
}

TEST_F(CompileInput, MultiSliceConfigIsUnimplemented) {
  ErrorInfo info = Compile("hlo", Bytes({0x32, 0x01, 0x00}));
  EXPECT_EQ(info.code, PJRT_Error_Code_UNIMPLEMENTED);
  EXPECT_EQ(info.message, "multi-slice compile options are not supported by the XlaPrune CPU plugin");
}

// Unknown fields of any wire type, and a known field this plugin does not read sent with another
// wire type, are skipped as protobuf skips them; the options after them still count. A malformed
// field the plugin does not read fails the whole proto, as protobuf's parser does.
TEST_F(CompileInput, UnknownFieldsAreSkippedAndUnreadFieldsStillParsed) {
  // field 100 (varint 1), field 101 (fixed32), executable_build_options{device_ordinal as
  // length-delimited, num_replicas=3}
  ErrorInfo info = Compile("hlo", Bytes({0xA0, 0x06, 0x01, 0xAD, 0x06, 1, 2, 3, 4, 0x1A, 0x04, 0x0A, 0x00, 0x20, 0x03}));
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "compile options ask for 3 replicas but the client has 2 devices (create option cpu_device_count)");
  // argument_layouts holding a truncated ShapeProto.
  info = Compile("hlo", Bytes({0x0A, 0x01, 0x08}));
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message, "compile_options is not a valid CompileOptionsProto: a field this plugin does not read is malformed");
}

TEST_F(CompileInput, ForeignSerializedExecutablesAreRejected) {
  std::string blob = "definitely not an executable";
  auto args = XLAPRUNE_ARGS(PJRT_Executable_DeserializeAndLoad_Args);
  args.client = client_;
  args.serialized_executable = blob.data();
  args.serialized_executable_size = blob.size();
  ErrorInfo info = Take(api()->PJRT_Executable_DeserializeAndLoad(&args));
  EXPECT_EQ(info.code, PJRT_Error_Code_INVALID_ARGUMENT);
  EXPECT_EQ(info.message,
            "serialized executable is not a valid XlaPrune CPU executable: it does not start with the XlaPrune CPU "
            "executable header");
  EXPECT_EQ(args.loaded_executable, nullptr);
  // Right header, wrong format version.
  std::string versioned = "XlaPruneCpuExec\n";
  versioned += Bytes({9, 0, 0, 0});
  args.serialized_executable = versioned.data();
  args.serialized_executable_size = versioned.size();
  info = Take(api()->PJRT_Executable_DeserializeAndLoad(&args));
  EXPECT_EQ(info.message,
            "serialized executable is not a valid XlaPrune CPU executable: format version 9, this plugin reads version 1");
}

}  // namespace
}  // namespace xlaprune::pjrt::testing
