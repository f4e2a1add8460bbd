// pack_data (runtime/api.h): JSONL records -> chat template -> tokens with loss mask -> shard.
//
// Tokenising dominates (SentencePiece's BPE encoder), so records are encoded in parallel in
// batches and packed in input order: the shard is byte-identical for any thread count
// (SFTX_THREADS, default all cores).
#include <fstream>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "runtime/api.h"
#include "runtime/data/chat_template.h"
#include "runtime/data/data_error.h"
#include "runtime/data/record.h"
#include "runtime/data/shard.h"
#include "runtime/data/transforms.h"
#include "runtime/tokenizer/packer.h"
#include "runtime/tokenizer/tokenizer.h"

namespace sftx::rt {

namespace {

struct Batch {
  std::vector<std::string> lines;
  std::vector<int64_t> line_numbers;
  std::vector<EncodedDocument> docs;
  std::vector<std::string> errors;  // empty when the line encoded fine
};

void encode_batch(Batch& b, const Tokenizer& tok, const ChatTemplate& tmpl, int threads) {
  const size_t n = b.lines.size();
  b.docs.assign(n, {});
  b.errors.assign(n, {});
  auto work = [&](size_t first) {
    for (size_t i = first; i < n; i += static_cast<size_t>(threads)) {
      try {
        const Record r = record_from_json(nlohmann::json::parse(b.lines[i]));
        b.docs[i] = tok.encode_segments(tmpl.render(r.messages));
      } catch (const std::exception& e) {
        b.errors[i] = e.what();
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, static_cast<size_t>(t));
  work(0);
  for (auto& th : pool) th.join();
}

}  // namespace

PackStats pack_data(const std::string& in_jsonl, const PackSpec& spec, const std::string& out_shard) {
  if (spec.seq_len <= 0 || spec.seq_len % 2 != 0)
    throw std::runtime_error("pack: seq_len must be a positive even number (got " + std::to_string(spec.seq_len) + ")");
  const Tokenizer tok = Tokenizer::load(spec.tokenizer_model);
  const ChatTemplate tmpl = ChatTemplate::resolve(spec.chat_template, spec.chat_template_dir);
  const int threads = std::max(1, default_threads());
  const size_t batch_size = 512 * static_cast<size_t>(threads);

  std::ifstream in(in_jsonl);
  if (!in) throw std::runtime_error(in_jsonl + ": cannot open");
  ShardWriter writer(out_shard, static_cast<uint32_t>(spec.seq_len), static_cast<uint32_t>(tok.vocab_size()),
                     spec.packed, tok.padding_id(), tok.eos_id());
  Packer packer(writer, static_cast<uint32_t>(spec.seq_len), spec.packed, tok.padding_id());

  PackStats stats;
  Batch batch;
  auto flush = [&] {
    encode_batch(batch, tok, tmpl, threads);
    for (size_t i = 0; i < batch.lines.size(); ++i) {
      if (!batch.errors[i].empty())
        throw std::runtime_error(in_jsonl + ":" + std::to_string(batch.line_numbers[i]) + ": " + batch.errors[i]);
      packer.add(batch.docs[i]);
      ++stats.records;
    }
    batch.lines.clear();
    batch.line_numbers.clear();
  };
  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    batch.lines.push_back(std::move(line));
    batch.line_numbers.push_back(line_no);
    if (batch.lines.size() >= batch_size) flush();
  }
  if (in.bad()) throw std::runtime_error(in_jsonl + ": read error");
  flush();
  packer.finish();
  const PackCounts& c = packer.counts();
  // A stage whose blocks hold no supervised token would "train" with loss 0 and grad norm 0 at
  // every step and be cached as a result; it is the data (or seq_len) that is wrong, so it is
  // an input error here, before any shard is kept.
  if (stats.records > 0 && c.loss_tokens == 0) {
    throw DataError(
        "no token to learn from in " + std::to_string(stats.records) + " records: " +
        (c.truncated > 0 ? std::to_string(c.truncated) + " are cut at seq_len " + std::to_string(spec.seq_len) +
                               " before their first assistant token (raise seq_len, or shorten the records)"
                         : std::string("none has an assistant message that the template keeps in the loss")));
  }
  writer.finish();

  stats.blocks = c.blocks;
  stats.tokens = c.tokens;
  stats.loss_tokens = c.loss_tokens;
  stats.truncated = c.truncated;
  stats.answerless = c.answerless;
  return stats;
}

}  // namespace sftx::rt
