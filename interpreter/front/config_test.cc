#include "interpreter/front/config.h"
#include "interpreter/front/executor_config.h"

#include <unistd.h>

#include <fstream>

#include <catch2/catch.hpp>

namespace fs = std::filesystem;
using sftx::Diagnostics;

namespace {

// A fresh directory per test, removed at the end.
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("sftx-config-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(counter()++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  static int& counter() { static int n = 0; return n; }
  fs::path write(const std::string& name, const std::string& text) const {
    fs::create_directories((path / name).parent_path());
    std::ofstream(path / name) << text;
    return path / name;
  }
};

}  // namespace

TEST_CASE("sftx.toml is found in a parent directory and read", "[config]") {
  TempDir dir;
  dir.write("sftx.toml", R"(cache = "cache-here"
device = "cuda"
dtype = "bf16"
[models]
llama7b = "/models/llama-7b"
[judge]
command = ["python3", "judge.py"]
[profile.smoke]
preset = "nano"
[profile.smoke.train]
epochs = 1
lr = 1e-3
schedule = "constant"
[profile.smoke.synthetic]
math = 200
"*" = 50
)");
  auto file = dir.write("sub/deeper/x.sftx", "");
  Diagnostics diags;
  auto config = sftx::load_project_config(file, diags);
  REQUIRE(config);
  CHECK(diags.empty());
  CHECK(config->path == dir.path / "sftx.toml");
  CHECK(config->cache_dir == dir.path / "cache-here");
  CHECK(config->runs_dir == dir.path / "runs");
  CHECK(config->device == "cuda");
  CHECK(config->dtype == "bf16");
  CHECK(config->models.at("llama7b") == fs::path("/models/llama-7b"));
  CHECK(config->judge_command == std::vector<std::string>{"python3", "judge.py"});
  const auto& smoke = config->profiles.at("smoke");
  CHECK(smoke.preset == "nano");
  CHECK(smoke.train.at("epochs").kind == sftx::ConfigValue::Kind::integer);
  CHECK(smoke.train.at("epochs").text == "1");
  CHECK(smoke.train.at("lr").kind == sftx::ConfigValue::Kind::real);
  CHECK(smoke.train.at("lr").line == 12);
  CHECK(smoke.train.at("schedule").text == "constant");
  CHECK(smoke.synthetic_sizes.at("math") == 200);
  CHECK(smoke.synthetic_sizes.at("*") == 50);
}

TEST_CASE("without sftx.toml the defaults sit beside the file", "[config]") {
  TempDir dir;
  auto file = dir.write("x.sftx", "");
  Diagnostics diags;
  auto config = sftx::load_project_config(file, diags);
  REQUIRE(config);
  CHECK(config->path.empty());
  CHECK(config->cache_dir == dir.path / ".sftx-cache");
  CHECK(config->device == "cpu");
  CHECK(config->profiles.empty());
}

TEST_CASE("unknown keys are errors with line, column and a suggestion", "[config]") {
  TempDir dir;
  auto toml = dir.write("sftx.toml", "cache = \"c\"\ndevcie = \"cpu\"\n[profile.smoke]\npreset = \"nano\"\ntrian = 3\n");
  Diagnostics diags;
  auto config = sftx::read_project_config(toml, diags);
  CHECK_FALSE(config);
  REQUIRE(diags.error_count() == 2);
  const auto& first = diags.all()[0];
  CHECK(first.path == toml.string());
  CHECK(first.line == 2);
  CHECK(first.message == "unknown key 'devcie'");
  CHECK(first.helps == std::vector<std::string>{"did you mean 'device'?"});
  const auto& second = diags.all()[1];
  CHECK(second.line == 5);
  CHECK(second.message == "unknown key 'trian' in [profile.smoke]");
  CHECK(second.helps == std::vector<std::string>{"did you mean 'train'?"});
}

TEST_CASE("wrong values and TOML syntax errors are reported where they are", "[config]") {
  TempDir dir;
  SECTION("a device that does not exist") {
    auto toml = dir.write("sftx.toml", "device = \"tpu\"\n");
    Diagnostics diags;
    CHECK_FALSE(sftx::read_project_config(toml, diags));
    REQUIRE(diags.error_count() == 1);
    CHECK(diags.all()[0].line == 1);
    CHECK(diags.all()[0].message == "'device' must be one of \"cpu\", \"cuda\", not \"tpu\"");
  }
  SECTION("a negative synthetic size") {
    auto toml = dir.write("sftx.toml", "[profile.p.synthetic]\nmath = -3\n");
    Diagnostics diags;
    CHECK_FALSE(sftx::read_project_config(toml, diags));
    REQUIRE(diags.error_count() == 1);
    CHECK(diags.all()[0].line == 2);
  }
  SECTION("a synthetic size beyond the bound (it would stream into the cache until the disk is full)") {
    auto toml = dir.write("sftx.toml", "[profile.p.synthetic]\nmath = 1000000000000000\n");
    Diagnostics diags;
    CHECK_FALSE(sftx::read_project_config(toml, diags));
    REQUIRE(diags.error_count() == 1);
    CHECK(diags.all()[0].message == "the size of synthetic 'math' must be a whole number from 0 to 10000000");
  }
  SECTION("broken TOML") {
    auto toml = dir.write("sftx.toml", "cache = \"c\"\n[profile.x\n");
    Diagnostics diags;
    CHECK_FALSE(sftx::read_project_config(toml, diags));
    REQUIRE(diags.error_count() == 1);
    CHECK(diags.all()[0].line == 2);
    // The rendered error shows the TOML line with a caret, like every other diagnostic.
    CHECK(diags.render().find("[profile.x") != std::string::npos);
  }
}

TEST_CASE("a profile's synthetic_level is read and checked", "[config]") {
  TempDir dir;
  {
    auto toml = dir.write("sftx.toml", "[profile.micro]\nsynthetic_level = \"micro\"\n[profile.p]\npreset = \"nano\"\n");
    Diagnostics diags;
    auto config = sftx::read_project_config(toml, diags);
    REQUIRE(config);
    CHECK(config->profiles.at("micro").synthetic_level == std::optional<std::string>("micro"));
    CHECK_FALSE(config->profiles.at("p").synthetic_level);
  }
  auto toml = dir.write("sftx.toml", "[profile.micro]\nsynthetic_level = \"mikro\"\n");
  Diagnostics diags;
  CHECK_FALSE(sftx::read_project_config(toml, diags));
  REQUIRE(diags.error_count() == 1);
  CHECK(diags.all()[0].line == 2);
  CHECK(diags.all()[0].column == 19);
  CHECK(diags.all()[0].message == "unknown synthetic level \"mikro\" (known: \"paper\", \"micro\", \"micro2\")");
  CHECK(diags.all()[0].helps == std::vector<std::string>{"did you mean 'micro'?"});
}

TEST_CASE("[executor] is read, and its unknown keys and wrong values are errors", "[config][slurm]") {
  TempDir dir;
  SECTION("every key") {
    auto toml = dir.write("sftx.toml", R"(cache = "c"
[executor]
kind = "slurm"
partition = "gpu"
account = "proj"
time = "1:00:00"
cpus_per_task = 4
gpus_per_task = 1
sbatch_args = ["--qos=high", "--constraint=a100"]
shared_filesystem = true
poll_seconds = 1.5
)");
    Diagnostics diags;
    CHECK(sftx::read_project_config(toml, diags));  // the project's reader accepts the table
    auto e = sftx::read_executor_config(toml, diags);
    REQUIRE(e);
    CHECK(diags.empty());
    CHECK(e->kind == "slurm");
    CHECK(e->partition == "gpu");
    CHECK(e->partition_line == 4);
    CHECK(e->account == "proj");
    CHECK(e->time == "1:00:00");
    CHECK(e->cpus_per_task == 4);
    CHECK(e->gpus_per_task == 1);
    CHECK(e->sbatch_args == std::vector<std::string>{"--qos=high", "--constraint=a100"});
    CHECK(e->shared_filesystem);
    CHECK(e->poll_seconds == 1.5);
  }
  SECTION("without the table: the local executor") {
    auto toml = dir.write("sftx.toml", "cache = \"c\"\n");
    Diagnostics diags;
    auto e = sftx::read_executor_config(toml, diags);
    REQUIRE(e);
    CHECK(e->kind == "local");
  }
  SECTION("an unknown key, a bad kind, a count of zero: errors of the project's config too") {
    auto toml = dir.write("sftx.toml", "[executor]\npartiton = \"gpu\"\nkind = \"pbs\"\ncpus_per_task = 0\n");
    Diagnostics diags;
    CHECK_FALSE(sftx::read_project_config(toml, diags));
    REQUIRE(diags.error_count() == 3);
    diags.sort();  // TOML++ visits a table's keys in name order
    CHECK(diags.all()[0].message == "unknown key 'partiton' in [executor]");
    CHECK(diags.all()[0].helps == std::vector<std::string>{"did you mean 'partition'?"});
    CHECK(diags.all()[1].message == "'kind' must be one of \"local\", \"slurm\", not \"pbs\"");
    CHECK(diags.all()[2].line == 4);
  }
}

TEST_CASE("a profile's nproc is read and checked", "[config][ddp]") {
  TempDir dir;
  {
    auto toml = dir.write("sftx.toml", "[profile.two]\nnproc = 2\n[profile.p]\npreset = \"nano\"\n");
    Diagnostics diags;
    auto config = sftx::read_project_config(toml, diags);
    REQUIRE(config);
    CHECK(config->profiles.at("two").nproc == std::optional<int>(2));
    CHECK_FALSE(config->profiles.at("p").nproc);
  }
  for (const char* bad : {"nproc = 0", "nproc = -1", "nproc = \"2\"", "nproc = 1.5"}) {
    auto toml = dir.write("sftx.toml", std::string("[profile.p]\n") + bad + "\n");
    Diagnostics diags;
    CHECK_FALSE(sftx::read_project_config(toml, diags));
    REQUIRE(diags.error_count() == 1);
    CHECK(diags.all()[0].line == 2);
    CHECK(diags.all()[0].message == "'nproc' must be a whole number of ranks from 1 to 65536");
  }
}
