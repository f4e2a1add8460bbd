#include "runtime/eval/ifeval.h"

#include <algorithm>
#include <stdexcept>

#include "runtime/eval/ifeval_instructions.h"
#include "runtime/eval/ifeval_text.h"

namespace sftx::rt {
namespace {

std::string join_lines(const std::vector<std::string>& lines, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) {
    if (i > from) out += '\n';
    out += lines[i];
  }
  return out;
}

std::string without_stars(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), '*'), s.end());
  return s;
}

}  // namespace

IfevalItem ifeval_item_from_json(const nlohmann::json& meta) {
  IfevalItem item;
  if (!meta.is_object() || !meta.contains("instruction_id_list") || !meta["instruction_id_list"].is_array())
    throw std::runtime_error("an IFEval record needs meta.instruction_id_list (a list of instruction ids)");
  for (const auto& id : meta["instruction_id_list"]) {
    if (!id.is_string()) throw std::runtime_error("instruction_id_list must hold strings");
    if (!is_known_ifeval_instruction(id.get<std::string>()))
      throw std::runtime_error("unknown IFEval instruction \"" + id.get<std::string>() + "\"");
    item.instruction_ids.push_back(id.get<std::string>());
  }
  nlohmann::json kwargs = meta.value("kwargs", nlohmann::json::array());
  if (!kwargs.is_array()) throw std::runtime_error("meta.kwargs must be a list parallel to instruction_id_list");
  if (!kwargs.empty() && kwargs.size() != item.instruction_ids.size())
    throw std::runtime_error("meta.kwargs has " + std::to_string(kwargs.size()) + " entries for " +
                             std::to_string(item.instruction_ids.size()) + " instructions");
  for (size_t i = 0; i < item.instruction_ids.size(); ++i)
    item.kwargs.push_back(kwargs.empty() || kwargs[i].is_null() ? nlohmann::json::object() : kwargs[i]);
  return item;
}

std::vector<std::string> ifeval_loose_variants(const std::string& response) {
  auto lines = split_lines(response);
  size_t n = lines.size();
  std::string remove_first = trim(join_lines(lines, std::min<size_t>(1, n), n));
  std::string remove_last = trim(join_lines(lines, 0, n > 0 ? n - 1 : 0));
  std::string remove_both = n >= 2 ? trim(join_lines(lines, 1, n - 1)) : "";
  return {response,          without_stars(response),     remove_first,
          remove_last,       remove_both,                 without_stars(remove_first),
          without_stars(remove_last), without_stars(remove_both)};
}

IfevalVerdict check_ifeval(const IfevalItem& item, const std::string& response) {
  IfevalVerdict v;
  auto variants = ifeval_loose_variants(response);
  v.strict_all = v.loose_all = true;
  for (size_t i = 0; i < item.instruction_ids.size(); ++i) {
    const auto& id = item.instruction_ids[i];
    const auto& kw = item.kwargs[i];
    bool strict = !trim(response).empty() && follows_instruction(id, kw, response);
    bool loose = false;
    for (const auto& r : variants)
      if (!trim(r).empty() && follows_instruction(id, kw, r)) {
        loose = true;
        break;
      }
    v.strict.push_back(strict);
    v.loose.push_back(loose);
    v.strict_all = v.strict_all && strict;
    v.loose_all = v.loose_all && loose;
  }
  return v;
}

IfevalScores summarize_ifeval(const std::vector<IfevalVerdict>& verdicts) {
  IfevalScores s;
  int64_t ps = 0, pl = 0, is = 0, il = 0;
  for (const auto& v : verdicts) {
    ++s.prompts;
    ps += v.strict_all;
    pl += v.loose_all;
    for (size_t i = 0; i < v.strict.size(); ++i) {
      ++s.instructions;
      is += v.strict[i];
      il += v.loose[i];
    }
  }
  auto frac = [](int64_t a, int64_t b) { return b ? static_cast<double>(a) / static_cast<double>(b) : 0.0; };
  s.prompt_strict = frac(ps, s.prompts);
  s.prompt_loose = frac(pl, s.prompts);
  s.instruction_strict = frac(is, s.instructions);
  s.instruction_loose = frac(il, s.instructions);
  return s;
}

nlohmann::json IfevalScores::to_json() const {
  return {{"prompt_strict", prompt_strict},
          {"prompt_loose", prompt_loose},
          {"instruction_strict", instruction_strict},
          {"instruction_loose", instruction_loose},
          {"prompts", prompts},
          {"instructions", instructions}};
}

}  // namespace sftx::rt
