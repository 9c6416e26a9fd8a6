// Executable: a compiled Program plus the module bytes it came from (for serialization).
#include <cstring>

#include "internal.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace xlaprune::cpu {
namespace {

constexpr char kBlobMagic[] = "XLAPRUNE-ENGINE-1";

class InterpretedExecutable final : public Executable {
 public:
  InterpretedExecutable(std::unique_ptr<Program> program, std::string module, int replicas, int threads)
      : program_(std::move(program)), module_(std::move(module)), replicas_(replicas), threads_(threads) {}

  const std::string& name() const noexcept override { return program_->name; }
  const std::vector<ArrayShape>& parameter_shapes() const noexcept override { return program_->parameter_shapes; }
  const std::vector<ArrayShape>& output_shapes() const noexcept override { return program_->output_shapes; }
  const std::vector<int>& output_aliases() const noexcept override { return program_->output_aliases; }
  int num_replicas() const noexcept override { return replicas_; }
  MemoryStats memory_stats() const noexcept override { return program_->memory; }
  CostAnalysis cost_analysis() const noexcept override { return program_->cost; }
  std::string optimized_program_text() const override { return ProgramText(*program_); }

  std::string Serialize() const override {
    std::string blob(kBlobMagic, sizeof kBlobMagic);
    int32_t replicas = replicas_;
    blob.append(reinterpret_cast<const char*>(&replicas), sizeof replicas);
    blob += module_;
    return blob;
  }

  std::string fingerprint() const override { return Serialize(); }

  std::vector<std::shared_ptr<DeviceBuffer>> Execute(const std::vector<std::shared_ptr<DeviceBuffer>>& arguments, const std::vector<bool>& donated,
                                                     int replica_id, CollectiveHub* hub) override {
    const auto& params = program_->parameter_shapes;
    if (arguments.size() != params.size()) {
      throw EngineError(ErrorCode::kInvalidArgument, "the program takes " + std::to_string(params.size()) + " arguments, got " + std::to_string(arguments.size()));
    }
    for (size_t i = 0; i < params.size(); i++) {
      if (arguments[i] == nullptr) throw EngineError(ErrorCode::kInvalidArgument, "argument " + std::to_string(i) + " is null");
      const ArrayShape& s = arguments[i]->shape();
      if (s.type != params[i].type || s.dims != params[i].dims) {
        throw EngineError(ErrorCode::kInvalidArgument, "argument " + std::to_string(i) + " has shape " + ShapeText(s) + ", the program expects " + ShapeText(params[i]));
      }
    }
    auto outputs = RunWithThreads(arguments, replica_id, hub);
    for (size_t o = 0; o < outputs.size(); o++) {
      int p = program_->output_aliases[o];
      bool in_place = p >= 0 && static_cast<size_t>(p) < donated.size() && donated[p];
      if (in_place) {
        // The donated argument's storage becomes this output.
        if (outputs[o] != arguments[p]) std::memcpy(arguments[p]->data(), outputs[o]->data(), outputs[o]->size_bytes());
        outputs[o] = arguments[p];
        continue;
      }
      // Outputs must not share storage with arguments (a later donation would change them) or
      // with each other.
      bool shared = false;
      for (const auto& a : arguments) shared = shared || a == outputs[o];
      for (size_t q = 0; q < o; q++) shared = shared || outputs[q] == outputs[o];
      if (shared) {
        auto copy = DeviceBuffer::Allocate(outputs[o]->shape());
        std::memcpy(copy->data(), outputs[o]->data(), outputs[o]->size_bytes());
        outputs[o] = copy;
      }
    }
    return outputs;
  }

 private:
  // The client's num_threads caps the engine's loops and oneDNN's (both OpenMP) for this call;
  // the setting is per calling thread, so concurrent executions do not disturb each other.
  std::vector<std::shared_ptr<DeviceBuffer>> RunWithThreads(const std::vector<std::shared_ptr<DeviceBuffer>>& arguments, int replica_id, CollectiveHub* hub) {
#ifdef _OPENMP
    if (threads_ > 0) {
      struct Restore {
        int previous = omp_get_max_threads();
        ~Restore() { omp_set_num_threads(previous); }
      } restore;
      omp_set_num_threads(threads_);
      return RunProgram(*program_, arguments, replica_id, hub);
    }
#endif
    return RunProgram(*program_, arguments, replica_id, hub);
  }

  std::unique_ptr<Program> program_;
  std::string module_;
  int replicas_;
  int threads_;
};

}  // namespace

std::unique_ptr<Executable> Executable::Compile(const void* module_proto, size_t size, const CompileConfig& config) {
  if (config.num_replicas < 1) throw EngineError(ErrorCode::kInvalidArgument, "num_replicas must be at least 1");
  if (config.num_partitions != 1) throw EngineError(ErrorCode::kUnimplemented, "the XlaPrune CPU plugin runs one partition per replica (num_partitions must be 1)");
  auto program = BuildProgram(module_proto, size, config.num_replicas, config.fusion);
  std::string module(static_cast<const char*>(module_proto), size);
  return std::make_unique<InterpretedExecutable>(std::move(program), std::move(module), config.num_replicas, config.num_threads);
}

std::unique_ptr<Executable> Executable::Deserialize(const void* bytes, size_t size, const CompileConfig& config) {
  const size_t header = sizeof kBlobMagic + sizeof(int32_t);
  if (bytes == nullptr || size < header || std::memcmp(bytes, kBlobMagic, sizeof kBlobMagic) != 0) {
    throw EngineError(ErrorCode::kInvalidArgument, "not a serialized XlaPrune CPU engine executable");
  }
  int32_t replicas;
  std::memcpy(&replicas, static_cast<const char*>(bytes) + sizeof kBlobMagic, sizeof replicas);
  CompileConfig c = config;
  c.num_replicas = replicas;
  return Compile(static_cast<const char*>(bytes) + header, size - header, c);
}

}  // namespace xlaprune::cpu
