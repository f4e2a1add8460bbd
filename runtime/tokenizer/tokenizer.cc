#include "runtime/tokenizer/tokenizer.h"

#include <sentencepiece_processor.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

#include "runtime/base/atomic_file.h"
#include "runtime/tokenizer/sp_model_patch.h"

namespace sftx::rt {

// Word cache. SentencePiece's BPE encoder spends most of its time merging symbol pairs, and
// the same words recur constantly (the vicuna system prompt alone is ~40 tokens per record).
// No vocabulary piece of a model trained with split_by_whitespace contains a non-space
// character followed by "▁", so no token can span such a boundary and encoding the text chunk
// by chunk (cut before each space that follows a non-space) gives exactly the ids SentencePiece
// gives for the whole text; the chunks' ids are memoised. The cache is only enabled when the
// vocabulary has no piece that breaks that rule, the normaliser is "identity" and the
// continuation normaliser keeps whitespace; tokenizer_test checks equality on real text.
struct Tokenizer::WordCache {
  static constexpr size_t kShards = 64;
  static constexpr size_t kMaxPerShard = 1 << 15;
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, std::vector<int32_t>> map;
  };
  std::array<Shard, kShards> shards;
};

Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

namespace {
// A tokenizer.json is a JSON object; a SentencePiece model is a protobuf, whose first byte is a
// field tag (never '{' or blank).
bool looks_like_json(const std::string& bytes) {
  const size_t first = bytes.find_first_not_of(" \t\r\n");
  return first != std::string::npos && bytes[first] == '{';
}
}  // namespace

Tokenizer Tokenizer::load(const std::string& model_path) {
  std::ifstream in(model_path, std::ios::binary);
  if (!in) throw std::runtime_error(model_path + ": cannot open tokenizer model");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (looks_like_json(bytes)) {
    const auto config = std::filesystem::path(model_path).parent_path() / "tokenizer_config.json";
    bytes = HfTokenizer::with_config(bytes, config.string());
  }
  return from_serialized(bytes, model_path);
}

Tokenizer Tokenizer::from_serialized(const std::string& serialized_model, const std::string& what) {
  Tokenizer t;
  t.what_ = what;
  t.serialized_ = serialized_model;
  if (looks_like_json(serialized_model)) {
    t.hf_ = std::make_shared<const HfTokenizer>(HfTokenizer::parse(serialized_model, what));
    return t;
  }
  t.start_ = std::make_unique<sentencepiece::SentencePieceProcessor>();
  auto st = t.start_->LoadFromSerializedProto(serialized_model);
  if (!st.ok()) throw std::runtime_error(what + ": not a SentencePiece model: " + st.ToString());
  std::string cont;
  try {
    cont = model_proto_for_continuation(serialized_model);
  } catch (const std::exception& e) {
    throw std::runtime_error(what + ": " + e.what());
  }
  t.continuation_ = std::make_unique<sentencepiece::SentencePieceProcessor>();
  st = t.continuation_->LoadFromSerializedProto(cont);
  if (!st.ok()) throw std::runtime_error(what + ": cannot derive the continuation tokenizer: " + st.ToString());

  const NormalizerFlags flags = read_normalizer_flags(serialized_model);
  bool cacheable = flags.name == "identity";
  const std::string space = "\xE2\x96\x81";
  for (int id = 0; cacheable && id < t.start_->GetPieceSize(); ++id) {
    if (t.start_->IsControl(id) || t.start_->IsUnknown(id) || t.start_->IsByte(id)) continue;
    const std::string& piece = t.start_->IdToPiece(id);
    for (size_t pos = piece.find(space, 1); pos != std::string::npos; pos = piece.find(space, pos + 1))
      if (pos < space.size() || piece.compare(pos - space.size(), space.size(), space) != 0) cacheable = false;
  }
  if (cacheable) {
    t.cache_ = std::make_shared<WordCache>();
    t.start_is_prefixed_continuation_ = flags.add_dummy_prefix && !flags.remove_extra_whitespaces;
  }
  return t;
}

void Tokenizer::disable_word_cache() {
  cache_.reset();
  start_is_prefixed_continuation_ = false;
}

std::vector<int32_t> Tokenizer::encode_cached(const std::string& text) const {
  std::vector<int32_t> out;
  size_t begin = 0;
  auto chunk = [&](size_t end) {
    const std::string word = text.substr(begin, end - begin);
    WordCache::Shard& shard = cache_->shards[std::hash<std::string>()(word) % WordCache::kShards];
    {
      std::lock_guard<std::mutex> lock(shard.mu);
      auto it = shard.map.find(word);
      if (it != shard.map.end()) {
        out.insert(out.end(), it->second.begin(), it->second.end());
        return;
      }
    }
    std::vector<int> ids;
    const auto st = continuation_->Encode(word, &ids);
    if (!st.ok()) throw std::runtime_error(what_ + ": encode failed: " + st.ToString());
    out.insert(out.end(), ids.begin(), ids.end());
    std::lock_guard<std::mutex> lock(shard.mu);
    if (shard.map.size() >= WordCache::kMaxPerShard) shard.map.clear();
    shard.map.emplace(word, std::vector<int32_t>(ids.begin(), ids.end()));
  };
  for (size_t i = 1; i < text.size(); ++i)
    if (text[i] == ' ' && text[i - 1] != ' ') {
      chunk(i);
      begin = i;
    }
  if (begin < text.size()) chunk(text.size());
  return out;
}

namespace {
std::vector<int32_t> encode_with(const sentencepiece::SentencePieceProcessor& sp, const std::string& text,
                                 const std::string& what) {
  std::vector<int> ids;
  const auto st = sp.Encode(text, &ids);
  if (!st.ok()) throw std::runtime_error(what + ": encode failed: " + st.ToString());
  return std::vector<int32_t>(ids.begin(), ids.end());
}
}  // namespace

std::vector<int32_t> Tokenizer::encode(const std::string& text) const {
  if (text.empty()) return {};
  if (hf_) return hf_->encode(text, false, false);  // SentencePiece adds no dummy prefix to nothing
  if (cache_ && start_is_prefixed_continuation_) return encode_cached(" " + text);
  return encode_with(*start_, text, what_);
}

std::vector<int32_t> Tokenizer::encode_continuation(const std::string& text) const {
  if (hf_) return hf_->encode(text, false, true);
  if (cache_) return encode_cached(text);
  return encode_with(*continuation_, text, what_);
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids) const {
  if (hf_) return hf_->decode(ids, true);  // special tokens dropped, as SentencePiece's control pieces
  std::string out;
  const auto st = start_->Decode(std::vector<int>(ids.begin(), ids.end()), &out);
  if (!st.ok()) throw std::runtime_error(what_ + ": decode failed: " + st.ToString());
  return out;
}

EncodedDocument Tokenizer::encode_segments(const std::vector<TemplateSegment>& segments) const {
  EncodedDocument doc;
  bool at_start = true;
  // The added token just appended (tokenizer.json): a special segment, or the last token of a
  // text segment that ends with one (a Jinja template's "<|end|>" inside an assistant span).
  std::string after_added_token;
  auto append = [&](const std::vector<int32_t>& ids, bool trainable) {
    doc.ids.insert(doc.ids.end(), ids.begin(), ids.end());
    doc.loss_mask.insert(doc.loss_mask.end(), ids.size(), trainable ? 1 : 0);
  };
  for (const auto& seg : segments) {
    if (seg.text.empty()) continue;
    if (seg.special && hf_) {
      const int32_t id = hf_->added_token_id(seg.text);
      if (id >= 0) {
        append({id}, seg.trainable);
        after_added_token = seg.text;
        continue;
      }
    } else if (seg.special) {
      const int id = start_->PieceToId(seg.text);
      if (start_->IsControl(id) && start_->IdToPiece(id) == seg.text) {
        append({id}, seg.trainable);
        continue;
      }
    }
    std::vector<int32_t> ids;
    if (hf_ && !after_added_token.empty() && !at_start) {
      // Text right after an added token, as `tokenizers` encodes the whole conversation: it
      // splits at added tokens and normalises each piece on its own, so Llama-2's Prepend
      // normalizer puts "▁" before "USER" in "</s>USER" while Mistral's Metaspace (prepend_scheme
      // "first") does not. Encoding the token and the text together lets HfTokenizer decide.
      ids = hf_->encode(after_added_token + seg.text, false, true);
      const int32_t token = hf_->added_token_id(after_added_token);
      if (!ids.empty() && ids.front() == token) ids.erase(ids.begin());
      else ids.clear();
    }
    if (ids.empty()) ids = at_start ? encode(seg.text) : encode_continuation(seg.text);
    append(ids, seg.trainable);
    at_start = false;
    after_added_token.clear();
    if (hf_ && !ids.empty()) {
      const std::string& last = hf_->piece(ids.back());
      if (hf_->added_token_id(last) == ids.back() && seg.text.size() >= last.size() &&
          seg.text.compare(seg.text.size() - last.size(), last.size(), last) == 0)
        after_added_token = last;
    }
  }
  return doc;
}

int Tokenizer::vocab_size() const { return hf_ ? hf_->vocab_size() : start_->GetPieceSize(); }
int Tokenizer::bos_id() const { return hf_ ? hf_->bos_id() : start_->bos_id(); }
int Tokenizer::eos_id() const { return hf_ ? hf_->eos_id() : start_->eos_id(); }
int Tokenizer::unk_id() const { return hf_ ? hf_->unk_id() : start_->unk_id(); }
int Tokenizer::pad_id() const { return hf_ ? hf_->pad_id() : start_->pad_id(); }
// Byte-level vocabularies often define neither pad nor unk: then eos pads (masked out anyway).
int Tokenizer::padding_id() const { return pad_id() >= 0 ? pad_id() : unk_id() >= 0 ? unk_id() : std::max(eos_id(), 0); }

const std::string& Tokenizer::piece(int id) const {
  if (id < 0 || id >= vocab_size())
    throw std::out_of_range(what_ + ": token id " + std::to_string(id) + " outside vocabulary of " +
                            std::to_string(vocab_size()));
  return hf_ ? hf_->piece(id) : start_->IdToPiece(id);
}

std::vector<std::string> Tokenizer::pieces() const {
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(vocab_size()));
  for (int i = 0; i < vocab_size(); ++i) out.push_back(piece(i));
  return out;
}

nlohmann::json Tokenizer::pieces_json() const {
  if (hf_) {
    nlohmann::json pieces = nlohmann::json::array(), types = nlohmann::json::array(), bytes = nlohmann::json::array();
    static const char* hex = "0123456789abcdef";
    for (int i = 0; i < vocab_size(); ++i) {
      const std::string& p = hf_->piece(i);
      // Pieces of a byte-level vocabulary need not be valid UTF-8 once dumped; they always are
      // as strings ("Ġ" etc.), and the bytes field is what decodes.
      pieces.push_back(p);
      const bool is_byte = p.size() == 6 && p.compare(0, 3, "<0x") == 0 && hf_->token_bytes(i).size() == 1;
      types.push_back(hf_->is_special(i) ? "control" : i == unk_id() ? "unknown" : is_byte ? "byte" : p.empty() ? "unused" : "normal");
      std::string h;
      for (unsigned char c : hf_->token_bytes(i)) h += {hex[c >> 4], hex[c & 15]};
      bytes.push_back(std::move(h));
    }
    return {{"kind", "hf"},          {"pieces", std::move(pieces)}, {"types", std::move(types)},
            {"bytes", std::move(bytes)}, {"bos_id", bos_id()},     {"eos_id", eos_id()},
            {"pad_id", pad_id()},    {"unk_id", unk_id()},
            {"strip_leading_space", hf_->decode_strips_leading_space()}};
  }
  nlohmann::json pieces = nlohmann::json::array(), types = nlohmann::json::array();
  for (int i = 0; i < vocab_size(); ++i) {
    pieces.push_back(start_->IdToPiece(i));
    types.push_back(start_->IsControl(i)   ? "control"
                    : start_->IsUnknown(i) ? "unknown"
                    : start_->IsByte(i)    ? "byte"
                    : start_->IsUnused(i)  ? "unused"
                                           : "normal");
  }
  return {{"pieces", std::move(pieces)}, {"types", std::move(types)}, {"bos_id", bos_id()},
          {"eos_id", eos_id()},          {"pad_id", pad_id()},        {"unk_id", unk_id()},
          {"space", "\xE2\x96\x81"}};
}

void Tokenizer::write_pieces_json(const std::string& path) const {
  write_file_atomic(path, pieces_json().dump() + "\n");
}

}  // namespace sftx::rt
