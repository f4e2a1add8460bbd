#include "runtime/eval/eval_records.h"

#include <stdexcept>

#include "runtime/base/jsonl.h"

namespace sftx::rt {

std::vector<Record> load_eval_records(const std::string& path) {
  std::vector<Record> out;
  for (const auto& row : read_jsonl_objects(path)) {
    try {
      out.push_back(record_from_json(row.value));
    } catch (const std::exception& e) {
      throw std::runtime_error(path + ":" + std::to_string(row.line) + ": not a record: " + e.what());
    }
    if (out.back().origin.empty()) out.back().origin = path + ":" + std::to_string(row.line);
  }
  return out;
}

}  // namespace sftx::rt
