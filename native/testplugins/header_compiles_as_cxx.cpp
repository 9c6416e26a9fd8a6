// The CPU plugin includes the PJRT header from C++17; keep that path compiling
// with warnings as errors, and check one size from the C++ side as well.
#include <xlaprune/pjrt_c_api.h>

static_assert(PJRT_Api_STRUCT_SIZE == 1144, "PJRT_Api size at 0.114");
static_assert(sizeof(PJRT_Buffer_MemoryLayout) == 80, "layout keeps its padding");

extern "C" int xlaprune_pjrt_c_api_cxx_checked(void) { return PJRT_API_MINOR; }
