#include "runtime/nn/detokenizer.h"

#include <fstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace sftx::rt {

namespace {

using nlohmann::json;

bool parse_byte_piece(const std::string& p, uint8_t& byte) {  // "<0xAB>"
  if (p.size() != 6 || p.compare(0, 3, "<0x") != 0 || p[5] != '>') return false;
  unsigned value = 0;
  for (int i = 3; i < 5; ++i) {
    const char c = p[i];
    value <<= 4;
    if (c >= '0' && c <= '9') value |= static_cast<unsigned>(c - '0');
    else if (c >= 'A' && c <= 'F') value |= static_cast<unsigned>(c - 'A' + 10);
    else if (c >= 'a' && c <= 'f') value |= static_cast<unsigned>(c - 'a' + 10);
    else return false;
  }
  byte = static_cast<uint8_t>(value);
  return true;
}

const std::string kSpacePiece = "\xE2\x96\x81";  // U+2581 LOWER ONE EIGHTH BLOCK, SentencePiece's space

std::string bytes_from_hex(const std::string& hex, const std::string& path) {
  auto nibble = [&](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw std::runtime_error(path + ": \"bytes\" holds a non-hex string \"" + hex.substr(0, 32) + "\"");
  };
  if (hex.size() % 2) throw std::runtime_error(path + ": \"bytes\" holds an odd-length hex string");
  std::string out;
  for (size_t k = 0; k < hex.size(); k += 2) out.push_back(static_cast<char>(nibble(hex[k]) * 16 + nibble(hex[k + 1])));
  return out;
}
}  // namespace

Detokenizer::Detokenizer(std::vector<std::string> pieces, std::vector<std::string> types) : pieces_(std::move(pieces)) {
  kinds_.resize(pieces_.size(), Kind::normal);
  bytes_.resize(pieces_.size(), 0);
  for (size_t i = 0; i < pieces_.size(); ++i) {
    const std::string& p = pieces_[i];
    const std::string type = i < types.size() ? types[i] : "";
    uint8_t byte = 0;
    if ((type.empty() || type == "byte") && parse_byte_piece(p, byte)) {
      kinds_[i] = Kind::byte;
      bytes_[i] = byte;
    } else if (type == "control" || type == "unused" || (type.empty() && (p == "<s>" || p == "</s>" || p == "<pad>"))) {
      kinds_[i] = Kind::control;
    } else if (type == "unknown" || (type.empty() && p == "<unk>")) {
      kinds_[i] = Kind::unknown;
    }
    if (p == "</s>" && eos_id_ < 0) eos_id_ = static_cast<int64_t>(i);
  }
}

Detokenizer Detokenizer::from_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open vocabulary");
  json j;
  try {
    in >> j;
  } catch (const json::parse_error& e) {
    throw std::runtime_error(path + ": invalid JSON: " + e.what());
  }
  try {
    if (j.is_array()) return Detokenizer(j.get<std::vector<std::string>>());
    if (j.is_object() && j.contains("pieces")) {
      Detokenizer d(j["pieces"].get<std::vector<std::string>>(),
                    j.contains("types") ? j["types"].get<std::vector<std::string>>() : std::vector<std::string>{});
      if (j.contains("eos_id") && j["eos_id"].is_number_integer() && j["eos_id"].get<int64_t>() >= 0)
        d.eos_id_ = j["eos_id"].get<int64_t>();
      if (j.value("kind", std::string()) == "hf") {
        const auto hex = j.at("bytes").get<std::vector<std::string>>();
        if (hex.size() != d.pieces_.size())
          throw std::runtime_error(path + ": \"bytes\" has " + std::to_string(hex.size()) + " entries for " +
                                   std::to_string(d.pieces_.size()) + " pieces");
        d.token_bytes_.reserve(hex.size());
        for (const auto& h : hex) d.token_bytes_.push_back(bytes_from_hex(h, path));
        d.strip_leading_space_ = j.value("strip_leading_space", false);
      }
      return d;
    }
  } catch (const json::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  throw std::runtime_error(path + ": expected {\"pieces\": [...], ...} or a JSON array of pieces");
}

std::string Detokenizer::decode(const std::vector<int64_t>& ids) const {
  std::string out;
  for (int64_t id : ids) {
    if (id < 0 || id >= size()) continue;  // a model vocabulary larger than the tokenizer's
    const auto i = static_cast<size_t>(id);
    if (!token_bytes_.empty()) {  // tokenizer.json: special tokens are skipped, as tokenizers does
      if (kinds_[i] != Kind::control) out += token_bytes_[i];
      continue;
    }
    switch (kinds_[i]) {
      case Kind::control: break;
      case Kind::byte: out.push_back(static_cast<char>(bytes_[i])); break;
      case Kind::unknown: out += " \xE2\x81\x87 "; break;  // " ⁇ ", SentencePiece's rendering
      case Kind::normal: {
        const std::string& p = pieces_[i];
        for (size_t k = 0; k < p.size();) {
          if (p.compare(k, kSpacePiece.size(), kSpacePiece) == 0) {
            out.push_back(' ');
            k += kSpacePiece.size();
          } else {
            out.push_back(p[k++]);
          }
        }
      }
    }
  }
  if (strip_leading_space_ && !out.empty() && out[0] == ' ') out.erase(0, 1);  // the dummy prefix space
  return out;
}

}  // namespace sftx::rt
