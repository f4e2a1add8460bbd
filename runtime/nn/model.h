// A LLaMA-family decoder in LibTorch, written to be read top to bottom (like llm.c):
// token embedding -> N x [RMSNorm -> grouped-query attention with rotary positions -> residual,
// RMSNorm -> SwiGLU MLP -> residual] -> RMSNorm -> LM head (optionally tied to the embedding).
// Three Hugging Face architectures compute exactly this: LlamaForCausalLM, MistralForCausalLM
// (without a sliding window) and Qwen2ForCausalLM (whose q/k/v projections carry a bias).
//
// Parameter names are exactly Hugging Face's LlamaForCausalLM names
// (`model.embed_tokens.weight`, `model.layers.0.self_attn.q_proj.weight`, ..., `model.norm.weight`,
// `lm_head.weight`), so `named_parameters()` maps 1:1 onto a safetensors checkpoint. With tied
// embeddings there is no `lm_head.weight` parameter (HF omits it from the file too).
//
// Packed blocks: `forward` takes optional segment ids [B, T] (runtime/data/shard.h): a token attends
// only to earlier tokens of the same non-zero segment, and rotary positions restart at 0 at each
// segment start, so a packed block computes exactly what its documents would compute apart.
//
// Dtypes: the code never assumes float64 or float32; it runs with bf16 weights or under autocast.
// RMSNorm, softmax and the loss compute in float32 as HF does.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sftx::rt {

// The fields of a Hugging Face LlamaConfig (MistralConfig, Qwen2Config) that determine the computation.
struct LlamaConfig {
  // "llama", "mistral" or "qwen2": which HF class the checkpoint is (config.json round-trips it).
  std::string model_type = "llama";
  int64_t vocab_size = 32000;
  int64_t hidden_size = 4096;
  int64_t intermediate_size = 11008;
  int64_t num_hidden_layers = 32;
  int64_t num_attention_heads = 32;
  int64_t num_key_value_heads = 32;  // < num_attention_heads: grouped-query attention
  int64_t head_dim = 0;              // 0 = hidden_size / num_attention_heads (HF's default)
  double rms_norm_eps = 1e-6;
  double rope_theta = 10000.0;
  // HF's "linear" RoPE scaling (position interpolation): positions divided by this factor.
  // 1 = plain RoPE. Other rope types are refused when a config is read (hf_config.h).
  double rope_scaling_factor = 1.0;
  int64_t max_position_embeddings = 2048;
  bool attention_qkv_bias = false;  // q/k/v projections have a bias (Qwen2; Llama's attention_bias)
  bool attention_out_bias = false;  // o_proj has a bias (Llama's attention_bias)
  bool tie_word_embeddings = false;
  // Not part of the computation; carried so config.json round-trips and generation finds EOS.
  int64_t bos_token_id = 1;
  int64_t eos_token_id = 2;
  double initializer_range = 0.02;

  int64_t resolved_head_dim() const { return head_dim > 0 ? head_dim : hidden_size / num_attention_heads; }
  // Throws std::invalid_argument naming the inconsistent field (heads not dividing, ...).
  void validate() const;
  // Number of parameters of the model this config builds (tied embeddings counted once).
  int64_t parameter_count() const;
};

// y = x W^T (+ b when built with a bias), W stored [out, in] like nn.Linear. `adapter`, when set,
// adds a branch: y = x W^T + b + adapter(x). LoRA (runtime/nn/lora.h) uses it; the model itself
// never sets it.
class ProjectionImpl : public torch::nn::Module {
 public:
  ProjectionImpl(int64_t in_features, int64_t out_features, bool with_bias = false);
  torch::Tensor forward(const torch::Tensor& x);

  torch::Tensor weight;
  torch::Tensor bias;  // undefined when built without one (LLaMA's projections)
  std::function<torch::Tensor(const torch::Tensor&)> adapter;
};
TORCH_MODULE(Projection);

// x / sqrt(mean(x^2) + eps) * weight, computed in float32 and cast back (as HF's LlamaRMSNorm).
class RMSNormImpl : public torch::nn::Module {
 public:
  RMSNormImpl(int64_t dim, double eps);
  torch::Tensor forward(const torch::Tensor& x);

  torch::Tensor weight;
  double eps;
};
TORCH_MODULE(RMSNorm);

// Per-layer key/value cache for incremental decoding: storage for max_len positions, of which
// the first `length` are filled. Keys are stored after rotary embedding.
struct KVCache {
  std::vector<torch::Tensor> keys;    // per layer [B, kv_heads, max_len, head_dim]
  std::vector<torch::Tensor> values;  // per layer, same shape
  int64_t length = 0;
  int64_t capacity() const { return keys.empty() ? 0 : keys[0].size(2); }
};

struct SegmentLayout;  // runtime/nn/segment_attention.h

// What one forward pass attends with.
//   positions [B, T] int64: rotary position of each query token.
//   segments [B, T]: packed-block segment ids (see LlamaImpl::forward); undefined = one sequence.
//   mask: undefined -> causal attention over the T tokens (within segments when given; no cache);
//         else bool [B, 1, T, S] with S = cache length + T, true = may attend (hidden() hands
//         the layers prepare_attention_mask's form of it, attend.h).
//   layout: set by LlamaImpl::hidden when the chunked attention of segment_attention.h runs
//           (CPU, float32/float64, no mask, no cache); callers leave it null.
struct AttentionContext {
  torch::Tensor positions;
  torch::Tensor segments;
  torch::Tensor mask;
  KVCache* cache = nullptr;  // appended to when set
  const SegmentLayout* layout = nullptr;
};

class AttentionImpl : public torch::nn::Module {
 public:
  explicit AttentionImpl(const LlamaConfig& config);
  // x [B, T, hidden]; cos/sin [B, T, head_dim] for the query positions; layer indexes the cache.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                        const AttentionContext& context, int64_t layer);

  int64_t num_heads, num_kv_heads, head_dim;
  Projection q_proj{nullptr}, k_proj{nullptr}, v_proj{nullptr}, o_proj{nullptr};
};
TORCH_MODULE(Attention);

// down(silu(gate(x)) * up(x))
class MlpImpl : public torch::nn::Module {
 public:
  explicit MlpImpl(const LlamaConfig& config);
  torch::Tensor forward(const torch::Tensor& x);

  Projection gate_proj{nullptr}, up_proj{nullptr}, down_proj{nullptr};
};
TORCH_MODULE(Mlp);

class DecoderLayerImpl : public torch::nn::Module {
 public:
  explicit DecoderLayerImpl(const LlamaConfig& config);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& cos, const torch::Tensor& sin,
                        const AttentionContext& context, int64_t layer);

  RMSNorm input_layernorm{nullptr}, post_attention_layernorm{nullptr};
  Attention self_attn{nullptr};
  Mlp mlp{nullptr};
};
TORCH_MODULE(DecoderLayer);

// HF's LlamaModel: the decoder stack without the LM head (registered as "model").
class LlamaBodyImpl : public torch::nn::Module {
 public:
  explicit LlamaBodyImpl(const LlamaConfig& config);

  torch::nn::Embedding embed_tokens{nullptr};
  std::vector<DecoderLayer> layers;  // registered as "layers.0", "layers.1", ...
  RMSNorm norm{nullptr};
};
TORCH_MODULE(LlamaBody);

// HF's LlamaForCausalLM.
class LlamaImpl : public torch::nn::Module {
 public:
  // Parameters are initialised like HF (normal(0, initializer_range), biases 0, norms 1) from torch's
  // global generator: call torch::manual_seed first for reproducible weights.
  explicit LlamaImpl(const LlamaConfig& config);

  // Logits [B, T, vocab] for token ids [B, T] (int64). segment_ids [B, T] (any integer dtype),
  // when defined, confine attention to each non-zero segment and restart positions per segment;
  // segment 0 (padding) tokens attend only to themselves.
  torch::Tensor forward(const torch::Tensor& ids, const torch::Tensor& segment_ids = {});

  // The general form behind forward and generation: hidden states after the final norm
  // [B, T, hidden]. `all_hidden`, when given, receives HF's output_hidden_states list:
  // [embeddings, after layer 1, ..., after layer N-1, final normed output] (N+1 entries).
  torch::Tensor hidden(const torch::Tensor& ids, const AttentionContext& context,
                       std::vector<torch::Tensor>* all_hidden = nullptr);
  // Final hidden states -> logits.
  torch::Tensor logits(const torch::Tensor& hidden_states);

  // An empty cache for `batch` sequences of up to max_len tokens, on the model's device and dtype.
  KVCache make_cache(int64_t batch, int64_t max_len) const;

  const LlamaConfig& config() const { return config_; }
  torch::Device device() const;
  torch::ScalarType dtype() const;

  LlamaBody model{nullptr};
  Projection lm_head{nullptr};  // null when tie_word_embeddings

 private:
  LlamaConfig config_;
  torch::Tensor inv_freq_;  // [head_dim/2] float32 buffer (not a parameter: not in checkpoints)
};
TORCH_MODULE(Llama);

// Rotary positions from segment ids [B, T]: index within each run of equal segment ids
// (0 at each change), 0 on padding (segment 0).
torch::Tensor positions_from_segments(const torch::Tensor& segment_ids);
// Bool attention mask [B, 1, T, T] for packed blocks: causal, same non-zero segment, plus the
// diagonal so padding rows are never empty (an all-masked softmax row would be NaN).
torch::Tensor segment_attention_mask(const torch::Tensor& segment_ids);

// Masked causal-LM cross-entropy, returned as a sum and a count so gradient accumulation over
// micro-batches of unequal token counts is exact (loss = sum of sums / sum of counts).
// Follows runtime/data/shard.h: position t-1 predicts ids[t] where loss_mask[t] = 1 (and, with
// segment ids, segments[t] == segments[t-1]). Computed in float32 whatever the logits' dtype.
struct LossSum {
  torch::Tensor sum;    // scalar float32, differentiable
  int64_t count = 0;    // number of predicted tokens
  double mean() const { return count ? sum.item<double>() / static_cast<double>(count) : 0.0; }
};
LossSum causal_lm_loss(const torch::Tensor& logits, const torch::Tensor& ids, const torch::Tensor& loss_mask,
                       const torch::Tensor& segment_ids = {});

// Per-token log-probabilities [B, T-1] of ids[:, 1:] under logits[:, :-1] (float32).
torch::Tensor next_token_logprobs(const torch::Tensor& logits, const torch::Tensor& ids);

}  // namespace sftx::rt
