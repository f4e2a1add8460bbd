// The data transforms behind apply_transform (runtime/api.h), one file each. Each reads
// records JSONL and writes records JSONL, streaming; params are the language's keyword
// arguments (transform_params.h). apply_transform (transform.cc) dispatches by name.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/api.h"

namespace sftx::rt {

// filter.cc: min_chars, max_chars, min_turns, max_turns, exclude_regex, require_regex,
// exclude_keywords, require_keywords, exclude_tags, require_tags, drop_empty_assistant.
DataStats filter_records(const nlohmann::json& params, const std::string& in, const std::string& out);

// tag.cc: adds rule-based tags ("code", "math") to meta.tags.
DataStats tag_records(const nlohmann::json& params, const std::string& in, const std::string& out);

// dedup.cc: method "exact" (normalised text) or "minhash" (threshold, num_perm, ngram, bands, rows,
// verify).
// threads: 0 = all cores (SFTX_THREADS overrides); the output never depends on it.
DataStats dedup_records(const nlohmann::json& params, const std::string& in, const std::string& out, int threads = 0);

// decontaminate.cc: ngram (13); benchmarks are further records files.
DataStats decontaminate_records(const nlohmann::json& params, const std::string& in,
                                const std::vector<std::string>& benchmarks, const std::string& out);

// select.cc: split(fraction, part), take(n), sample(n).
DataStats split_records(const nlohmann::json& params, const std::string& in, const std::string& out, uint64_t seed);
DataStats take_records(const nlohmann::json& params, const std::string& in, const std::string& out);
DataStats sample_records(const nlohmann::json& params, const std::string& in, const std::string& out, uint64_t seed);

// Worker threads for parallel transforms: SFTX_THREADS if set, else the hardware's.
int default_threads();

}  // namespace sftx::rt
