#include "runtime/data/utf8.h"

#include <catch2/catch.hpp>

using namespace sftx::rt;

TEST_CASE("utf8: well-formed text is valid, ill-formed bytes are located", "[utf8]") {
  CHECK(invalid_utf8_offset("plain ascii") == std::string_view::npos);
  CHECK(invalid_utf8_offset("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80") == std::string_view::npos);
  CHECK(invalid_utf8_offset("ab\xFF") == 2);            // never a UTF-8 byte
  CHECK(invalid_utf8_offset("ab\xC3") == 2);            // truncated sequence
  CHECK(invalid_utf8_offset("\xC0\xAF") == 0);          // overlong '/'
  CHECK(invalid_utf8_offset("x\xED\xA0\x80") == 1);     // a surrogate
  CHECK(invalid_utf8_offset("\xF4\x90\x80\x80") == 0);  // above U+10FFFF
}

TEST_CASE("utf8: display_safe escapes control bytes and bounds the length", "[utf8]") {
  CHECK(display_safe("ok", 10) == "ok");
  CHECK(display_safe("a\x1b[2Jb\n", 100) == "a\\x1B[2Jb\\x0A");
  CHECK(display_safe("a\nb", 100, true) == "a\nb");
  CHECK(display_safe("bad\xFFz", 100) == "bad\\xFFz");
  std::string long_text(5000, 'x');
  auto cut = display_safe(long_text, 1024);
  CHECK(cut.size() == 1024);
  CHECK(cut.substr(1021) == "...");
  // Never cuts inside a character.
  std::string accents;
  for (int i = 0; i < 100; ++i) accents += "\xC3\xA9";
  auto cut2 = display_safe(accents, 10);
  CHECK(invalid_utf8_offset(cut2) == std::string_view::npos);
  CHECK(cut2.size() <= 10);
}
