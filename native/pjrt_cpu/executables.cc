// Compile, deserialize and serialize executables, and their lifetimes. What an executable reports
// once it exists is in executable_queries.cc.
#include <cstring>
#include <string>

#include "api_internal.h"
#include "compile_options.h"

struct PJRT_SerializedExecutable {
  std::string bytes;
};


namespace xlaprune::pjrt {
namespace {

// FNV-1a, 64 bit: fingerprints and the serialized blob's checksum.
uint64_t Fnv1a(const void* data, size_t size, uint64_t hash = 14695981039346656037ull) {
  const auto* p = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < size; ++i) {
    hash ^= p[i];
    hash *= 1099511628211ull;
  }
  return hash;
}

std::string Hex64(uint64_t value) {
  static const char kDigits[] = "0123456789abcdef";
  std::string text(16, '0');
  for (int i = 15; i >= 0; --i, value >>= 4) text[static_cast<size_t>(i)] = kDigits[value & 15];
  return text;
}

// ---- Serialized executable blob ---------------------------------------------------------------
// "XlaPruneCpuExec\n" | u32 format version | u32 length + plugin version | u32 replicas |
// u32 partitions | u32 count + i32 device ids | u64 length + compile options |
// u64 length + module proto | u64 length + engine bytes | u64 FNV-1a of everything before it.
// Little-endian.

constexpr char kBlobMagic[16] = {'X', 'l', 'a', 'P', 'r', 'u', 'n', 'e', 'C', 'p', 'u', 'E', 'x', 'e', 'c', '\n'};
constexpr uint32_t kBlobVersion = 2;

void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void PutU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

class BlobReader {
 public:
  BlobReader(const char* data, size_t size) : data_(data), size_(size) {}
  uint32_t U32(const char* what) {
    const char* p = Take(4, what);
    uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
    return v;
  }
  uint64_t U64(const char* what) {
    const char* p = Take(8, what);
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
    return v;
  }
  std::string Bytes(uint64_t length, const char* what) {
    if (length > size_ - offset_) Bad(std::string(what) + " runs past the end");
    const char* p = Take(static_cast<size_t>(length), what);
    return std::string(p, static_cast<size_t>(length));
  }
  const char* Take(size_t n, const char* what) {
    if (n > size_ - offset_) Bad(std::string("truncated at ") + what);
    const char* p = data_ + offset_;
    offset_ += n;
    return p;
  }
  size_t offset() const noexcept { return offset_; }
  [[noreturn]] static void Bad(const std::string& why) {
    InvalidArgument("serialized executable is not a valid XlaPrune CPU executable: " + why);
  }

 private:
  const char* data_;
  size_t size_;
  size_t offset_ = 0;
};

std::string SerializeState(const ExecutableState& state) {
  std::string engine_bytes = state.engine->Serialize();
  std::string out(kBlobMagic, sizeof(kBlobMagic));
  PutU32(out, kBlobVersion);
  PutU32(out, static_cast<uint32_t>(std::strlen(kPluginVersion)));
  out += kPluginVersion;
  PutU32(out, static_cast<uint32_t>(state.num_replicas));
  PutU32(out, static_cast<uint32_t>(state.num_partitions));
  PutU32(out, static_cast<uint32_t>(state.device_assignment.size()));
  for (int id : state.device_assignment) PutU32(out, static_cast<uint32_t>(id));
  PutU64(out, state.compile_options.size());
  out += state.compile_options;
  PutU64(out, state.module_proto.size());
  out += state.module_proto;
  PutU64(out, engine_bytes.size());
  out += engine_bytes;
  PutU64(out, Fnv1a(out.data(), out.size()));
  return out;
}

struct ParsedBlob {
  Placement placement;
  std::string compile_options;
  std::string module_proto;
  std::string engine_bytes;
};

ParsedBlob ParseBlob(const char* data, size_t size) {
  if (size < sizeof(kBlobMagic) || std::memcmp(data, kBlobMagic, sizeof(kBlobMagic)) != 0) {
    BlobReader::Bad("it does not start with the XlaPrune CPU executable header");
  }
  BlobReader reader(data, size);
  reader.Take(sizeof(kBlobMagic), "header");
  uint32_t version = reader.U32("format version");
  if (version != kBlobVersion) {
    BlobReader::Bad("format version " + std::to_string(version) + ", this plugin reads version " +
                    std::to_string(kBlobVersion));
  }
  std::string plugin_version = reader.Bytes(reader.U32("plugin version length"), "plugin version");
  if (plugin_version != kPluginVersion) {
    BlobReader::Bad("it was produced by XlaPrune CPU plugin " + plugin_version + ", this is " + kPluginVersion);
  }
  if (size < reader.offset() + 8) BlobReader::Bad("truncated");
  uint64_t checksum_stored = 0;
  for (int i = 7; i >= 0; --i) checksum_stored = (checksum_stored << 8) | static_cast<uint8_t>(data[size - 8 + static_cast<size_t>(i)]);
  if (checksum_stored != Fnv1a(data, size - 8)) BlobReader::Bad("checksum mismatch (corrupted or truncated)");
  BlobReader body(data, size - 8);
  body.Take(reader.offset(), "header");
  ParsedBlob blob;
  blob.placement.num_replicas = static_cast<int>(body.U32("replica count"));
  blob.placement.num_partitions = static_cast<int>(body.U32("partition count"));
  uint32_t count = body.U32("device assignment size");
  if (count != static_cast<uint32_t>(blob.placement.num_replicas) || blob.placement.num_partitions != 1 ||
      blob.placement.num_replicas < 1) {
    BlobReader::Bad("inconsistent replica count");
  }
  for (uint32_t i = 0; i < count; ++i) blob.placement.replica_devices.push_back(static_cast<int>(body.U32("device id")));
  blob.compile_options = body.Bytes(body.U64("compile options length"), "compile options");
  blob.module_proto = body.Bytes(body.U64("module length"), "module");
  blob.engine_bytes = body.Bytes(body.U64("engine length"), "engine executable");
  if (body.offset() != size - 8) BlobReader::Bad("trailing bytes");
  return blob;
}

PJRT_LoadedExecutable* Load(const std::shared_ptr<ClientState>& client, std::shared_ptr<ExecutableState> state) {
  auto loaded = std::make_unique<PJRT_LoadedExecutable>();
  loaded->client = client;
  for (size_t r = 0; r < state->device_assignment.size(); ++r) {
    loaded->addressable_devices.push_back(client->DeviceById(state->device_assignment[r]));
    loaded->logical_ids.push_back(PJRT_LogicalDeviceIds{static_cast<int>(r), 0});
  }
  loaded->state = std::move(state);
  return loaded.release();
}

void CheckPlacementFitsClient(const Placement& placement, const ClientState& client) {
  for (int id : placement.replica_devices) {
    if (client.DeviceById(id) == nullptr) {
      InvalidArgument("the executable runs on device " + std::to_string(id) + " but the client has " +
                      std::to_string(client.devices.size()) + " devices (create option cpu_device_count)");
    }
  }
}


}  // namespace

std::shared_ptr<ExecutableState> MakeExecutableState(std::shared_ptr<cpu::Executable> engine, int num_replicas,
                                                     int num_partitions, std::vector<int> device_assignment,
                                                     std::string compile_options, std::string module_proto) {
  auto state = std::make_shared<ExecutableState>();
  state->engine = std::move(engine);
  state->name = state->engine->name();
  state->num_replicas = num_replicas;
  state->num_partitions = num_partitions;
  state->device_assignment = std::move(device_assignment);
  state->compile_options = std::move(compile_options);
  state->module_proto = std::move(module_proto);
  for (const cpu::ArrayShape& shape : state->engine->output_shapes()) {
    state->output_types.push_back(ToBufferType(shape.type));
    state->output_ranks.push_back(shape.dims.size());
    state->output_dims_flat.insert(state->output_dims_flat.end(), shape.dims.begin(), shape.dims.end());
    state->output_memory_kinds.push_back(kMemoryKind);
    state->output_memory_kind_sizes.push_back(sizeof(kMemoryKind) - 1);
  }
  for (size_t i = 0; i < state->engine->parameter_shapes().size(); ++i) {
    state->parameter_memory_kinds.push_back(kMemoryKind);
    state->parameter_memory_kind_sizes.push_back(sizeof(kMemoryKind) - 1);
  }
  cpu::CostAnalysis cost = state->engine->cost_analysis();
  state->cost_properties.push_back(FloatValue("flops", cost.flops));
  state->cost_properties.push_back(FloatValue("transcendentals", cost.transcendentals));
  state->cost_properties.push_back(FloatValue("bytes accessed", cost.bytes_accessed));
  // A hash of what determines the executable: the module, the compile options, the placement.
  std::string identity = state->module_proto;
  identity += "|options=" + state->compile_options;
  identity += "|replicas=" + std::to_string(num_replicas) + "|partitions=" + std::to_string(num_partitions) + "|devices=";
  for (int id : state->device_assignment) identity += std::to_string(id) + ",";
  state->fingerprint = Hex64(Fnv1a(identity.data(), identity.size()));
  return state;
}

std::shared_ptr<ExecutableState> CompileProgram(const PJRT_Program& program, const char* compile_options,
                                                size_t compile_options_size, const char* args_name,
                                                size_t device_count, int num_threads) {
  if (program.struct_size < PJRT_Program_STRUCT_SIZE) {
    InvalidArgument("Unexpected PJRT_Program size: expected " + std::to_string(PJRT_Program_STRUCT_SIZE) + ", got " +
                    std::to_string(program.struct_size));
  }
  if (program.format == nullptr) InvalidArgument("PJRT_Program.format must not be null");
  const std::string format(program.format, program.format_size);
  if (format == "mlir") {
    Unimplemented("program format 'mlir' is not supported: the XlaPrune CPU plugin accepts only format 'hlo' "
                  "(a serialized HloModuleProto)");
  }
  if (format != "hlo") {
    InvalidArgument("Unknown program format '" + format +
                    "': the XlaPrune CPU plugin accepts only format 'hlo' (a serialized HloModuleProto)");
  }
  if (program.code == nullptr && program.code_size != 0) InvalidArgument("PJRT_Program.code must not be null");
  if (compile_options == nullptr && compile_options_size != 0) {
    InvalidArgument(std::string(args_name) + ".compile_options is null but compile_options_size is " +
                    std::to_string(compile_options_size));
  }
  Placement placement = ResolvePlacement(ParseCompileOptions(compile_options, compile_options_size), device_count);
  cpu::CompileConfig config;
  config.num_replicas = placement.num_replicas;
  config.num_partitions = placement.num_partitions;
  config.num_threads = num_threads;
  std::string module(program.code == nullptr ? "" : program.code, program.code_size);
  std::shared_ptr<cpu::Executable> engine = cpu::Executable::Compile(module.data(), module.size(), config);
  if (engine == nullptr) Fail(PJRT_Error_Code_INTERNAL, "the engine returned no executable");
  std::string options = compile_options_size == 0 ? SerializeCompileOptions(placement)
                                                  : std::string(compile_options, compile_options_size);
  return MakeExecutableState(std::move(engine), placement.num_replicas, placement.num_partitions,
                             placement.replica_devices, std::move(options), std::move(module));
}

}  // namespace xlaprune::pjrt

std::shared_ptr<xlaprune::pjrt::ExecutableState> PJRT_LoadedExecutable::Live() const {
  std::lock_guard<std::mutex> lock(mutex);
  if (state == nullptr) xlaprune::pjrt::InvalidArgument("the loaded executable has been deleted");
  return state;
}

using namespace xlaprune::pjrt;
namespace cpu = xlaprune::cpu;

XLAPRUNE_ENTRY(PJRT_Client_Compile) {
  PJRT_Client* client = Require(args->client, "PJRT_Client_Compile_Args.client");
  const PJRT_Program* program = Require(args->program, "PJRT_Client_Compile_Args.program");
  const ClientState& state = *client->state;
  args->executable = Load(client->state, CompileProgram(*program, args->compile_options, args->compile_options_size,
                                                        "PJRT_Client_Compile_Args", state.devices.size(),
                                                        state.num_threads));
}

XLAPRUNE_ENTRY_MIN(PJRT_Executable_DeserializeAndLoad,
                   XLAPRUNE_FIELD_END(PJRT_Executable_DeserializeAndLoad_Args, overridden_serialized_compile_options_size)) {
  PJRT_Client* client = Require(args->client, "PJRT_Executable_DeserializeAndLoad_Args.client");
  if (args->serialized_executable == nullptr && args->serialized_executable_size != 0) {
    InvalidArgument("PJRT_Executable_DeserializeAndLoad_Args.serialized_executable must not be null");
  }
  if (XLAPRUNE_HAS_FIELD(args, PJRT_Executable_DeserializeAndLoad_Args, load_options) && args->load_options != nullptr) {
    const PJRT_LoadOptions* load = args->load_options;
    if (load->struct_size >= PJRT_LoadOptions_STRUCT_SIZE && load->multi_slice_config != nullptr) {
      Unimplemented("multi-slice load options are not supported by the XlaPrune CPU plugin");
    }
  }
  ParsedBlob blob = ParseBlob(args->serialized_executable, args->serialized_executable_size);
  std::string options = blob.compile_options;
  if (args->overridden_serialized_compile_options != nullptr && args->overridden_serialized_compile_options_size != 0) {
    options.assign(args->overridden_serialized_compile_options, args->overridden_serialized_compile_options_size);
    Placement overridden = ResolvePlacement(ParseCompileOptions(options.data(), options.size()), client->state->devices.size());
    if (overridden.num_replicas != blob.placement.num_replicas) {
      InvalidArgument("overridden compile options ask for " + std::to_string(overridden.num_replicas) +
                      " replicas but the executable was compiled for " + std::to_string(blob.placement.num_replicas));
    }
    blob.placement = overridden;
  }
  CheckPlacementFitsClient(blob.placement, *client->state);
  cpu::CompileConfig config;
  config.num_replicas = blob.placement.num_replicas;
  config.num_partitions = blob.placement.num_partitions;
  config.num_threads = client->state->num_threads;
  std::shared_ptr<cpu::Executable> engine =
      cpu::Executable::Deserialize(blob.engine_bytes.data(), blob.engine_bytes.size(), config);
  if (engine == nullptr) Fail(PJRT_Error_Code_INTERNAL, "the engine returned no executable");
  auto state = MakeExecutableState(std::move(engine), blob.placement.num_replicas, blob.placement.num_partitions,
                                   blob.placement.replica_devices, std::move(options), std::move(blob.module_proto));
  args->loaded_executable = Load(client->state, std::move(state));
}

XLAPRUNE_ENTRY(PJRT_Executable_Destroy) { delete args->executable; }

XLAPRUNE_ENTRY(PJRT_Executable_Serialize) {
  Require(args->executable, "PJRT_Executable_Serialize_Args.executable");
  auto holder = std::make_unique<PJRT_SerializedExecutable>();
  holder->bytes = SerializeState(*args->executable->state);
  args->serialized_bytes = holder->bytes.data();
  args->serialized_bytes_size = holder->bytes.size();
  args->serialized_executable_deleter = [](PJRT_SerializedExecutable* p) { delete p; };
  args->serialized_executable = holder.release();
}

XLAPRUNE_ENTRY(PJRT_LoadedExecutable_Destroy) { delete args->executable; }
