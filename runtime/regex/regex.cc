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
}

Regex::~Regex() = default;
Regex::Regex(Regex&&) noexcept = default;
Regex& Regex::operator=(Regex&&) noexcept = default;

bool Regex::search(std::string_view text) const {
  pcre2_match_data* md = pcre2_match_data_create_from_pattern(impl_->code, nullptr);
  if (!md) throw std::bad_alloc();
  int rc = pcre2_match(impl_->code, reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0, 0, md, impl_->context);
  pcre2_match_data_free(md);
  if (rc >= 0) return true;
  if (rc == PCRE2_ERROR_NOMATCH) return false;
  if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT)
    throw RegexLimitError("the regular expression " + pattern_ + " needs too much backtracking on this text (" +
                          pcre2_message(rc) + "); simplify it (e.g. avoid nested repeats such as (a+)+)");
  throw std::runtime_error("regular expression " + pattern_ + ": " + pcre2_message(rc));
}

}  // namespace sftx
