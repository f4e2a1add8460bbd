#include "stdlib/synthetic/synthetic.h"

#include <stdexcept>

#include "runtime/api.h"
#include "runtime/data/record_io.h"

namespace sftx::rt::synth {

const std::vector<std::string>& synthetic_kinds() {
  static const std::vector<std::string> kinds = {"math", "code", "general", "pretrain",
                                                 "gsm8k_test", "humaneval_test", "ifeval_test"};
  return kinds;
}

Record synthetic_record(const std::string& kind, uint64_t seed, int64_t index) {
  Record r;
  if (kind == "math") r = math_record(seed, index);
  else if (kind == "code") r = code_record(seed, index);
  else if (kind == "general") r = general_record(seed, index);
  else if (kind == "pretrain") r = pretrain_record(seed, index);
  else if (kind == "gsm8k_test") r = gsm8k_test_record(seed, index);
  else if (kind == "humaneval_test") r = humaneval_test_record(seed, index);
  else if (kind == "ifeval_test") r = ifeval_test_record(seed, index);
  else {
    std::string known;
    for (const auto& k : synthetic_kinds()) known += (known.empty() ? "" : ", ") + k;
    throw std::invalid_argument("unknown synthetic kind \"" + kind + "\" (known: " + known + ")");
  }
  r.source = "synthetic:" + kind;
  r.origin = "synthetic:" + kind + "#" + std::to_string(index);
  return r;
}

}  // namespace sftx::rt::synth

namespace sftx::rt {

DataStats generate_synthetic(const std::string& kind, int64_t n, uint64_t seed, const std::string& out_jsonl) {
  if (n < 0) throw std::invalid_argument("synthetic(\"" + kind + "\"): n must be >= 0, got " + std::to_string(n));
  synth::synthetic_record(kind, seed, 0);  // reject an unknown kind before creating the file
  RecordWriter out(out_jsonl);
  for (int64_t i = 0; i < n; ++i) out.write(synth::synthetic_record(kind, seed, i));
  out.close();
  DataStats st;
  st.records = n;
  st.details = {{"kind", kind}, {"seed", seed}};
  return st;
}

}  // namespace sftx::rt
