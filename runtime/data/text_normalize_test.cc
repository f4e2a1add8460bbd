#include "runtime/data/text_normalize.h"

#include <catch2/catch.hpp>

using namespace sftx::rt;

TEST_CASE("normalize_text lowercases and collapses whitespace") {
  CHECK(normalize_text("  Hello\t\tWORLD \n again ") == "hello world again");
  CHECK(normalize_text("") == "");
}

TEST_CASE("words split on punctuation and keep UTF-8 letters") {
  CHECK(words("Hello, World! x=3*4; café") == std::vector<std::string>{"hello", "world", "x", "3", "4", "café"});
  CHECK(words("...").empty());
}

TEST_CASE("word_hashes agree with words") {
  auto h1 = word_hashes("The cat, the CAT.");
  REQUIRE(h1.size() == 4);
  CHECK(h1[0] == h1[2]);
  CHECK(h1[1] == h1[3]);
  CHECK(h1[0] != h1[1]);
}

TEST_CASE("record_text joins contents, utf8_length counts code points") {
  Record r;
  r.messages = {{"user", "a"}, {"assistant", "b"}};
  CHECK(record_text(r) == "a\nb");
  CHECK(utf8_length("café") == 4);
}
