#include <catch2/catch.hpp>

#include <map>
#include <regex>
#include <set>

#include "stdlib/synthetic/instructions.h"
#include "stdlib/synthetic/synthetic.h"
#include "stdlib/synthetic/text_util.h"

using namespace sftx::rt;
using nlohmann::json;

namespace {
// Checks one instruction the way IFEval's reference checkers do (instructions.py).
bool follows(const std::string& id, const json& kw, const std::string& value) {
  using std::regex;
  if (id == "punctuation:no_comma") return value.find(',') == std::string::npos;
  if (id == "change_case:english_capital") return value == synth::upper(value) && value != synth::lower(value);
  if (id == "change_case:english_lowercase") return value == synth::lower(value) && value != synth::upper(value);
  if (id == "detectable_format:number_bullet_lists") {
    const regex star(R"((^|\n)\s*\*[^\*][^\n]*)"), dash(R"((^|\n)\s*-[^\n]*)");
    auto count = [&](const regex& r) { return std::distance(std::sregex_iterator(value.begin(), value.end(), r), {}); };
    return count(star) + count(dash) == kw["num_bullets"].get<int64_t>();
  }
  if (id == "keywords:existence") {
    for (const auto& k : kw["keywords"])
      if (!std::regex_search(value, regex(k.get<std::string>(), regex::icase))) return false;
    return true;
  }
  if (id == "keywords:forbidden_words") {
    for (const auto& k : kw["forbidden_words"])
      if (std::regex_search(value, regex("\\b" + k.get<std::string>() + "\\b", regex::icase))) return false;
    return true;
  }
  if (id == "length_constraints:number_words") {
    const int n = synth::count_words(value);
    return kw["relation"] == "less than" ? n < kw["num_words"].get<int>() : n >= kw["num_words"].get<int>();
  }
  if (id == "length_constraints:number_sentences") {
    const int n = synth::count_sentences(value);
    return kw["relation"] == "less than" ? n < kw["num_sentences"].get<int>() : n >= kw["num_sentences"].get<int>();
  }
  if (id == "length_constraints:number_paragraphs") {
    std::vector<std::string> parts;
    const regex sep(R"(\s?\*\*\*\s?)");
    for (std::sregex_token_iterator it(value.begin(), value.end(), sep, -1), end; it != end; ++it) parts.push_back(*it);
    int n = static_cast<int>(parts.size());
    for (size_t i = 0; i < parts.size(); ++i)
      if (std::regex_match(parts[i], regex(R"(\s*)"))) {
        if (i == 0 || i + 1 == parts.size()) --n;
        else return false;
      }
    return n == kw["num_paragraphs"].get<int>();
  }
  if (id == "startend:end_checker") {
    std::string v = synth::lower(value), e = synth::lower(kw["end_phrase"].get<std::string>());
    while (!v.empty() && std::isspace(static_cast<unsigned char>(v.back()))) v.pop_back();
    return v.size() >= e.size() && v.compare(v.size() - e.size(), e.size(), e) == 0;
  }
  if (id == "startend:quotation") return value.size() > 1 && value.front() == '"' && value.back() == '"';
  if (id == "detectable_format:title") return std::regex_search(value, regex(R"(<<[^\n]+>>)"));
  if (id == "detectable_format:json_format") return json::accept(value);
  if (id == "detectable_content:postscript") return synth::lower(value).find("p.s.") != std::string::npos;
  FAIL("unknown instruction id " << id);
  return false;
}

const std::set<std::string> kIfevalIds = {
    "punctuation:no_comma", "change_case:english_capital", "change_case:english_lowercase",
    "detectable_format:number_bullet_lists", "keywords:existence", "keywords:forbidden_words",
    "length_constraints:number_words", "length_constraints:number_sentences", "length_constraints:number_paragraphs",
    "startend:end_checker", "startend:quotation", "detectable_format:title", "detectable_format:json_format",
    "detectable_content:postscript"};
}  // namespace

TEST_CASE("general answers satisfy the instructions their user turn carries", "[synthetic][general]") {
  std::map<std::string, int> checked;
  for (int64_t i = 0; i < 1500; ++i) {
    const Record r = synth::general_record(8, i);
    if (!r.meta.contains("instruction_id_list")) continue;
    const int turn = r.meta["instruction_turn"];
    std::vector<const Message*> users, answers;
    for (const auto& m : r.messages) (m.role == "user" ? users : m.role == "assistant" ? answers : users).push_back(&m);
    if (r.messages[0].role == "system") users.erase(users.begin());
    REQUIRE(users.size() == answers.size());
    const std::string& reply = answers.at(static_cast<size_t>(turn))->content;
    const auto& ids = r.meta["instruction_id_list"];
    const auto& kwargs = r.meta["kwargs"];
    REQUIRE(ids.size() == kwargs.size());
    for (size_t k = 0; k < ids.size(); ++k) {
      const std::string id = ids[k];
      INFO(id << " " << kwargs[k].dump() << "\nUSER: " << users[static_cast<size_t>(turn)]->content << "\nREPLY: " << reply);
      CHECK(kIfevalIds.count(id) == 1);
      CHECK(follows(id, kwargs[k], reply));
      ++checked[id];
    }
  }
  CHECK(checked.size() == kIfevalIds.size());
  for (const auto& [id, n] : checked) CHECK(n >= 5);
}

TEST_CASE("the IFEval checkers used above catch violations", "[synthetic][general]") {
  CHECK_FALSE(follows("punctuation:no_comma", json::object(), "a, b"));
  CHECK_FALSE(follows("change_case:english_capital", json::object(), "HELLO there"));
  CHECK_FALSE(follows("detectable_format:number_bullet_lists", {{"num_bullets", 2}}, "* a\n* b\n* c"));
  CHECK(follows("detectable_format:number_bullet_lists", {{"num_bullets", 2}}, "intro\n* a\n* b"));
  CHECK_FALSE(follows("length_constraints:number_words", {{"relation", "less than"}, {"num_words", 3}}, "one two three"));
  CHECK(follows("length_constraints:number_paragraphs", {{"num_paragraphs", 2}}, "a\n\n***\n\nb"));
  CHECK_FALSE(follows("startend:end_checker", {{"end_phrase", "Good luck!"}}, "Good luck! Bye."));
  CHECK_FALSE(follows("keywords:forbidden_words", {{"forbidden_words", {"just"}}}, "Just do it."));
}

TEST_CASE("ifeval_test prompts use IFEval's ids and kwargs", "[synthetic][ifeval]") {
  const std::map<std::string, std::set<std::string>> kwarg_keys = {
      {"punctuation:no_comma", {}},
      {"change_case:english_capital", {}},
      {"change_case:english_lowercase", {}},
      {"detectable_format:number_bullet_lists", {"num_bullets"}},
      {"keywords:existence", {"keywords"}},
      {"keywords:forbidden_words", {"forbidden_words"}},
      {"length_constraints:number_words", {"relation", "num_words"}},
      {"length_constraints:number_sentences", {"relation", "num_sentences"}},
      {"length_constraints:number_paragraphs", {"num_paragraphs"}},
      {"startend:end_checker", {"end_phrase"}},
      {"startend:quotation", {}},
      {"detectable_format:title", {}},
      {"detectable_format:json_format", {}},
      {"detectable_content:postscript", {"postscript_marker"}}};
  std::set<std::string> seen, prompts;
  for (int64_t i = 0; i < 400; ++i) {
    const Record r = synth::ifeval_test_record(3, i);
    REQUIRE(r.messages.size() == 1);
    CHECK(r.messages[0].role == "user");
    CHECK(r.meta["prompt"] == r.messages[0].content);
    CHECK(r.meta["key"] == 1000 + i);
    prompts.insert(r.messages[0].content);
    const auto& ids = r.meta["instruction_id_list"];
    const auto& kwargs = r.meta["kwargs"];
    REQUIRE(ids.size() >= 1);
    REQUIRE(ids.size() <= 3);
    REQUIRE(kwargs.size() == ids.size());
    std::set<std::string> here;
    for (size_t k = 0; k < ids.size(); ++k) {
      const std::string id = ids[k];
      REQUIRE(kwarg_keys.count(id) == 1);
      CHECK(here.insert(id).second);  // no instruction twice
      seen.insert(id);
      std::set<std::string> keys;
      for (const auto& [key, v] : kwargs[k].items()) keys.insert(key);
      CHECK(keys == kwarg_keys.at(id));
      if (kwargs[k].contains("relation")) CHECK((kwargs[k]["relation"] == "less than" || kwargs[k]["relation"] == "at least"));
    }
    if (here.count("change_case:english_capital")) CHECK_FALSE(here.count("change_case:english_lowercase"));
  }
  CHECK(seen.size() == kwarg_keys.size());
  CHECK(prompts.size() >= 390);
}

TEST_CASE("IFEval word and sentence counting", "[synthetic][ifeval]") {
  CHECK(synth::count_words("Hello, world! It's 2 o'clock.") == 7);  // \w+ runs, as nltk's RegexpTokenizer
  CHECK(synth::count_sentences("One. Two! Three? Four") == 3);
}
