#include "runtime/eval/ifeval_instructions.h"

#include <algorithm>
#include <functional>
#include <map>
#include <stdexcept>

#include "runtime/eval/ifeval_text.h"

namespace sftx::rt {
namespace {

using Check = std::function<bool(const nlohmann::json&, const std::string&)>;

const nlohmann::json& arg(const nlohmann::json& kw, const char* name) {
  if (!kw.is_object() || !kw.contains(name) || kw[name].is_null())
    throw std::invalid_argument(std::string("missing argument \"") + name + "\"");
  return kw[name];
}

int64_t int_arg(const nlohmann::json& kw, const char* name) {
  const auto& v = arg(kw, name);
  if (v.is_number()) return v.get<int64_t>();
  if (v.is_string()) {
    try {
      return std::stoll(v.get<std::string>());
    } catch (const std::exception&) {
    }
  }
  throw std::invalid_argument(std::string("argument \"") + name + "\" must be an integer");
}

std::string string_arg(const nlohmann::json& kw, const char* name) {
  const auto& v = arg(kw, name);
  if (!v.is_string()) throw std::invalid_argument(std::string("argument \"") + name + "\" must be a string");
  return v.get<std::string>();
}

std::vector<std::string> strings_arg(const nlohmann::json& kw, const char* name) {
  const auto& v = arg(kw, name);
  if (v.is_string()) return {v.get<std::string>()};
  if (!v.is_array()) throw std::invalid_argument(std::string("argument \"") + name + "\" must be a list of strings");
  std::vector<std::string> out;
  for (const auto& e : v) {
    if (!e.is_string()) throw std::invalid_argument(std::string("argument \"") + name + "\" must be a list of strings");
    out.push_back(e.get<std::string>());
  }
  return out;
}

// The public relations: "less than" means count < N, "at least" means count >= N.
bool compare(const nlohmann::json& kw, const char* count_name, int64_t count) {
  std::string rel = string_arg(kw, "relation");
  int64_t n = int_arg(kw, count_name);
  if (rel == "less than") return count < n;
  if (rel == "at least") return count >= n;
  throw std::invalid_argument("argument \"relation\" must be \"less than\" or \"at least\" (got \"" + rel + "\")");
}

bool starts_with(const std::string& s, std::string_view p) { return s.compare(0, p.size(), p) == 0; }
bool ends_with(const std::string& s, std::string_view p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

// Lines matching ^\s*\*[^\*].*$ or ^\s*-.*$ (the public bullet patterns).
int count_bullets(const std::string& text) {
  int n = 0;
  for (const auto& line : split_lines(text)) {
    size_t i = line.find_first_not_of(" \t\r\f\v");
    if (i == std::string::npos) continue;
    if (line[i] == '-') ++n;
    else if (line[i] == '*' && i + 1 < line.size() && line[i + 1] != '*' && line[i + 1] != '\n') ++n;
  }
  return n;
}

bool has_title(const std::string& text) {
  for (size_t open = text.find("<<"); open != std::string::npos; open = text.find("<<", open + 1)) {
    size_t close = text.find(">>", open + 2);
    if (close == std::string::npos) return false;
    std::string inner = text.substr(open + 2, close - open - 2);
    if (inner.find('\n') != std::string::npos) continue;
    // lstrip("<").rstrip(">").strip() must leave something.
    size_t b = inner.find_first_not_of('<');
    size_t e = inner.find_last_not_of('>');
    if (b != std::string::npos && e != std::string::npos && b <= e && !trim(inner.substr(b, e - b + 1)).empty())
      return true;
  }
  return false;
}

bool is_json(const std::string& response) {
  std::string v = trim(response);
  for (std::string_view fence : {"```json", "```Json", "```JSON", "```"}) {
    if (starts_with(v, fence)) {
      v = v.substr(fence.size());
      break;
    }
  }
  if (ends_with(v, "```")) v = v.substr(0, v.size() - 3);
  v = trim(v);
  return nlohmann::json::accept(v);
}

// re.findall(r"\*[^\n\*]*\*") and r"\*\*[^\n\*]*\*\*" with non-empty insides, summed.
int count_highlights(const std::string& t) {
  int n = 0;
  for (size_t i = 0; i < t.size();) {  // single: *x*
    if (t[i] != '*') {
      ++i;
      continue;
    }
    size_t j = i + 1;
    while (j < t.size() && t[j] != '\n' && t[j] != '*') ++j;
    if (j < t.size() && t[j] == '*') {
      if (!trim(t.substr(i + 1, j - i - 1)).empty()) ++n;
      i = j + 1;
    } else {
      i = j;
    }
  }
  for (size_t i = t.find("**"); i != std::string::npos;) {  // double: **x**
    size_t j = i + 2;
    while (j < t.size() && t[j] != '\n' && t[j] != '*') ++j;
    if (t.compare(j, 2, "**") == 0) {
      if (!trim(t.substr(i + 2, j - i - 2)).empty()) ++n;
      i = t.find("**", j + 2);
    } else {
      i = t.find("**", i + 1);
    }
  }
  return n;
}

int count_placeholders(const std::string& t) {
  int n = 0;
  for (size_t open = t.find('['); open != std::string::npos; open = t.find('[', open + 1)) {
    size_t close = t.find(']', open + 1);
    size_t nl = t.find('\n', open + 1);
    if (close == std::string::npos) break;
    if (nl != std::string::npos && nl < close) continue;  // "." in the public regex stops at newlines
    ++n;
    open = close;
  }
  return n;
}

bool has_postscript(const std::string& response, const std::string& marker) {
  std::string v = ascii_lower(response);
  // The public patterns: "P.P.S" -> p\.\s?p\.\s?s, "P.S." -> p\.\s?s\., else the marker literally.
  auto matches_at = [&](size_t i) {
    auto skip_space = [&](size_t& k) {
      if (k < v.size() && (v[k] == ' ' || v[k] == '\t')) ++k;
    };
    if (marker == "P.P.S" || marker == "P.S.") {
      const std::string parts = marker == "P.P.S" ? "pps" : "ps";
      size_t k = i;
      for (size_t p = 0; p < parts.size(); ++p) {
        if (k >= v.size() || v[k] != parts[p]) return false;
        ++k;
        bool last = p + 1 == parts.size();
        if (!last || marker == "P.S.") {
          if (k >= v.size() || v[k] != '.') return false;
          ++k;
          if (!last) skip_space(k);
        }
      }
      return true;
    }
    return v.compare(i, marker.size(), ascii_lower(marker)) == 0;
  };
  for (size_t i = 0; i < v.size(); ++i)
    if (matches_at(i)) return true;
  return false;
}

bool paragraphs_ok(const std::string& response, int64_t want) {
  // re.split(r"\s?\*\*\*\s?", value); empty first/last pieces do not count, empty inner ones fail.
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t pos = response.find("***"); pos != std::string::npos;) {
    size_t cut = pos > start && std::isspace(static_cast<unsigned char>(response[pos - 1])) ? pos - 1 : pos;
    parts.push_back(response.substr(start, cut - start));
    size_t after = pos + 3;
    if (after < response.size() && std::isspace(static_cast<unsigned char>(response[after]))) ++after;
    start = after;
    pos = response.find("***", start);
  }
  parts.push_back(response.substr(start));
  int64_t n = static_cast<int64_t>(parts.size());
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!trim(parts[i]).empty()) continue;
    if (i == 0 || i + 1 == parts.size()) --n;
    else return false;
  }
  return n == want;
}

const std::vector<std::pair<std::string, Check>>& registry() {
  static const std::vector<std::pair<std::string, Check>> r = {
      {"punctuation:no_comma", [](auto&, const std::string& v) { return v.find(',') == std::string::npos; }},
      {"change_case:english_capital", [](auto&, const std::string& v) { return is_all_upper(v); }},
      {"change_case:english_lowercase", [](auto&, const std::string& v) { return is_all_lower(v); }},
      {"detectable_format:number_bullet_lists",
       [](auto& kw, const std::string& v) { return count_bullets(v) == int_arg(kw, "num_bullets"); }},
      {"detectable_format:title", [](auto&, const std::string& v) { return has_title(v); }},
      {"detectable_format:json_format", [](auto&, const std::string& v) { return is_json(v); }},
      {"detectable_format:number_highlighted_sections",
       [](auto& kw, const std::string& v) { return count_highlights(v) >= int_arg(kw, "num_highlights"); }},
      {"detectable_content:postscript",
       [](auto& kw, const std::string& v) { return has_postscript(v, string_arg(kw, "postscript_marker")); }},
      {"detectable_content:number_placeholders",
       [](auto& kw, const std::string& v) { return count_placeholders(v) >= int_arg(kw, "num_placeholders"); }},
      {"keywords:existence",
       [](auto& kw, const std::string& v) {
         for (const auto& k : strings_arg(kw, "keywords"))
           if (count_ci(v, k) == 0) return false;
         return true;
       }},
      {"keywords:forbidden_words",
       [](auto& kw, const std::string& v) {
         for (const auto& w : strings_arg(kw, "forbidden_words"))
           if (contains_word_ci(v, w)) return false;
         return true;
       }},
      {"keywords:frequency",
       [](auto& kw, const std::string& v) { return compare(kw, "frequency", count_ci(v, string_arg(kw, "keyword"))); }},
      {"length_constraints:number_words",
       [](auto& kw, const std::string& v) { return compare(kw, "num_words", count_words(v)); }},
      {"length_constraints:number_sentences",
       [](auto& kw, const std::string& v) {
         return compare(kw, "num_sentences", static_cast<int64_t>(split_sentences(v).size()));
       }},
      {"length_constraints:number_paragraphs",
       [](auto& kw, const std::string& v) { return paragraphs_ok(v, int_arg(kw, "num_paragraphs")); }},
      {"startend:end_checker",
       [](auto& kw, const std::string& v) {
         return ends_with(ascii_lower(trim(v)), ascii_lower(trim(string_arg(kw, "end_phrase"))));
       }},
      {"startend:quotation",
       [](auto&, const std::string& v) {
         std::string t = trim(v);
         return t.size() > 1 && t.front() == '"' && t.back() == '"';
       }},
      {"combination:repeat_prompt",
       [](auto& kw, const std::string& v) {
         return starts_with(ascii_lower(trim(v)), ascii_lower(trim(string_arg(kw, "prompt_to_repeat"))));
       }},
  };
  return r;
}

}  // namespace

const std::vector<std::string>& ifeval_instruction_ids() {
  static const std::vector<std::string> ids = [] {
    std::vector<std::string> out;
    for (const auto& [id, check] : registry()) out.push_back(id);
    return out;
  }();
  return ids;
}

bool is_known_ifeval_instruction(const std::string& id) {
  const auto& ids = ifeval_instruction_ids();
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

bool follows_instruction(const std::string& id, const nlohmann::json& kwargs, const std::string& response) {
  for (const auto& [name, check] : registry()) {
    if (name != id) continue;
    try {
      return check(kwargs.is_null() ? nlohmann::json::object() : kwargs, response);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(id + ": " + e.what());
    } catch (const nlohmann::json::exception& e) {
      throw std::invalid_argument(id + ": bad argument: " + e.what());
    }
  }
  throw std::invalid_argument("unknown IFEval instruction \"" + id + "\"");
}

}  // namespace sftx::rt
