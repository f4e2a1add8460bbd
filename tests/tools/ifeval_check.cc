// sftx_ifeval_check: sftx's IFEval verdicts for responses, for the parity check against
// lm-eval's IFEval implementation (scripts/peers/ifeval_parity.py).
//
//   sftx_ifeval_check IN_JSONL OUT_JSONL
//     IN_JSONL: per line {"instruction_id_list": [...], "kwargs": [...], "response": "..."}
//     (the public input_data.jsonl fields plus the response).
//     OUT_JSONL: per line {"strict": [bool per instruction], "loose": [...]} or {"error": why}.
//   sftx_ifeval_check --ids
//     prints the instruction ids sftx supports, one per line.
//   sftx_ifeval_check --word-tokenize IN_JSONL OUT_JSONL
//     per line {"response": "..."} in, {"tokens": [...]} out: the nltk.word_tokenize port that
//     change_case:capital_word_frequency counts with.
//   sftx_ifeval_check --sentences IN_JSONL OUT_JSONL
//     per line {"response": "..."} in, {"sentences": [...]} out: the Punkt port (English model)
//     that length_constraints:number_sentences counts and nltk.word_tokenize splits on.
//   sftx_ifeval_check --langdetect IN_JSONL OUT_JSONL
//     per line {"response": "..."} in, {"language": code or null, "probabilities": [[code, p], ...]}
//     out: the langdetect port (seed 0) that language:response_language uses; null where
//     langdetect raises LangDetectException.
//   sftx_ifeval_check --unicode OUT_JSONL
//     every code point (surrogates aside) as sftx's IFEval checks read it: a first line
//     {"unicode_version": "15.0", "unassigned": [[first, last], ...]} (ICU's unassigned ranges),
//     then {"c": code point, "lower": str.lower(), "upper": isupper(), "lowercase": islower(),
//     "space": isspace(), "word": nltk's \w} for each code point where one of them is not the
//     default (itself, false).
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>
#include <unicode/uchar.h>
#include <unicode/utf8.h>
#include <unicode/uversion.h>

#include "runtime/eval/ifeval.h"
#include "runtime/eval/ifeval_instructions.h"
#include "runtime/eval/ifeval_text.h"
#include "runtime/eval/langdetect.h"
#include "runtime/eval/nltk_word_tokenize.h"
#include "runtime/eval/punkt.h"
#include "runtime/base/jsonl.h"

using nlohmann::json;

int main(int argc, char** argv) {
  try {
    if (argc == 2 && std::string(argv[1]) == "--ids") {
      for (const auto& id : sftx::rt::ifeval_instruction_ids()) std::cout << id << "\n";
      return 0;
    }
    if (argc == 4 && std::string(argv[1]) == "--word-tokenize") {
      std::ofstream out(argv[3]);
      if (!out) throw std::runtime_error(std::string(argv[3]) + ": cannot write");
      for (const auto& row : sftx::rt::read_jsonl_objects(argv[2]))
        out << json{{"tokens", sftx::rt::nltk_word_tokenize(row.value.at("response").get<std::string>())}}.dump(
                   -1, ' ', false, json::error_handler_t::replace)
            << "\n";
      return out ? 0 : 1;
    }
    if (argc == 4 && std::string(argv[1]) == "--sentences") {
      std::ofstream out(argv[3]);
      if (!out) throw std::runtime_error(std::string(argv[3]) + ": cannot write");
      for (const auto& row : sftx::rt::read_jsonl_objects(argv[2])) {
        json sentences = json::array();
        const auto text = row.value.at("response").get<std::string>();  // the sentences are views of it
        for (std::string_view s : sftx::rt::punkt_sentences(text))
          sentences.push_back(std::string(s));
        out << json{{"sentences", sentences}}.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
      }
      return out ? 0 : 1;
    }
    if (argc == 4 && std::string(argv[1]) == "--langdetect") {
      std::ofstream out(argv[3]);
      if (!out) throw std::runtime_error(std::string(argv[3]) + ": cannot write");
      for (const auto& row : sftx::rt::read_jsonl_objects(argv[2])) {
        const auto text = row.value.at("response").get<std::string>();
        const auto probs = sftx::rt::langdetect_probabilities(text);
        json result = {{"language", nullptr}, {"probabilities", json::array()}};
        if (probs) {
          result["language"] = probs->empty() ? std::string("unknown") : probs->front().first;
          for (const auto& [code, p] : *probs) result["probabilities"].push_back(json::array({code, p}));
        }
        out << result.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
      }
      return out ? 0 : 1;
    }
    if (argc == 3 && std::string(argv[1]) == "--unicode") {
      std::ofstream out(argv[2]);
      if (!out) throw std::runtime_error(std::string(argv[2]) + ": cannot write");
      UVersionInfo v;
      u_getUnicodeVersion(v);
      json head = {{"unicode_version", std::to_string(v[0]) + "." + std::to_string(v[1])},
                   {"unassigned", json::array()}};
      std::vector<json> rows;
      for (UChar32 c = 0; c < 0x110000; ++c) {
        if (c >= 0xD800 && c < 0xE000) continue;
        if (u_charType(c) == U_UNASSIGNED) {
          auto& u = head["unassigned"];
          if (!u.empty() && u.back()[1].get<UChar32>() == c - 1) u.back()[1] = c;
          else u.push_back(json::array({c, c}));
        }
        char buf[4];
        int32_t len = 0;
        U8_APPEND_UNSAFE(buf, len, c);
        const std::string ch(buf, static_cast<size_t>(len));
        const std::string lower = sftx::rt::str_lower(ch);
        const bool upper = sftx::rt::is_all_upper(ch), lowercase = sftx::rt::is_all_lower(ch);
        const bool space = sftx::rt::is_python_space(static_cast<char32_t>(c));
        const bool word = sftx::rt::is_regex_word_char(static_cast<char32_t>(c));
        if (lower != ch || upper || lowercase || space || word)
          rows.push_back({{"c", c}, {"lower", lower}, {"upper", upper}, {"lowercase", lowercase}, {"space", space},
                          {"word", word}});
      }
      out << head.dump() << "\n";
      for (const auto& r : rows) out << r.dump() << "\n";
      return out ? 0 : 1;
    }
    if (argc != 3) {
      std::cerr << "usage: sftx_ifeval_check IN_JSONL OUT_JSONL\n       sftx_ifeval_check --ids\n"
                   "       sftx_ifeval_check --word-tokenize IN_JSONL OUT_JSONL\n"
                   "       sftx_ifeval_check --sentences IN_JSONL OUT_JSONL\n"
                   "       sftx_ifeval_check --langdetect IN_JSONL OUT_JSONL\n"
                   "       sftx_ifeval_check --unicode OUT_JSONL\n";
      return 2;
    }
    std::ofstream out(argv[2]);
    if (!out) throw std::runtime_error(std::string(argv[2]) + ": cannot write");
    for (const auto& row : sftx::rt::read_jsonl_objects(argv[1])) {
      json result;
      try {
        const auto item = sftx::rt::ifeval_item_from_json(row.value);
        const auto verdict = sftx::rt::check_ifeval(item, row.value.at("response").get<std::string>());
        result = {{"strict", verdict.strict}, {"loose", verdict.loose}};
      } catch (const std::exception& e) {
        result = {{"error", e.what()}};
      }
      out << result.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
    }
    return out ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "sftx_ifeval_check: " << e.what() << "\n";
    return 1;
  }
}
