#include "runtime/data/record.h"

#include <stdexcept>

namespace sftx::rt {

nlohmann::json to_json(const Record& r) {
  nlohmann::json msgs = nlohmann::json::array();
  for (const auto& m : r.messages) msgs.push_back({{"role", m.role}, {"content", m.content}});
  nlohmann::json j = {{"messages", std::move(msgs)}, {"source", r.source}, {"origin", r.origin}};
  if (!r.meta.empty()) j["meta"] = r.meta;
  return j;
}

Record record_from_json(const nlohmann::json& j) {
  if (!j.is_object() || !j.contains("messages") || !j["messages"].is_array())
    throw std::runtime_error("expected an object with a \"messages\" array");
  Record r;
  for (const auto& m : j["messages"]) {
    if (!m.is_object() || !m.contains("role") || !m.contains("content") || !m["role"].is_string() ||
        !m["content"].is_string())
      throw std::runtime_error("each message needs string \"role\" and \"content\"");
    r.messages.push_back({m["role"].get<std::string>(), m["content"].get<std::string>()});
  }
  if (j.contains("source") && j["source"].is_string()) r.source = j["source"].get<std::string>();
  if (j.contains("origin") && j["origin"].is_string()) r.origin = j["origin"].get<std::string>();
  if (j.contains("meta") && j["meta"].is_object()) r.meta = j["meta"];
  return r;
}

}  // namespace sftx::rt
