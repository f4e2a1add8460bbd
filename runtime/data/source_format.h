// The dataset formats a source can have (the table is record_formats.h), and how each becomes
// a Record. Field layouts are those of the public datasets:
//   alpaca    {"instruction", "input"?, "output"}        (Stanford Alpaca, Code Alpaca)
//   sharegpt  {"conversations": [{"from", "value"}]}      (ShareGPT/Vicuna dumps; from = human,
//             user, gpt, assistant, chatgpt, bing, bard, model, system)
//   messages  {"messages": [{"role", "content"}]}         (OpenAI style; also our own records)
//   gsm8k     {"question", "answer"}, answer ending "#### N" (GSM8K, GSM8K-RFT)
//   humaneval {"task_id", "prompt", "canonical_solution", "test", "entry_point"}
//   text      {"text"}                                    (plain text, pretraining style)
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/data/record.h"
#include "runtime/data/record_formats.h"

namespace sftx::rt {

const std::vector<std::string>& known_formats();  // the names of record_formats(), in order
bool is_known_format(const std::string& format);

// A problem with one input object, reported by the caller as "PATH:LINE: <what>".
struct FormatError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Converts one parsed input object into a Record (messages and meta; the caller sets source
// and origin). Throws FormatError naming the field and format, e.g.
// `missing field "output" (format alpaca)`.
Record record_from_format(const nlohmann::json& object, const std::string& format);

// The final answer of a GSM8K solution: the number after the last "####", commas and a
// trailing period removed ("#### 1,234" -> "1234"). Empty when there is no "####".
std::string gsm8k_final_answer(const std::string& answer);

}  // namespace sftx::rt
