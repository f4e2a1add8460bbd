#include "interpreter/front/sha256.h"

#include <fstream>

#include <catch2/catch.hpp>

TEST_CASE("SHA-256 of known strings (FIPS 180-2 vectors)", "[sha256]") {
  CHECK(sftx::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sftx::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("SHA-256 of a file equals that of its content", "[sha256]") {
  auto path = std::filesystem::temp_directory_path() / "sftx_sha256_test.txt";
  std::string content(3 << 20, 'x');  // several read buffers
  content += "tail";
  { std::ofstream(path, std::ios::binary) << content; }
  CHECK(sftx::sha256_file(path) == sftx::sha256_hex(content));
  std::filesystem::remove(path);
  CHECK_FALSE(sftx::sha256_file(path));
}
