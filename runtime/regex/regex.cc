#include "runtime/regex/regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

namespace sftx {
namespace {

constexpr uint32_t kCompileOptions = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF;

std::string pcre2_message(int code) {
  PCRE2_UCHAR buf[256];
  int n = pcre2_get_error_message(code, buf, sizeof buf);
  return n < 0 ? "PCRE2 error " + std::to_string(code) : std::string(reinterpret_cast<char*>(buf), static_cast<size_t>(n));
}

pcre2_code* compile(const std::string& pattern, RegexSyntaxError* error) {
  int code = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* re = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), kCompileOptions, &code,
                                 &offset, nullptr);
  if (!re && error) *error = {static_cast<size_t>(offset), pcre2_message(code)};
  return re;
}

}  // namespace

struct Regex::Impl {
  pcre2_code* code = nullptr;
  pcre2_match_context* context = nullptr;
  ~Impl() {
    pcre2_match_context_free(context);
    pcre2_code_free(code);
  }
};

std::optional<RegexSyntaxError> regex_syntax_error(const std::string& pattern) {
  RegexSyntaxError error;
  pcre2_code* re = compile(pattern, &error);
  if (re) {
    pcre2_code_free(re);
    return std::nullopt;
  }
  return error;
}

Regex::Regex(const std::string& pattern, RegexLimits limits) : pattern_(pattern), impl_(std::make_unique<Impl>()) {
  RegexSyntaxError error;
  impl_->code = compile(pattern, &error);
  if (!impl_->code) throw std::invalid_argument(error.message + " at offset " + std::to_string(error.offset));
  impl_->context = pcre2_match_context_create(nullptr);
  if (!impl_->context) throw std::bad_alloc();
  pcre2_set_match_limit(impl_->context, limits.match_limit);
  pcre2_set_depth_limit(impl_->context, limits.depth_limit);
  pcre2_set_heap_limit(impl_->context, limits.heap_limit_kib);
  if (limits.jit) pcre2_jit_compile(impl_->code, PCRE2_JIT_COMPLETE);  // else, or without a JIT: the interpreter
}

Regex::~Regex() = default;
Regex::Regex(Regex&&) noexcept = default;
Regex& Regex::operator=(Regex&&) noexcept = default;

namespace {

using MatchData = std::unique_ptr<pcre2_match_data, decltype(&pcre2_match_data_free)>;

MatchData match_data(const pcre2_code* code) {
  MatchData md(pcre2_match_data_create_from_pattern(code, nullptr), &pcre2_match_data_free);
  if (!md) throw std::bad_alloc();
  return md;
}

// pcre2_match's result: true for a match, false for none; a limit or another error throws.
bool matched(int rc, const std::string& pattern) {
  if (rc >= 0) return true;
  if (rc == PCRE2_ERROR_NOMATCH) return false;
  if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT ||
      rc == PCRE2_ERROR_JIT_STACKLIMIT)
    throw RegexLimitError("the regular expression " + pattern + " needs too much backtracking on this text (" +
                          pcre2_message(rc) + "); simplify it (e.g. avoid nested repeats such as (a+)+)");
  throw std::runtime_error("regular expression " + pattern + ": " + pcre2_message(rc));
}

}  // namespace

bool Regex::search(std::string_view text) const {
  MatchData md = match_data(impl_->code);
  return matched(pcre2_match(impl_->code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0, 0, md.get(),
                             impl_->context),
                 pattern_);
}

std::vector<std::pair<size_t, size_t>> Regex::find_all(std::string_view text) const {
  std::vector<std::pair<size_t, size_t>> out;
  MatchData md = match_data(impl_->code);
  const auto* subject = reinterpret_cast<PCRE2_SPTR>(text.data());
  size_t start = 0;
  while (start <= text.size() &&
         matched(pcre2_match(impl_->code, subject, text.size(), start, 0, md.get(), impl_->context), pattern_)) {
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.get());
    const size_t b = ov[0], e = ov[1];
    if (e > b) {
      out.emplace_back(b, e);
      start = e;
    } else {  // an empty match: step over one UTF-8 character
      if (b >= text.size()) break;
      start = b + 1;
      while (start < text.size() && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) ++start;
    }
  }
  return out;
}

std::string Regex::replace_all(std::string_view text, const std::string& replacement) const {
  constexpr uint32_t options =
      PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_UNSET_EMPTY | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH;
  MatchData md = match_data(impl_->code);
  std::string out(text.size() + text.size() / 2 + 64, '\0');
  for (;;) {
    PCRE2_SIZE length = out.size();
    int rc = pcre2_substitute(impl_->code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0, options, md.get(),
                              impl_->context, reinterpret_cast<PCRE2_SPTR>(replacement.data()), replacement.size(),
                              reinterpret_cast<PCRE2_UCHAR*>(out.data()), &length);
    if (rc == PCRE2_ERROR_NOMEMORY) {  // `length` is now the size needed
      out.resize(length);
      continue;
    }
    if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) matched(rc, pattern_);  // throws
    out.resize(length);
    return out;
  }
}

}  // namespace sftx
