// The narrow API between the interpreter (interpreter/exec) and the runtime.
//
// Plain structs in, files out: every function reads its inputs from files and writes its
// output under a path the caller chooses, so each call is one cacheable graph node. No
// torch type appears here; the interpreter never includes a torch header.
//
// Where each part lives: data functions in runtime/data (sftx_data); build_tokenizer and
// pack_data in runtime/tokenizer (sftx_tokenizer); train, generate, hidden_states and
// token_logprobs in runtime/launch (sftx_launch), which runs them in the `sftx-worker`
// process (worker/, runtime/nn) by writing the request as JSON (runtime/launch/protocol.h);
// evaluate and write_report in runtime/eval (sftx_eval).
//
// Seams kept explicit for what comes later: `Device` (CPU now, CUDA on GPU machines),
// `ProcessGroupSpec` (c10d data parallelism: NCCL, Gloo on CPU), `ProgressFn` (the
// executor's live display; a Slurm executor would forward it).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/base/device.h"

namespace sftx::rt {

// ---------------------------------------------------------------- execution context
// Device and DeviceKind: runtime/base/device.h.

// Data-parallel training group (docs/distributed.md). world_size 1 is a single process; above,
// the driver's launcher (runtime/launch/worker_launcher.h) starts world_size worker processes
// and each finds its own rank in its environment (RANK, ... or SLURM_PROCID, ...), not here.
struct ProcessGroupSpec {
  int rank = 0;                  // unused by the driver: each process's rank comes from its launcher
  int world_size = 1;
  std::string backend = "gloo";  // "nccl" on CUDA
  std::string init_method;       // unused: the rendezvous is MASTER_ADDR:MASTER_PORT (torchrun's)
  // Driver side only (not sent to the worker): which launcher starts the processes; "" = "local"
  // for one, "multi-rank local" above (worker_launcher.h lists the names).
  std::string launcher;
};

struct Progress {
  std::string phase;   // "read", "dedup", "train", "eval", ...
  int64_t done = 0;
  int64_t total = 0;   // 0 when unknown
  std::string detail;  // e.g. "loss 2.31 lr 1.9e-5"
};
using ProgressFn = std::function<void(const Progress&)>;

// An exact ratio. The interpreter computes ratios as exact rationals and checks they fit.
struct Fraction {
  int64_t num = 0;
  int64_t den = 1;
};

// ---------------------------------------------------------------- data (runtime/data)
// Every data function writes Records (runtime/data/record.h) as JSONL to `out_jsonl`.
struct DataStats {
  int64_t records = 0;   // records written
  int64_t removed = 0;   // records a transform dropped
  int64_t skipped = 0;   // malformed lines skipped under on_error = "skip"
  nlohmann::json details = nlohmann::json::object();  // op-specific report (why records went)
};

struct SourceSpec {
  std::string path;               // absolute
  std::string container = "jsonl";  // "jsonl" or "json" (a JSON array)
  std::string format;             // alpaca, sharegpt, messages, gsm8k, humaneval, text
  std::string on_error = "stop";  // or "skip"
  std::string source_name;        // written into Record::source
};
// Throws DataError ("PATH:LINE: what is wrong") on a malformed line unless on_error == "skip".
DataStats read_source(const SourceSpec& spec, const std::string& out_jsonl, const ProgressFn& progress = {});

// kind: math, code, general, pretrain, gsm8k_test, humaneval_test, ifeval_test.
// level: "paper" (default), "micro" or "micro2" (every kind but pretrain; stdlib/synthetic/micro.h).
DataStats generate_synthetic(const std::string& kind, int64_t n, uint64_t seed, const std::string& out_jsonl,
                             const std::string& level = "paper");

// op: filter, dedup, decontaminate, tag, split, take, sample (params as the language gives them,
// keywords by name). inputs[0] is the data; inputs[1..] are further data arguments
// (decontaminate's benchmarks).
DataStats apply_transform(const std::string& op, const nlohmann::json& params,
                          const std::vector<std::string>& inputs_jsonl, const std::string& out_jsonl,
                          uint64_t seed);

// k * d, contract §4: exact counts, deterministic for a seed.
DataStats scale_data(const std::string& in_jsonl, Fraction k, uint64_t seed, const std::string& out_jsonl);
// mix(d1, d2, ...): all records, shuffled with the seed.
DataStats mix_data(const std::vector<std::string>& in_jsonl, uint64_t seed, const std::string& out_jsonl);

// ---------------------------------------------------------------- tokenizer and packing
struct TokenizerSpec {
  std::string model_file;     // an existing SentencePiece .model; empty = train one
  int vocab_size = 2000;      // when training
  std::string model_type = "bpe";
  uint64_t seed = 0;
};
// Writes a SentencePiece model to out_model: copies model_file, or trains on the JSONL inputs.
void build_tokenizer(const TokenizerSpec& spec, const std::vector<std::string>& in_jsonl,
                     const std::string& out_model);

struct PackSpec {
  std::string tokenizer_model;
  std::string chat_template = "vicuna";  // vicuna, llama2, chatml, alpaca, or "model":
  std::string chat_template_dir;         // the checkpoint directory whose template "model" means
  int seq_len = 512;
  bool packed = true;  // false: one document per block, padded
};
struct PackStats {
  int64_t records = 0, blocks = 0, tokens = 0, loss_tokens = 0, truncated = 0;
  int64_t answerless = 0;  // records cut at seq_len before their first supervised token
};
// Tokenises with the template, masks everything but assistant tokens, writes one shard
// (format documented in runtime/data/shard.h) that the trainer memory-maps.
PackStats pack_data(const std::string& in_jsonl, const PackSpec& spec, const std::string& out_shard);

// ---------------------------------------------------------------- training (runtime/nn)
struct ModelSpec {
  std::string preset;   // nano, mini, small (stdlib/presets/*.toml)
  std::string hf_dir;   // or a Hugging Face checkpoint directory (config.json + safetensors)
  nlohmann::json overrides = nlohmann::json::object();  // e.g. {"vocab_size": 2000}
};

struct Method {
  std::string kind = "full";  // full, lora, freeze
  int lora_r = 8;
  double lora_alpha = 16;
  double lora_dropout = 0.0;
  std::vector<std::string> lora_targets = {"q_proj", "v_proj"};
  int freeze_layers = 0;      // freeze: train only the top N decoder layers
};

// The stage hyperparameters the language can set (defaults { }, profiles, with { }).
struct TrainHyper {
  int64_t epochs = 3;
  double lr = 2e-5;
  int64_t batch = 16;            // sequences per optimiser step (global)
  int64_t grad_accum = 1;
  double warmup = 0.03;          // fraction of total steps
  std::string schedule = "cosine";  // cosine, linear, constant
  double weight_decay = 0.0;
  double clip = 1.0;             // max grad norm; 0 = off
  uint64_t seed = 42;
  int64_t max_steps = 0;         // 0 = no cap
  int64_t seq_len = 512;
  std::string dtype = "auto";    // auto (bf16 on CUDA, fp32 on CPU), fp32, bf16
  int64_t log_every = 10;
  int64_t save_every = 100;      // trainer-state checkpoints, for resume
};

struct TrainRequest {
  ModelSpec model;               // architecture (and weights, for hf_dir)
  std::string init_dir;          // parent stage's checkpoint (HF layout); empty = start from `model`
  std::vector<std::string> shards;
  TrainHyper hp;
  Method method;
  Device device;
  ProcessGroupSpec process_group;
  std::string out_dir;           // receives model/ (HF layout), state/ (resume), metrics.jsonl
  // Validation (the worker's val_loss in metrics.jsonl); none = no validation. The driver sends
  // none yet: for requests written by hand.
  std::vector<std::string> val_shards;
  int64_t eval_every = 0;        // steps between validations; 0 = every save_every steps
  ProgressFn progress;
};
struct TrainResult {
  std::string checkpoint_dir;    // out_dir/model: config.json + model.safetensors
  std::string metrics_path;      // out_dir/metrics.jsonl
  int64_t steps = 0;
  int64_t resumed_from_step = 0; // 0 when it started fresh
  double final_loss = 0;
  double tokens_per_second = 0;
};
// Resumes from out_dir/state if a previous attempt left one.
TrainResult train(const TrainRequest& request);

// ---------------------------------------------------------------- worker-side inference
// Prompts are token ids (the driver tokenises; the worker has no SentencePiece).
// prompts_jsonl: one {"id": STRING, "ids": [INT, ...]} per line.
// vocab_json: the tokenizer's pieces, id -> piece, so the worker can detokenise to watch for
// stop strings. out_jsonl: one {"id", "ids", "text", "finish": "stop"|"length"} per prompt.
struct GenerateRequest {
  std::string checkpoint_dir;
  std::string prompts_jsonl;
  std::string vocab_json;
  int64_t max_new_tokens = 256;
  double temperature = 0.0;      // 0 = greedy
  double top_p = 1.0;
  uint64_t seed = 0;
  std::vector<std::string> stop;
  int64_t batch = 16;
  Device device;
  std::string out_jsonl;
  ProgressFn progress;
};
struct GenerateResult {
  std::string out_jsonl;
  int64_t n = 0;                 // prompts
  int64_t generated_tokens = 0;
};
GenerateResult generate(const GenerateRequest& request);

// Sum of log-probabilities of the masked tokens of each sequence, for perplexity.
// sequences_jsonl: {"id", "ids": [...], "mask": [0/1 ...]}; out_jsonl: {"id", "logprob", "tokens"}.
struct LogprobRequest {
  std::string checkpoint_dir;
  std::string sequences_jsonl;
  Device device;
  std::string out_jsonl;
  ProgressFn progress;
};
struct LogprobResult {
  std::string out_jsonl;
  int64_t n = 0;                 // sequences
  double logprob = 0;            // summed over all of them
  int64_t tokens = 0;
};
LogprobResult token_logprobs(const LogprobRequest& request);

// The full float32 logits of each sequence: what a peer implementation (transformers) is compared
// with, token for token (scripts/peers/hf_model_parity.py). No driver function uses it; it is the
// worker's `logits` verb. sequences_jsonl: {"id", "ids": [...]} per line, all of one length T;
// out_bin: raw little-endian float32 [N, T, vocab] in the input's order.
struct LogitsRequest {
  std::string checkpoint_dir;
  std::string sequences_jsonl;
  Device device;
  std::string out_bin;
  ProgressFn progress;
};
struct LogitsResult {
  std::string out_bin;
  std::vector<int64_t> shape;    // [N, T, vocab]
};

// Mean hidden state of layer `layer` over each prompt's tokens (the paper's t-SNE, D1).
// out_jsonl: {"id", "vector": [FLOAT, ...]}.
struct HiddenStatesRequest {
  std::string checkpoint_dir;
  std::string prompts_jsonl;
  int64_t layer = 0;
  Device device;
  std::string out_jsonl;
  ProgressFn progress;
};
struct HiddenStatesResult {
  std::string out_jsonl;
  int64_t n = 0;                 // prompts
  int64_t layer = 0;
  int64_t dim = 0;               // the vectors' length
};
HiddenStatesResult hidden_states(const HiddenStatesRequest& request);

// ---------------------------------------------------------------- evaluation (runtime/eval)
struct EvalRequest {
  std::string metric;            // gsm8k, humaneval, ifeval, perplexity, mtbench, ...
  nlohmann::json params = nlohmann::json::object();  // e.g. {"k": [1], "max_new_tokens": 256}
  std::string checkpoint_dir;    // HF layout
  std::string tokenizer_model;
  std::string chat_template = "vicuna";
  std::string chat_template_dir;  // for chat_template "model" (PackSpec)
  std::string data_jsonl;
  Device device;
  std::string out_dir;           // per-sample outputs
  ProgressFn progress;
};
// Returns {"metric": ..., "scores": {"accuracy": 0.41, ...}, "n": ..., "samples": "PATH"}.
nlohmann::json evaluate(const EvalRequest& request);

// ---------------------------------------------------------------- reports
// table: {"experiment": NAME, "columns": [...], "rows": [{"plan": "dmt(1/4)", "params": {"k": "1/4"},
//         "metrics": {"gsm8k.accuracy": 0.4, ...}}]}. Writes table.md/.csv/.json and, when one
// parameter varies, one PNG plot per metric. Returns the Markdown table.
std::string write_report(const nlohmann::json& table, const std::string& out_dir);

}  // namespace sftx::rt
