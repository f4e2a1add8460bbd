#include "runtime/nn/generate.h"

#include <algorithm>
#include <stdexcept>

#include "runtime/nn/sampling.h"

namespace sftx::rt {

std::vector<Generation> generate_batch(Llama& model, const std::vector<std::vector<int64_t>>& prompts,
                                       const GenerationOptions& options, const std::vector<uint64_t>& sample_keys) {
  // Inference mode, not just no-grad: tensors made here skip autograd's version counters and
  // view tracking, a per-operator cost that a small model's decode step is mostly made of.
  c10::InferenceMode inference;
  const int64_t B = static_cast<int64_t>(prompts.size());
  std::vector<Generation> out(static_cast<size_t>(B));
  if (B == 0) return out;
  if (!options.stop.empty() && !options.detokenizer)
    throw std::invalid_argument("stop strings need the vocabulary (vocab_json) to detokenise");
  int64_t prompt_len = 0;
  for (const auto& p : prompts) {
    if (p.empty()) throw std::invalid_argument("cannot generate from an empty prompt");
    prompt_len = std::max<int64_t>(prompt_len, static_cast<int64_t>(p.size()));
  }
  const int64_t N = std::max<int64_t>(options.max_new_tokens, 0);
  const int64_t total = prompt_len + N;

  // Left padding: row b's prompt ends at column prompt_len - 1; columns before it are padding,
  // never attended to; positions count from the row's first real token.
  auto tokens = torch::zeros({B, total}, torch::kInt64);
  auto valid = torch::zeros({B, total}, torch::kBool);
  auto positions = torch::zeros({B, total}, torch::kInt64);
  for (int64_t b = 0; b < B; ++b) {
    const auto& p = prompts[static_cast<size_t>(b)];
    const int64_t offset = prompt_len - static_cast<int64_t>(p.size());
    tokens[b].narrow(0, offset, static_cast<int64_t>(p.size())).copy_(torch::tensor(p, torch::kInt64));
    valid[b].narrow(0, offset, total - offset).fill_(true);
    positions[b].narrow(0, offset, total - offset).copy_(torch::arange(total - offset, torch::kInt64));
  }
  const torch::Device device = model->device();
  tokens = tokens.to(device);
  valid = valid.to(device);
  positions = positions.to(device);

  std::vector<std::mt19937_64> rngs;
  for (int64_t b = 0; b < B; ++b) {
    const uint64_t key = sample_keys.empty() ? static_cast<uint64_t>(b) : sample_keys.at(static_cast<size_t>(b));
    rngs.push_back(row_sampler(options.seed, key));
  }
  // The rows still generating, as prompt indices: row j of tokens, valid, positions and the cache
  // is prompt rows[j]. Finished rows are dropped from all of them (compact below), so a batch
  // whose rows end early stops paying for them.
  std::vector<int64_t> rows;
  if (N > 0)
    for (int64_t b = 0; b < B; ++b) rows.push_back(b);
  std::vector<bool> cut_at_stop(static_cast<size_t>(B), false);  // text already set, ending before a stop string
  size_t longest_stop = 0;
  for (const auto& s : options.stop) longest_stop = std::max(longest_stop, s.size());

  KVCache cache;  // allocated once for the whole generation: prompt_len + N positions
  if (options.use_cache) cache = model->make_cache(B, total);
  const auto index_options = torch::TensorOptions().dtype(torch::kInt64).device(device);

  for (int64_t step = 0; step < N && !rows.empty(); ++step) {
    const int64_t active = static_cast<int64_t>(rows.size());
    const int64_t length = prompt_len + step;  // tokens in the sequences so far
    // Queries: the whole prompt first (prefill), then only the newest token, whose keys and values
    // before it are cached. Without the cache: the whole sequence every step.
    const bool decode = options.use_cache && step > 0;
    const int64_t start = decode ? length - 1 : 0;
    const int64_t count = length - start;
    AttentionContext context;
    context.positions = positions.narrow(1, start, count);
    if (decode) {
      // The newest token may attend to every real token so far, itself included (its own column
      // is valid): the causal and self terms below are all true for it.
      context.mask = valid.narrow(1, 0, length).unsqueeze(1).unsqueeze(1);  // [rows, 1, 1, length]
    } else {
      const auto keys = torch::arange(length, index_options);
      const auto queries = torch::arange(start, length, index_options);
      const auto causal = keys.unsqueeze(0) <= queries.unsqueeze(1);  // [count, length]
      const auto self = keys.unsqueeze(0) == queries.unsqueeze(1);
      context.mask = ((valid.narrow(1, 0, length).unsqueeze(1) & causal.unsqueeze(0)) | self.unsqueeze(0)).unsqueeze(1);
    }
    context.cache = options.use_cache ? &cache : nullptr;
    const auto hidden = model->hidden(tokens.narrow(1, start, count), context);
    const auto logits = model->logits(hidden.select(1, count - 1)).to(torch::kFloat32);  // [rows, V]

    std::vector<int64_t> next(static_cast<size_t>(active));
    if (options.temperature <= 0) {
      const auto argmax = logits.argmax(-1).to(torch::kCPU).contiguous();
      std::copy_n(argmax.data_ptr<int64_t>(), active, next.begin());
    } else {
      torch::Tensor probs = torch::softmax(logits / options.temperature, -1), order;
      if (options.top_p < 1.0) {  // sort on the device (fast for large vocabularies), stable for ties
        auto sorted = probs.sort(/*stable=*/true, /*dim=*/-1, /*descending=*/true);
        probs = std::get<0>(sorted);
        order = std::get<1>(sorted).to(torch::kCPU).contiguous();
      }
      probs = probs.to(torch::kCPU).contiguous();
      const int64_t V = probs.size(1);
      for (int64_t j = 0; j < active; ++j)
        next[static_cast<size_t>(j)] =
            sample_row(probs.data_ptr<float>() + j * V, order.defined() ? order.data_ptr<int64_t>() + j * V : nullptr, V,
                       options.top_p, rngs[static_cast<size_t>(rows[static_cast<size_t>(j)])]);
    }
    tokens.select(1, length).copy_(torch::tensor(next, torch::kInt64));

    std::vector<int64_t> keep;  // batch rows that go on generating
    for (int64_t j = 0; j < active; ++j) {
      const auto i = static_cast<size_t>(rows[static_cast<size_t>(j)]);
      Generation& g = out[i];
      const int64_t id = next[static_cast<size_t>(j)];
      if (std::find(options.eos_ids.begin(), options.eos_ids.end(), id) != options.eos_ids.end()) {
        g.finish = "stop";
        continue;
      }
      g.ids.push_back(id);
      if (longest_stop > 0) {
        const std::string text = options.detokenizer->decode(g.ids);
        size_t cut = std::string::npos;
        const size_t from = text.size() > longest_stop + 64 ? text.size() - longest_stop - 64 : 0;
        for (const auto& s : options.stop)
          if (!s.empty()) cut = std::min(cut, text.find(s, from));
        if (cut != std::string::npos) {
          g.text = text.substr(0, cut);
          g.finish = "stop";
          cut_at_stop[i] = true;
          continue;
        }
      }
      if (static_cast<int64_t>(g.ids.size()) >= N) {
        g.finish = "length";
        continue;
      }
      keep.push_back(j);
    }
    if (static_cast<int64_t>(keep.size()) < active && !keep.empty()) {
      // Compact: one copy of the cache per finished step, against every later step's attention,
      // MLP and LM head computing rows nobody reads.
      const auto index = torch::tensor(keep, torch::kInt64).to(device);
      tokens = tokens.index_select(0, index);
      valid = valid.index_select(0, index);
      positions = positions.index_select(0, index);
      for (auto& k : cache.keys) k = k.index_select(0, index);
      for (auto& v : cache.values) v = v.index_select(0, index);
      std::vector<int64_t> kept;
      for (int64_t j : keep) kept.push_back(rows[static_cast<size_t>(j)]);
      rows = std::move(kept);
    } else if (keep.empty()) {
      rows.clear();
    }
  }
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i].finish.empty()) out[i].finish = "length";  // max_new_tokens == 0
    if (options.detokenizer && !cut_at_stop[i]) out[i].text = options.detokenizer->decode(out[i].ids);
  }
  return out;
}

}  // namespace sftx::rt
