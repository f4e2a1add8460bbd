#include "runtime/data/jinja/lexer.h"

#include <algorithm>
#include <cctype>

#include "runtime/data/jinja/value.h"

namespace sftx::rt::jinja {
namespace {

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// A string literal's body decoded as jinja2 does (Python's "unicode-escape" codec): unknown
// escapes stay as written.
std::string unescape(const std::string& body, size_t pos) {
  std::string out;
  for (size_t i = 0; i < body.size(); ++i) {
    if (body[i] != '\\' || i + 1 == body.size()) {
      out += body[i];
      continue;
    }
    const char c = body[++i];
    auto hex_digits = [&](size_t n) {
      uint32_t v = 0;
      for (size_t k = 1; k <= n; ++k) {
        if (i + k >= body.size() || !std::isxdigit(static_cast<unsigned char>(body[i + k])))
          throw ParseFailure(pos, std::string("truncated \\") + c + " escape in string literal");
        const char h = body[i + k];
        v = v * 16 + static_cast<uint32_t>(std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : (std::tolower(h) - 'a' + 10));
      }
      i += n;
      return v;
    };
    switch (c) {
      case '\n': break;  // line continuation
      case '\\': out += '\\'; break;
      case '\'': out += '\''; break;
      case '"': out += '"'; break;
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'v': out += '\v'; break;
      case 'x': append_utf8(out, hex_digits(2)); break;
      case 'u': append_utf8(out, hex_digits(4)); break;
      case 'U': append_utf8(out, hex_digits(8)); break;
      case 'N': throw ParseFailure(pos, "\\N{...} escapes in string literals are not supported");
      default:
        if (c >= '0' && c <= '7') {
          uint32_t v = static_cast<uint32_t>(c - '0');
          for (int k = 0; k < 2 && i + 1 < body.size() && body[i + 1] >= '0' && body[i + 1] <= '7'; ++k)
            v = v * 8 + static_cast<uint32_t>(body[++i] - '0');
          append_utf8(out, v);
        } else {
          out += '\\';
          out += c;
        }
    }
  }
  return out;
}

// Python's whitespace at s[i] (what str.rstrip() and the regex \s remove): its byte length, or 0.
size_t space_at(const std::string& s, size_t i) {
  size_t n;
  return is_python_space(code_point_at(s, i, &n)) ? n : 0;
}

size_t skip_spaces(const std::string& s, size_t i) {
  while (i < s.size()) {
    const size_t n = space_at(s, i);
    if (n == 0) break;
    i += n;
  }
  return i;
}

std::string rstrip_spaces(const std::string& s) {
  // Python's rstrip(): walk forward remembering where the trailing whitespace run starts.
  size_t end = 0;
  for (size_t i = 0; i < s.size();) {
    const size_t n = space_at(s, i);
    if (n) {
      i += n;
    } else {
      size_t len;
      code_point_at(s, i, &len);
      i += len;
      end = i;
    }
  }
  return s.substr(0, end);
}

const char* const kOperators[] = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">",
                                  "=",  ".",  ",",  ":",  "|",  "(",  ")", "[", "]", "{", "}"};

class Lexer {
 public:
  explicit Lexer(const std::string& src) : s_(src) {}

  std::vector<Token> run() {
    bool line_starting = true;
    while (pos_ < s_.size()) {
      size_t open = s_.size();
      for (size_t k = pos_; k + 1 < s_.size(); ++k)
        if (s_[k] == '{' && (s_[k + 1] == '{' || s_[k + 1] == '%' || s_[k + 1] == '#')) {
          open = k;
          break;
        }
      std::string text = s_.substr(pos_, open - pos_);
      if (open == s_.size()) {
        emit_data(text, pos_);
        break;
      }
      const char kind = s_[open + 1];
      size_t after = open + 2;
      char sign = 0;
      if (after < s_.size() && (s_[after] == '-' || s_[after] == '+')) sign = s_[after++];
      if (sign == '-') {
        text = rstrip_spaces(text);
      } else if (sign != '+' && kind != '{') {
        // lstrip_blocks: only spaces and tabs between the line's start and the tag.
        const size_t nl = text.rfind('\n');
        const size_t l_pos = nl == std::string::npos ? 0 : nl + 1;
        if ((l_pos > 0 || line_starting) && text.find_first_not_of(" \t", l_pos) == std::string::npos)
          text.resize(l_pos);
      }
      emit_data(text, pos_);
      if (kind == '#') {
        line_starting = comment(open, after);
        continue;
      }
      if (kind == '%' && raw_block_at(after)) throw ParseFailure(open, "{% raw %} blocks are not supported");
      out_.push_back({kind == '{' ? TokenType::var_begin : TokenType::block_begin, "", open});
      pos_ = after;
      line_starting = tag(kind == '{' ? '}' : '%');
    }
    out_.push_back({TokenType::eof, "", s_.size()});
    return std::move(out_);
  }

 private:
  const std::string& s_;
  size_t pos_ = 0;
  std::vector<Token> out_;

  void emit_data(const std::string& text, size_t at) {
    if (!text.empty()) out_.push_back({TokenType::data, text, at});
  }

  bool raw_block_at(size_t i) const {
    i = skip_spaces(s_, i);
    return s_.compare(i, 3, "raw") == 0 && (i + 3 >= s_.size() || !(std::isalnum(static_cast<unsigned char>(s_[i + 3])) || s_[i + 3] == '_'));
  }

  // Skips a comment; returns whether what it consumed ended a line (for lstrip_blocks).
  bool comment(size_t open, size_t body) {
    const size_t close = s_.find("#}", body);
    if (close == std::string::npos) throw ParseFailure(open, "unclosed comment: missing #}");
    pos_ = close + 2;
    if (close > body && s_[close - 1] == '-') {
      pos_ = skip_spaces(s_, pos_);
    } else if (pos_ < s_.size() && s_[pos_] == '\n') {
      ++pos_;  // trim_blocks
    }
    return pos_ > 0 && s_[pos_ - 1] == '\n';
  }

  // Tokens of a {{ }} or {% %} tag up to its end; returns whether the end consumed a newline.
  bool tag(char closer) {
    const TokenType end_type = closer == '}' ? TokenType::var_end : TokenType::block_end;
    const std::string end = std::string(1, closer) + "}";
    const size_t start = out_.back().pos;
    std::string brackets;  // open ( [ {: inside them "}}" and "%}" do not end the tag (jinja2 too)
    for (;;) {
      pos_ = skip_spaces(s_, pos_);
      if (pos_ >= s_.size())
        throw ParseFailure(start, std::string("unclosed tag: missing ") + (closer == '}' ? "}}" : "%}"));
      if (!brackets.empty()) {
        expression_token();
        const std::string& op = out_.back().type == TokenType::op ? out_.back().value : std::string();
        if (op == "(" || op == "[" || op == "{") {
          brackets += op;
        } else if (op == ")" || op == "]" || op == "}") {
          const char want = op == ")" ? '(' : op == "]" ? '[' : '{';
          if (brackets.back() != want) throw ParseFailure(out_.back().pos, "unexpected '" + op + "'");
          brackets.pop_back();
        }
        continue;
      }
      if (s_.compare(pos_, 3, "-" + end) == 0) {
        out_.push_back({end_type, "", pos_});
        pos_ = skip_spaces(s_, pos_ + 3);
        return s_[pos_ - 1] == '\n';
      }
      if (closer == '%' && s_.compare(pos_, 3, "+%}") == 0) {
        out_.push_back({end_type, "", pos_});
        pos_ += 3;
        return false;
      }
      if (s_.compare(pos_, 2, end) == 0) {
        out_.push_back({end_type, "", pos_});
        pos_ += 2;
        if (closer == '%' && pos_ < s_.size() && s_[pos_] == '\n') {
          ++pos_;  // trim_blocks
          return true;
        }
        return false;
      }
      expression_token();
      if (out_.back().type == TokenType::op && (out_.back().value == "(" || out_.back().value == "[" || out_.back().value == "{"))
        brackets += out_.back().value;
    }
  }

  void expression_token() {
    const size_t at = pos_;
    const unsigned char c = static_cast<unsigned char>(s_[pos_]);
    if (std::isalpha(c) || c == '_' || c >= 0x80) {
      size_t e = pos_;
      while (e < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[e])) || s_[e] == '_' ||
                               static_cast<unsigned char>(s_[e]) >= 0x80))
        ++e;
      out_.push_back({TokenType::name, s_.substr(pos_, e - pos_), at});
      pos_ = e;
      return;
    }
    if (std::isdigit(c)) {
      size_t e = pos_;
      auto digits = [&] {
        while (e < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[e])) || s_[e] == '_')) ++e;
      };
      digits();
      bool is_float = false;
      if (e + 1 < s_.size() && s_[e] == '.' && std::isdigit(static_cast<unsigned char>(s_[e + 1]))) {
        ++e;
        digits();
        is_float = true;
      }
      if (e < s_.size() && (s_[e] == 'e' || s_[e] == 'E')) {
        size_t x = e + 1;
        if (x < s_.size() && (s_[x] == '+' || s_[x] == '-')) ++x;
        if (x < s_.size() && std::isdigit(static_cast<unsigned char>(s_[x]))) {
          e = x;
          digits();
          is_float = true;
        }
      }
      std::string text = s_.substr(pos_, e - pos_);
      text.erase(std::remove(text.begin(), text.end(), '_'), text.end());
      out_.push_back({is_float ? TokenType::floating : TokenType::integer, text, at});
      pos_ = e;
      return;
    }
    if (c == '\'' || c == '"') {
      size_t e = pos_ + 1;
      while (e < s_.size() && s_[e] != static_cast<char>(c)) e += s_[e] == '\\' ? 2 : 1;
      if (e >= s_.size()) throw ParseFailure(at, "unterminated string literal");
      out_.push_back({TokenType::string, unescape(s_.substr(pos_ + 1, e - pos_ - 1), at), at});
      pos_ = e + 1;
      return;
    }
    for (const char* op : kOperators) {
      const std::string o(op);
      if (s_.compare(pos_, o.size(), o) == 0) {
        out_.push_back({TokenType::op, o, at});
        pos_ += o.size();
        return;
      }
    }
    throw ParseFailure(at, std::string("unexpected character '") + static_cast<char>(c) + "' in a tag");
  }
};

}  // namespace

std::string normalize_template_source(const std::string& source) {
  std::string out;
  out.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      out += '\n';
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
    } else {
      out += source[i];
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();  // keep_trailing_newline=False
  return out;
}

std::vector<Token> lex(const std::string& normalized_source) { return Lexer(normalized_source).run(); }

}  // namespace sftx::rt::jinja
