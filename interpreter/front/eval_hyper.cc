// Hyperparameters: built-in < file defaults < profile < with. Each value is checked against
// its declaration in stdlib/hyperparams (type, bounds, choices) where it is written.
#include <algorithm>

#include "interpreter/front/did_you_mean.h"
#include "interpreter/front/evaluator_impl.h"
#include "stdlib/hyperparams.h"

namespace sftx {

namespace {

std::string number_display(const Rational& r) {
  if (r.is_integer()) return r.str();
  if (auto d = r.decimal_str(12)) return *d;
  return r.str();
}


// Converts a profile's TOML value to a language value; nullopt (and *why) when it cannot be.
std::optional<Value> config_value(const ConfigValue& c, std::string* why) {
  switch (c.kind) {
    case ConfigValue::Kind::integer:
    case ConfigValue::Kind::real: {
      std::string text = c.text;
      bool negative = !text.empty() && text[0] == '-';
      if (!text.empty() && (text[0] == '-' || text[0] == '+')) text = text.substr(1);
      text.erase(std::remove(text.begin(), text.end(), '_'), text.end());
      auto r = Rational::parse_literal(text, why);
      if (!r) return std::nullopt;
      return Value::of_number(negative ? r->negated() : *r);
    }
    case ConfigValue::Kind::string: {
      std::string s = c.text;
      try {
        auto j = nlohmann::json::parse(s);
        if (j.is_string()) s = j.get<std::string>();
      } catch (const std::exception&) {
        if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'')) s = s.substr(1, s.size() - 2);
      }
      return Value::of_string(s);
    }
    case ConfigValue::Kind::boolean: return Value::of_bool(c.text == "true");
  }
  return std::nullopt;
}

// "" when `v` is a valid value of hyperparameter `h`; else what is wrong. Fills `out`.
std::string hyper_value(const HyperParam& h, const Value& v, HyperSetting& out) {
  auto bound = [](const std::optional<std::string>& lit) {
    return lit ? Rational::parse_literal(*lit, nullptr) : std::nullopt;
  };
  switch (h.kind) {
    case HyperKind::integer: {
      if (v.type != Type::number) return "'" + h.name + "' must be a Number, not " + type_name(v.type);
      if (!v.number.is_integer() || !v.number.to_int64())
        return "'" + h.name + "' must be a whole number, not " + v.number.str();
      if (auto min = bound(h.min); min && v.number < *min) return "'" + h.name + "' must be at least " + min->str();
      out.value = *v.number.to_int64();
      out.display = v.number.str();
      return "";
    }
    case HyperKind::real: {
      if (v.type != Type::number) return "'" + h.name + "' must be a Number, not " + type_name(v.type);
      if (auto min = bound(h.min); min && v.number < *min) return "'" + h.name + "' must be at least " + min->str();
      if (auto max = bound(h.max); max && v.number > *max) return "'" + h.name + "' must be at most " + max->str();
      out.value = v.number.to_double();
      out.display = number_display(v.number);
      return "";
    }
    case HyperKind::string: {
      if (v.type != Type::string) return "'" + h.name + "' must be a String, not " + type_name(v.type);
      if (std::find(h.choices.begin(), h.choices.end(), v.string) == h.choices.end()) {
        std::string what = h.name == "template" ? "chat template" : h.name;
        return "unknown " + what + " '" + v.string + "'";
      }
      out.value = v.string;
      out.display = nlohmann::json(v.string).dump();
      return "";
    }
    case HyperKind::method: {
      rt::Method defaults;
      if (v.type == Type::string && v.string == "full") {
        out.value = {{"kind", "full"},
                     {"lora_r", defaults.lora_r},
                     {"lora_alpha", defaults.lora_alpha},
                     {"lora_dropout", defaults.lora_dropout},
                     {"lora_targets", defaults.lora_targets},
                     {"freeze_layers", defaults.freeze_layers}};
        out.display = "\"full\"";
        return "";
      }
      if (v.type == Type::method && v.method) {
        out.value = v.method->params;
        out.display = v.method->label;
        return "";
      }
      return "'method' must be \"full\", lora(...) or freeze(...)";
    }
  }
  return "";
}

// Help for an unknown hyperparameter: sftx's name for a common alias (transformers' spelling:
// learning_rate, num_train_epochs, ...), else the closest name.
std::string unknown_hyper_help(const std::string& name) {
  if (const std::string* canonical = hyperparam_alias(name))
    return "did you mean '" + *canonical + "'? (sftx's name for " + name + ")";
  return did_you_mean(name, hyperparam_names());
}

// method = "lora" / "freeze": the method is a call, shown with its settings.
std::string method_call_help(const std::string& written) {
  rt::Method d;
  if (written == "lora" || written == "LoRA" || written == "LORA")
    return "a LoRA method is a call: method = lora(r = " + std::to_string(d.lora_r) + ", alpha = " +
           std::to_string(static_cast<long long>(d.lora_alpha)) + ")";
  if (written == "freeze") return "freezing is a call that says how many top layers train: method = freeze(layers = 2)";
  return "";
}

}  // namespace

bool Evaluator::Impl::set_hyper(HyperMap& map, const std::string& name, const Value& v,
                                const std::string& provenance, const Module& m, SourceRange name_range,
                                SourceRange value_range) {
  const HyperParam* h = find_hyperparam(name);
  if (!h) {
    auto& d = error(m, name_range, "unknown hyperparameter '" + name + "'");
    std::string hint = unknown_hyper_help(name);
    if (!hint.empty()) d.help(hint);
    return false;
  }
  if (v.is_unknown()) return false;
  HyperSetting s;
  std::string wrong = hyper_value(*h, v, s);
  if (!wrong.empty()) {
    auto& d = error(m, value_range, wrong);
    if (h->kind == HyperKind::string && v.type == Type::string) {
      std::string hint = did_you_mean(v.string, h->choices);
      if (!hint.empty()) d.help(hint);
      d.note("known: " + join_names(h->choices));
    }
    if (h->kind == HyperKind::method && v.type == Type::string) {
      std::string hint = method_call_help(v.string);
      if (!hint.empty()) d.help(hint);
    }
    return false;
  }
  s.provenance = provenance;
  map[name] = s;
  return true;
}

void Evaluator::Impl::apply_profile(HyperMap& map) {
  if (!profile) return;
  for (const auto& entry : profile->train) {
    // Named references, not a structured binding: clang 14 (the fuzzer's compiler) cannot
    // capture structured bindings in the lambda below.
    const std::string& name = entry.first;
    const ConfigValue& c = entry.second;
    std::string where = config && !config->path.empty() ? config->path.string() : "sftx.toml";
    const HyperParam* h = find_hyperparam(name);
    auto report = [&](const std::string& message) -> Diagnostic& {
      if (!reported.emplace(where, c.line, c.column, message).second) {
        discarded = Diagnostic{};
        return discarded;
      }
      return diags.error(where, c.line, c.column, message);
    };
    if (!h) {
      auto& d = report("unknown hyperparameter '" + name + "' in [profile." + profile->name + ".train]");
      std::string hint = unknown_hyper_help(name);
      if (!hint.empty()) d.help(hint);
      continue;
    }
    std::string why;
    auto v = config_value(c, &why);
    if (!v) {
      report("profile value of '" + name + "': " + why);
      continue;
    }
    HyperSetting s;
    std::string wrong = hyper_value(*h, *v, s);
    if (!wrong.empty()) {
      report(wrong + " (in [profile." + profile->name + ".train])");
      continue;
    }
    s.provenance = "profile:" + profile->name;
    map[name] = s;
  }
}

const HyperMap& Evaluator::Impl::module_hyper(const Module& m) {
  auto done = module_hypers.find(&m);
  if (done != module_hypers.end()) return done->second;
  static const HyperMap builtin = [] {
    HyperMap map;
    for (const auto& h : hyperparams()) {
      Value v;
      if (h.kind == HyperKind::integer || h.kind == HyperKind::real)
        v = Value::of_number(*Rational::parse_literal(h.default_literal, nullptr));
      else
        v = Value::of_string(h.default_literal);
      HyperSetting s;
      hyper_value(h, v, s);
      s.provenance = "builtin";
      map[h.name] = s;
    }
    return map;
  }();
  if (hypers_in_progress.count(&m)) return builtin;  // a default that uses a data operation
  hypers_in_progress.insert(&m);
  HyperMap map = builtin;
  Env env;
  env.module = &m;
  std::map<std::string, const Field*> seen;
  for (const Field* f : m.defaults) {
    auto [it, fresh] = seen.emplace(f->name, f);
    if (!fresh) {
      LineColumn lc = m.source.location(it->second->name_range.begin);
      error(m, f->name_range, "'" + f->name + "' is set twice in defaults")
          .note("first set here: " + m.path + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column));
      continue;
    }
    Value v = eval(*f->value, env);
    set_hyper(map, f->name, v, "defaults", m, f->name_range, f->value->range);
  }
  apply_profile(map);
  hypers_in_progress.erase(&m);
  return module_hypers[&m] = std::move(map);
}

}  // namespace sftx
