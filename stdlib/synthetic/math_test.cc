#include <catch2/catch.hpp>

#include <map>
#include <regex>
#include <set>

#include "stdlib/synthetic/math_problem.h"
#include "stdlib/synthetic/synthetic.h"

using namespace sftx::rt;

namespace {
// Evaluates "a op b op c" left to right with * and / before + and - (integers, exact division).
int64_t evaluate(const std::string& expr) {
  std::vector<int64_t> terms;
  std::vector<char> ops;
  std::regex tok(R"((\d+)|([-+*/]))");
  int64_t cur = 0;
  char pending = 0;
  std::vector<int64_t> values;
  std::vector<char> addops;
  for (auto it = std::sregex_iterator(expr.begin(), expr.end(), tok); it != std::sregex_iterator(); ++it) {
    const std::string t = it->str();
    if (std::isdigit(static_cast<unsigned char>(t[0]))) {
      const int64_t v = std::stoll(t);
      if (pending == '*') cur *= v;
      else if (pending == '/') {
        REQUIRE(v != 0);
        REQUIRE(cur % v == 0);
        cur /= v;
      } else cur = v;
      pending = 0;
    } else if (t == "*" || t == "/") {
      pending = t[0];
    } else {
      values.push_back(cur);
      addops.push_back(t[0]);
    }
  }
  values.push_back(cur);
  int64_t r = values[0];
  for (size_t i = 0; i < addops.size(); ++i) r = addops[i] == '+' ? r + values[i + 1] : r - values[i + 1];
  return r;
}

struct Checked {
  int calculations = 0;
  int64_t last_result = 0;
  std::string final_answer;
};

// Every calculation in a solution, in both styles, recomputed; the "#### N" line read.
Checked check_solution(const std::string& solution) {
  Checked c;
  const std::regex annotated(R"(<<([0-9+\-*/]+)=(-?\d+)>>(-?\d+))");
  const std::regex plain(R"((\d+(?: [-+*/] \d+)+) = (-?\d+))");
  for (auto it = std::sregex_iterator(solution.begin(), solution.end(), annotated); it != std::sregex_iterator(); ++it) {
    INFO((*it)[0].str());
    CHECK(evaluate((*it)[1]) == std::stoll((*it)[2]));
    CHECK((*it)[2] == (*it)[3]);
    ++c.calculations;
    c.last_result = std::stoll((*it)[2]);
  }
  for (auto it = std::sregex_iterator(solution.begin(), solution.end(), plain); it != std::sregex_iterator(); ++it) {
    INFO((*it)[0].str());
    CHECK(evaluate((*it)[1]) == std::stoll((*it)[2]));
    ++c.calculations;
    c.last_result = std::stoll((*it)[2]);
  }
  std::smatch m;
  REQUIRE(std::regex_search(solution, m, std::regex(R"(\n#### (-?\d+)$)")));
  c.final_answer = m[1];
  return c;
}
}  // namespace

TEST_CASE("math solutions compute correctly and end with #### answer", "[synthetic][math]") {
  for (int64_t i = 0; i < 450; ++i) {
    const Record r = synth::math_record(3, i);
    INFO(r.messages[1].content);
    REQUIRE(r.messages.size() == 2);
    CHECK(r.messages[0].role == "user");
    const Checked c = check_solution(r.messages[1].content);
    CHECK(c.calculations >= 2);  // multi-step
    CHECK(c.final_answer == r.meta["answer"].get<std::string>());
    CHECK(std::to_string(c.last_result) == c.final_answer);  // the last calculation gives the answer
    CHECK(std::stoll(c.final_answer) > 0);
  }
}

TEST_CASE("math gives several different correct reasoning paths per question (RFT)", "[synthetic][math]") {
  std::map<std::string, std::vector<Record>> by_question;
  for (int64_t i = 0; i < 300; ++i) {
    Record r = synth::math_record(9, i);
    by_question[r.meta["question_id"].get<std::string>()].push_back(std::move(r));
  }
  CHECK(by_question.size() == 100);
  int annotated_and_plain = 0;
  for (const auto& [qid, paths] : by_question) {
    REQUIRE(paths.size() == 3);
    std::set<std::string> solutions;
    for (const auto& p : paths) {
      CHECK(p.messages[0].content == paths[0].messages[0].content);
      CHECK(p.meta["answer"] == paths[0].meta["answer"]);
      solutions.insert(p.messages[1].content);
    }
    CHECK(solutions.size() == 3);
    const bool has_annotated = paths[0].messages[1].content.find("<<") != std::string::npos;
    const bool has_plain = paths[1].messages[1].content.find("<<") == std::string::npos;
    annotated_and_plain += has_annotated && has_plain;
  }
  CHECK(annotated_and_plain == 100);
}

TEST_CASE("gsm8k_test questions are correct and come from held-out templates", "[synthetic][math]") {
  std::set<int64_t> templates;
  std::set<std::string> questions;
  for (int64_t i = 0; i < 200; ++i) {
    const Record r = synth::gsm8k_test_record(4, i);
    INFO(r.messages[0].content);
    const Checked c = check_solution(r.messages[1].content);
    CHECK(c.final_answer == r.meta["answer"].get<std::string>());
    CHECK(std::to_string(c.last_result) == c.final_answer);
    CHECK(r.meta["question_id"] == "gsm8k-test-" + std::to_string(i));
    templates.insert(r.meta["template"].get<int64_t>());
    questions.insert(r.messages[0].content);
  }
  CHECK(templates.size() == static_cast<size_t>(synth::gsm8k_test_template_count()));
  CHECK(questions.size() >= 195);
}

TEST_CASE("render_calc writes GSM8K annotations and plain arithmetic", "[synthetic][math]") {
  synth::MathProblem p;
  p.step({"{calc}"}, '*', {48, 2});
  p.step({"{calc}"}, '+', {3, 4, 5});
  CHECK(synth::render_calc(p.steps[0], true) == "48*2 = <<48*2=96>>96");
  CHECK(synth::render_calc(p.steps[1], false) == "3 + 4 + 5 = 12");
  CHECK_THROWS(p.step({"{calc}"}, '/', {7, 2}));  // templates may only divide exactly
}
