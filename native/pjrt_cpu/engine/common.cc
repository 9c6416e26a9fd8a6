// Shapes, device buffers and the all-reduce hub of the CPU engine.
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <mutex>
#include <unordered_map>
#include <vector>

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

namespace {

// Large blocks are kept for reuse after they are freed. A train step frees and reallocates the
// same activation-sized blocks every step; without the cache each one comes back from the
// kernel as fresh zero-filled pages (glibc maps blocks above its mmap threshold directly),
// which costs more than the element-wise work done on them.
class BlockCache {
 public:
  static constexpr size_t kMinCached = size_t{64} << 10;
  static constexpr size_t kMaxCachedTotal = size_t{8} << 30;

  static BlockCache& Get() {
    static BlockCache* cache = new BlockCache();  // never destroyed: buffers may outlive statics
    return *cache;
  }

  static size_t Rounded(size_t bytes) {
    size_t r = (std::max<size_t>(bytes, 1) + 63) / 64 * 64;
    return r >= kMinCached ? (r + 4095) / 4096 * 4096 : r;
  }

  void* Take(size_t rounded) {
    void* p = TakeUncounted(rounded);
    if (p != nullptr) {
      live_blocks_.fetch_add(1, std::memory_order_relaxed);
      live_bytes_.fetch_add(static_cast<int64_t>(rounded), std::memory_order_relaxed);
    }
    return p;
  }

  void Give(void* p, size_t rounded) noexcept {
    if (p == nullptr) return;
    live_blocks_.fetch_sub(1, std::memory_order_relaxed);
    live_bytes_.fetch_sub(static_cast<int64_t>(rounded), std::memory_order_relaxed);
    if (rounded >= kMinCached) {
      std::lock_guard<std::mutex> lock(mutex_);
      if (cached_ + rounded <= kMaxCachedTotal) {
        try {
          free_[rounded].push_back(p);
          cached_ += rounded;
          return;
        } catch (...) {
        }
      }
    }
    std::free(p);
  }

  AllocatorStats Stats() noexcept {
    AllocatorStats stats;
    stats.live_blocks = live_blocks_.load(std::memory_order_relaxed);
    stats.live_bytes = live_bytes_.load(std::memory_order_relaxed);
    std::lock_guard<std::mutex> lock(mutex_);
    stats.cached_bytes = static_cast<int64_t>(cached_);
    return stats;
  }

 private:
  void* TakeUncounted(size_t rounded) {
    if (rounded >= kMinCached) {
      std::lock_guard<std::mutex> lock(mutex_);
      auto it = free_.find(rounded);
      if (it != free_.end() && !it->second.empty()) {
        void* p = it->second.back();
        it->second.pop_back();
        cached_ -= rounded;
        return p;
      }
    }
    return std::aligned_alloc(64, rounded);
  }

  std::mutex mutex_;
  std::unordered_map<size_t, std::vector<void*>> free_;
  size_t cached_ = 0;
  std::atomic<int64_t> live_blocks_{0};
  std::atomic<int64_t> live_bytes_{0};
};

void* TakeBlock(size_t bytes, const ArrayShape* shape) {
  if (bytes > kMaxBufferBytes) {
    throw EngineError(ErrorCode::kResourceExhausted, "cannot allocate " + std::to_string(bytes) + " bytes" + (shape ? " for " + ShapeText(*shape) : std::string()));
  }
  void* data = BlockCache::Get().Take(BlockCache::Rounded(bytes));
  if (data == nullptr) {
    throw EngineError(ErrorCode::kResourceExhausted, "out of memory allocating " + std::to_string(bytes) + " bytes" + (shape ? " for " + ShapeText(*shape) : std::string()));
  }
  return data;
}

}  // namespace

AllocatorStats CurrentAllocatorStats() noexcept { return BlockCache::Get().Stats(); }

std::shared_ptr<DeviceBuffer> DeviceBuffer::AllocateUninitialized(const ArrayShape& shape) {
  size_t bytes = shape.ByteSize();
  void* data = TakeBlock(bytes, &shape);
  try {
    return std::shared_ptr<DeviceBuffer>(new DeviceBuffer(shape, data, bytes));
  } catch (...) {
    BlockCache::Get().Give(data, BlockCache::Rounded(bytes));
    throw;
  }
}

std::shared_ptr<DeviceBuffer> DeviceBuffer::Allocate(const ArrayShape& shape) {
  auto b = AllocateUninitialized(shape);
  std::memset(b->data(), 0, b->size_bytes());
  return b;
}

DeviceBuffer::~DeviceBuffer() { BlockCache::Get().Give(data_, BlockCache::Rounded(size_)); }

ScratchBlock::ScratchBlock(size_t bytes) : data_(TakeBlock(bytes, nullptr)), bytes_(bytes) {}

ScratchBlock::~ScratchBlock() { BlockCache::Get().Give(data_, BlockCache::Rounded(bytes_)); }

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

std::string Shape::Text() const {
  if (!tuple) return ShapeText(array);
  std::string s = "(";
  for (size_t i = 0; i < elements.size(); i++) s += (i ? ", " : "") + elements[i].Text();
  return s + ")";
}

bool Shape::operator==(const Shape& other) const {
  if (tuple != other.tuple) return false;
  if (!tuple) return array.type == other.array.type && array.dims == other.array.dims;
  return elements == other.elements;
}

int64_t Shape::Bytes() const {
  if (!tuple) return static_cast<int64_t>(array.ByteSize());
  int64_t n = 0;
  for (const auto& e : elements) n += e.Bytes();
  return n;
}

}  // namespace xlaprune::cpu
