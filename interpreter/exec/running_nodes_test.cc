#include "interpreter/exec/running_nodes.h"

#include <catch2/catch.hpp>

#include <fstream>

#include "interpreter/exec/test_support.h"

using namespace sftx;
using namespace sftx::exec;
using sftx::exec::testing::TempDir;
namespace fs = std::filesystem;

TEST_CASE("an interrupt names each running node and the step a training stage resumes from", "[running_nodes]") {
  TempDir tmp;
  PlanNode train;
  train.id = "dmt(1/4).stage2";
  train.kind = "train";
  train.key = "k-train";
  PlanNode fresh;
  fresh.id = "dmt(1).stage1";
  fresh.kind = "train";
  fresh.key = "k-fresh";
  PlanNode data;
  data.id = "mix(general, 1/4 * math)";
  data.kind = "data";
  data.key = "k-data";
  PlanNode done;
  done.id = "math";
  done.kind = "data";
  done.key = "k-done";

  RunningNodes running;
  running.started(done);
  running.finished(done, NodeRun{});
  running.started(train);
  running.started(fresh);
  running.started(data);
  running.progress(train, rt::Progress{"train", 37, 120, "loss 2.1"});
  fs::create_directories(tmp.path() / "k-train" / "state");
  std::ofstream(tmp.path() / "k-train" / "state" / "state.json") << R"({"step": 36, "epoch": 0})";

  std::string text = running.interrupted_message([&](const std::string& key) { return tmp.path() / key; });
  INFO(text);
  CHECK(text.find("sftx run: interrupted while 3 nodes ran:") != std::string::npos);
  CHECK(text.find("training dmt(1/4).stage2 at step 37 of 120: a rerun resumes it from step 36, its last checkpoint") !=
        std::string::npos);
  CHECK(text.find("training dmt(1).stage1: no checkpoint was saved yet") != std::string::npos);
  CHECK(text.find("data mix(general, 1/4 * math): a rerun runs it again") != std::string::npos);
  CHECK(text.find("1 node finished in this run and stays in the cache") != std::string::npos);
  CHECK(text.find("  data math") == std::string::npos);  // finished: not interrupted
}

TEST_CASE("checkpoint_step reads state/state.json, and nothing else", "[running_nodes]") {
  TempDir tmp;
  CHECK_FALSE(checkpoint_step(tmp.path()));
  fs::create_directories(tmp.path() / "state");
  std::ofstream(tmp.path() / "state" / "state.json") << "{not json";
  CHECK_FALSE(checkpoint_step(tmp.path()));
  std::ofstream(tmp.path() / "state" / "state.json") << R"({"step": 12})";
  CHECK(checkpoint_step(tmp.path()) == 12);
}
