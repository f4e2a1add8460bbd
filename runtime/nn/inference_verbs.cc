#include "runtime/nn/inference_verbs.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "runtime/base/atomic_file.h"
#include "runtime/base/jsonl.h"
#include "runtime/nn/detokenizer.h"
#include "runtime/nn/device.h"
#include "runtime/nn/generate.h"
#include "runtime/nn/hf_checkpoint.h"
#include "runtime/nn/sequence_stats.h"

namespace sftx::rt {

namespace {

using nlohmann::json;

std::vector<int64_t> int_list(const JsonlLine& l, const char* key, const std::string& path, int64_t vocab) {
  const auto where = path + ":" + std::to_string(l.line);
  if (!l.value.is_object() || !l.value.contains(key) || !l.value[key].is_array())
    throw std::runtime_error(where + ": expected an object with \"" + key + "\": [integers]");
  std::vector<int64_t> v;
  for (const auto& x : l.value[key]) {
    if (!x.is_number_integer()) throw std::runtime_error(where + ": \"" + key + "\" holds a non-integer " + x.dump());
    const int64_t id = x.get<int64_t>();
    if (vocab > 0 && (id < 0 || id >= vocab))
      throw std::runtime_error(where + ": token id " + std::to_string(id) + " outside the model's vocabulary of " +
                               std::to_string(vocab));
    v.push_back(id);
  }
  return v;
}

json id_of(const JsonlLine& l) { return l.value.is_object() && l.value.contains("id") ? l.value["id"] : json(nullptr); }

void report(const ProgressFn& progress, const char* phase, int64_t done, int64_t total) {
  if (progress) progress(Progress{phase, done, total, ""});
}

// Inference dtype: bf16 on CUDA (as training), float32 on CPU.
Llama load_for_inference(const std::string& dir, const Device& device) {
  const torch::Device dev = to_torch_device(device);
  Llama model = load_hf(dir, dev, dev.is_cuda() ? torch::kBFloat16 : torch::kFloat32);
  model->eval();
  return model;
}

// Groups of indices into `lengths`, sorted by length so a batch pads little, at most `batch`
// sequences and (when > 0) `token_budget` padded tokens each.
std::vector<std::vector<size_t>> length_batches(const std::vector<size_t>& lengths, int64_t batch, int64_t token_budget) {
  std::vector<size_t> order(lengths.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return lengths[a] < lengths[b]; });
  std::vector<std::vector<size_t>> out;
  for (size_t i : order) {
    if (out.empty() || static_cast<int64_t>(out.back().size()) >= std::max<int64_t>(batch, 1) ||
        (token_budget > 0 && static_cast<int64_t>((out.back().size() + 1) * lengths[i]) > token_budget))
      out.emplace_back();
    out.back().push_back(i);
  }
  return out;
}

}  // namespace

GenerateResult run_generate(const GenerateRequest& request) {
  Llama model = load_for_inference(request.checkpoint_dir, request.device);
  const int64_t vocab = model->config().vocab_size;
  const auto lines = read_jsonl_objects(request.prompts_jsonl);
  std::vector<std::vector<int64_t>> prompts;
  for (const auto& l : lines) {
    prompts.push_back(int_list(l, "ids", request.prompts_jsonl, vocab));
    if (prompts.back().empty())
      throw std::runtime_error(request.prompts_jsonl + ":" + std::to_string(l.line) + ": empty prompt");
  }

  Detokenizer detokenizer;
  GenerationOptions options;
  if (!request.vocab_json.empty()) {
    detokenizer = Detokenizer::from_json_file(request.vocab_json);
    options.detokenizer = &detokenizer;
  } else if (!request.stop.empty()) {
    throw std::runtime_error("generate: stop strings given but no vocab_json to detokenise with");
  }
  // The tokenizer that encoded the prompts knows its end-of-sequence id; else the model config's.
  options.eos_ids = {detokenizer.eos_id() >= 0 ? detokenizer.eos_id() : model->config().eos_token_id};
  options.max_new_tokens = request.max_new_tokens;
  options.temperature = request.temperature;
  options.top_p = request.top_p;
  options.seed = request.seed;
  options.stop = request.stop;

  std::vector<size_t> lengths;
  for (const auto& p : prompts) lengths.push_back(p.size());
  std::vector<Generation> results(prompts.size());
  int64_t done = 0, generated = 0;
  report(request.progress, "generate", 0, static_cast<int64_t>(prompts.size()));
  for (const auto& group : length_batches(lengths, request.batch, 0)) {
    std::vector<std::vector<int64_t>> batch;
    std::vector<uint64_t> keys;
    for (size_t i : group) {
      batch.push_back(prompts[i]);
      keys.push_back(i);  // the prompt's line index: its samples do not depend on the batching
    }
    auto gens = generate_batch(model, batch, options, keys);
    for (size_t k = 0; k < group.size(); ++k) {
      generated += static_cast<int64_t>(gens[k].ids.size());
      results[group[k]] = std::move(gens[k]);
    }
    done += static_cast<int64_t>(group.size());
    report(request.progress, "generate", done, static_cast<int64_t>(prompts.size()));
  }

  std::vector<std::string> out;
  for (size_t i = 0; i < lines.size(); ++i)
    out.push_back(jsonl_line(
        json{{"id", id_of(lines[i])}, {"ids", results[i].ids}, {"text", results[i].text}, {"finish", results[i].finish}}));
  write_jsonl_lines(request.out_jsonl, out);
  return {request.out_jsonl, static_cast<int64_t>(lines.size()), generated};
}

LogprobResult run_token_logprobs(const LogprobRequest& request) {
  Llama model = load_for_inference(request.checkpoint_dir, request.device);
  const int64_t vocab = model->config().vocab_size;
  const auto lines = read_jsonl_objects(request.sequences_jsonl);
  std::vector<std::vector<int64_t>> ids, masks;
  std::vector<size_t> lengths;
  for (const auto& l : lines) {
    ids.push_back(int_list(l, "ids", request.sequences_jsonl, vocab));
    masks.push_back(int_list(l, "mask", request.sequences_jsonl, 0));
    if (masks.back().size() != ids.back().size())
      throw std::runtime_error(request.sequences_jsonl + ":" + std::to_string(l.line) + ": \"mask\" has " +
                               std::to_string(masks.back().size()) + " entries for " + std::to_string(ids.back().size()) +
                               " ids");
    lengths.push_back(ids.back().size());
  }
  std::vector<std::pair<double, int64_t>> results(lines.size());
  int64_t done = 0;
  report(request.progress, "logprobs", 0, static_cast<int64_t>(lines.size()));
  for (const auto& group : length_batches(lengths, 64, 8192)) {
    std::vector<std::vector<int64_t>> bi, bm;
    for (size_t i : group) {
      bi.push_back(ids[i]);
      bm.push_back(masks[i]);
    }
    const auto r = sequence_logprobs(model, bi, bm);
    for (size_t k = 0; k < group.size(); ++k) results[group[k]] = r[k];
    done += static_cast<int64_t>(group.size());
    report(request.progress, "logprobs", done, static_cast<int64_t>(lines.size()));
  }
  std::vector<std::string> out;
  double total = 0;
  int64_t tokens = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    out.push_back(jsonl_line(json{{"id", id_of(lines[i])}, {"logprob", results[i].first}, {"tokens", results[i].second}}));
    total += results[i].first;
    tokens += results[i].second;
  }
  write_jsonl_lines(request.out_jsonl, out);
  return {request.out_jsonl, static_cast<int64_t>(lines.size()), total, tokens};
}

HiddenStatesResult run_hidden_states(const HiddenStatesRequest& request) {
  Llama model = load_for_inference(request.checkpoint_dir, request.device);
  const int64_t vocab = model->config().vocab_size;
  const auto lines = read_jsonl_objects(request.prompts_jsonl);
  std::vector<std::vector<int64_t>> prompts;
  std::vector<size_t> lengths;
  for (const auto& l : lines) {
    prompts.push_back(int_list(l, "ids", request.prompts_jsonl, vocab));
    if (prompts.back().empty())
      throw std::runtime_error(request.prompts_jsonl + ":" + std::to_string(l.line) + ": empty prompt");
    lengths.push_back(prompts.back().size());
  }
  std::vector<std::vector<float>> results(lines.size());
  int64_t done = 0;
  report(request.progress, "hidden", 0, static_cast<int64_t>(lines.size()));
  for (const auto& group : length_batches(lengths, 64, 16384)) {
    std::vector<std::vector<int64_t>> batch;
    for (size_t i : group) batch.push_back(prompts[i]);
    auto r = mean_hidden_states(model, batch, request.layer);
    for (size_t k = 0; k < group.size(); ++k) results[group[k]] = std::move(r[k]);
    done += static_cast<int64_t>(group.size());
    report(request.progress, "hidden", done, static_cast<int64_t>(lines.size()));
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < lines.size(); ++i) out.push_back(jsonl_line(json{{"id", id_of(lines[i])}, {"vector", results[i]}}));
  write_jsonl_lines(request.out_jsonl, out);
  return {request.out_jsonl, static_cast<int64_t>(lines.size()), request.layer, model->config().hidden_size};
}

LogitsResult run_logits(const LogitsRequest& request) {
  Llama model = load_for_inference(request.checkpoint_dir, request.device);
  const int64_t vocab = model->config().vocab_size;
  const auto lines = read_jsonl_objects(request.sequences_jsonl);
  std::vector<int64_t> flat;
  int64_t T = -1;
  for (const auto& l : lines) {
    const auto ids = int_list(l, "ids", request.sequences_jsonl, vocab);
    if (T >= 0 && static_cast<int64_t>(ids.size()) != T)
      throw std::runtime_error(request.sequences_jsonl + ":" + std::to_string(l.line) + ": " +
                               std::to_string(ids.size()) + " ids, the first sequence has " + std::to_string(T) +
                               " (logits takes sequences of one length)");
    T = static_cast<int64_t>(ids.size());
    flat.insert(flat.end(), ids.begin(), ids.end());
  }
  if (lines.empty() || T == 0) throw std::runtime_error(request.sequences_jsonl + ": no token ids");
  const int64_t N = static_cast<int64_t>(lines.size());
  report(request.progress, "logits", 0, N);
  torch::NoGradGuard no_grad;
  const auto ids = torch::tensor(flat, torch::kInt64).view({N, T}).to(model->device());
  const auto logits = model->forward(ids).to(torch::kCPU, torch::kFloat32).contiguous();
  report(request.progress, "logits", N, N);

  write_file_atomic(request.out_bin, std::string_view(static_cast<const char*>(logits.data_ptr()),
                                                      static_cast<size_t>(logits.numel()) * 4));
  return {request.out_bin, logits.sizes().vec()};
}

}  // namespace sftx::rt
