// `pretrain`: plain text in the three registers the fine-tuning data uses — math prose (a word
// problem told with its solution), code (a commented Python function with its checks) and
// conversational prose (advice on an everyday topic) — one assistant message per record,
// which chat templates render as plain text (<s>text</s>, all trained). The default
// tokenizer is trained on it. meta: {"register": "math"|"code"|"prose"}.
#include <algorithm>

#include "stdlib/synthetic/code_task.h"
#include "stdlib/synthetic/general_topics.h"
#include "stdlib/synthetic/math_problem.h"
#include "stdlib/synthetic/synthetic.h"
#include "stdlib/synthetic/text_util.h"

namespace sftx::rt::synth {

Record pretrain_record(uint64_t seed, int64_t index) {
  Rng rng = Rng::for_record(seed, "pretrain", static_cast<uint64_t>(index));
  Record r;
  std::string text, reg;
  switch (index % 3) {
    case 0: {
      reg = "math";
      const MathProblem p = rng.pick(math_train_templates())(rng);
      // The solution without its "#### N" line, ending in a sentence that states the answer.
      std::string sol = render_solutions(p, rng, 1)[0];
      sol = sol.substr(0, sol.rfind("\n#### "));
      const std::string answer = std::to_string(p.answer());
      const std::string last = sol.substr(sol.rfind('\n') + 1);
      if (last.find(answer) == std::string::npos || last.find('=') != std::string::npos)
        sol += "\nThe answer is " + answer + ".";
      text = p.question + "\n" + sol;
      break;
    }
    case 1: {
      reg = "code";
      const CodeTask t = rng.pick(code_train_families())(rng);
      text = "# " + t.name + " " + t.description + ".\n" + t.signature() + "\n" + rng.pick(t.bodies) + "\n";
      for (int i = 0; i < 2; ++i) {
        const auto [args, expect] = t.example(rng);
        text += "\nassert " + t.name + "(" + args + ") == " + expect;
      }
      text += "\n";
      break;
    }
    default: {
      reg = "prose";
      const Topic& t = rng.pick(general_topics());
      std::vector<std::string> tips = t.tips;
      rng.shuffle(tips);
      tips.resize(4);
      const std::string subject = rng.pick(t.subjects);
      text = "A few notes on " + subject + ". " + join(tips, " ") + " " + rng.pick(t.mistakes);
      break;
    }
  }
  r.messages = {{"assistant", text}};
  r.meta = {{"register", reg}};
  return r;
}

}  // namespace sftx::rt::synth
