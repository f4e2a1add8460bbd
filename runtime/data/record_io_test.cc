#include "runtime/data/record_io.h"

#include <filesystem>

#include <signal.h>
#include <sys/resource.h>

#include <catch2/catch.hpp>

#include "runtime/data/test_util.h"

using namespace sftx::rt;
using namespace sftx::rt::testing;

TEST_CASE("records round-trip through JSONL with meta kept") {
  TempDir dir;
  Record a = make_record("hi", "hello", "x:1");
  a.meta["answer"] = "42";
  Record b = make_record("q", "a", "x:2");
  std::string path = write_records(dir, "sub/r.jsonl", {a, b});
  auto back = read_records(path);
  REQUIRE(back.size() == 2);
  CHECK(back[0].messages[1].content == "hello");
  CHECK(back[0].meta["answer"] == "42");
  CHECK(back[1].origin == "x:2");
  CHECK(count_records(path) == 2);
}

TEST_CASE("a writer that is not closed leaves no output") {
  TempDir dir;
  {
    RecordWriter w(dir.file("never.jsonl"));
    w.write(make_record("a", "b"));
  }
  CHECK(sftx::testing::entries_in(dir.path()) == 0);  // neither the output nor its temporary
}

TEST_CASE("a failed write is the machine's error, not the data's, and leaves nothing") {
  TempDir dir;
  // The kernel refuses writes past RLIMIT_FSIZE (EFBIG) as it refuses them on a full disk
  // (ENOSPC): the same failed write(2), without filling a disk.
  struct rlimit old{};
  REQUIRE(getrlimit(RLIMIT_FSIZE, &old) == 0);
  auto old_handler = signal(SIGXFSZ, SIG_IGN);
  struct rlimit small{4096, old.rlim_max};
  REQUIRE(setrlimit(RLIMIT_FSIZE, &small) == 0);
  std::string what = "no error";
  bool data_error = false;
  try {
    RecordWriter w(dir.file("big.jsonl"));
    for (int i = 0; i < 1000; ++i) w.write(make_record(std::string(100, 'q'), "a"));
    w.close();
  } catch (const DataError& e) {
    data_error = true;
    what = e.what();
  } catch (const std::runtime_error& e) {
    what = e.what();
  }
  setrlimit(RLIMIT_FSIZE, &old);
  signal(SIGXFSZ, old_handler);
  CHECK_FALSE(data_error);
  CHECK(what == dir.file("big.jsonl") + ": cannot write: File too large");
  CHECK(sftx::testing::entries_in(dir.path()) == 0);  // neither the output nor its temporary
}

TEST_CASE("a malformed records line names its file and line") {
  TempDir dir;
  std::string p = dir.write("bad.jsonl", "{\"messages\": []}\n\n{\"messages\": 3}\n");
  try {
    read_records(p);
    FAIL("expected DataError");
  } catch (const DataError& e) {
    CHECK(std::string(e.what()).find(p + ":3: not a record") == 0);
  }
}

TEST_CASE("LineReader strips CR and counts lines") {
  TempDir dir;
  std::string p = dir.write("crlf.txt", "a\r\nbb\r\n\r\nccc");
  LineReader r(p);
  std::string line;
  std::vector<std::string> got;
  while (r.next(line)) got.push_back(line);
  CHECK(got == std::vector<std::string>{"a", "bb", "", "ccc"});
  CHECK(r.line_number() == 4);
}

TEST_CASE("RecordIndex reads records by global index across files") {
  TempDir dir;
  std::string p1 = write_records(dir, "a.jsonl", {make_record("a0", "x"), make_record("a1", "x")});
  std::string p2 = write_records(dir, "b.jsonl", {make_record("b0", "x")});
  RecordIndex idx({p1, p2});
  REQUIRE(idx.size() == 3);
  CHECK(record_from_json(nlohmann::json::parse(idx.line(2))).messages[0].content == "b0");
  CHECK(record_from_json(nlohmann::json::parse(idx.line(0))).messages[0].content == "a0");
  CHECK(record_from_json(nlohmann::json::parse(idx.line(1))).messages[0].content == "a1");
}

TEST_CASE("LineReader reads long lines in chunks and stops at its bound with PATH:LINE") {
  TempDir dir;
  const std::string long_line(200000, 'x');  // several read chunks
  std::string p = dir.write("long.txt", "short\n" + long_line + "\n\nlast");
  {
    LineReader r(p);
    std::string line;
    std::vector<size_t> sizes;
    while (r.next(line)) sizes.push_back(line.size());
    CHECK(sizes == std::vector<size_t>{5, 200000, 0, 4});
  }
  LineReader bounded(p, 100000);
  std::string line;
  REQUIRE(bounded.next(line));
  try {
    bounded.next(line);
    FAIL("no error for a line over the bound");
  } catch (const DataError& e) {
    CHECK(std::string(e.what()) == p + ":2: a line longer than 100000 bytes (a record this large is not a training example)");
  }
  CHECK(line.size() <= 100000);
}

TEST_CASE("a records line nested too deeply is refused before it is parsed") {
  TempDir dir;
  std::string p = dir.write("deep.jsonl", "{\"messages\": [], \"meta\": " + std::string(100000, '[') + "}\n");
  try {
    read_records(p);
    FAIL("expected DataError");
  } catch (const DataError& e) {
    CHECK(std::string(e.what()) == p + ":1: not a record: JSON nested deeper than 128 levels");
  }
}
