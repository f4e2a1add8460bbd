// `math` and `gsm8k_test` records.
//
// math: GSM8K-RFT-like. Records come in groups of kPathsPerQuestion consecutive records that
// share one question (meta.question_id) and carry different correct solutions (order, wording,
// calculator annotations), as rejection-sampling fine-tuning collects several reasoning paths
// per question. meta: {"answer": "N", "question_id": "math-q17", "path": 0..}.
// gsm8k_test: one record per question from the held-out templates, the reference solution as
// the assistant message. meta: {"answer": "N", "question_id": "gsm8k-test-17"}.
// Both also record which template made the question (meta.template) for variety statistics.
#include "stdlib/synthetic/math_problem.h"
#include "stdlib/synthetic/synthetic.h"

namespace sftx::rt::synth {
namespace {
constexpr int64_t kPathsPerQuestion = 3;
}

int math_template_count() { return static_cast<int>(math_train_templates().size()); }
int gsm8k_test_template_count() { return static_cast<int>(math_test_templates().size()); }

Record math_record(uint64_t seed, int64_t index) {
  const int64_t qid = index / kPathsPerQuestion;
  const int path = static_cast<int>(index % kPathsPerQuestion);
  Rng rng = Rng::for_record(seed, "math-question", static_cast<uint64_t>(qid));
  const size_t tmpl = rng.below(math_train_templates().size());
  const MathProblem p = math_train_templates()[tmpl](rng);
  const std::vector<std::string> paths = render_solutions(p, rng, static_cast<int>(kPathsPerQuestion));
  Record r;
  r.messages = {{"user", p.question}, {"assistant", paths[static_cast<size_t>(path)]}};
  r.meta = {{"answer", std::to_string(p.answer())}, {"question_id", "math-q" + std::to_string(qid)}, {"path", path},
            {"template", static_cast<int64_t>(tmpl)}};
  return r;
}

Record gsm8k_test_record(uint64_t seed, int64_t index) {
  Rng rng = Rng::for_record(seed, "gsm8k_test", static_cast<uint64_t>(index));
  const size_t tmpl = rng.below(math_test_templates().size());
  const MathProblem p = math_test_templates()[tmpl](rng);
  Record r;
  r.messages = {{"user", p.question}, {"assistant", render_solutions(p, rng, 1)[0]}};
  r.meta = {{"answer", std::to_string(p.answer())}, {"question_id", "gsm8k-test-" + std::to_string(index)},
            {"template", static_cast<int64_t>(tmpl)}};
  return r;
}

}  // namespace sftx::rt::synth
