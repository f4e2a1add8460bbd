#include "interpreter/exec/plan_status.h"

#include <catch2/catch.hpp>

#include "interpreter/exec/sha256.h"
#include "interpreter/exec/test_support.h"

using namespace sftx;
using namespace sftx::exec;
using sftx::exec::testing::TempDir;
using sftx::exec::testing::write_file;

namespace {

PlanNode node(const std::string& id, const std::string& kind, nlohmann::json params,
              std::vector<std::pair<std::string, std::string>> inputs /* id, key */) {
  PlanNode n;
  n.id = id;
  n.kind = kind;
  n.op = kind == "train" ? "train" : "pack";
  n.params = params;
  std::vector<std::string> keys;
  for (const auto& [in_id, in_key] : inputs) {
    n.inputs.push_back(in_id);
    keys.push_back(in_key);
  }
  n.description = {{"salt", "v1"}, {"kind", kind}, {"op", n.op}, {"params", params}, {"inputs", keys}};
  n.key = sha256_hex(n.description.dump());
  return n;
}

void build(CacheStore& store, const PlanNode& n, nlohmann::json outputs = nlohmann::json::object()) {
  auto lock = store.lock(n.key);
  auto staging = store.make_staging(n.key);
  write_file(staging / "x", n.id);
  StoreRequest r;
  r.key = n.key;
  r.node_id = n.id;
  r.description = n.description;
  r.outputs = outputs;
  store.commit(staging, r);
  store.remember(n.id, n.key, n.description);
}

nlohmann::json hyper(double lr) {
  return {{"model", {{"preset", "nano"}, {"overrides", {{"vocab_size", 2000}}}}},
          {"hyper", {{"lr", lr}, {"epochs", 2}, {"batch", 4}, {"seq_len", 64}, {"max_steps", 0}}}};
}

}  // namespace

TEST_CASE("plan status: cached, new, parameter changed, input changed", "[exec][plan]") {
  TempDir tmp;
  CacheStore store(tmp.path() / "cache");
  PlanNode pack = node("pack(math)", "data", {{"seq_len", 64}}, {});
  PlanNode s1 = node("dmt(1).stage1", "train", hyper(1e-3), {{"pack(math)", pack.key}});
  build(store, pack, {{"blocks", 100}, {"tokens", 6000}});
  build(store, s1);

  PlanGraph g;
  g.nodes = {pack, s1};
  auto st = plan_status(g, store);
  CHECK(st[0].cached);
  CHECK(st[1].cached);
  // 100 blocks * 2 epochs / batch 4 = 50 steps of 4 x 64 tokens
  CHECK(st[1].estimate["tokens"] == 50 * 4 * 64);
  CHECK(st[1].estimate["parameters"] == 982144);
  CHECK(st[1].estimate["flops"].get<double>() == Approx(6.0 * 982144 * 12800));

  SECTION("a changed learning rate is named, with old and new values") {
    PlanNode s1b = node("dmt(1).stage1", "train", hyper(5e-4), {{"pack(math)", pack.key}});
    g.nodes = {pack, s1b};
    auto st2 = plan_status(g, store);
    CHECK_FALSE(st2[1].cached);
    CHECK(st2[1].why == "parameter changed: hyper.lr 0.001 -> 0.0005");
  }
  SECTION("a changed input is named") {
    PlanNode pack2 = node("pack(math)", "data", {{"seq_len", 128}}, {});
    PlanNode s1c = node("dmt(1).stage1", "train", hyper(1e-3), {{"pack(math)", pack2.key}});
    g.nodes = {pack2, s1c};
    auto st3 = plan_status(g, store);
    CHECK(st3[0].why == "parameter changed: seq_len 64 -> 128");
    CHECK(st3[1].why == "input changed: pack(math)");
    CHECK(st3[1].estimate["bound"].is_null());  // no max_steps and no packed data: tokens unknown
    CHECK_FALSE(st3[1].estimate.contains("tokens"));
  }
  SECTION("a truncated object is not cached (sizes are re-checked); a bit flip needs --verify") {
    std::filesystem::resize_file(store.object_dir(pack.key) / "x", 1);
    auto st4 = plan_status(g, store);
    CHECK_FALSE(st4[0].cached);
    CHECK(st4[1].cached);
    write_file(store.object_dir(s1.key) / "x", std::string(s1.id.size(), 'z'));  // same size, other bytes
    CHECK(plan_status(g, store)[1].cached);
    CHECK_FALSE(plan_status(g, store, true)[1].cached);
  }
  SECTION("a node never built is new") {
    PlanNode other = node("other.stage1", "train", hyper(1e-3), {{"pack(math)", "00000000"}});
    g.nodes = {other};
    CHECK(plan_status(g, store)[0].why == "new: never built");
  }
}

TEST_CASE("param_changes lists added and removed leaves", "[exec][plan]") {
  CHECK(param_changes({{"a", 1}}, {{"a", 1}, {"b", "x"}}) == "b (none) -> \"x\"");
  CHECK(param_changes({{"m", {{"r", 8}}}}, {{"m", {{"r", 16}}}}) == "m.r 8 -> 16");
}

TEST_CASE("param_changes names long values by path only", "[exec][plan]") {
  nlohmann::json a = {{"rows", {std::string(64, 'a')}}}, b = {{"rows", {std::string(64, 'b')}}};
  CHECK(param_changes(a, b) == "rows changed");
}
