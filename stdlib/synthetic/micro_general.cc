// Micro-level `general` and `ifeval_test` (design in micro.h): one short question about an
// everyday topic and an answer of 1-3 fact sentences. Some turns carry one or two of ten
// IFEval-checkable instructions, worded the same way in training and test (a nano model cannot
// learn paraphrases); the answer is built to satisfy them. The test kind asks about topics
// training never uses (micro_topics.cc) and always carries instructions and a reference answer.
#include <algorithm>

#include "stdlib/synthetic/instructions.h"
#include "stdlib/synthetic/micro.h"
#include "stdlib/synthetic/micro_topics.h"
#include "stdlib/synthetic/text_util.h"

namespace sftx::rt::synth {
namespace {

enum Kind { kLower, kCapital, kEnd, kKeyword, kNoComma, kBullets, kTitle, kWordsLess, kQuote, kPostscript, kCount };

// At most four words before the subject, and no instruction wording longer than eight words
// (see make_turn).
const char* const kQuestions[] = {"Tell me about {x}.", "What is special about {x}?", "Can you explain {x}?",
                                  "Give me facts about {x}."};
const char* const kEndPhrases[] = {"Hope this helps!", "Any other questions?", "Have a nice day!"};
const char* const kPostscripts[] = {"Have fun learning more.", "Ask me if you want more.", "Thanks for asking."};

bool conflicts(int a, int b) {
  auto p = [&](int x, int y) { return (a == x && b == y) || (a == y && b == x); };
  return a == b || p(kLower, kCapital) || p(kQuote, kEnd) || p(kQuote, kBullets) || p(kPostscript, kEnd) ||
         p(kBullets, kWordsLess);
}

bool has(const std::vector<int>& chosen, int k) { return std::find(chosen.begin(), chosen.end(), k) != chosen.end(); }

std::string remove_commas(std::string s) {
  s = replace_all(s, ", ", " ");
  s.erase(std::remove(s.begin(), s.end(), ','), s.end());
  return s;
}

struct Turn {
  std::string user, answer;
  std::vector<Instruction> instructions;
};

// One question about `t`, answered so that every chosen instruction holds.
Turn make_turn(const MicroTopic& t, const std::vector<int>& chosen, Rng& rng) {
  Turn out;
  std::vector<std::string> facts = t.facts;
  rng.shuffle(facts);
  // A word limit asks for brevity: one fact. Bullets: one fact per bullet (2 or 3).
  size_t nfacts = has(chosen, kWordsLess) ? 1 : static_cast<size_t>(rng.range(2, 3));
  facts.resize(std::min(nfacts, facts.size()));

  std::vector<std::string> texts;
  std::string keyword, end_phrase;
  std::string text;
  if (has(chosen, kBullets)) {
    std::vector<std::string> lines;
    for (const auto& f : facts) lines.push_back("* " + f);
    text = join(lines, "\n");
  } else {
    text = join(facts, " ");
  }
  if (has(chosen, kKeyword)) {
    keyword = rng.pick(t.keywords);
    text += (has(chosen, kBullets) ? "\n" : " ") + std::string("Keep the ") + keyword + " in mind.";
  }
  if (has(chosen, kTitle)) text = "<<" + cap(t.subject) + ">>\n" + text;
  if (has(chosen, kPostscript)) text += "\nP.S. " + std::string(rng.pick(kPostscripts));
  if (has(chosen, kEnd)) {
    end_phrase = rng.pick(kEndPhrases);
    text += " " + end_phrase;
  }
  if (has(chosen, kNoComma)) text = remove_commas(text);
  if (has(chosen, kCapital)) text = upper(text);
  if (has(chosen, kLower)) text = lower(text);
  if (has(chosen, kQuote)) text = "\"" + text + "\"";
  const int64_t word_limit = count_words(text) + rng.range(2, 6);

  for (int k : chosen) {
    Instruction in;
    switch (k) {
      case kLower:
        in.id = "change_case:english_lowercase";
        texts.push_back("Use only lowercase letters.");
        break;
      case kCapital:
        in.id = "change_case:english_capital";
        texts.push_back("Use only capital letters.");
        break;
      case kEnd:
        in = {"startend:end_checker", {{"end_phrase", end_phrase}}};
        texts.push_back("End your reply with \"" + end_phrase + "\"");
        break;
      case kKeyword:
        in = {"keywords:existence", {{"keywords", {keyword}}}};
        texts.push_back("Include the word " + keyword + ".");
        break;
      case kNoComma:
        in.id = "punctuation:no_comma";
        texts.push_back("Do not use any commas.");
        break;
      case kBullets:
        in = {"detectable_format:number_bullet_lists", {{"num_bullets", static_cast<int64_t>(facts.size())}}};
        texts.push_back("Answer in exactly " + std::to_string(facts.size()) + " bullet points.");
        break;
      case kTitle:
        in.id = "detectable_format:title";
        texts.push_back("Add a title in double angle brackets.");
        break;
      case kWordsLess:
        in = {"length_constraints:number_words", {{"relation", "less than"}, {"num_words", word_limit}}};
        texts.push_back("Answer in fewer than " + std::to_string(word_limit) + " words.");
        break;
      case kQuote:
        in.id = "startend:quotation";
        texts.push_back("Wrap your whole reply in double quotes.");
        break;
      case kPostscript:
        in = {"detectable_content:postscript", {{"postscript_marker", "P.S."}}};
        texts.push_back("Add a postscript starting with P.S.");
        break;
    }
    out.instructions.push_back(std::move(in));
  }
  // Two instructions stand on either side of the question: the subject between them keeps
  // every run of shared words (instruction + question) under 13, decontamination's n-gram.
  const std::string question = replace_all(rng.pick(kQuestions), "{x}", t.subject);
  if (texts.size() == 2) out.user = texts[0] + " " + question + " " + texts[1];
  else out.user = question + (texts.empty() ? "" : " " + texts[0]);
  out.answer = text;
  return out;
}

// One instruction (7 in 10) or two compatible ones.
std::vector<int> choose_instructions(Rng& rng) {
  std::vector<int> chosen = {static_cast<int>(rng.below(kCount))};
  if (rng.chance(3, 10)) {
    for (int attempt = 0; attempt < 20 && chosen.size() < 2; ++attempt) {
      const int k = static_cast<int>(rng.below(kCount));
      if (!conflicts(chosen[0], k)) chosen.push_back(k);
    }
  }
  return chosen;
}

nlohmann::json ids_of(const Turn& turn) {
  nlohmann::json ids = nlohmann::json::array();
  for (const auto& in : turn.instructions) ids.push_back(in.id);
  return ids;
}
nlohmann::json kwargs_of(const Turn& turn) {
  nlohmann::json kwargs = nlohmann::json::array();
  for (const auto& in : turn.instructions) kwargs.push_back(in.kwargs);
  return kwargs;
}

}  // namespace

Record micro_general_record(uint64_t seed, int64_t index) {
  Rng rng = Rng::for_record(seed, "micro:general", static_cast<uint64_t>(index));
  const MicroTopic& t = rng.pick(micro_topics(MicroSplit::train));
  const std::vector<int> chosen = rng.chance(2, 5) ? choose_instructions(rng) : std::vector<int>{};
  const Turn turn = make_turn(t, chosen, rng);
  Record r;
  r.messages = {{"user", turn.user}, {"assistant", turn.answer}};
  r.meta = {{"topic", t.subject}, {"turns", 1}};
  if (!chosen.empty()) {
    r.meta["instruction_id_list"] = ids_of(turn);
    r.meta["kwargs"] = kwargs_of(turn);
    r.meta["instruction_turn"] = 0;
  }
  return r;
}

Record micro_ifeval_test_record(uint64_t seed, int64_t index) {
  Rng rng = Rng::for_record(seed, "micro:ifeval_test", static_cast<uint64_t>(index));
  const MicroTopic& t = rng.pick(micro_topics(MicroSplit::test));
  const Turn turn = make_turn(t, choose_instructions(rng), rng);
  Record r;
  // The assistant message is a reference answer that follows every instruction (for answer
  // log-likelihood); IFEval itself scores the model's own generation against meta.
  r.messages = {{"user", turn.user}, {"assistant", turn.answer}};
  r.meta = {{"key", 1000 + index},
            {"prompt", turn.user},
            {"instruction_id_list", ids_of(turn)},
            {"kwargs", kwargs_of(turn)},
            {"topic", t.subject}};
  return r;
}

}  // namespace sftx::rt::synth
