// Inference for the worker: batched generation with a KV cache (greedy or temperature / top-p
// sampling, EOS, stop strings, max_new_tokens), per-sequence log-probabilities of masked tokens,
// mean hidden states of one layer, and full logits (for parity checks against transformers). The run_* functions read and write the JSONL files named in
// the runtime/api.h requests; sftx-worker's verbs call them.
//
// Batching: prompts are left-padded to a common length. Padding keys are masked out of attention
// and each row's rotary positions start at 0 at its first real token, so a prompt generates the
// same tokens alone or in any batch (up to float rounding in near-ties).
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/api.h"
#include "runtime/nn/model.h"

namespace sftx::rt {

// Turns token ids back into text with the tokenizer's pieces, as SentencePiece decodes: "▁" is a
// space, "<0xAB>" byte pieces are the byte 0xAB, control pieces (<s>, </s>, <pad>) are empty,
// <unk> is " ⁇ ", and one leading space (the dummy prefix) is dropped.
class Detokenizer {
 public:
  Detokenizer() = default;
  // pieces[id] = piece; types[id] in normal, control, unknown, byte, unused (empty: guessed from
  // the piece: <0xNN> is byte, <s> </s> <pad> control, <unk> unknown).
  explicit Detokenizer(std::vector<std::string> pieces, std::vector<std::string> types = {});
  // The tokenizer's pieces_json() ({"pieces": [...], "types": [...], "eos_id": ...}) or a plain
  // JSON array of pieces. Errors name the file. A tokenizer.json vocabulary ("kind": "hf")
  // also carries each token's own bytes ("bytes", hex) and whether decoding drops one leading
  // space ("strip_leading_space"): its text is those bytes, not SentencePiece's pieces.
  static Detokenizer from_json_file(const std::string& path);

  std::string decode(const std::vector<int64_t>& ids) const;
  int64_t size() const { return static_cast<int64_t>(pieces_.size()); }
  int64_t eos_id() const { return eos_id_; }  // -1 when the vocabulary does not say

 private:
  enum class Kind : uint8_t { normal, control, unknown, byte };
  std::vector<std::string> pieces_;
  std::vector<Kind> kinds_;
  std::vector<uint8_t> bytes_;  // the byte of a byte piece
  std::vector<std::string> token_bytes_;  // tokenizer.json: what each token decodes to alone
  bool strip_leading_space_ = true;
  int64_t eos_id_ = -1;
};

struct GenerationOptions {
  int64_t max_new_tokens = 256;
  double temperature = 0.0;  // 0 = greedy
  double top_p = 1.0;
  uint64_t seed = 0;
  std::vector<int64_t> eos_ids;    // generation of a row ends at any of these (not included)
  std::vector<std::string> stop;   // ... or when its text contains one (text cut before it)
  const Detokenizer* detokenizer = nullptr;  // needed for stop strings and for text
  bool use_cache = true;           // false: recompute the whole sequence every step (tests)
};

struct Generation {
  std::vector<int64_t> ids;  // generated tokens (EOS excluded)
  std::string text;          // their text, cut before a stop string ("" without a detokenizer)
  std::string finish;        // "stop" (EOS or stop string) or "length"
};

// Generates for one batch of prompts (each non-empty). sample_keys[i] seeds row i's sampler
// (with options.seed), so a prompt's sample does not depend on its batch; empty = 0, 1, 2, ...
std::vector<Generation> generate_batch(Llama& model, const std::vector<std::vector<int64_t>>& prompts,
                                       const GenerationOptions& options,
                                       const std::vector<uint64_t>& sample_keys = {});

// Sum of log p(ids[t] | ids[<t]) over t >= 1 with mask[t] = 1, for each sequence, batched with
// right padding. Returns (sum, count) per sequence.
std::vector<std::pair<double, int64_t>> sequence_logprobs(Llama& model, const std::vector<std::vector<int64_t>>& ids,
                                                          const std::vector<std::vector<int64_t>>& masks);

// Mean over each prompt's tokens of HF's hidden_states[layer] (0 = embeddings, L = after decoder
// layer L, num_hidden_layers = final normed output; negative counts from the end, -1 = last).
std::vector<std::vector<float>> mean_hidden_states(Llama& model, const std::vector<std::vector<int64_t>>& prompts,
                                                   int64_t layer);

// The file-level verbs (runtime/api.h). Each loads request.checkpoint_dir on request.device,
// writes out_jsonl atomically (temporary + rename) in the input's order, reports progress, and
// returns a summary {"out_jsonl", "n", ...}. Errors name the input file and line.
nlohmann::json run_generate(const GenerateRequest& request);
nlohmann::json run_token_logprobs(const LogprobRequest& request);
nlohmann::json run_hidden_states(const HiddenStatesRequest& request);
// Writes out_bin atomically; returns {"out_bin", "shape": [N, T, vocab]}.
nlohmann::json run_logits(const LogitsRequest& request);

// The torch device for a runtime Device; CUDA requested on a build or machine without it throws.
torch::Device to_torch_device(const Device& device);

}  // namespace sftx::rt
