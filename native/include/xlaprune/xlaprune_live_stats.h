/* The XlaPrune CPU plugin's live-object extension: the plugin's own count of the native objects
 * and device-memory blocks alive right now. It is a PJRT extension (PJRT_Api.extension_start
 * chain) of a private type, so frameworks that do not know it skip it. Leak tests read it to check
 * the plugin's own bookkeeping instead of the process's resident memory, which also holds
 * allocator and garbage-collector reserves (see docs/reliability.md, "Native leaks"). */
#ifndef XLAPRUNE_LIVE_STATS_H_
#define XLAPRUNE_LIVE_STATS_H_

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "pjrt_c_api.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "XP" + 1: outside the range of PJRT's own extension types. */
#define XLAPRUNE_EXTENSION_TYPE_LIVE_STATS 0x58500001

typedef struct XlaPrune_LiveStats {
  size_t struct_size;
  int64_t clients;       /* client states (a client lives on while a buffer or executable holds it) */
  int64_t executables;   /* compiled programs (shared by a loaded executable and its views) */
  int64_t buffers;       /* PJRT_Buffer objects */
  int64_t device_blocks; /* device-memory blocks handed out (buffer storage and scratch) */
  int64_t device_bytes;  /* their bytes, as rounded by the allocator */
  int64_t cached_bytes;  /* freed blocks kept for reuse (bounded; never counted above) */
} XlaPrune_LiveStats;
#define XlaPrune_LiveStats_STRUCT_SIZE (offsetof(XlaPrune_LiveStats, cached_bytes) + sizeof(int64_t))

typedef struct XlaPrune_LiveStats_Extension {
  PJRT_Extension_Base base;
  /* Fills every field up to min(stats->struct_size, XlaPrune_LiveStats_STRUCT_SIZE). */
  void (*read)(XlaPrune_LiveStats* stats);
} XlaPrune_LiveStats_Extension;

/* The extension type is outside PJRT_Extension_Type's enumerators, so C++ may not hold it in that enum:
 * it is read and written as the int it is stored as. */
static inline int XlaPrune_ExtensionType(const PJRT_Extension_Base* extension) {
  int type;
  memcpy(&type, &extension->type, sizeof type);
  return type;
}

static inline void XlaPrune_SetExtensionType(PJRT_Extension_Base* extension, int type) {
  memcpy(&extension->type, &type, sizeof type);
}

#ifdef __cplusplus
}
#endif

#endif /* XLAPRUNE_LIVE_STATS_H_ */
