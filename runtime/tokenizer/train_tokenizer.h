// Training a SentencePiece model from JSONL records (build_tokenizer in runtime/api.h).
//
// Choices, and why:
//  - Training text: the content of every message of every record (system, user, assistant),
//    one SentencePiece "sentence" per non-empty line. Newlines themselves are left to byte
//    fallback (<0x0A>), as in LLaMA.
//  - normalization identity, add_dummy_prefix true, remove_extra_whitespaces false (LLaMA's
//    settings): decode(encode(x)) == x, which code and indentation need; nmt_nfkc would
//    rewrite some Unicode and collapse nothing useful here.
//  - byte_fallback true and character_coverage 1.0: no <unk> for any UTF-8 input.
//  - split_digits true: numbers are digit sequences (LLaMA does the same; arithmetic benefits).
//  - Ids as LLaMA: <unk> 0, <s> 1, </s> 2, plus <pad> 3; the ChatML markers <|im_start|>,
//    <|im_end|> are user-defined symbols so the chatml template's markers are one token.
//  - Deterministic: num_threads 1, SetRandomGeneratorSeed(seed) before training, sentences in
//    input order; at most 2,000,000 sentences are sampled (seeded) from larger corpora.
//    build_tokenizer_test checks that two runs give byte-identical models.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sftx::rt {

struct TokenizerTrainOptions {
  int vocab_size = 2000;
  std::string model_type = "bpe";  // bpe or unigram
  uint64_t seed = 0;
};

// Trains on the message texts of the JSONL records in `inputs`; returns the serialized model.
// Throws std::runtime_error naming the file (PATH:LINE for a malformed record) or SentencePiece's
// complaint (e.g. a vocabulary larger than the text allows).
std::string train_sentencepiece(const std::vector<std::string>& inputs, const TokenizerTrainOptions& options);

}  // namespace sftx::rt
