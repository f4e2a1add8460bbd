// Perplexity of a model on a dataset's assistant tokens: each record is rendered with the
// chat template and tokenised (the loss mask marks assistant tokens and their end-of-turn
// marker, exactly what training puts loss on); the worker sums the log-probabilities of the
// masked tokens (rt::token_logprobs); perplexity = exp(-sum logprob / sum tokens).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/data/record.h"
#include "runtime/tokenizer/tokenizer.h"

namespace sftx::rt {

// Writes {"id", "ids", "mask"} per record (records without a masked token are skipped, their
// count returned in "skipped"). Sequences longer than max_len keep their first max_len tokens.
nlohmann::json write_logprob_sequences(const std::vector<Record>& records, const Tokenizer& tokenizer,
                                       const ChatTemplate& chat_template, int64_t max_len, const std::string& out_jsonl);

// From the worker's {"id", "logprob", "tokens"} lines: {"perplexity", "nll_per_token", "tokens"}.
nlohmann::json perplexity_from_logprobs(const std::string& logprobs_jsonl);

// The same lines per record, for per-item analysis: {"id": record index (the number the
// sequence id holds), "answer_nll": -logprob / tokens (null without a scored token),
// "answer_tokens"} to out_jsonl.
void write_answer_nll_per_record(const std::string& logprobs_jsonl, const std::string& out_jsonl);

}  // namespace sftx::rt
