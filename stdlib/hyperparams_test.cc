#include "stdlib/hyperparams.h"

#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <regex>
#include <string>

#include "runtime/api.h"

namespace {
// The defaults are decimal literals ("3", "2e-5", "0.03"): std::stod reads them as the checker's
// exact rationals would round them.
double number(const char* name) {
  const auto* h = sftx::find_hyperparam(name);
  REQUIRE(h);
  size_t used = 0;
  const double v = std::stod(h->default_literal, &used);
  REQUIRE(used == h->default_literal.size());
  return v;
}
std::string text(const char* name) {
  const auto* h = sftx::find_hyperparam(name);
  REQUIRE(h);
  return h->default_literal;
}
}  // namespace

TEST_CASE("built-in hyperparameter defaults equal rt::TrainHyper's", "[hyperparams]") {
  sftx::rt::TrainHyper hp;
  CHECK(number("epochs") == hp.epochs);
  CHECK(number("lr") == hp.lr);
  CHECK(number("batch") == hp.batch);
  CHECK(number("grad_accum") == hp.grad_accum);
  CHECK(number("warmup") == hp.warmup);
  CHECK(text("schedule") == hp.schedule);
  CHECK(number("weight_decay") == hp.weight_decay);
  CHECK(number("clip") == hp.clip);
  CHECK(number("seed") == static_cast<double>(hp.seed));
  CHECK(number("max_steps") == hp.max_steps);
  CHECK(number("seq_len") == hp.seq_len);
  CHECK(text("dtype") == hp.dtype);
  CHECK(number("log_every") == hp.log_every);
  CHECK(number("save_every") == hp.save_every);
  sftx::rt::PackSpec pack;
  CHECK(text("template") == pack.chat_template);
  CHECK(text("packing") == (pack.packed ? "packed" : "padded"));
  sftx::rt::Method method;
  CHECK(text("method") == method.kind);
}

TEST_CASE("every hyperparameter is named once and has a target", "[hyperparams]") {
  auto names = sftx::hyperparam_names();
  std::sort(names.begin(), names.end());
  CHECK(std::adjacent_find(names.begin(), names.end()) == names.end());
  for (const auto& h : sftx::hyperparams()) CHECK_FALSE(h.target.empty());
  CHECK_FALSE(sftx::find_hyperparam("learning_rate"));
}

// docs/language.md's table of stage hyperparameters is the contract's list: every row names a
// hyperparameter the checker accepts, with its built-in default, and every one the checker
// accepts has a row (its choices named in it), so neither side can gain a setting alone.
TEST_CASE("the language reference's hyperparameter table is the table the checker reads", "[hyperparams][docs]") {
  std::ifstream in(std::string(SFTX_SOURCE_DIR) + "/docs/language.md");
  REQUIRE(in);
  std::map<std::string, std::pair<std::string, std::string>> rows;  // name -> (default, whole row)
  bool inside = false;
  static const std::regex row(R"(^\| `([a-z_]+)` \| ([^|]+) \|.*\|\s*$)");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) inside = line == "## Stage hyperparameters";
    std::smatch m;
    if (inside && std::regex_match(line, m, row)) {
      std::string def = m[2].str();
      def.erase(def.find_last_not_of(' ') + 1);
      for (const char* quote : {"`", "\""})
        for (auto at = def.find(quote); at != std::string::npos; at = def.find(quote)) def.erase(at, 1);
      CHECK(rows.emplace(m[1].str(), std::make_pair(def, line)).second);
    }
  }
  REQUIRE(rows.size() >= 10);  // the table was found
  for (const auto& h : sftx::hyperparams()) {
    INFO(h.name);
    auto it = rows.find(h.name);
    REQUIRE(it != rows.end());
    CHECK(it->second.first == h.default_literal);
    for (const auto& choice : h.choices) {
      INFO(choice);
      CHECK(it->second.second.find(choice) != std::string::npos);
    }
  }
  for (const auto& [name, value] : rows) {
    INFO(name);
    CHECK(sftx::find_hyperparam(name) != nullptr);
  }
}
