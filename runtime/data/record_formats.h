// The record formats of a source (jsonl(...), json(...)): one row each, read by the runtime
// (source_format.cc converts an object by its row), by the checker (the `format` choices) and
// by the reference (`sftx builtins`, docs/builtins.md). Header-only so the front end, which
// does not link the data library, reads the same table.
//
// Most formats are a field mapping, converted by one generic routine: the user message is
// `user` with each {field} replaced by that field (a string, or a list of strings one per
// line), the assistant message is the field `assistant`, and the `meta` fields are copied into
// Record::meta as they are (the metrics read them there). The others (`user` null) have a
// converter of their own in source_format.cc.
#pragma once

#include <string>
#include <vector>

namespace sftx::rt {

struct RecordFormat {
  std::string name;
  std::string layout;                  // the fields, as the docs show them
  std::string user;                    // template of the user message ("" : own converter)
  std::string assistant;               // field holding the assistant message
  std::vector<std::string> meta;       // required fields copied into meta
  std::vector<std::string> optional_meta = {};  // copied when present
};

inline const std::vector<RecordFormat>& record_formats() {
  static const std::vector<RecordFormat> formats = {
      {"alpaca", "`instruction`, `input` (optional), `output`, `system` (optional)", "", "", {}},
      {"sharegpt", "`conversations`: `[{\"from\": \"human\" | \"gpt\" | \"system\", \"value\"}]`", "", "", {}},
      {"messages", "`messages`: `[{\"role\", \"content\"}]`", "", "", {}},
      {"gsm8k", "`question`, `answer` (ending `#### N`)", "", "", {}},
      {"humaneval", "`task_id`, `prompt`, `canonical_solution`, `test`, `entry_point`", "{prompt}",
       "canonical_solution", {"task_id", "prompt", "canonical_solution", "test", "entry_point"}},
      {"mbpp", "`task_id`, `text`, `code`, `test_list` (assert lines), `test_setup_code` (optional)",
       "{text}\nYour code should pass these tests:\n{test_list}", "code", {"task_id", "text", "code", "test_list"},
       {"test_setup_code"}},
      {"text", "`text`", "", "", {}},
  };
  return formats;
}

inline const RecordFormat* find_record_format(const std::string& name) {
  for (const auto& f : record_formats())
    if (f.name == name) return &f;
  return nullptr;
}

}  // namespace sftx::rt
