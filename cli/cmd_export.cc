// sftx export FILE PLAN -o DIR: the final stage of one plan instance as a Hugging Face model
// directory (AutoModelForCausalLM and AutoTokenizer load it), taken from the cache, training
// whatever the cache lacks first with the same executor `sftx run` uses.
//
// Who writes what. The worker (torch, no SentencePiece) already wrote the weights when it trained
// the stage: model/ in the stage's cache object is config.json + model.safetensors under Hugging
// Face's tensor names, because the model's parameters carry exactly those names
// (runtime/nn/model.h: named_parameters() is the checkpoint, with no mapping table in between),
// and a LoRA stage was merged there (W + alpha/r B A, runtime/nn/lora.h) with the unmerged
// adapter saved beside it in PEFT's layout. So exporting the weights is copying files: no torch
// process is started. The tokenizer files need SentencePiece (reading the model's pieces, the
// chat template's rendering), which only this driver process links, so they are written here
// (runtime/tokenizer/hf_tokenizer_export.h).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <optional>
#include <thread>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "interrupt_watch.h"
#include "interpreter/exec/cache_store.h"
#include "interpreter/exec/executor.h"
#include "interpreter/exec/graph.h"
#include "interpreter/exec/node_runner.h"
#include "interpreter/exec/object_layout.h"
#include "interpreter/exec/progress_display.h"
#include "interpreter/exec/running_nodes.h"
#include "interpreter/front/check.h"
#include "interpreter/front/did_you_mean.h"
#include "interpreter/front/plan_build.h"
#include "runtime/base/atomic_file.h"
#include "runtime/base/device.h"
#include "runtime/data/builtin_chat_jinja.h"
#include "runtime/data/chat_template.h"
#include "runtime/tokenizer/hf_tokenizer_export.h"
#include "runtime/tokenizer/tokenizer.h"

namespace sftx::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// Written into every export: what it is, so a second export may replace the directory (and
// nothing else is ever replaced).
constexpr const char* kProvenance = "sftx_export.json";

struct ExportArgs {
  std::string file;
  std::string plan;
  std::string out;
  std::string profile;
  std::string cache;
  std::string device;
};

struct PlanChoice {
  std::string label;     // "dmt(1/256)" or "dmt(1/256)[seed=1]"
  std::string final_id;  // its final train node
  std::string experiment;
};

// The plan instance PLAN names: an exact label of some experiment's plans; or, where the
// experiment has `seeds`, a label without its "[seed=N]" when that leaves one instance. nullopt
// with the message printed otherwise.
std::optional<PlanChoice> choose_plan(const PlanGraph& graph, const std::string& wanted, const std::string& file) {
  std::vector<PlanChoice> all;
  for (const auto& x : graph.experiments)
    for (size_t i = 0; i < x.plans.size() && i < x.finals.size(); ++i) all.push_back({x.plans[i], x.finals[i], x.name});
  std::vector<std::string> labels, seeded;
  for (const auto& c : all) {
    if (c.label == wanted) return c;
    if (std::find(labels.begin(), labels.end(), c.label) == labels.end()) labels.push_back(c.label);
    if (c.label.rfind(wanted + "[seed=", 0) == 0 &&
        std::find(seeded.begin(), seeded.end(), c.label) == seeded.end())
      seeded.push_back(c.label);
  }
  if (seeded.size() == 1) {
    for (const auto& c : all)
      if (c.label == seeded[0]) return c;
  }
  if (seeded.size() > 1) {
    std::string names;
    for (const auto& s : seeded) names += (names.empty() ? "'" : ", '") + s + "'";
    fmt::print(stderr, "sftx export: error: plan '{}' runs with {} seeds in {}; name one: {}\n", wanted, seeded.size(), file,
               names);
    return std::nullopt;
  }
  if (all.empty()) {
    fmt::print(stderr, "sftx export: error: {} has no experiment, so no plan instance to export\n", file);
    return std::nullopt;
  }
  // The bare labels too ("dmt(1/4)" for "dmt(1/4)[seed=1]"): what a misspelt name is nearest to.
  std::vector<std::string> candidates = labels;
  for (const auto& l : labels)
    if (const size_t at = l.find("[seed="); at != std::string::npos &&
                                            std::find(candidates.begin(), candidates.end(), l.substr(0, at)) == candidates.end())
      candidates.push_back(l.substr(0, at));
  const std::string hint = did_you_mean(wanted, candidates);
  fmt::print(stderr, "sftx export: error: no plan instance '{}' in the experiments of {}{}\n  plan instances: {}\n", wanted,
             file, hint.empty() ? "" : "; " + hint, join_names(labels));
  return std::nullopt;
}

json read_json_file(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path.string() + ": cannot open");
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    throw std::runtime_error(path.string() + ": invalid JSON: " + e.what());
  }
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot open");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The chat template the stage trained with, as tokenizer_config.json's chat_template: a built-in's
// Jinja, or for template = "model" the checkpoint's own (chat_template.jinja, else its
// tokenizer_config.json's chat_template, string or list). null when there is none.
json chat_template_of(const PlanNode& pack) {
  const std::string name = pack.params.value("template", std::string("vicuna"));
  if (name != rt::ChatTemplate::kModelTemplate) return rt::builtin_chat_template_jinja(name);
  const fs::path dir = pack.params.value("chat_template_dir", std::string());
  if (dir.empty()) return nullptr;
  if (fs::exists(dir / "chat_template.jinja")) return read_text(dir / "chat_template.jinja");
  if (fs::exists(dir / "tokenizer_config.json")) {
    json cfg = read_json_file(dir / "tokenizer_config.json");
    if (cfg.contains("chat_template")) return cfg["chat_template"];
  }
  return nullptr;
}

// generation_config.json: the model's bos/eos, and as further end-of-sequence ids the template's
// stop markers that are single tokens (chatml's <|im_end|>), so model.generate stops where sftx's
// generation stops.
json generation_config(const json& config, const rt::Tokenizer& tok, const std::vector<std::string>& stops) {
  json eos = json::array({config.value("eos_token_id", tok.eos_id())});
  const auto pieces = tok.pieces();
  for (const auto& s : stops) {
    auto it = std::find(pieces.begin(), pieces.end(), s);
    if (it == pieces.end()) continue;
    const int id = static_cast<int>(it - pieces.begin());
    if (std::find(eos.begin(), eos.end(), json(id)) == eos.end()) eos.push_back(id);
  }
  json g = {{"bos_token_id", config.value("bos_token_id", tok.bos_id())},
            {"eos_token_id", eos.size() == 1 ? eos[0] : eos}};
  if (tok.pad_id() >= 0) g["pad_token_id"] = tok.pad_id();
  return g;
}

// The output directory may be new, empty, or an earlier export (replaced whole); anything else
// is refused rather than deleted.
bool output_is_replaceable(const fs::path& out) {
  std::error_code ec;
  if (!fs::exists(out, ec)) return true;
  if (!fs::is_directory(out, ec)) return false;
  return fs::is_empty(out, ec) || fs::exists(out / kProvenance, ec);
}

int export_command(const ExportArgs& a) {
  const bool color = isatty(fileno(stderr)) != 0;
  const fs::path out = fs::absolute(a.out).lexically_normal();
  if (!output_is_replaceable(out)) {
    fmt::print(stderr,
               "sftx export: error: {} exists and is not an earlier export (no {}); give a new or empty directory\n",
               out.string(), kProvenance);
    return 2;
  }
  Diagnostics diags;
  CheckOptions check_options;
  check_options.profile = a.profile;
  auto checked = check_file(a.file, diags, check_options);
  std::optional<PlanGraph> plan;
  if (checked) plan = build_plan_graph(*checked, "", diags);
  if (!diags.empty()) fmt::print(stderr, "{}", diags.render(color));
  if (!checked || !plan) return 1;
  const std::optional<PlanChoice> choice = choose_plan(*plan, a.plan, a.file);
  if (!choice) return 1;

  const std::string device_name = a.device.empty() ? checked->config.device : a.device;
  const std::optional<rt::DeviceKind> device_kind = rt::parse_device_kind(device_name);
  if (!device_kind) {
    fmt::print(stderr, "sftx export: error: device '{}' is not {}\n", device_name, rt::device_kind_choices());
    return 2;
  }
  const fs::path cache_dir = a.cache.empty() ? checked->config.cache_dir : fs::absolute(a.cache);

  // The final stage and everything it needs: reused from the cache, or built into it.
  exec::ExecGraph graph(*plan);
  exec::CacheStore store(cache_dir);
  const size_t final_index = graph.index_of(choice->final_id);
  exec::RunSettings settings;
  settings.device.kind = *device_kind;
  exec::ExecOptions options;
  options.jobs = static_cast<int>(std::max(2u, std::thread::hardware_concurrency()));
  std::vector<exec::NodeRun> runs;
  {
    const size_t needed = graph.ancestors_of(final_index).size() + 1;
    exec::ProgressDisplay display(stderr, color, needed);
    exec::RunningNodes running;
    struct Both : exec::ExecObserver {
      exec::ExecObserver& a;
      exec::ExecObserver& b;
      Both(exec::ExecObserver& x, exec::ExecObserver& y) : a(x), b(y) {}
      void started(const PlanNode& n) override { a.started(n), b.started(n); }
      void progress(const PlanNode& n, const rt::Progress& p) override { a.progress(n, p), b.progress(n, p); }
      void finished(const PlanNode& n, const exec::NodeRun& r) override { a.finished(n, r), b.finished(n, r); }
      void warning(const std::string& m) override { a.warning(m), b.warning(m); }
    } observers(display, running);
    InterruptWatch watch([&running, &store] {
      return running.interrupted_message([&store](const std::string& key) { return store.work_dir(key); });
    });
    runs = exec::Executor(graph, store, exec::make_node_runner(settings), options, &observers).run({final_index});
  }
  const exec::NodeRun& final_run = runs[final_index];
  if (final_run.status != exec::NodeStatus::executed && final_run.status != exec::NodeStatus::reused) {
    bool only_input = true;
    size_t failed = 0;
    for (const auto& r : runs)
      if (r.status == exec::NodeStatus::failed) {
        ++failed;
        only_input = only_input && r.input_error;
      }
    fmt::print(stderr, "sftx export: error: the final stage of {} ({}) did not train: {}; nothing was exported\n",
               choice->label, choice->final_id, final_run.error.empty() ? "a stage it needs failed" : final_run.error);
    return failed > 0 && only_input ? 1 : 3;
  }

  // Where the parts are: the stage's object (model/, lora_adapter/), its pack node (the chat
  // template) and the pack's tokenizer node (train inputs: [pack, parent?]; pack: [data, tokenizer]).
  const PlanNode& final_node = graph.node(final_index);
  const size_t pack_index = graph.index_of(final_node.inputs.at(0));
  const PlanNode& pack = graph.node(pack_index);
  const size_t tokenizer_index = graph.index_of(pack.inputs.at(1));
  const PlanNode& tokenizer_node = graph.node(tokenizer_index);
  const fs::path model_dir = final_run.dir / exec::layout::kModel;
  const fs::path adapter_dir = final_run.dir / exec::layout::kLoraAdapter;
  const rt::Tokenizer tok = rt::Tokenizer::load((runs[tokenizer_index].dir / exec::layout::kTokenizer).string());
  const json config = read_json_file(model_dir / "config.json");

  rt::HfTokenizerExport tok_options;
  tok_options.chat_template = chat_template_of(pack);
  const std::string template_name = pack.params.value("template", std::string("vicuna"));
  tok_options.add_bos = template_name == rt::ChatTemplate::kModelTemplate || rt::builtin_chat_template_starts_with_bos(template_name);
  tok_options.model_max_length = config.value("max_position_embeddings", int64_t{0});
  const std::string model_file = tokenizer_node.params.value("model_file", std::string());
  if (!model_file.empty()) tok_options.source_dir = fs::path(model_file).parent_path();
  std::vector<std::string> stops;
  if (template_name != rt::ChatTemplate::kModelTemplate) stops = rt::ChatTemplate::get(template_name).stop_strings();

  rt::AtomicDir dir(out);
  for (const auto& entry : fs::directory_iterator(model_dir))
    if (entry.is_regular_file()) fs::copy_file(entry.path(), dir.tmp() / entry.path().filename());
  rt::write_file_atomic(dir.tmp() / "generation_config.json", generation_config(config, tok, stops).dump(2) + "\n");
  rt::write_hf_tokenizer_files(tok, tok_options, dir.tmp());
  if (fs::is_directory(adapter_dir)) fs::copy(adapter_dir, dir.tmp() / exec::layout::kLoraAdapter, fs::copy_options::recursive);
  const json provenance = {{"file", fs::absolute(a.file).string()},
                           {"plan", choice->label},
                           {"experiment", choice->experiment},
                           {"stage", choice->final_id},
                           {"stage_key", final_node.key},
                           {"profile", a.profile},
                           {"template", template_name},
                           {"lora_adapter", fs::is_directory(adapter_dir)}};
  rt::write_file_atomic(dir.tmp() / kProvenance, provenance.dump(2) + "\n");
  dir.commit();

  fmt::print(stderr, "sftx export: {} ({}, {}) -> {}\n", choice->label, choice->final_id,
             final_run.status == exec::NodeStatus::reused ? "from the cache" : "trained now", out.string());
  fmt::print("{}\n", out.string());
  return 0;
}

}  // namespace

void add_export_command(CLI::App& app, int& exit_code) {
  auto* cmd = app.add_subcommand("export", "Write a plan's trained model as a Hugging Face directory");
  cmd->description(
      "Write the final stage of plan instance PLAN (as `sftx plan` and the report name it:\n"
      "\"dmt(1/256)\", \"multitask\"; with `seeds`, \"dmt(1/4)[seed=2]\") as a directory that\n"
      "transformers loads: AutoModelForCausalLM.from_pretrained(DIR) and\n"
      "AutoTokenizer.from_pretrained(DIR). The stage comes from the cache; what the cache lacks\n"
      "is trained first, exactly as `sftx run` would (and stays cached).\n\n"
      "DIR holds config.json (LlamaForCausalLM, or the hf(...) model's class), model.safetensors\n"
      "(float32, Hugging Face tensor names), generation_config.json, tokenizer.json and\n"
      "tokenizer_config.json (bos/eos/unk/pad and the chat template the stage trained with, as\n"
      "Jinja), tokenizer.model (a SentencePiece model), and sftx_export.json (what was exported).\n"
      "A LoRA stage is exported merged (W + alpha/r B A); its adapter is in DIR/lora_adapter in\n"
      "PEFT's layout. A SentencePiece tokenizer becomes a tokenizer.json that needs no\n"
      "sentencepiece package; an hf(...) model's tokenizer files are copied.\n\n"
      "Examples:\n"
      "  sftx export experiments/table1.sftx 'dmt(1/256)[seed=1]' -o out/dmt --profile smoke\n"
      "  sftx export experiments/quickstart.sftx multitask -o models/multitask\n\n"
      "DIR is replaced whole when it is an earlier export; a directory with other contents is\n"
      "refused. Exit status: 0 exported, 1 errors in the input (the program, an unknown plan\n"
      "name, a stage that failed on the input's data), 2 usage error (no -o, an unknown device,\n"
      "DIR not replaceable), 3 a stage failed for another reason, 130 interrupted.");
  auto a = std::make_shared<ExportArgs>();
  cmd->add_option("FILE", a->file, "the .sftx file")->required();
  cmd->add_option("PLAN", a->plan, "the plan instance, e.g. 'dmt(1/256)'")->required();
  cmd->add_option("-o,--out", a->out, "the directory to write")->required();
  cmd->add_option("--profile", a->profile, "apply this [profile.NAME] of sftx.toml");
  cmd->add_option("--cache", a->cache, "cache directory (default: sftx.toml's cache)");
  cmd->add_option("--device", a->device, "cpu or cuda, to train what is not cached (default: sftx.toml's device)");
  cmd->callback([&exit_code, a] {
    try {
      exit_code = export_command(*a);
    } catch (const exec::GraphError& e) {
      fmt::print(stderr, "sftx export: internal error in the experiment graph: {}\n", e.what());
      exit_code = 3;
    } catch (const std::exception& e) {
      fmt::print(stderr, "sftx export: error: {}\n", e.what());
      exit_code = 3;
    }
  });
}

}  // namespace sftx::cli
