// The stage hyperparameters a file can set in `defaults { }`, a profile's [profile.X.train]
// and a stage's `with { }`: the fields of rt::TrainHyper (runtime/api.h) plus `template`,
// `method`, `packing` and `data_seed`. Built-in defaults equal rt::TrainHyper's (a test
// checks it), so the language and the runtime cannot drift apart.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sftx {

enum class HyperKind {
  integer,  // a whole Number >= min
  real,     // any Number within [min, max]
  string,   // one of `choices`
  method,   // "full", lora(...) or freeze(...)
};

struct HyperParam {
  std::string name;
  HyperKind kind;
  std::string default_literal;        // as a .sftx literal: "3", "2e-5", "cosine"
  std::vector<std::string> choices;   // string kind
  std::optional<std::string> min;     // number kinds, as literals (inclusive)
  std::optional<std::string> max;
  std::string doc;
  // Where the executor puts it: "hyper" (rt::TrainHyper), "pack" (template/packing),
  // "method", or "data" (data_seed).
  std::string target;
  // False for settings that cannot change what a stage computes (how often it logs or saves a
  // resumable checkpoint): they do not enter the stage's cache key, so changing them reuses
  // the trained stage.
  bool changes_result = true;
};

const std::vector<HyperParam>& hyperparams();
const HyperParam* find_hyperparam(std::string_view name);
std::vector<std::string> hyperparam_names();
// sftx's name for a common other spelling (transformers' learning_rate, num_train_epochs,
// per_device_train_batch_size, max_seq_length, ...), or null. For "did you mean" only: an
// alias is never accepted in place of the name.
const std::string* hyperparam_alias(std::string_view name);

}  // namespace sftx
