#include "runtime/nn/sequence_stats.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace sftx::rt {

namespace {

// Right-padded id batch [B, T] and a 0/1 validity mask of the same shape.
std::pair<torch::Tensor, torch::Tensor> right_padded(const std::vector<const std::vector<int64_t>*>& rows) {
  size_t T = 0;
  for (auto* r : rows) T = std::max(T, r->size());
  auto ids = torch::zeros({static_cast<int64_t>(rows.size()), static_cast<int64_t>(T)}, torch::kInt64);
  auto valid = torch::zeros_like(ids);
  for (size_t b = 0; b < rows.size(); ++b) {
    const auto n = static_cast<int64_t>(rows[b]->size());
    if (n == 0) continue;
    ids[static_cast<int64_t>(b)].narrow(0, 0, n).copy_(torch::tensor(*rows[b], torch::kInt64));
    valid[static_cast<int64_t>(b)].narrow(0, 0, n).fill_(1);
  }
  return {ids, valid};
}

}  // namespace

std::vector<std::pair<double, int64_t>> sequence_logprobs(Llama& model, const std::vector<std::vector<int64_t>>& ids,
                                                          const std::vector<std::vector<int64_t>>& masks) {
  torch::NoGradGuard no_grad;
  if (ids.size() != masks.size()) throw std::invalid_argument("sequence_logprobs: ids and masks differ in number");
  std::vector<const std::vector<int64_t>*> rows, mask_rows;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i].size() != masks[i].size())
      throw std::invalid_argument("sequence " + std::to_string(i) + ": mask length " + std::to_string(masks[i].size()) +
                                  " differs from ids length " + std::to_string(ids[i].size()));
    rows.push_back(&ids[i]);
    mask_rows.push_back(&masks[i]);
  }
  std::vector<std::pair<double, int64_t>> out(ids.size(), {0.0, 0});
  if (ids.empty()) return out;
  auto [tokens, valid] = right_padded(rows);
  auto mask = right_padded(mask_rows).first;
  if (tokens.size(1) < 2) return out;
  const auto logits = model->forward(tokens.to(model->device()));
  // Right padding: padding comes after every real token, so causal attention never sees it.
  const auto lp = next_token_logprobs(logits, tokens.to(model->device())).to(torch::kCPU, torch::kFloat64);
  const auto counted = (mask.narrow(1, 1, mask.size(1) - 1) != 0).to(torch::kFloat64);
  const auto sums = (lp * counted).sum(1);
  const auto counts = counted.sum(1);
  for (size_t i = 0; i < ids.size(); ++i)
    out[i] = {sums[static_cast<int64_t>(i)].item<double>(), static_cast<int64_t>(counts[static_cast<int64_t>(i)].item<double>())};
  return out;
}

std::vector<std::vector<float>> mean_hidden_states(Llama& model, const std::vector<std::vector<int64_t>>& prompts,
                                                   int64_t layer) {
  torch::NoGradGuard no_grad;
  const int64_t n_layers = model->config().num_hidden_layers;
  const int64_t index = layer < 0 ? n_layers + 1 + layer : layer;
  if (index < 0 || index > n_layers)
    throw std::invalid_argument("layer " + std::to_string(layer) + " outside 0.." + std::to_string(n_layers) +
                                " (or -1..-" + std::to_string(n_layers + 1) + ")");
  std::vector<const std::vector<int64_t>*> rows;
  for (const auto& p : prompts) {
    if (p.empty()) throw std::invalid_argument("cannot take hidden states of an empty prompt");
    rows.push_back(&p);
  }
  std::vector<std::vector<float>> out;
  if (prompts.empty()) return out;
  auto [tokens, valid] = right_padded(rows);
  std::vector<torch::Tensor> all;
  model->hidden(tokens.to(model->device()), AttentionContext{}, &all);
  const auto h = all[static_cast<size_t>(index)].to(torch::kCPU, torch::kFloat32);  // [B, T, hidden]
  const auto m = valid.to(torch::kFloat32).unsqueeze(-1);
  const auto mean = ((h * m).sum(1) / m.sum(1)).contiguous();
  for (int64_t b = 0; b < mean.size(0); ++b) {
    const float* p = mean[b].data_ptr<float>();
    out.emplace_back(p, p + mean.size(1));
  }
  return out;
}

}  // namespace sftx::rt
