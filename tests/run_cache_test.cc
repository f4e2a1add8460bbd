// `sftx run` and `sftx cache` on a shared cache: a corrupted object is detected and rebuilt,
// two concurrent runs build each node once, gc keeps what a file references, and verify reports
// an entry that is not an object.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>

#include <catch2/catch.hpp>

#include "tests/run_test_support.h"

using namespace sftx::e2e;
namespace fs = std::filesystem;

namespace {

std::vector<nlohmann::json> runs_of(const fs::path& dir) {
  std::vector<nlohmann::json> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename() == "latest") continue;
    std::ifstream in(e.path() / "run.json");
    out.push_back(nlohmann::json::parse(in));
  }
  return out;
}

}  // namespace

TEST_CASE("run: a corrupted object is reported, rebuilt and verified", "[run][e2e][cache]") {
  RunProject p;
  p.write("small.sftx", small_dmt_source());
  CommandResult first = p.sftx("run small.sftx --profile tiny");
  INFO(first.err);
  REQUIRE(first.rc == 0);
  nlohmann::json run = p.latest_run("small");
  auto trains = nodes_of(run, "train");
  REQUIRE(trains.size() == 2);
  std::string key = trains[0]["key"];
  fs::path weights = fs::path(trains[0]["object"].get<std::string>()) / "model" / "model.safetensors";
  REQUIRE(fs::exists(weights));
  CHECK(p.sftx("cache verify").rc == 0);

  {  // flip one byte in the middle of the weights, keeping the size
    std::fstream f(weights, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(fs::file_size(weights) / 2));
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x5a);
    f.seekp(static_cast<std::streamoff>(fs::file_size(weights) / 2));
    f.write(&c, 1);
  }
  CommandResult verify = p.sftx("cache verify");
  CHECK(verify.rc == 1);
  CHECK(verify.out.find("corrupt " + key) != std::string::npos);

  CommandResult again = p.sftx("run small.sftx --profile tiny");
  INFO(again.err);
  REQUIRE(again.rc == 0);
  CHECK(again.err.find("warning: cache object " + key +
                       " is corrupt (file model/model.safetensors: digest mismatch); rebuilding") != std::string::npos);
  nlohmann::json rerun = p.latest_run("small");
  for (const auto& n : rerun["nodes"]) {
    if (n["key"] == key) CHECK(n["status"] == "executed");
    else CHECK(n["status"] == "reused");
  }
  CHECK(p.sftx("cache verify").rc == 0);

  CommandResult ls = p.sftx("cache ls");
  CHECK(ls.rc == 0);
  CHECK(ls.out.find(key.substr(0, 16)) != std::string::npos);
  CHECK(ls.out.find("train") != std::string::npos);
}

TEST_CASE("run: two concurrent runs on one cache build each node once", "[run][e2e][cache]") {
  RunProject p;
  p.write("small.sftx", small_dmt_source());
  pid_t a = p.start_sftx("run small.sftx --profile tiny", "a.log");
  pid_t b = p.start_sftx("run small.sftx --profile tiny", "b.log");
  for (pid_t pid : {a, b}) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  auto runs = runs_of(p.dir() / "runs" / "small");
  REQUIRE(runs.size() == 2);
  REQUIRE(runs[0]["nodes"].size() == runs[1]["nodes"].size());
  std::map<std::string, int> executed;
  for (const auto& r : runs)
    for (const auto& n : r["nodes"]) {
      CHECK((n["status"] == "executed" || n["status"] == "reused"));
      executed[n["key"]] += n["status"] == "executed";
    }
  for (const auto& [key, times] : executed) {
    INFO(key);
    CHECK(times == 1);
  }
}

TEST_CASE("cache gc keeps what the given files reference and removes the rest", "[run][e2e][cache]") {
  RunProject p;
  p.write("small.sftx", small_dmt_source());
  REQUIRE(p.sftx("run small.sftx --profile tiny").rc == 0);
  size_t before = runs_of(p.dir() / "runs" / "small")[0]["nodes"].size();

  // Without the profile the file's stages are different nodes: all of the cache is garbage.
  CommandResult dry = p.sftx("cache gc small.sftx --dry-run");
  REQUIRE(dry.rc == 0);
  CHECK(dry.out.find("would remove") != std::string::npos);
  CommandResult keep = p.sftx("cache gc small.sftx --profile tiny");
  REQUIRE(keep.rc == 0);
  CHECK(keep.out.find("removed 0 object(s)") != std::string::npos);

  CommandResult again = p.sftx("run small.sftx --profile tiny");
  REQUIRE(again.rc == 0);
  CHECK(count_status(p.latest_run("small"), "reused") == before);

  // By age: everything is older than 0 days once a second has passed.
  ::sleep(1);
  CommandResult gc = p.sftx("cache gc --older-than 0");
  INFO(gc.out << gc.err);
  REQUIRE(gc.rc == 0);
  CHECK(gc.out.find("removed " + std::to_string(before) + " object(s)") != std::string::npos);
  CHECK(p.sftx("cache ls").out.find("0 object(s)") != std::string::npos);
}

TEST_CASE("cache verify: an object directory replaced by a file is a malformed entry, exit 1", "[e2e][cache]") {
  RunProject p;
  p.write("x.sftx", "math = synthetic(\"math\", n = 20, seed = 1)\n");
  REQUIRE(p.sftx("data x.sftx math -o math.jsonl").rc == 0);
  CommandResult before = p.sftx("cache verify");
  INFO(before.out << before.err);
  REQUIRE(before.rc == 0);
  // The first object directory, gone, and a file of the same name in its place.
  std::vector<fs::path> objects;
  for (const auto& shard : fs::directory_iterator(p.cache() / "objects"))
    for (const auto& e : fs::directory_iterator(shard.path())) objects.push_back(e.path());
  REQUIRE_FALSE(objects.empty());
  std::sort(objects.begin(), objects.end());
  fs::remove_all(objects[0]);
  std::ofstream(objects[0]) << "not an object";
  CommandResult after = p.sftx("cache verify");
  INFO(after.out << after.err);
  CHECK(after.rc == 1);
  const std::string entry = "objects/" + objects[0].parent_path().filename().string() + "/" +
                            objects[0].filename().string();
  CHECK(after.out.find("malformed " + entry + ": not an object directory") != std::string::npos);
  CHECK(after.out.find("1 malformed entry") != std::string::npos);
}
