/* A plugin built against a future, ABI-incompatible PJRT major version. The
 * loader must refuse it from the version numbers alone, before calling it. */
#include <xlaprune/pjrt_c_api.h>

static PJRT_Api s_api;

const PJRT_Api *GetPjrtApi(void) {
  s_api.struct_size = PJRT_Api_STRUCT_SIZE;
  s_api.pjrt_api_version.struct_size = PJRT_Api_Version_STRUCT_SIZE;
  s_api.pjrt_api_version.major_version = 1;
  s_api.pjrt_api_version.minor_version = 3;
  return &s_api;
}
