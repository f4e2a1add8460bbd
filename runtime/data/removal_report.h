// What a transform removed and why: counts per reason and the first few removed records'
// origins, so DataStats.details can answer "where did my 300 records go?".
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace sftx::rt {

class RemovalReport {
 public:
  explicit RemovalReport(size_t listed = 20) : listed_(listed) {}
  // extra: more fields for the listed example (e.g. {"duplicate_of": ORIGIN}).
  void add(const std::string& origin, const std::string& reason, nlohmann::json extra = nlohmann::json::object()) {
    ++total_;
    ++by_reason_[reason];
    if (examples_.size() < listed_) {
      extra["origin"] = origin;
      extra["reason"] = reason;
      examples_.push_back(std::move(extra));
    }
  }
  int64_t total() const { return total_; }
  nlohmann::json examples() const { return examples_; }
  nlohmann::json& example(size_t i) { return examples_[i]; }
  size_t listed() const { return examples_.size(); }
  // {"removed_by": {reason: count}, "removed_examples": [...]}
  void write_into(nlohmann::json& details) const {
    details["removed_by"] = nlohmann::json::object();
    for (const auto& [reason, n] : by_reason_) details["removed_by"][reason] = n;
    details["removed_examples"] = examples_;
  }

 private:
  size_t listed_;
  int64_t total_ = 0;
  std::map<std::string, int64_t> by_reason_;
  nlohmann::json examples_ = nlohmann::json::array();
};

}  // namespace sftx::rt
