// SHA-256 for the cache store: the front end's digests (interpreter/front/sha256.h), plus a
// file digest that throws, because a cache object that cannot be read must stop the read.
#pragma once

#include <filesystem>
#include <string>

#include "interpreter/front/sha256.h"

namespace sftx::exec {

using sftx::sha256_hex;

// Streams the file; throws std::runtime_error naming the path when it cannot be read.
std::string file_sha256_hex(const std::filesystem::path& file);

}  // namespace sftx::exec
