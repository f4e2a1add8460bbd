// sftx-worker: the torch side of sftx. The driver (`sftx`, runtime/launch) writes a request JSON
// and runs
//   sftx-worker VERB REQUEST.json
// reading JSON lines from this process's stdout ({"progress": ...} while it works, one
// {"result": ...} at the end; runtime/launch/protocol.h) and its stderr for diagnostics.
// This process links LibTorch and never SentencePiece (see CMakeLists.txt for why).
//
// Exit status: 0 success, 2 usage error, 3 the request failed (one "sftx-worker VERB: ..." error on
// stderr; never a raw exception).
#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "runtime/launch/protocol.h"
#include "runtime/launch/rank_env.h"
#include "runtime/nn/progress_bar.h"
#include "runtime/nn/trainer.h"
#include "runtime/nn/generate.h"

namespace {

using nlohmann::json;
using namespace sftx::rt;

constexpr const char* kUsage = R"(usage: sftx-worker VERB REQUEST.json

The torch process of sftx. `sftx` writes a request file and runs this program; you can run it by
hand on a request left in a stage's directory (out_dir/request.json) to reproduce a stage.

verbs:
  train      train one stage (runtime/api.h TrainRequest): writes out_dir/model (HF layout),
             out_dir/metrics.jsonl, and out_dir/state while running (an interrupted run resumes)
  generate   complete prompts with a checkpoint (GenerateRequest)
  logprobs   sum log-probabilities of masked tokens (LogprobRequest)
  hidden     mean hidden states of one layer (HiddenStatesRequest)
  logits     full float32 logits of equal-length sequences (LogitsRequest), to compare
             with transformers (scripts/peers/hf_model_parity.py)

output: JSON lines on stdout, {"progress": {...}} while working and {"result": {...}} at the end;
a progress bar on stderr when stderr is a terminal.

environment:
  SFTX_NUM_THREADS   CPU threads for torch (default: torch's choice)
  SFTX_PRESETS_DIR   where model presets (NAME.toml) are found

data-parallel training (train; docs/distributed.md): one process per rank, started by
`sftx run --nproc N`, torchrun or srun, each with the same REQUEST.json:
  RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT   (torchrun's names), or
  SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID with MASTER_ADDR, MASTER_PORT   (srun)
  SFTX_RENDEZVOUS_TIMEOUT_S  seconds to join the group (default 60)
  SFTX_DIST_TIMEOUT_S        seconds a collective waits for the other ranks (default 600)
  GLOO_SOCKET_IFNAME         the network interface the ranks share (several machines)
Rank 0 alone prints progress and the result and writes out_dir; every rank reads the shards.

exit status: 0 success, 2 usage error, 3 the request failed (the reason on stderr)
)";

// Progress as JSON lines on stdout (for the driver) and a bar on stderr (for a person).
ProgressFn progress_printer() {
  auto bar = std::make_shared<TerminalProgress>();
  return [bar](const Progress& p) {
    std::string line = json{{"progress", to_json(p)}}.dump() + "\n";
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
    bar->update(p.phase, p.done, p.total, p.detail);
    if (p.total > 0 && p.done >= p.total) bar->finish();
  };
}

void print_result(const json& result) {
  std::string line = json{{"result", result}}.dump() + "\n";
  std::fwrite(line.data(), 1, line.size(), stdout);
  std::fflush(stdout);
}

json run_verb(const std::string& verb, const json& request) {
  if (verb == "train") {
    TrainRequest r = train_request_from_json(request);
    r.progress = progress_printer();
    TrainOptions options;
    if (request.contains("val_shards")) options.val_shards = request["val_shards"].get<std::vector<std::string>>();
    if (request.contains("eval_every")) options.eval_every = request["eval_every"].get<int64_t>();
    return to_json(run_training(r, options));
  }
  if (verb == "generate") {
    GenerateRequest r = generate_request_from_json(request);
    r.progress = progress_printer();
    return run_generate(r);
  }
  if (verb == "logprobs") {
    LogprobRequest r = logprob_request_from_json(request);
    r.progress = progress_printer();
    return run_token_logprobs(r);
  }
  if (verb == "hidden") {
    HiddenStatesRequest r = hidden_states_request_from_json(request);
    r.progress = progress_printer();
    return run_hidden_states(r);
  }
  if (verb == "logits") {
    LogitsRequest r = logits_request_from_json(request);
    r.progress = progress_printer();
    return run_logits(r);
  }
  throw std::invalid_argument("unknown verb");  // checked in main
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  const std::string verb = argc >= 2 ? argv[1] : "";
  if (argc != 3 || (verb != "train" && verb != "generate" && verb != "logprobs" && verb != "hidden" &&
                     verb != "logits")) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  if (const char* threads = std::getenv("SFTX_NUM_THREADS"); threads && std::atoi(threads) > 0)
    torch::set_num_threads(std::atoi(threads));
  try {
    json result = run_verb(verb, read_json_file(argv[2]));
    // One answer per training: rank 0's (the other ranks of a data-parallel run print nothing).
    if (verb != "train" || read_rank_env().rank == 0) print_result(result);
    return 0;
  } catch (const c10::Error& e) {
    fmt::print(stderr, "sftx-worker {}: {}: torch error: {}\n", verb, argv[2], e.what_without_backtrace());
  } catch (const std::exception& e) {
    fmt::print(stderr, "sftx-worker {}: {}: {}\n", verb, argv[2], e.what());
  } catch (...) {
    fmt::print(stderr, "sftx-worker {}: {}: unknown error\n", verb, argv[2]);
  }
  return 3;
}
