// The micro level: deterministic, correct, and split cleanly between train and test. The
// checks that need the metrics' own machinery (the HumanEval sandbox, the IFEval checker) are
// in runtime/eval/micro_synthetic_test.cc.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include <unistd.h>

#include "runtime/api.h"
#include "runtime/data/record_io.h"
#include "stdlib/synthetic/instructions.h"
#include "stdlib/synthetic/micro.h"
#include "stdlib/synthetic/micro_split.h"
#include "stdlib/synthetic/micro_topics.h"
#include "stdlib/synthetic/synthetic.h"

namespace fs = std::filesystem;
using namespace sftx::rt;
using nlohmann::json;

namespace {

const std::vector<std::string> kMicroKinds = {"math", "code", "general", "gsm8k_test", "humaneval_test", "ifeval_test"};

// The answer of each template, written again from its wording (not from the generator).
int64_t expected_answer(const std::string& tmpl, const std::vector<int64_t>& v) {
  if (tmpl == "add_more") return v[0] + v[1];
  if (tmpl == "give_away") return v[0] - v[1];
  if (tmpl == "bags" || tmpl == "cost") return v[0] * v[1];
  if (tmpl == "equal_boxes") return v[0] / v[1];
  if (tmpl == "buy_then_give") return v[0] + v[1] - v[2];
  if (tmpl == "together") return v[0] + (v[0] + v[1]);
  if (tmpl == "change") return v[2] - v[0] * v[1];
  if (tmpl == "pages") return v[0] * v[1] + v[2];
  if (tmpl == "lose_and_give") return v[0] - v[1] - v[2];
  if (tmpl == "boxes_buy_give") return v[0] * v[1] + v[2] - v[3];
  if (tmpl == "earn_spend_gift") return v[0] * v[1] - v[2] + v[3];
  FAIL("unknown micro math template " << tmpl);
  return 0;
}

bool has_word(const std::string& text, const std::string& w) {
  return std::regex_search(text, std::regex("\\b" + w + "\\b"));
}

std::string tuple_key(const Record& r) { return r.meta["template"].get<std::string>() + r.meta["values"].dump(); }

// What a code task's docstring fixes besides names: its numbers and quoted characters.
std::string code_constant(const Record& r) {
  const std::string prompt = r.meta["prompt"];
  const std::string doc = prompt.substr(prompt.find("\"\"\"") + 3, prompt.find(">>>") - prompt.find("\"\"\"") - 3);
  std::string out;
  static const std::regex token(R"(\d+|'[a-z]')");
  for (std::sregex_iterator it(doc.begin(), doc.end(), token), end; it != end; ++it) out += it->str() + " ";
  return out;
}

fs::path scratch() {
  const fs::path dir = fs::temp_directory_path() / ("sftx_micro_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

}  // namespace

TEST_CASE("micro records depend only on (kind, level, seed, index)", "[synthetic][micro]") {
  for (const auto& kind : kMicroKinds) {
    INFO(kind);
    CHECK(synth::synthetic_kind_has_level(kind, "micro"));
    int other_seed_differs = 0;
    for (int64_t i = 0; i < 40; ++i) {
      const Record a = synth::synthetic_record(kind, 5, i, "micro");
      const Record b = synth::synthetic_record(kind, 5, i, "micro");
      CHECK(to_json(a) == to_json(b));
      CHECK(a.source == "synthetic:" + kind + "@micro");
      CHECK(a.origin == "synthetic:" + kind + "@micro#" + std::to_string(i));
      // The paper level is another record; another seed mostly too (small spaces repeat).
      CHECK(to_json(a)["messages"] != to_json(synth::synthetic_record(kind, 5, i))["messages"]);
      other_seed_differs += to_json(a)["messages"] != to_json(synth::synthetic_record(kind, 6, i, "micro"))["messages"];
    }
    CHECK(other_seed_differs >= 30);
  }
  CHECK_FALSE(synth::synthetic_kind_has_level("pretrain", "micro"));
  CHECK(synth::synthetic_kind_has_level("pretrain", "paper"));
  CHECK_FALSE(synth::synthetic_kind_has_level("math", "hard"));
  CHECK_THROWS_WITH(synth::synthetic_record("pretrain", 1, 0, "micro"), Catch::Contains("no level \"micro\""));
  CHECK_THROWS_WITH(synth::synthetic_record("math", 1, 0, "mikro"), Catch::Contains("unknown synthetic level"));

  // generate_synthetic: a larger n extends a smaller one; the level is in the stats.
  const fs::path dir = scratch();
  const DataStats st = generate_synthetic("math", 30, 3, (dir / "a.jsonl").string(), "micro");
  CHECK(st.details["level"] == "micro");
  CHECK_FALSE(generate_synthetic("math", 30, 3, (dir / "p.jsonl").string()).details.contains("level"));
  generate_synthetic("math", 10, 3, (dir / "b.jsonl").string(), "micro");
  std::vector<Record> a, b;
  for_each_record((dir / "a.jsonl").string(), [&](Record&& r, int64_t) { a.push_back(std::move(r)); });
  for_each_record((dir / "b.jsonl").string(), [&](Record&& r, int64_t) { b.push_back(std::move(r)); });
  REQUIRE(b.size() == 10);
  for (size_t i = 0; i < b.size(); ++i) CHECK(to_json(a[i]) == to_json(b[i]));
  fs::remove_all(dir);
}

TEST_CASE("every micro math answer is right, small and reached in 1-3 steps", "[synthetic][micro][math]") {
  static const std::regex calc(R"((\d+) ([-+*/]) (\d+) = (\d+))");
  std::map<std::string, int> templates;
  std::map<size_t, int> steps_seen;
  for (const std::string kind : {"math", "gsm8k_test"}) {
    for (int64_t i = 0; i < 600; ++i) {
      const Record r = synth::synthetic_record(kind, 9, i, "micro");
      INFO(kind << " " << i << "\n" << r.messages[0].content << "\n" << r.messages[1].content);
      const std::string tmpl = r.meta["template"];
      const auto values = r.meta["values"].get<std::vector<int64_t>>();
      ++templates[tmpl];
      const int64_t answer = expected_answer(tmpl, values);
      CHECK(r.meta["answer"] == std::to_string(answer));
      CHECK(answer >= 0);
      CHECK(answer < 200);
      for (int64_t v : values) CHECK(has_word(r.messages[0].content, std::to_string(v)));
      // Each solution line but the last holds one correct calculation; the last is "#### N".
      const std::string sol = r.messages[1].content;
      const std::string last = sol.substr(sol.rfind('\n') + 1);
      CHECK(last == "#### " + std::to_string(answer));
      size_t steps = 0;
      int64_t final_result = -1;
      for (std::sregex_iterator it(sol.begin(), sol.end(), calc), end; it != end; ++it, ++steps) {
        const int64_t a = std::stoll((*it)[1]), b = std::stoll((*it)[3]), c = std::stoll((*it)[4]);
        const char op = (*it)[2].str()[0];
        const int64_t want = op == '+' ? a + b : op == '-' ? a - b : op == '*' ? a * b : (b && a % b == 0 ? a / b : -1);
        CHECK(c == want);
        CHECK(c < 200);
        final_result = c;
      }
      CHECK(final_result == answer);
      CHECK(steps >= 1);
      CHECK(steps <= 3);
      CHECK(std::count(sol.begin(), sol.end(), '\n') == static_cast<long>(steps));
      ++steps_seen[steps];
    }
  }
  CHECK(templates.size() == static_cast<size_t>(synth::micro_math_template_count()));
  CHECK(steps_seen[1] + steps_seen[2] > 4 * steps_seen[3]);  // mostly one or two steps
  CHECK(steps_seen[3] > 0);
}

TEST_CASE("micro train and test share no value tuple, name, constant or topic", "[synthetic][micro]") {
  // math: (template, values) tuples and person names.
  std::set<std::string> train_tuples, test_tuples;
  std::string train_text, test_text;
  for (uint64_t seed : {1, 2})
    for (int64_t i = 0; i < 1500; ++i) {
      const Record r = synth::synthetic_record("math", seed, i, "micro");
      train_tuples.insert(tuple_key(r));
      train_text += r.messages[0].content + "\n";
    }
  for (uint64_t seed : {1, 7})
    for (int64_t i = 0; i < 500; ++i) {
      const Record r = synth::synthetic_record("gsm8k_test", seed, i, "micro");
      test_tuples.insert(tuple_key(r));
      test_text += r.messages[0].content + "\n";
    }
  CHECK(train_tuples.size() > 300);
  CHECK(test_tuples.size() > 150);
  for (const auto& t : test_tuples) CHECK(train_tuples.count(t) == 0);
  for (const auto& n : synth::micro_names(synth::MicroSplit::test)) CHECK_FALSE(has_word(train_text, n));
  for (const auto& n : synth::micro_names(synth::MicroSplit::train)) CHECK_FALSE(has_word(test_text, n));
  for (const auto& n : synth::micro_names(synth::MicroSplit::train)) CHECK(has_word(train_text, n));
  // The split is a fixed function of the tuple: the check above could fail if it were not.
  CHECK(synth::micro_split_of("math:add_more", {3, 4}) == synth::micro_split_of("math:add_more", {3, 4}));

  // code: same families, other constants, entry points and prompts.
  std::set<std::string> train_names, test_names, train_constants, test_constants;
  std::set<int64_t> train_families, test_families;
  for (int64_t i = 0; i < 1500; ++i) {
    const Record r = synth::synthetic_record("code", 3, i, "micro");
    train_names.insert(r.meta["entry_point"].get<std::string>());
    train_families.insert(r.meta["family"].get<int64_t>());
    const std::string c = code_constant(r);
    if (!c.empty()) train_constants.insert(std::to_string(r.meta["family"].get<int64_t>()) + ":" + c);
  }
  for (int64_t i = 0; i < 500; ++i) {
    const Record r = synth::synthetic_record("humaneval_test", 3, i, "micro");
    test_names.insert(r.meta["entry_point"].get<std::string>());
    test_families.insert(r.meta["family"].get<int64_t>());
    const std::string c = code_constant(r);
    if (!c.empty()) test_constants.insert(std::to_string(r.meta["family"].get<int64_t>()) + ":" + c);
  }
  CHECK(train_families.size() == static_cast<size_t>(synth::micro_code_family_count()));
  CHECK(test_families == train_families);
  CHECK(test_constants.size() > 10);
  for (const auto& n : test_names) CHECK(train_names.count(n) == 0);
  for (const auto& c : test_constants) CHECK(train_constants.count(c) == 0);

  // general: topics.
  std::set<std::string> train_topics, test_topics;
  for (int64_t i = 0; i < 500; ++i) {
    train_topics.insert(synth::synthetic_record("general", 4, i, "micro").meta["topic"].get<std::string>());
    test_topics.insert(synth::synthetic_record("ifeval_test", 4, i, "micro").meta["topic"].get<std::string>());
  }
  CHECK(train_topics.size() == synth::micro_topics(synth::MicroSplit::train).size());
  CHECK(test_topics.size() == synth::micro_topics(synth::MicroSplit::test).size());
  for (const auto& t : test_topics) CHECK(train_topics.count(t) == 0);
}

TEST_CASE("decontaminate removes no micro training record against the micro test sets", "[synthetic][micro][decontaminate]") {
  const fs::path dir = scratch();
  auto gen = [&](const std::string& kind, int64_t n, uint64_t seed) {
    const std::string p = (dir / (kind + std::to_string(seed) + ".jsonl")).string();
    generate_synthetic(kind, n, seed, p, "micro");
    return p;
  };
  const std::vector<std::string> tests = {gen("gsm8k_test", 400, 1), gen("humaneval_test", 200, 1),
                                          gen("ifeval_test", 400, 1)};
  for (const std::string kind : {"math", "code", "general"}) {
    for (uint64_t seed : {1, 2}) {
      INFO(kind << " seed " << seed);
      std::vector<std::string> inputs = {gen(kind, 1500, seed)};
      inputs.insert(inputs.end(), tests.begin(), tests.end());
      const DataStats st =
          apply_transform("decontaminate", json::object(), inputs, (dir / (kind + "_clean.jsonl")).string(), 0);
      INFO(st.details.dump(1));
      CHECK(st.removed == 0);
      CHECK(st.records == 1500);
    }
  }
  // Not vacuous: a test set decontaminated against itself loses every record.
  for (const auto& t : tests) {
    const DataStats self = apply_transform("decontaminate", json::object(), {t, t}, (dir / "self.jsonl").string(), 0);
    CHECK(self.records == 0);
  }
  fs::remove_all(dir);
}

TEST_CASE("micro conversations are short", "[synthetic][micro]") {
  // Whole conversations fit seq_len 128-256: well under 100 words per answer, 160 in all.
  for (const auto& kind : kMicroKinds)
    for (int64_t i = 0; i < 300; ++i) {
      const Record r = synth::synthetic_record(kind, 11, i, "micro");
      INFO(kind << " " << i);
      REQUIRE(r.messages.size() == 2);
      CHECK(synth::count_words(r.messages[1].content) < 80);
      CHECK(synth::count_words(r.messages[0].content) + synth::count_words(r.messages[1].content) < 160);
    }
}

TEST_CASE("a code family's constants are split one in five, each side non-empty", "[synthetic][micro]") {
  for (const auto& [lo, hi] : std::vector<std::pair<int64_t, int64_t>>{{1, 20}, {2, 9}, {1, 10}, {0, 11}, {2, 3}}) {
    const auto train = synth::micro_constants_on(synth::MicroSplit::train, "code:probe", lo, hi);
    const auto test = synth::micro_constants_on(synth::MicroSplit::test, "code:probe", lo, hi);
    const size_t size = static_cast<size_t>(hi - lo + 1);
    CHECK(test.size() == (size + 4) / 5);
    CHECK(train.size() + test.size() == size);
    for (int64_t v : test) CHECK(std::find(train.begin(), train.end(), v) == train.end());
  }
}
