// The PJRT_NamedValue builders for what the plugin hands out: device and topology attributes,
// plugin attributes and cost properties.
#include <cstring>

#include "api_internal.h"

namespace xlaprune::pjrt {
namespace {

PJRT_NamedValue Named(const char* name, PJRT_NamedValue_Type type, size_t value_size) {
  PJRT_NamedValue v{};
  v.struct_size = PJRT_NamedValue_STRUCT_SIZE;
  v.name = name;
  v.name_size = std::strlen(name);
  v.type = type;
  v.value_size = value_size;
  return v;
}

}  // namespace

PJRT_NamedValue Int64Value(const char* name, int64_t value) {
  PJRT_NamedValue v = Named(name, PJRT_NamedValue_kInt64, 1);
  v.int64_value = value;
  return v;
}

PJRT_NamedValue FloatValue(const char* name, double value) {
  PJRT_NamedValue v = Named(name, PJRT_NamedValue_kFloat, 1);
  v.float_value = static_cast<float>(value);
  return v;
}

PJRT_NamedValue StringValue(const char* name, const char* value) {
  PJRT_NamedValue v = Named(name, PJRT_NamedValue_kString, std::strlen(value));
  v.string_value = value;
  return v;
}

}  // namespace xlaprune::pjrt
