// What each kind of node leaves in its cache object (and so what its users read).
#pragma once

namespace sftx::exec::layout {

inline constexpr const char* kData = "data.jsonl";            // every data op but tokenizer/pack
inline constexpr const char* kTokenizer = "tokenizer.model";  // op tokenizer
inline constexpr const char* kShard = "data.shard";           // op pack
inline constexpr const char* kModel = "model";                // train: HF layout directory
inline constexpr const char* kLoraAdapter = "lora_adapter";  // train, lora method: the PEFT adapter
inline constexpr const char* kMetrics = "metrics.jsonl";      // train: one object per logged step
inline constexpr const char* kResult = "result.json";         // eval: what rt::evaluate returned
inline constexpr const char* kSamples = "samples";            // eval: per-sample outputs
inline constexpr const char* kTable = "table.md";             // report (also .csv, .json, PNGs)

}  // namespace sftx::exec::layout
