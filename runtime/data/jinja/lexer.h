// Jinja's lexer, as jinja2 3.1's Lexer runs with the settings transformers uses for chat
// templates: trim_blocks and lstrip_blocks on, keep_trailing_newline off, the default
// delimiters. Whitespace control happens here, on the template's text:
//   {%- / {{- / {#-   strip all whitespace before the tag;
//   -%} / -}} / -#}   strip all whitespace after it;
//   trim_blocks       the first newline after a block tag or comment goes;
//   lstrip_blocks     spaces and tabs from the start of a line up to a block tag or comment go
//                     ({%+ keeps them);
// and comments are dropped.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace sftx::rt::jinja {

// A syntax error or an unsupported construct, at a byte offset of the template.
struct ParseFailure : std::runtime_error {
  ParseFailure(size_t p, const std::string& message) : std::runtime_error(message), pos(p) {}
  size_t pos;
};

enum class TokenType { data, var_begin, var_end, block_begin, block_end, name, string, integer, floating, op, eof };

struct Token {
  TokenType type;
  std::string value;  // data text, a name, a string literal's value, a number's digits, an operator
  size_t pos;         // byte offset in the template
};

// The template's newlines normalised (\r\n and \r become \n) and one trailing newline dropped,
// as jinja2 does before lexing; token positions refer to this text.
std::string normalize_template_source(const std::string& source);

std::vector<Token> lex(const std::string& normalized_source);

}  // namespace sftx::rt::jinja
