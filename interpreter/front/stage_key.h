// Cache keys: SHA-256 of a canonical, versioned JSON description of a node.
//
// The description holds the operation, its canonical parameters (sorted keys, ratios as
// exact "num/den", defaults filled in, seeds explicit), the KEYS of its inputs (not their
// ids, which are only names), content digests of the files it reads, and kKeySalt, the
// code version: bump it whenever what a node computes for the same description changes, so
// old cache entries stop matching. Not for float rounding alone: a faster kernel for the same
// maths (the attention of attend.cc), a thread count or a world size changes results at the
// rounding level and keeps the keys (docs/distributed.md). Provenance of hyperparameters is not
// part of it: the same value from `defaults` or from `with` is the same stage.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sftx {

inline constexpr const char* kKeySalt = "sftx-key-v1";

// {"salt", "kind", "op", "params", "inputs": [keys]}
nlohmann::json key_description(const std::string& kind, const std::string& op, const nlohmann::json& params,
                               const std::vector<std::string>& input_keys);

// nlohmann::json keeps object keys sorted, so dump() is canonical; doubles print in their
// shortest round-trip form.
std::string canonical_json(const nlohmann::json& j);

// SHA-256 hex of canonical_json(description).
std::string node_key(const nlohmann::json& description);

}  // namespace sftx
