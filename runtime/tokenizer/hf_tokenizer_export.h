// A Hugging Face tokenizer directory for `sftx export` (cli/cmd_export.cc): tokenizer.json and
// tokenizer_config.json that transformers' AutoTokenizer loads without the Python sentencepiece
// package, and that encode every string as sftx's own Tokenizer does.
//
// A SentencePiece model (trained by sftx, or an hf(...) directory's tokenizer.model) is written as
// a native tokenizer.json, the way transformers' converters (SpmConverter, LlamaConverter) would:
//   - model: BPE with SentencePiece's pieces as the vocabulary (id = SentencePiece id) and merges
//     derived as transformers' SentencePieceExtractor does (every split of a normal piece into two
//     pieces, ranked by the merged piece's score), byte_fallback as the model has it; or Unigram
//     with the (piece, score) pairs;
//   - normalizer: what SentencePiece's normalizer does, in its order: the precompiled character
//     map (none for "identity"), remove_extra_whitespaces, the dummy prefix "▁", spaces as "▁";
//   - control and unknown pieces (<unk>, <s>, </s>, <pad>) as special added tokens;
//   - user-defined pieces (<|im_start|>, <|im_end|>) isolated by a Split pre-tokenizer and kept
//     whole by ignore_merges, not as added tokens: SentencePiece matches them inside the
//     normalised text (after the dummy prefix), and an added token would be split off before
//     normalisation, so the text after it would get a second "▁" from the Prepend normaliser;
//   - decoder: "▁" back to a space, byte pieces to bytes, the dummy prefix's space dropped;
//   - post-processor: bos before the text when the chat template starts with it (the model saw
//     bos first in training), so `tokenizer(text)` gives what the model expects.
// A tokenizer.json (hf(...) models) is written back as it came, and the checkpoint's own
// tokenizer_config.json / chat_template.jinja are copied beside it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "runtime/tokenizer/tokenizer.h"

namespace sftx::rt {

struct HfTokenizerExport {
  // tokenizer_config.json's chat_template: a Jinja string (or the list of named templates an
  // hf(...) config carries); null = none.
  nlohmann::json chat_template;
  bool add_bos = true;            // the post-processor prepends bos (SentencePiece models)
  int64_t model_max_length = 0;   // 0: not written
  // An hf(...) tokenizer's directory: its tokenizer_config.json, special_tokens_map.json and
  // chat_template.jinja are copied (the chat template above, when set, replaces theirs).
  std::filesystem::path source_dir;
};

// tokenizer.json for a serialized SentencePiece model (the .model file's bytes). Throws
// std::runtime_error for a model type tokenizers cannot express (word, char).
nlohmann::json sentencepiece_tokenizer_json(const std::string& serialized_model, bool add_bos);

// Writes tokenizer.json and tokenizer_config.json (and, for a SentencePiece model, the model as
// tokenizer.model, for tools that want it) into `dir`, which must exist.
void write_hf_tokenizer_files(const Tokenizer& tokenizer, const HfTokenizerExport& options,
                              const std::filesystem::path& dir);

}  // namespace sftx::rt
