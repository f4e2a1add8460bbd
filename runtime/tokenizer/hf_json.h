// Reading tokenizer.json: every refusal names the file, the JSON path ($.model.merges[3]) and
// what is wrong or unsupported, so a file sftx cannot tokenise exactly as `tokenizers` does is
// rejected instead of being tokenised differently.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

#include "runtime/data/utf8.h"

namespace sftx::rt::hf {

using json = nlohmann::json;

// A place in one tokenizer.json file.
struct JsonPlace {
  std::string file;
  std::string path = "$";
  JsonPlace operator/(const std::string& key) const { return {file, path + "." + key}; }
  JsonPlace operator/(size_t index) const { return {file, path + "[" + std::to_string(index) + "]"}; }
  // Throws std::runtime_error "FILE: JSONPATH: what", display-safe and at most 2 KiB: the path
  // and `what` quote the file's keys and values, which may hold control characters or be huge.
  [[noreturn]] void refuse(const std::string& what) const {
    throw std::runtime_error(display_safe(file + ": " + path + ": " + what, 2048));
  }
};

// obj[key] as T; refuses when it is missing (unless a default is given) or of the wrong type.
template <typename T>
T field(const json& obj, const std::string& key, const JsonPlace& at, std::optional<T> fallback = std::nullopt) {
  if (!obj.is_object()) at.refuse("expected an object");
  auto it = obj.find(key);
  if (it == obj.end() || (it->is_null() && fallback)) {
    if (fallback) return *fallback;
    (at / key).refuse("missing");
  }
  try {
    return it->get<T>();
  } catch (const json::exception&) {
    (at / key).refuse(std::string("unexpected ") + it->type_name() + " " + it->dump());
  }
}

// The "type" of a component, refusing a missing one.
inline std::string type_of(const json& obj, const JsonPlace& at) { return field<std::string>(obj, "type", at); }

// Refuses keys of `obj` that change tokenisation and that sftx does not implement, when set to
// something other than their neutral value (null, false, 0, or absent).
inline void refuse_if_set(const json& obj, const std::string& key, const JsonPlace& at, const std::string& why) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return;
  if ((it->is_boolean() && !it->get<bool>()) || (it->is_number() && it->get<double>() == 0.0)) return;
  (at / key).refuse("unsupported: " + it->dump() + " (" + why + ")");
}

}  // namespace sftx::rt::hf
