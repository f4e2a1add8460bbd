#include "interpreter/front/plan_build.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>
#include <unordered_set>

#include "interpreter/front/data_expr.h"
#include "interpreter/front/did_you_mean.h"
#include "interpreter/front/sha256.h"
#include "interpreter/front/stage_key.h"
#include "stdlib/builtins.h"
#include "stdlib/hyperparams.h"

namespace sftx {

namespace fs = std::filesystem;

namespace {

// "dmt(1/4)" or, for one seed of an experiment's `seeds`, "dmt(1/4)[seed=2]".
std::string seeded_label(const std::string& label, std::optional<long long> seed) {
  return seed ? label + "[seed=" + std::to_string(*seed) + "]" : label;
}

// A hyperparameter's built-in default as the JSON the train node carries (eval_plan.cc's
// hyper_value() gives the same for the default literal).
nlohmann::json builtin_hyper_value(const HyperParam& hp) {
  switch (hp.kind) {
    case HyperKind::integer: return std::stoll(hp.default_literal);
    case HyperKind::real: return std::stod(hp.default_literal);
    default: return hp.default_literal;
  }
}

class GraphBuilder {
 public:
  GraphBuilder(const CheckedProgram& program, Diagnostics& diags) : program_(program), diags_(diags) {}

  PlanGraph graph;

  // Adds a node unless one with the same key exists; returns the id of the node in the graph.
  std::string add(PlanNode node, const nlohmann::json& key_params) {
    std::vector<std::string> input_keys;
    for (const auto& id : node.inputs) input_keys.push_back(graph.nodes[index_.at(id)].key);
    node.description = key_description(node.kind, node.op, key_params, input_keys);
    node.key = node_key(node.description);
    auto existing = by_key_.find(node.key);
    if (existing != by_key_.end()) {
      PlanNode& n = graph.nodes[existing->second];
      // A set beside the list: a stage shared by every plan of a large sweep gains one user
      // per plan, and a scan of the list for each would make the expansion quadratic.
      std::unordered_set<std::string>& users = users_[existing->second];
      for (const auto& u : node.used_by)
        if (users.insert(u).second) n.used_by.push_back(u);
      return n.id;
    }
    std::string id = node.id;
    for (int i = 2; index_.count(id); ++i) id = node.id + " #" + std::to_string(i);
    node.id = id;
    index_[id] = graph.nodes.size();
    by_key_[node.key] = graph.nodes.size();
    users_.emplace_back(node.used_by.begin(), node.used_by.end());
    graph.nodes.push_back(std::move(node));
    return id;
  }

  std::string data(const DataPtr& d) {
    auto memo = data_ids_.find(d.get());
    if (memo != data_ids_.end()) return memo->second;
    PlanNode n;
    n.kind = "data";
    n.op = d->op;
    n.id = data_ref(d);
    n.label = d->name.empty() ? d->label : d->name + " = " + d->label;
    n.origin = d->origin;
    n.params = d->params;
    for (const auto& in : d->inputs) n.inputs.push_back(data(in));
    nlohmann::json key_params = n.params;
    if (d->op == "source") {
      std::string path = d->params["path"].get<std::string>();
      n.params["name"] = d->name.empty() ? fs::path(path).stem().string() : d->name;
      n.params["content_digest"] = file_digest(path, d->origin);
      key_params = n.params;
      key_params.erase("path");  // content-addressed: the same bytes elsewhere are the same source
    }
    std::string id = add(std::move(n), key_params);
    data_ids_[d.get()] = id;
    return id;
  }

  std::string tokenizer(const TokenizerPtr& t) {
    auto memo = tokenizer_ids_.find(t.get());
    if (memo != tokenizer_ids_.end()) return memo->second;
    PlanNode n;
    n.kind = "data";
    n.op = "tokenizer";
    n.label = t->label;
    nlohmann::json key_params;
    if (!t->model_file.empty()) {
      n.id = "tokenizer(" + fs::path(t->model_file).parent_path().filename().string() + ")";
      n.params = {{"model_file", t->model_file}, {"content_digest", file_digest(t->model_file, {})}};
      key_params = {{"content_digest", n.params["content_digest"]}};
      // A tokenizer.json takes its bos/eos/pad names from tokenizer_config.json beside it.
      const fs::path config = fs::path(t->model_file).parent_path() / "tokenizer_config.json";
      if (fs::path(t->model_file).filename() == "tokenizer.json" && fs::exists(config))
        key_params["config_digest"] = n.params["config_digest"] = file_digest(config.string(), {});
    } else {
      n.inputs.push_back(data(t->data));
      n.id = "tokenizer(vocab = " + std::to_string(t->vocab) + ")";
      n.params = {{"vocab_size", t->vocab}, {"model_type", t->model_type}, {"seed", t->seed}};
      key_params = n.params;
    }
    std::string id = add(std::move(n), key_params);
    tokenizer_ids_[t.get()] = id;
    return id;
  }

  // template = "model": the node reads the chat template of the base checkpoint's directory
  // (rt::ChatTemplate::from_model_dir), so its params name the directory and its key holds what
  // the template is made of (chat_template.jinja, tokenizer_config.json), not where it lies.
  // `params` gains the directory; the returned key params have the digests instead.
  nlohmann::json with_model_template(nlohmann::json& params, const ModelPtr& root) {
    if (params.value("template", "") != "model" || !root || root->hf_dir.empty()) return params;
    params["chat_template_dir"] = root->hf_dir;
    nlohmann::json key = params;
    key.erase("chat_template_dir");
    for (const char* file : {"chat_template.jinja", "tokenizer_config.json"}) {
      const fs::path p = fs::path(root->hf_dir) / file;
      if (fs::exists(p)) key["chat_template_digest"][file] = file_digest(p.string(), {});
    }
    return key;
  }

  struct Chain {
    ModelPtr root;                        // the base model at the start of the chain
    std::vector<std::string> trains;      // train node ids of the instance's stages
  };

  // Builds the stages of a plan instance on `experiment_base`; with a `seed` (an experiment's
  // `seeds`), every stage trains with that seed and its id says so.
  std::optional<Chain> instance(const PlanInstancePtr& inst, const ModelPtr& experiment_base,
                                std::optional<long long> seed, int depth = 0) {
    auto memo_key = std::make_tuple(inst.get(), experiment_base.get(), seed);
    auto memo = chains_.find(memo_key);
    if (memo != chains_.end()) return memo->second;
    if (depth > 64) return std::nullopt;
    ModelPtr start = inst->from ? inst->from : experiment_base;
    if (!start) return std::nullopt;
    Chain chain;
    std::string parent;
    if (start->is_stage()) {
      if (!start->instance) return std::nullopt;
      auto upstream = instance(start->instance, experiment_base, seed, depth + 1);
      if (!upstream || start->stage >= static_cast<int>(upstream->trains.size())) return std::nullopt;
      chain.root = upstream->root;
      parent = upstream->trains[static_cast<std::size_t>(start->stage)];
    } else {
      chain.root = start;
    }
    std::string tok = tokenizer(chain.root->tokenizer);
    for (const auto& stage : inst->stages) {
      if (!stage.data) return std::nullopt;
      std::string data_id = data(stage.data);
      const HyperMap& h = stage.hyper;
      PlanNode pack;
      pack.kind = "data";
      pack.op = "pack";
      pack.id = "pack(" + data_id + ")";
      pack.label = "pack " + data_id + " with " + h.at("template").display + ", seq_len " + h.at("seq_len").display;
      pack.inputs = {data_id, tok};
      pack.params = {{"template", h.at("template").value},
                     {"seq_len", h.at("seq_len").value},
                     {"packed", h.at("packing").value == "packed"}};
      pack.origin = stage.origin;
      std::string pack_id = add(pack, with_model_template(pack.params, chain.root));

      PlanNode train;
      train.kind = "train";
      train.op = "train";
      train.id = seeded_label(inst->label, seed) + "." + stage.name;
      train.label = train.id + ": " + data_ref(stage.data);
      train.inputs = {pack_id};
      if (!parent.empty()) train.inputs.push_back(parent);
      nlohmann::json model = nlohmann::json::object();
      if (!chain.root->hf_dir.empty()) {
        model["hf_dir"] = chain.root->hf_dir;
        model["overrides"] = nlohmann::json::object();
      } else {
        model["preset"] = chain.root->preset;
        model["overrides"] = {{"vocab_size", chain.root->tokenizer ? chain.root->tokenizer->vocab : 0}};
      }
      nlohmann::json hyper = nlohmann::json::object();
      for (const auto& hp : hyperparams()) {
        const HyperSetting& s = h.at(hp.name);
        train.provenance[hp.name] = s.provenance;
        if (hp.target == "hyper") hyper[hp.name] = s.value;
      }
      if (seed) {
        hyper["seed"] = *seed;
        train.provenance["seed"] = "seeds";
      }
      train.params = {{"model", model}, {"hyper", hyper}, {"method", h.at("method").value}};
      train.used_by = {train.id};
      train.origin = stage.origin;
      nlohmann::json key_params = train.params;
      // A setting that cannot change the result enters the key at its built-in default,
      // whatever the stage sets: changing it keeps the key, and keys made before this rule
      // (which held the value) still match for every stage that kept the default.
      for (const auto& hp : hyperparams())
        if (!hp.changes_result && hp.target == "hyper")
          key_params["hyper"][hp.name] = builtin_hyper_value(hp);
      if (!chain.root->hf_dir.empty())
        key_params["model"]["config_digest"] = file_digest((fs::path(chain.root->hf_dir) / "config.json").string(), {});
      parent = add(std::move(train), key_params);
      chain.trains.push_back(parent);
    }
    chains_[memo_key] = chain;
    return chain;
  }

  void experiment(const ExperimentInstance& x, const std::vector<std::string>& only_plans) {
    PlanExperiment out;
    out.name = x.name;
    nlohmann::json rows = nlohmann::json::array();
    nlohmann::json key_rows = nlohmann::json::array();
    std::vector<std::string> all_evals;
    for (const auto& m : x.metrics) out.metrics.push_back(m->label);
    out.seeds = x.seeds;
    out.claims = x.claims;
    std::vector<std::optional<long long>> seeds;
    for (long long s : x.seeds) seeds.emplace_back(s);
    if (seeds.empty()) seeds.emplace_back(std::nullopt);
    for (const auto& inst : x.plans)
    for (const auto& seed : seeds) {
      if (!only_plans.empty() && std::find(only_plans.begin(), only_plans.end(), inst->label) == only_plans.end())
        continue;
      auto chain = instance(inst, x.base, seed);
      if (!chain || chain->trains.empty()) continue;
      out.plans.push_back(seeded_label(inst->label, seed));
      out.finals.push_back(chain->trains.back());
      out.stages.push_back(chain->trains);
      std::string tok = tokenizer(chain->root->tokenizer);
      const StageInstance& final_stage = inst->stages.back();
      std::vector<std::string> evals;
      for (const auto& m : x.metrics) {
        PlanNode e;
        e.kind = "eval";
        e.op = m->metric;
        e.id = m->label + " @ " + seeded_label(inst->label, seed);
        e.label = e.id;
        e.inputs.push_back(chain->trains.back());
        for (const auto& d : m->data) e.inputs.push_back(data(d));
        e.inputs.push_back(tok);
        e.params = m->params;
        e.params["template"] = final_stage.hyper.at("template").value;
        e.used_by = {x.name};
        e.origin = m->origin;
        nlohmann::json key = with_model_template(e.params, chain->root);
        // A scorer that changed its verdicts puts its version in the key (only then, so the keys
        // of the other metrics stay as they were): results it scored before are not reused.
        if (const BuiltinFunction* f = find_builtin(m->metric); f && f->scorer_version > 0)
          key["scorer_version"] = f->scorer_version;
        evals.push_back(add(e, key));
      }
      nlohmann::json params = nlohmann::json::object();
      for (const auto& [name, value] : inst->args) params[name] = value;
      rows.push_back({{"plan", inst->label}, {"params", params}, {"final", chain->trains.back()}, {"evals", evals}});
      nlohmann::json eval_keys = nlohmann::json::array();
      for (const auto& id : evals) eval_keys.push_back(key_of(id));
      key_rows.push_back(
          {{"plan", inst->label}, {"params", params}, {"final", key_of(chain->trains.back())}, {"evals", eval_keys}});
      if (seed) {
        rows.back()["seed"] = *seed;
        key_rows.back()["seed"] = *seed;
      }
      all_evals.insert(all_evals.end(), evals.begin(), evals.end());
    }
    PlanNode r;
    r.kind = "report";
    r.op = "table";
    r.id = "report(" + x.name + ")";
    std::size_t n_plans = x.seeds.empty() ? out.plans.size() : out.plans.size() / x.seeds.size();
    r.label = "table of " + x.name + ": " + std::to_string(n_plans) + " plans x " +
              std::to_string(out.metrics.size()) + " metrics";
    if (!x.seeds.empty()) r.label += " x " + std::to_string(x.seeds.size()) + " seeds";
    if (!x.claims.empty()) r.label += ", " + std::to_string(x.claims.size()) + " claims";
    r.inputs = all_evals;
    r.params = {{"experiment", x.name}, {"rows", rows}, {"metrics", out.metrics}};
    r.used_by = {x.name};
    r.origin = x.origin;
    nlohmann::json key_params = {{"experiment", x.name}, {"rows", key_rows}, {"metrics", out.metrics}};
    // Only present when written, so experiments without them keep their report keys.
    if (!x.seeds.empty()) r.params["seeds"] = key_params["seeds"] = x.seeds;
    if (!x.claims.empty()) {
      r.params["claims"] = x.claims;
      nlohmann::json key_claims = x.claims;
      for (auto& c : key_claims) c.erase("origin");  // where a claim is written does not change its verdict
      key_params["claims"] = key_claims;
      key_params["claim_rule_version"] = kClaimRuleVersion;
    }
    out.report = add(std::move(r), key_params);
    graph.experiments.push_back(std::move(out));
  }

 private:
  std::string key_of(const std::string& id) const { return graph.nodes[index_.at(id)].key; }

  nlohmann::json file_digest(const std::string& path, const NodeOrigin& at) {
    auto memo = digests_.find(path);
    if (memo != digests_.end()) return memo->second;
    // A FIFO, a device or a directory has no content to digest (reading /dev/zero or a FIFO
    // never ends): refused here, before anything reads it.
    std::error_code ec;
    fs::file_status st = fs::status(path, ec);
    if (!ec && fs::exists(st) && !fs::is_regular_file(st)) {
      std::string message = "not a regular file: " + path + " (a data source must be a file, not a FIFO, device or directory)";
      if (at.line > 0) diags_.error(at.path, at.line, at.column, message);
      else diags_.error(path, 0, 0, message);
      failed = true;
      digests_[path] = nullptr;
      return nullptr;
    }
    auto digest = sha256_file(path);
    nlohmann::json out = digest ? nlohmann::json(*digest) : nlohmann::json(nullptr);
    if (!digest) {
      std::string message = "file not found: " + path + " (its node key will change when it appears)";
      if (at.line > 0) diags_.warning(at.path, at.line, at.column, message);
      else diags_.warning(path, 0, 0, message);
    }
    digests_[path] = out;
    return out;
  }

 public:
  bool failed = false;  // an error was reported while building: there is no graph

 private:
  const CheckedProgram& program_;
  Diagnostics& diags_;
  std::map<std::string, std::size_t> index_;
  std::map<std::string, std::size_t> by_key_;
  std::vector<std::unordered_set<std::string>> users_;  // graph.nodes[i].used_by as a set
  std::map<const DataExpr*, std::string> data_ids_;
  std::map<const TokenizerValue*, std::string> tokenizer_ids_;
  std::map<std::tuple<const PlanInstance*, const ModelValue*, std::optional<long long>>, Chain> chains_;
  std::map<std::string, nlohmann::json> digests_;
};

}  // namespace

std::optional<PlanGraph> build_plan_graph(const CheckedProgram& program, const std::string& experiment,
                                          Diagnostics& diags, const std::vector<std::string>& only_plans) {
  std::vector<const ExperimentInstance*> chosen;
  for (const auto& x : program.experiments)
    if (experiment.empty() || x.name == experiment) chosen.push_back(&x);
  if (!experiment.empty() && chosen.empty()) {
    std::vector<std::string> names;
    for (const auto& x : program.experiments) names.push_back(x.name);
    const Module& main = *program.program->main;
    auto& d = diags.error(main.path, "unknown experiment '" + experiment + "'");
    std::string hint = did_you_mean(experiment, names);
    if (!hint.empty()) d.help(hint);
    d.note(names.empty() ? "the file defines no experiments" : "experiments: " + join_names(names));
    return std::nullopt;
  }
  std::vector<std::string> labels;  // of the chosen experiments' plans, in order, once each
  for (const auto* x : chosen)
    for (const auto& inst : x->plans)
      if (std::find(labels.begin(), labels.end(), inst->label) == labels.end()) labels.push_back(inst->label);
  bool unknown_plan = false;
  for (const auto& name : only_plans) {
    if (std::find(labels.begin(), labels.end(), name) != labels.end()) continue;
    const Module& main = *program.program->main;
    auto& d = diags.error(main.path, "no plan '" + name + "' in " +
                                         (experiment.empty() ? "the file's experiments" : "experiment '" + experiment + "'"));
    std::string hint = did_you_mean(name, labels);
    if (!hint.empty()) d.help(hint);
    d.note(labels.empty() ? "no experiment has plans" : "plans: " + join_names(labels));
    unknown_plan = true;
  }
  if (unknown_plan) return std::nullopt;
  GraphBuilder builder(program, diags);
  for (const auto* x : chosen) builder.experiment(*x, only_plans);
  if (builder.failed) return std::nullopt;
  return std::move(builder.graph);
}

}  // namespace sftx
