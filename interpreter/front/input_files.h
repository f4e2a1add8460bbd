// The files a program names — data files, Hugging Face checkpoints, tokenizer models — checked
// at `sftx check`, so that a wrong path, an incomplete checkpoint or a tokenizer that does not
// fit its model is an error at the call that names it, with a fix, instead of a failure after
// minutes of work. Only the file system and small JSON/protobuf headers are read here: the
// front end links neither SentencePiece nor torch.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "grammar/diagnostics.h"
#include "interpreter/front/config.h"

namespace sftx {

// What is wrong with an input, as one error: its message, notes and helps.
struct InputProblem {
  std::string message;
  std::vector<std::string> notes;
  std::vector<std::string> helps;
};

// Adds the problem's notes and helps to a diagnostic made from its message.
Diagnostic& attach(Diagnostic& d, const InputProblem& p);

// jsonl(path), json(path), sentencepiece(path): `file` (absolute) must exist and be a regular
// file (not a FIFO, a device or a directory). `written` is the path as written, `what` says what
// it is ("data file"); for a missing file the help names the closest file of the same directory,
// spelled the way the user wrote theirs.
std::optional<InputProblem> input_file_problem(const std::filesystem::path& file, const std::string& written,
                                               const std::string& what);

// hf(...): `dir` must be a directory holding config.json, safetensors weights (model.safetensors
// or model.safetensors.index.json) and a tokenizer (tokenizer.json or tokenizer.model). `written`
// is the argument, `config` the sftx.toml read (may be null), whose [models] names a missing
// name is compared with.
std::optional<InputProblem> hf_checkpoint_problem(const std::filesystem::path& dir, const std::string& written,
                                                  const ProjectConfig* config);

// How many token ids a tokenizer file defines: tokenizer.json (1 + the largest id of
// model.vocab and added_tokens) or a SentencePiece .model (its pieces). nullopt, with *why, when
// the file cannot be read as one.
std::optional<long long> tokenizer_file_size(const std::filesystem::path& file, std::string* why);

// config.json's vocab_size (32000, transformers' LlamaConfig default, when absent); nullopt
// with *why when the file is unreadable or not a JSON object.
std::optional<long long> hf_config_vocab_size(const std::filesystem::path& config_json, std::string* why);

// A checkpoint whose tokenizer has ids beyond config.json's vocab_size (they would index past
// the embedding); a larger vocab_size is common (rows padded for speed) and fine.
std::optional<InputProblem> hf_vocab_problem(const std::filesystem::path& dir, const std::string& tokenizer_file);

// template = "model": why a checkpoint directory has no chat template (neither
// chat_template.jinja nor a "chat_template" in tokenizer_config.json), naming the files but not
// the directory; empty when it has one. Whether
// the template itself parses is found when data is packed (runtime/data/jinja/).
std::string hf_chat_template_problem(const std::filesystem::path& dir);

// lora(targets = [...]): a target that names no projection of the model.
std::optional<InputProblem> lora_target_problem(const std::string& target);

}  // namespace sftx
