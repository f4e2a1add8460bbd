#include "runtime/tokenizer/hf_added_tokens.h"

#include "runtime/tokenizer/hf_text.h"

namespace sftx::rt::hf {

AddedTokens AddedTokens::parse(const json& list, const JsonPlace& at,
                               const std::unordered_map<std::string, int32_t>& vocab) {
  AddedTokens a;
  if (list.is_null()) return a;
  if (!list.is_array()) at.refuse("expected an array");
  int32_t next_id = static_cast<int32_t>(vocab.size());
  for (size_t i = 0; i < list.size(); ++i) {
    const JsonPlace here = at / i;
    AddedToken t;
    t.id = field<int32_t>(list[i], "id", here);
    t.content = field<std::string>(list[i], "content", here);
    if (t.content.empty()) (here / "content").refuse("empty added token");
    if (a.index_by_content_.count(t.content)) (here / "content").refuse("\"" + t.content + "\" is added twice");
    auto in_vocab = vocab.find(t.content);
    const int32_t crate_id = in_vocab != vocab.end() ? in_vocab->second : next_id++;
    if (crate_id != t.id)
      (here / "id").refuse("tokenizers gives \"" + t.content + "\" the id " + std::to_string(crate_id) +
                           " (its vocabulary id, or the next free one after the vocabulary), not " + std::to_string(t.id));
    if (field<bool>(list[i], "single_word", here, false))
      (here / "single_word").refuse("unsupported: true (no supported family uses single_word tokens)");
    t.lstrip = field<bool>(list[i], "lstrip", here, false);
    t.rstrip = field<bool>(list[i], "rstrip", here, false);
    t.special = field<bool>(list[i], "special", here, false);
    t.normalized = field<bool>(list[i], "normalized", here, !t.special);
    a.index_by_id_[t.id] = a.tokens_.size();
    a.index_by_content_[t.content] = a.tokens_.size();
    a.tokens_.push_back(std::move(t));
  }
  return a;
}

const AddedToken* AddedTokens::by_id(int32_t id) const {
  auto it = index_by_id_.find(id);
  return it == index_by_id_.end() ? nullptr : &tokens_[it->second];
}

const AddedToken* AddedTokens::by_content(const std::string& content) const {
  auto it = index_by_content_.find(content);
  return it == index_by_content_.end() ? nullptr : &tokens_[it->second];
}

namespace {
// Unicode White_Space (what Rust's regex \s matches).
bool is_white_space(uint32_t c) {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
         c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}
}  // namespace

std::vector<TextSpan> AddedTokens::split(const std::string& text, bool normalized) const {
  std::vector<TextSpan> spans;
  if (text.empty()) return spans;
  size_t start_offset = 0;
  size_t pos = 0;  // where the search for the next match resumes (the match's own end)
  while (pos < text.size()) {
    // Leftmost-longest: the first position where some token matches, the longest one there.
    size_t best = SIZE_MAX, best_len = 0;
    for (size_t i = pos; i < text.size() && best == SIZE_MAX; ++i) {
      if (!first_bytes_[normalized][static_cast<unsigned char>(text[i])]) continue;
      for (size_t k = 0; k < tokens_.size(); ++k) {
        if (tokens_[k].normalized != normalized) continue;
        const std::string& f = forms_[k];
        if (f.size() > best_len && text.compare(i, f.size(), f) == 0) {
          best = k;
          best_len = f.size();
        }
      }
      if (best != SIZE_MAX) pos = i;
    }
    if (best == SIZE_MAX) break;
    const AddedToken& t = tokens_[best];
    size_t start = pos, stop = pos + best_len;
    pos = stop;
    if (t.lstrip) {  // swallow the whitespace before it, not what an earlier match took
      size_t s = start;
      while (s > 0) {
        size_t c = s - 1;
        while (c > 0 && (static_cast<unsigned char>(text[c]) & 0xC0) == 0x80) --c;
        if (!is_white_space(utf8_first_code_point(text.substr(c, s - c)))) break;
        s = c;
      }
      start = std::max(s, start_offset);
    }
    if (t.rstrip) {
      while (stop < text.size()) {
        const size_t n = utf8_char_len(static_cast<unsigned char>(text[stop]));
        if (!is_white_space(utf8_first_code_point(text.substr(stop, n)))) break;
        stop += n;
      }
    }
    if (start_offset < start) spans.push_back({start_offset, start, -1});
    spans.push_back({start, stop, t.id});
    start_offset = stop;
  }
  if (start_offset < text.size()) spans.push_back({start_offset, text.size(), -1});
  return spans;
}

}  // namespace sftx::rt::hf
