// The values expressions evaluate to: numbers, strings, lists and the domain objects (data
// expressions, models, plan instances, metrics) the experiment graph is built from.
//
// Domain objects are immutable and shared (shared_ptr to const), so a data expression
// named once and used by ten stages is one object, and evaluation copies cheaply.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "interpreter/front/plan_graph.h"
#include "interpreter/front/rational.h"
#include "stdlib/types.h"

namespace sftx {

struct PlanDecl;
struct Module;

// A data expression after evaluation: exact ratios, defaults and seeds filled in,
// normalised (nested scales folded, nested mixes flattened).
struct DataExpr {
  std::string op;                      // source synthetic filter dedup ... scale mix
  nlohmann::json params = nlohmann::json::object();  // canonical; seed included where the op takes one
  std::optional<Rational> k;           // scale
  std::vector<std::shared_ptr<const DataExpr>> inputs;
  std::string name;                    // the binding's name when this is a named top-level value
  std::string label;                   // readable: "mix(math, code)", "1/256 * mix(math, code)"
  NodeOrigin origin;
};
using DataPtr = std::shared_ptr<const DataExpr>;

struct TokenizerValue {
  DataPtr data;                        // trained on this, or
  std::string model_file;              // an existing SentencePiece model (absolute)
  long long vocab = 0;
  std::string model_type = "bpe";
  long long seed = 0;
  std::string label;
};
using TokenizerPtr = std::shared_ptr<const TokenizerValue>;

struct MethodValue {
  nlohmann::json params;               // {"kind": "full"|"lora"|"freeze", ...} (rt::Method fields)
  std::string label;                   // "full", "lora(r = 8)"
};
using MethodPtr = std::shared_ptr<const MethodValue>;

struct MetricValue {
  std::string metric;                  // gsm8k humaneval ...
  nlohmann::json params = nlohmann::json::object();  // keyword arguments, defaults filled
  std::vector<DataPtr> data;           // its evaluation data (tsne: one per source)
  std::string label;                   // "gsm8k(gsm8k_test)"
  NodeOrigin origin;
};
using MetricPtr = std::shared_ptr<const MetricValue>;

struct Value;
struct PlanInstance;
using PlanInstancePtr = std::shared_ptr<const PlanInstance>;

// A Model: a base model (model(...) or hf(...)) or a trained stage of a plan instance.
struct ModelValue {
  // base model
  std::string family;                  // "llama" (model(...))
  std::string preset;                  // after a profile's preset replacement
  std::string hf_dir;                  // hf(...): absolute checkpoint directory
  TokenizerPtr tokenizer;
  // trained stage
  PlanInstancePtr instance;            // the plan instance of a stage (null inside its own plan body)
  int stage = -1;                      // >= 0 for a trained stage
  DataPtr stage_data;                  // a stage's training data (`stage1.data`)
  std::string label;                   // "model(\"llama\", preset = \"nano\")", "dmt(1/4).stage1"
  bool is_stage() const { return stage >= 0; }
};
using ModelPtr = std::shared_ptr<const ModelValue>;

// A hyperparameter value with where it came from.
struct HyperSetting {
  nlohmann::json value;                // integer, double, string, or a method's params
  std::string display;                 // as a user writes it: "2e-5" prints as 0.00002
  std::string provenance;              // builtin | defaults | profile:NAME | with
};
using HyperMap = std::map<std::string, HyperSetting>;

struct StageInstance {
  std::string name;                    // "stage1"
  DataPtr data;                        // null when its expression had an error
  HyperMap hyper;
  NodeOrigin origin;
};

struct PlanDef {
  const PlanDecl* decl = nullptr;
  const Module* module = nullptr;
};

struct PlanInstance {
  PlanDef def;
  std::vector<std::pair<std::string, std::string>> args;  // parameter name -> rendered value
  std::string label;                   // "dmt(1/4)"
  ModelPtr from;                       // the plan's `from`, when it has one
  std::vector<StageInstance> stages;
  NodeOrigin origin;
};

struct Value {
  Type type = Type::unknown;
  Rational number;
  std::string string;
  bool boolean = false;
  std::vector<Value> list;
  std::vector<std::pair<std::string, Value>> record;
  DataPtr data;
  ModelPtr model;
  PlanInstancePtr plan;
  PlanDef plan_def;
  MetricPtr metric;
  TokenizerPtr tokenizer;
  MethodPtr method;
  std::string experiment;              // an experiment's name

  static Value unknown() { return {}; }
  static Value of_number(Rational r) { Value v; v.type = Type::number; v.number = std::move(r); return v; }
  static Value of_string(std::string s) { Value v; v.type = Type::string; v.string = std::move(s); return v; }
  static Value of_bool(bool b) { Value v; v.type = Type::boolean; v.boolean = b; return v; }
  static Value of_data(DataPtr d) { Value v; v.type = Type::data; v.data = std::move(d); return v; }
  static Value of_model(ModelPtr m) { Value v; v.type = Type::model; v.model = std::move(m); return v; }
  static Value of_plan(PlanInstancePtr p) { Value v; v.type = Type::plan; v.plan = std::move(p); return v; }
  static Value of_metric(MetricPtr m) { Value v; v.type = Type::metric; v.metric = std::move(m); return v; }
  static Value of_tokenizer(TokenizerPtr t) { Value v; v.type = Type::tokenizer; v.tokenizer = std::move(t); return v; }
  static Value of_method(MethodPtr m) { Value v; v.type = Type::method; v.method = std::move(m); return v; }
  bool is_unknown() const { return type == Type::unknown; }
};

// A short rendering for labels: 1/4, "text", math, dmt(1/4), [1, 2].
std::string render_value(const Value& v);

// The canonical JSON of a plain value (numbers: integers as integers, other rationals as
// doubles), for built-in keyword parameters.
nlohmann::json plain_json(const Value& v);

}  // namespace sftx
