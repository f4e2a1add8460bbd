// SHA-256 of files and strings (OpenSSL EVP), as lowercase hex. The cache store digests every
// file it stores and re-digests it on every read, so corruption is found before use.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace sftx::exec {

std::string sha256_hex(std::string_view bytes);

// Streams the file; throws std::runtime_error naming the path when it cannot be read.
std::string file_sha256_hex(const std::filesystem::path& file);

}  // namespace sftx::exec
