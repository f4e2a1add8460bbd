#include "interpreter/exec/node_runner.h"

#include <fstream>
#include <stdexcept>

#include "interpreter/exec/fraction_param.h"
#include "interpreter/exec/object_layout.h"
#include "interpreter/exec/claims.h"
#include "interpreter/exec/report_table.h"
#include "interpreter/exec/sha256.h"
#include "interpreter/exec/train_params.h"
#include "runtime/data/transforms.h"
#include "runtime/base/atomic_file.h"

namespace sftx::exec {
namespace fs = std::filesystem;

namespace {

std::string in_path(const NodeJob& job, size_t i, const char* file) {
  if (i >= job.inputs.size())
    throw std::runtime_error(job.node.op + ": input " + std::to_string(i + 1) + " is missing");
  return (job.inputs[i].dir / file).string();
}

uint64_t seed_of(const nlohmann::json& params) {
  auto it = params.find("seed");
  if (it == params.end() || it->is_null()) return 0;
  if (it->is_number_unsigned()) return it->get<uint64_t>();
  if (it->is_number_integer()) return static_cast<uint64_t>(it->get<int64_t>());
  throw std::runtime_error("seed must be a whole number, not " + it->dump());
}

nlohmann::json stats_json(const rt::DataStats& s) {
  return {{"records", s.records}, {"removed", s.removed}, {"skipped", s.skipped}, {"details", s.details}};
}

nlohmann::json run_source(const NodeJob& job) {
  const auto& p = job.node.params;
  rt::SourceSpec spec;
  spec.path = p.at("path").get<std::string>();
  spec.container = p.value("container", "jsonl");
  spec.format = p.value("format", "");
  spec.on_error = p.value("on_error", "stop");
  spec.source_name = p.value("name", "");
  // The key was made from the file's digest when the plan was built; a file edited since
  // would be cached under a key that does not describe it.
  if (p.contains("content_digest") && p["content_digest"].is_string() && fs::exists(spec.path) &&
      file_sha256_hex(spec.path) != p["content_digest"].get<std::string>())
    throw std::runtime_error(spec.path + ": the file changed after the plan was made; run again");
  return stats_json(rt::read_source(spec, (job.out_dir / layout::kData).string(), job.progress));
}

nlohmann::json run_data_op(const NodeJob& job, const RunSettings& settings) {
  const auto& p = job.node.params;
  const std::string& op = job.node.op;
  std::string out = (job.out_dir / layout::kData).string();
  if (op == "source") return run_source(job);
  if (op == "synthetic")
    return stats_json(rt::generate_synthetic(p.at("kind").get<std::string>(), p.at("n").get<int64_t>(), seed_of(p), out,
                                             p.value("level", "paper")));
  if (op == "scale") return stats_json(rt::scale_data(in_path(job, 0, layout::kData), parse_fraction(p.at("k")), seed_of(p), out));
  std::vector<std::string> ins;
  for (size_t i = 0; i < job.inputs.size(); ++i) ins.push_back(in_path(job, i, layout::kData));
  if (op == "mix") return stats_json(rt::mix_data(ins, seed_of(p), out));
  return stats_json(rt::apply_transform(op, p, ins, out, seed_of(p), settings.device, job.progress));
}

nlohmann::json run_tokenizer(const NodeJob& job) {
  const auto& p = job.node.params;
  rt::TokenizerSpec spec;
  spec.model_file = p.value("model_file", "");
  spec.vocab_size = p.value("vocab_size", spec.vocab_size);
  spec.model_type = p.value("model_type", spec.model_type);
  spec.seed = seed_of(p);
  std::vector<std::string> ins;
  for (size_t i = 0; i < job.inputs.size(); ++i) ins.push_back(in_path(job, i, layout::kData));
  rt::build_tokenizer(spec, ins, (job.out_dir / layout::kTokenizer).string());
  return {{"vocab_size", spec.vocab_size}};
}

nlohmann::json run_pack(const NodeJob& job) {
  const auto& p = job.node.params;
  rt::PackSpec spec;
  spec.tokenizer_model = in_path(job, 1, layout::kTokenizer);
  spec.chat_template = p.value("template", spec.chat_template);
  spec.chat_template_dir = p.value("chat_template_dir", "");
  spec.seq_len = p.value("seq_len", spec.seq_len);
  spec.packed = p.value("packed", spec.packed);
  rt::PackStats s = rt::pack_data(in_path(job, 0, layout::kData), spec, (job.out_dir / layout::kShard).string());
  nlohmann::json out = {{"records", s.records},         {"blocks", s.blocks},
                        {"tokens", s.tokens},           {"loss_tokens", s.loss_tokens},
                        {"truncated", s.truncated},     {"answerless", s.answerless}};
  // Such records cost a block's compute and teach nothing; all of them is an error (pack_data).
  if (s.answerless > 0)
    out["warnings"] = {std::to_string(s.answerless) + " of " + std::to_string(s.records) + " records are cut at seq_len " +
                       std::to_string(spec.seq_len) + " before their first assistant token and train nothing (raise seq_len)"};
  return out;
}

nlohmann::json run_train(const NodeJob& job, const RunSettings& settings) {
  const auto& p = job.node.params;
  TrainParams params = train_params_of(p);
  rt::TrainRequest req;
  req.model = std::move(params.model);
  req.hp = params.hyper;
  req.method = std::move(params.method);
  req.shards = {in_path(job, 0, layout::kShard)};
  if (job.inputs.size() > 1) req.init_dir = in_path(job, 1, layout::kModel);  // the parent stage
  req.device = settings.device;
  req.process_group.world_size = settings.nproc;
  req.process_group.backend = settings.device.kind == rt::DeviceKind::cuda ? "nccl" : "gloo";
  req.process_group.launcher = settings.launcher;
  fs::create_directories(job.work_dir);
  req.out_dir = job.work_dir.string();
  req.progress = job.progress;
  rt::TrainResult r = rt::train(req);

  // The finished model and the metrics move into the object; state/ stays behind and is
  // deleted with the work directory once the object is committed.
  fs::path model = r.checkpoint_dir.empty() ? job.work_dir / layout::kModel : fs::path(r.checkpoint_dir);
  fs::rename(model, job.out_dir / layout::kModel);
  // A LoRA stage's adapter (merged into model/ already), kept for export and for peft.
  if (fs::exists(job.work_dir / layout::kLoraAdapter))
    fs::rename(job.work_dir / layout::kLoraAdapter, job.out_dir / layout::kLoraAdapter);
  fs::path metrics = r.metrics_path.empty() ? job.work_dir / layout::kMetrics : fs::path(r.metrics_path);
  if (fs::exists(metrics)) fs::copy_file(metrics, job.out_dir / layout::kMetrics);
  return {{"steps", r.steps},
          {"world_size", settings.nproc},  // how it ran, not what it is: the key leaves it out
          {"resumed_from_step", r.resumed_from_step},
          {"final_loss", r.final_loss},
          {"tokens_per_second", r.tokens_per_second},
          {"metrics", layout::kMetrics},
          {"checkpoint", layout::kModel}};
}

nlohmann::json run_eval(const NodeJob& job, const RunSettings& settings) {
  // inputs: [train, data..., tokenizer]
  if (job.inputs.size() < 3) throw std::runtime_error(job.node.op + ": expected a model, data and a tokenizer");
  rt::EvalRequest req;
  req.metric = job.node.op;
  req.params = job.node.params;
  req.chat_template = req.params.value("template", req.chat_template);
  req.chat_template_dir = req.params.value("chat_template_dir", "");
  req.params.erase("template");
  req.params.erase("chat_template_dir");
  req.checkpoint_dir = in_path(job, 0, layout::kModel);
  req.tokenizer_model = in_path(job, job.inputs.size() - 1, layout::kTokenizer);
  req.data_jsonl = in_path(job, 1, layout::kData);
  if (job.inputs.size() > 3) {  // several data sets (t-SNE): all of them, in order
    nlohmann::json all = nlohmann::json::array();
    for (size_t i = 1; i + 1 < job.inputs.size(); ++i) all.push_back(in_path(job, i, layout::kData));
    req.params["data_jsonl_list"] = all;
  }
  req.device = settings.device;
  req.out_dir = (job.out_dir / layout::kSamples).string();
  fs::create_directories(req.out_dir);
  req.progress = job.progress;
  nlohmann::json result = rt::evaluate(req);
  // Paths into the staging directory would dangle once it becomes the object: keep them
  // relative to the object.
  if (result.contains("samples") && result["samples"].is_string()) {
    fs::path s = result["samples"].get<std::string>();
    auto rel = s.lexically_relative(job.out_dir);
    if (!rel.empty() && *rel.begin() != "..") result["samples"] = rel.generic_string();
  }
  rt::write_file_atomic((job.out_dir / layout::kResult).string(), result.dump(2) + "\n");  // checked: a full disk fails the node
  return {{"result", result}};
}

nlohmann::json run_report(const NodeJob& job) {
  nlohmann::json table = report_table(job.node, job.inputs);
  std::string markdown = rt::write_report(table, job.out_dir.string());
  if (job.node.params.contains("claims")) {
    // The verdicts beside the table: claims.json, and a section of table.md.
    nlohmann::json verdicts = check_claims(job.node.params["claims"], table);
    rt::write_file_atomic((job.out_dir / "claims.json").string(), verdicts.dump(2) + "\n");
    // "markdown" stays the table alone: `sftx run` prints the verdicts as text after it.
    rt::write_file_atomic((job.out_dir / "table.md").string(), markdown + claims_markdown(verdicts));
    return {{"table", table}, {"markdown", markdown}, {"claims", verdicts}};
  }
  return {{"table", table}, {"markdown", markdown}};
}

}  // namespace

NodeFn make_node_runner(RunSettings settings) {
  return [settings](const NodeJob& job) -> nlohmann::json {
    const PlanNode& n = job.node;
    if (n.kind == "data") {
      if (n.op == "tokenizer") return run_tokenizer(job);
      if (n.op == "pack") return run_pack(job);
      return run_data_op(job, settings);
    }
    if (n.kind == "train") return run_train(job, settings);
    if (n.kind == "eval") return run_eval(job, settings);
    if (n.kind == "report") return run_report(job);
    throw std::runtime_error("unknown node kind '" + n.kind + "'");
  };
}

}  // namespace sftx::exec
