#include "runtime/data/source.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <tuple>

#include <sys/stat.h>

#include "runtime/data/data_error.h"
#include "runtime/data/test_util.h"

using namespace sftx::rt;
using namespace sftx::rt::testing;

namespace {
SourceSpec spec_for(const std::string& file, const std::string& format, const std::string& container = "jsonl") {
  SourceSpec s;
  s.path = repo_file("tests/data/formats/" + file);
  s.format = format;
  s.container = container;
  s.source_name = format + "_src";
  return s;
}
std::string error_of(const SourceSpec& spec) {
  TempDir dir;
  try {
    read_source(spec, dir.file("out.jsonl"));
  } catch (const DataError& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

TEST_CASE("every shipped format reads into records with source and origin") {
  struct Case {
    std::string file, format, container;
    int64_t n;
  };
  for (const Case& c : std::vector<Case>{{"alpaca.jsonl", "alpaca", "jsonl", 3},
                                         {"alpaca.json", "alpaca", "json", 2},
                                         {"sharegpt.json", "sharegpt", "json", 2},
                                         {"sharegpt.jsonl", "sharegpt", "jsonl", 2},
                                         {"messages.jsonl", "messages", "jsonl", 2},
                                         {"gsm8k.jsonl", "gsm8k", "jsonl", 2},
                                         {"humaneval.jsonl", "humaneval", "jsonl", 2},
                                         {"text.jsonl", "text", "jsonl", 2}}) {
    INFO(c.file);
    TempDir dir;
    SourceSpec spec = spec_for(c.file, c.format, c.container);
    DataStats st = read_source(spec, dir.file("out.jsonl"));
    CHECK(st.records == c.n);
    CHECK(st.skipped == 0);
    auto recs = read_records(dir.file("out.jsonl"));
    REQUIRE(recs.size() == static_cast<size_t>(c.n));
    CHECK(recs[0].source == c.format + "_src");
    CHECK(recs[0].origin.rfind(spec.path + ":", 0) == 0);
  }
}

TEST_CASE("origins carry the line each record started on") {
  TempDir dir;
  read_source(spec_for("alpaca.json", "alpaca", "json"), dir.file("out.jsonl"));
  auto recs = read_records(dir.file("out.jsonl"));
  CHECK(recs[0].origin == repo_file("tests/data/formats/alpaca.json") + ":2");
  CHECK(recs[1].origin == repo_file("tests/data/formats/alpaca.json") + ":7");
  read_source(spec_for("gsm8k.jsonl", "gsm8k"), dir.file("g.jsonl"));
  CHECK(read_records(dir.file("g.jsonl"))[1].meta["answer"] == "2400");
}

TEST_CASE("a malformed line stops with PATH:LINE and the problem") {
  SourceSpec s = spec_for("malformed_alpaca.jsonl", "alpaca");
  CHECK(error_of(s) == s.path + ":2: missing field \"output\" (format alpaca)");
  SourceSpec a = spec_for("malformed_sharegpt.json", "sharegpt", "json");
  CHECK(error_of(a).rfind(a.path + ":6: conversations[0]: unknown speaker \"robot\"", 0) == 0);
}

TEST_CASE("on_error = skip counts and lists every skipped line, never a silent drop") {
  TempDir dir;
  SourceSpec s = spec_for("malformed_alpaca.jsonl", "alpaca");
  s.on_error = "skip";
  DataStats st = read_source(s, dir.file("out.jsonl"));
  CHECK(st.records == 2);
  CHECK(st.skipped == 3);
  const auto& listed = st.details["skipped_lines"];
  REQUIRE(listed.size() == 3);
  CHECK(listed[0]["origin"] == s.path + ":2");
  CHECK(listed[1]["origin"] == s.path + ":4");
  CHECK(listed[1]["reason"].get<std::string>().rfind("invalid JSON", 0) == 0);
  CHECK(listed[2]["origin"] == s.path + ":5");
  CHECK(listed[2]["reason"] == "field \"input\" must be a string (format alpaca)");
  auto recs = read_records(dir.file("out.jsonl"));
  CHECK(recs[1].origin == s.path + ":6");
}

TEST_CASE("bad specs are reported against the path") {
  SourceSpec s = spec_for("alpaca.jsonl", "csv");
  CHECK(error_of(s).find("unknown format \"csv\"") != std::string::npos);
  SourceSpec m = spec_for("missing.jsonl", "alpaca");
  CHECK(error_of(m) == m.path + ": cannot open file");
  SourceSpec c = spec_for("alpaca.jsonl", "alpaca", "xml");
  CHECK(error_of(c).find("unknown container \"xml\"") != std::string::npos);
}

TEST_CASE("a large JSONL source streams through the callback API") {
  // 20,000 lines; the callback sees each record once, in order, without the file in memory
  // (LineReader holds one line; see record_io.h).
  TempDir dir;
  {
    std::ofstream f(dir.file("big.jsonl"));
    for (int i = 0; i < 20000; ++i) f << nlohmann::json{{"text", "doc " + std::to_string(i)}}.dump() << "\n";
  }
  SourceSpec s;
  s.path = dir.file("big.jsonl");
  s.format = "text";
  DataStats st;
  int64_t n = 0;
  for_each_source_record(s, [&](Record&& r) { REQUIRE(r.messages[0].content == "doc " + std::to_string(n++)); }, st);
  CHECK(n == 20000);
  CHECK(st.records == 20000);
}

TEST_CASE("invalid UTF-8 in data is PATH:LINE from every reader, never a JSON library error") {
  TempDir dir;
  const std::string bad = "\"Say caf\xE9.\"";  // Latin-1 é: not UTF-8
  std::ofstream(dir.file("bad.jsonl"), std::ios::binary)
      << "{\"instruction\": \"ok\", \"output\": \"fine\"}\n{\"instruction\": " << bad << ", \"output\": \"x\"}\n";
  std::ofstream(dir.file("bad.json"), std::ios::binary)
      << "[\n{\"instruction\": \"ok\", \"output\": \"fine\"},\n{\"instruction\": " << bad << ", \"output\": \"x\"}\n]\n";
  for (const auto& [file, container, line] : {std::tuple{"bad.jsonl", "jsonl", 2}, std::tuple{"bad.json", "json", 3}}) {
    SourceSpec s;
    s.path = dir.file(file);
    s.format = "alpaca";
    s.container = container;
    std::string e = error_of(s);
    INFO(e);
    CHECK(e.rfind(s.path + ":" + std::to_string(line) + ": invalid UTF-8 (byte ", 0) == 0);
    CHECK(e.find("\\xE9") != std::string::npos);
    CHECK(e.find('\xE9') == std::string::npos);
    CHECK(e.find("json.exception") == std::string::npos);
    // Skipped lines are listed with a reason that JSON can hold.
    s.on_error = "skip";
    DataStats st = read_source(s, dir.file("out.jsonl"));
    CHECK(st.skipped == 1);
    CHECK_NOTHROW(st.details.dump());
  }
}

TEST_CASE("a FIFO or a device is refused as a data source before it is opened") {
  TempDir dir;
  const std::string fifo = dir.file("pipe.jsonl");
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);  // opening it for reading would block: no writer
  for (const std::string& path : {fifo, std::string("/dev/zero")}) {
    for (const char* container : {"jsonl", "json"}) {
      SourceSpec s;
      s.path = path;
      s.format = "alpaca";
      s.container = container;
      CHECK(error_of(s) == path + ": not a regular file (a data source must be a file, not a FIFO, device or directory)");
    }
  }
}

TEST_CASE("a rejected record's reason is bounded, whatever it quotes") {
  TempDir dir;
  const std::string speaker(100000, 'r');
  std::ofstream(dir.file("huge.json"), std::ios::binary)
      << "[{\"conversations\": [{\"from\": \"" << speaker << "\", \"value\": \"hi\"}]}]\n";
  SourceSpec s;
  s.path = dir.file("huge.json");
  s.format = "sharegpt";
  s.container = "json";
  std::string e = error_of(s);
  CHECK(e.rfind(s.path + ":1: conversations[0]: unknown speaker \"rrr", 0) == 0);
  CHECK(e.size() < s.path.size() + 1100);
}

TEST_CASE("a record nested 200,000 levels deep is a PATH:LINE error, not a stack overflow") {
  // A 400 KB line (far under the line bound) whose meta is 200,000 nested arrays: copying or
  // dumping it recursed once per level and `sftx data` died with SIGSEGV.
  TempDir dir;
  const std::string deep = std::string(200000, '[') + std::string(200000, ']');
  const std::string record = "{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}], \"meta\": {\"a\": " + deep + "}}";
  const std::string ok = "{\"messages\": [{\"role\": \"user\", \"content\": \"y\"}], \"meta\": {\"a\": [[[1]]]}}";
  std::ofstream(dir.file("deep.jsonl"), std::ios::binary) << ok << "\n" << record << "\n";
  std::ofstream(dir.file("deep.json"), std::ios::binary) << "[" << ok << ",\n" << record << "]";
  for (const auto& [file, container] : {std::pair{"deep.jsonl", "jsonl"}, std::pair{"deep.json", "json"}}) {
    SourceSpec s;
    s.path = dir.file(file);
    s.format = "messages";
    s.container = container;
    CHECK(error_of(s) == s.path + ":2: JSON nested deeper than 128 levels");
    s.on_error = "skip";
    DataStats st = read_source(s, dir.file("out.jsonl"));
    CHECK(st.records == 1);
    CHECK(st.skipped == 1);
  }
}

TEST_CASE("a number too large for a double is an invalid record, not a JSON library exception") {
  // nlohmann throws out_of_range (not parse_error) for 1e999: it escaped the reader as an
  // internal error.
  TempDir dir;
  std::ofstream(dir.file("big.jsonl"), std::ios::binary) << "{\"text\": \"a\", \"n\": 1e999}\n{\"text\": \"b\"}\n";
  SourceSpec s;
  s.path = dir.file("big.jsonl");
  s.format = "text";
  CHECK(error_of(s) == s.path + ":1: invalid JSON: number overflow parsing '1e999'");
  s.on_error = "skip";
  DataStats st = read_source(s, dir.file("out.jsonl"));
  CHECK(st.records == 1);
  CHECK(st.skipped == 1);
}
