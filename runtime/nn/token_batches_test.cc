#include "runtime/nn/token_batches.h"

#include <unistd.h>

#include <filesystem>
#include <set>

#include <catch2/catch.hpp>

#include "runtime/nn/model.h"
#include "runtime/nn/testing_math_shard.h"

using namespace sftx::rt;
namespace fs = std::filesystem;

TEST_CASE("the data order is a seeded permutation per epoch, restorable from the step alone", "[batches]") {
  DataOrder order(10, 4, 42);
  CHECK(order.steps_per_epoch() == 3);  // 4 + 4 + 2: the partial batch is kept
  std::vector<uint64_t> epoch0;
  for (int s = 0; s < 3; ++s) {
    auto b = order.step_blocks(s);
    CHECK(b.size() == (s < 2 ? 4u : 2u));
    epoch0.insert(epoch0.end(), b.begin(), b.end());
  }
  CHECK(std::set<uint64_t>(epoch0.begin(), epoch0.end()).size() == 10);  // every block once
  auto epoch1_first = order.step_blocks(3);
  CHECK(order.epoch_of(3) == 1);
  CHECK(order.index_of(4) == 4);
  CHECK(std::vector<uint64_t>(epoch0.begin(), epoch0.begin() + 4) != epoch1_first);  // reshuffled
  DataOrder fresh(10, 4, 42);  // a resumed process asks for step 4 directly
  CHECK(fresh.step_blocks(4) == order.step_blocks(4));
  DataOrder other_seed(10, 4, 43);
  CHECK(other_seed.step_blocks(0) != DataOrder(10, 4, 42).step_blocks(0));
}

TEST_CASE("micro-batches split a step evenly", "[batches]") {
  std::vector<uint64_t> b{1, 2, 3, 4, 5, 6, 7};
  auto parts = split_micro_batches(b, 3);
  REQUIRE(parts.size() == 3);
  CHECK(parts[0] == std::vector<uint64_t>{1, 2, 3});
  CHECK(parts[1] == std::vector<uint64_t>{4, 5});
  CHECK(parts[2] == std::vector<uint64_t>{6, 7});
  CHECK(split_micro_batches({9, 8}, 4).size() == 2);  // never an empty micro-batch
}

TEST_CASE("gathered blocks match the shard and count loss tokens as the loss does", "[batches]") {
  fs::path dir = fs::temp_directory_path() / ("sftx-batches-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  testing::write_math_shard((dir / "a.shard").string(), 3, 32, 1);
  testing::write_math_shard((dir / "b.shard").string(), 2, 32, 2);
  TokenBlocks blocks({(dir / "a.shard").string(), (dir / "b.shard").string()});
  CHECK(blocks.size() == 5);
  CHECK(blocks.seq_len() == 32);
  TokenBatch b = blocks.gather({4, 0});
  ShardReader second((dir / "b.shard").string());
  CHECK(b.ids[0][5].item<int64_t>() == second.tokens(1)[5]);
  CHECK(b.segments[0][5].item<int32_t>() == second.segments(1)[5]);
  // count_loss_tokens agrees with causal_lm_loss's count on the same batch
  auto logits = torch::zeros({2, 32, testing::kMathVocab});
  LossSum ls = causal_lm_loss(logits, b.ids, b.loss_mask, b.segments);
  CHECK(ls.count == b.loss_tokens);
  CHECK(b.loss_tokens > 0);
  CHECK(blocks.loss_tokens({4, 0}) == b.loss_tokens);  // without gathering
  CHECK_THROWS(blocks.loss_tokens({5}));
  CHECK_THROWS(blocks.gather({5}));
  testing::write_math_shard((dir / "c.shard").string(), 1, 16, 3);
  CHECK_THROWS_WITH(TokenBlocks({(dir / "a.shard").string(), (dir / "c.shard").string()}),
                    Catch::Contains("one seq_len"));
  fs::remove_all(dir);
}

TEST_CASE("rank shares cover a step's blocks in order, a rank may get none", "[batches][ddp]") {
  std::vector<uint64_t> step{5, 1, 4, 2, 3};
  CHECK(rank_share(step, 0, 2) == std::vector<uint64_t>{5, 1, 4});
  CHECK(rank_share(step, 1, 2) == std::vector<uint64_t>{2, 3});
  std::vector<uint64_t> joined;
  for (int r = 0; r < 3; ++r) {
    auto part = rank_share(step, r, 3);
    joined.insert(joined.end(), part.begin(), part.end());
  }
  CHECK(joined == step);
  CHECK(rank_share({7}, 1, 2).empty());  // an epoch's short last step
  CHECK(rank_share(step, 0, 1) == step);
  CHECK_THROWS(rank_share(step, 2, 2));
}
