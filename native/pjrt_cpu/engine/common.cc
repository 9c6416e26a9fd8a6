// Shapes, device buffers and the all-reduce hub of the CPU engine.
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>

#include "engine.h"
#include "internal.h"

namespace xlaprune::cpu {

size_t ElementSize(ElementType type) noexcept {
  switch (type) {
    case ElementType::kPred:
    case ElementType::kS8:
    case ElementType::kU8:
      return 1;
    case ElementType::kS16:
    case ElementType::kU16:
    case ElementType::kF16:
    case ElementType::kBF16:
      return 2;
    case ElementType::kS32:
    case ElementType::kU32:
    case ElementType::kF32:
      return 4;
    case ElementType::kS64:
    case ElementType::kU64:
    case ElementType::kF64:
      return 8;
    default:
      return 0;
  }
}

int64_t ArrayShape::ElementCount() const noexcept {
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  return n;
}

std::shared_ptr<DeviceBuffer> DeviceBuffer::Allocate(const ArrayShape& shape) {
  size_t bytes = shape.ByteSize();
  if (bytes > kMaxBufferBytes) {
    throw EngineError(ErrorCode::kResourceExhausted,
                      "cannot allocate " + std::to_string(bytes) + " bytes for " + ShapeText(shape));
  }
  size_t rounded = (std::max<size_t>(bytes, 1) + 63) / 64 * 64;
  void* data = std::aligned_alloc(64, rounded);
  if (data == nullptr) {
    throw EngineError(ErrorCode::kResourceExhausted,
                      "out of memory allocating " + std::to_string(bytes) + " bytes for " + ShapeText(shape));
  }
  std::memset(data, 0, rounded);
  return std::shared_ptr<DeviceBuffer>(new DeviceBuffer(shape, data, bytes));
}

DeviceBuffer::~DeviceBuffer() { std::free(data_); }

// All replicas of one execution meet here for every all-reduce: each adds its contribution,
// the last to arrive publishes the sum, and everyone copies it out.
class CollectiveHub {
 public:
  explicit CollectiveHub(int replicas) : replicas_(replicas) {}

  void AllReduceSum(std::vector<double>& values) {
    std::unique_lock<std::mutex> lock(mutex_);
    const int64_t round = round_;
    if (aborted_) throw EngineError(ErrorCode::kAborted, reason_);
    if (arrived_ == 0) sum_.assign(values.size(), 0.0);
    if (sum_.size() != values.size()) {
      throw EngineError(ErrorCode::kInvalidArgument, "replicas disagree on the all-reduce size");
    }
    for (size_t i = 0; i < values.size(); i++) sum_[i] += values[i];
    if (++arrived_ == replicas_) {
      result_ = sum_;
      arrived_ = 0;
      round_++;
      cv_.notify_all();
    } else {
      cv_.wait(lock, [&] { return round_ != round || aborted_; });
      if (round_ == round) throw EngineError(ErrorCode::kAborted, reason_);
    }
    values = result_;
  }

  void Abort(const std::string& reason) {
    std::lock_guard<std::mutex> lock(mutex_);
    aborted_ = true;
    reason_ = reason;
    cv_.notify_all();
  }

 private:
  const int replicas_;
  std::mutex mutex_;
  std::condition_variable cv_;
  int arrived_ = 0;
  int64_t round_ = 0;
  bool aborted_ = false;
  std::string reason_;
  std::vector<double> sum_, result_;
};

std::shared_ptr<CollectiveHub> MakeCollectiveHub(int num_replicas) { return std::make_shared<CollectiveHub>(num_replicas); }

void AbortCollectiveHub(CollectiveHub& hub, const std::string& reason) noexcept {
  try {
    hub.Abort(reason);
  } catch (...) {
  }
}

void HubAllReduceSum(CollectiveHub* hub, std::vector<double>& values) {
  if (hub != nullptr) hub->AllReduceSum(values);
}

std::string TypeName(ElementType type) {
  switch (type) {
    case ElementType::kPred: return "pred";
    case ElementType::kS8: return "s8";
    case ElementType::kS16: return "s16";
    case ElementType::kS32: return "s32";
    case ElementType::kS64: return "s64";
    case ElementType::kU8: return "u8";
    case ElementType::kU16: return "u16";
    case ElementType::kU32: return "u32";
    case ElementType::kU64: return "u64";
    case ElementType::kF16: return "f16";
    case ElementType::kF32: return "f32";
    case ElementType::kF64: return "f64";
    case ElementType::kBF16: return "bf16";
    default: return "invalid";
  }
}

std::string ShapeText(const ArrayShape& shape) {
  std::string s = TypeName(shape.type) + "[";
  for (size_t i = 0; i < shape.dims.size(); i++) s += (i ? "," : "") + std::to_string(shape.dims[i]);
  return s + "]";
}

}  // namespace xlaprune::cpu
