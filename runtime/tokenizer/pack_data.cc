// pack_data (runtime/api.h): JSONL records -> chat template -> tokens with loss mask -> shard.
#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "runtime/api.h"
#include "runtime/data/chat_template.h"
#include "runtime/data/record.h"
#include "runtime/data/shard.h"
#include "runtime/tokenizer/packer.h"
#include "runtime/tokenizer/tokenizer.h"

namespace sftx::rt {

PackStats pack_data(const std::string& in_jsonl, const PackSpec& spec, const std::string& out_shard) {
  if (spec.seq_len <= 0 || spec.seq_len % 2 != 0)
    throw std::runtime_error("pack: seq_len must be a positive even number (got " + std::to_string(spec.seq_len) + ")");
  const Tokenizer tok = Tokenizer::load(spec.tokenizer_model);
  const ChatTemplate& tmpl = ChatTemplate::get(spec.chat_template);

  std::ifstream in(in_jsonl);
  if (!in) throw std::runtime_error(in_jsonl + ": cannot open");
  ShardWriter writer(out_shard, static_cast<uint32_t>(spec.seq_len), static_cast<uint32_t>(tok.vocab_size()),
                     spec.packed, tok.padding_id(), tok.eos_id());
  Packer packer(writer, static_cast<uint32_t>(spec.seq_len), spec.packed, tok.padding_id());

  PackStats stats;
  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      const Record r = record_from_json(nlohmann::json::parse(line));
      packer.add(tok.encode_segments(tmpl.render(r.messages)));
    } catch (const std::exception& e) {
      throw std::runtime_error(in_jsonl + ":" + std::to_string(line_no) + ": " + e.what());
    }
    ++stats.records;
  }
  if (in.bad()) throw std::runtime_error(in_jsonl + ": read error");
  packer.finish();
  writer.finish();

  const PackCounts& c = packer.counts();
  stats.blocks = c.blocks;
  stats.tokens = c.tokens;
  stats.loss_tokens = c.loss_tokens;
  stats.truncated = c.truncated;
  return stats;
}

}  // namespace sftx::rt
