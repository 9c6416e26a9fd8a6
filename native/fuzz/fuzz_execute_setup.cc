// The fixed side of the execute fuzzer (see fuzz_execute_setup.h).
#include "fuzz_execute_setup.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "api_test_programs.h"
#include "xla/service/hlo.pb.h"

extern "C" const PJRT_Api* GetPjrtApi();

namespace xlaprune::fuzz {

const PJRT_Api* api = nullptr;
PJRT_Client* client = nullptr;
std::vector<PJRT_Device*> devices;
std::vector<PJRT_Memory*> memories;
std::vector<Program> programs;

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "fuzz_execute setup failed: %s\n", what);
  std::abort();
}

bool Ok(PJRT_Error* error) {
  if (error == nullptr) return true;
  PJRT_Error_Destroy_Args args{};
  args.struct_size = PJRT_Error_Destroy_Args_STRUCT_SIZE;
  args.error = error;
  api->PJRT_Error_Destroy(&args);
  return false;
}

void DestroyEvent(PJRT_Event* event) {
  if (event == nullptr) return;
  PJRT_Event_Destroy_Args args{};
  args.struct_size = PJRT_Event_Destroy_Args_STRUCT_SIZE;
  args.event = event;
  if (!Ok(api->PJRT_Event_Destroy(&args))) Die("PJRT_Event_Destroy");
}

void DestroyBuffer(PJRT_Buffer* buffer) {
  PJRT_Buffer_Destroy_Args args{};
  args.struct_size = PJRT_Buffer_Destroy_Args_STRUCT_SIZE;
  args.buffer = buffer;
  if (!Ok(api->PJRT_Buffer_Destroy(&args))) Die("PJRT_Buffer_Destroy");
}

namespace {

xla::ShapeProto Shape(xla::PrimitiveType type, const std::vector<int64_t>& dims) {
  xla::ShapeProto shape;
  shape.set_element_type(type);
  for (int64_t d : dims) shape.add_dimensions(d);
  for (size_t i = dims.size(); i-- > 0;) shape.mutable_layout()->add_minor_to_major(static_cast<int64_t>(i));
  return shape;
}

xla::HloInstructionProto* Add(xla::HloComputationProto& c, int64_t id, const std::string& opcode, const xla::ShapeProto& shape,
                              const std::vector<int64_t>& operands) {
  auto* in = c.add_instructions();
  in->set_name(opcode + "." + std::to_string(id));
  in->set_opcode(opcode);
  in->set_id(id);
  *in->mutable_shape() = shape;
  for (int64_t o : operands) in->add_operand_ids(o);
  return in;
}

std::string Finish(xla::HloModuleProto& module, xla::HloComputationProto& entry, int64_t root) {
  entry.set_id(1);
  entry.set_root_id(root);
  for (const auto& in : entry.instructions()) {
    if (in.opcode() == "parameter") *entry.mutable_program_shape()->add_parameters() = in.shape();
    if (in.id() == root) *entry.mutable_program_shape()->mutable_result() = in.shape();
  }
  module.set_entry_computation_id(1);
  module.set_entry_computation_name(entry.name());
  *module.mutable_host_program_shape() = entry.program_shape();
  return module.SerializeAsString();
}

// (u8[0], f64[2,1,3]) -> (f64[2,1,3] negated, u8[0]): a zero-size parameter and a tuple result.
std::string MixedModule() {
  xla::HloModuleProto module;
  module.set_name("mixed");
  auto& entry = *module.add_computations();
  entry.set_name("mixed");
  Add(entry, 1, "parameter", Shape(xla::U8, {0}), {})->set_parameter_number(0);
  Add(entry, 2, "parameter", Shape(xla::F64, {2, 1, 3}), {})->set_parameter_number(1);
  Add(entry, 3, "negate", Shape(xla::F64, {2, 1, 3}), {2});
  xla::ShapeProto tuple;
  tuple.set_element_type(xla::TUPLE);
  *tuple.add_tuple_shapes() = Shape(xla::F64, {2, 1, 3});
  *tuple.add_tuple_shapes() = Shape(xla::U8, {0});
  Add(entry, 4, "tuple", tuple, {3, 1});
  return Finish(module, entry, 4);
}

// () -> s32[5] iota: no parameters at all.
std::string IotaModule() {
  xla::HloModuleProto module;
  module.set_name("iota");
  auto& entry = *module.add_computations();
  entry.set_name("iota");
  Add(entry, 1, "iota", Shape(xla::S32, {5}), {})->add_dimensions(0);
  return Finish(module, entry, 1);
}

PJRT_LoadedExecutable* Compile(const std::string& code, const std::string& options) {
  std::string format = "hlo";
  PJRT_Program program{};
  program.struct_size = PJRT_Program_STRUCT_SIZE;
  program.code = const_cast<char*>(code.data());
  program.code_size = code.size();
  program.format = format.data();
  program.format_size = format.size();
  PJRT_Client_Compile_Args args{};
  args.struct_size = PJRT_Client_Compile_Args_STRUCT_SIZE;
  args.client = client;
  args.program = &program;
  args.compile_options = options.data();
  args.compile_options_size = options.size();
  if (!Ok(api->PJRT_Client_Compile(&args))) Die("PJRT_Client_Compile");
  return args.executable;
}

// At exit, before LeakSanitizer looks: the programs, then the client.
void Teardown() {
  for (Program& p : programs) {
    PJRT_LoadedExecutable_Destroy_Args args{};
    args.struct_size = PJRT_LoadedExecutable_Destroy_Args_STRUCT_SIZE;
    args.executable = p.executable;
    if (!Ok(api->PJRT_LoadedExecutable_Destroy(&args))) Die("PJRT_LoadedExecutable_Destroy");
  }
  programs.clear();
  PJRT_Client_Destroy_Args args{};
  args.struct_size = PJRT_Client_Destroy_Args_STRUCT_SIZE;
  args.client = client;
  if (!Ok(api->PJRT_Client_Destroy(&args))) Die("PJRT_Client_Destroy");
}

}  // namespace

void Setup() {
  api = GetPjrtApi();
  std::atexit(Teardown);
  PJRT_Plugin_Initialize_Args init{};
  init.struct_size = PJRT_Plugin_Initialize_Args_STRUCT_SIZE;
  if (!Ok(api->PJRT_Plugin_Initialize(&init))) Die("PJRT_Plugin_Initialize");

  PJRT_NamedValue options[2]{};
  const char* names[2] = {"cpu_device_count", "num_threads"};
  const int64_t values[2] = {2, 1};
  for (int i = 0; i < 2; i++) {
    options[i].struct_size = PJRT_NamedValue_STRUCT_SIZE;
    options[i].name = names[i];
    options[i].name_size = std::strlen(names[i]);
    options[i].type = PJRT_NamedValue_kInt64;
    options[i].int64_value = values[i];
    options[i].value_size = 1;
  }
  PJRT_Client_Create_Args create{};
  create.struct_size = PJRT_Client_Create_Args_STRUCT_SIZE;
  create.create_options = options;
  create.num_options = 2;
  if (!Ok(api->PJRT_Client_Create(&create))) Die("PJRT_Client_Create");
  client = create.client;

  PJRT_Client_AddressableDevices_Args list{};
  list.struct_size = PJRT_Client_AddressableDevices_Args_STRUCT_SIZE;
  list.client = client;
  if (!Ok(api->PJRT_Client_AddressableDevices(&list))) Die("PJRT_Client_AddressableDevices");
  devices.assign(list.addressable_devices, list.addressable_devices + list.num_addressable_devices);
  for (PJRT_Device* device : devices) {
    PJRT_Device_AddressableMemories_Args mem{};
    mem.struct_size = PJRT_Device_AddressableMemories_Args_STRUCT_SIZE;
    mem.device = device;
    if (!Ok(api->PJRT_Device_AddressableMemories(&mem))) Die("PJRT_Device_AddressableMemories");
    memories.insert(memories.end(), mem.memories, mem.memories + mem.num_memories);
  }

  using namespace xlaprune::pjrt::testing;
  const std::string one = CompileOptionsBytes(1), two = CompileOptionsBytes(2);
  programs.push_back({Compile(AddModule(4), one), {{PJRT_Buffer_Type_F32, {4}}, {PJRT_Buffer_Type_F32, {4}}}, 1});
  programs.push_back({Compile(AllReduceSumModule(3), two), {{PJRT_Buffer_Type_F32, {3}}}, 1});
  programs.push_back({Compile(MixedModule(), one), {{PJRT_Buffer_Type_U8, {0}}, {PJRT_Buffer_Type_F64, {2, 1, 3}}}, 2});
  programs.push_back({Compile(IotaModule(), one), {}, 1});
}

}  // namespace xlaprune::fuzz
