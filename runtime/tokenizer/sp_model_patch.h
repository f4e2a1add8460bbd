// Edits a serialized SentencePiece ModelProto without protobuf headers (Debian ships none for
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

}  // namespace sftx::rt
