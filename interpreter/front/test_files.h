// Test helpers: writes .sftx (and sftx.toml) texts into a fresh temporary directory; the bytes of
// small real input files (a SentencePiece model, a safetensors file) for checkpoints the checker reads.
#pragma once

#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace sftx::testing {

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("sftx_front_test_" + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string write(const std::string& name, const std::string& text) const {
    auto p = path_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A SentencePiece ModelProto as the library writes it (up to ~100 pieces: one-byte lengths):
// `pieces` (field 1, each a message with
// piece = 1, score = 2), then a trainer_spec (field 2) holding a varint field.
inline std::string sentencepiece_model(int pieces) {
  std::string out;
  for (int i = 0; i < pieces; ++i) {
    std::string piece = "p" + std::to_string(i);
    std::string msg;
    msg += static_cast<char>((1 << 3) | 2);
    msg += static_cast<char>(piece.size());
    msg += piece;
    msg += static_cast<char>((2 << 3) | 5);  // float score
    msg += std::string(4, '\0');
    out += static_cast<char>((1 << 3) | 2);
    out += static_cast<char>(msg.size());
    out += msg;
  }
  std::string spec = {static_cast<char>((3 << 3) | 0), static_cast<char>(0xe8), static_cast<char>(0x07)};  // 1000
  out += static_cast<char>((2 << 3) | 2);
  out += static_cast<char>(spec.size());
  out += spec;
  return out;
}

// A valid safetensors file with no tensors: an 8-byte header length, then the header "{}".
inline std::string empty_safetensors() { return std::string("\x02\0\0\0\0\0\0\0{}", 10); }

}  // namespace sftx::testing
