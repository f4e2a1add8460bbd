// The micro2 level (docs/micro-scale.md, "micro2"): one-step maths with one-digit operands,
// test items that differ from training in values only, and a split that decontamination
// cannot fault.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include <unistd.h>

#include "runtime/api.h"
#include "runtime/data/record_io.h"
#include "stdlib/synthetic/micro.h"
#include "stdlib/synthetic/micro_split.h"
#include "stdlib/synthetic/synthetic.h"

namespace fs = std::filesystem;
using namespace sftx::rt;
using nlohmann::json;

namespace {

// Each wording's operation, written again from the wording (not from the generator).
const std::map<std::string, char> kOperationOf = {{"add_more", '+'},  {"add_colours", '+'}, {"sub_give", '-'},
                                                  {"sub_lose", '-'},  {"mul_bags", '*'},    {"mul_cost", '*'},
                                                  {"div_boxes", '/'}, {"div_share", '/'}};

std::vector<Record> records(const std::string& kind, uint64_t seed, int64_t n) {
  std::vector<Record> out;
  for (int64_t i = 0; i < n; ++i) out.push_back(synth::synthetic_record(kind, seed, i, "micro2"));
  return out;
}

std::string values_of(const Record& r) { return r.meta["values"].dump(); }
std::string tuple_of(const Record& r) { return r.meta["template"].get<std::string>() + values_of(r); }
std::string operation_tuple_of(const Record& r) {
  return std::string(1, kOperationOf.at(r.meta["template"].get<std::string>())) + values_of(r);
}

bool has_word(const std::string& text, const std::string& w) {
  return std::regex_search(text, std::regex("\\b" + w + "\\b"));
}

}  // namespace

TEST_CASE("micro2 records depend only on (kind, level, seed, index) and differ from micro's", "[synthetic][micro2]") {
  for (const std::string kind : {"math", "code", "general", "gsm8k_test", "humaneval_test", "ifeval_test"}) {
    INFO(kind);
    CHECK(synth::synthetic_kind_has_level(kind, "micro2"));
    for (int64_t i = 0; i < 20; ++i) {
      const Record a = synth::synthetic_record(kind, 5, i, "micro2");
      CHECK(to_json(a) == to_json(synth::synthetic_record(kind, 5, i, "micro2")));
      CHECK(a.source == "synthetic:" + kind + "@micro2");
    }
  }
  // Maths and code are new streams; general chat is micro's own.
  CHECK(to_json(synth::synthetic_record("math", 5, 0, "micro2"))["messages"] !=
        to_json(synth::synthetic_record("math", 5, 0, "micro"))["messages"]);
  CHECK(to_json(synth::synthetic_record("general", 5, 0, "micro2"))["messages"] ==
        to_json(synth::synthetic_record("general", 5, 0, "micro"))["messages"]);
  CHECK_FALSE(synth::synthetic_kind_has_level("pretrain", "micro2"));
}

TEST_CASE("every micro2 maths problem is one step with one-digit operands and a right answer", "[synthetic][micro2]") {
  static const std::regex calc(R"((\d+) ([-+*/]) (\d+) = (\d+))");
  std::set<std::string> wordings;
  for (const std::string kind : {"math", "gsm8k_test"})
    for (const Record& r : records(kind, 9, 600)) {
      INFO(kind << "\n" << r.messages[0].content << "\n" << r.messages[1].content);
      const std::string wording = r.meta["template"];
      wordings.insert(wording);
      const auto v = r.meta["values"].get<std::vector<int64_t>>();
      REQUIRE(v.size() == 2);
      const char op = kOperationOf.at(wording);
      // The operands of every fact are one digit: a + b, and a - b = c with b, c one digit.
      const int64_t answer = op == '+' ? v[0] + v[1] : op == '-' ? v[0] - v[1] : op == '*' ? v[0] * v[1] : v[0] / v[1];
      if (op == '/') CHECK(v[0] % v[1] == 0);
      for (int64_t x : {op == '-' || op == '/' ? answer : v[0], v[1]}) {
        CHECK(x >= 1);
        CHECK(x <= 9);
      }
      CHECK(r.meta["answer"] == std::to_string(answer));
      CHECK(has_word(r.messages[0].content, std::to_string(v[0])));
      CHECK(has_word(r.messages[0].content, std::to_string(v[1])));
      const std::string sol = r.messages[1].content;
      CHECK(sol.substr(sol.rfind('\n') + 1) == "#### " + std::to_string(answer));
      CHECK(std::count(sol.begin(), sol.end(), '\n') == 1);  // one step, then "#### N"
      std::smatch m;
      REQUIRE(std::regex_search(sol, m, calc));
      CHECK(m[2].str()[0] == op);
      CHECK(std::stoll(m[4]) == answer);
    }
  CHECK(wordings.size() == kOperationOf.size());
  CHECK(synth::micro2_math_template_count() == static_cast<int>(kOperationOf.size()));
}

TEST_CASE("micro2 test items differ from training in values only", "[synthetic][micro2]") {
  // Maths: no (wording, operands) tuple on both sides; every test fact is in training under the
  // other wording; names are shared.
  std::set<std::string> train_tuples, train_operations;
  std::string train_text;
  for (uint64_t seed : {1, 2})
    for (const Record& r : records("math", seed, 3000)) {
      train_tuples.insert(tuple_of(r));
      train_operations.insert(operation_tuple_of(r));
      train_text += r.messages[0].content + "\n";
    }
  int fact_in_training = 0, test_items = 0;
  std::string test_text;
  for (const Record& r : records("gsm8k_test", 1, 500)) {
    INFO(r.messages[0].content);
    CHECK(train_tuples.count(tuple_of(r)) == 0);
    fact_in_training += train_operations.count(operation_tuple_of(r));
    ++test_items;
    test_text += r.messages[0].content + "\n";
  }
  // By construction every held-out fact has a training wording; 6,000 draws see nearly all.
  CHECK(fact_in_training >= test_items * 95 / 100);
  for (const auto& n : synth::micro_names(synth::MicroSplit::train)) {
    CHECK(has_word(train_text, n));
    CHECK(has_word(test_text, n));
  }
  for (const auto& n : synth::micro_names(synth::MicroSplit::test)) CHECK_FALSE(has_word(test_text, n));

  // Code: the test side's function names are training names, its constants are held out, and
  // every test function holds a constant.
  std::set<std::string> train_names, train_functions;
  for (const Record& r : records("code", 3, 1500)) {
    train_names.insert(r.meta["entry_point"].get<std::string>());
    train_functions.insert(r.meta["canonical_solution"].get<std::string>() + r.meta["entry_point"].get<std::string>());
  }
  std::set<int64_t> test_families;
  for (const Record& r : records("humaneval_test", 3, 300)) {
    INFO(r.meta["prompt"].get<std::string>());
    CHECK(train_names.count(r.meta["entry_point"].get<std::string>()) == 1);
    CHECK(train_functions.count(r.meta["canonical_solution"].get<std::string>() +
                                r.meta["entry_point"].get<std::string>()) == 0);
    test_families.insert(r.meta["family"].get<int64_t>());
  }
  CHECK(test_families == std::set<int64_t>{0, 1, 2, 4, 9, 11});  // six families with a constant
}

TEST_CASE("decontaminate removes no micro2 training record against the micro2 test sets",
          "[synthetic][micro2][decontaminate]") {
  const fs::path dir = fs::temp_directory_path() / ("sftx_micro2_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto gen = [&](const std::string& kind, int64_t n, uint64_t seed) {
    const std::string p = (dir / (kind + std::to_string(seed) + ".jsonl")).string();
    generate_synthetic(kind, n, seed, p, "micro2");
    return p;
  };
  const std::vector<std::string> tests = {gen("gsm8k_test", 400, 1), gen("humaneval_test", 200, 1),
                                          gen("ifeval_test", 400, 1)};
  for (const std::string kind : {"math", "code", "general"}) {
    INFO(kind);
    std::vector<std::string> inputs = {gen(kind, 2000, 2)};
    inputs.insert(inputs.end(), tests.begin(), tests.end());
    const DataStats st = apply_transform("decontaminate", json::object(), inputs, (dir / "clean.jsonl").string(), 0);
    INFO(st.details.dump(1));
    CHECK(st.removed == 0);
    CHECK(st.records == 2000);
  }
  // Not vacuous: the maths test set against itself loses every record.
  CHECK(apply_transform("decontaminate", json::object(), {tests[0], tests[0]}, (dir / "self.jsonl").string(), 0)
            .records == 0);
  fs::remove_all(dir);
}
