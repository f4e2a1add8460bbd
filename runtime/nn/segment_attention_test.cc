#include "runtime/nn/segment_attention.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include "runtime/nn/model.h"

using namespace sftx::rt;

namespace {

// The textbook computation with the dense mask of model.h: softmax(q k^T / sqrt(d) + mask) v, key and
// value heads repeated for grouped-query attention. Returns [B, T, H, d] like segment_attention.
torch::Tensor reference_attention(const torch::Tensor& q, const torch::Tensor& k, const torch::Tensor& v,
                                  const torch::Tensor& segments) {
  const int64_t H = q.size(1), KV = k.size(1), T = q.size(2);
  const auto kr = k.repeat_interleave(H / KV, 1), vr = v.repeat_interleave(H / KV, 1);
  torch::Tensor allowed = segments.defined() ? segment_attention_mask(segments)
                                             : torch::ones({T, T}, torch::kBool).tril().view({1, 1, T, T});
  auto scores = torch::matmul(q, kr.transpose(-2, -1)) / std::sqrt(static_cast<double>(q.size(-1)));
  scores = scores.masked_fill(allowed.logical_not(), -std::numeric_limits<double>::infinity());
  return torch::matmul(torch::softmax(scores, -1), vr).transpose(1, 2);
}

struct Inputs {
  torch::Tensor q, k, v, weight;  // weight: a random cotangent for the backward pass
};

Inputs random_inputs(int64_t B, int64_t H, int64_t KV, int64_t T, int64_t d, torch::ScalarType dtype) {
  auto o = torch::TensorOptions().dtype(dtype);
  // q in [B, T, H, d] memory, transposed, as the model hands it over (strided, not contiguous).
  return {torch::randn({B, T, H, d}, o).transpose(1, 2).requires_grad_(), torch::randn({B, KV, T, d}, o).requires_grad_(),
          torch::randn({B, KV, T, d}, o).requires_grad_(), torch::randn({B, T, H, d}, o)};
}

// Max abs difference of the outputs and of the gradients w.r.t. q, k, v.
std::vector<double> differences(const Inputs& in, const torch::Tensor& segments, int64_t chunk) {
  const int64_t T = in.q.size(2);
  const auto layout = segment_layout(segments, T, in.q.scalar_type(), torch::kCPU, chunk);
  const auto got = segment_attention(in.q, in.k, in.v, layout);
  const auto grads = torch::autograd::grad({(got * in.weight).sum()}, {in.q, in.k, in.v});
  const auto want = reference_attention(in.q, in.k, in.v, segments);
  const auto want_grads = torch::autograd::grad({(want * in.weight).sum()}, {in.q, in.k, in.v});
  std::vector<double> d = {(got - want).abs().max().item<double>()};
  for (int i = 0; i < 3; ++i) d.push_back((grads[i] - want_grads[i]).abs().max().item<double>());
  return d;
}

// Documents of lengths 5, 11, 3, 9 then padding; row 1 reuses id 1 after another document (the
// mask rule joins equal ids) and has padding in the middle.
torch::Tensor packed_segments() {
  std::vector<int64_t> a, b;
  for (int64_t t = 0; t < 37; ++t) a.push_back(t < 5 ? 1 : t < 16 ? 2 : t < 19 ? 3 : t < 28 ? 4 : 0);
  for (int64_t t = 0; t < 37; ++t) b.push_back(t < 12 ? 1 : t < 14 ? 0 : t < 30 ? 2 : 1);
  return torch::stack({torch::tensor(a, torch::kInt64), torch::tensor(b, torch::kInt64)});
}

}  // namespace

TEST_CASE("chunked segment attention equals the dense-mask attention, forward and backward", "[segment_attention]") {
  torch::manual_seed(11);
  const auto segments = packed_segments();
  for (const int64_t chunk : {1, 4, 8, 64}) {  // 37 tokens: chunks that do and do not divide T
    INFO("chunk " << chunk);
    // float32 with grouped-query heads (2 query heads per key/value head)
    for (double diff : differences(random_inputs(2, 4, 2, 37, 8, torch::kFloat32), segments, chunk)) CHECK(diff < 1e-5);
    // float64, one query head per key/value head
    for (double diff : differences(random_inputs(2, 3, 3, 37, 6, torch::kFloat64), segments, chunk)) CHECK(diff < 1e-12);
    // plain causal attention (no segment ids), all query heads on one key/value head
    for (double diff : differences(random_inputs(2, 4, 1, 37, 8, torch::kFloat32), {}, chunk)) CHECK(diff < 1e-5);
  }
}

TEST_CASE("a chunk's key window starts at the earliest segment it touches", "[segment_attention]") {
  // Row 0: documents of 8 tokens; row 1: one document of 16, then documents of 8.
  std::vector<int64_t> a, b;
  for (int64_t t = 0; t < 32; ++t) a.push_back(1 + t / 8);
  for (int64_t t = 0; t < 32; ++t) b.push_back(t < 16 ? 1 : 1 + t / 8);
  const auto layout = segment_layout(torch::stack({torch::tensor(a), torch::tensor(b)}), 32, torch::kFloat32, torch::kCPU, 8);
  CHECK(layout.key_start == std::vector<int64_t>{0, 0, 16, 24});
  // Window [16, 24): its first column is open to every row, the bias starts at the second.
  CHECK(layout.bias_column[2] == 1);
  CHECK(layout.bias[2].sizes().vec() == std::vector<int64_t>{2, 8, 7});
  // Plain causal attention: every window starts at 0, one bias for the whole batch, covering
  // only the columns right of the chunk's first query.
  const auto causal = segment_layout({}, 32, torch::kFloat32, torch::kCPU, 8);
  CHECK(causal.key_start == std::vector<int64_t>{0, 0, 0, 0});
  CHECK(causal.bias_column[3] == 25);
  CHECK(causal.bias[3].sizes().vec() == std::vector<int64_t>{1, 8, 7});
}

TEST_CASE("the mask window is the matching block of the dense mask", "[segment_attention]") {
  const auto segments = packed_segments();
  const auto dense = segment_attention_mask(segments).squeeze(1);
  CHECK(torch::equal(segment_mask_window(segments, 16, 24, 5), dense.narrow(1, 16, 8).narrow(2, 5, 19)));
}
