// The request protocol between the driver (`sftx`, no torch) and `sftx-worker` (torch).
//
// The driver writes a request as one JSON file and runs `sftx-worker VERB REQUEST.json`.
// The worker answers on stdout with JSON lines:
//   {"progress": {"phase": "train", "done": 12, "total": 300, "detail": "loss 2.31 ..."}}
//   {"result": {...}}                  exactly once, last, on success
// and writes human-readable diagnostics on stderr. Field names are the struct member names
// of runtime/api.h, so a request file reads like the struct it came from. Reading is strict
// about types and lenient about absent keys (they keep the struct's default), so an old
// request file still loads after a field is added.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "runtime/api.h"

namespace sftx::rt {

nlohmann::json to_json(const Device& d);
nlohmann::json to_json(const ProcessGroupSpec& p);
nlohmann::json to_json(const Progress& p);
nlohmann::json to_json(const ModelSpec& m);
nlohmann::json to_json(const Method& m);
nlohmann::json to_json(const TrainHyper& h);
nlohmann::json to_json(const TrainRequest& r);
nlohmann::json to_json(const TrainResult& r);
nlohmann::json to_json(const GenerateRequest& r);
nlohmann::json to_json(const LogprobRequest& r);
nlohmann::json to_json(const HiddenStatesRequest& r);
nlohmann::json to_json(const LogitsRequest& r);

// Each throws ProtocolError naming the offending key ("hp.lr: expected a number, got \"x\"").
Device device_from_json(const nlohmann::json& j);
ProcessGroupSpec process_group_from_json(const nlohmann::json& j);
Progress progress_from_json(const nlohmann::json& j);
ModelSpec model_spec_from_json(const nlohmann::json& j);
Method method_from_json(const nlohmann::json& j);
TrainHyper train_hyper_from_json(const nlohmann::json& j);
TrainRequest train_request_from_json(const nlohmann::json& j);
TrainResult train_result_from_json(const nlohmann::json& j);
GenerateRequest generate_request_from_json(const nlohmann::json& j);
LogprobRequest logprob_request_from_json(const nlohmann::json& j);
HiddenStatesRequest hidden_states_request_from_json(const nlohmann::json& j);
LogitsRequest logits_request_from_json(const nlohmann::json& j);

struct ProtocolError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads a request file; a parse error names the file and the byte offset.
nlohmann::json read_json_file(const std::string& path);
// Writes `j` (pretty, for people reading a failed stage's request) via a temp file + rename.
void write_json_file(const std::string& path, const nlohmann::json& j);

}  // namespace sftx::rt
