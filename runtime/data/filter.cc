// filter(): keeps the records that pass every given check; reports what each check removed.
//   min_chars / max_chars   all message contents together, in Unicode characters
//   min_turns / max_turns   turns = assistant messages (one exchange each)
//   exclude_regex / require_regex        Perl-compatible regex (PCRE2, runtime/regex/regex.h)
//                                        searched in the text (string or list; require: at
//                                        least one matches); bounded work per record
//   exclude_keywords / require_keywords  case-insensitive substrings (require: at least one)
//   exclude_tags / require_tags          meta.tags from tag() (require: at least one)
//   drop_empty_assistant (default true)  no assistant message, or an empty one: a format
//                                        failure, not a training example
#include <algorithm>
#include <optional>

#include "runtime/data/data_error.h"
#include "runtime/data/record_io.h"
#include "runtime/data/removal_report.h"
#include "runtime/data/text_normalize.h"
#include "runtime/data/transform_params.h"
#include "runtime/data/transforms.h"
#include "runtime/regex/regex.h"

namespace sftx::rt {

namespace {

std::string lowercase(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::vector<Regex> compile(const std::vector<std::string>& patterns, const std::string& name) {
  std::vector<Regex> out;
  for (const auto& p : patterns) {
    try {
      out.emplace_back(p);
    } catch (const std::invalid_argument& e) {
      throw DataError("filter: " + name + " \"" + p + "\" is not a valid regular expression: " + e.what());
    }
  }
  return out;
}

struct FilterRules {
  std::optional<int64_t> min_chars, max_chars, min_turns, max_turns;
  std::vector<Regex> exclude_regex, require_regex;
  std::vector<std::string> exclude_regex_src, require_regex_src;
  std::vector<std::string> exclude_keywords, require_keywords, exclude_tags, require_tags;
  bool drop_empty_assistant = true;

  explicit FilterRules(const nlohmann::json& params) {
    TransformParams p("filter", params,
                      {"min_chars", "max_chars", "min_turns", "max_turns", "exclude_regex", "require_regex",
                       "exclude_keywords", "require_keywords", "exclude_tags", "require_tags", "drop_empty_assistant"});
    auto opt = [&](const char* n) { return p.has(n) ? std::optional<int64_t>(p.integer(n, 0)) : std::nullopt; };
    min_chars = opt("min_chars"), max_chars = opt("max_chars"), min_turns = opt("min_turns"), max_turns = opt("max_turns");
    exclude_regex_src = p.strings("exclude_regex");
    require_regex_src = p.strings("require_regex");
    exclude_regex = compile(exclude_regex_src, "exclude_regex");
    require_regex = compile(require_regex_src, "require_regex");
    for (auto& k : p.strings("exclude_keywords")) exclude_keywords.push_back(lowercase(k));
    for (auto& k : p.strings("require_keywords")) require_keywords.push_back(lowercase(k));
    exclude_tags = p.strings("exclude_tags");
    require_tags = p.strings("require_tags");
    drop_empty_assistant = p.boolean("drop_empty_assistant", true);
  }

  // Why r fails, or "" when it passes.
  std::string reject_reason(const Record& r) const {
    if (drop_empty_assistant) {
      bool any = false;
      for (const auto& m : r.messages) {
        if (m.role != "assistant") continue;
        any = true;
        if (m.content.find_first_not_of(" \t\r\n") == std::string::npos) return "empty assistant turn";
      }
      if (!any) return "no assistant turn";
    }
    std::string text = record_text(r);
    int64_t chars = utf8_length(text);
    if (min_chars && chars < *min_chars) return "min_chars";
    if (max_chars && chars > *max_chars) return "max_chars";
    int64_t turns = std::count_if(r.messages.begin(), r.messages.end(), [](const Message& m) { return m.role == "assistant"; });
    if (min_turns && turns < *min_turns) return "min_turns";
    if (max_turns && turns > *max_turns) return "max_turns";
    for (size_t i = 0; i < exclude_regex.size(); ++i)
      if (exclude_regex[i].search(text)) return "exclude_regex " + exclude_regex_src[i];
    if (!require_regex.empty() &&
        std::none_of(require_regex.begin(), require_regex.end(), [&](const Regex& re) { return re.search(text); }))
      return "require_regex";
    if (!exclude_keywords.empty() || !require_keywords.empty()) {
      std::string lower = lowercase(text);
      for (const auto& k : exclude_keywords)
        if (lower.find(k) != std::string::npos) return "exclude_keywords " + k;
      if (!require_keywords.empty() && std::none_of(require_keywords.begin(), require_keywords.end(),
                                                    [&](const std::string& k) { return lower.find(k) != std::string::npos; }))
        return "require_keywords";
    }
    if (!exclude_tags.empty() || !require_tags.empty()) {
      std::vector<std::string> tags;
      if (r.meta.contains("tags") && r.meta["tags"].is_array())
        for (const auto& t : r.meta["tags"])
          if (t.is_string()) tags.push_back(t.get<std::string>());
      auto has = [&](const std::string& t) { return std::find(tags.begin(), tags.end(), t) != tags.end(); };
      for (const auto& t : exclude_tags)
        if (has(t)) return "exclude_tags " + t;
      if (!require_tags.empty() && std::none_of(require_tags.begin(), require_tags.end(), has)) return "require_tags";
    }
    return "";
  }
};

}  // namespace

DataStats filter_records(const nlohmann::json& params, const std::string& in, const std::string& out_path) {
  FilterRules rules(params);
  RemovalReport report;
  RecordWriter out(out_path);
  for_each_record(in, [&](Record&& r, int64_t) {
    std::string why;
    try {
      why = rules.reject_reason(r);
    } catch (const RegexLimitError& e) {  // bounded work: a pathological pattern is an error, not a hang
      throw DataError(r.origin + ": filter: " + e.what());
    }
    if (why.empty()) out.write(r);
    else report.add(r.origin, why);
  });
  out.close();
  DataStats st;
  st.records = out.count();
  st.removed = report.total();
  report.write_into(st.details);
  return st;
}

}  // namespace sftx::rt
