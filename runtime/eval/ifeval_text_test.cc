#include "runtime/eval/ifeval_text.h"

#include <catch2/catch.hpp>

using namespace sftx::rt;

TEST_CASE("ifeval text: words as runs of word characters", "[ifeval]") {
  CHECK(count_words("Hello, world! It's 2024.") == 5);  // Hello world It s 2024
  CHECK(count_words("snake_case counts once") == 3);
  CHECK(count_words("  ") == 0);
}

TEST_CASE("ifeval text: sentences split like the public splitter", "[ifeval]") {
  CHECK(split_sentences("One. Two! Three?").size() == 3);
  CHECK(split_sentences("Mr. Smith paid 3.50 dollars. Then he left.").size() == 2);
  CHECK(split_sentences("Visit example.com today. Bye.").size() == 2);
  CHECK(split_sentences("Wait... What happened?").size() == 2);
  CHECK(split_sentences("J. R. R. Tolkien wrote it.").size() == 1);
  CHECK(split_sentences("No end mark").size() == 1);
  CHECK(split_sentences("He said \"stop.\" Then ran.").size() == 2);
  auto s = split_sentences("First line.\nSecond line.");
  REQUIRE(s.size() == 2);
  CHECK(s[1] == "Second line.");
}

TEST_CASE("ifeval text: case, words, counts", "[ifeval]") {
  CHECK(is_all_upper("HELLO, WORLD 42"));
  CHECK_FALSE(is_all_upper("HELLO World"));
  CHECK_FALSE(is_all_upper("123"));
  CHECK(is_all_lower("hello, world"));
  CHECK_FALSE(is_all_lower("hello World"));
  CHECK(contains_word_ci("I like Cats.", "cats"));
  CHECK_FALSE(contains_word_ci("concatenate", "cat"));
  CHECK(count_ci("Apple apple APPLE pie", "apple") == 3);
  CHECK(split_lines("a\nb\n").size() == 3);
  CHECK(trim("  x y \n") == "x y");
}
