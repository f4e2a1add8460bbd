#include "interpreter/exec/claims.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace sftx::exec;
using J = nlohmann::json;

namespace {

// A report table aggregated over seeds 1..n with per-seed values of "m.x" for plans a and b.
J table(const std::vector<double>& a, const std::vector<double>& b) {
  J seeds = J::array(), rows = J::array();
  for (size_t i = 0; i < a.size(); ++i) seeds.push_back(i + 1);
  auto row = [&](const std::string& plan, const std::vector<double>& v) {
    J per_seed = J::array();
    for (size_t i = 0; i < v.size(); ++i)
      per_seed.push_back({{"seed", i + 1}, {"metrics", std::isnan(v[i]) ? J::object() : J{{"m.x", v[i]}}}});
    return J{{"plan", plan}, {"per_seed", per_seed}};
  };
  rows.push_back(row("a", a));
  rows.push_back(row("b", b));
  return {{"seeds", seeds}, {"rows", rows}};
}

J ref(const std::string& plan, double c = 1.0) {
  return {{"plan", plan}, {"column", "m.x"}, {"coefficient", c}};
}

// The claim "a < b": b is claimed larger.
J a_below_b() {
  return J::array({{{"name", "a below b"},
                    {"text", "a.m.x < b.m.x"},
                    {"comparisons", {{{"text", "a.m.x < b.m.x"}, {"larger", {ref("b")}}, {"smaller", {ref("a")}}}}}}});
}

}  // namespace

TEST_CASE("claims: the t quantile matches the table and its expansion", "[claims]") {
  CHECK(t_quantile_975(1) == Approx(12.706));
  CHECK(t_quantile_975(2) == Approx(4.303));
  CHECK(t_quantile_975(30) == Approx(2.042).margin(1e-3));
  CHECK(t_quantile_975(31) == Approx(2.0395).margin(1e-3));
  CHECK(t_quantile_975(120) == Approx(1.9799).margin(1e-3));
}

TEST_CASE("claims: a difference beyond its interval holds", "[claims]") {
  // D = 0.10, 0.12, 0.14: mean 0.12, sd 0.02, se 0.02/sqrt(3), half width 4.303 * se = 0.0497.
  J v = check_claims(a_below_b(), table({0.30, 0.28, 0.26}, {0.40, 0.40, 0.40}));
  REQUIRE(v.size() == 1);
  CHECK(v[0]["verdict"] == "holds");
  CHECK(v[0]["n"] == 3);
  const J& c = v[0]["comparisons"][0];
  CHECK(c["mean_difference"].get<double>() == Approx(0.12));
  CHECK(c["ci95"][0].get<double>() == Approx(0.12 - 4.303 * 0.02 / std::sqrt(3.0)));
  CHECK(c["ci95"][1].get<double>() == Approx(0.12 + 4.303 * 0.02 / std::sqrt(3.0)));
  CHECK(c["differences"][2]["seed"] == 3);
  CHECK(c["differences"][2]["difference"].get<double>() == Approx(0.14));
  CHECK(v[0]["rule"] == kClaimRule);
}

TEST_CASE("claims: a difference on the other side fails", "[claims]") {
  J v = check_claims(a_below_b(), table({0.50, 0.52, 0.51}, {0.40, 0.41, 0.40}));
  CHECK(v[0]["verdict"] == "fails");
  CHECK(v[0]["comparisons"][0]["ci95"][1].get<double>() < 0);
}

TEST_CASE("claims: an interval containing 0 is inconclusive", "[claims]") {
  J v = check_claims(a_below_b(), table({0.30, 0.45, 0.35}, {0.40, 0.38, 0.41}));
  CHECK(v[0]["verdict"] == "inconclusive");
  CHECK(v[0]["comparisons"][0]["reason"] == "the interval contains 0");
}

TEST_CASE("claims: equal differences in every seed are one observation, inconclusive", "[claims]") {
  // The same model for every seed on both sides (a few records in one batch, from one base): the
  // difference is -0.005 in every seed, whose t-interval would have zero width and "fail".
  // Six seeds: 0.010 - 0.015 summed six times and divided by 6 is an ulp off -0.005 itself.
  J v = check_claims(a_below_b(),
                     table({0.015, 0.015, 0.015, 0.015, 0.015, 0.015}, {0.010, 0.010, 0.010, 0.010, 0.010, 0.010}));
  CHECK(v[0]["verdict"] == "inconclusive");
  const J& c = v[0]["comparisons"][0];
  CHECK(c["ci95"].is_null());
  CHECK(c["mean_difference"].get<double>() == Approx(-0.005));
  CHECK(c["reason"].get<std::string>().find("every seed gave the same difference") != std::string::npos);
  // One seed apart is spread again, and the interval decides.
  CHECK(check_claims(a_below_b(), table({0.015, 0.015, 0.016}, {0.010, 0.010, 0.010}))[0]["verdict"] == "fails");
}

TEST_CASE("claims: one seed is inconclusive however large the difference", "[claims]") {
  J v = check_claims(a_below_b(), table({0.0}, {1.0}));
  CHECK(v[0]["verdict"] == "inconclusive");
  CHECK(v[0]["comparisons"][0]["n"] == 1);
  CHECK(v[0]["comparisons"][0]["ci95"].is_null());
  CHECK(v[0]["comparisons"][0]["mean_difference"].get<double>() == Approx(1.0));
}

TEST_CASE("claims: a missing value (a failed node) makes the claim inconclusive, never a pass", "[claims]") {
  double nan = std::nan("");
  // Seeds 1-3 alone would hold clearly; seed 4 of b is missing.
  J v = check_claims(a_below_b(), table({0.1, 0.1, 0.1, 0.1}, {0.9, 0.91, 0.92, nan}));
  CHECK(v[0]["verdict"] == "inconclusive");
  const J& c = v[0]["comparisons"][0];
  CHECK(c["n"] == 3);
  CHECK(c["missing"] == J::array({"b: m.x (seed 4)"}));
  CHECK(c["reason"] == "missing values (a failed or skipped node)");
  // A plan with no row at all (its evaluation never ran).
  J only_a = table({0.1, 0.2}, {0.5, 0.6});
  only_a["rows"].erase(1);
  CHECK(check_claims(a_below_b(), only_a)[0]["verdict"] == "inconclusive");
}

TEST_CASE("claims: constants and coefficients enter the difference, `and` combines verdicts", "[claims]") {
  // b > 2 * a - 0.05  <=>  D = b - 2a + 0.05
  J scaled = {{"text", "b.m.x > 2 * a.m.x - 0.05"},
              {"larger", {ref("b")}},
              {"smaller", {ref("a", 2.0), {{"coefficient", -0.05}}}}};
  J failing = {{"text", "b.m.x < a.m.x"}, {"larger", {ref("a")}}, {"smaller", {ref("b")}}};
  J t = table({0.20, 0.20, 0.21}, {0.40, 0.40, 0.41});  // D = 0.05, 0.05, 0.04
  J one = J::array({{{"name", "scaled"}, {"comparisons", {scaled}}}});
  J v = check_claims(one, t);
  CHECK(v[0]["verdict"] == "holds");
  CHECK(v[0]["comparisons"][0]["differences"][0]["difference"].get<double>() == Approx(0.40 - 0.40 + 0.05));
  J both = J::array({{{"name", "both"}, {"comparisons", {scaled, failing}}}});
  CHECK(check_claims(both, t)[0]["verdict"] == "fails");
  J unsure = {{"text", "b.m.x > a.m.x + 0.2"},
              {"larger", {ref("b")}},
              {"smaller", {ref("a"), {{"coefficient", 0.2}}}}};
  J mixed = J::array({{{"name", "mixed"}, {"comparisons", {scaled, unsure}}}});
  CHECK(check_claims(mixed, t)[0]["verdict"] == "inconclusive");
}

TEST_CASE("claims: a table without seeds is one run, inconclusive", "[claims]") {
  J t = {{"rows", J::array({{{"plan", "a"}, {"metrics", {{"m.x", 0.1}}}}, {{"plan", "b"}, {"metrics", {{"m.x", 0.9}}}}})}};
  J v = check_claims(a_below_b(), t);
  CHECK(v[0]["verdict"] == "inconclusive");
  CHECK(v[0]["comparisons"][0]["n"] == 1);
  std::string text = claims_text(v);
  CHECK(text.find("inconclusive") == 0);
  CHECK(text.find("\"a below b\": mean difference 0.8000, n = 1") != std::string::npos);
  std::string md = claims_markdown(v);
  CHECK(md.find("## Claims") != std::string::npos);
  CHECK(md.find("| a below b | inconclusive | `a.m.x < b.m.x` | 0.8000 | - | 1 |") != std::string::npos);
}
