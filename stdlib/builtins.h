// The built-in functions of the language and the fixed vocabularies they accept.
//
// One table describes every built-in: its parameters (positional and keyword, types,
// defaults, fixed choices) and its result type. The checker binds calls against it
// (arity, unknown keywords with did-you-mean, types) and the evaluator fills in defaults
// from it, so a default lives in exactly one place.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "stdlib/types.h"

namespace sftx {

struct BuiltinParam {
  std::string name;
  TypeSet types;
  Type element = Type::unknown;        // for List parameters: the element type (unknown: any)
  nlohmann::json default_value;        // null: required, or absent unless given (see `required`)
  bool required = false;
  bool positional = true;              // may be given by position (always also by keyword)
  bool variadic = false;               // takes every remaining positional argument (at least one)
  std::vector<std::string> choices;    // for String parameters with a fixed vocabulary
  bool regex = false;                  // a regular expression (or a List of them): compiled at check
  std::string doc;
};

struct BuiltinFunction {
  std::string name;
  Type result = Type::unknown;
  std::vector<BuiltinParam> params;    // positional ones first, in order
  std::string summary;
  bool transform = false;              // a data operation usable as `d |> f(...)`

  const BuiltinParam* param(std::string_view name) const;
  std::vector<std::string> param_names() const;
  // "dedup(data, method, threshold = 0.85, num_perm = 128, ngram = 5)"
  std::string synopsis() const;
};

// Most records a synthetic() source may generate (its n, or a profile's [synthetic] size):
// generation streams into the cache without end otherwise (n = 10^15 filled the disk at
// ~40 MB/s). Ten million is ~100 times the largest set in the reference study.
inline constexpr long long kMaxSyntheticRecords = 10'000'000;

const std::vector<BuiltinFunction>& builtin_functions();
const BuiltinFunction* find_builtin(std::string_view name);
std::vector<std::string> builtin_names();

// Fixed vocabularies.
const std::vector<std::string>& known_formats();         // alpaca sharegpt messages gsm8k humaneval text
const std::vector<std::string>& known_chat_templates();  // vicuna llama2 chatml alpaca
const std::vector<std::string>& known_synthetic_kinds(); // math code general pretrain *_test
// Difficulty levels of synthetic(...): paper (the default) and micro (stdlib/synthetic/micro.h).
// The same table as the runtime's synth::synthetic_levels (a test in interpreter/exec checks).
const std::vector<std::string>& known_synthetic_levels();
bool synthetic_kind_has_level(std::string_view kind, std::string_view level);  // pretrain: paper only
const std::vector<std::string>& known_model_families();  // llama
const std::vector<std::string>& known_metrics();         // gsm8k humaneval ifeval perplexity mtbench tsne

struct ModelPreset {
  std::string name;
  int vocab_size;  // the vocabulary of the default tokenizer trained for this preset
};
const std::vector<ModelPreset>& known_presets();         // nano mini small
const ModelPreset* find_preset(std::string_view name);
std::vector<std::string> preset_names();

// Size and seed of the pretraining text the default tokenizer of model(...) is trained on.
inline constexpr long long kDefaultTokenizerCorpusSize = 20000;
inline constexpr long long kDefaultTokenizerCorpusSeed = 0;

}  // namespace sftx
