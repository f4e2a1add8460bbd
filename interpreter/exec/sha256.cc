#include "interpreter/exec/sha256.h"

#include <stdexcept>

namespace sftx::exec {

std::string file_sha256_hex(const std::filesystem::path& file) {
  auto digest = sftx::sha256_file(file);
  if (!digest) throw std::runtime_error(file.string() + ": cannot read");
  return *digest;
}

}  // namespace sftx::exec
