#include "stdlib/synthetic/synthetic.h"

#include <algorithm>
#include <stdexcept>

#include "runtime/api.h"
#include "runtime/base/strings.h"
#include "runtime/data/record_io.h"
#include "stdlib/synthetic/micro.h"

namespace sftx::rt::synth {

namespace {

// `micro` and `micro2` (docs/micro-scale.md): micro2 changes maths and the code test's names;
// its general chat is micro's.
Record micro_record(const std::string& kind, const std::string& level, uint64_t seed, int64_t index) {
  const bool micro2 = level == "micro2";
  if (kind == "math") return micro2 ? micro2_math_record(seed, index) : micro_math_record(seed, index);
  if (kind == "gsm8k_test") return micro2 ? micro2_gsm8k_test_record(seed, index) : micro_gsm8k_test_record(seed, index);
  if (kind == "code") return micro_code_record(seed, index, level);
  if (kind == "humaneval_test") return micro_humaneval_test_record(seed, index, level);
  if (kind == "general") return micro_general_record(seed, index);
  if (kind == "ifeval_test") return micro_ifeval_test_record(seed, index);
  throw std::invalid_argument("synthetic kind \"" + kind + "\" has no level \"" + level + "\"");
}

}  // namespace

Record synthetic_record(const std::string& kind, uint64_t seed, int64_t index, const std::string& level) {
  if (level != "paper") {
    const auto& levels = synthetic_levels();
    if (std::find(levels.begin(), levels.end(), level) == levels.end()) {
      throw std::invalid_argument("unknown synthetic level \"" + level + "\" (known: " + join_names(levels) + ")");
    }
    Record r = micro_record(kind, level, seed, index);
    // The level is part of the name, so reports tell a micro record from a paper one.
    r.source = "synthetic:" + kind + "@" + level;
    r.origin = r.source + "#" + std::to_string(index);
    return r;
  }
  Record r;
  if (kind == "math") r = math_record(seed, index);
  else if (kind == "code") r = code_record(seed, index);
  else if (kind == "general") r = general_record(seed, index);
  else if (kind == "pretrain") r = pretrain_record(seed, index);
  else if (kind == "gsm8k_test") r = gsm8k_test_record(seed, index);
  else if (kind == "humaneval_test") r = humaneval_test_record(seed, index);
  else if (kind == "ifeval_test") r = ifeval_test_record(seed, index);
  else {
    throw std::invalid_argument("unknown synthetic kind \"" + kind + "\" (known: " + join_names(synthetic_kinds()) + ")");
  }
  r.source = "synthetic:" + kind;
  r.origin = "synthetic:" + kind + "#" + std::to_string(index);
  return r;
}

}  // namespace sftx::rt::synth

namespace sftx::rt {

DataStats generate_synthetic(const std::string& kind, int64_t n, uint64_t seed, const std::string& out_jsonl,
                             const std::string& level) {
  if (n < 0) throw std::invalid_argument("synthetic(\"" + kind + "\"): n must be >= 0, got " + std::to_string(n));
  synth::synthetic_record(kind, seed, 0, level);  // reject an unknown kind or level before creating the file
  RecordWriter out(out_jsonl);
  for (int64_t i = 0; i < n; ++i) out.write(synth::synthetic_record(kind, seed, i, level));
  out.close();
  DataStats st;
  st.records = n;
  st.details = {{"kind", kind}, {"seed", seed}};
  if (level != "paper") st.details["level"] = level;
  return st;
}

}  // namespace sftx::rt
