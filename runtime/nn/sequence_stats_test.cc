#include "runtime/nn/sequence_stats.h"

#include <catch2/catch.hpp>

#include "runtime/nn/testing_models.h"

using namespace sftx::rt;

TEST_CASE("log-probs of masked tokens and mean hidden states, batched as alone", "[sequence_stats]") {
  Llama model = testing::peaked_model(14);
  const std::vector<std::vector<int64_t>> seqs = {{1, 5, 9, 3, 7}, {1, 4, 6}};
  const std::vector<std::vector<int64_t>> masks = {{0, 0, 1, 1, 1}, {0, 1, 0}};
  const auto r = sequence_logprobs(model, seqs, masks);
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i < seqs.size(); ++i) {
    const auto logits = model->forward(torch::tensor(seqs[i], torch::kInt64).unsqueeze(0))[0];
    double expected = 0;
    int64_t count = 0;
    for (size_t t = 1; t < seqs[i].size(); ++t)
      if (masks[i][t]) {
        expected += torch::log_softmax(logits[static_cast<int64_t>(t) - 1], 0)[seqs[i][t]].item<double>();
        ++count;
      }
    CHECK(r[i].second == count);
    CHECK(r[i].first == Approx(expected).epsilon(1e-5));
  }
  CHECK(r[0].second == 3);

  const auto hs = mean_hidden_states(model, seqs, 1);
  const auto last = mean_hidden_states(model, seqs, -1);
  for (size_t i = 0; i < seqs.size(); ++i) {
    std::vector<torch::Tensor> all;
    model->hidden(torch::tensor(seqs[i], torch::kInt64).unsqueeze(0), AttentionContext{}, &all);
    REQUIRE(all.size() == 3u);
    const auto expected = all[1][0].mean(0);
    REQUIRE(hs[i].size() == 32u);
    for (int64_t k = 0; k < 32; ++k) CHECK(hs[i][static_cast<size_t>(k)] == Approx(expected[k].item<float>()).margin(1e-5));
    const auto final_mean = all[2][0].mean(0);
    CHECK(last[i][0] == Approx(final_mean[0].item<float>()).margin(1e-5));
  }
  CHECK_THROWS_WITH(mean_hidden_states(model, seqs, 3), Catch::Contains("layer 3"));
}
