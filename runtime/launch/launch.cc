// rt::train, rt::generate, rt::token_logprobs and rt::hidden_states for the driver: each writes
// its request as JSON and runs `sftx-worker VERB REQUEST.json` (runtime/launch/worker_process.h);
// training through the launcher its process group names (runtime/launch/worker_launcher.h).
// The driver process never loads torch.
#include <filesystem>

#include <fmt/core.h>

#include "runtime/api.h"
#include "runtime/launch/protocol.h"
#include "runtime/launch/worker_launcher.h"
#include "runtime/launch/worker_process.h"

namespace sftx::rt {
namespace {

namespace fs = std::filesystem;

// Writes the request into `dir` and runs the worker on it, in the launcher's processes.
nlohmann::json call_worker(const std::string& verb, const nlohmann::json& request, const fs::path& request_path,
                           const std::string& what, const ProgressFn& progress, WorkerLauncher* launcher = nullptr) {
  std::error_code ec;
  fs::create_directories(request_path.parent_path(), ec);
  if (ec) throw WorkerError(fmt::format("{}: cannot create {}: {}", what, request_path.parent_path().string(), ec.message()));
  write_json_file(request_path.string(), request);
  WorkerCall call;
  call.executable = find_worker_executable();
  call.args = {verb, request_path.string()};
  call.what = what;
  call.progress = progress;
  return launcher ? launcher->run(call) : run_worker(call);
}

// Requests of the inference verbs go beside their output file, named after it.
fs::path request_beside(const std::string& out_jsonl) {
  if (out_jsonl.empty()) throw WorkerError("request has no out_jsonl");
  return fs::path(out_jsonl + ".request.json");
}

// The worker's result, refusing one of another protocol version.
template <class Result>
Result decode_result(const nlohmann::json& result, const std::string& what) {
  try {
    return from_json<Result>(result);
  } catch (const ProtocolError& e) {
    throw WorkerError(fmt::format("{}: malformed result from the worker: {}", what, e.what()));
  }
}

}  // namespace

TrainResult train(const TrainRequest& request) {
  if (request.out_dir.empty()) throw WorkerError("train: the request has no out_dir");
  fs::path dir = fs::absolute(request.out_dir);
  // The launcher first: a world size this machine cannot start is refused before any file is written.
  auto launcher = make_worker_launcher(request.process_group.launcher, request.process_group.world_size);
  std::string what = launcher->world_size() == 1
                         ? fmt::format("train stage (out_dir {})", dir.string())
                         : fmt::format("train stage (out_dir {}, {} ranks, {} launcher)", dir.string(),
                                       launcher->world_size(), launcher->name());
  return decode_result<TrainResult>(
      call_worker("train", to_json(request), dir / "request.json", what, request.progress, launcher.get()), what);
}

GenerateResult generate(const GenerateRequest& request) {
  std::string what = fmt::format("generate (checkpoint {}, out {})", request.checkpoint_dir, request.out_jsonl);
  return decode_result<GenerateResult>(
      call_worker("generate", to_json(request), request_beside(request.out_jsonl), what, request.progress), what);
}

LogprobResult token_logprobs(const LogprobRequest& request) {
  std::string what = fmt::format("token log-probs (checkpoint {}, out {})", request.checkpoint_dir, request.out_jsonl);
  return decode_result<LogprobResult>(
      call_worker("logprobs", to_json(request), request_beside(request.out_jsonl), what, request.progress), what);
}

HiddenStatesResult hidden_states(const HiddenStatesRequest& request) {
  std::string what = fmt::format("hidden states (checkpoint {}, out {})", request.checkpoint_dir, request.out_jsonl);
  return decode_result<HiddenStatesResult>(
      call_worker("hidden", to_json(request), request_beside(request.out_jsonl), what, request.progress), what);
}

}  // namespace sftx::rt
