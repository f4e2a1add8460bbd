// `sftx run` on hostile or broken input: an error in a data file found while running is the
// user's to fix, so the run exits 1 (contract §8), names PATH:LINE, and still leaves run.json.
#include <catch2/catch.hpp>

#include "tests/run_test_support.h"

using namespace sftx::e2e;

TEST_CASE("sftx run: a data file's broken line or invalid UTF-8 exits 1 with PATH:LINE and a run record",
          "[run][hostile]") {
  struct Case {
    const char* name;
    std::string second_line;  // the first line is a good record
    std::string error;        // what stderr must hold
  };
  const std::vector<Case> cases = {
      {"broken", "{\"instruction\": \"Say bye.\", \"input\": \"\"\n", "broken.jsonl:2"},
      // Latin-1 é: named by its escaped byte, never written raw, never a JSON library's message.
      {"latin1", "{\"instruction\": \"Say caf\xE9.\", \"input\": \"\", \"output\": \"Hi.\"}\n",
       "latin1.jsonl:2: invalid UTF-8 (byte 25 of the record is \\xE9)"},
  };
  for (const auto& c : cases) {
    const std::string name = c.name;
    RunProject p;
    p.write(name + ".jsonl", "{\"instruction\": \"Say hi.\", \"input\": \"\", \"output\": \"Hi.\"}\n" + c.second_line);
    p.write(name + ".sftx", "chat = jsonl(\"" + name + ".jsonl\", format = \"alpaca\")\n"
                            "plan once { stage1 = chat }\n"
                            "experiment " + name + " {\n"
                            "  base  = model(\"llama\", preset = \"nano\")\n"
                            "  plans = [once]\n"
                            "  eval  = [perplexity(chat)]\n"
                            "}\n");
    CommandResult r = p.sftx("run " + name + ".sftx --profile tiny");
    INFO(name << ":\n" << r.err);
    CHECK(r.rc == 1);
    CHECK(r.err.find(c.error) != std::string::npos);
    CHECK(r.err.find('\xE9') == std::string::npos);
    CHECK(r.err.find("json.exception") == std::string::npos);
    auto run = p.latest_run(name);
    CHECK(count_status(run, "failed") >= 1);
  }
}
