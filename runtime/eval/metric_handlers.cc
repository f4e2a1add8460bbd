#include "runtime/eval/metric_handlers.h"

#include <algorithm>
#include <stdexcept>

namespace sftx::rt {

namespace {
// Function-local: registrations run during static initialisation, in any order.
std::vector<MetricHandler>& handlers() {
  static std::vector<MetricHandler> table;
  return table;
}
}  // namespace

MetricRegistration::MetricRegistration(MetricHandler handler) {
  if (find_metric_handler(handler.name)) throw std::logic_error("metric \"" + handler.name + "\" registered twice");
  handlers().push_back(std::move(handler));
}

const MetricHandler* find_metric_handler(const std::string& name) {
  for (const auto& h : handlers())
    if (h.name == name) return &h;
  return nullptr;
}

std::vector<std::string> metric_handler_names() {
  std::vector<std::string> out;
  for (const auto& h : handlers()) out.push_back(h.name);
  std::sort(out.begin(), out.end());
  return out;
}

std::string record_name(const std::vector<Record>& records, size_t i) {
  std::string s = "record " + std::to_string(i + 1);
  if (i < records.size() && !records[i].origin.empty()) s += " (" + records[i].origin + ")";
  return s;
}

}  // namespace sftx::rt
