// Small text helpers and word lists shared by the synthetic generators.
#pragma once

#include <cctype>
#include <string>
#include <vector>

#include "runtime/base/strings.h"  // replace_all
#include "stdlib/synthetic/prng.h"

namespace sftx::rt::synth {

struct Person {
  std::string name, he, him, his;
};

inline const std::vector<Person>& people() {
  static const std::vector<Person> p = [] {
    std::vector<Person> v;
    for (const char* n : {"James", "Liam", "Noah", "Omar", "Ravi", "Diego", "Kenji", "Tomas", "Felix", "Hugo",
                          "Samuel", "Arjun", "Mateo", "Ben", "Carlos", "Ivan", "Marcus", "Yusuf", "Leo", "Ethan"})
      v.push_back({n, "he", "him", "his"});
    for (const char* n : {"Emma", "Olivia", "Aisha", "Mia", "Sofia", "Priya", "Hana", "Lucia", "Chloe", "Nora",
                          "Fatima", "Grace", "Elena", "Zoe", "Maya", "Ines", "Julia", "Amara", "Lily", "Sara"})
      v.push_back({n, "she", "her", "her"});
    return v;
  }();
  return p;
}

inline std::string cap(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

inline std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

inline std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

inline std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

inline std::vector<std::string> split_words(const std::string& s) {
  std::vector<std::string> w;
  std::string cur;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!cur.empty()) w.push_back(cur), cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) w.push_back(cur);
  return w;
}

// Two distinct people.
inline std::pair<Person, Person> two_people(Rng& rng) {
  const auto& p = people();
  const size_t a = rng.below(p.size());
  size_t b = rng.below(p.size() - 1);
  if (b >= a) ++b;
  return {p[a], p[b]};
}

}  // namespace sftx::rt::synth
