#include "runtime/regex/regex.h"

#include <catch2/catch.hpp>

using namespace sftx;

TEST_CASE("regex: searches like Perl", "[regex]") {
  Regex re("b+c");
  CHECK(re.search("aabbbcd"));
  CHECK_FALSE(re.search("aabd"));
  CHECK(Regex("^caf\\w$").search("caf\xC3\xA9"));  // UTF mode: one character
  CHECK(Regex("x").search("\xFF\xFEx"));            // invalid UTF-8 in the subject is searched, not an error
}

TEST_CASE("regex: a bad pattern is an error with its offset", "[regex]") {
  auto e = regex_syntax_error("ab(c");
  REQUIRE(e);
  CHECK(e->offset == 4);
  CHECK(e->message.find("parenthesis") != std::string::npos);
  CHECK_FALSE(regex_syntax_error("(a|b)*c"));
  CHECK_THROWS_WITH(Regex("[z-a]"), Catch::Contains("at offset"));
}

TEST_CASE("regex: (a|b)*c over a 200K-character text neither recurses nor crashes", "[regex]") {
  Regex re("(a|b)*c");
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "ab";
  CHECK_FALSE(re.search(text));
  CHECK(re.search(text + "c"));
}

TEST_CASE("regex: catastrophic backtracking ends at the match limit", "[regex]") {
  Regex re("(a+)+$");
  std::string text(30, 'a');
  text += "!";
  CHECK_THROWS_AS(re.search(text), RegexLimitError);
  CHECK_THROWS_WITH(re.search(text), Catch::Contains("too much backtracking"));
  CHECK(re.search(std::string(30, 'a')));
}

TEST_CASE("regex: replace_all substitutes every match with its groups, as re.sub", "[regex]") {
  CHECK(Regex(R"(([:,])([^\d]))").replace_all("a,b: 1,2", " $1 $2") == "a , b :  1,2");
  CHECK(Regex(R"([?!])").replace_all("Why?! No", " $0 ") == "Why ?  !  No");
  CHECK(Regex(R"((a)|(b))").replace_all("ab", "[$1$2]") == "[a][b]");  // an unset group is empty
  CHECK(Regex("x").replace_all("none here", "y") == "none here");
  std::string long_text(5000, 'a');  // the output outgrows the first buffer
  CHECK(Regex("a").replace_all(long_text, "bbbb") == std::string(20000, 'b'));
  CHECK_THROWS_AS(Regex("(a+)+$").replace_all(std::string(30, 'a') + "!", "x"), RegexLimitError);
}
