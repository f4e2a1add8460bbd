// `general` (ShareGPT-like conversations, 1-4 turns) and `ifeval_test` records.
//
// general: (9 in 10) a user asks about an everyday topic; the assistant answers with advice drawn from
// the topic; follow-ups ask for detail on one point, a shorter version, mistakes to avoid, or
// say thanks. About 30% of conversations attach verifiable instructions to one user turn, and
// that turn's answer satisfies them. meta: {"topic": ..., "turns": N} plus, when instructed,
// {"instruction_id_list": [...], "kwargs": [...], "instruction_turn": T} (T counts user turns
// from 0).
// ifeval_test: a writing request plus IFEval-worded instructions; meta as IFEval: key, prompt,
// instruction_id_list, kwargs. No reference response (IFEval has none).
// (1 in 10 general conversations are casual coding or percentage questions, see technical_record.)
#include <algorithm>

#include "stdlib/synthetic/code_task.h"
#include "stdlib/synthetic/general_topics.h"
#include "stdlib/synthetic/instructions.h"
#include "stdlib/synthetic/synthetic.h"
#include "stdlib/synthetic/text_util.h"

namespace sftx::rt::synth {
namespace {

const char* const kIntros[] = {"Good question! Here is what I would suggest.", "Happy to help with that.",
                               "Sure. Here are a few ideas that work well.", "Here is a practical way to approach it.",
                               "That is a great thing to work on.", "Of course. Let me walk you through it."};
const char* const kClosings[] = {"Start with one or two of these and build from there.",
                                 "Feel free to ask if you want more detail on any of these.",
                                 "Most of all keep it simple and be patient with yourself.",
                                 "With a little practice it gets much easier."};
const char* const kOrdinals[] = {"first", "second", "third", "fourth", "fifth"};
const char* const kElaborations[] = {"The key is to do it consistently rather than perfectly.",
                                     "Even a small improvement here adds up over a few weeks.",
                                     "It also makes the other steps easier because it removes a common obstacle.",
                                     "Try it for a week and notice what changes."};

std::string fill(const std::string& tmpl, const std::string& x) { return replace_all(tmpl, "{x}", x); }

std::string lower_first(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

AnswerParts first_answer(const Topic& t, const std::string& subject, Rng& rng, std::vector<std::string>* used) {
  std::vector<std::string> tips = t.tips;
  rng.shuffle(tips);
  tips.resize(static_cast<size_t>(rng.range(3, 5)));
  *used = tips;
  AnswerParts p;
  p.title = cap(subject);
  p.intro = rng.pick(kIntros);
  p.points = tips;
  p.closing = rng.chance(2, 3) ? std::string(rng.pick(kClosings)) : std::string();
  p.topic_keywords = t.keywords;
  return p;
}

// ShareGPT is not free of code and maths: about one conversation in ten here is casual
// programming or arithmetic help, so that general data overlaps the specialised skills a little
// (as in the paper) and tag() + filter(exclude_tags) has something to remove (its D2 ablation).
Record technical_record(Rng& rng) {
  Record r;
  if (rng.chance(1, 2)) {
    const CodeTask t = rng.pick(code_train_families())(rng);
    const auto [args, expect] = t.example(rng);
    const std::string user = rng.pick({"Quick Python question: how would I write something that ",
                                       "In Python, what's a clean way to get a function that ",
                                       "My Python homework asks for a function that "}) +
                             t.description + "?";
    const std::string answer = std::string(rng.pick({"You can do it like this:", "Something like this works:",
                                                     "A simple version:"})) +
                               "\n\n```python\n" + t.signature() + "\n" + rng.pick(t.bodies) + "```\n\nFor example `" +
                               t.name + "(" + args + ")` gives `" + expect + "`.";
    r.messages = {{"user", user}, {"assistant", answer}};
    r.meta = {{"topic", "coding help"}, {"turns", 1}};
    return r;
  }
  const int64_t pct = rng.pick(std::vector<int64_t>{5, 10, 15, 20, 25, 30, 40, 60, 75});
  const int64_t base = rng.range(2, 40) * 20;
  const int64_t part = base * pct / 100;
  const char* what = rng.pick({"tip on a restaurant bill of", "discount on a jacket that costs", "tax on an order of",
                               "raise on a weekly pay of"});
  const std::string user = "What is a " + std::to_string(pct) + "% " + what + " $" + std::to_string(base) + "?";
  const std::string answer = "Multiply the amount by " + std::to_string(pct) + " and divide by 100: " +
                             std::to_string(base) + " * " + std::to_string(pct) + " / 100 = " + std::to_string(part) +
                             ". So it is $" + std::to_string(part) + ".";
  r.messages = {{"user", user}, {"assistant", answer}};
  r.meta = {{"topic", "math help"}, {"turns", 1}};
  return r;
}

}  // namespace

Record general_record(uint64_t seed, int64_t index) {
  Rng rng = Rng::for_record(seed, "general", static_cast<uint64_t>(index));
  if (rng.chance(1, 10)) return technical_record(rng);
  const auto& topics = general_topics();
  const size_t topic_index = rng.below(topics.size());
  const Topic& t = topics[topic_index];
  const std::string subject = rng.pick(t.subjects);
  const int turns = static_cast<int>(rng.range(1, 4));
  const int instructed_turn = rng.chance(3, 10) ? static_cast<int>(rng.below(static_cast<uint64_t>(turns))) : -1;

  Record r;
  if (rng.chance(1, 5)) r.messages.push_back({"system", "You are a friendly and knowledgeable assistant."});
  std::vector<std::string> used;
  std::vector<std::string> follow_kinds = {"detail", "shorter", "mistakes", "thanks", "another"};
  rng.shuffle(follow_kinds);
  nlohmann::json meta = {{"topic", t.name}, {"turns", turns}};

  for (int turn = 0; turn < turns; ++turn) {
    std::string user;
    AnswerParts parts;
    if (turn == 0) {
      user = fill(rng.pick(t.questions), subject);
      parts = first_answer(t, subject, rng, &used);
    } else {
      const std::string kind = follow_kinds[static_cast<size_t>(turn - 1)];
      parts.title = cap(subject);
      parts.topic_keywords = t.keywords;
      if (kind == "detail") {
        const size_t i = rng.below(std::min<size_t>(used.size(), 5));
        user = std::string("Can you tell me more about the ") + kOrdinals[i] + " point?";
        parts.intro = "Sure.";
        parts.points = {used[i], rng.pick(kElaborations)};
      } else if (kind == "shorter") {
        user = rng.pick({"Thanks. Can you summarise that in one sentence?", "That's a lot. What's the short version?"});
        parts.intro = "In short:";
        parts.points = {lower_first(used[0])};
      } else if (kind == "mistakes") {
        user = rng.pick({"What mistakes should I avoid?", "What do people usually get wrong?"});
        std::vector<std::string> m = t.mistakes;
        rng.shuffle(m);
        m.resize(static_cast<size_t>(rng.range(2, 3)));
        parts.intro = "A few common pitfalls:";
        parts.points = m;
      } else if (kind == "another") {
        user = rng.pick({"Do you have one more tip?", "Anything else I should know?"});
        std::vector<std::string> rest;
        for (const auto& tip : t.tips)
          if (std::find(used.begin(), used.end(), tip) == used.end()) rest.push_back(tip);
        const std::string extra = rest.empty() ? t.tips[0] : rng.pick(rest);
        used.push_back(extra);
        parts.intro = "One more:";
        parts.points = {extra};
      } else {
        user = rng.pick({"Thank you, that's really helpful!", "Great, thanks a lot!"});
        parts.intro = rng.pick({"You're welcome!", "Glad it helped!"});
        parts.points = {fill(rng.pick({"Good luck with {x}.", "Enjoy {x}."}), subject)};
      }
    }
    std::string reply;
    if (turn == instructed_turn) {
      const InstructedAnswer a = instructed_answer(parts, rng);
      user += " " + a.instruction_text;
      reply = a.response;
      nlohmann::json ids = nlohmann::json::array(), kwargs = nlohmann::json::array();
      for (const auto& in : a.instructions) {
        ids.push_back(in.id);
        kwargs.push_back(in.kwargs);
      }
      meta["instruction_id_list"] = ids;
      meta["kwargs"] = kwargs;
      meta["instruction_turn"] = turn;
    } else if (turn == 0) {
      reply = plain_answer(parts, rng);
    } else {
      reply = parts.intro + " " + join(parts.points, " ");
    }
    r.messages.push_back({"user", user});
    r.messages.push_back({"assistant", reply});
  }
  r.meta = meta;
  return r;
}

Record ifeval_test_record(uint64_t seed, int64_t index) {
  Rng rng = Rng::for_record(seed, "ifeval_test", static_cast<uint64_t>(index));
  static const char* const kTasks[] = {
      "Write a short blog post about {x}.", "Write a letter to a friend describing {x}.",
      "Compose a brief essay on {x}.", "Write a product description for a new gadget related to {x}.",
      "Draft a speech for a community meeting about {x}.", "Write a short story in which the main character discovers {x}.",
      "Create a list of reasons why people should care about {x}.", "Write a poem about {x}.",
      "Write a newsletter paragraph announcing a workshop on {x}.", "Explain {x} to a ten year old child."};
  static const char* const kSubjects[] = {
      "the history of bicycles", "urban beekeeping", "solar panels", "a rainy afternoon", "volunteering at a food bank",
      "the first day at a new school", "board games", "recycling electronics", "a mountain village", "learning to swim",
      "night trains", "the ocean at dawn", "a community library", "street food markets", "time management"};
  const std::string subject = rng.pick(kSubjects);
  std::string task = replace_all(rng.pick(kTasks), "{x}", subject);
  std::vector<std::string> words;
  for (const auto& w : split_words(subject))
    if (w.size() > 3) words.push_back(w);
  for (const char* w : {"community", "future", "simple", "energy", "friendship"}) words.push_back(w);
  const InstructedPrompt ins = test_instructions(rng, words);
  const std::string prompt = task + " " + ins.text;
  nlohmann::json ids = nlohmann::json::array(), kwargs = nlohmann::json::array();
  for (const auto& in : ins.instructions) {
    ids.push_back(in.id);
    kwargs.push_back(in.kwargs);
  }
  Record r;
  r.messages = {{"user", prompt}};
  r.meta = {{"key", 1000 + index}, {"prompt", prompt}, {"instruction_id_list", ids}, {"kwargs", kwargs}};
  return r;
}

}  // namespace sftx::rt::synth
