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

// decontaminate.cc: ngram (kDecontaminateNgram); benchmarks are further records files.
inline constexpr int64_t kDecontaminateNgram = 13;  // GPT-3's and Llama's overlap length
DataStats decontaminate_records(const nlohmann::json& params, const std::string& in,
                                const std::vector<std::string>& benchmarks, const std::string& out);

// select.cc: split(fraction, part), take(n), sample(n).
DataStats split_records(const nlohmann::json& params, const std::string& in, const std::string& out, uint64_t seed);
DataStats take_records(const nlohmann::json& params, const std::string& in, const std::string& out);
DataStats sample_records(const nlohmann::json& params, const std::string& in, const std::string& out, uint64_t seed);

// A variant of a transform that lives in a library above this one, because it needs what
// sftx_data does not link (semantic dedup: the tokenizer and the worker's hidden states). It
// registers itself from its own file with a static TransformVariant; apply_transform runs it
// when the op and params.method match.
struct TransformEnv {
  uint64_t seed = 0;
  Device device;
  ProgressFn progress;
};
using TransformVariantFn = DataStats (*)(const nlohmann::json& params, const std::vector<std::string>& inputs,
                                         const std::string& out, const TransformEnv& env);
struct TransformVariant {
  TransformVariant(std::string op, std::string method, TransformVariantFn fn);
};
// The registered variant for op and method, or null.
TransformVariantFn find_transform_variant(const std::string& op, const std::string& method);

// apply_transform (runtime/api.h) with the device and progress a variant that runs the worker
// needs; the executor calls this one. (Here, not in api.h: every torch TU includes api.h.)
DataStats apply_transform(const std::string& op, const nlohmann::json& params, const std::vector<std::string>& inputs,
                          const std::string& out, uint64_t seed, const Device& device, const ProgressFn& progress);

// Worker threads for parallel transforms: SFTX_THREADS if set, else the hardware's.
int default_threads();

}  // namespace sftx::rt
