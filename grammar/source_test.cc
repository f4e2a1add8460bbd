#include "grammar/source.h"

#include <catch2/catch.hpp>

using sftx::SourceFile;
using sftx::SourceRange;

TEST_CASE("line and column of byte offsets", "[source]") {
  SourceFile f("a.sftx", "ab\ncd\n\nxyz");
  CHECK(f.line_count() == 4);
  CHECK(f.location(0).line == 1);
  CHECK(f.location(0).column == 1);
  CHECK(f.location(1).column == 2);
  CHECK(f.location(2).column == 3);  // the newline itself is at the end of line 1
  CHECK(f.location(3).line == 2);
  CHECK(f.location(3).column == 1);
  CHECK(f.location(6).line == 3);
  CHECK(f.location(9).line == 4);
  CHECK(f.location(9).column == 3);
  CHECK(f.location(999).line == 4);  // past the end: clamped
  CHECK(f.location(999).column == 4);
  CHECK(f.line_text(2) == "cd");
  CHECK(f.line_text(3).empty());
  CHECK(f.line_text(5).empty());
}

TEST_CASE("columns count UTF-8 code points, tabs count one", "[source]") {
  SourceFile f("u.sftx", "é = \"ü\"\n\tx");
  // 'é' is 2 bytes, so '=' at byte 3 is column 3.
  CHECK(f.location(3).column == 3);
  CHECK(f.location(10).line == 2);
  CHECK(f.location(11).column == 2);  // after the tab
  CHECK(f.display_length(SourceRange{5, 9}) == 3);  // "ü" with its quotes: 3 code points
  CHECK(sftx::count_code_points("aé€😀") == 4);
}

TEST_CASE("display length is clipped to the first line and at least one", "[source]") {
  SourceFile f("r.sftx", "abc\ndef");
  CHECK(f.display_length(SourceRange{1, 6}) == 2);
  CHECK(f.display_length(SourceRange{2, 2}) == 1);
  CHECK(f.slice(SourceRange{4, 7}) == "def");
  CHECK(f.slice(SourceRange{5, 100}) == "ef");
  CHECK(SourceRange::cover({3, 5}, {1, 4}) == SourceRange{1, 5});
}

TEST_CASE("CRLF line endings are not shown in line text", "[source]") {
  SourceFile f("w.sftx", "a = 1\r\nb = 2\r\n");
  CHECK(f.line_text(1) == "a = 1");
  CHECK(f.location(7).line == 2);
}
