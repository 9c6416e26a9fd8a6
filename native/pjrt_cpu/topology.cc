// PJRT_TopologyDescription_*: topologies by name ("cpu", "cpu:N") with validated options,
// their device descriptions, and a text serialization that Deserialize reads back.
#include "topology.h"

#include <cstring>
#include <string>

struct PJRT_SerializedTopology {
  std::string bytes;
};

namespace xlaprune::pjrt {
namespace {

constexpr char kSerializedPrefix[] = "XlaPruneCpuTopology\n";
constexpr char kCountOption[] = "cpu_device_count";

std::unique_ptr<PJRT_TopologyDescription> BuildTopology(int device_count) {
  auto topology = std::make_unique<PJRT_TopologyDescription>();
  topology->device_count = device_count;
  topology->name = "cpu:" + std::to_string(device_count);
  for (int id = 0; id < device_count; ++id) {
    auto description = std::make_unique<PJRT_DeviceDescription>();
    DescribeCpuDevice(*description, id);
    topology->descriptions.push_back(description.get());
    topology->description_storage.push_back(std::move(description));
  }
  topology->attributes.push_back(Int64Value(kCountOption, device_count));
  return topology;
}

const PJRT_TopologyDescription& TopologyOf(const PJRT_TopologyDescription* topology, const char* what) {
  return *Require(topology, what);
}

}  // namespace

int TopologyDeviceCount(const std::string& name) {
  if (name.empty() || name == "cpu") return 1;
  const std::string prefix = "cpu:";
  if (name.compare(0, prefix.size(), prefix) == 0 && name.size() > prefix.size() && name.size() <= prefix.size() + 4) {
    int count = 0;
    bool digits = true;
    for (size_t i = prefix.size(); i < name.size(); ++i) {
      if (name[i] < '0' || name[i] > '9') {
        digits = false;
        break;
      }
      count = count * 10 + (name[i] - '0');
    }
    if (digits && count >= 1 && count <= kMaxTopologyDevices) return count;
  }
  InvalidArgument("unknown topology '" + name + "' for the XlaPrune CPU plugin: expected 'cpu' or 'cpu:N' with N in 1.." +
                  std::to_string(kMaxTopologyDevices));
}

}  // namespace xlaprune::pjrt

using namespace xlaprune::pjrt;

XLAPRUNE_ENTRY(PJRT_TopologyDescription_Create) {
  if (args->topology_name == nullptr && args->topology_name_size != 0) {
    InvalidArgument("PJRT_TopologyDescription_Create_Args.topology_name is null but topology_name_size is " +
                    std::to_string(args->topology_name_size));
  }
  if (args->create_options == nullptr && args->num_options != 0) {
    InvalidArgument("PJRT_TopologyDescription_Create_Args.create_options is null but num_options is " +
                    std::to_string(args->num_options));
  }
  const std::string name = args->topology_name == nullptr ? "" : std::string(args->topology_name, args->topology_name_size);
  int count = TopologyDeviceCount(name);
  const bool named_count = name.size() > 4;  // "cpu:N" fixes the count; an option must agree with it
  for (size_t i = 0; i < args->num_options; ++i) {
    const PJRT_NamedValue& option = args->create_options[i];
    if (option.name == nullptr) InvalidArgument("topology option " + std::to_string(i) + " has a null name");
    const std::string option_name(option.name, option.name_size);
    if (option_name != kCountOption) {
      InvalidArgument("unknown topology option '" + option_name + "' for the XlaPrune CPU plugin (known options: " +
                      kCountOption + ")");
    }
    if (RawEnum(option.type) != PJRT_NamedValue_kInt64) {
      InvalidArgument(std::string("topology option ") + kCountOption + " must be kInt64");
    }
    if (option.int64_value < 1 || option.int64_value > kMaxTopologyDevices) {
      InvalidArgument(std::string("topology option ") + kCountOption + " must be in [1, " +
                      std::to_string(kMaxTopologyDevices) + "], got " + std::to_string(option.int64_value));
    }
    if (named_count && option.int64_value != count) {
      InvalidArgument(std::string("topology option ") + kCountOption + " = " + std::to_string(option.int64_value) +
                      " contradicts topology '" + name + "'");
    }
    count = static_cast<int>(option.int64_value);
  }
  args->topology = BuildTopology(count).release();
}

XLAPRUNE_ENTRY(PJRT_TopologyDescription_Destroy) { delete args->topology; }

XLAPRUNE_ENTRY(PJRT_TopologyDescription_PlatformName) {
  TopologyOf(args->topology, "PJRT_TopologyDescription_PlatformName_Args.topology");
  SetPlatformName(args);
}

XLAPRUNE_ENTRY(PJRT_TopologyDescription_PlatformVersion) {
  TopologyOf(args->topology, "PJRT_TopologyDescription_PlatformVersion_Args.topology");
  SetPlatformVersion(args);
}

XLAPRUNE_ENTRY(PJRT_TopologyDescription_GetDeviceDescriptions) {
  const auto& topology = TopologyOf(args->topology, "PJRT_TopologyDescription_GetDeviceDescriptions_Args.topology");
  args->descriptions = topology.descriptions.data();
  args->num_descriptions = topology.descriptions.size();
}

XLAPRUNE_ENTRY(PJRT_TopologyDescription_Attributes) {
  const auto& topology = TopologyOf(args->topology, "PJRT_TopologyDescription_Attributes_Args.topology");
  args->attributes = topology.attributes.data();
  args->num_attributes = topology.attributes.size();
}

XLAPRUNE_ENTRY(PJRT_TopologyDescription_Serialize) {
  const auto& topology = TopologyOf(args->topology, "PJRT_TopologyDescription_Serialize_Args.topology");
  auto holder = std::make_unique<PJRT_SerializedTopology>();
  holder->bytes = std::string(kSerializedPrefix) + topology.name;
  args->serialized_bytes = holder->bytes.data();
  args->serialized_bytes_size = holder->bytes.size();
  args->serialized_topology_deleter = [](PJRT_SerializedTopology* p) { delete p; };
  args->serialized_topology = holder.release();
}

XLAPRUNE_ENTRY(PJRT_TopologyDescription_Deserialize) {
  if (args->serialized_topology == nullptr && args->serialized_topology_size != 0) {
    InvalidArgument("PJRT_TopologyDescription_Deserialize_Args.serialized_topology must not be null");
  }
  const std::string bytes = args->serialized_topology == nullptr
                                ? std::string()
                                : std::string(args->serialized_topology, args->serialized_topology_size);
  const size_t prefix = sizeof(kSerializedPrefix) - 1;
  if (bytes.compare(0, prefix, kSerializedPrefix) != 0 || bytes.size() <= prefix) {
    InvalidArgument("serialized topology is not an XlaPrune CPU topology");
  }
  args->topology = BuildTopology(TopologyDeviceCount(bytes.substr(prefix))).release();
}
