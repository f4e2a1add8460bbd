// `sftx run` on hostile or broken input: an error in a data file found while running is the
// user's to fix, so the run exits 1 (contract §8), names PATH:LINE, and still leaves run.json.
#include <catch2/catch.hpp>

#include "tests/run_test_support.h"

using namespace sftx::e2e;

TEST_CASE("sftx run: a data file's broken line exits 1 with PATH:LINE and a run record", "[run][hostile]") {
  RunProject p;
  p.write("broken.jsonl",
          "{\"instruction\": \"Say hi.\", \"input\": \"\", \"output\": \"Hi.\"}\n"
          "{\"instruction\": \"Say bye.\", \"input\": \"\"\n");
  p.write("broken.sftx",
          "chat = jsonl(\"broken.jsonl\", format = \"alpaca\")\n"
          "plan once { stage1 = chat }\n"
          "experiment broken {\n"
          "  base  = model(\"llama\", preset = \"nano\")\n"
          "  plans = [once]\n"
          "  eval  = [perplexity(chat)]\n"
          "}\n");
  CommandResult r = p.sftx("run broken.sftx --profile tiny");
  INFO(r.err);
  CHECK(r.rc == 1);
  CHECK(r.err.find("broken.jsonl:2") != std::string::npos);
  auto run = p.latest_run("broken");
  CHECK(count_status(run, "failed") >= 1);
}
