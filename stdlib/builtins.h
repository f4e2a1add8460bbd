// The built-in functions of the language and the fixed vocabularies they accept.
//
// One table describes every built-in, one self-describing entry each: its parameters
// (positional and keyword, types, bounds, defaults, fixed choices, docs), its result type,
// its own cross-parameter rules, how it lowers into the graph and which runtime handler runs
// its node. The checker binds calls against it (arity, unknown keywords with did-you-mean,
// types, bounds), the evaluator fills in defaults from it, `sftx builtins` prints it and
// docs/builtins.md is generated from it, so each of these lives in exactly one place.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "stdlib/types.h"

#include "stdlib/metric_fields.h"

namespace sftx {

// What a Number argument must be. The checker enforces it at `check` (eval_call.cc) and the
// reference (`sftx builtins`, docs/builtins.md) prints it, both from this one value.
enum class Bounds {
  none,
  integer,          // a whole number (negative ones count from the end: layer = -1 is the last)
  count,            // a whole number, at least 0
  positive,         // a whole number, at least 1
  unit,             // between 0 and 1
  open_unit,        // strictly between 0 and 1
  nonnegative,      // at least 0
  positive_real,    // greater than 0
  synthetic_count,  // a whole number from 0 to kMaxSyntheticRecords
};
// "a whole number, at least 1"; "" for Bounds::none.
std::string bounds_text(Bounds b);

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
  Bounds bounds = Bounds::none;        // a Number argument, or each Number of a List argument
  // The default is the data_seed in effect where the call is written (data operations).
  bool data_seed = false;
  // Left out of the graph node while it has its default value, so the cache keys made before
  // the parameter existed still name the same node; the runtime's default is the same value
  // (a test in interpreter/exec compares them).
  bool omit_default = false;
  // Applies only for some values of the function's `selector` parameter (dedup's method):
  // value -> this parameter's default under it (null: required under it). Empty: always.
  // Given under another value, it is dropped with a warning.
  std::vector<std::pair<std::string, nlohmann::json>> only_for;
  std::string doc;
};

// How a call becomes part of the experiment graph (interpreter/front/plan_graph.h).
enum class Lowering {
  source,     // data node op "source": path, container, format, on_error
  synthetic,  // data node op "synthetic": kind, n, seed, level
  mix,        // data node op "mix": inputs in argument order
  transform,  // data node op NAME: keyword arguments, seed; inputs [data, further data...]
  model,      // no node of its own: a base model; its default tokenizer is a "tokenizer" node
  hf_model,   // no node of its own: a checkpoint directory; its tokenizer file a "tokenizer" node
  tokenizer,  // data node op "tokenizer"
  method,     // no node: the `method` setting of a stage's train node
  metric,     // eval node op NAME per plan instance: keyword arguments; inputs [train, data..., tokenizer]
};
// One line: what the call becomes in the graph.
std::string lowering_text(Lowering l);

// A finding of a built-in's own cross-parameter rule (BuiltinFunction::refine).
struct ParamIssue {
  std::string param;  // the argument to point at ("" : the call)
  std::string message;  // follows the function's name: "humaneval needs at least 10 samples ..."
  bool warning = false;
};

struct BuiltinFunction {
  std::string name;
  Type result = Type::unknown;
  std::vector<BuiltinParam> params;    // positional ones first, in order
  std::string summary;                 // the docs line
  bool transform = false;              // a data operation usable as `d |> f(...)`
  Lowering lowering = Lowering::transform;
  // The runtime function that runs its node: for a metric, the name of its entry in the
  // runtime's metric table (runtime/eval/metric_handlers.h); for a data operation, the op
  // rt::apply_transform dispatches on.
  std::string handler;
  std::string selector;                // the parameter choosing a variant (see only_for)
  std::vector<MetricField> fields;     // a metric: the score fields its result.json holds
  // A metric: its runtime scorer's version (rt::MetricHandler::scorer_version, equal: a test
  // compares), in its eval nodes' cache keys when not 0, so that a scorer change recomputes
  // results cached under the old one and leaves the keys of unchanged metrics as they were.
  int scorer_version = 0;
  // Rules between parameters and defaults derived from other parameters, applied to the
  // keyword arguments (defaults filled) before they become the node's params. `given`: the
  // names written in the call.
  std::vector<ParamIssue> (*refine)(nlohmann::json& params, const std::vector<std::string>& given) = nullptr;

  const BuiltinParam* param(std::string_view name) const;
  std::vector<std::string> param_names() const;
  // "dedup(data, method, threshold = 0.85, num_perm = 128, ngram = 5)"
  std::string synopsis() const;
  // "rt::evaluate, metric handler \"gsm8k\" (runtime/eval)": who runs the node.
  std::string handler_text() const;
};

// Most records a synthetic() source may generate (its n, or a profile's [synthetic] size):
// generation streams into the cache without end otherwise (n = 10^15 filled the disk at
// ~40 MB/s). Ten million is ~100 times the largest set in the reference study.
inline constexpr long long kMaxSyntheticRecords = 10'000'000;

const std::vector<BuiltinFunction>& builtin_functions();
const BuiltinFunction* find_builtin(std::string_view name);
std::vector<std::string> builtin_names();

// Fixed vocabularies.
// The record formats of jsonl(...)/json(...): the runtime's table (runtime/data/record_formats.h).
const std::vector<std::string>& known_formats();
const std::vector<std::string>& known_chat_templates();  // vicuna llama2 chatml alpaca model
// The kinds and levels of synthetic(...): the runtime's table (stdlib/synthetic/kinds.h).
const std::vector<std::string>& known_synthetic_kinds(); // math code general pretrain *_test
// Difficulty levels of synthetic(...): paper (the default) and micro (stdlib/synthetic/micro.h).
const std::vector<std::string>& known_synthetic_levels();
bool synthetic_kind_has_level(std::string_view kind, std::string_view level);  // pretrain: paper only
const std::vector<std::string>& known_model_families();  // llama
// The built-ins whose result is a Metric, in table order.
std::vector<std::string> known_metrics();

// The reference of every built-in: plain text (`sftx builtins`), or Markdown (docs/builtins.md,
// which a test keeps equal to this). `only`: one built-in by name ("" : all).
std::string builtins_reference(bool markdown, std::string_view only = "");

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
