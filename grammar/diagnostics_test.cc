#include "grammar/diagnostics.h"

#include <catch2/catch.hpp>

using sftx::Diagnostics;
using sftx::SourceFile;
using sftx::SourceRange;

TEST_CASE("render: header, gutter, caret with tildes, help", "[diagnostics]") {
  SourceFile f("exp.sftx", "a = 1\nb = 2\nstage2 = 1/2 * stage1\n");
  Diagnostics d;
  d.error(f, SourceRange{27, 33}, "a Model is not Data").help("use stage1.data");
  CHECK(d.render() ==
        "exp.sftx:3:16: error: a Model is not Data\n"
        "   3 | stage2 = 1/2 * stage1\n"
        "     |                ^~~~~~\n"
        "help: use stage1.data\n");
}

TEST_CASE("render: warnings, notes before helps, no line for position-less errors", "[diagnostics]") {
  SourceFile f("w.sftx", "x = 1\n");
  Diagnostics d;
  auto& w = d.warning(f, SourceRange{0, 1}, "unused definition 'x'");
  w.help("remove it");
  w.note("defined here");
  d.error("missing.sftx", "cannot open file: No such file or directory");
  CHECK(d.render() ==
        "w.sftx:1:1: warning: unused definition 'x'\n"
        "   1 | x = 1\n"
        "     | ^\n"
        "note: defined here\n"
        "help: remove it\n"
        "missing.sftx: error: cannot open file: No such file or directory\n");
  CHECK(d.error_count() == 1);
  CHECK(d.warning_count() == 1);
  CHECK(d.has_errors());
}

TEST_CASE("render: caret under UTF-8 text and after tabs", "[diagnostics]") {
  SourceFile f("u.sftx", "\tnäme = «x»\n");
  Diagnostics d;
  // '«' starts at byte 9 ('\t' n ä(2) m e ' ' = ' ' = 9 bytes): column 9.
  d.error(f, SourceRange{9, 14}, "unexpected '«'");
  CHECK(d.all()[0].column == 9);
  CHECK(d.all()[0].length == 3);
  CHECK(d.render() ==
        "u.sftx:1:9: error: unexpected '«'\n"
        "   1 | \tnäme = «x»\n"
        "     | \t       ^~~\n");
}

TEST_CASE("render: wide gutter for long files, caret past the end of the line", "[diagnostics]") {
  std::string text;
  for (int i = 0; i < 12344; ++i) text += "\n";
  text += "abc";
  SourceFile f("long.sftx", text);
  Diagnostics d;
  d.error(f, SourceRange{static_cast<std::uint32_t>(text.size()), static_cast<std::uint32_t>(text.size())},
          "expected ')'");
  CHECK(d.render() ==
        "long.sftx:12345:4: error: expected ')'\n"
        "12345 | abc\n"
        "      |    ^\n");
}

TEST_CASE("explicit line/column diagnostics use the registered source", "[diagnostics]") {
  Diagnostics d;
  d.add_source("cfg.toml", "[profile.smoke]\nepochz = 1\n");
  d.error("cfg.toml", 2, 1, "unknown key 'epochz'", 6).help("did you mean 'epochs'?");
  CHECK(d.render() ==
        "cfg.toml:2:1: error: unknown key 'epochz'\n"
        "   2 | epochz = 1\n"
        "     | ^~~~~~\n"
        "help: did you mean 'epochs'?\n");
}

TEST_CASE("sort orders by path, line, column and is stable", "[diagnostics]") {
  Diagnostics d;
  d.error("b.sftx", 1, 1, "b1");
  d.error("a.sftx", 3, 2, "a32");
  d.error("a.sftx", 3, 1, "a31");
  d.warning("a.sftx", 1, 5, "a15");
  d.error("a.sftx", 3, 1, "a31-second");
  d.sort();
  std::vector<std::string> order;
  for (const auto& x : d.all()) order.push_back(x.message);
  CHECK(order == std::vector<std::string>{"a15", "a31", "a31-second", "a32", "b1"});
}

TEST_CASE("colour only when asked", "[diagnostics]") {
  Diagnostics d;
  d.error("x.sftx", 0, 0, "boom");
  CHECK(d.render().find('\x1b') == std::string::npos);
  CHECK(d.render(true).find("\x1b[1;31merror:") != std::string::npos);
}

TEST_CASE("render: a very long line shows a window around the caret", "[diagnostics]") {
  std::string line = std::string(5000, 'a') + "!" + std::string(5000, 'b');
  SourceFile f("wide.sftx", line + "\n");
  Diagnostics d;
  d.error(f, SourceRange{5000, 5001}, "unexpected '!'");
  std::string out = d.render();
  CHECK(out.size() < 400);  // not the 10,001-character line
  CHECK(out ==
        "wide.sftx:1:5001: error: unexpected '!'\n"
        "   1 | ..." + std::string(60, 'a') + "!" + std::string(59, 'b') + "...\n"
        "     |    " + std::string(60, ' ') + "^\n");
}

TEST_CASE("render: control bytes and invalid UTF-8 in a line or a message are escaped", "[diagnostics]") {
  SourceFile f("ctl.sftx", "x = \"\x1b[2J\xff\" +\n");
  Diagnostics d;
  d.error(f, SourceRange{12, 13}, "unexpected '+' after \"\x1b[2J\"");
  CHECK(d.render() ==
        "ctl.sftx:1:13: error: unexpected '+' after \"\\x1B[2J\"\n"
        "   1 | x = \"\\x1B[2J\\xFF\" +\n"
        "     | " + std::string(18, ' ') + "^\n");
}
