// Reading the evaluation data: records JSONL (runtime/data/record.h) as data operations write it.
#pragma once

#include <string>
#include <vector>

#include "runtime/data/record.h"

namespace sftx::rt {

// Throws std::runtime_error "PATH:LINE: ..." for a line that is not a record.
std::vector<Record> load_eval_records(const std::string& jsonl_path);

}  // namespace sftx::rt
