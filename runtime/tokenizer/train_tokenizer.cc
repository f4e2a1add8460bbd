#include "runtime/tokenizer/train_tokenizer.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "runtime/api.h"
#include "runtime/data/record.h"
#include "runtime/base/atomic_file.h"
#include "runtime/tokenizer/tokenizer.h"

namespace sftx::rt {
namespace {

// Streams the non-empty lines of every message of every record, file after file.
class RecordLineIterator : public sentencepiece::SentenceIterator {
 public:
  explicit RecordLineIterator(std::vector<std::string> files) : files_(std::move(files)) { advance(); }
  bool done() const override { return done_; }
  void Next() override { advance(); }
  const std::string& value() const override { return value_; }
  // A malformed record ends the iteration with an error status (SentencePiece reports it),
  // rather than an exception unwinding through SentencePiece's trainer.
  sentencepiece::util::Status status() const override {
    if (error_.empty()) return sentencepiece::util::Status();
    return sentencepiece::util::Status(sentencepiece::util::StatusCode::kInvalidArgument, error_);
  }
  int64_t lines_seen() const { return produced_; }

 private:
  std::vector<std::string> files_;
  size_t file_index_ = 0;
  std::ifstream in_;
  int64_t line_no_ = 0;
  std::vector<std::string> pending_;  // lines of the current record, reversed
  std::string value_;
  bool done_ = false;
  int64_t produced_ = 0;
  std::string error_;

  bool next_record() {
    std::string line;
    while (true) {
      if (!in_.is_open()) {
        if (file_index_ >= files_.size()) return false;
        in_.open(files_[file_index_]);
        if (!in_) throw std::runtime_error(files_[file_index_] + ": cannot open");
        line_no_ = 0;
      }
      if (!std::getline(in_, line)) {
        in_.close();
        ++file_index_;
        continue;
      }
      ++line_no_;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      Record r;
      try {
        r = record_from_json(nlohmann::json::parse(line));
      } catch (const std::exception& e) {
        throw std::runtime_error(files_[file_index_] + ":" + std::to_string(line_no_) + ": " + e.what());
      }
      std::vector<std::string> lines;
      for (const auto& m : r.messages) {
        size_t b = 0;
        while (b <= m.content.size()) {
          size_t e = m.content.find('\n', b);
          if (e == std::string::npos) e = m.content.size();
          if (e > b) lines.push_back(m.content.substr(b, e - b));
          b = e + 1;
        }
      }
      pending_.assign(lines.rbegin(), lines.rend());
      if (!pending_.empty()) return true;
    }
  }

  void advance() {
    try {
      if (pending_.empty() && !next_record()) {
        done_ = true;
        return;
      }
    } catch (const std::exception& e) {
      error_ = e.what();
      done_ = true;
      return;
    }
    value_ = std::move(pending_.back());
    pending_.pop_back();
    ++produced_;
  }
};

}  // namespace

std::string train_sentencepiece(const std::vector<std::string>& inputs, const TokenizerTrainOptions& options) {
  if (options.model_type != "bpe" && options.model_type != "unigram")
    throw std::runtime_error("tokenizer model_type \"" + options.model_type + "\": expected bpe or unigram");
  RecordLineIterator it(inputs);
  if (!it.status().ok()) throw std::runtime_error(it.status().error_message());
  if (it.done()) throw std::runtime_error("tokenizer training: the inputs hold no text");

  const std::unordered_map<std::string, std::string> args = {
      {"model_type", options.model_type},
      {"vocab_size", std::to_string(options.vocab_size)},
      {"character_coverage", "1.0"},
      {"byte_fallback", "true"},
      {"split_digits", "true"},
      {"normalization_rule_name", "identity"},
      {"add_dummy_prefix", "true"},
      {"remove_extra_whitespaces", "false"},
      {"allow_whitespace_only_pieces", "true"},
      {"user_defined_symbols", "<|im_start|>,<|im_end|>"},
      {"unk_id", "0"},
      {"bos_id", "1"},
      {"eos_id", "2"},
      {"pad_id", "3"},
      {"num_threads", "1"},
      {"input_sentence_size", "2000000"},
      {"shuffle_input_sentence", "true"},
      {"max_sentence_length", "16384"},
      {"minloglevel", "2"},
  };
  // The sampler and the unigram EM use SentencePiece's global RNG; seed it for reproducibility.
  sentencepiece::SetRandomGeneratorSeed(static_cast<unsigned int>(options.seed % 0xfffffffeu));
  std::string model;
  const auto st = sentencepiece::SentencePieceTrainer::Train(args, &it, &model);
  if (!st.ok()) throw std::runtime_error("tokenizer training failed: " + st.ToString());
  return model;
}

void build_tokenizer(const TokenizerSpec& spec, const std::vector<std::string>& in_jsonl, const std::string& out_model) {
  std::string bytes;
  if (!spec.model_file.empty()) {
    bytes = Tokenizer::load(spec.model_file).serialized_model();  // validates it is a model
  } else {
    bytes = train_sentencepiece(in_jsonl, {spec.vocab_size, spec.model_type, spec.seed});
  }
  write_file_atomic(out_model, bytes);
}

}  // namespace sftx::rt
