#include "stdlib/hyperparams.h"

#include "stdlib/builtins.h"

namespace sftx {

namespace {

HyperParam integer(std::string name, std::string def, std::string min, std::string doc) {
  return {std::move(name), HyperKind::integer, std::move(def), {}, std::move(min), std::nullopt, std::move(doc), "hyper"};
}
HyperParam real(std::string name, std::string def, std::string min, std::optional<std::string> max, std::string doc) {
  return {std::move(name), HyperKind::real, std::move(def), {}, std::move(min), std::move(max), std::move(doc), "hyper"};
}
HyperParam choice(std::string name, std::string def, std::vector<std::string> choices, std::string doc,
                  std::string target = "hyper") {
  return {std::move(name), HyperKind::string, std::move(def), std::move(choices), std::nullopt, std::nullopt,
          std::move(doc), std::move(target)};
}

std::vector<HyperParam> make_table() {
  std::vector<HyperParam> t = {
      integer("epochs", "3", "1", "passes over the stage's data"),
      real("lr", "2e-5", "0", std::nullopt, "peak learning rate"),
      integer("batch", "16", "1", "sequences per optimiser step (global)"),
      integer("grad_accum", "1", "1", "micro-batches accumulated per step"),
      real("warmup", "0.03", "0", "1", "warm-up, as a fraction of total steps"),
      choice("schedule", "cosine", {"cosine", "linear", "constant"}, "learning-rate schedule"),
      real("weight_decay", "0", "0", std::nullopt, "AdamW weight decay"),
      real("clip", "1", "0", std::nullopt, "max gradient norm; 0 = off"),
      integer("seed", "42", "0", "training seed (initialisation, data order)"),
      integer("max_steps", "0", "0", "cap on optimiser steps; 0 = no cap"),
      integer("seq_len", "512", "8", "tokens per packed block"),
      choice("dtype", "auto", {"auto", "fp32", "bf16"}, "auto: bf16 on CUDA, fp32 on CPU"),
      integer("log_every", "10", "1", "steps between metric lines"),
      integer("save_every", "100", "1", "steps between resumable checkpoints"),
  };
  // Logging and checkpoint cadence: the trainer's fingerprint leaves them out too, so a run
  // interrupted under one cadence resumes under another (runtime/nn/trainer.cc).
  for (auto& h : t)
    if (h.name == "log_every" || h.name == "save_every") h.changes_result = false;
  t.push_back(choice("template", "vicuna", known_chat_templates(), "chat template for packing and evaluation", "pack"));
  t.push_back(choice("packing", "packed", {"packed", "padded"}, "pack documents into blocks, or pad one per block",
                     "pack"));
  t.push_back({"method", HyperKind::method, "full", {"full"}, std::nullopt, std::nullopt,
               "\"full\", lora(...) or freeze(layers = N)", "method"});
  HyperParam data_seed = integer("data_seed", "0", "0", "seed of data operations written without seed =");
  data_seed.target = "data";
  t.push_back(data_seed);
  return t;
}

}  // namespace

const std::vector<HyperParam>& hyperparams() {
  static const std::vector<HyperParam> table = make_table();
  return table;
}

const HyperParam* find_hyperparam(std::string_view name) {
  for (const auto& h : hyperparams())
    if (h.name == name) return &h;
  return nullptr;
}

const std::string* hyperparam_alias(std::string_view name) {
  static const std::vector<std::pair<std::string, std::string>> aliases = {
      {"learning_rate", "lr"},         {"num_epochs", "epochs"},
      {"num_train_epochs", "epochs"},  {"n_epochs", "epochs"},
      {"epoch", "epochs"},             {"batch_size", "batch"},
      {"per_device_train_batch_size", "batch"}, {"train_batch_size", "batch"},
      {"gradient_accumulation_steps", "grad_accum"}, {"gradient_accumulation", "grad_accum"},
      {"max_seq_len", "seq_len"},      {"max_seq_length", "seq_len"},
      {"max_length", "seq_len"},       {"max_len", "seq_len"},
      {"seq_length", "seq_len"},       {"context_length", "seq_len"},
      {"warmup_ratio", "warmup"},
      {"lr_scheduler_type", "schedule"}, {"lr_scheduler", "schedule"},
      {"scheduler", "schedule"},       {"max_grad_norm", "clip"},
      {"grad_clip", "clip"},           {"gradient_clipping", "clip"},
      {"logging_steps", "log_every"},  {"save_steps", "save_every"},
      {"chat_template", "template"},   {"precision", "dtype"},
      {"torch_dtype", "dtype"},        {"finetuning_type", "method"},
  };
  for (const auto& [alias, canonical] : aliases)
    if (alias == name) return &canonical;
  return nullptr;
}

std::vector<std::string> hyperparam_names() {
  std::vector<std::string> out;
  for (const auto& h : hyperparams()) out.push_back(h.name);
  return out;
}

}  // namespace sftx
