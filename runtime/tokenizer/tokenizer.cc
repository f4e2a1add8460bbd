#include "runtime/tokenizer/tokenizer.h"

#include <sentencepiece_processor.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "runtime/tokenizer/sp_model_patch.h"

namespace sftx::rt {

Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

Tokenizer Tokenizer::load(const std::string& model_path) {
  std::ifstream in(model_path, std::ios::binary);
  if (!in) throw std::runtime_error(model_path + ": cannot open tokenizer model");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return from_serialized(bytes, model_path);
}

Tokenizer Tokenizer::from_serialized(const std::string& serialized_model, const std::string& what) {
  Tokenizer t;
  t.what_ = what;
  t.serialized_ = serialized_model;
  t.start_ = std::make_unique<sentencepiece::SentencePieceProcessor>();
  auto st = t.start_->LoadFromSerializedProto(serialized_model);
  if (!st.ok()) throw std::runtime_error(what + ": not a SentencePiece model: " + st.ToString());
  std::string cont;
  try {
    cont = model_proto_for_continuation(serialized_model);
  } catch (const std::exception& e) {
    throw std::runtime_error(what + ": " + e.what());
  }
  t.continuation_ = std::make_unique<sentencepiece::SentencePieceProcessor>();
  st = t.continuation_->LoadFromSerializedProto(cont);
  if (!st.ok()) throw std::runtime_error(what + ": cannot derive the continuation tokenizer: " + st.ToString());
  return t;
}

namespace {
std::vector<int32_t> encode_with(const sentencepiece::SentencePieceProcessor& sp, const std::string& text,
                                 const std::string& what) {
  std::vector<int> ids;
  const auto st = sp.Encode(text, &ids);
  if (!st.ok()) throw std::runtime_error(what + ": encode failed: " + st.ToString());
  return std::vector<int32_t>(ids.begin(), ids.end());
}
}  // namespace

std::vector<int32_t> Tokenizer::encode(const std::string& text) const { return encode_with(*start_, text, what_); }

std::vector<int32_t> Tokenizer::encode_continuation(const std::string& text) const {
  return encode_with(*continuation_, text, what_);
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids) const {
  std::string out;
  const auto st = start_->Decode(std::vector<int>(ids.begin(), ids.end()), &out);
  if (!st.ok()) throw std::runtime_error(what_ + ": decode failed: " + st.ToString());
  return out;
}

EncodedDocument Tokenizer::encode_segments(const std::vector<TemplateSegment>& segments) const {
  EncodedDocument doc;
  bool at_start = true;
  auto append = [&](const std::vector<int32_t>& ids, bool trainable) {
    doc.ids.insert(doc.ids.end(), ids.begin(), ids.end());
    doc.loss_mask.insert(doc.loss_mask.end(), ids.size(), trainable ? 1 : 0);
  };
  for (const auto& seg : segments) {
    if (seg.text.empty()) continue;
    if (seg.special) {
      const int id = start_->PieceToId(seg.text);
      if (start_->IsControl(id) && start_->IdToPiece(id) == seg.text) {
        append({id}, seg.trainable);
        continue;
      }
    }
    append(at_start ? encode(seg.text) : encode_continuation(seg.text), seg.trainable);
    at_start = false;
  }
  return doc;
}

int Tokenizer::vocab_size() const { return start_->GetPieceSize(); }
int Tokenizer::bos_id() const { return start_->bos_id(); }
int Tokenizer::eos_id() const { return start_->eos_id(); }
int Tokenizer::unk_id() const { return start_->unk_id(); }
int Tokenizer::pad_id() const { return start_->pad_id(); }
int Tokenizer::padding_id() const { return pad_id() >= 0 ? pad_id() : unk_id(); }

const std::string& Tokenizer::piece(int id) const {
  if (id < 0 || id >= vocab_size())
    throw std::out_of_range(what_ + ": token id " + std::to_string(id) + " outside vocabulary of " +
                            std::to_string(vocab_size()));
  return start_->IdToPiece(id);
}

std::vector<std::string> Tokenizer::pieces() const {
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(vocab_size()));
  for (int i = 0; i < vocab_size(); ++i) out.push_back(start_->IdToPiece(i));
  return out;
}

nlohmann::json Tokenizer::pieces_json() const {
  nlohmann::json pieces = nlohmann::json::array(), types = nlohmann::json::array();
  for (int i = 0; i < vocab_size(); ++i) {
    pieces.push_back(start_->IdToPiece(i));
    types.push_back(start_->IsControl(i)   ? "control"
                    : start_->IsUnknown(i) ? "unknown"
                    : start_->IsByte(i)    ? "byte"
                    : start_->IsUnused(i)  ? "unused"
                                           : "normal");
  }
  return {{"pieces", std::move(pieces)}, {"types", std::move(types)}, {"bos_id", bos_id()},
          {"eos_id", eos_id()},          {"pad_id", pad_id()},        {"unk_id", unk_id()},
          {"space", "\xE2\x96\x81"}};
}

void Tokenizer::write_pieces_json(const std::string& path) const {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) throw std::runtime_error(path + ": cannot write pieces");
    out << pieces_json().dump() << "\n";
    if (!out) throw std::runtime_error(path + ": write failed");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) throw std::runtime_error(path + ": rename failed");
}

}  // namespace sftx::rt
