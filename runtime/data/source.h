// Reading a dataset file (SourceSpec: path, container, format, on_error) into Records.
// read_source (runtime/api.h) writes them as JSONL; for_each_source_record hands them to a
// callback. Both stream: a JSONL source holds one line at a time, a JSON-array source one
// chunk plus one element (json_array_reader.h).
#pragma once

#include <functional>

#include "runtime/api.h"
#include "runtime/data/record.h"

namespace sftx::rt {

// Calls fn for every well-formed record (source and origin = "PATH:LINE" filled in).
// A malformed line throws DataError "PATH:LINE: what is wrong", unless spec.on_error is
// "skip": then it is counted in stats.skipped and its origin and reason listed (the first
// few) in stats.details["skipped_lines"]. stats.records counts the records passed to fn.
void for_each_source_record(const SourceSpec& spec, const std::function<void(Record&&)>& fn, DataStats& stats);

}  // namespace sftx::rt
