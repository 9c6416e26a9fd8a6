// The plugin's PJRT_TopologyDescription: a named set of CPU devices that programs can be
// compiled for without a client ("cpu" is one device, "cpu:N" is N devices).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "api_internal.h"

struct PJRT_TopologyDescription {
  int device_count = 1;
  std::string name;  // canonical form, "cpu:N"
  std::vector<std::unique_ptr<PJRT_DeviceDescription>> description_storage;
  std::vector<PJRT_DeviceDescription*> descriptions;
  std::vector<PJRT_NamedValue> attributes;
};

namespace xlaprune::pjrt {

// Device count of a topology name: "" and "cpu" mean 1, "cpu:N" means N (1..kMaxTopologyDevices).
// Anything else fails with INVALID_ARGUMENT naming the name.
int TopologyDeviceCount(const std::string& name);

inline constexpr int kMaxTopologyDevices = 1024;

}  // namespace xlaprune::pjrt
