// Internal representation of a compiled module: validated instructions per computation, with
// inferred shapes and decoded configs, ready for the interpreter (interpreter.h).
#pragma once

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "engine.h"
#include "ops.h"

namespace xlaprune::cpu {

// Larger single buffers are refused up front rather than attempted.
constexpr size_t kMaxBufferBytes = size_t{1} << 36;

std::string TypeName(ElementType type);
std::string ShapeText(const ArrayShape& shape);
void HubAllReduceSum(CollectiveHub* hub, std::vector<double>& values);

// Uninitialized temporary memory from the engine's block cache, freed (to the cache) on scope exit.
class ScratchBlock {
 public:
  explicit ScratchBlock(size_t bytes);  // throws kResourceExhausted
  ~ScratchBlock();
  ScratchBlock(const ScratchBlock&) = delete;
  ScratchBlock& operator=(const ScratchBlock&) = delete;
  void* data() const noexcept { return data_; }

 private:
  void* data_;
  size_t bytes_;
};

// A convolution planned onto a oneDNN primitive at compile time (conv_dnnl.cc).
struct ConvPrimitive;

struct Shape {
  bool tuple = false;
  ArrayShape array;
  std::vector<Shape> elements;

  std::string Text() const;
  bool operator==(const Shape& other) const;
  bool operator!=(const Shape& other) const { return !(*this == other); }
  int64_t Bytes() const;
};

// A group of element-wise instructions run as one pass (fusion.cc). Nodes are in evaluation
// order; the last is the value the group produces (for a reduce root: the value it reduces).
struct FusedNode {
  Op op;                   // kParameter: read input `input`
  int a = -1, b = -1, c = -1;
  int input = -1;
  int cmp = 0;
};

struct FusedInput {
  int instr = -1;                     // the instruction whose array is read
  std::vector<int64_t> dims, strides;  // offset in that array of each index of the group (simplified)
  bool identity = true;               // read element i at i
  bool pred = false;                  // a pred array (read as 0 or 1)
};

struct Fusion {
  std::vector<FusedNode> nodes;
  std::vector<FusedInput> inputs;     // in the order of the root's operands
  std::vector<int64_t> dims;          // the group's index space
  std::vector<std::string> members;   // instruction names, for the optimized program text
  bool root_pred = false;
  int reduce_init_operand = -1;
};

struct WindowDim {
  int64_t size = 1, stride = 1, pad_lo = 0, pad_hi = 0, window_dilation = 1, base_dilation = 1;
  bool reversal = false;
};

struct ConvDims {
  int64_t in_batch = 0, in_feature = 1, k_in = 1, k_out = 0, out_batch = 0, out_feature = 1;
  std::vector<int64_t> in_spatial, k_spatial, out_spatial;
};

struct DotDims {
  std::vector<int64_t> lhs_contract, rhs_contract, lhs_batch, rhs_batch;
};

struct Instr {
  Op op = Op::kCopy;
  std::string opcode;
  std::string name;
  Shape shape;
  std::vector<int> operands;  // indexes into the computation's instructions
  int64_t parameter_number = 0;
  int64_t tuple_index = 0;
  std::vector<int64_t> dims;
  std::vector<WindowDim> window;
  ConvDims conv;
  DotDims dot;
  int64_t feature_groups = 1, batch_groups = 1;
  std::vector<std::array<int64_t, 3>> slice;    // start, limit, stride
  std::vector<std::array<int64_t, 3>> padding;  // low, high, interior
  std::vector<int> called;                      // computation indexes
  std::string direction;                        // compare: EQ NE LT LE GT GE
  std::shared_ptr<DeviceBuffer> literal;
  int last_use = -1;  // index of the last instruction reading this one (planned at compile time)
  // A reducer that is one binary op on its two parameters, run without interpreting it.
  Op simple_reducer = Op::kCopy;
  bool has_simple_reducer = false;
  std::shared_ptr<const ConvPrimitive> dnnl_conv;  // set when oneDNN runs this convolution
  std::shared_ptr<const Fusion> fusion;  // set on the root of a fused group; operands are then its inputs
  bool fused_away = false;              // evaluated inside a fused group (or a broadcast only groups read)
};

struct Computation {
  std::string name;
  std::vector<Instr> instrs;
  int root = -1;
  std::vector<Shape> params;
};

struct Program {
  std::string name;
  std::vector<Computation> computations;
  int entry = -1;
  std::vector<ArrayShape> parameter_shapes;
  std::vector<ArrayShape> output_shapes;
  std::vector<int> output_aliases;
  bool tuple_result = false;
  MemoryStats memory;
  CostAnalysis cost;
};

// The oneDNN plan of a convolution, or null when only the generic kernel can run it.
std::shared_ptr<const ConvPrimitive> PlanConvolution(const Instr& in, const ArrayShape& lhs, const ArrayShape& rhs);
const char* ConvolutionRole(const ConvPrimitive& plan) noexcept;
void RunConvolution(const ConvPrimitive& plan, const void* lhs, const void* rhs, void* out);

// The last reader of every value, so the interpreter can free it early (liveness.cc).
void PlanLiveness(Computation& comp);

// Groups element-wise chains of a computation into fusions (set XLAPRUNE_CPU_NO_FUSION to skip).
void PlanFusions(Computation& comp);
void RunFusion(const Fusion& f, const std::vector<const void*>& inputs, void* out);
void RunFusedReduce(const Fusion& f, const std::vector<const void*>& inputs, const std::vector<int64_t>& reduced, float init, Op reducer, float* out);

// Parses and validates; throws EngineError.
std::unique_ptr<Program> BuildProgram(const void* bytes, size_t size, int num_replicas, bool fuse = true);

// Runs the entry computation on one replica.
std::vector<std::shared_ptr<DeviceBuffer>> RunProgram(const Program& program, const std::vector<std::shared_ptr<DeviceBuffer>>& arguments,
                                                      int replica_id, CollectiveHub* hub);

std::string ProgramText(const Program& program);

}  // namespace xlaprune::cpu
