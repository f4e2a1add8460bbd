// The request protocol between the driver (`sftx`, no torch) and `sftx-worker` (torch).
//
// The driver writes a request as one JSON file and runs `sftx-worker VERB REQUEST.json`.
// The worker answers on stdout with JSON lines:
//   {"progress": {"protocol_version": 2, "phase": "train", "done": 12, "total": 300, "detail": "..."}}
//   {"result": {"protocol_version": 2, ...}}     exactly once, last, on success
// and writes human-readable diagnostics on stderr.
//
// Every message (a request, a progress line, a result) is one struct of runtime/api.h, and its
// JSON is derived from that struct's field table (runtime/api_fields.h): the keys are the
// member names, so a request file reads like the struct it came from. Reading is strict: a
// message names the protocol version it was written in, and a different version, an unknown
// key, a missing required key or a value of the wrong type is refused with a ProtocolError
// that names the struct and the key. Fields the table marks optional may be left out of a
// request written by hand; they keep api.h's defaults.
#pragma once

#include <stdexcept>
#include <string>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "runtime/api_fields.h"

namespace sftx::rt {

// Raised with any change to a message's keys or their meaning. 1 was the unversioned protocol.
inline constexpr int kProtocolVersion = 2;

struct ProtocolError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Any struct with a field table. A message (a request, TrainResult and the other results,
// Progress) carries "protocol_version"; a struct nested in one does not.
template <class S, class = std::enable_if_t<has_field_table<S>::value>>
nlohmann::json to_json(const S& s);
// Throws ProtocolError: "hp.lr: expected a number, got \"fast\" (TrainHyper.lr)",
// "hp.learning_rate: unknown key of TrainHyper (its keys: epochs, lr, ...)",
// "out_dir: missing (TrainRequest requires it)", "protocol_version: ...".
template <class S, class = std::enable_if_t<has_field_table<S>::value>>
S from_json(const nlohmann::json& j);

// Reads a request file; a parse error names the file and the byte offset.
nlohmann::json read_json_file(const std::string& path);
// Writes `j` (pretty, for people reading a failed stage's request) atomically.
void write_json_file(const std::string& path, const nlohmann::json& j);

}  // namespace sftx::rt
