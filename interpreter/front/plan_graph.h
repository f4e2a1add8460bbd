// The expanded, de-duplicated experiment graph: what `sftx plan` prints and the executor runs.
//
// The front end (interpreter/front) builds it from a checked program; the executor
// (interpreter/exec) turns it into a Boost.Graph and runs each node through runtime/api.h.
// Two nodes with the same canonical description are one node, wherever they were written.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sftx {

// The version of the claim verdict rule (interpreter/exec/claims.h): in the key of every report
// with claims, so reports checked under an earlier rule are checked again. 2: a comparison whose
// per-seed differences are all equal is inconclusive (it was a zero-width interval).
inline constexpr int kClaimRuleVersion = 2;

// Where a node came from in the source, for messages ("dmt(1/4).stage2 at k_sweep.sftx:12:3").
struct NodeOrigin {
  std::string path;
  int line = 0;
  int column = 0;
};

// kind and op, and the params each op carries (params are canonical: sorted keys, ratios as
// exact "num/den" strings, every default filled in). `inputs` lists node ids in argument order.
//
// kind "data":
//   op "source"     params {path (absolute), container: "jsonl"|"json", format, on_error, name,
//                           content_digest (sha256 of the file)}                     inputs []
//   op "synthetic"  params {kind, n, seed}                                           inputs []
//   op "filter" | "dedup" | "decontaminate" | "tag" | "split" | "take" | "sample"
//                   params {keyword arguments by name, "seed"}        inputs [data, extra data...]
//   op "scale"      params {k: "num/den", seed}                                      inputs [data]
//   op "mix"        params {seed}                                                    inputs [data...]
//   op "tokenizer"  params {vocab_size, model_type, seed} or {model_file, content_digest}
//                                                                                    inputs [data...]
//   op "pack"       params {template, seq_len, packed}                    inputs [data, tokenizer]
// kind "train":
//   op "train"      params {model: {preset|hf_dir, overrides}, hyper: {TrainHyper fields},
//                           method: {Method fields}}                 inputs [pack, parent train?]
//                   provenance {hyper field: "builtin"|"defaults"|"profile:NAME"|"with"}
// kind "eval":
//   op METRIC       params {metric keyword arguments, template}   inputs [train, data, tokenizer]
//                   (tsne: inputs [train, data..., tokenizer], one data input per source)
// kind "report":
//   op "table"      params {experiment, rows: [{plan, params: {name: value}, final: train id,
//                           evals: [eval ids]}], metrics: [names]}         inputs [eval ids...]
//                   with `seeds = [...]`: each row also has "seed" (one row per plan instance
//                   and seed), and params has "seeds": [...]; with claims: "claims" (the
//                   ExperimentInstance's claims, see interpreter/exec/claims.h)
// A report with claims has "claim_rule_version" (kClaimRuleVersion) in its key.
// With `seeds`, a train node's id and label carry the seed: "dmt(1/4)[seed=2].stage2", and
// its hyper.seed (provenance "seeds") is that seed; without, ids and keys are as before.
struct PlanNode {
  std::string id;       // stable and readable: "math", "mix(math, code)", "dmt(1/4).stage2"
  std::string kind;     // data | train | eval | report
  std::string op;
  std::string label;    // one line for humans
  std::vector<std::string> inputs;
  nlohmann::json params = nlohmann::json::object();
  nlohmann::json provenance = nlohmann::json::object();
  std::string key;      // SHA-256 hex of the canonical description (see stage_key.h)
  nlohmann::json description = nlohmann::json::object();  // the canonical description hashed
  std::vector<std::string> used_by;  // plan instances / experiments that share this node
  NodeOrigin origin;
};

struct PlanExperiment {
  std::string name;
  std::vector<std::string> plans;     // plan instance labels, in order: "dmt(1/4)"
  std::vector<std::string> finals;    // final train node id of each plan instance
  std::vector<std::string> metrics;   // metric labels: "gsm8k(gsm8k_test)"
  std::string report;                 // report node id
  // Train node ids of each plan instance's own stages, in order (parallel to `plans`).
  std::vector<std::vector<std::string>> stages;
  // `seeds = [...]` (empty: one run); then `plans` has one entry per instance and seed:
  // "dmt(1/4)[seed=2]".
  std::vector<long long> seeds;
  nlohmann::json claims = nlohmann::json::array();  // see interpreter/exec/claims.h
};

struct PlanGraph {
  std::vector<PlanNode> nodes;        // topologically ordered: inputs come before users
  std::vector<PlanExperiment> experiments;
  const PlanNode* find(const std::string& id) const {
    for (const auto& n : nodes)
      if (n.id == id) return &n;
    return nullptr;
  }
};

}  // namespace sftx
