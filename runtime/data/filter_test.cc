#include <catch2/catch.hpp>

#include "runtime/data/test_util.h"
#include "runtime/data/transforms.h"

using namespace sftx::rt;
using namespace sftx::rt::testing;
using nlohmann::json;

namespace {
struct Filtered {
  std::vector<std::string> kept;  // origins
  DataStats stats;
};
Filtered run_filter(const std::vector<Record>& rs, const json& params) {
  TempDir dir;
  std::string in = write_records(dir, "in.jsonl", rs);
  Filtered f;
  f.stats = apply_transform("filter", params, {in}, dir.file("out.jsonl"), 0);
  for (const auto& r : read_records(dir.file("out.jsonl"))) f.kept.push_back(r.origin);
  return f;
}
using V = std::vector<std::string>;
}  // namespace

TEST_CASE("length bounds count characters of all messages") {
  std::vector<Record> rs = {make_record("ab", "cd", "short"), make_record(std::string(50, 'x'), "y", "long"),
                            make_record("héé", "é", "utf8")};  // 3 + 1 + 1 ("\n") = 5 characters
  CHECK(run_filter(rs, json{{"max_chars", 10}}).kept == V{"short", "utf8"});
  CHECK(run_filter(rs, json{{"min_chars", 6}}).kept == V{"long"});
  CHECK(run_filter(rs, json{{"min_chars", 5}, {"max_chars", "5"}}).kept == V{"short", "utf8"});
}

TEST_CASE("turns are assistant replies") {
  Record two = make_record("a", "b", "two");
  two.messages.push_back({"user", "c"});
  two.messages.push_back({"assistant", "d"});
  std::vector<Record> rs = {make_record("a", "b", "one"), two};
  CHECK(run_filter(rs, json{{"min_turns", 2}}).kept == V{"two"});
  CHECK(run_filter(rs, json{{"max_turns", 1}}).kept == V{"one"});
}

TEST_CASE("regex and keyword rules, require means at least one") {
  std::vector<Record> rs = {make_record("I like cats", "yes", "cats"), make_record("I like DOGS", "ok", "dogs"),
                            make_record("order 66", "done", "num")};
  CHECK(run_filter(rs, json{{"exclude_regex", "[0-9]+"}}).kept == V{"cats", "dogs"});
  CHECK(run_filter(rs, json{{"require_regex", json::array({"cat", "[0-9]"})}}).kept == V{"cats", "num"});
  CHECK(run_filter(rs, json{{"exclude_keywords", json::array({"dogs"})}}).kept == V{"cats", "num"});
  CHECK(run_filter(rs, json{{"require_keywords", json::array({"LIKE"})}}).kept == V{"cats", "dogs"});
  CHECK_THROWS_WITH(run_filter(rs, json{{"exclude_regex", "(["}}), Catch::Contains("filter: exclude_regex \"([\" is not a valid"));
}

TEST_CASE("regex over a 200K-character record: no stack overflow (std::regex crashed here)") {
  std::string long_text;
  for (int i = 0; i < 100000; ++i) long_text += "ab";
  std::vector<Record> rs = {make_record(long_text, "x", "long"), make_record("abc", "x", "short")};
  CHECK(run_filter(rs, json{{"exclude_regex", "(a|b)*c"}}).kept == V{"long"});
}

TEST_CASE("a regex that backtracks without bound is a clear per-record error, not a hang") {
  std::vector<Record> rs = {make_record(std::string(30, 'a') + "!", "x", "in.jsonl:7")};
  CHECK_THROWS_WITH(run_filter(rs, json{{"exclude_regex", "(a+)+$"}}),
                    Catch::Contains("in.jsonl:7: filter: the regular expression (a+)+$ needs too much backtracking"));
}

TEST_CASE("empty assistant turns are dropped by default and reported") {
  Record none;
  none.messages = {{"user", "q"}};
  none.origin = "none";
  std::vector<Record> rs = {make_record("q", "  ", "blank"), make_record("q", "a", "ok"), none};
  Filtered f = run_filter(rs, json::object());
  CHECK(f.kept == V{"ok"});
  CHECK(f.stats.removed == 2);
  CHECK(f.stats.details["removed_by"]["empty assistant turn"] == 1);
  CHECK(f.stats.details["removed_by"]["no assistant turn"] == 1);
  CHECK(f.stats.details["removed_examples"][0]["origin"] == "blank");
  CHECK(run_filter(rs, json{{"drop_empty_assistant", false}}).kept.size() == 3);
}

TEST_CASE("the D2 ablation: tag, then exclude code and math") {
  std::vector<Record> rs = {make_record("Write a Python function to sort a list", "def f(x):\n    return sorted(x)", "code"),
                            make_record("What is 12 * 7?", "12 * 7 = 84\n#### 84", "math"),
                            make_record("Suggest a name for a goldfish", "Bubbles", "general")};
  TempDir dir;
  std::string in = write_records(dir, "in.jsonl", rs);
  DataStats tagged = apply_transform("tag", json::object(), {in}, dir.file("tagged.jsonl"), 0);
  CHECK(tagged.details["tagged"]["code"] == 1);
  auto t = read_records(dir.file("tagged.jsonl"));
  CHECK(t[0].meta["tags"] == json::array({"code"}));
  CHECK(t[1].meta["tags"] == json::array({"math"}));
  CHECK(t[2].meta["tags"] == json::array());
  DataStats f = apply_transform("filter", json{{"exclude_tags", {"code", "math"}}}, {dir.file("tagged.jsonl")},
                                dir.file("d2.jsonl"), 0);
  auto kept = read_records(dir.file("d2.jsonl"));
  REQUIRE(kept.size() == 1);
  CHECK(kept[0].origin == "general");
  CHECK(f.details["removed_by"]["exclude_tags code"] == 1);
  CHECK(f.details["removed_by"]["exclude_tags math"] == 1);
  apply_transform("filter", json{{"require_tags", {"math"}}}, {dir.file("tagged.jsonl")}, dir.file("m.jsonl"), 0);
  CHECK(read_records(dir.file("m.jsonl"))[0].origin == "math");
}

TEST_CASE("unknown filter parameters and transforms are errors") {
  TempDir dir;
  std::string in = write_records(dir, "in.jsonl", {make_record("a", "b")});
  CHECK_THROWS_WITH(apply_transform("filter", json{{"maxchars", 3}}, {in}, dir.file("o.jsonl"), 0),
                    Catch::Contains("filter: unknown parameter \"maxchars\""));
  CHECK_THROWS_WITH(apply_transform("shuffle", json::object(), {in}, dir.file("o.jsonl"), 0),
                    Catch::Contains("unknown data transform \"shuffle\""));
  CHECK_THROWS_WITH(apply_transform("filter", json::object(), {in, in}, dir.file("o.jsonl"), 0),
                    Catch::Contains("filter: expected 1 data input"));
}
