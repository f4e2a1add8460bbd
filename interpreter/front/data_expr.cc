#include "interpreter/front/data_expr.h"

namespace sftx {

namespace {
std::shared_ptr<DataExpr> fresh(std::string op, NodeOrigin origin) {
  auto d = std::make_shared<DataExpr>();
  d->op = std::move(op);
  d->origin = std::move(origin);
  return d;
}
}  // namespace

std::string data_ref(const DataPtr& d, bool as_operand) {
  if (!d) return "?";
  if (!d->name.empty()) return d->name;
  if (as_operand && (d->op == "scale" || d->label.find(" |> ") != std::string::npos)) return "(" + d->label + ")";
  return d->label;
}

DataPtr data_leaf(std::string op, nlohmann::json params, std::string label, NodeOrigin origin) {
  auto d = fresh(std::move(op), std::move(origin));
  d->params = std::move(params);
  d->label = std::move(label);
  return d;
}

DataPtr data_transform(std::string op, nlohmann::json params, std::vector<DataPtr> inputs,
                       const std::string& args_text, NodeOrigin origin) {
  auto d = fresh(op, std::move(origin));
  d->params = std::move(params);
  d->label = data_ref(inputs.front()) + " |> " + op + (args_text.empty() ? "" : "(" + args_text + ")");
  d->inputs = std::move(inputs);
  return d;
}

DataPtr data_scale(const Rational& k, DataPtr input, long long seed, NodeOrigin origin) {
  // 1 * d is d, record for record and in d's order (scale_data writes one full copy), so it
  // is the same node: rq2's mixed(1) and maths_alone(1) share table1's multitask and
  // maths_only stages instead of training them again.
  if (k == Rational(1)) return input;
  Rational factor = k;
  DataPtr base = std::move(input);
  // Fold a subsample of a subsample. The folded product of two ratios <= 1 is <= 1 and its
  // numerator and denominator are each below the product of theirs, so it stays bounded.
  if (base->op == "scale" && base->k && factor <= Rational(1) && *base->k <= Rational(1)) {
    auto product = Rational::mul(factor, *base->k, nullptr);
    if (product && product->to_fraction()) {
      factor = *product;
      base = base->inputs.front();
    }
  }
  auto d = fresh("scale", std::move(origin));
  d->k = factor;
  d->params = {{"k", factor.fraction_str()}, {"seed", seed}};
  d->label = factor.str() + " * " + data_ref(base, true);
  d->inputs = {std::move(base)};
  return d;
}

DataPtr data_mix(std::vector<DataPtr> inputs, long long seed, NodeOrigin origin) {
  std::vector<DataPtr> flat;
  bool flattened_all = true;
  std::size_t total = 0;
  for (const auto& in : inputs) total += in->op == "mix" ? in->inputs.size() : 1;
  if (total > kMaxFlatMixInputs) flattened_all = false;
  for (auto& in : inputs) {
    if (flattened_all && in->op == "mix") {
      for (const auto& inner : in->inputs) flat.push_back(inner);
    } else {
      flat.push_back(std::move(in));
    }
  }
  auto d = fresh("mix", std::move(origin));
  d->params = {{"seed", seed}};
  std::string label = "mix(";
  for (std::size_t i = 0; i < flat.size(); ++i) label += (i ? ", " : "") + data_ref(flat[i]);
  d->label = label + ")";
  d->inputs = std::move(flat);
  return d;
}

DataPtr data_named(const DataPtr& d, const std::string& name) {
  if (!d || d->name == name) return d;
  auto copy = std::make_shared<DataExpr>(*d);
  copy->name = name;
  return copy;
}

}  // namespace sftx
