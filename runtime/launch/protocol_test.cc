#include "runtime/launch/protocol.h"

#include <catch2/catch.hpp>

using namespace sftx::rt;
using nlohmann::json;

namespace {

// Every field of every struct set away from its default, so a field the table drops or
// mislabels cannot pass the round trip by accident.
TrainRequest full_train_request() {
  TrainRequest r;
  r.model.preset = "nano";
  r.model.hf_dir = "/hf/llama";
  r.model.overrides = {{"vocab_size", 300}};
  r.init_dir = "/cache/parent/model";
  r.shards = {"/a.shard", "/b.shard"};
  r.hp.epochs = 2;
  r.hp.lr = 3e-4;
  r.hp.batch = 8;
  r.hp.grad_accum = 4;
  r.hp.warmup = 0.25;
  r.hp.schedule = "linear";
  r.hp.weight_decay = 0.1;
  r.hp.clip = 0.5;
  r.hp.seed = 1234567890123ULL;
  r.hp.max_steps = 77;
  r.hp.seq_len = 128;
  r.hp.dtype = "bf16";
  r.hp.log_every = 3;
  r.hp.save_every = 9;
  r.method.kind = "lora";
  r.method.lora_r = 4;
  r.method.lora_alpha = 12.5;
  r.method.lora_dropout = 0.05;
  r.method.lora_targets = {"q_proj", "k_proj", "o_proj"};
  r.method.freeze_layers = 2;
  r.device.kind = DeviceKind::cuda;
  r.device.index = 1;
  r.process_group = {3, 4, "nccl", "tcp://host:29500"};
  r.out_dir = "/runs/stage1";
  r.val_shards = {"/v.shard"};
  r.eval_every = 25;
  return r;
}

template <class S>
std::string refusal(const json& j) {
  try {
    from_json<S>(j);
  } catch (const ProtocolError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("a train request survives the JSON round trip field by field", "[protocol]") {
  const TrainRequest r = full_train_request();
  const TrainRequest back = from_json<TrainRequest>(json::parse(to_json(r).dump()));
  CHECK(back.model.preset == "nano");
  CHECK(back.model.hf_dir == "/hf/llama");
  CHECK(back.model.overrides == json{{"vocab_size", 300}});
  CHECK(back.init_dir == r.init_dir);
  CHECK(back.shards == r.shards);
  CHECK(back.hp.epochs == 2);
  CHECK(back.hp.lr == 3e-4);
  CHECK(back.hp.batch == 8);
  CHECK(back.hp.grad_accum == 4);
  CHECK(back.hp.warmup == 0.25);
  CHECK(back.hp.schedule == "linear");
  CHECK(back.hp.weight_decay == 0.1);
  CHECK(back.hp.clip == 0.5);
  CHECK(back.hp.seed == 1234567890123ULL);
  CHECK(back.hp.max_steps == 77);
  CHECK(back.hp.seq_len == 128);
  CHECK(back.hp.dtype == "bf16");
  CHECK(back.hp.log_every == 3);
  CHECK(back.hp.save_every == 9);
  CHECK(back.method.kind == "lora");
  CHECK(back.method.lora_r == 4);
  CHECK(back.method.lora_alpha == 12.5);
  CHECK(back.method.lora_dropout == 0.05);
  CHECK(back.method.lora_targets == r.method.lora_targets);
  CHECK(back.method.freeze_layers == 2);
  CHECK(back.device.kind == DeviceKind::cuda);
  CHECK(back.device.index == 1);
  CHECK(back.process_group.rank == 3);
  CHECK(back.process_group.world_size == 4);
  CHECK(back.process_group.backend == "nccl");
  CHECK(back.process_group.init_method == "tcp://host:29500");
  CHECK(back.out_dir == "/runs/stage1");
  CHECK(back.val_shards == r.val_shards);
  CHECK(back.eval_every == 25);
  CHECK(to_json(back) == to_json(r));
}

TEST_CASE("every request and result round-trips, and each message carries the protocol version", "[protocol]") {
  GenerateRequest g;
  g.checkpoint_dir = "/m";
  g.prompts_jsonl = "/p.jsonl";
  g.vocab_json = "/v.json";
  g.max_new_tokens = 12;
  g.temperature = 0.7;
  g.top_p = 0.9;
  g.seed = 5;
  g.stop = {"</s>", "\n\n"};
  g.batch = 3;
  g.device.kind = DeviceKind::cuda;
  g.out_jsonl = "/o.jsonl";
  CHECK(to_json(from_json<GenerateRequest>(to_json(g))) == to_json(g));
  CHECK(to_json(g)["protocol_version"] == kProtocolVersion);

  LogprobRequest l;
  l.checkpoint_dir = "/m";
  l.sequences_jsonl = "/s.jsonl";
  l.device.index = 2;
  l.out_jsonl = "/o.jsonl";
  CHECK(to_json(from_json<LogprobRequest>(to_json(l))) == to_json(l));

  HiddenStatesRequest h;
  h.checkpoint_dir = "/m";
  h.prompts_jsonl = "/p.jsonl";
  h.layer = -3;
  h.out_jsonl = "/o.jsonl";
  CHECK(from_json<HiddenStatesRequest>(to_json(h)).layer == -3);
  CHECK(to_json(from_json<HiddenStatesRequest>(to_json(h))) == to_json(h));

  LogitsRequest lg;
  lg.checkpoint_dir = "/m";
  lg.sequences_jsonl = "/s.jsonl";
  lg.device.kind = DeviceKind::cuda;
  lg.out_bin = "/o.bin";
  CHECK(to_json(from_json<LogitsRequest>(to_json(lg))) == to_json(lg));

  const TrainResult t{"/o/model", "/o/metrics.jsonl", 120, 100, 1.25, 5000.5};
  const TrainResult tb = from_json<TrainResult>(to_json(t));
  CHECK(tb.steps == 120);
  CHECK(tb.resumed_from_step == 100);
  CHECK(tb.final_loss == 1.25);
  CHECK(to_json(tb) == to_json(t));

  const GenerateResult gr{"/o.jsonl", 7, 91};
  CHECK(from_json<GenerateResult>(to_json(gr)).generated_tokens == 91);
  CHECK(to_json(from_json<GenerateResult>(to_json(gr))) == to_json(gr));
  const LogprobResult lr{"/o.jsonl", 4, -12.5, 40};
  CHECK(to_json(from_json<LogprobResult>(to_json(lr))) == to_json(lr));
  const HiddenStatesResult hr{"/o.jsonl", 4, 2, 64};
  CHECK(to_json(from_json<HiddenStatesResult>(to_json(hr))) == to_json(hr));
  const LogitsResult lgr{"/o.bin", {2, 5, 300}};
  CHECK(from_json<LogitsResult>(to_json(lgr)).shape == lgr.shape);
  CHECK(to_json(from_json<LogitsResult>(to_json(lgr))) == to_json(lgr));

  const Progress p{"train", 3, 10, "loss 2.0"};
  CHECK(to_json(from_json<Progress>(to_json(p))) == to_json(p));
  CHECK(to_json(p)["protocol_version"] == kProtocolVersion);

  // Nested structs carry no version of their own.
  CHECK_FALSE(to_json(full_train_request())["hp"].contains("protocol_version"));
  CHECK(to_json(full_train_request())["protocol_version"] == kProtocolVersion);
}

TEST_CASE("optional fields may be left out and keep the defaults of runtime/api.h", "[protocol]") {
  json j = to_json(full_train_request());
  for (const char* key : {"init_dir", "method", "device", "process_group", "val_shards", "eval_every"}) j.erase(key);
  j["hp"]["lr"] = 1;  // an integer is a fine number
  const TrainRequest r = from_json<TrainRequest>(j);
  CHECK(r.hp.lr == 1.0);
  CHECK(r.init_dir.empty());
  CHECK(r.method.kind == Method{}.kind);
  CHECK(r.device.kind == DeviceKind::cpu);
  CHECK(r.process_group.world_size == 1);
  CHECK(r.val_shards.empty());

  // A generate request written by hand: the paths, nothing else.
  const GenerateRequest g = from_json<GenerateRequest>(
      {{"protocol_version", kProtocolVersion}, {"checkpoint_dir", "/m"}, {"prompts_jsonl", "/p"}, {"out_jsonl", "/o"}});
  CHECK(g.max_new_tokens == GenerateRequest{}.max_new_tokens);
  CHECK(g.batch == GenerateRequest{}.batch);
}

TEST_CASE("an unknown key is refused, naming the struct and the key", "[protocol]") {
  json j = to_json(full_train_request());
  j["hp"]["learning_rate"] = 0.1;
  const std::string msg = refusal<TrainRequest>(j);
  CHECK_THAT(msg, Catch::Contains("hp.learning_rate: unknown key of TrainHyper"));
  CHECK_THAT(msg, Catch::Contains("its keys: epochs, lr,"));

  json top = to_json(full_train_request());
  top["val_shard"] = json::array();
  CHECK_THAT(refusal<TrainRequest>(top), Catch::Contains("val_shard: unknown key of TrainRequest"));

  json result = to_json(TrainResult{});
  result["loss"] = 1.0;
  CHECK_THAT(refusal<TrainResult>(result), Catch::Contains("loss: unknown key of TrainResult"));
}

TEST_CASE("a missing required key is refused, naming the struct and the key", "[protocol]") {
  json j = to_json(full_train_request());
  j.erase("out_dir");
  CHECK_THAT(refusal<TrainRequest>(j), Catch::Contains("out_dir: missing (TrainRequest requires it)"));
  json h = to_json(full_train_request());
  h["hp"].erase("seq_len");
  CHECK_THAT(refusal<TrainRequest>(h), Catch::Contains("hp.seq_len: missing (TrainHyper requires it)"));
  json m = to_json(full_train_request());
  m["method"].erase("kind");
  CHECK_THAT(refusal<TrainRequest>(m), Catch::Contains("method.kind: missing (Method requires it)"));
  json g = to_json(LogitsRequest{});
  g.erase("out_bin");
  CHECK_THAT(refusal<LogitsRequest>(g), Catch::Contains("out_bin: missing (LogitsRequest requires it)"));
  json p = to_json(Progress{"train", 1, 2, ""});
  p.erase("done");
  CHECK_THAT(refusal<Progress>(p), Catch::Contains("progress.done: missing (Progress requires it)"));
}

TEST_CASE("a value of the wrong type or an unknown enum is refused, naming the key", "[protocol]") {
  auto with = [](const std::string& path, const json& value) {
    json j = to_json(full_train_request());
    const auto dot = path.find('.');
    if (dot == std::string::npos) j[path] = value;
    else j[path.substr(0, dot)][path.substr(dot + 1)] = value;
    return refusal<TrainRequest>(j);
  };
  CHECK_THAT(with("hp.lr", "fast"), Catch::Contains("hp.lr: expected a number, got \"fast\" (TrainHyper.lr)"));
  CHECK_THAT(with("hp.epochs", 1.5), Catch::Contains("hp.epochs: expected an integer"));
  CHECK_THAT(with("hp.seed", -1), Catch::Contains("hp.seed: expected a non-negative integer"));
  CHECK_THAT(with("shards", json{1, 2}), Catch::Contains("shards: expected a list of strings"));
  CHECK_THAT(with("model.overrides", json::array()), Catch::Contains("model.overrides: expected an object"));
  CHECK_THAT(with("hp", 3), Catch::Contains("hp: expected an object, got 3 (TrainRequest.hp)"));
  CHECK_THAT(with("method.kind", "qlora"), Catch::Contains("method.kind: unknown method 'qlora'"));
  CHECK_THAT(with("device.kind", "tpu"), Catch::Contains("device.kind: unknown device 'tpu' (expected cpu or cuda)"));
  CHECK_THAT(with("out_dir", ""), Catch::Contains("out_dir: empty"));
  CHECK_THAT(refusal<TrainRequest>(json::array()), Catch::Contains("expected a TrainRequest object"));
}

TEST_CASE("a message of another protocol version is refused, naming both versions", "[protocol]") {
  json j = to_json(full_train_request());
  j["protocol_version"] = kProtocolVersion - 1;
  const std::string msg = refusal<TrainRequest>(j);
  CHECK_THAT(msg, Catch::Contains("TrainRequest of protocol version " + std::to_string(kProtocolVersion - 1)));
  CHECK_THAT(msg, Catch::Contains("this program speaks version " + std::to_string(kProtocolVersion)));

  json result = to_json(TrainResult{});
  result["protocol_version"] = kProtocolVersion + 1;
  CHECK_THAT(refusal<TrainResult>(result), Catch::Contains("TrainResult of protocol version " +
                                                           std::to_string(kProtocolVersion + 1)));

  json unversioned = to_json(full_train_request());
  unversioned.erase("protocol_version");  // what a build before versions wrote
  CHECK_THAT(refusal<TrainRequest>(unversioned), Catch::Contains("protocol_version: missing (TrainRequest requires it"));
  CHECK_THAT(refusal<TrainRequest>(unversioned), Catch::Contains("speaks protocol version " + std::to_string(kProtocolVersion)));

  // A nested struct may not carry one.
  json nested = to_json(full_train_request());
  nested["hp"]["protocol_version"] = kProtocolVersion;
  CHECK_THAT(refusal<TrainRequest>(nested), Catch::Contains("hp.protocol_version: unknown key of TrainHyper"));
}
