// The LLaMA decoder (see model.h for the shape of the whole). Read top to bottom: config checks,
// the building blocks (projection, RMSNorm, rotary embedding, attention, MLP, decoder layer), the
// model, then the packed-block helpers and the loss.
#include "runtime/nn/model.h"

#include <torch/version.h>

#include "runtime/nn/segment_attention.h"

#include <cmath>
#include <stdexcept>
#include <string>

#include "runtime/nn/attend.h"
#include "runtime/nn/fused_elementwise.h"

namespace sftx::rt {

// ---------------------------------------------------------------- config
void LlamaConfig::validate() const {
  auto positive = [](int64_t v, const char* name) {
    if (v <= 0) throw std::invalid_argument(std::string("model config: ") + name + " must be > 0, got " + std::to_string(v));
  };
  positive(vocab_size, "vocab_size");
  positive(hidden_size, "hidden_size");
  positive(intermediate_size, "intermediate_size");
  positive(num_hidden_layers, "num_hidden_layers");
  positive(num_attention_heads, "num_attention_heads");
  positive(num_key_value_heads, "num_key_value_heads");
  positive(max_position_embeddings, "max_position_embeddings");
  if (head_dim == 0 && hidden_size % num_attention_heads != 0)
    throw std::invalid_argument("model config: hidden_size " + std::to_string(hidden_size) +
                                " is not divisible by num_attention_heads " + std::to_string(num_attention_heads));
  if (num_attention_heads % num_key_value_heads != 0)
    throw std::invalid_argument("model config: num_attention_heads " + std::to_string(num_attention_heads) +
                                " is not a multiple of num_key_value_heads " + std::to_string(num_key_value_heads));
  if (resolved_head_dim() % 2 != 0)
    throw std::invalid_argument("model config: head dimension " + std::to_string(resolved_head_dim()) +
                                " must be even for rotary embeddings");
  if (!(rms_norm_eps > 0)) throw std::invalid_argument("model config: rms_norm_eps must be > 0");
  if (!(rope_theta > 0)) throw std::invalid_argument("model config: rope_theta must be > 0");
  if (!(rope_scaling_factor >= 1))
    throw std::invalid_argument("model config: rope scaling factor must be >= 1, got " + std::to_string(rope_scaling_factor));
  if (model_type != "llama" && model_type != "mistral" && model_type != "qwen2")
    throw std::invalid_argument("model config: model_type \"" + model_type + "\" is not llama, mistral or qwen2");
  // Which biases each HF class can express: Llama's attention_bias is all four projections or
  // none, Qwen2 has q/k/v biases and no o_proj bias, Mistral has none.
  const bool expressible = model_type == "llama"   ? attention_qkv_bias == attention_out_bias
                           : model_type == "qwen2" ? attention_qkv_bias && !attention_out_bias
                                                   : !attention_qkv_bias && !attention_out_bias;
  if (!expressible)
    throw std::invalid_argument("model config: " + model_type + " cannot have " +
                                (attention_qkv_bias ? "q/k/v biases" : "no q/k/v biases") + " with " +
                                (attention_out_bias ? "an o_proj bias" : "no o_proj bias"));
}

int64_t LlamaConfig::parameter_count() const {
  const int64_t h = hidden_size, d = resolved_head_dim();
  int64_t attention = h * (num_attention_heads * d) * 2 + h * (num_key_value_heads * d) * 2;
  if (attention_qkv_bias) attention += (num_attention_heads + 2 * num_key_value_heads) * d;
  if (attention_out_bias) attention += h;
  const int64_t mlp = 3 * h * intermediate_size;
  const int64_t layer = attention + mlp + 2 * h;  // + two RMSNorm weights
  const int64_t embeddings = vocab_size * h * (tie_word_embeddings ? 1 : 2);
  return embeddings + num_hidden_layers * layer + h;  // + final norm
}

// ---------------------------------------------------------------- building blocks
ProjectionImpl::ProjectionImpl(int64_t in_features, int64_t out_features, bool with_bias) {
  weight = register_parameter("weight", torch::empty({out_features, in_features}));
  if (with_bias) bias = register_parameter("bias", torch::zeros({out_features}));
}

torch::Tensor ProjectionImpl::forward(const torch::Tensor& x) {
  torch::Tensor y = torch::nn::functional::linear(x, weight, bias);
  if (adapter) y = y + adapter(x);
  return y;
}

RMSNormImpl::RMSNormImpl(int64_t dim, double eps_) : eps(eps_) {
  weight = register_parameter("weight", torch::ones({dim}));
}

torch::Tensor RMSNormImpl::forward(const torch::Tensor& x) { return rms_norm(x, weight, eps); }

AttentionImpl::AttentionImpl(const LlamaConfig& config)
    : num_heads(config.num_attention_heads),
      num_kv_heads(config.num_key_value_heads),
      head_dim(config.resolved_head_dim()) {
  const int64_t h = config.hidden_size;
  const bool qkv_bias = config.attention_qkv_bias;
  q_proj = register_module("q_proj", Projection(h, num_heads * head_dim, qkv_bias));
  k_proj = register_module("k_proj", Projection(h, num_kv_heads * head_dim, qkv_bias));
  v_proj = register_module("v_proj", Projection(h, num_kv_heads * head_dim, qkv_bias));
  o_proj = register_module("o_proj", Projection(num_heads * head_dim, h, config.attention_out_bias));
}

torch::Tensor AttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                                     const AttentionContext& context, int64_t layer) {
  const int64_t B = x.size(0), T = x.size(1);
  torch::Tensor q = q_proj(x).view({B, T, num_heads, head_dim}).transpose(1, 2);
  torch::Tensor k = k_proj(x).view({B, T, num_kv_heads, head_dim}).transpose(1, 2);
  torch::Tensor v = v_proj(x).view({B, T, num_kv_heads, head_dim}).transpose(1, 2);
  // Tables in q's dtype: under autocast q and k are bf16 while the residual stream (and so the
  // tables) is float32; multiplying would promote them and lose the fused bf16 attention kernels.
  q = rotary(q, cos.to(q.scalar_type()), sin.to(q.scalar_type()));
  k = rotary(k, cos.to(k.scalar_type()), sin.to(k.scalar_type()));

  if (context.cache) {  // append this step's keys and values, attend over everything so far
    KVCache& cache = *context.cache;
    const int64_t past = cache.length;
    if (past + T > cache.capacity())
      throw std::runtime_error("KV cache overflow: " + std::to_string(past + T) + " positions, capacity " +
                               std::to_string(cache.capacity()));
    cache.keys[layer].narrow(2, past, T).copy_(k);
    cache.values[layer].narrow(2, past, T).copy_(v);
    k = cache.keys[layer].narrow(2, 0, past + T).to(q.scalar_type());
    v = cache.values[layer].narrow(2, 0, past + T).to(q.scalar_type());
  }

  if (context.layout && !context.cache)  // chunked, within segments, [B, T, heads, d]
    return o_proj(segment_attention(q, k, v, *context.layout).view({B, T, num_heads * head_dim}));
  // Grouped-query heads go to attend() unrepeated (it pairs them as HF's repeat_kv does).
  torch::Tensor out = attend(q, k, v, context.mask);
  return o_proj(out.transpose(1, 2).reshape({B, T, num_heads * head_dim}));
}

MlpImpl::MlpImpl(const LlamaConfig& config) {
  gate_proj = register_module("gate_proj", Projection(config.hidden_size, config.intermediate_size));
  up_proj = register_module("up_proj", Projection(config.hidden_size, config.intermediate_size));
  down_proj = register_module("down_proj", Projection(config.intermediate_size, config.hidden_size));
}

torch::Tensor MlpImpl::forward(const torch::Tensor& x) {
  return down_proj(silu_mul(gate_proj(x), up_proj(x)));
}

DecoderLayerImpl::DecoderLayerImpl(const LlamaConfig& config) {
  self_attn = register_module("self_attn", Attention(config));
  mlp = register_module("mlp", Mlp(config));
  input_layernorm = register_module("input_layernorm", RMSNorm(config.hidden_size, config.rms_norm_eps));
  post_attention_layernorm =
      register_module("post_attention_layernorm", RMSNorm(config.hidden_size, config.rms_norm_eps));
}

torch::Tensor DecoderLayerImpl::forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                                        const AttentionContext& context, int64_t layer) {
  torch::Tensor h = x + self_attn->forward(input_layernorm(x), cos, sin, context, layer);
  return h + mlp(post_attention_layernorm(h));
}

// ---------------------------------------------------------------- the model
LlamaBodyImpl::LlamaBodyImpl(const LlamaConfig& config) {
  embed_tokens = register_module("embed_tokens", torch::nn::Embedding(config.vocab_size, config.hidden_size));
  torch::nn::ModuleList list;  // children "0", "1", ... give HF's names "layers.0.self_attn..."
  for (int64_t i = 0; i < config.num_hidden_layers; ++i) {
    layers.push_back(DecoderLayer(config));
    list->push_back(layers.back());
  }
  register_module("layers", list);
  norm = register_module("norm", RMSNorm(config.hidden_size, config.rms_norm_eps));
}

LlamaImpl::LlamaImpl(const LlamaConfig& config) : config_(config) {
  config_.validate();
  model = register_module("model", LlamaBody(config_));
  if (!config_.tie_word_embeddings)
    lm_head = register_module("lm_head", Projection(config_.hidden_size, config_.vocab_size));

  // HF's _init_weights: normal(0, initializer_range) for linear and embedding weights; biases 0
  // (as constructed); norms 1.
  torch::NoGradGuard no_grad;
  for (auto& p : named_parameters()) {
    const std::string& name = p.key();
    const bool is_bias = name.size() >= 5 && name.compare(name.size() - 5, 5, ".bias") == 0;
    if (name.find("norm") != std::string::npos || is_bias) continue;
    p.value().normal_(0.0, config_.initializer_range);
  }

  // inv_freq[i] = theta^(-2i/d), float32 as HF; a buffer so .to(device) moves it, but it is
  // derived from the config and never saved. Linear RoPE scaling divides it by the factor, which
  // is the same as dividing every position by it (HF's "linear" rope type does exactly this).
  const int64_t d = config_.resolved_head_dim();
  torch::Tensor inv_freq =
      1.0 / torch::pow(config_.rope_theta, torch::arange(0, d, 2, torch::kInt64).to(torch::kFloat32) / d);
  if (config_.rope_scaling_factor != 1.0) inv_freq = inv_freq / config_.rope_scaling_factor;
  inv_freq_ = register_buffer("inv_freq", inv_freq);
}

torch::Device LlamaImpl::device() const { return model->embed_tokens->weight.device(); }
torch::ScalarType LlamaImpl::dtype() const { return model->embed_tokens->weight.scalar_type(); }

torch::Tensor LlamaImpl::forward(const torch::Tensor& ids, const torch::Tensor& segment_ids) {
  AttentionContext context;
  if (segment_ids.defined()) {
    context.positions = positions_from_segments(segment_ids);
    context.segments = segment_ids;
  }
  return logits(hidden(ids, context));
}

torch::Tensor LlamaImpl::hidden(const torch::Tensor& ids, const AttentionContext& context,
                                std::vector<torch::Tensor>* all_hidden) {
  TORCH_CHECK(ids.dim() == 2, "token ids must be [batch, time], got ", ids.sizes());
  const int64_t B = ids.size(0), T = ids.size(1);
  torch::Tensor positions = context.positions;
  if (!positions.defined()) {
    const int64_t start = context.cache ? context.cache->length : 0;
    positions = torch::arange(start, start + T, torch::TensorOptions().dtype(torch::kInt64).device(ids.device()))
                    .unsqueeze(0)
                    .expand({B, T});
  }

  torch::Tensor h = model->embed_tokens(ids);

  // Rotary tables for these positions: angle = position * inv_freq, duplicated over both halves
  // (HF's cat(freqs, freqs) layout, which rotate_half pairs with). Float32, then h's dtype.
  torch::Tensor angles = positions.to(torch::kFloat32).unsqueeze(-1) * inv_freq_.to(h.device());
  angles = torch::cat({angles, angles}, -1);
  const torch::Tensor cos = angles.cos().to(h.scalar_type());
  const torch::Tensor sin = angles.sin().to(h.scalar_type());

  // Attention without a cache or an explicit mask: on the CPU in float32/float64 the chunked
  // kernel (segment_attention.h), its layout built once for all layers; elsewhere the fused
  // kernels of torch 2 (SDPA), given a dense mask only for packed blocks.
  AttentionContext layer_context = context;
  SegmentLayout layout;
  if (!context.mask.defined() && !context.cache) {
    // Off: measured ~10% slower than the masked-GEMM path at nano 256x8, 512x16 and 1024x8
    // (LibTorch 1.13's CPU bmm makes one OpenBLAS call per batch entry; bench/RESULTS.md), which
    // has since gained the causal key skipping too (attend_gemm). Kept, tested, for its memory:
    // nothing T x T is kept for the backward pass.
    constexpr bool kChunkedOnCpu = false;
    const bool chunked = kChunkedOnCpu && ids.device().is_cpu() &&
                         (h.scalar_type() == torch::kFloat32 || h.scalar_type() == torch::kFloat64) &&
                         (TORCH_VERSION_MAJOR < 2 || context.segments.defined());
    if (chunked) {
      layout = segment_layout(context.segments, T, h.scalar_type(), h.device());
      layer_context.layout = &layout;
    } else if (context.segments.defined()) {
      layer_context.mask = segment_attention_mask(context.segments);
    }
  }

  // Once per forward, in the form attend() is fastest with (the additive one on LibTorch 1.13).
  layer_context.mask = prepare_attention_mask(layer_context.mask, h.scalar_type());

  const int64_t n = static_cast<int64_t>(model->layers.size());
  if (all_hidden) all_hidden->push_back(h);
  for (int64_t i = 0; i < n; ++i) {
    h = model->layers[i]->forward(h, cos, sin, layer_context, i);
    if (all_hidden && i + 1 < n) all_hidden->push_back(h);
  }
  h = model->norm(h);
  if (all_hidden) all_hidden->push_back(h);
  if (context.cache) context.cache->length += T;
  return h;
}

torch::Tensor LlamaImpl::logits(const torch::Tensor& hidden_states) {
  if (config_.tie_word_embeddings) return torch::nn::functional::linear(hidden_states, model->embed_tokens->weight);
  return lm_head(hidden_states);
}

KVCache LlamaImpl::make_cache(int64_t batch, int64_t max_len) const {
  KVCache cache;
  const auto options = model->embed_tokens->weight.options().requires_grad(false);
  const int64_t kv = config_.num_key_value_heads, d = config_.resolved_head_dim();
  for (int64_t i = 0; i < config_.num_hidden_layers; ++i) {
    cache.keys.push_back(torch::zeros({batch, kv, max_len, d}, options));
    cache.values.push_back(torch::zeros({batch, kv, max_len, d}, options));
  }
  return cache;
}

// ---------------------------------------------------------------- packed blocks
torch::Tensor positions_from_segments(const torch::Tensor& segment_ids) {
  const auto seg = segment_ids.to(torch::kInt64);
  const int64_t T = seg.size(1);
  const auto index = torch::arange(T, seg.options()).unsqueeze(0).expand_as(seg);
  // A run starts at t = 0 or where the segment id changes; position = t - start of its run.
  torch::Tensor starts = torch::ones_like(seg, torch::kBool);
  if (T > 1) starts.narrow(1, 1, T - 1).copy_(seg.narrow(1, 1, T - 1) != seg.narrow(1, 0, T - 1));
  const auto run_start = std::get<0>(torch::cummax(torch::where(starts, index, torch::zeros_like(index)), 1));
  return torch::where(seg == 0, torch::zeros_like(index), index - run_start);
}

torch::Tensor segment_attention_mask(const torch::Tensor& segment_ids) {
  return segment_mask_window(segment_ids, 0, segment_ids.size(1), 0).unsqueeze(1);
}

// ---------------------------------------------------------------- loss
LossSum causal_lm_loss(const torch::Tensor& logits, const torch::Tensor& ids, const torch::Tensor& loss_mask,
                       const torch::Tensor& segment_ids) {
  const int64_t T = ids.size(1);
  TORCH_CHECK(logits.size(1) == T, "logits and ids disagree on sequence length");
  TORCH_CHECK(logits.size(0) == ids.size(0), "logits and ids disagree on batch size");
  LossSum out;
  if (T < 2) {
    out.sum = logits.sum().to(torch::kFloat32) * 0;
    return out;
  }
  const auto target = ids.narrow(1, 1, T - 1).to(torch::kInt64);
  torch::Tensor counted = loss_mask.narrow(1, 1, T - 1) != 0;
  if (segment_ids.defined())
    counted = counted & (segment_ids.narrow(1, 1, T - 1) == segment_ids.narrow(1, 0, T - 1));
  // Labels for every position, the last one ignored, so the logits go to the loss as they are:
  // the shifted view logits[:, :-1] would be copied (it is not contiguous), and so would its
  // gradient.
  torch::Tensor labels = torch::full({ids.size(0), T}, -100, target.options());
  labels.narrow(1, 0, T - 1).copy_(torch::where(counted, target, torch::full_like(target, -100)));
  out.sum = cross_entropy_sum(logits, labels);
  out.count = counted.sum().item<int64_t>();
  return out;
}

torch::Tensor next_token_logprobs(const torch::Tensor& logits, const torch::Tensor& ids) {
  const int64_t T = ids.size(1);
  const auto lp = torch::log_softmax(logits.narrow(1, 0, T - 1).to(torch::kFloat32), -1);
  return lp.gather(-1, ids.narrow(1, 1, T - 1).to(torch::kInt64).unsqueeze(-1)).squeeze(-1);
}

}  // namespace sftx::rt
