// The built-in synthetic data sources (synthetic(kind, n, seed) in the language;
// generate_synthetic in runtime/api.h). No downloads: every record is composed here from
// templates and word lists with the explicit PRNG in prng.h.
//
// Record i of a kind depends only on (kind, seed, i): a larger n extends a smaller one, and
// the output is byte-identical on every machine for (kind, n, seed).
//
// Kinds (training):   math (GSM8K/RFT-like), code (Code-Alpaca-like with unit tests),
//                     general (ShareGPT-like, some with verifiable instructions), pretrain.
// Kinds (held out):   gsm8k_test, humaneval_test, ifeval_test — generated from templates,
//                     task families and instruction phrasings that the training kinds never
//                     use, so train and test do not share text (synthetic_overlap_test.cc).
//
// Levels: "paper" (the default; the generators above, sized for the paper's 7B-13B models) and
// "micro" (micro.h: the same skills made small enough for a ~1M-parameter model on a CPU;
// every kind but pretrain). Record i of a kind at a level depends only on (kind, level, seed, i).
#pragma once

#include "stdlib/synthetic/kinds.h"

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/data/record.h"

namespace sftx::rt::synth {

Record math_record(uint64_t seed, int64_t index);
Record gsm8k_test_record(uint64_t seed, int64_t index);
Record code_record(uint64_t seed, int64_t index);
Record humaneval_test_record(uint64_t seed, int64_t index);
Record general_record(uint64_t seed, int64_t index);
Record ifeval_test_record(uint64_t seed, int64_t index);
Record pretrain_record(uint64_t seed, int64_t index);

// synthetic_kinds(), synthetic_levels(), synthetic_kind_has_level(): kinds.h.
// Record `index` of `kind` at `level` (throws std::invalid_argument for an unknown kind, an
// unknown level, or a kind without that level).
Record synthetic_record(const std::string& kind, uint64_t seed, int64_t index, const std::string& level = "paper");

// How many training templates / task families / topics each kind draws from (for tests and
// `sftx data --stats`-style reporting).
int math_template_count();
int gsm8k_test_template_count();
int code_family_count();
int humaneval_test_family_count();

}  // namespace sftx::rt::synth
