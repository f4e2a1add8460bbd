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
#include "runtime/nn/device.h"
#include "runtime/nn/progress_bar.h"
#include "runtime/nn/trainer.h"
#include "runtime/nn/inference_verbs.h"

namespace {

using nlohmann::json;
using namespace sftx::rt;

constexpr const char* kUsage = R"(usage: sftx-worker VERB REQUEST.json
       sftx-worker --protocol-version

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

  sftx-worker devices   (no request) {"result": {"cuda_devices": N, "torch": "VERSION"}}: the
             CUDA devices this build of LibTorch sees; `sftx run --device cuda` asks first

A request carries "protocol_version" (this program speaks the version `sftx-worker
--protocol-version` prints); one of another version, or with an unknown or missing key, is
refused with a message naming the struct and the key (runtime/launch/protocol.h).

output: JSON lines on stdout, {"progress": {...}} while working and {"result": {...}} at the end,
each object with its "protocol_version"; a progress bar on stderr when stderr is a terminal.

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

// Decodes the request (refusing another protocol version, unknown or missing keys), runs the
// verb with a progress printer, and encodes its result.
template <class Request, class Run>
json run_request(const json& request, Run run) {
  Request r = from_json<Request>(request);
  r.progress = progress_printer();
  return to_json(run(r));
}

json run_verb(const std::string& verb, const json& request) {
  if (verb == "train")
    return run_request<TrainRequest>(request, [](const TrainRequest& r) {
      TrainOptions options;
      options.val_shards = r.val_shards;
      options.eval_every = r.eval_every;
      return run_training(r, options);
    });
  if (verb == "generate") return run_request<GenerateRequest>(request, run_generate);
  if (verb == "logprobs") return run_request<LogprobRequest>(request, run_token_logprobs);
  if (verb == "hidden") return run_request<HiddenStatesRequest>(request, run_hidden_states);
  if (verb == "logits") return run_request<LogitsRequest>(request, run_logits);
  throw std::invalid_argument("unknown verb");  // checked in main
}

void apply_thread_settings() {
  if (const char* threads = std::getenv("SFTX_NUM_THREADS"); threads && std::atoi(threads) > 0) {
    set_cpu_threads(std::atoi(threads));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (argc == 2 && std::strcmp(argv[1], "--protocol-version") == 0) {
    std::printf("%d\n", kProtocolVersion);
    return 0;
  }
  const std::string verb = argc >= 2 ? argv[1] : "";
  apply_thread_settings();
  if (argc == 2 && verb == "devices") {
    // Cheap (no model, no request): the driver refuses --device cuda once, before any work,
    // instead of every training and evaluation node failing on its own.
    const bool cuda = torch::cuda::is_available();
    print_result({{"cuda_devices", cuda ? static_cast<int64_t>(torch::cuda::device_count()) : 0},
                  {"torch", TORCH_VERSION},
                  {"threads", torch::get_num_threads()},
                  {"blas_threads", openblas_threads()}});
    return 0;
  }
  if (argc != 3 || (verb != "train" && verb != "generate" && verb != "logprobs" && verb != "hidden" &&
                     verb != "logits")) {
    std::fputs(kUsage, stderr);
    return 2;
  }
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
