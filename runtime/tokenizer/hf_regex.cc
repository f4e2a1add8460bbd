#include "runtime/tokenizer/hf_regex.h"

#include <stdexcept>

namespace sftx::rt::hf {

namespace {
// Unicode White_Space: what \s means in Oniguruma (the crate's regex engine) and Rust. PCRE2
// 10.42's \s with UCP also takes U+180E (MONGOLIAN VOWEL SEPARATOR), so \s and \S are spelled
// out before compiling.
const char* const kWhiteSpace = "\\t\\n\\x{0B}\\f\\r\\x{20}\\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}";

std::string spell_out_white_space(const std::string& p) {
  std::string out;
  bool in_class = false, quoted = false;
  for (size_t i = 0; i < p.size(); ++i) {
    const char c = p[i];
    if (quoted) {
      if (c == '\\' && i + 1 < p.size() && p[i + 1] == 'E') quoted = false;
      out.push_back(c);
      if (!quoted) out.push_back(p[++i]);
      continue;
    }
    if (c == '\\' && i + 1 < p.size()) {
      const char e = p[++i];
      if (e == 's') {
        out += in_class ? std::string(kWhiteSpace) : "[" + std::string(kWhiteSpace) + "]";
      } else if (e == 'S') {
        if (in_class) throw std::invalid_argument("\\S inside a character class is not supported");
        out += "[^" + std::string(kWhiteSpace) + "]";
      } else {
        if (e == 'Q') quoted = true;
        out.push_back(c);
        out.push_back(e);
      }
      continue;
    }
    if (!in_class && c == '[') {
      in_class = true;
      out.push_back(c);
      if (i + 1 < p.size() && p[i + 1] == '^') out.push_back(p[++i]);
      if (i + 1 < p.size() && p[i + 1] == ']') out.push_back(p[++i]);  // a leading ] is literal
      continue;
    }
    if (in_class && c == '[' && i + 1 < p.size() && p[i + 1] == ':') {  // [:alpha:]
      const size_t end = p.find(":]", i + 2);
      if (end != std::string::npos) {
        out.append(p, i, end + 2 - i);
        i = end + 1;
        continue;
      }
    }
    if (in_class && c == ']') in_class = false;
    out.push_back(c);
  }
  return out;
}
sftx::RegexLimits jit() {
  sftx::RegexLimits limits;
  limits.jit = true;  // the file's patterns are a handful of fixed shapes, run over every text
  return limits;
}

}  // namespace

Regex::Regex(const std::string& pattern) try : pattern_(pattern), compiled_(spell_out_white_space(pattern), jit()) {
} catch (const std::invalid_argument& e) {
  throw std::invalid_argument(std::string("regex does not compile: ") + e.what());
}

std::vector<std::pair<size_t, size_t>> Regex::find_all(const std::string& text) const {
  return compiled_.find_all(text);
}

std::string regex_quote(const std::string& literal) {
  std::string out = "\\Q";
  for (size_t i = 0; i < literal.size(); ++i) {
    if (literal.compare(i, 2, "\\E") == 0) {  // \E would end the quote: leave it, escape, reopen
      out += "\\E\\\\E\\Q";
      ++i;
    } else {
      out.push_back(literal[i]);
    }
  }
  return out + "\\E";
}

}  // namespace sftx::rt::hf
