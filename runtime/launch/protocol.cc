#include "runtime/launch/protocol.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string_view>
#include <vector>

#include <fmt/core.h>

#include "runtime/base/atomic_file.h"

namespace sftx::rt {
namespace {

using nlohmann::json;

constexpr const char* kVersionKey = "protocol_version";

// The structs that travel on their own (and so carry protocol_version); the others are nested.
template <class S>
constexpr bool is_message = false;
template <> constexpr bool is_message<Progress> = true;
template <> constexpr bool is_message<TrainRequest> = true;
template <> constexpr bool is_message<TrainResult> = true;
template <> constexpr bool is_message<GenerateRequest> = true;
template <> constexpr bool is_message<GenerateResult> = true;
template <> constexpr bool is_message<LogprobRequest> = true;
template <> constexpr bool is_message<LogprobResult> = true;
template <> constexpr bool is_message<LogitsRequest> = true;
template <> constexpr bool is_message<LogitsResult> = true;
template <> constexpr bool is_message<HiddenStatesRequest> = true;
template <> constexpr bool is_message<HiddenStatesResult> = true;

std::string key_path(const std::string& where, std::string_view key) {
  return where.empty() ? std::string(key) : where + "." + std::string(key);
}

// ---------------------------------------------------------------- values
template <class T>
json encode(const T& v) {
  if constexpr (has_field_table<T>::value) {
    json j = json::object();
    for_each_field<T>([&](const auto& def) { j[def.key] = encode(v.*def.member); });
    return j;
  } else if constexpr (std::is_same_v<T, DeviceKind>) {
    return device_kind_name(v);
  } else {
    return json(v);
  }
}

template <class T>
T decode(const json& v, const std::string& path, const char* owner);

// What a value of type T must look like, for "expected ..." messages; true when v is one.
template <class T>
bool has_shape(const json& v, const char*& want) {
  if constexpr (std::is_same_v<T, bool>) {
    want = "a boolean";
    return v.is_boolean();
  } else if constexpr (std::is_integral_v<T> && std::is_unsigned_v<T>) {
    want = "a non-negative integer";
    return v.is_number_unsigned();
  } else if constexpr (std::is_integral_v<T>) {
    want = "an integer";
    return v.is_number_integer();
  } else if constexpr (std::is_floating_point_v<T>) {
    want = "a number";
    return v.is_number();
  } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, DeviceKind>) {
    want = "a string";
    return v.is_string();
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    want = "a list of strings";
    return v.is_array() && std::all_of(v.begin(), v.end(), [](const json& e) { return e.is_string(); });
  } else if constexpr (std::is_same_v<T, std::vector<int64_t>>) {
    want = "a list of integers";
    return v.is_array() && std::all_of(v.begin(), v.end(), [](const json& e) { return e.is_number_integer(); });
  } else {
    static_assert(std::is_same_v<T, json> || has_field_table<T>::value, "a field type the protocol cannot carry");
    want = "an object";
    return v.is_object();
  }
}

template <class S>
S decode_struct(const json& j, const std::string& where);

template <class T>
T decode(const json& v, const std::string& path, const char* owner) {
  const char* want = "";
  const std::string leaf = path.substr(path.rfind('.') == std::string::npos ? 0 : path.rfind('.') + 1);
  if (!has_shape<T>(v, want))
    throw ProtocolError(fmt::format("{}: expected {}, got {} ({}.{})", path, want, v.dump(), owner, leaf));
  if constexpr (has_field_table<T>::value) {
    return decode_struct<T>(v, path);
  } else if constexpr (std::is_same_v<T, DeviceKind>) {
    const auto kind = parse_device_kind(v.get<std::string>());
    if (!kind)
      throw ProtocolError(fmt::format("{}: unknown device '{}' (expected {})", path, v.get<std::string>(),
                                      device_kind_choices()));
    return *kind;
  } else {
    return v.get<T>();
  }
}

// ---------------------------------------------------------------- checks beyond the types
template <class S>
void validate(const S&, const std::string&) {}

void validate(const Method& m, const std::string& where) {
  if (m.kind != "full" && m.kind != "lora" && m.kind != "freeze")
    throw ProtocolError(fmt::format("{}: unknown method '{}' (expected full, lora or freeze)", key_path(where, "kind"),
                                    m.kind));
}

void validate(const TrainRequest& r, const std::string& where) {
  if (r.out_dir.empty())
    throw ProtocolError(key_path(where, "out_dir") + ": empty (every train request needs an output directory)");
}

// ---------------------------------------------------------------- structs
template <class S>
std::string known_keys() {
  std::string out;
  for_each_field<S>([&](const auto& def) { out += (out.empty() ? "" : ", ") + std::string(def.key); });
  return out;
}

template <class S>
S decode_struct(const json& j, const std::string& where) {
  const char* name = FieldTable<S>::name;
  S s{};
  std::vector<std::string_view> known;
  for_each_field<S>([&](const auto& def) {
    known.push_back(def.key);
    const auto it = j.find(def.key);
    if (it == j.end()) {
      if (def.presence == Presence::required)
        throw ProtocolError(fmt::format("{}: missing ({} requires it)", key_path(where, def.key), name));
      return;  // keeps api.h's default
    }
    using T = std::decay_t<decltype(s.*def.member)>;
    s.*def.member = decode<T>(*it, key_path(where, def.key), name);
  });
  for (const auto& item : j.items()) {
    if (std::find(known.begin(), known.end(), item.key()) != known.end()) continue;
    if (is_message<S> && item.key() == kVersionKey) continue;  // checked by from_json
    throw ProtocolError(fmt::format("{}: unknown key of {} (its keys: {})", key_path(where, item.key()), name,
                                    known_keys<S>()));
  }
  validate(s, where);
  return s;
}

// A message's version must be this program's: the two sides of a protocol that changed
// disagree on what the keys mean.
template <class S>
void check_version(const json& j) {
  const char* name = FieldTable<S>::name;
  const auto it = j.find(kVersionKey);
  if (it == j.end())
    throw ProtocolError(fmt::format("{}: missing ({} requires it; this program speaks protocol version {}: "
                                    "was the message written by an older sftx or sftx-worker?)",
                                    kVersionKey, name, kProtocolVersion));
  if (!it->is_number_integer() || it->get<int64_t>() != kProtocolVersion)
    throw ProtocolError(fmt::format("{}: {} of protocol version {}, but this program speaks version {} "
                                    "(sftx and sftx-worker come from different builds: build both)",
                                    kVersionKey, name, it->dump(), kProtocolVersion));
}

}  // namespace

template <class S, class>
json to_json(const S& s) {
  json j = encode(s);
  if constexpr (is_message<S>) j[kVersionKey] = kProtocolVersion;
  return j;
}

template <class S, class>
S from_json(const json& j) {
  // Where a message's keys sit in the worker's output line, for messages that name them.
  const std::string where = std::is_same_v<S, Progress> ? "progress" : "";
  if (!j.is_object())
    throw ProtocolError(fmt::format("{}: expected a {} object, got {}", where.empty() ? "request" : where,
                                    FieldTable<S>::name, j.dump()));
  if constexpr (is_message<S>) check_version<S>(j);
  return decode_struct<S>(j, where);
}

// Every struct with a field table (runtime/api_fields.h).
#define SFTX_PROTOCOL_STRUCT(S) \
  template json to_json<S>(const S&); \
  template S from_json<S>(const json&);
SFTX_PROTOCOL_STRUCT(Device)
SFTX_PROTOCOL_STRUCT(ProcessGroupSpec)
SFTX_PROTOCOL_STRUCT(Progress)
SFTX_PROTOCOL_STRUCT(ModelSpec)
SFTX_PROTOCOL_STRUCT(Method)
SFTX_PROTOCOL_STRUCT(TrainHyper)
SFTX_PROTOCOL_STRUCT(TrainRequest)
SFTX_PROTOCOL_STRUCT(TrainResult)
SFTX_PROTOCOL_STRUCT(GenerateRequest)
SFTX_PROTOCOL_STRUCT(GenerateResult)
SFTX_PROTOCOL_STRUCT(LogprobRequest)
SFTX_PROTOCOL_STRUCT(LogprobResult)
SFTX_PROTOCOL_STRUCT(LogitsRequest)
SFTX_PROTOCOL_STRUCT(LogitsResult)
SFTX_PROTOCOL_STRUCT(HiddenStatesRequest)
SFTX_PROTOCOL_STRUCT(HiddenStatesResult)
#undef SFTX_PROTOCOL_STRUCT

// ---------------------------------------------------------------- files
json read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ProtocolError(fmt::format("{}: cannot open request file", path));
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    return json::parse(ss.str());
  } catch (const json::parse_error& e) {
    throw ProtocolError(fmt::format("{}: not valid JSON (byte {}): {}", path, e.byte, e.what()));
  }
}

void write_json_file(const std::string& path, const json& j) { write_file_atomic(path, j.dump(2) + "\n"); }

}  // namespace sftx::rt
