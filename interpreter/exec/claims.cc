#include "interpreter/exec/claims.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace sftx::exec {

namespace {

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

std::string seed_text(const nlohmann::json& seed) { return seed.is_null() ? "the single run" : "seed " + seed.dump(); }

// The number at metrics[column] of `holder` (a row or a per-seed entry), or null. Pointers
// into `table` itself: value() would copy, and a pointer into a copy dangles.
const nlohmann::json* number_in(const nlohmann::json& holder, const std::string& column) {
  auto m = holder.find("metrics");
  if (m == holder.end() || !m->is_object()) return nullptr;
  auto it = m->find(column);
  return it != m->end() && it->is_number() ? &*it : nullptr;
}

// The value of `column` for `plan` at `seed` (null: the table has no seeds), if present.
const nlohmann::json* value_at(const nlohmann::json& table, const std::string& plan, const std::string& column,
                               const nlohmann::json& seed) {
  auto rows = table.find("rows");
  if (rows == table.end() || !rows->is_array()) return nullptr;
  for (const auto& row : *rows) {
    if (row.value("plan", "") != plan) continue;
    auto per_seed = row.find("per_seed");
    if (per_seed == row.end()) return number_in(row, column);
    for (const auto& s : *per_seed)
      if (s.value("seed", nlohmann::json()) == seed) return number_in(s, column);
    return nullptr;
  }
  return nullptr;
}

nlohmann::json check_comparison(const nlohmann::json& cmp, const nlohmann::json& table) {
  nlohmann::json seeds = table.contains("seeds") ? table["seeds"] : nlohmann::json::array({nullptr});
  nlohmann::json differences = nlohmann::json::array();
  nlohmann::json missing = nlohmann::json::array();
  std::vector<double> ds;
  for (const auto& seed : seeds) {
    double d = 0;
    bool complete = true;
    auto add = [&](const nlohmann::json& terms, double sign) {
      for (const auto& t : terms) {
        double c = t.value("coefficient", 1.0);
        if (!t.contains("plan")) {
          d += sign * c;
          continue;
        }
        const nlohmann::json* v = value_at(table, t["plan"].get<std::string>(), t["column"].get<std::string>(), seed);
        if (!v) {
          complete = false;
          missing.push_back(t["plan"].get<std::string>() + ": " + t["column"].get<std::string>() + " (" +
                            seed_text(seed) + ")");
          continue;
        }
        d += sign * c * v->get<double>();
      }
    };
    add(cmp.value("larger", nlohmann::json::array()), 1.0);
    add(cmp.value("smaller", nlohmann::json::array()), -1.0);
    if (!complete) continue;
    differences.push_back({{"seed", seed}, {"difference", d}});
    ds.push_back(d);
  }
  std::size_t n = ds.size();
  nlohmann::json out = {{"text", cmp.value("text", "")}, {"n", n}, {"differences", differences}};
  if (!missing.empty()) out["missing"] = missing;
  double mean = 0;
  for (double d : ds) mean += d;
  if (n) mean /= static_cast<double>(n);
  out["mean_difference"] = n ? nlohmann::json(mean) : nlohmann::json();
  out["ci95"] = nullptr;
  if (n >= 2) {
    // Every seed giving the same difference means the seeds did not vary it (e.g. a stage of a
    // few records in one batch, from one base: the same model for every seed). That is one
    // observation, not n, and its zero-width interval says nothing about uncertainty. (Compared
    // as values: their mean can be an ulp off each, so their sum of squares need not be 0.)
    if (missing.empty() && std::all_of(ds.begin(), ds.end(), [&](double d) { return d == ds.front(); })) {
      out["verdict"] = "inconclusive";
      out["reason"] = "every seed gave the same difference, so the seeds did not vary it: no interval";
      return out;
    }
    double ss = 0;
    for (double d : ds) ss += (d - mean) * (d - mean);
    double se = std::sqrt(ss / static_cast<double>(n - 1)) / std::sqrt(static_cast<double>(n));
    double half = t_quantile_975(static_cast<int>(n) - 1) * se;
    out["ci95"] = {mean - half, mean + half};
    if (missing.empty()) {
      if (mean - half > 0) out["verdict"] = "holds";
      else if (mean + half < 0) out["verdict"] = "fails";
      else {
        out["verdict"] = "inconclusive";
        out["reason"] = "the interval contains 0";
      }
      return out;
    }
  }
  out["verdict"] = "inconclusive";
  if (!missing.empty()) out["reason"] = "missing values (a failed or skipped node)";
  else out["reason"] = n == 0 ? "no values" : "n = " + std::to_string(n) + ": at least 2 seeds are needed";
  return out;
}

}  // namespace

double t_quantile_975(int df) {
  static const double table[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                 2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                                 2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  if (df < 1) df = 1;
  if (df <= 30) return table[df - 1];
  // Cornish-Fisher expansion around the normal quantile: within 1e-4 of the exact value past 30 df.
  const double z = 1.959963984540054, v = df;
  double z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z;
  return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v) +
         (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v * v * v);
}

nlohmann::json check_claims(const nlohmann::json& claims, const nlohmann::json& table) {
  nlohmann::json out = nlohmann::json::array();
  if (!claims.is_array()) return out;
  for (const auto& claim : claims) {
    nlohmann::json comparisons = nlohmann::json::array();
    bool all_hold = true, any_fails = false;
    std::size_t n = 0;
    bool first = true;
    for (const auto& cmp : claim.value("comparisons", nlohmann::json::array())) {
      nlohmann::json c = check_comparison(cmp, table);
      all_hold &= c["verdict"] == "holds";
      any_fails |= c["verdict"] == "fails";
      std::size_t cn = c["n"].get<std::size_t>();
      n = first ? cn : std::min(n, cn);
      first = false;
      comparisons.push_back(std::move(c));
    }
    std::string verdict = any_fails ? "fails" : all_hold && !comparisons.empty() ? "holds" : "inconclusive";
    out.push_back({{"name", claim.value("name", "")},
                   {"text", claim.value("text", "")},
                   {"origin", claim.value("origin", "")},
                   {"verdict", verdict},
                   {"n", n},
                   {"rule", kClaimRule},
                   {"comparisons", comparisons}});
  }
  return out;
}

namespace {

std::string comparison_numbers(const nlohmann::json& c) {
  std::string s;
  if (c["mean_difference"].is_number()) s += "mean difference " + num(c["mean_difference"].get<double>());
  else s += "mean difference -";
  if (c["ci95"].is_array()) s += ", 95% CI [" + num(c["ci95"][0].get<double>()) + ", " + num(c["ci95"][1].get<double>()) + "]";
  s += ", n = " + std::to_string(c["n"].get<std::size_t>());
  if (c.contains("reason")) s += " (" + c["reason"].get<std::string>() + ")";
  return s;
}

}  // namespace

std::string claims_text(const nlohmann::json& verdicts) {
  std::string out;
  for (const auto& v : verdicts) {
    std::string verdict = v.value("verdict", "");
    std::string head = verdict + std::string(verdict.size() < 13 ? 13 - verdict.size() : 1, ' ') + "\"" +
                       v.value("name", "") + "\"";
    const auto& cs = v["comparisons"];
    if (cs.size() == 1) {
      out += head + ": " + comparison_numbers(cs[0]) + "\n";
      continue;
    }
    out += head + ":\n";
    for (const auto& c : cs)
      out += "               " + c.value("verdict", "") + ": " + c.value("text", "") + ": " + comparison_numbers(c) + "\n";
  }
  return out;
}

std::string claims_markdown(const nlohmann::json& verdicts) {
  if (!verdicts.is_array() || verdicts.empty()) return "";
  std::string md = "\n## Claims\n\n| claim | verdict | comparison | mean difference | 95% CI | n |\n| --- | --- | --- | ---: | --- | ---: |\n";
  auto esc = [](const std::string& s) {
    std::string o;
    for (char c : s) o += c == '|' ? std::string("\\|") : std::string(1, c);
    return o;
  };
  for (const auto& v : verdicts) {
    for (const auto& c : v["comparisons"]) {
      std::string ci = c["ci95"].is_array()
                           ? "[" + num(c["ci95"][0].get<double>()) + ", " + num(c["ci95"][1].get<double>()) + "]"
                           : "-";
      std::string mean = c["mean_difference"].is_number() ? num(c["mean_difference"].get<double>()) : "-";
      std::string verdict = v.value("verdict", "");
      if (v["comparisons"].size() > 1) verdict += " (this part: " + c.value("verdict", "") + ")";
      md += "| " + esc(v.value("name", "")) + " | " + verdict + " | `" + esc(c.value("text", "")) + "` | " + mean +
            " | " + ci + " | " + std::to_string(c["n"].get<std::size_t>()) + " |\n";
    }
  }
  md += "\nRule: " + std::string(kClaimRule) + ".\n";
  return md;
}

}  // namespace sftx::exec
