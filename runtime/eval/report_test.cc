#include "runtime/eval/report.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "runtime/api.h"

using namespace sftx::rt;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {
std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}
json k_sweep_table() {
  return {{"experiment", "k_sweep"},
          {"columns", {"gsm8k.accuracy", "humaneval.pass@1"}},
          {"rows",
           {{{"plan", "dmt(1)"}, {"params", {{"k", "1"}}}, {"metrics", {{"gsm8k.accuracy", 0.25}, {"humaneval.pass@1", 0.1}}}},
            {{"plan", "dmt(1/4)"}, {"params", {{"k", "1/4"}}}, {"metrics", {{"gsm8k.accuracy", 0.3125}}}},
            {{"plan", "dmt(1/256)"},
             {"params", {{"k", "1/256"}}},
             {"metrics", {{"gsm8k.accuracy", 0.123456789}, {"humaneval.pass@1", 0.05}}}}}}};
}
}  // namespace

TEST_CASE("report: exact Markdown and CSV for a known table", "[report]") {
  auto t = k_sweep_table();
  CHECK(report_markdown(t) ==
        "| plan | gsm8k.accuracy | humaneval.pass@1 |\n"
        "| --- | ---: | ---: |\n"
        "| dmt(1) | 0.2500 | 0.1000 |\n"
        "| dmt(1/4) | 0.3125 | - |\n"
        "| dmt(1/256) | 0.1235 | 0.0500 |\n");
  CHECK(report_csv(t) ==
        "plan,k,gsm8k.accuracy,humaneval.pass@1\n"
        "dmt(1),1,0.25,0.1\n"
        "dmt(1/4),1/4,0.3125,\n"
        "dmt(1/256),1/256,0.123456789,0.05\n");
}

TEST_CASE("report: parameters, varying parameter, CSV quoting", "[report]") {
  CHECK(parameter_value("1/4") == Approx(0.25));
  CHECK(parameter_value(json(3)) == Approx(3.0));
  CHECK(parameter_value("0.5") == Approx(0.5));
  CHECK_FALSE(parameter_value("math").has_value());
  CHECK_FALSE(parameter_value("1/0").has_value());
  CHECK(varying_parameter(k_sweep_table()) == "k");
  json two{{"rows",
            {{{"plan", "a"}, {"params", {{"k", "1"}, {"f", "1/2"}}}, {"metrics", json::object()}},
             {{"plan", "b"}, {"params", {{"k", "1/2"}, {"f", "1"}}}, {"metrics", json::object()}}}}};
  CHECK(varying_parameter(two) == "");
  json plain{{"rows",
              {{{"plan", "multitask"}, {"metrics", {{"m", 1}}}}, {{"plan", "mix(a, b)"}, {"metrics", {{"m", 2}}}}}}};
  CHECK(varying_parameter(plain) == "");
  CHECK(report_csv(plain) == "plan,m\nmultitask,1\n\"mix(a, b)\",2\n");
}

TEST_CASE("report: write_report writes md/csv/json and one PNG per metric for a sweep", "[report]") {
  fs::path dir = fs::temp_directory_path() / "sftx-report-test";
  fs::remove_all(dir);
  auto md = write_report(k_sweep_table(), dir.string());
  CHECK(md == slurp(dir / "table.md"));
  CHECK(slurp(dir / "table.csv").rfind("plan,k,", 0) == 0);
  auto j = json::parse(slurp(dir / "table.json"));
  CHECK(j["experiment"] == "k_sweep");
  CHECK(j["plots"] == json({"gsm8k.accuracy.png", "humaneval.pass_1.png"}));
  for (const char* png : {"gsm8k.accuracy.png", "humaneval.pass_1.png"}) {
    std::string head = slurp(dir / png).substr(0, 8);
    CHECK(head == std::string("\x89PNG\r\n\x1a\n", 8));
  }
  // The sweep's x axis is log2 (1/256 .. 1).
  CHECK(slurp(dir / "gsm8k.accuracy.gp").find("set logscale x 2") != std::string::npos);

  // No varying parameter: tables but no plots.
  fs::path dir2 = fs::temp_directory_path() / "sftx-report-test-2";
  fs::remove_all(dir2);
  json table1{{"experiment", "table1"},
              {"rows", {{{"plan", "multitask"}, {"metrics", {{"ifeval.prompt_strict", 0.5}}}}}}};
  write_report(table1, dir2.string());
  CHECK(json::parse(slurp(dir2 / "table.json"))["plots"].empty());
  CHECK_FALSE(fs::exists(dir2 / "ifeval.prompt_strict.png"));
  fs::remove_all(dir);
  fs::remove_all(dir2);
}

namespace {
// A k sweep over 3 seeds as report_table (interpreter/exec) aggregates it; humaneval has a
// single seed for k = 1/4, and the table has a count column.
json seeded_table() {
  auto row = [](const char* plan, const char* k, double acc, double sd, int n) {
    return json{{"plan", plan},
                {"params", {{"k", k}}},
                {"metrics", {{"gsm8k.accuracy", acc}, {"perplexity.tokens", 1000}}},
                {"std", {{"gsm8k.accuracy", sd}, {"perplexity.tokens", 0}}},
                {"n", {{"gsm8k.accuracy", n}, {"perplexity.tokens", n}}},
                {"per_seed", json::array()}};
  };
  return {{"experiment", "k_sweep"},
          {"columns", {"gsm8k.accuracy", "perplexity.tokens"}},
          {"column_kinds", {{"gsm8k.accuracy", "rate"}, {"perplexity.tokens", "count"}}},
          {"seeds", {1, 2, 3}},
          {"rows", {row("dmt(1)", "1", 0.25, 0.05, 3), row("dmt(1/4)", "1/4", 0.3, 0.0, 1), row("dmt(1/16)", "1/16", 0.4, 0.1, 3)}}};
}
}  // namespace

TEST_CASE("report: seeds show mean ± std (n) in Markdown and std/n columns in CSV", "[report][seeds]") {
  auto t = seeded_table();
  std::string md = report_markdown(t);
  CHECK(md.find("| dmt(1) | 0.2500 ± 0.0500 (n=3) | 1000 ± 0 (n=3) |") != std::string::npos);
  CHECK(md.find("| dmt(1/4) | 0.3000 (n=1) |") != std::string::npos);
  CHECK(md.find("over seeds [1, 2, 3]") != std::string::npos);
  std::string csv = report_csv(t);
  CHECK(csv.rfind("plan,k,gsm8k.accuracy,gsm8k.accuracy std,gsm8k.accuracy n,perplexity.tokens,", 0) == 0);
  CHECK(csv.find("dmt(1),1,0.25,0.05,3,1000,0,3\n") != std::string::npos);
}

TEST_CASE("report: a rate's axis is [0, 1], counts are not plotted, seeds give error bars", "[report][seeds]") {
  fs::path dir = fs::temp_directory_path() / "sftx-report-test-seeds";
  fs::remove_all(dir);
  write_report(seeded_table(), dir.string());
  auto j = json::parse(slurp(dir / "table.json"));
  CHECK(j["plots"] == json({"gsm8k.accuracy.png"}));  // not perplexity.tokens: a count
  std::string gp = slurp(dir / "gsm8k.accuracy.gp");
  CHECK(gp.find("set yrange [0:1]") != std::string::npos);
  CHECK(gp.find("using 1:2:3 with yerrorlines") != std::string::npos);
  std::string dat = slurp(dir / "gsm8k.accuracy.dat");
  CHECK(dat.find("0.0625 0.4 0.1\n") != std::string::npos);   // x y std
  CHECK(dat.find("0.25 0.3 0\n") != std::string::npos);       // one seed: no spread
  fs::remove_all(dir);
}

TEST_CASE("report: two plan families swept over one parameter are two lines, ticks from both", "[report]") {
  // rq2_mixing: mixed(fraction) at 1, 1/16, 1/256 and maths_alone(fraction) at 1 and 1/256.
  auto row = [](const char* plan, const char* f, double acc) {
    return json{{"plan", plan}, {"params", {{"fraction", f}}}, {"metrics", {{"gsm8k.accuracy", acc}}}};
  };
  json t{{"experiment", "rq2_mixing"},
         {"columns", {"gsm8k.accuracy"}},
         {"rows",
          {row("mixed(1)", "1", 0.5), row("mixed(1/16)", "1/16", 0.3), row("mixed(1/256)", "1/256", 0.1),
           row("maths_alone(1)", "1", 0.6), row("maths_alone(1/256)", "1/256", 0.05)}}};
  fs::path dir = fs::temp_directory_path() / "sftx-report-test-families";
  fs::remove_all(dir);
  write_report(t, dir.string());
  std::string gp = slurp(dir / "gsm8k.accuracy.gp");
  CHECK(gp.find("index 0") != std::string::npos);
  CHECK(gp.find("index 1") != std::string::npos);
  CHECK(gp.find("title 'mixed'") != std::string::npos);
  CHECK(gp.find("title 'maths_alone'") != std::string::npos);
  // one tick per distinct x, labelled as written
  CHECK(gp.find("set xtics ('1/256' 0.00390625, '1/16' 0.0625, '1' 1)") != std::string::npos);
  fs::remove_all(dir);
}
