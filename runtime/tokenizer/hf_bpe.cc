#include "runtime/tokenizer/hf_bpe.h"

#include <cstdio>
#include <queue>

#include "runtime/tokenizer/hf_text.h"

namespace sftx::rt::hf {

struct BpeModel::Cache {
  static constexpr size_t kMax = 1 << 16;
  std::mutex mu;
  std::unordered_map<std::string, std::vector<int32_t>> map;
};

BpeModel::BpeModel() : cache_(std::make_unique<Cache>()) {}
BpeModel::BpeModel(BpeModel&&) noexcept = default;
BpeModel& BpeModel::operator=(BpeModel&&) noexcept = default;
BpeModel::~BpeModel() = default;

namespace {
uint64_t pair_key(int32_t a, int32_t b) { return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b); }
}  // namespace

BpeModel BpeModel::parse(const json& spec, const JsonPlace& at) {
  BpeModel m;
  if (spec.contains("type") && type_of(spec, at) != "BPE")
    (at / "type").refuse("unsupported model \"" + type_of(spec, at) + "\" (sftx supports BPE)");
  if (!spec.contains("type")) (at / "type").refuse("missing (sftx supports model type BPE)");
  refuse_if_set(spec, "dropout", at, "BPE dropout makes encoding random");
  if (spec.contains("continuing_subword_prefix") && !spec["continuing_subword_prefix"].is_null() &&
      spec["continuing_subword_prefix"] != "")
    refuse_if_set(spec, "continuing_subword_prefix", at, "no supported family uses it");
  if (spec.contains("end_of_word_suffix") && !spec["end_of_word_suffix"].is_null() && spec["end_of_word_suffix"] != "")
    refuse_if_set(spec, "end_of_word_suffix", at, "no supported family uses it");

  const json& vocab = spec.value("vocab", json());
  if (!vocab.is_object()) (at / "vocab").refuse(vocab.is_null() ? "missing" : "expected an object {piece: id}");
  for (const auto& [piece, id] : vocab.items()) {
    if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() > INT32_MAX)
      (at / "vocab" / piece).refuse("expected a non-negative integer id");
    m.vocab_[piece] = id.get<int32_t>();
  }
  m.fuse_unk_ = field<bool>(spec, "fuse_unk", at, false);
  m.byte_fallback_ = field<bool>(spec, "byte_fallback", at, false);
  m.ignore_merges_ = field<bool>(spec, "ignore_merges", at, false);
  const std::string unk = field<std::string>(spec, "unk_token", at, std::string());
  if (spec.contains("unk_token") && !spec["unk_token"].is_null()) {
    auto it = m.vocab_.find(unk);
    if (it == m.vocab_.end()) (at / "unk_token").refuse("\"" + unk + "\" is not in the vocabulary");
    m.unk_id_ = it->second;
  }
  m.byte_ids_.fill(-1);
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof name, "<0x%02X>", b);
    auto it = m.vocab_.find(name);
    if (it != m.vocab_.end()) m.byte_ids_[static_cast<size_t>(b)] = it->second;
  }

  const json& merges = spec.value("merges", json());
  if (!merges.is_array()) (at / "merges").refuse(merges.is_null() ? "missing" : "expected an array");
  for (size_t i = 0; i < merges.size(); ++i) {
    const json& mj = merges[i];
    std::string a, b;
    if (mj.is_string()) {  // "a b": tokens cannot contain a space in this form
      const std::string s = mj.get<std::string>();
      const size_t sp = s.find(' ');
      if (sp == std::string::npos || s.find(' ', sp + 1) != std::string::npos)
        (at / "merges" / i).refuse("expected \"left right\" (two tokens separated by one space)");
      a = s.substr(0, sp);
      b = s.substr(sp + 1);
    } else if (mj.is_array() && mj.size() == 2 && mj[0].is_string() && mj[1].is_string()) {
      a = mj[0].get<std::string>();
      b = mj[1].get<std::string>();
    } else {
      (at / "merges" / i).refuse("expected \"left right\" or [\"left\", \"right\"]");
    }
    auto ia = m.vocab_.find(a), ib = m.vocab_.find(b), iab = m.vocab_.find(a + b);
    if (ia == m.vocab_.end()) (at / "merges" / i).refuse("\"" + a + "\" is not in the vocabulary");
    if (ib == m.vocab_.end()) (at / "merges" / i).refuse("\"" + b + "\" is not in the vocabulary");
    if (iab == m.vocab_.end()) (at / "merges" / i).refuse("the merged \"" + a + b + "\" is not in the vocabulary");
    // A later duplicate replaces an earlier one, as collecting into the crate's map does.
    m.merges_[pair_key(ia->second, ib->second)] = {static_cast<uint32_t>(i), iab->second};
  }
  return m;
}

std::vector<int32_t> BpeModel::merge_word(const std::string& word) const {
  // Symbols in a doubly linked list over a vector, as the crate's Word.
  struct Symbol {
    int32_t id;
    int prev, next;
    bool gone;
  };
  std::vector<Symbol> sym;
  auto add = [&](int32_t id) {
    const int n = static_cast<int>(sym.size());
    if (n > 0) sym.back().next = n;
    sym.push_back({id, n - 1, -1, false});
  };
  int32_t pending_unk = -1;
  for (const std::string& ch : utf8_chars(word)) {
    auto it = vocab_.find(ch);
    if (it != vocab_.end()) {
      if (pending_unk >= 0) add(pending_unk), pending_unk = -1;
      add(it->second);
      continue;
    }
    if (byte_fallback_) {
      bool all = true;
      for (unsigned char b : ch) all = all && byte_ids_[b] >= 0;
      if (all) {
        for (unsigned char b : ch) add(byte_ids_[b]);
        continue;
      }
    }
    if (unk_id_ >= 0) {
      if (pending_unk >= 0 && !fuse_unk_) add(pending_unk);
      pending_unk = unk_id_;
    }  // no unk_token: the crate drops the character
  }
  if (pending_unk >= 0) add(pending_unk);

  struct Merge {
    uint32_t rank;
    int pos;
    int32_t new_id;
    bool operator>(const Merge& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
  };
  std::priority_queue<Merge, std::vector<Merge>, std::greater<Merge>> queue;
  auto push_pair = [&](int left) {
    const int right = sym[static_cast<size_t>(left)].next;
    if (right < 0) return;
    auto it = merges_.find(pair_key(sym[static_cast<size_t>(left)].id, sym[static_cast<size_t>(right)].id));
    if (it != merges_.end()) queue.push({it->second.first, left, it->second.second});
  };
  for (int i = 0; i + 1 < static_cast<int>(sym.size()); ++i) push_pair(i);
  while (!queue.empty()) {
    const Merge top = queue.top();
    queue.pop();
    Symbol& left = sym[static_cast<size_t>(top.pos)];
    if (left.gone || left.next < 0) continue;
    Symbol& right = sym[static_cast<size_t>(left.next)];
    auto it = merges_.find(pair_key(left.id, right.id));
    if (it == merges_.end() || it->second.second != top.new_id) continue;  // a stale entry
    left.id = top.new_id;
    right.gone = true;
    left.next = right.next;
    if (right.next >= 0) sym[static_cast<size_t>(right.next)].prev = top.pos;
    if (left.prev >= 0) push_pair(left.prev);
    push_pair(top.pos);
  }
  std::vector<int32_t> ids;
  for (const Symbol& s : sym)
    if (!s.gone) ids.push_back(s.id);
  return ids;
}

void BpeModel::tokenize(const std::string& word, std::vector<int32_t>& out) const {
  if (word.empty()) return;
  if (ignore_merges_) {
    auto it = vocab_.find(word);
    if (it != vocab_.end()) {
      out.push_back(it->second);
      return;
    }
  }
  {
    std::lock_guard<std::mutex> lock(cache_->mu);
    auto it = cache_->map.find(word);
    if (it != cache_->map.end()) {
      out.insert(out.end(), it->second.begin(), it->second.end());
      return;
    }
  }
  std::vector<int32_t> ids = merge_word(word);
  out.insert(out.end(), ids.begin(), ids.end());
  if (word.size() < 256) {
    std::lock_guard<std::mutex> lock(cache_->mu);
    if (cache_->map.size() >= Cache::kMax) cache_->map.clear();
    cache_->map.emplace(word, std::move(ids));
  }
}

}  // namespace sftx::rt::hf
