// The live-stats extension: counts kept by LiveCount members and the engine allocator.
#include "live_stats.h"

#include <algorithm>
#include <cstring>

#include "engine/engine.h"

namespace xlaprune::pjrt {

std::atomic<int64_t>& LiveCounter(LiveKind kind) noexcept {
  static std::atomic<int64_t> counters[3];
  return counters[static_cast<int>(kind)];
}

namespace {

void ReadLiveStats(XlaPrune_LiveStats* stats) {
  if (stats == nullptr) return;
  XlaPrune_LiveStats now;
  std::memset(&now, 0, sizeof now);
  now.struct_size = XlaPrune_LiveStats_STRUCT_SIZE;
  now.clients = LiveCounter(LiveKind::kClient).load(std::memory_order_relaxed);
  now.executables = LiveCounter(LiveKind::kExecutable).load(std::memory_order_relaxed);
  now.buffers = LiveCounter(LiveKind::kBuffer).load(std::memory_order_relaxed);
  const cpu::AllocatorStats blocks = cpu::CurrentAllocatorStats();
  now.device_blocks = blocks.live_blocks;
  now.device_bytes = blocks.live_bytes;
  now.cached_bytes = blocks.cached_bytes;
  // A caller built against an older, shorter struct gets only the fields it knows.
  const size_t size = std::min<size_t>(stats->struct_size, XlaPrune_LiveStats_STRUCT_SIZE);
  if (size > sizeof(size_t)) {
    std::memcpy(reinterpret_cast<char*>(stats) + sizeof(size_t), reinterpret_cast<const char*>(&now) + sizeof(size_t),
                size - sizeof(size_t));
  }
}

}  // namespace

PJRT_Extension_Base* LiveStatsExtension() noexcept {
  static XlaPrune_LiveStats_Extension extension = [] {
    XlaPrune_LiveStats_Extension e;
    std::memset(&e, 0, sizeof e);
    e.base.struct_size = sizeof e;
    XlaPrune_SetExtensionType(&e.base, XLAPRUNE_EXTENSION_TYPE_LIVE_STATS);
    e.base.next = nullptr;
    e.read = ReadLiveStats;
    return e;
  }();
  return &extension.base;
}

}  // namespace xlaprune::pjrt
