// `code` and `humaneval_test` records.
//
// code: a Code-Alpaca-like request for one small Python function and the function as the
// answer (in a code fence or bare, sometimes with a sentence around it).
//   meta: {"entry_point": NAME, "tests": "assert NAME(...) == ...\n..." (3-5 lines), "family": ...}
// humaneval_test: the public HumanEval layout in meta — task_id "SynthEval/N", prompt
// (signature + docstring with one example), canonical_solution (the body), test
// ("def check(candidate): ..."), entry_point; the user message is the prompt and the
// assistant message the canonical solution.
#include <set>
#include <stdexcept>

#include "stdlib/synthetic/code_task.h"
#include "stdlib/synthetic/synthetic.h"
#include "stdlib/synthetic/text_util.h"

namespace sftx::rt::synth {
namespace {

std::vector<std::pair<std::string, std::string>> examples(const CodeTask& t, Rng& rng, int n) {
  std::vector<std::pair<std::string, std::string>> out;
  std::set<std::string> seen;
  for (int attempt = 0; static_cast<int>(out.size()) < n && attempt < 20 * n; ++attempt) {
    auto e = t.example(rng);
    if (seen.insert(e.first).second) out.push_back(std::move(e));
  }
  return out;
}

std::string request(const CodeTask& t, Rng& rng) {
  const std::string sig = t.name + "(" + join(t.params, ", ") + ")";
  switch (rng.below(6)) {
    case 0: return "Write a Python function `" + sig + "` that " + t.description + ".";
    case 1: return "Create a function named " + t.name + " that " + t.description + ".";
    case 2: return "Implement " + sig + " in Python. It " + t.description + ".";
    case 3: return "I need a Python function called " + t.name + " which " + t.description + ". Can you write it?";
    case 4: return "Write Python code for a function " + t.name + " that takes " + join(t.params, " and ") + " and " +
                   t.description + ".";
    default: return "Generate a Python function " + sig + ": it " + t.description + ".";
  }
}

std::string answer(const std::string& code, const CodeTask& t, Rng& rng) {
  switch (rng.below(5)) {
    case 0: return "```python\n" + code + "```";
    case 1: return "Here is the function:\n\n```python\n" + code + "```";
    case 2: return code;
    case 3: return "```python\n" + code + "```\n\nThe function " + t.description + ".";
    default: return "Sure. `" + t.name + "` " + t.description + ":\n\n```python\n" + code + "```";
  }
}

}  // namespace

int code_family_count() { return static_cast<int>(code_train_families().size()); }
int humaneval_test_family_count() { return static_cast<int>(code_test_families().size()); }

Record code_record(uint64_t seed, int64_t index) {
  Rng rng = Rng::for_record(seed, "code", static_cast<uint64_t>(index));
  const size_t family = rng.below(code_train_families().size());
  const CodeTask t = code_train_families()[family](rng);
  const std::string code = t.signature() + "\n" + rng.pick(t.bodies);
  std::string tests;
  for (const auto& [args, expect] : examples(t, rng, static_cast<int>(rng.range(3, 5))))
    tests += "assert " + t.name + "(" + args + ") == " + expect + "\n";
  Record r;
  const std::string req = request(t, rng);
  r.messages = {{"user", req}, {"assistant", answer(code, t, rng)}};
  r.meta = {{"entry_point", t.name}, {"tests", tests}, {"family", static_cast<int64_t>(family)}};
  return r;
}

Record humaneval_test_record(uint64_t seed, int64_t index) {
  Rng rng = Rng::for_record(seed, "humaneval_test", static_cast<uint64_t>(index));
  const CodeTask t = rng.pick(code_test_families())(rng);
  const auto ex = examples(t, rng, 6);
  if (ex.size() < 2) throw std::logic_error("humaneval_test family " + t.name + " produced fewer than two examples");
  std::string doc = t.description;
  if (doc.rfind("returns ", 0) == 0) doc = "Return " + doc.substr(8);
  const std::string prompt = t.signature() + "\n    \"\"\"" + cap(doc) + ".\n    >>> " + t.name + "(" + ex[0].first +
                             ")\n    " + ex[0].second + "\n    \"\"\"\n";
  std::string test = "\n\nMETADATA = {}\n\n\ndef check(candidate):\n";
  for (size_t i = 1; i < ex.size(); ++i) test += "    assert candidate(" + ex[i].first + ") == " + ex[i].second + "\n";
  const std::string body = t.bodies.front();
  Record r;
  r.messages = {{"user", prompt}, {"assistant", body}};
  r.meta = {{"task_id", "SynthEval/" + std::to_string(index)},
            {"prompt", prompt},
            {"canonical_solution", body},
            {"test", test},
            {"entry_point", t.name}};
  return r;
}

}  // namespace sftx::rt::synth
