// The fields of the request and result structs of runtime/api.h, each listed once, in one table
// per struct: its JSON key, the member it fills, and whether a request may leave it out (an
// optional field that is absent keeps the default written in api.h).
//
// The worker protocol (runtime/launch/protocol.cc) derives both directions of its JSON from
// these tables, and the interpreter reads a train node's plan parameters with them
// (interpreter/exec/train_params.cc), each with its own rules. A field added to a struct and to
// its table here reaches both; one added to the struct only is caught by the round-trip tests
// of runtime/launch/protocol_test.cc.
#pragma once

#include <tuple>
#include <type_traits>

#include "runtime/api.h"

namespace sftx::rt {

enum class Presence { required, optional };

template <class Struct, class T>
struct FieldDef {
  const char* key;
  T Struct::*member;
  Presence presence;
};

template <class Struct, class T>
constexpr FieldDef<Struct, T> field(const char* key, T Struct::*member) {
  return {key, member, Presence::required};
}
template <class Struct, class T>
constexpr FieldDef<Struct, T> optional_field(const char* key, T Struct::*member) {
  return {key, member, Presence::optional};
}

// FieldTable<S>::name (as messages say it) and FieldTable<S>::fields (a tuple of FieldDef).
template <class S>
struct FieldTable;

template <class S, class = void>
struct has_field_table : std::false_type {};
template <class S>
struct has_field_table<S, std::void_t<decltype(FieldTable<S>::fields)>> : std::true_type {};

// Calls f(def) for every field of S, in table order.
template <class S, class F>
void for_each_field(F&& f) {
  std::apply([&](const auto&... def) { (f(def), ...); }, FieldTable<S>::fields);
}

// ---------------------------------------------------------------- execution context
template <>
struct FieldTable<Device> {
  static constexpr const char* name = "Device";
  static constexpr auto fields = std::make_tuple(field("kind", &Device::kind), optional_field("index", &Device::index));
};

template <>
struct FieldTable<ProcessGroupSpec> {
  static constexpr const char* name = "ProcessGroupSpec";
  static constexpr auto fields = std::make_tuple(
      field("rank", &ProcessGroupSpec::rank), field("world_size", &ProcessGroupSpec::world_size),
      optional_field("backend", &ProcessGroupSpec::backend), optional_field("init_method", &ProcessGroupSpec::init_method));
};

template <>
struct FieldTable<Progress> {
  static constexpr const char* name = "Progress";
  static constexpr auto fields = std::make_tuple(field("phase", &Progress::phase), field("done", &Progress::done),
                                                 field("total", &Progress::total), optional_field("detail", &Progress::detail));
};

// ---------------------------------------------------------------- training
template <>
struct FieldTable<ModelSpec> {
  static constexpr const char* name = "ModelSpec";
  static constexpr auto fields =
      std::make_tuple(optional_field("preset", &ModelSpec::preset), optional_field("hf_dir", &ModelSpec::hf_dir),
                      optional_field("overrides", &ModelSpec::overrides));
};

template <>
struct FieldTable<Method> {
  static constexpr const char* name = "Method";
  static constexpr auto fields = std::make_tuple(
      field("kind", &Method::kind), optional_field("lora_r", &Method::lora_r),
      optional_field("lora_alpha", &Method::lora_alpha), optional_field("lora_dropout", &Method::lora_dropout),
      optional_field("lora_targets", &Method::lora_targets), optional_field("freeze_layers", &Method::freeze_layers));
};

template <>
struct FieldTable<TrainHyper> {
  static constexpr const char* name = "TrainHyper";
  static constexpr auto fields = std::make_tuple(
      field("epochs", &TrainHyper::epochs), field("lr", &TrainHyper::lr), field("batch", &TrainHyper::batch),
      field("grad_accum", &TrainHyper::grad_accum), field("warmup", &TrainHyper::warmup),
      field("schedule", &TrainHyper::schedule), field("weight_decay", &TrainHyper::weight_decay),
      field("clip", &TrainHyper::clip), field("seed", &TrainHyper::seed), field("max_steps", &TrainHyper::max_steps),
      field("seq_len", &TrainHyper::seq_len), field("dtype", &TrainHyper::dtype),
      field("log_every", &TrainHyper::log_every), field("save_every", &TrainHyper::save_every));
};

template <>
struct FieldTable<TrainRequest> {
  static constexpr const char* name = "TrainRequest";
  static constexpr auto fields = std::make_tuple(
      field("model", &TrainRequest::model), optional_field("init_dir", &TrainRequest::init_dir),
      field("shards", &TrainRequest::shards), field("hp", &TrainRequest::hp),
      optional_field("method", &TrainRequest::method), optional_field("device", &TrainRequest::device),
      optional_field("process_group", &TrainRequest::process_group), field("out_dir", &TrainRequest::out_dir),
      optional_field("val_shards", &TrainRequest::val_shards), optional_field("eval_every", &TrainRequest::eval_every));
};

template <>
struct FieldTable<TrainResult> {
  static constexpr const char* name = "TrainResult";
  static constexpr auto fields = std::make_tuple(
      field("checkpoint_dir", &TrainResult::checkpoint_dir), field("metrics_path", &TrainResult::metrics_path),
      field("steps", &TrainResult::steps), field("resumed_from_step", &TrainResult::resumed_from_step),
      field("final_loss", &TrainResult::final_loss), field("tokens_per_second", &TrainResult::tokens_per_second));
};

// ---------------------------------------------------------------- worker-side inference
template <>
struct FieldTable<GenerateRequest> {
  static constexpr const char* name = "GenerateRequest";
  static constexpr auto fields = std::make_tuple(
      field("checkpoint_dir", &GenerateRequest::checkpoint_dir), field("prompts_jsonl", &GenerateRequest::prompts_jsonl),
      optional_field("vocab_json", &GenerateRequest::vocab_json),
      optional_field("max_new_tokens", &GenerateRequest::max_new_tokens),
      optional_field("temperature", &GenerateRequest::temperature), optional_field("top_p", &GenerateRequest::top_p),
      optional_field("seed", &GenerateRequest::seed), optional_field("stop", &GenerateRequest::stop),
      optional_field("batch", &GenerateRequest::batch), optional_field("device", &GenerateRequest::device),
      field("out_jsonl", &GenerateRequest::out_jsonl));
};

template <>
struct FieldTable<GenerateResult> {
  static constexpr const char* name = "GenerateResult";
  static constexpr auto fields = std::make_tuple(field("out_jsonl", &GenerateResult::out_jsonl),
                                                 field("n", &GenerateResult::n),
                                                 field("generated_tokens", &GenerateResult::generated_tokens));
};

template <>
struct FieldTable<LogprobRequest> {
  static constexpr const char* name = "LogprobRequest";
  static constexpr auto fields = std::make_tuple(
      field("checkpoint_dir", &LogprobRequest::checkpoint_dir), field("sequences_jsonl", &LogprobRequest::sequences_jsonl),
      optional_field("device", &LogprobRequest::device), field("out_jsonl", &LogprobRequest::out_jsonl));
};

template <>
struct FieldTable<LogprobResult> {
  static constexpr const char* name = "LogprobResult";
  static constexpr auto fields =
      std::make_tuple(field("out_jsonl", &LogprobResult::out_jsonl), field("n", &LogprobResult::n),
                      field("logprob", &LogprobResult::logprob), field("tokens", &LogprobResult::tokens));
};

template <>
struct FieldTable<LogitsRequest> {
  static constexpr const char* name = "LogitsRequest";
  static constexpr auto fields = std::make_tuple(
      field("checkpoint_dir", &LogitsRequest::checkpoint_dir), field("sequences_jsonl", &LogitsRequest::sequences_jsonl),
      optional_field("device", &LogitsRequest::device), field("out_bin", &LogitsRequest::out_bin));
};

template <>
struct FieldTable<LogitsResult> {
  static constexpr const char* name = "LogitsResult";
  static constexpr auto fields =
      std::make_tuple(field("out_bin", &LogitsResult::out_bin), field("shape", &LogitsResult::shape));
};

template <>
struct FieldTable<HiddenStatesRequest> {
  static constexpr const char* name = "HiddenStatesRequest";
  static constexpr auto fields = std::make_tuple(
      field("checkpoint_dir", &HiddenStatesRequest::checkpoint_dir),
      field("prompts_jsonl", &HiddenStatesRequest::prompts_jsonl), optional_field("layer", &HiddenStatesRequest::layer),
      optional_field("device", &HiddenStatesRequest::device), field("out_jsonl", &HiddenStatesRequest::out_jsonl));
};

template <>
struct FieldTable<HiddenStatesResult> {
  static constexpr const char* name = "HiddenStatesResult";
  static constexpr auto fields =
      std::make_tuple(field("out_jsonl", &HiddenStatesResult::out_jsonl), field("n", &HiddenStatesResult::n),
                      field("layer", &HiddenStatesResult::layer), field("dim", &HiddenStatesResult::dim));
};

}  // namespace sftx::rt
