#include "stdlib/metric_fields.h"

#include "stdlib/builtins.h"

namespace sftx {

const std::vector<MetricField>& metric_fields() {
  static const std::vector<MetricField> table = [] {
    std::vector<MetricField> out;
    for (const auto& f : builtin_functions()) out.insert(out.end(), f.fields.begin(), f.fields.end());
    return out;
  }();
  return table;
}

const MetricField* find_metric_field(std::string_view metric, std::string_view field) {
  for (const auto& f : metric_fields()) {
    if (f.metric != metric) continue;
    if (!f.per_k && f.field == field) return &f;
    if (f.per_k && field.size() > f.field.size() && field.substr(0, f.field.size()) == f.field) {
      std::string_view k = field.substr(f.field.size());
      bool digits = !k.empty();
      for (char c : k) digits &= c >= '0' && c <= '9';
      if (digits) return &f;
    }
  }
  return nullptr;
}

std::vector<std::string> metric_field_names(std::string_view metric) {
  std::vector<std::string> out;
  for (const auto& f : metric_fields())
    if (f.metric == metric) out.push_back(f.per_k ? f.field + "k" : f.field);
  return out;
}

const char* field_kind_name(FieldKind k) {
  switch (k) {
    case FieldKind::rate: return "rate";
    case FieldKind::value: return "value";
    case FieldKind::count: return "count";
  }
  return "value";
}

}  // namespace sftx
