#include "runtime/data/source_format.h"

#include <catch2/catch.hpp>

using namespace sftx::rt;
using nlohmann::json;

namespace {
std::string error_of(const json& o, const std::string& format) {
  try {
    record_from_format(o, format);
  } catch (const FormatError& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST_CASE("alpaca joins instruction and input") {
  Record r = record_from_format(json{{"instruction", "Add"}, {"input", "2 and 3"}, {"output", "5"}}, "alpaca");
  REQUIRE(r.messages.size() == 2);
  CHECK(r.messages[0].role == "user");
  CHECK(r.messages[0].content == "Add\n\n2 and 3");
  CHECK(r.messages[1].content == "5");
  Record no_input = record_from_format(json{{"instruction", "Hi"}, {"input", ""}, {"output", "Hello"}}, "alpaca");
  CHECK(no_input.messages[0].content == "Hi");
  CHECK(error_of(json{{"instruction", "x"}}, "alpaca") == "missing field \"output\" (format alpaca)");
  CHECK(error_of(json{{"instruction", 3}, {"output", "y"}}, "alpaca") ==
        "field \"instruction\" must be a string (format alpaca)");
}

TEST_CASE("sharegpt maps the speakers public dumps use") {
  json o = {{"id", "abc"},
            {"conversations",
             {{{"from", "system"}, {"value", "be nice"}},
              {{"from", "human"}, {"value", "hi"}},
              {{"from", "gpt"}, {"value", "hello"}},
              {{"from", "user"}, {"value", "and?"}},
              {{"from", "chatgpt"}, {"value", "more"}},
              {{"from", "bing"}, {"value", "b"}},
              {{"from", "bard"}, {"value", "c"}}}}};
  Record r = record_from_format(o, "sharegpt");
  REQUIRE(r.messages.size() == 7);
  CHECK(r.messages[0].role == "system");
  CHECK(r.messages[1].role == "user");
  CHECK(r.messages[2].role == "assistant");
  CHECK(r.messages[3].role == "user");
  CHECK(r.messages[4].role == "assistant");
  CHECK(r.messages[6].role == "assistant");
  CHECK(r.meta["id"] == "abc");
  CHECK(error_of(json{{"conversations", {{{"from", "robot"}, {"value", "x"}}}}}, "sharegpt").find("unknown speaker \"robot\"") !=
        std::string::npos);
  CHECK(error_of(json{{"conversations", {{{"from", "gpt"}}}}}, "sharegpt") ==
        "conversations[0] needs a string \"value\" (format sharegpt)");
}

TEST_CASE("messages keeps roles, content and meta") {
  json o = {{"messages", {{{"role", "user"}, {"content", "q"}}, {{"role", "assistant"}, {"content", "a"}}}},
            {"meta", {{"tags", {"code"}}}}};
  Record r = record_from_format(o, "messages");
  CHECK(r.messages.size() == 2);
  CHECK(r.meta["tags"][0] == "code");
  CHECK(error_of(json{{"messages", {{{"role", "bot"}, {"content", "x"}}}}}, "messages").find("unknown role \"bot\"") !=
        std::string::npos);
}

TEST_CASE("gsm8k extracts the normalised final answer") {
  Record r = record_from_format(json{{"question", "How many?"}, {"answer", "3*4=<<3*4=12>>12\n#### 1,234"}}, "gsm8k");
  CHECK(r.meta["answer"] == "1234");
  CHECK(r.messages[1].content == "3*4=<<3*4=12>>12\n#### 1,234");
  CHECK(gsm8k_final_answer("so #### -5.") == "-5");
  CHECK(gsm8k_final_answer("#### 1 \n#### 2") == "2");
  CHECK(gsm8k_final_answer("no marker") == "");
  CHECK(error_of(json{{"question", "q"}, {"answer", "12"}}, "gsm8k") ==
        "field \"answer\" has no final \"#### N\" line (format gsm8k)");
}

TEST_CASE("humaneval keeps every field in meta") {
  json o = {{"task_id", "HumanEval/0"},
            {"prompt", "def f(x):\n"},
            {"canonical_solution", "    return x\n"},
            {"test", "def check(c):\n    assert c(1) == 1\n"},
            {"entry_point", "f"}};
  Record r = record_from_format(o, "humaneval");
  CHECK(r.messages[0].content == "def f(x):\n");
  CHECK(r.messages[1].content == "    return x\n");
  CHECK(r.meta["entry_point"] == "f");
  CHECK(r.meta["test"] == o["test"]);
  CHECK(r.meta["task_id"] == "HumanEval/0");
  o.erase("test");
  CHECK(error_of(o, "humaneval") == "missing field \"test\" (format humaneval)");
}

TEST_CASE("text is one assistant message, unknown formats and non-objects are errors") {
  Record r = record_from_format(json{{"text", "Once upon a time"}}, "text");
  REQUIRE(r.messages.size() == 1);
  CHECK(r.messages[0].role == "assistant");
  CHECK(error_of(json::array(), "text") == "expected a JSON object (format text)");
  CHECK(error_of(json{{"text", "x"}}, "csv").find("unknown format \"csv\"") == 0);
}
