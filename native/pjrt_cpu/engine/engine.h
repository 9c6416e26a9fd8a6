// XlaPrune CPU engine: compiles an HloModuleProto into an executable plan and runs it.
// This is the contract between the PJRT C API layer (native/pjrt_cpu/*.cc) and the
// execution engine (native/pjrt_cpu/engine/*). The engine knows nothing about PJRT structs;
// the API layer knows nothing about HLO.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace xlaprune::cpu {

// Error codes use the numbering of PJRT_Error_Code (= absl::StatusCode).
enum class ErrorCode : int32_t {
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

// Every failure inside the engine is thrown as EngineError; the API layer's exception
// barrier turns it into a PJRT_Error with the same code and message.
class EngineError : public std::runtime_error {
 public:
  EngineError(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

// Element types use xla::PrimitiveType numbers (which PJRT_Buffer_Type does NOT share;
// the API layer maps between the two).
enum class ElementType : int32_t {
  kInvalid = 0,
  kPred = 1,
  kS8 = 2,
  kS16 = 3,
  kS32 = 4,
  kS64 = 5,
  kU8 = 6,
  kU16 = 7,
  kU32 = 8,
  kU64 = 9,
  kF16 = 10,
  kF32 = 11,
  kF64 = 12,
  kBF16 = 16,
};

// Bytes of one element; 0 for types the engine cannot hold.
size_t ElementSize(ElementType type) noexcept;

// A dense array shape, row-major (minor_to_major = rank-1..0) in memory.
struct ArrayShape {
  ElementType type = ElementType::kInvalid;
  std::vector<int64_t> dims;

  int64_t ElementCount() const noexcept;
  size_t ByteSize() const noexcept { return static_cast<size_t>(ElementCount()) * ElementSize(type); }
};

// Device memory: 64-byte aligned host memory owned by a shared_ptr, so that an output that
// aliases a donated input can take over its storage.
class DeviceBuffer {
 public:
  static std::shared_ptr<DeviceBuffer> Allocate(const ArrayShape& shape);  // zeroed; throws kResourceExhausted
  // Contents undefined: for kernels that write every element.
  static std::shared_ptr<DeviceBuffer> AllocateUninitialized(const ArrayShape& shape);
  const ArrayShape& shape() const noexcept { return shape_; }
  void* data() noexcept { return data_; }
  const void* data() const noexcept { return data_; }
  size_t size_bytes() const noexcept { return size_; }
  ~DeviceBuffer();
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

 private:
  DeviceBuffer(ArrayShape shape, void* data, size_t size) : shape_(std::move(shape)), data_(data), size_(size) {}
  ArrayShape shape_;
  void* data_;
  size_t size_;
};

// The device-memory allocator's own accounting, for leak checks: blocks handed out (buffer
// storage and scratch) and not yet given back, their rounded bytes, and the bytes of freed
// blocks the allocator keeps for reuse (bounded; not part of the live count).
struct AllocatorStats {
  int64_t live_blocks = 0;
  int64_t live_bytes = 0;
  int64_t cached_bytes = 0;
};
AllocatorStats CurrentAllocatorStats() noexcept;

struct CompileConfig {
  int num_replicas = 1;
  int num_partitions = 1;
  int num_threads = 0;  // 0: one per hardware thread
  bool fusion = true;   // false: every instruction runs alone (tests compare both paths)
};

// What PJRT_Executable_GetCompiledMemoryStats reports; all in bytes.
struct MemoryStats {
  int64_t argument_bytes = 0;
  int64_t output_bytes = 0;
  int64_t alias_bytes = 0;
  int64_t temp_bytes = 0;
  int64_t peak_bytes = 0;
};

struct CostAnalysis {
  double flops = 0;
  double transcendentals = 0;
  double bytes_accessed = 0;
};

// Cross-replica communication for all-reduce; one hub per execute-across-devices call.
class CollectiveHub;

class Executable {
 public:
  virtual ~Executable() = default;

  // Parses, validates (like XLA's loader and verifier) and plans the module.
  // Bad modules: kInvalidArgument naming computation and instruction; unsupported opcodes:
  // kUnimplemented naming the opcode.
  static std::unique_ptr<Executable> Compile(const void* module_proto, size_t size, const CompileConfig& config);
  static std::unique_ptr<Executable> Deserialize(const void* bytes, size_t size, const CompileConfig& config);

  virtual const std::string& name() const noexcept = 0;
  virtual const std::vector<ArrayShape>& parameter_shapes() const noexcept = 0;
  // The entry result, flattened: a tuple root gives one output per element (one level).
  virtual const std::vector<ArrayShape>& output_shapes() const noexcept = 0;
  // For each output, the parameter number it aliases (input_output_alias), or -1.
  virtual const std::vector<int>& output_aliases() const noexcept = 0;
  virtual int num_replicas() const noexcept = 0;
  virtual MemoryStats memory_stats() const noexcept = 0;
  virtual CostAnalysis cost_analysis() const noexcept = 0;
  virtual std::string optimized_program_text() const = 0;  // HLO text of what runs
  virtual std::string Serialize() const = 0;
  virtual std::string fingerprint() const = 0;

  // Runs one replica. `arguments` must match parameter_shapes() (checked: kInvalidArgument).
  // `donated[i]` says the caller gives up argument i; an aliased output then reuses its storage.
  // Returns the outputs in output_shapes() order. Thread-safe: concurrent Execute calls on one
  // Executable are allowed.
  virtual std::vector<std::shared_ptr<DeviceBuffer>> Execute(
      const std::vector<std::shared_ptr<DeviceBuffer>>& arguments, const std::vector<bool>& donated,
      int replica_id, CollectiveHub* hub) = 0;
};

// Creates the hub shared by the replicas of one execution (num_replicas participants).
std::shared_ptr<CollectiveHub> MakeCollectiveHub(int num_replicas);

// Called by the API layer when one replica of an execution fails: every replica that is
// blocked in (or later enters) a collective of this hub throws EngineError(kAborted, reason)
// instead of waiting forever for the failed one.
void AbortCollectiveHub(CollectiveHub& hub, const std::string& reason) noexcept;

}  // namespace xlaprune::cpu
