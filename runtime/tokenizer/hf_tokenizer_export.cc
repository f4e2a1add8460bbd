#include "runtime/tokenizer/hf_tokenizer_export.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <stdexcept>
#include <unordered_map>

#include "runtime/base/strings.h"
#include "runtime/tokenizer/sp_model_patch.h"

namespace sftx::rt {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const char* const kSpace = "\xE2\x96\x81";  // "▁", SentencePiece's whitespace symbol

std::string base64(const std::string& bytes) {
  static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += table[(v >> s) & 63];
  }
  if (i < bytes.size()) {
    uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? table[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string regex_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::string("\\^$.|?*+()[]{}").find(c) != std::string::npos) out += '\\';
    out += c;
  }
  return out;
}

// Splits of each normal piece into two pieces of the vocabulary, ranked as transformers'
// SentencePieceExtractor ranks them: by the merged piece's score, highest first (stable), the
// splits of one piece by the ids of their halves. Splits are at character (code point)
// boundaries, as Python slices a str. Only normal pieces take part: SentencePiece's BPE merges
// symbols into normal pieces only (control, byte, unused and user-defined pieces are never the
// result or, being atomic, a half of a merge).
json bpe_merges(const SentencePieceModelInfo& info) {
  std::unordered_map<std::string, int> normal;
  for (size_t id = 0; id < info.pieces.size(); ++id)
    if (info.pieces[id].type == SentencePieceEntry::normal) normal.emplace(info.pieces[id].piece, static_cast<int>(id));
  struct Merge {
    float score;
    int left, right;
    const std::string* l;
    std::string r;
  };
  std::vector<Merge> merges;
  for (size_t id = 0; id < info.pieces.size(); ++id) {
    const auto& p = info.pieces[id];
    if (p.type != SentencePieceEntry::normal) continue;
    std::vector<Merge> local;
    for (size_t cut = 1; cut < p.piece.size(); ++cut) {
      if ((static_cast<unsigned char>(p.piece[cut]) & 0xC0) == 0x80) continue;  // inside a code point
      auto l = normal.find(p.piece.substr(0, cut));
      auto r = normal.find(p.piece.substr(cut));
      if (l == normal.end() || r == normal.end()) continue;
      local.push_back({p.score, l->second, r->second, &l->first, r->first});
    }
    std::sort(local.begin(), local.end(),
              [](const Merge& a, const Merge& b) { return a.left != b.left ? a.left < b.left : a.right < b.right; });
    merges.insert(merges.end(), local.begin(), local.end());
  }
  std::stable_sort(merges.begin(), merges.end(), [](const Merge& a, const Merge& b) { return a.score > b.score; });
  json out = json::array();
  for (const auto& m : merges) out.push_back(json::array({*m.l, m.r}));
  return out;
}

json replace_normalizer(const json& pattern, const std::string& content) {
  return {{"type", "Replace"}, {"pattern", pattern}, {"content", content}};
}

}  // namespace

json sentencepiece_tokenizer_json(const std::string& serialized_model, bool add_bos) {
  const SentencePieceModelInfo info = read_model_info(serialized_model);
  if (info.model_type != "bpe" && info.model_type != "unigram")
    throw std::runtime_error("SentencePiece model type \"" + info.model_type +
                             "\" has no tokenizer.json equivalent here (bpe and unigram do)");
  int unk = -1, bos = -1;
  std::string unk_piece, bos_piece;
  json added = json::array();
  std::vector<std::string> user_defined;
  for (size_t id = 0; id < info.pieces.size(); ++id) {
    const auto& p = info.pieces[id];
    if (p.type == SentencePieceEntry::unknown && unk < 0) {
      unk = static_cast<int>(id);
      unk_piece = p.piece;
    }
    if (p.type == SentencePieceEntry::control && p.piece == "<s>") {
      bos = static_cast<int>(id);
      bos_piece = p.piece;
    }
    if (p.type == SentencePieceEntry::control || p.type == SentencePieceEntry::unknown)
      added.push_back({{"id", id},           {"content", p.piece}, {"single_word", false}, {"lstrip", false},
                       {"rstrip", false},    {"normalized", false}, {"special", true}});
    if (p.type == SentencePieceEntry::user_defined) user_defined.push_back(p.piece);
  }

  json normalizers = json::array();
  const NormalizerFlags& n = info.normalizer;
  if (!info.precompiled_charsmap.empty())
    normalizers.push_back({{"type", "Precompiled"}, {"precompiled_charsmap", base64(info.precompiled_charsmap)}});
  if (n.remove_extra_whitespaces) {  // SentencePiece: no leading or trailing spaces, runs of spaces as one
    normalizers.push_back(replace_normalizer({{"Regex", " {2,}"}}, " "));
    normalizers.push_back(replace_normalizer({{"Regex", "^ | $"}}, ""));
  }
  if (n.add_dummy_prefix) normalizers.push_back({{"type", "Prepend"}, {"prepend", kSpace}});
  if (info.escape_whitespaces) normalizers.push_back(replace_normalizer({{"String", " "}}, kSpace));

  json pre_tokenizer = nullptr;
  if (!user_defined.empty()) {
    // Longest first: SentencePiece's prefix matcher takes the longest symbol at each position.
    std::stable_sort(user_defined.begin(), user_defined.end(),
                     [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    std::string pattern;
    for (const auto& u : user_defined)
      pattern += (pattern.empty() ? "" : "|") + regex_escape(info.escape_whitespaces ? replace_all(u, " ", kSpace) : u);
    pre_tokenizer = {{"type", "Split"}, {"pattern", {{"Regex", pattern}}}, {"behavior", "Isolated"}, {"invert", false}};
  }

  json model;
  if (info.model_type == "bpe") {
    json vocab = json::object();
    for (size_t id = 0; id < info.pieces.size(); ++id) vocab[info.pieces[id].piece] = id;
    model = {{"type", "BPE"},
             {"dropout", nullptr},
             {"unk_token", unk >= 0 ? json(unk_piece) : json(nullptr)},
             {"continuing_subword_prefix", nullptr},
             {"end_of_word_suffix", nullptr},
             {"fuse_unk", true},
             {"byte_fallback", info.byte_fallback},
             {"ignore_merges", !user_defined.empty()},
             {"vocab", std::move(vocab)},
             {"merges", bpe_merges(info)}};
  } else {
    json vocab = json::array();
    for (const auto& p : info.pieces) vocab.push_back(json::array({p.piece, p.type == SentencePieceEntry::normal ? p.score : 0.0f}));
    model = {{"type", "Unigram"},
             {"unk_id", unk >= 0 ? json(unk) : json(nullptr)},
             {"vocab", std::move(vocab)},
             {"byte_fallback", info.byte_fallback}};
  }

  json decoders = json::array({replace_normalizer({{"String", kSpace}}, " ")});
  if (info.byte_fallback) decoders.push_back({{"type", "ByteFallback"}});
  decoders.push_back({{"type", "Fuse"}});
  if (n.add_dummy_prefix) decoders.push_back({{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}});

  json post_processor = nullptr;
  if (add_bos && bos >= 0) {
    const json bos_token = {{"SpecialToken", {{"id", bos_piece}, {"type_id", 0}}}};
    post_processor = {
        {"type", "TemplateProcessing"},
        {"single", json::array({bos_token, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}})},
        {"pair", json::array({bos_token, {{"Sequence", {{"id", "A"}, {"type_id", 0}}}}, bos_token,
                              {{"Sequence", {{"id", "B"}, {"type_id", 0}}}}})},
        {"special_tokens", {{bos_piece, {{"id", bos_piece}, {"ids", json::array({bos})}, {"tokens", json::array({bos_piece})}}}}}};
  }

  return {{"version", "1.0"},
          {"truncation", nullptr},
          {"padding", nullptr},
          {"added_tokens", std::move(added)},
          {"normalizer", normalizers.empty() ? json(nullptr) : json{{"type", "Sequence"}, {"normalizers", normalizers}}},
          {"pre_tokenizer", pre_tokenizer},
          {"post_processor", post_processor},
          {"decoder", {{"type", "Sequence"}, {"decoders", decoders}}},
          {"model", std::move(model)}};
}

namespace {

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.flush();
  if (!out) throw std::runtime_error(path.string() + ": write failed");
}

json read_json(const fs::path& path) {
  std::ifstream in(path);
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    throw std::runtime_error(path.string() + ": invalid JSON: " + e.what());
  }
}

}  // namespace

void write_hf_tokenizer_files(const Tokenizer& tok, const HfTokenizerExport& options, const fs::path& dir) {
  json config = json::object();
  if (tok.hf()) {
    // The file as the checkpoint had it, less the special-token names sftx keeps in its copy
    // (HfTokenizer::with_config), which tokenizers would not know.
    json tj = json::parse(tok.serialized_model());
    tj.erase("sftx_special_tokens");
    write_text(dir / "tokenizer.json", tj.dump(2) + "\n");
    const fs::path source_config = options.source_dir / "tokenizer_config.json";
    if (!options.source_dir.empty() && fs::exists(source_config)) config = read_json(source_config);
    for (const char* name : {"special_tokens_map.json", "chat_template.jinja"})
      if (!options.source_dir.empty() && fs::exists(options.source_dir / name) &&
          !(options.chat_template.is_string() && std::string(name) == "chat_template.jinja"))
        fs::copy_file(options.source_dir / name, dir / name, fs::copy_options::overwrite_existing);
  } else {
    write_text(dir / "tokenizer.json", sentencepiece_tokenizer_json(tok.serialized_model(), options.add_bos).dump(2) + "\n");
    write_text(dir / "tokenizer.model", tok.serialized_model());
    config["add_bos_token"] = options.add_bos;
    config["add_eos_token"] = false;
  }
  // transformers' generic fast tokenizer: it takes tokenizer.json as written, where a model
  // class's tokenizer (LlamaTokenizer) may rebuild the normaliser and pre-tokenizer its own way.
  if (!tok.hf() || !config.contains("tokenizer_class")) config["tokenizer_class"] = "PreTrainedTokenizerFast";
  auto name_of = [&](int id) { return id >= 0 && id < tok.vocab_size() ? json(tok.piece(id)) : json(nullptr); };
  if (!config.contains("bos_token")) config["bos_token"] = name_of(tok.bos_id());
  if (!config.contains("eos_token")) config["eos_token"] = name_of(tok.eos_id());
  if (!config.contains("unk_token")) config["unk_token"] = name_of(tok.unk_id());
  if (!config.contains("pad_token") && tok.pad_id() >= 0) config["pad_token"] = name_of(tok.pad_id());
  if (!config.contains("clean_up_tokenization_spaces")) config["clean_up_tokenization_spaces"] = false;
  if (options.model_max_length > 0) config["model_max_length"] = options.model_max_length;
  if (!options.chat_template.is_null()) config["chat_template"] = options.chat_template;
  write_text(dir / "tokenizer_config.json", config.dump(2) + "\n");
}

}  // namespace sftx::rt
