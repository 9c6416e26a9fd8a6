// The plugin's own count of live native objects, read through the live-stats extension
// (xlaprune/xlaprune_live_stats.h). An object counts itself by holding a LiveCount member, so
// every way it is made or destroyed (new, make_shared, copy, an exception mid-construction) is
// counted without touching the code that makes it.
#pragma once

#include <xlaprune/xlaprune_live_stats.h>

#include <atomic>
#include <cstdint>

namespace xlaprune::pjrt {

enum class LiveKind { kClient, kExecutable, kBuffer };

std::atomic<int64_t>& LiveCounter(LiveKind kind) noexcept;

template <LiveKind Kind>
struct LiveCount {
  LiveCount() noexcept { LiveCounter(Kind).fetch_add(1, std::memory_order_relaxed); }
  LiveCount(const LiveCount&) noexcept : LiveCount() {}
  LiveCount& operator=(const LiveCount&) noexcept { return *this; }
  ~LiveCount() { LiveCounter(Kind).fetch_sub(1, std::memory_order_relaxed); }
};

// The extension, linked into PJRT_Api.extension_start.
PJRT_Extension_Base* LiveStatsExtension() noexcept;

}  // namespace xlaprune::pjrt
