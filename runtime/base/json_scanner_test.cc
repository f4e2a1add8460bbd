#include "runtime/base/json_scanner.h"

#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

using namespace sftx::rt;
using Byte = JsonScanner::Byte;

namespace {
// What each byte of `text` was, and the depth after it.
std::vector<std::pair<Byte, size_t>> scan(std::string_view text) {
  JsonScanner s;
  std::vector<std::pair<Byte, size_t>> out;
  for (char c : text) {
    Byte b = s.feed(c);
    out.emplace_back(b, s.depth());
  }
  return out;
}
}  // namespace

TEST_CASE("json scanner: brackets outside strings open and close", "[json_depth]") {
  auto s = scan(R"([{"a": 1}])");
  CHECK(s.front() == std::pair{Byte::open, size_t{1}});
  CHECK(s[1] == std::pair{Byte::open, size_t{2}});
  CHECK(s[8] == std::pair{Byte::close, size_t{1}});
  CHECK(s.back() == std::pair{Byte::close, size_t{0}});
}

TEST_CASE("json scanner: strings hide brackets, escapes hide quotes and backslashes", "[json_depth]") {
  JsonScanner s;
  for (char c : std::string_view(R"(["[{\"]}", "\\")")) s.feed(c);  // ["[{\"]}", "\\"
  CHECK(s.depth() == 1);
  CHECK_FALSE(s.in_string());  // the escaped backslash does not escape the closing quote
  CHECK(s.feed(']') == Byte::close);
  JsonScanner t;
  t.feed('"');
  CHECK(t.in_string());
  CHECK(t.feed('[') == Byte::other);
  CHECK(t.depth() == 0);
}

TEST_CASE("json scanner: a closer with nothing open is reported, and the depth stays 0", "[json_depth]") {
  auto s = scan("]}[");
  CHECK(s[0] == std::pair{Byte::unbalanced, size_t{0}});
  CHECK(s[1] == std::pair{Byte::unbalanced, size_t{0}});
  CHECK(s[2] == std::pair{Byte::open, size_t{1}});
}
