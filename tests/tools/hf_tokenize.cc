// sftx_hf_tokenize: runs sftx's native tokenizer.json implementation over strings, for the
// parity check against the `tokenizers` package (scripts/peers/tokenizers_parity.py); or a
// SentencePiece model as sftx runs it, for the check of its exported tokenizer.json against
// transformers' AutoTokenizer (scripts/peers/export_parity.py).
//
//   sftx_hf_tokenize TOKENIZER_JSON|SENTENCEPIECE_MODEL STRINGS_JSONL OUT_JSONL
//     (a SentencePiece model has no post-processor: ids_special = ids, decode = decode_keep
//     = the model's decode of ids)
//     STRINGS_JSONL: one JSON string per line. OUT_JSONL: per string
//     {"ids": encode without special tokens, "ids_special": encode with the post-processor,
//      "decode": decode(ids_special) skipping special tokens, "decode_keep": keeping them}
//     or {"error": why}.
//   sftx_hf_tokenize --bench TOKENIZER_JSON STRINGS_JSONL
//     encodes every string (no special tokens) and prints {"strings", "bytes", "seconds"}.
#include <chrono>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "runtime/tokenizer/tokenizer.h"

using nlohmann::json;

namespace {
std::vector<std::string> read_strings(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::vector<std::string> out;
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    try {
      out.push_back(json::parse(line).get<std::string>());
    } catch (const json::exception& e) {
      throw std::runtime_error(path + ":" + std::to_string(n) + ": expected a JSON string: " + e.what());
    }
  }
  return out;
}
}  // namespace

int main(int argc, char** argv) {
  try {
    const bool bench = argc == 4 && std::string(argv[1]) == "--bench";
    if (argc != 4) {
      std::cerr << "usage: sftx_hf_tokenize TOKENIZER_JSON STRINGS_JSONL OUT_JSONL\n"
                   "       sftx_hf_tokenize --bench TOKENIZER_JSON STRINGS_JSONL\n";
      return 2;
    }
    const sftx::rt::Tokenizer tok = sftx::rt::Tokenizer::load(argv[bench ? 2 : 1]);
    const sftx::rt::HfTokenizer* hf = tok.hf();
    if (!hf && bench) throw std::runtime_error(std::string(argv[2]) + ": not a tokenizer.json");
    const auto strings = read_strings(argv[bench ? 3 : 2]);
    if (bench) {
      size_t bytes = 0, ids = 0;
      const auto t0 = std::chrono::steady_clock::now();
      for (const auto& s : strings) {
        bytes += s.size();
        ids += hf->encode(s, false).size();
      }
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      std::cout << json{{"strings", strings.size()}, {"bytes", bytes}, {"ids", ids}, {"seconds", secs}}.dump() << "\n";
      return 0;
    }
    std::ofstream out(argv[3]);
    if (!out) throw std::runtime_error(std::string(argv[3]) + ": cannot write");
    for (const auto& s : strings) {
      json row;
      try {
        if (!hf) {
          const auto ids = tok.encode(s);
          row = {{"ids", ids}, {"ids_special", ids}, {"decode", tok.decode(ids)}, {"decode_keep", tok.decode(ids)}};
          out << row.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
          continue;
        }
        row["ids"] = hf->encode(s, false);
        const auto with = hf->encode(s, true);
        row["ids_special"] = with;
        row["decode"] = hf->decode(with, true);
        row["decode_keep"] = hf->decode(with, false);
      } catch (const std::exception& e) {
        row = {{"error", e.what()}};
      }
      out << row.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
    }
    return out ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "sftx_hf_tokenize: " << e.what() << "\n";
    return 1;
  }
}
