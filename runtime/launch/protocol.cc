#include "runtime/launch/protocol.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include <fmt/core.h>

namespace sftx::rt {
namespace {

using nlohmann::json;

// Reads optional, typed keys of one JSON object; errors name the full key path.
class Fields {
 public:
  Fields(const json& j, std::string where) : j_(j), where_(std::move(where)) {
    if (!j_.is_object())
      throw ProtocolError(fmt::format("{}: expected an object, got {}", name(), j_.dump()));
  }
  template <class T>
  void get(const char* key, T& out) const {
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) return;  // absent: keep the default
    check_type<T>(key, *it);
    out = it->template get<T>();
  }
  const json* find(const char* key) const {
    auto it = j_.find(key);
    return it == j_.end() || it->is_null() ? nullptr : &*it;
  }
  std::string path(const char* key) const { return where_.empty() ? key : where_ + "." + key; }

 private:
  std::string name() const { return where_.empty() ? "request" : where_; }
  template <class T>
  void check_type(const char* key, const json& v) const {
    bool ok;
    const char* want;
    if constexpr (std::is_same_v<T, bool>) {
      ok = v.is_boolean(), want = "a boolean";
    } else if constexpr (std::is_integral_v<T>) {
      ok = v.is_number_integer(), want = "an integer";
    } else if constexpr (std::is_floating_point_v<T>) {
      ok = v.is_number(), want = "a number";
    } else if constexpr (std::is_same_v<T, std::string>) {
      ok = v.is_string(), want = "a string";
    } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
      ok = v.is_array();
      for (const auto& e : v) ok = ok && e.is_string();
      want = "a list of strings";
    } else {
      ok = true, want = "";
    }
    if (!ok) throw ProtocolError(fmt::format("{}: expected {}, got {}", path(key), want, v.dump()));
  }
  const json& j_;
  std::string where_;
};

std::string device_name(DeviceKind k) { return k == DeviceKind::cuda ? "cuda" : "cpu"; }

}  // namespace

// ---------------------------------------------------------------- to_json
json to_json(const Device& d) { return {{"kind", device_name(d.kind)}, {"index", d.index}}; }

json to_json(const ProcessGroupSpec& p) {
  return {{"rank", p.rank}, {"world_size", p.world_size}, {"backend", p.backend}, {"init_method", p.init_method}};
}

json to_json(const Progress& p) {
  return {{"phase", p.phase}, {"done", p.done}, {"total", p.total}, {"detail", p.detail}};
}

json to_json(const ModelSpec& m) {
  return {{"preset", m.preset}, {"hf_dir", m.hf_dir}, {"overrides", m.overrides}};
}

json to_json(const Method& m) {
  return {{"kind", m.kind},
          {"lora_r", m.lora_r},
          {"lora_alpha", m.lora_alpha},
          {"lora_dropout", m.lora_dropout},
          {"lora_targets", m.lora_targets},
          {"freeze_layers", m.freeze_layers}};
}

json to_json(const TrainHyper& h) {
  return {{"epochs", h.epochs},     {"lr", h.lr},         {"batch", h.batch},
          {"grad_accum", h.grad_accum}, {"warmup", h.warmup}, {"schedule", h.schedule},
          {"weight_decay", h.weight_decay}, {"clip", h.clip}, {"seed", h.seed},
          {"max_steps", h.max_steps}, {"seq_len", h.seq_len}, {"dtype", h.dtype},
          {"log_every", h.log_every}, {"save_every", h.save_every}};
}

json to_json(const TrainRequest& r) {
  return {{"model", to_json(r.model)},   {"init_dir", r.init_dir},
          {"shards", r.shards},          {"hp", to_json(r.hp)},
          {"method", to_json(r.method)}, {"device", to_json(r.device)},
          {"process_group", to_json(r.process_group)}, {"out_dir", r.out_dir}};
}

json to_json(const TrainResult& r) {
  return {{"checkpoint_dir", r.checkpoint_dir}, {"metrics_path", r.metrics_path},
          {"steps", r.steps},                   {"resumed_from_step", r.resumed_from_step},
          {"final_loss", r.final_loss},         {"tokens_per_second", r.tokens_per_second}};
}

json to_json(const GenerateRequest& r) {
  return {{"checkpoint_dir", r.checkpoint_dir}, {"prompts_jsonl", r.prompts_jsonl},
          {"vocab_json", r.vocab_json},         {"max_new_tokens", r.max_new_tokens},
          {"temperature", r.temperature},       {"top_p", r.top_p},
          {"seed", r.seed},                     {"stop", r.stop},
          {"batch", r.batch},                   {"device", to_json(r.device)},
          {"out_jsonl", r.out_jsonl}};
}

json to_json(const LogprobRequest& r) {
  return {{"checkpoint_dir", r.checkpoint_dir}, {"sequences_jsonl", r.sequences_jsonl},
          {"device", to_json(r.device)}, {"out_jsonl", r.out_jsonl}};
}

json to_json(const HiddenStatesRequest& r) {
  return {{"checkpoint_dir", r.checkpoint_dir}, {"prompts_jsonl", r.prompts_jsonl},
          {"layer", r.layer}, {"device", to_json(r.device)}, {"out_jsonl", r.out_jsonl}};
}

json to_json(const LogitsRequest& r) {
  return {{"checkpoint_dir", r.checkpoint_dir}, {"sequences_jsonl", r.sequences_jsonl},
          {"device", to_json(r.device)}, {"out_bin", r.out_bin}};
}

// ---------------------------------------------------------------- from_json
namespace {

Device device_at(const json& j, const std::string& where) {
  Fields f(j, where);
  Device d;
  std::string kind = "cpu";
  f.get("kind", kind);
  if (kind == "cpu") d.kind = DeviceKind::cpu;
  else if (kind == "cuda") d.kind = DeviceKind::cuda;
  else throw ProtocolError(fmt::format("{}: unknown device '{}' (expected cpu or cuda)", f.path("kind"), kind));
  f.get("index", d.index);
  return d;
}

Device sub_device(const Fields& f) {
  const json* d = f.find("device");
  return d ? device_at(*d, f.path("device")) : Device{};
}

ProcessGroupSpec process_group_at(const json& j, const std::string& where) {
  Fields f(j, where);
  ProcessGroupSpec p;
  f.get("rank", p.rank);
  f.get("world_size", p.world_size);
  f.get("backend", p.backend);
  f.get("init_method", p.init_method);
  return p;
}

ModelSpec model_spec_at(const json& j, const std::string& where) {
  Fields f(j, where);
  ModelSpec m;
  f.get("preset", m.preset);
  f.get("hf_dir", m.hf_dir);
  if (const json* o = f.find("overrides")) {
    if (!o->is_object())
      throw ProtocolError(fmt::format("{}: expected an object, got {}", f.path("overrides"), o->dump()));
    m.overrides = *o;
  }
  return m;
}

Method method_at(const json& j, const std::string& where) {
  Fields f(j, where);
  Method m;
  f.get("kind", m.kind);
  f.get("lora_r", m.lora_r);
  f.get("lora_alpha", m.lora_alpha);
  f.get("lora_dropout", m.lora_dropout);
  f.get("lora_targets", m.lora_targets);
  f.get("freeze_layers", m.freeze_layers);
  if (m.kind != "full" && m.kind != "lora" && m.kind != "freeze")
    throw ProtocolError(fmt::format("{}: unknown method '{}' (expected full, lora or freeze)", f.path("kind"), m.kind));
  return m;
}

TrainHyper train_hyper_at(const json& j, const std::string& where) {
  Fields f(j, where);
  TrainHyper h;
  f.get("epochs", h.epochs);
  f.get("lr", h.lr);
  f.get("batch", h.batch);
  f.get("grad_accum", h.grad_accum);
  f.get("warmup", h.warmup);
  f.get("schedule", h.schedule);
  f.get("weight_decay", h.weight_decay);
  f.get("clip", h.clip);
  f.get("seed", h.seed);
  f.get("max_steps", h.max_steps);
  f.get("seq_len", h.seq_len);
  f.get("dtype", h.dtype);
  f.get("log_every", h.log_every);
  f.get("save_every", h.save_every);
  return h;
}

}  // namespace

Device device_from_json(const json& j) { return device_at(j, "device"); }
ProcessGroupSpec process_group_from_json(const json& j) { return process_group_at(j, "process_group"); }
ModelSpec model_spec_from_json(const json& j) { return model_spec_at(j, "model"); }
Method method_from_json(const json& j) { return method_at(j, "method"); }
TrainHyper train_hyper_from_json(const json& j) { return train_hyper_at(j, "hp"); }

Progress progress_from_json(const json& j) {
  Fields f(j, "progress");
  Progress p;
  f.get("phase", p.phase);
  f.get("done", p.done);
  f.get("total", p.total);
  f.get("detail", p.detail);
  return p;
}

TrainRequest train_request_from_json(const json& j) {
  Fields f(j, "");
  TrainRequest r;
  if (const json* m = f.find("model")) r.model = model_spec_at(*m, "model");
  f.get("init_dir", r.init_dir);
  f.get("shards", r.shards);
  if (const json* h = f.find("hp")) r.hp = train_hyper_at(*h, "hp");
  if (const json* m = f.find("method")) r.method = method_at(*m, "method");
  r.device = sub_device(f);
  if (const json* p = f.find("process_group")) r.process_group = process_group_at(*p, "process_group");
  f.get("out_dir", r.out_dir);
  if (r.out_dir.empty()) throw ProtocolError("out_dir: missing (every train request needs an output directory)");
  return r;
}

TrainResult train_result_from_json(const json& j) {
  Fields f(j, "result");
  TrainResult r;
  f.get("checkpoint_dir", r.checkpoint_dir);
  f.get("metrics_path", r.metrics_path);
  f.get("steps", r.steps);
  f.get("resumed_from_step", r.resumed_from_step);
  f.get("final_loss", r.final_loss);
  f.get("tokens_per_second", r.tokens_per_second);
  return r;
}

GenerateRequest generate_request_from_json(const json& j) {
  Fields f(j, "");
  GenerateRequest r;
  f.get("checkpoint_dir", r.checkpoint_dir);
  f.get("prompts_jsonl", r.prompts_jsonl);
  f.get("vocab_json", r.vocab_json);
  f.get("max_new_tokens", r.max_new_tokens);
  f.get("temperature", r.temperature);
  f.get("top_p", r.top_p);
  f.get("seed", r.seed);
  f.get("stop", r.stop);
  f.get("batch", r.batch);
  r.device = sub_device(f);
  f.get("out_jsonl", r.out_jsonl);
  return r;
}

LogprobRequest logprob_request_from_json(const json& j) {
  Fields f(j, "");
  LogprobRequest r;
  f.get("checkpoint_dir", r.checkpoint_dir);
  f.get("sequences_jsonl", r.sequences_jsonl);
  r.device = sub_device(f);
  f.get("out_jsonl", r.out_jsonl);
  return r;
}

HiddenStatesRequest hidden_states_request_from_json(const json& j) {
  Fields f(j, "");
  HiddenStatesRequest r;
  f.get("checkpoint_dir", r.checkpoint_dir);
  f.get("prompts_jsonl", r.prompts_jsonl);
  f.get("layer", r.layer);
  r.device = sub_device(f);
  f.get("out_jsonl", r.out_jsonl);
  return r;
}

LogitsRequest logits_request_from_json(const json& j) {
  Fields f(j, "");
  LogitsRequest r;
  f.get("checkpoint_dir", r.checkpoint_dir);
  f.get("sequences_jsonl", r.sequences_jsonl);
  r.device = sub_device(f);
  f.get("out_bin", r.out_bin);
  return r;
}

// ---------------------------------------------------------------- files
json read_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ProtocolError(fmt::format("{}: cannot open request file", path));
  std::stringstream ss;
  ss << in.rdbuf();
  try {
    return json::parse(ss.str());
  } catch (const json::parse_error& e) {
    throw ProtocolError(fmt::format("{}: not valid JSON (byte {}): {}", path, e.byte, e.what()));
  }
}

void write_json_file(const std::string& path, const json& j) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) throw ProtocolError(fmt::format("{}: cannot write", tmp));
    out << j.dump(2) << "\n";
    if (!out.flush()) throw ProtocolError(fmt::format("{}: write failed", tmp));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw ProtocolError(fmt::format("{}: cannot rename to {}", tmp, path));
}

}  // namespace sftx::rt
