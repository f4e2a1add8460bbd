// Reads and edits a serialized SentencePiece ModelProto without protobuf headers (Debian ships none for
// libsentencepiece, and linking a second protobuf runtime is what DEVELOPERS.md warns about).
//
// Why: a template renders a conversation into segments that are tokenised one by one (that is
// how the loss mask lines up with token boundaries). A model with add_dummy_prefix = true (LLaMA,
// and the tokenizers we train) would put a "▁" in front of every segment, as if each were a new
// document. So segments after the first are encoded with a copy of the model whose normalizer
// has add_dummy_prefix = false and remove_extra_whitespaces = false: the text of a continuation
// segment (" 2+3 = 5.") then tokenises exactly as written.
//
// Wire format used (protobuf encoding, sentencepiece_model.proto): ModelProto field 3 is
// normalizer_spec (length-delimited); NormalizerSpec field 3 is add_dummy_prefix (bool) and
// field 4 remove_extra_whitespaces (bool).
#pragma once

#include <string>
#include <vector>

namespace sftx::rt {

// Returns the serialized model with normalizer_spec.add_dummy_prefix = false and
// normalizer_spec.remove_extra_whitespaces = false. Throws std::runtime_error on malformed input.
std::string model_proto_for_continuation(const std::string& serialized_model);

// The normaliser settings of a serialized model (proto defaults where a field is absent).
struct NormalizerFlags {
  std::string name;  // "identity", "nmt_nfkc", ...
  bool add_dummy_prefix = true;
  bool remove_extra_whitespaces = true;
};
NormalizerFlags read_normalizer_flags(const std::string& serialized_model);

// What an export to tokenizer.json needs from a model (runtime/tokenizer/hf_export.h): every piece
// with its score and type, the algorithm, byte fallback and the whole normaliser.
// Wire format: ModelProto field 1 (repeated SentencePiece {1 piece, 2 score float, 3 type}),
// field 2 trainer_spec {3 model_type, 35 byte_fallback}, field 3 normalizer_spec {1 name,
// 2 precompiled_charsmap, 3 add_dummy_prefix, 4 remove_extra_whitespaces, 5 escape_whitespaces}.
struct SentencePieceEntry {
  enum Type { normal = 1, unknown = 2, control = 3, user_defined = 4, unused = 5, byte = 6 };
  std::string piece;
  float score = 0;
  Type type = normal;
};
struct SentencePieceModelInfo {
  std::vector<SentencePieceEntry> pieces;  // index = id
  std::string model_type = "unigram";      // unigram, bpe, word, char (the proto's default: unigram)
  bool byte_fallback = false;
  NormalizerFlags normalizer;
  std::string precompiled_charsmap;        // empty for "identity"
  bool escape_whitespaces = true;
};
SentencePieceModelInfo read_model_info(const std::string& serialized_model);

}  // namespace sftx::rt
