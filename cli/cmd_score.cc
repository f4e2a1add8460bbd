// sftx score humaneval|gsm8k — score model outputs made elsewhere, field-compatible with the
// public harnesses (contract §8). The work is in runtime/eval/score_files.h.
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include <fmt/core.h>

#include "commands.h"
#include "runtime/eval/score_files.h"

namespace sftx::cli {
namespace {

struct ScoreOptions {
  std::string input;
  std::string reference;
  std::string ks = "1";
  double timeout_s = 10.0;
  int workers = 0;
};

// "1,10" -> {1, 10}; throws CLI::ValidationError on anything else.
std::vector<int64_t> parse_ks(const std::string& text) {
  std::vector<int64_t> ks;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    size_t used = 0;
    long long k = 0;
    try {
      k = std::stoll(part, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != part.size() || part.empty() || k < 1)
      throw CLI::ValidationError("--k", "expected positive integers separated by commas, like 1,10 (got \"" + text + "\")");
    ks.push_back(k);
  }
  if (ks.empty()) throw CLI::ValidationError("--k", "expected at least one k");
  return ks;
}

void print_summary(const rt::FileScore& s, const char* unit) {
  fmt::print("{}\n", s.scores.dump());
  fmt::print(stderr, "scored {} {} over {} problems; per-sample results in {}\n", s.samples, unit, s.problems,
             s.results_path);
  if (s.problems_missing > 0)
    fmt::print(stderr, "note: {} problems of the reference file were not attempted (scores cover attempted ones)\n",
               s.problems_missing);
  if (!s.isolation.empty()) fmt::print(stderr, "sandbox: {}\n", s.isolation);
}

}  // namespace

void add_score_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("score", "Score model outputs made elsewhere (HumanEval pass@k, GSM8K accuracy)");
  cmd->require_subcommand(1);
  cmd->footer(
      "Examples:\n"
      "  sftx score humaneval samples.jsonl --problems HumanEval.jsonl --k 1,10\n"
      "  sftx score gsm8k predictions.jsonl --answers test.jsonl");

  auto he = std::make_shared<ScoreOptions>();
  auto* h = cmd->add_subcommand("humaneval", "Run each completion with its tests in a sandbox; print pass@k");
  h->add_option("SAMPLES", he->input, "JSONL, one {\"task_id\", \"completion\"} per line (other fields kept)")
      ->required()
      ->check(CLI::ExistingFile);
  h->add_option("--problems", he->reference, "the HumanEval problems JSONL (task_id, prompt, test, entry_point)")
      ->required()
      ->check(CLI::ExistingFile);
  h->add_option("--k", he->ks, "comma-separated k values for pass@k")->capture_default_str();
  h->add_option("--timeout", he->timeout_s, "wall-clock seconds per sample")->capture_default_str()->check(CLI::PositiveNumber);
  h->add_option("--workers", he->workers, "samples run at once (0: one per core)")->capture_default_str();
  h->footer(
      "Each sample runs as prompt + completion + \"\\n\" + test + \"\\n\" + \"check(entry_point)\" in python3,\n"
      "in its own temporary directory, with no network, a read-only file system outside that\n"
      "directory, process/memory/CPU limits and a timeout (what the kernel allows; printed at the end).\n"
      "Writes SAMPLES_results.jsonl beside the input (each sample plus \"result\" and \"passed\") and\n"
      "prints {\"pass@1\": ...}; a k is reported only when every problem has at least k samples.\n\n"
      "Example:\n"
      "  sftx score humaneval samples.jsonl --problems HumanEval.jsonl --k 1,10 --timeout 5");
  h->callback([he, &exit_code] {
    rt::HumanEvalScoreOptions opt;
    opt.ks = parse_ks(he->ks);
    opt.timeout_s = he->timeout_s;
    opt.workers = he->workers;
    bool tty = isatty(2);
    try {
      auto s = rt::score_humaneval_file(he->input, he->reference, opt, [tty](int64_t done, int64_t total) {
        if (tty) fmt::print(stderr, "\rchecked {}/{}", done, total);
        if (tty && done == total) fmt::print(stderr, "\n");
      });
      print_summary(s, "samples");
      exit_code = 0;
    } catch (const std::system_error& e) {  // the machine's fault (a full disk), not the input's
      fmt::print(stderr, "sftx score humaneval: failed: {}\n", e.what());
      exit_code = 3;
    } catch (const std::runtime_error& e) {
      fmt::print(stderr, "sftx score humaneval: error: {}\n", e.what());
      exit_code = 1;
    } catch (const std::exception& e) {
      fmt::print(stderr, "sftx score humaneval: failed: {}\n", e.what());
      exit_code = 3;
    }
  });

  auto gs = std::make_shared<ScoreOptions>();
  auto* g = cmd->add_subcommand("gsm8k", "Extract each prediction's final number; print exact-match accuracy");
  g->add_option("PREDICTIONS", gs->input,
                "JSONL, one {\"completion\"} (or \"prediction\") per line, with \"idx\", \"task_id\" or \"question\"")
      ->required()
      ->check(CLI::ExistingFile);
  g->add_option("--answers", gs->reference, "the GSM8K test JSONL ({\"question\", \"answer\": \"... #### 72\"})")
      ->required()
      ->check(CLI::ExistingFile);
  g->footer(
      "Scored as lm-eval's gsm8k task: the predicted answer is the first \"#### N\", else the last\n"
      "number-like run in the text; commas, \"$\" and one trailing \".\" are removed; answers compare\n"
      "as strings (72.0 is not 72), as lm-eval's exact_match does.\n"
      "Predictions match answers by \"idx\" (0-based line), else \"task_id\" (trailing integer),\n"
      "else \"question\" (exact text), else by position. Writes PREDICTIONS_results.jsonl beside the\n"
      "input (each prediction plus \"extracted\", \"expected\", \"correct\") and prints\n"
      "{\"accuracy\": ..., \"correct\": ..., \"n\": ...}.\n\n"
      "Example:\n"
      "  sftx score gsm8k predictions.jsonl --answers grade-school-math/data/test.jsonl");
  g->callback([gs, &exit_code] {
    try {
      auto s = rt::score_gsm8k_file(gs->input, gs->reference);
      print_summary(s, "predictions");
      exit_code = 0;
    } catch (const std::system_error& e) {  // the machine's fault (a full disk), not the input's
      fmt::print(stderr, "sftx score gsm8k: failed: {}\n", e.what());
      exit_code = 3;
    } catch (const std::runtime_error& e) {
      fmt::print(stderr, "sftx score gsm8k: error: {}\n", e.what());
      exit_code = 1;
    } catch (const std::exception& e) {
      fmt::print(stderr, "sftx score gsm8k: failed: {}\n", e.what());
      exit_code = 3;
    }
  });
}

}  // namespace sftx::cli
