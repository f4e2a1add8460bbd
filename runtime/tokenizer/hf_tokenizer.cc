#include "runtime/tokenizer/hf_tokenizer.h"

#include <cctype>

#include "runtime/base/json_depth.h"
#include "runtime/data/utf8.h"

#include <fstream>
#include <iterator>

#include "runtime/tokenizer/hf_text.h"

namespace sftx::rt {

using hf::json;
using hf::JsonPlace;

void HfTokenizer::parse_post_processor(const json& spec, const JsonPlace& at) {
  if (spec.is_null()) return;
  const std::string type = hf::type_of(spec, at);
  if (type == "Sequence") {
    const json& list = spec.value("processors", json());
    if (!list.is_array()) (at / "processors").refuse("expected an array");
    for (size_t i = 0; i < list.size(); ++i) parse_post_processor(list[i], at / "processors" / i);
  } else if (type == "ByteLevel") {
    // Only moves offsets (trim_offsets); ids are unchanged.
  } else if (type == "TemplateProcessing") {
    if (!prefix_ids_.empty() || !suffix_ids_.empty()) at.refuse("a second TemplateProcessing is not supported");
    const json& single = spec.value("single", json());
    const json& specials = spec.value("special_tokens", json::object());
    if (!single.is_array()) (at / "single").refuse("expected an array");
    bool seen_a = false;
    for (size_t i = 0; i < single.size(); ++i) {
      const JsonPlace item = at / "single" / i;
      if (single[i].contains("Sequence")) {
        const std::string id = hf::field<std::string>(single[i]["Sequence"], "id", item / "Sequence");
        if (id != "A" || seen_a) (item / "Sequence" / "id").refuse("a single-sequence template holds $A once");
        seen_a = true;
      } else if (single[i].contains("SpecialToken")) {
        const std::string name = hf::field<std::string>(single[i]["SpecialToken"], "id", item / "SpecialToken");
        if (!specials.contains(name)) (item / "SpecialToken" / "id").refuse("\"" + name + "\" is not in special_tokens");
        const auto ids = hf::field<std::vector<int32_t>>(specials[name], "ids", at / "special_tokens" / name);
        auto& into = seen_a ? suffix_ids_ : prefix_ids_;
        into.insert(into.end(), ids.begin(), ids.end());
      } else {
        item.refuse("expected {\"SpecialToken\": ...} or {\"Sequence\": ...}");
      }
    }
    if (!seen_a) (at / "single").refuse("no $A in the template");
  } else {
    (at / "type").refuse("unsupported post-processor \"" + type +
                         "\" (sftx supports TemplateProcessing, ByteLevel, Sequence)");
  }
}

HfTokenizer HfTokenizer::parse(const std::string& json_text, const std::string& what) {
  HfTokenizer t;
  t.what_ = what;
  json j;
  if (json_nests_deeper_than(json_text))
    throw std::runtime_error(what + ": JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  try {
    j = json::parse(json_text);
  } catch (const json::exception& e) {  // parse_error, or out_of_range: 1e999
    // The parser's message quotes the bytes it stopped at: made safe for a terminal.
    throw std::runtime_error(what + ": invalid JSON: " + display_safe(e.what(), 300));
  }
  const JsonPlace root{what, "$"};
  if (!j.is_object()) root.refuse("expected a tokenizer.json object");
  hf::refuse_if_set(j, "truncation", root, "truncation changes the ids; sftx truncates itself");
  hf::refuse_if_set(j, "padding", root, "padding changes the ids; sftx pads itself");
  if (!j.contains("model")) (root / "model").refuse("missing");
  t.model_ = std::make_shared<hf::BpeModel>(hf::BpeModel::parse(j["model"], root / "model"));
  t.normalizer_ = hf::Normalizer::parse(j.value("normalizer", json()), root / "normalizer");
  t.pre_tokenizer_ = hf::PreTokenizer::parse(j.value("pre_tokenizer", json()), root / "pre_tokenizer");
  t.decoder_ = hf::Decoder::parse(j.value("decoder", json()), root / "decoder");
  t.parse_post_processor(j.value("post_processor", json()), root / "post_processor");
  t.added_ = hf::AddedTokens::parse(j.value("added_tokens", json()), root / "added_tokens", t.model_->vocab());
  const hf::Normalizer& n = t.normalizer_;
  t.added_.set_normalized_forms([&](const std::string& s) { return n.apply(s); });

  // id -> piece: added tokens win over the model's vocabulary, as in the crate's id_to_token.
  int32_t max_id = -1;
  for (const auto& [p, id] : t.model_->vocab()) max_id = std::max(max_id, id);
  for (const auto& a : t.added_.tokens()) max_id = std::max(max_id, a.id);
  t.pieces_.assign(static_cast<size_t>(max_id + 1), "");
  t.has_piece_.assign(static_cast<size_t>(max_id + 1), 0);
  for (const auto& [p, id] : t.model_->vocab()) t.pieces_[static_cast<size_t>(id)] = p, t.has_piece_[static_cast<size_t>(id)] = 1;
  for (const auto& a : t.added_.tokens()) t.pieces_[static_cast<size_t>(a.id)] = a.content, t.has_piece_[static_cast<size_t>(a.id)] = 1;
  // The template's special ids must be tokens: encode would otherwise return an id outside the
  // vocabulary (found by data_reader_fuzz: a template naming id 261 of a 261-token vocabulary).
  for (const auto* ids : {&t.prefix_ids_, &t.suffix_ids_})
    for (int32_t id : *ids)
      if (id < 0 || id > max_id || !t.has_piece_[static_cast<size_t>(id)])
        (root / "post_processor").refuse("TemplateProcessing's special token id " + std::to_string(id) +
                                         " is neither in the vocabulary nor in added_tokens");

  // bos/eos/pad/unk: named by tokenizer_config.json (kept under sftx_special_tokens), else the
  // template's leading special token is bos, else well-known names.
  auto id_of = [&](const std::string& name) -> int {
    if (const auto* a = t.added_.by_content(name)) return a->id;
    auto it = t.model_->vocab().find(name);
    return it == t.model_->vocab().end() ? -1 : it->second;
  };
  auto first_known = [&](std::initializer_list<const char*> names) {
    for (const char* nm : names)
      if (id_of(nm) >= 0) return id_of(nm);
    return -1;
  };
  const json cfg = j.value("sftx_special_tokens", json::object());
  auto named = [&](const char* key, int fallback) {
    return cfg.contains(key) && cfg[key].is_string() ? id_of(cfg[key].get<std::string>()) : fallback;
  };
  t.unk_ = named("unk_token", t.model_->unk_id());
  t.bos_ = named("bos_token", t.prefix_ids_.size() == 1 ? t.prefix_ids_[0] : first_known({"<s>", "<|begin_of_text|>", "<|startoftext|>"}));
  t.eos_ = named("eos_token", first_known({"</s>", "<|end_of_text|>", "<|endoftext|>", "<|im_end|>"}));
  t.pad_ = named("pad_token", first_known({"<pad>", "<|pad|>", "<|finetune_right_pad_id|>"}));

  // For token_bytes: a decoder that turns "▁" into a space and drops it at the start.
  const json dec = j.value("decoder", json());
  std::vector<json> decs;
  if (dec.is_object() && dec.value("type", "") == "Sequence") decs = dec.value("decoders", std::vector<json>{});
  else if (!dec.is_null()) decs.push_back(dec);
  for (const json& d : decs) {
    const std::string type = d.value("type", "");
    if (type == "Metaspace") {
      t.metaspace_replacement_ = d.value("replacement", "");
      t.strips_leading_space_ = d.value("prepend_scheme", std::string("always")) != "never";
    } else if (type == "Replace" && d.value("content", "") == " " && d.contains("pattern") && d["pattern"].contains("String")) {
      t.metaspace_replacement_ = d["pattern"]["String"].get<std::string>();
    } else if (type == "Strip" && d.value("content", "") == " " && d.value("start", 0) > 0) {
      t.strips_leading_space_ = true;
    }
  }
  return t;
}

std::string HfTokenizer::with_config(const std::string& json_text, const std::string& config_path) {
  std::ifstream in(config_path);
  if (!in) return json_text;
  const std::string cfg_text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (json_nests_deeper_than(cfg_text))
    throw std::runtime_error(config_path + ": JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  json cfg;
  try {
    cfg = json::parse(cfg_text);
  } catch (const json::exception& e) {
    throw std::runtime_error(config_path + ": invalid JSON: " + display_safe(e.what(), 300));
  }
  json names = json::object();
  for (const char* key : {"bos_token", "eos_token", "pad_token", "unk_token"}) {
    if (!cfg.contains(key)) continue;
    const json& v = cfg[key];
    if (v.is_string()) names[key] = v;
    else if (v.is_object() && v.contains("content") && v["content"].is_string()) names[key] = v["content"];
  }
  if (names.empty()) return json_text;
  // A tokenizer.json that does not parse is returned as it is: parse() then refuses it with
  // its own located message.
  if (json_nests_deeper_than(json_text)) return json_text;
  json j = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return json_text;
  j["sftx_special_tokens"] = names;
  return j.dump();
}

std::vector<int32_t> HfTokenizer::encode(const std::string& text, bool add_special_tokens, bool continuation) const {
  if (!hf::is_valid_utf8(text)) throw std::runtime_error(what_ + ": cannot encode text that is not valid UTF-8");
  std::vector<int32_t> ids;
  if (add_special_tokens) ids = prefix_ids_;
  for (const hf::TextSpan& raw : added_.split(text, false)) {
    if (raw.token >= 0) {
      ids.push_back(raw.token);
      continue;
    }
    hf::Piece piece{text.substr(raw.begin, raw.end - raw.begin), raw.begin == 0, 0};
    normalizer_.apply(piece, continuation);
    for (const hf::TextSpan& norm : added_.split(piece.text, true)) {
      if (norm.token >= 0) {
        ids.push_back(norm.token);
        continue;
      }
      hf::Piece part{piece.text.substr(norm.begin, norm.end - norm.begin), piece.at_origin && norm.begin <= piece.inserted_prefix,
                     piece.inserted_prefix > norm.begin ? std::min(piece.inserted_prefix - norm.begin, norm.end - norm.begin) : 0};
      for (const hf::Piece& word : pre_tokenizer_.apply({part}, continuation)) model_->tokenize(word.text, ids);
    }
  }
  if (add_special_tokens) ids.insert(ids.end(), suffix_ids_.begin(), suffix_ids_.end());
  return ids;
}

std::string HfTokenizer::decode(const std::vector<int32_t>& ids, bool skip_special_tokens) const {
  std::vector<std::string> tokens;
  tokens.reserve(ids.size());
  for (int32_t id : ids) {
    if (id < 0 || id >= vocab_size() || !has_piece_[static_cast<size_t>(id)]) continue;  // the crate drops unknown ids
    if (skip_special_tokens && is_special(id)) continue;
    tokens.push_back(added_.by_id(id) ? added_.decode_form(id) : pieces_[static_cast<size_t>(id)]);
  }
  return decoder_.decode(std::move(tokens));
}

int32_t HfTokenizer::added_token_id(const std::string& text) const {
  const auto* a = added_.by_content(text);
  return a ? a->id : -1;
}

bool HfTokenizer::is_special(int32_t id) const {
  const auto* a = added_.by_id(id);
  return a && a->special;
}

std::string HfTokenizer::token_bytes(int32_t id) const {
  if (id < 0 || id >= vocab_size() || !has_piece_[static_cast<size_t>(id)] || is_special(id)) return "";
  const std::string& p = pieces_[static_cast<size_t>(id)];
  if (added_.by_id(id)) return p;  // added tokens are text as written
  if (pre_tokenizer_.byte_level()) {
    std::string out;
    for (const std::string& ch : hf::utf8_chars(p)) {
      unsigned char b;
      if (!hf::byte_level_byte(ch, b)) return p;  // as the ByteLevel decoder: the token as written
      out.push_back(static_cast<char>(b));
    }
    return out;
  }
  if (model_->byte_fallback() && p.size() == 6 && p.compare(0, 3, "<0x") == 0 && p[5] == '>' &&
      std::isxdigit(static_cast<unsigned char>(p[3])) && std::isxdigit(static_cast<unsigned char>(p[4])))
    return std::string(1, static_cast<char>(std::stoi(p.substr(3, 2), nullptr, 16)));
  // "<0xZZ>" is not a byte: as tokenizers' ByteFallback decoder, it stays the text it is (this
  // threw std::invalid_argument out of the reader before; found by data_reader_fuzz).
  if (metaspace_replacement_.empty()) return p;
  std::string out;
  for (size_t k = 0; k < p.size();) {
    if (p.compare(k, metaspace_replacement_.size(), metaspace_replacement_) == 0) {
      out.push_back(' ');
      k += metaspace_replacement_.size();
    } else {
      out.push_back(p[k++]);
    }
  }
  return out;
}

}  // namespace sftx::rt
