#include "stdlib/synthetic/instructions.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "stdlib/synthetic/text_util.h"

namespace sftx::rt::synth {
namespace {

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

bool contains_word_ci(const std::string& text, const std::string& word) {
  const std::string t = lower(text), w = lower(word);
  for (size_t pos = t.find(w); pos != std::string::npos; pos = t.find(w, pos + 1)) {
    const bool left = pos == 0 || !is_word_char(t[pos - 1]);
    const bool right = pos + w.size() >= t.size() || !is_word_char(t[pos + w.size()]);
    if (left && right) return true;
  }
  return false;
}

const char* const kEndPhrases[] = {"Is there anything else I can help with?", "Hope this helps.",
                                   "Let me know if you have any other questions.", "Good luck!"};
const char* const kForbiddenPool[] = {"very", "really", "simply", "basically", "actually", "just", "always",
                                      "never", "obviously", "thing", "stuff", "great"};
const char* const kPostscripts[] = {"Take it one step at a time.", "You can always ask me for more detail.",
                                    "Small steps add up quickly.", "Enjoy the process."};

std::string remove_commas(std::string s) {
  s = replace_all(s, ", ", " ");
  s.erase(std::remove(s.begin(), s.end(), ','), s.end());
  return s;
}

std::string json_escape(const std::string& s) { return nlohmann::json(s).dump(); }

}  // namespace

int count_words(const std::string& text) {
  int n = 0;
  bool in = false;
  for (char c : text) {
    const bool w = is_word_char(c);
    if (w && !in) ++n;
    in = w;
  }
  return n;
}

int count_sentences(const std::string& text) {
  int n = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if ((c == '.' || c == '!' || c == '?') &&
        (i + 1 == text.size() || std::isspace(static_cast<unsigned char>(text[i + 1])) || text[i + 1] == '"'))
      ++n;
  }
  return n;
}

std::string plain_answer(const AnswerParts& p, Rng& rng) {
  std::string body;
  switch (rng.below(3)) {
    case 0: body = join(p.points, " "); break;
    case 1: {
      std::vector<std::string> lines;
      for (size_t i = 0; i < p.points.size(); ++i) lines.push_back(std::to_string(i + 1) + ". " + p.points[i]);
      body = join(lines, "\n");
      break;
    }
    default: {
      std::vector<std::string> lines;
      for (const auto& s : p.points) lines.push_back("* " + s);
      body = join(lines, "\n");
    }
  }
  std::string out = p.intro + "\n\n" + body;
  if (!p.closing.empty()) out += "\n\n" + p.closing;
  return out;
}

InstructedAnswer instructed_answer(const AnswerParts& parts, Rng& rng) {
  // Candidate instructions with their train-time wording; pick 1-3 compatible ones.
  enum Kind { kNoComma, kCapital, kLower, kBullets, kKeyword, kForbidden, kWordsLess, kWordsAtLeast, kSentences,
              kParagraphs, kEnd, kQuote, kTitle, kJson, kPostscript, kCount };
  std::vector<int> chosen;
  const int want = static_cast<int>(rng.range(1, 3));
  auto conflicts = [&](int k) {
    for (int c : chosen) {
      if (c == k) return true;
      auto pair = [&](int a, int b) { return (c == a && k == b) || (c == b && k == a); };
      if (c == kJson || k == kJson) return true;
      if (pair(kCapital, kLower) || pair(kQuote, kEnd) || pair(kBullets, kParagraphs) || pair(kWordsLess, kWordsAtLeast) ||
          pair(kSentences, kBullets) || pair(kSentences, kTitle) || pair(kSentences, kPostscript) ||
          pair(kSentences, kParagraphs) || pair(kSentences, kEnd))
        return true;
    }
    return false;
  };
  for (int attempt = 0; static_cast<int>(chosen.size()) < want && attempt < 40; ++attempt) {
    const int k = static_cast<int>(rng.below(kCount));
    if (!conflicts(k)) chosen.push_back(k);
  }
  auto has = [&](int k) { return std::find(chosen.begin(), chosen.end(), k) != chosen.end(); };

  InstructedAnswer out;
  std::vector<std::string> texts;
  std::vector<std::string> points = parts.points;
  std::string keyword;
  if (has(kKeyword)) {
    keyword = rng.pick(parts.topic_keywords);
    points.push_back("Keep the " + keyword + " in mind as you go.");
  }
  // Body
  std::string body;
  int64_t bullets = 0, paragraphs = 0;
  if (has(kBullets)) {
    bullets = std::min<int64_t>(static_cast<int64_t>(points.size()), rng.range(2, 5));
    std::vector<std::string> lines;
    for (int64_t i = 0; i < bullets; ++i) lines.push_back("* " + points[static_cast<size_t>(i)]);
    body = parts.intro + "\n\n" + join(lines, "\n");
    if (has(kKeyword) && bullets < static_cast<int64_t>(points.size())) body += "\n\n" + points.back();
    texts.push_back("Use exactly " + std::to_string(bullets) + (bullets == 1 ? " bullet point" : " bullet points") +
                    ", each starting with an asterisk.");
  } else if (has(kParagraphs)) {
    std::vector<std::string> sentences = {parts.intro};
    sentences.insert(sentences.end(), points.begin(), points.end());
    paragraphs = std::min<int64_t>(static_cast<int64_t>(sentences.size()), rng.range(2, 4));
    std::vector<std::string> paras(static_cast<size_t>(paragraphs));
    for (size_t i = 0; i < sentences.size(); ++i) {
      auto& para = paras[i * static_cast<size_t>(paragraphs) / sentences.size()];
      para += (para.empty() ? "" : " ") + sentences[i];
    }
    body = join(paras, "\n\n***\n\n");
    texts.push_back("Organise the reply as " + std::to_string(paragraphs) +
                    " paragraphs with a line containing only *** between them.");
  } else {
    body = parts.intro + " " + join(points, " ");
  }
  std::string text = body;
  if (!has(kParagraphs) && !parts.closing.empty() && !has(kSentences)) text += "\n\n" + parts.closing;
  if (has(kTitle)) {
    text = "<<" + parts.title + ">>\n\n" + text;
    texts.push_back("Give the reply a title inside double angle brackets, for example <<my title>>.");
  }
  if (has(kPostscript)) {
    text += "\n\nP.S. " + std::string(rng.pick(kPostscripts));
    texts.push_back("Close with a short postscript that begins with P.S.");
  }
  std::string end_phrase;
  if (has(kEnd)) {
    end_phrase = rng.pick(kEndPhrases);
    text += "\n\n" + end_phrase;
    texts.push_back("The very last words of your reply must be: " + end_phrase);
  }
  if (has(kNoComma)) {
    text = remove_commas(text);
    end_phrase = remove_commas(end_phrase);
    texts.push_back("Please avoid commas entirely.");
  }
  if (has(kCapital)) {
    text = upper(text);
    texts.push_back("Please write the whole reply in capital letters.");
  }
  if (has(kLower)) {
    text = lower(text);
    texts.push_back("Please reply using lowercase letters only, with no capitals at all.");
  }
  if (has(kQuote)) {
    text = "\"" + text + "\"";
    texts.push_back("Put the entire reply inside double quotation marks.");
  }
  if (has(kJson)) {
    text = "{\"answer\": " + json_escape(text) + "}";
    texts.push_back("Format the whole reply as a JSON object.");
  }
  std::vector<std::string> forbidden;
  if (has(kForbidden)) {
    std::vector<std::string> pool(std::begin(kForbiddenPool), std::end(kForbiddenPool));
    rng.shuffle(pool);
    for (const auto& w : pool)
      if (forbidden.size() < 2 && !contains_word_ci(text, w)) forbidden.push_back(w);
    texts.push_back("Do not use the words " + join(forbidden, " or ") + ".");
  }
  const int words = count_words(text);
  int64_t word_limit = 0, sentence_limit = 0;
  if (has(kWordsLess)) {
    word_limit = words + rng.range(1, 30);
    texts.push_back("Keep the reply under " + std::to_string(word_limit) + " words.");
  }
  if (has(kWordsAtLeast)) {
    word_limit = std::max<int64_t>(1, words - rng.range(0, words / 3));
    texts.push_back("Write no fewer than " + std::to_string(word_limit) + " words.");
  }
  bool sentences_less = false;
  if (has(kSentences)) {
    const int s = count_sentences(text);
    sentences_less = rng.chance(1, 2);
    sentence_limit = sentences_less ? s + rng.range(2, 4) : std::max<int64_t>(1, s - rng.range(2, 3));
    texts.push_back(std::string(sentences_less ? "Use fewer than " : "Use at least ") + std::to_string(sentence_limit) +
                    " sentences.");
  }

  // Ids and kwargs in the order the instructions were chosen.
  for (int k : chosen) {
    Instruction in;
    switch (k) {
      case kNoComma: in.id = "punctuation:no_comma"; break;
      case kCapital: in.id = "change_case:english_capital"; break;
      case kLower: in.id = "change_case:english_lowercase"; break;
      case kBullets: in = {"detectable_format:number_bullet_lists", {{"num_bullets", bullets}}}; break;
      case kKeyword: in = {"keywords:existence", {{"keywords", {keyword}}}}; break;
      case kForbidden: in = {"keywords:forbidden_words", {{"forbidden_words", forbidden}}}; break;
      case kWordsLess: in = {"length_constraints:number_words", {{"relation", "less than"}, {"num_words", word_limit}}}; break;
      case kWordsAtLeast: in = {"length_constraints:number_words", {{"relation", "at least"}, {"num_words", word_limit}}}; break;
      case kSentences:
        in = {"length_constraints:number_sentences",
              {{"relation", sentences_less ? "less than" : "at least"}, {"num_sentences", sentence_limit}}};
        break;
      case kParagraphs: in = {"length_constraints:number_paragraphs", {{"num_paragraphs", paragraphs}}}; break;
      case kEnd: in = {"startend:end_checker", {{"end_phrase", end_phrase}}}; break;
      case kQuote: in.id = "startend:quotation"; break;
      case kTitle: in.id = "detectable_format:title"; break;
      case kJson: in.id = "detectable_format:json_format"; break;
      case kPostscript: in = {"detectable_content:postscript", {{"postscript_marker", "P.S."}}}; break;
    }
    out.instructions.push_back(std::move(in));
  }
  rng.shuffle(texts);
  out.instruction_text = join(texts, " ");
  out.response = text;
  return out;
}

InstructedPrompt test_instructions(Rng& rng, const std::vector<std::string>& topic_words) {
  enum Kind { kNoComma, kCapital, kLower, kBullets, kKeyword, kForbidden, kWords, kSentences, kParagraphs, kEnd,
              kQuote, kTitle, kJson, kPostscript, kCount };
  std::vector<int> chosen;
  const int want = static_cast<int>(rng.range(1, 3));
  auto bad_pair = [](int a, int b) {
    auto p = [&](int x, int y) { return (a == x && b == y) || (a == y && b == x); };
    return a == b || a == kJson || b == kJson || p(kCapital, kLower) || p(kQuote, kEnd) || p(kBullets, kParagraphs);
  };
  for (int attempt = 0; static_cast<int>(chosen.size()) < want && attempt < 40; ++attempt) {
    const int k = static_cast<int>(rng.below(kCount));
    bool ok = true;
    for (int c : chosen) ok = ok && !bad_pair(c, k);
    if (ok) chosen.push_back(k);
  }
  InstructedPrompt out;
  std::vector<std::string> texts;
  for (int k : chosen) {
    Instruction in;
    switch (k) {
      case kNoComma:
        in.id = "punctuation:no_comma";
        texts.push_back("In your entire response, refrain from the use of any commas.");
        break;
      case kCapital:
        in.id = "change_case:english_capital";
        texts.push_back("Your entire response should be in English, and in all capital letters.");
        break;
      case kLower:
        in.id = "change_case:english_lowercase";
        texts.push_back("Your entire response should be in English, and in all lowercase letters. No capital letters are allowed.");
        break;
      case kBullets: {
        const int64_t n = rng.range(2, 6);
        in = {"detectable_format:number_bullet_lists", {{"num_bullets", n}}};
        texts.push_back("Your answer must contain exactly " + std::to_string(n) +
                        " bullet points. Use the markdown bullet points such as:\n* This is point 1.\n* This is point 2");
        break;
      }
      case kKeyword: {
        std::vector<std::string> kws = topic_words;
        rng.shuffle(kws);
        kws.resize(std::min<size_t>(kws.size(), static_cast<size_t>(rng.range(1, 2))));
        in = {"keywords:existence", {{"keywords", kws}}};
        texts.push_back("Include keywords " + join(kws, ", ") + " in the response.");
        break;
      }
      case kForbidden: {
        std::vector<std::string> pool(std::begin(kForbiddenPool), std::end(kForbiddenPool));
        rng.shuffle(pool);
        pool.resize(static_cast<size_t>(rng.range(1, 3)));
        in = {"keywords:forbidden_words", {{"forbidden_words", pool}}};
        texts.push_back("Do not include keywords " + join(pool, ", ") + " in the response.");
        break;
      }
      case kWords: {
        const bool less = rng.chance(1, 2);
        const int64_t n = less ? rng.range(4, 30) * 10 : rng.range(3, 30) * 10;
        in = {"length_constraints:number_words", {{"relation", less ? "less than" : "at least"}, {"num_words", n}}};
        texts.push_back(less ? "Answer with less than " + std::to_string(n) + " words."
                             : "Answer with at least " + std::to_string(n) + " words.");
        break;
      }
      case kSentences: {
        const bool less = rng.chance(1, 2);
        const int64_t n = rng.range(2, 12);
        in = {"length_constraints:number_sentences", {{"relation", less ? "less than" : "at least"}, {"num_sentences", n}}};
        texts.push_back(less ? "Your response should contain less than " + std::to_string(n) + " sentences."
                             : "Your response should contain at least " + std::to_string(n) + " sentences.");
        break;
      }
      case kParagraphs: {
        const int64_t n = rng.range(2, 5);
        in = {"length_constraints:number_paragraphs", {{"num_paragraphs", n}}};
        texts.push_back("There should be " + std::to_string(n) +
                        " paragraphs. Paragraphs are separated with the markdown divider: ***");
        break;
      }
      case kEnd: {
        const std::string phrase = rng.pick({"Any other questions?", "Is there anything else I can help with?",
                                             "Let me know if you have additional questions.", "Peace!"});
        in = {"startend:end_checker", {{"end_phrase", phrase}}};
        texts.push_back("Finish your response with this exact phrase " + phrase +
                        ". No other words should follow this phrase.");
        break;
      }
      case kQuote:
        in.id = "startend:quotation";
        texts.push_back("Wrap your entire response with double quotation marks.");
        break;
      case kTitle:
        in.id = "detectable_format:title";
        texts.push_back("Your answer must contain a title, wrapped in double angular brackets, such as <<poem of joy>>.");
        break;
      case kJson:
        in.id = "detectable_format:json_format";
        texts.push_back("Entire output should be wrapped in JSON format. You can use markdown ticks such as ```.");
        break;
      case kPostscript: {
        const std::string marker = rng.pick({"P.S.", "P.P.S"});
        in = {"detectable_content:postscript", {{"postscript_marker", marker}}};
        texts.push_back("At the end of your response, please explicitly add a postscript starting with " + marker);
        break;
      }
    }
    out.instructions.push_back(std::move(in));
  }
  out.text = join(texts, " ");
  return out;
}

}  // namespace sftx::rt::synth
