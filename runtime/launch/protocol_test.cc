#include "runtime/launch/protocol.h"

#include <catch2/catch.hpp>

using namespace sftx::rt;
using nlohmann::json;

TEST_CASE("a train request survives the JSON round trip field by field", "[protocol]") {
  TrainRequest r;
  r.model.preset = "nano";
  r.model.overrides = {{"vocab_size", 300}};
  r.init_dir = "/cache/parent/model";
  r.shards = {"/a.shard", "/b.shard"};
  r.hp.epochs = 2;
  r.hp.lr = 3e-4;
  r.hp.batch = 8;
  r.hp.grad_accum = 4;
  r.hp.schedule = "linear";
  r.hp.seed = 1234567890123ULL;
  r.hp.max_steps = 77;
  r.method.kind = "lora";
  r.method.lora_r = 4;
  r.method.lora_targets = {"q_proj", "k_proj", "o_proj"};
  r.device.kind = DeviceKind::cuda;
  r.device.index = 1;
  r.out_dir = "/runs/stage1";

  TrainRequest back = train_request_from_json(json::parse(to_json(r).dump()));
  CHECK(back.model.preset == "nano");
  CHECK(back.model.overrides == json{{"vocab_size", 300}});
  CHECK(back.init_dir == r.init_dir);
  CHECK(back.shards == r.shards);
  CHECK(back.hp.epochs == 2);
  CHECK(back.hp.lr == 3e-4);
  CHECK(back.hp.grad_accum == 4);
  CHECK(back.hp.schedule == "linear");
  CHECK(back.hp.seed == 1234567890123ULL);
  CHECK(back.hp.max_steps == 77);
  CHECK(back.method.kind == "lora");
  CHECK(back.method.lora_r == 4);
  CHECK(back.method.lora_targets == r.method.lora_targets);
  CHECK(back.device.kind == DeviceKind::cuda);
  CHECK(back.device.index == 1);
  CHECK(back.out_dir == "/runs/stage1");
  CHECK(to_json(back) == to_json(r));
}

TEST_CASE("absent keys keep the defaults of runtime/api.h", "[protocol]") {
  TrainRequest r = train_request_from_json(json{{"out_dir", "/x"}, {"hp", {{"lr", 1}}}});
  CHECK(r.hp.lr == 1.0);  // an integer is a fine number
  CHECK(r.hp.epochs == TrainHyper{}.epochs);
  CHECK(r.method.kind == "full");
  CHECK(r.device.kind == DeviceKind::cpu);
}

TEST_CASE("wrong types and unknown enums name the key", "[protocol]") {
  auto message = [](const json& j) {
    try {
      train_request_from_json(j);
    } catch (const ProtocolError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(message({{"out_dir", "/x"}, {"hp", {{"lr", "fast"}}}}), Catch::Contains("hp.lr: expected a number"));
  CHECK_THAT(message({{"out_dir", "/x"}, {"hp", {{"epochs", 1.5}}}}), Catch::Contains("hp.epochs: expected an integer"));
  CHECK_THAT(message({{"out_dir", "/x"}, {"method", {{"kind", "qlora"}}}}), Catch::Contains("unknown method 'qlora'"));
  CHECK_THAT(message({{"out_dir", "/x"}, {"device", {{"kind", "tpu"}}}}), Catch::Contains("device.kind"));
  CHECK_THAT(message({{"out_dir", "/x"}, {"shards", {1, 2}}}), Catch::Contains("shards: expected a list of strings"));
  CHECK_THAT(message({{"hp", json::object()}}), Catch::Contains("out_dir: missing"));
}

TEST_CASE("inference requests and results round-trip", "[protocol]") {
  GenerateRequest g;
  g.checkpoint_dir = "/m";
  g.prompts_jsonl = "/p.jsonl";
  g.vocab_json = "/v.json";
  g.max_new_tokens = 12;
  g.temperature = 0.7;
  g.top_p = 0.9;
  g.stop = {"</s>", "\n\n"};
  g.out_jsonl = "/o.jsonl";
  CHECK(to_json(generate_request_from_json(to_json(g))) == to_json(g));

  LogprobRequest l;
  l.checkpoint_dir = "/m";
  l.sequences_jsonl = "/s.jsonl";
  l.out_jsonl = "/o.jsonl";
  CHECK(to_json(logprob_request_from_json(to_json(l))) == to_json(l));

  HiddenStatesRequest h;
  h.checkpoint_dir = "/m";
  h.layer = 3;
  h.out_jsonl = "/o.jsonl";
  CHECK(hidden_states_request_from_json(to_json(h)).layer == 3);

  LogitsRequest lg;
  lg.checkpoint_dir = "/m";
  lg.sequences_jsonl = "/s.jsonl";
  lg.device.kind = DeviceKind::cuda;
  lg.out_bin = "/o.bin";
  CHECK(to_json(logits_request_from_json(to_json(lg))) == to_json(lg));
  CHECK_THROWS_WITH(logits_request_from_json({{"out_bin", 3}}), Catch::Contains("out_bin"));

  TrainResult t{"/o/model", "/o/metrics.jsonl", 120, 100, 1.25, 5000.5};
  TrainResult tb = train_result_from_json(to_json(t));
  CHECK(tb.steps == 120);
  CHECK(tb.resumed_from_step == 100);
  CHECK(tb.final_loss == 1.25);
  CHECK(to_json(tb) == to_json(t));

  Progress p{"train", 3, 10, "loss 2.0"};
  CHECK(to_json(progress_from_json(to_json(p))) == to_json(p));
}
