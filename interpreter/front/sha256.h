// SHA-256 digests (OpenSSL EVP), as lowercase hex: cache keys and source-file contents.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace sftx {

std::string sha256_hex(std::string_view bytes);

// Streams the file; nullopt when it cannot be opened or read.
std::optional<std::string> sha256_file(const std::filesystem::path& path);

}  // namespace sftx
