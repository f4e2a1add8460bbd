#include "stdlib/synthetic/code_task.h"

#include "stdlib/synthetic/text_util.h"

namespace sftx::rt::synth {

std::string CodeTask::signature() const { return "def " + name + "(" + join(params, ", ") + "):"; }

std::string py_str(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  return out + "'";
}
std::string py_int(int64_t x) { return std::to_string(x); }
std::string py_bool(bool b) { return b ? "True" : "False"; }
std::string py_list(const std::vector<int64_t>& xs) {
  std::vector<std::string> p;
  for (auto x : xs) p.push_back(std::to_string(x));
  return "[" + join(p, ", ") + "]";
}
std::string py_str_list(const std::vector<std::string>& xs) {
  std::vector<std::string> p;
  for (const auto& x : xs) p.push_back(py_str(x));
  return "[" + join(p, ", ") + "]";
}

std::vector<int64_t> random_ints(Rng& rng, int min_len, int max_len, int64_t lo, int64_t hi) {
  std::vector<int64_t> v(static_cast<size_t>(rng.range(min_len, max_len)));
  for (auto& x : v) x = rng.range(lo, hi);
  return v;
}

std::string random_word(Rng& rng) {
  static const char* const words[] = {"apple", "river", "Level", "stone", "banana", "noon", "Orange", "sky",
                                      "racecar", "tree", "house", "idea", "music", "Anna", "cloud", "eye",
                                      "python", "data", "refer", "moon", "bridge", "garden", "Echo", "kayak"};
  return rng.pick(words);
}

std::string random_sentence(Rng& rng, int min_words, int max_words) {
  std::vector<std::string> w;
  const int64_t n = rng.range(min_words, max_words);
  for (int64_t i = 0; i < n; ++i) w.push_back(random_word(rng));
  return join(w, " ");
}

}  // namespace sftx::rt::synth
