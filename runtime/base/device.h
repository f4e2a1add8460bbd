// Where a computation runs, by name: the one list of device kinds, and the one way to read and
// write their names ("cpu", "cuda"). The torch side turns a Device into a torch::Device in
// runtime/nn/device.h; nothing else decides what a device name means.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sftx::rt {

enum class DeviceKind { cpu, cuda };
struct Device {
  DeviceKind kind = DeviceKind::cpu;
  int index = 0;
};

// The names, in DeviceKind order: what sftx.toml's `device`, `sftx run --device` and the worker
// protocol accept.
inline const std::vector<std::string>& device_kind_names() {
  static const std::vector<std::string> names = {"cpu", "cuda"};
  return names;
}

inline const char* device_kind_name(DeviceKind k) { return device_kind_names()[static_cast<size_t>(k)].c_str(); }

// nullopt for a name that is no device kind.
inline std::optional<DeviceKind> parse_device_kind(std::string_view name) {
  const auto& names = device_kind_names();
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<DeviceKind>(i);
  return std::nullopt;
}

// For messages: "cpu or cuda".
inline std::string device_kind_choices() {
  std::string out;
  const auto& names = device_kind_names();
  for (size_t i = 0; i < names.size(); ++i) out += (i == 0 ? "" : i + 1 == names.size() ? " or " : ", ") + names[i];
  return out;
}

}  // namespace sftx::rt
