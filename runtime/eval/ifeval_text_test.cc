#include "runtime/eval/ifeval_text.h"

#include <catch2/catch.hpp>

using namespace sftx::rt;

TEST_CASE("ifeval text: words as runs of word characters", "[ifeval]") {
  CHECK(count_words("Hello, world! It's 2024.") == 5);  // Hello world It s 2024
  CHECK(count_words("snake_case counts once") == 3);
  CHECK(count_words("  ") == 0);
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

TEST_CASE("ifeval text: Python's str.lower(), isspace(), strip(), split()", "[ifeval]") {
  CHECK(str_lower("ΣΦΆΛΜΑ") == "σφάλμα");
  CHECK(str_lower("ΟΔΟΣ. ΣΑ Σ") == "οδος. σα σ");  // final sigma only after a cased letter, before none
  CHECK(str_lower_each("ΟΔΟΣ") == "οδοσ");
  CHECK(str_lower("İ") == "i\u0307");
  CHECK(str_lower("Straße ÉCOLE \u212a") == "straße école k");
  CHECK(str_lower(std::string("A\xff" "B", 3)) == std::string("a\xff" "b", 3));  // not UTF-8: copied
  CHECK(is_python_space(U'\u00a0'));
  CHECK(is_python_space(U'\u3000'));
  CHECK(is_python_space(U'\x1c'));
  CHECK(is_python_space(U'\x85'));
  CHECK_FALSE(is_python_space(U'\u200b'));
  CHECK(trim("\u3000\u00a0x y\u2028\x1f") == "x y");
  CHECK(trim("\u2028") == "");
  CHECK(split_whitespace("\u3000a\u00a0b  c\n") == std::vector<std::string>{"a", "b", "c"});
  CHECK(count_words("पूर्णतया आवाज") == 2);
  CHECK(is_regex_word_char(U'\u093f'));  // DEVANAGARI VOWEL SIGN I (Mc)
  CHECK_FALSE(is_regex_word_char(U'\u00b2'));
}
