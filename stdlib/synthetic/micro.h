// The `micro` level of the synthetic sources: tasks a nano model (~1M parameters, a few hundred
// steps at seq_len 128-256 on a CPU) can learn to a mid-range score, so that the paper's effects
// (gains, forgetting, interference between abilities) become measurable on a laptop.
// synthetic(kind, n, seed, level = "micro") in the language; level "paper" is the default and
// keeps the generators of math.cc, code.cc and general.cc.
//
// Design principles (fixed before any result was read; docs/micro-scale.md says the same):
//   - Capacity: a ~1M-parameter model cannot carry multi-digit arithmetic, unseen task
//     families or paraphrased instructions. Micro tasks are few skills, each seen many times,
//     with small values: the model must learn the skill, not a large vocabulary of scenarios.
//   - Generalisation that is measured: the held-out kinds use THE SAME templates / families /
//     instruction types as training, with held-out values and names. A (template, values)
//     tuple goes to train or to test by a fixed hash (micro_split.h), independent of the seed;
//     person names, function and argument names, and general topics come from disjoint lists.
//     So a test item is never a training item, and decontaminate (13-gram) finds nothing.
//   - Length: every conversation is short (answers well under 100 tokens) so that seq_len
//     128-256 holds it whole and no loss is spent on truncated text.
//   - math: 12 word-problem templates, 1-3 steps (five one-step, five two-step, two
//     three-step), operands 1..20 (prices and bills a little larger), every intermediate and
//     the answer in [0, 200). The solution is one short sentence per step holding "a + b = c"
//     and ends with GSM8K's "#### N". Every sentence names the person (no pronouns to resolve).
//     meta: answer, question_id, template (name), values.
//   - code: 14 families of one-line Python functions (add/subtract/multiply a constant,
//     even/divisible, max/min/sum/count of a list, count a character, reverse, repeat, upper
//     case, add two numbers) in HumanEval's layout: the prompt is the signature and a
//     docstring with one example, the answer the body, check(candidate) runs 3 asserts.
//     Constants split by hash; function and argument names come from disjoint lists.
//   - general: single-turn chat about everyday topics, 2-3 short fact sentences per answer;
//     40% of training conversations carry one or two IFEval-checkable instructions (ten
//     ids: lowercase, capitals, end phrase, keyword, no comma, bullets, title, fewer than N
//     words, quotation, postscript) worded identically in train and test. ifeval_test at this
//     level always carries instructions, is about topics training never uses, and holds a
//     reference assistant answer that satisfies them (for answer log-likelihood).
//   - Every record depends only on (kind, level, seed, index), drawn with prng.h.
#pragma once

#include <cstdint>
#include <string>

#include "runtime/data/record.h"

namespace sftx::rt::synth {

Record micro_math_record(uint64_t seed, int64_t index);
Record micro_gsm8k_test_record(uint64_t seed, int64_t index);
// `level` is "micro" or "micro2" (the code kinds differ only in which names the test side uses).
Record micro_code_record(uint64_t seed, int64_t index, const std::string& level = "micro");
Record micro_humaneval_test_record(uint64_t seed, int64_t index, const std::string& level = "micro");
Record micro_general_record(uint64_t seed, int64_t index);
Record micro_ifeval_test_record(uint64_t seed, int64_t index);

int micro_math_template_count();

// The `micro2` level (design in docs/micro-scale.md, "micro2"): one-step word problems with
// one-digit operands, two wordings per operation, test items differing from training in values
// only (names shared); code as micro but with shared names.
Record micro2_math_record(uint64_t seed, int64_t index);
Record micro2_gsm8k_test_record(uint64_t seed, int64_t index);
int micro2_math_template_count();
int micro_code_family_count();

}  // namespace sftx::rt::synth
