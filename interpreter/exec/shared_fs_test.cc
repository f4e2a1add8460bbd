// The shared-filesystem rule of the Slurm executor (shared_fs.h).
#include "interpreter/exec/shared_fs.h"

#include <catch2/catch.hpp>

#include "interpreter/exec/test_support.h"

using namespace sftx::exec;

TEST_CASE("shared fs: filesystem types from statfs magic numbers", "[exec][slurm]") {
  CHECK(filesystem_from_magic(0x6969).type == "nfs");
  CHECK(filesystem_from_magic(0x6969).network);
  CHECK(filesystem_from_magic(0x0BD00BD0).network);  // lustre
  CHECK_FALSE(filesystem_from_magic(0xEF53).network);
  CHECK(filesystem_from_magic(0xEF53).type == "ext4");
  CHECK(filesystem_from_magic(0x12345678).type == "0x12345678");
  CHECK_FALSE(filesystem_from_magic(0x12345678).network);
}

TEST_CASE("shared fs: a local path is shared only when every node is this machine", "[exec][slurm]") {
  FilesystemInfo ext4{"ext4", false}, nfs{"nfs", true};
  CHECK(shared_fs_problem("the cache directory", "/c", ext4, {"vm"}, "vm").empty());
  CHECK(shared_fs_problem("the cache directory", "/c", ext4, {"vm.example.org"}, "vm").empty());
  CHECK(shared_fs_problem("the cache directory", "/c", nfs, {"n1", "n2"}, "login").empty());
  std::string problem = shared_fs_problem("the cache directory", "/c", ext4, {"vm", "n2"}, "vm");
  CHECK(problem.find("/c is on a local filesystem (ext4)") != std::string::npos);
  CHECK(problem.find("n2") != std::string::npos);
  CHECK_FALSE(shared_fs_problem("the cache directory", "/c", ext4, {}, "vm").empty());  // nodes unknown: not provable
}

TEST_CASE("shared fs: statfs of a real directory and of a path not yet made", "[exec][slurm]") {
  sftx::exec::testing::TempDir tmp;
  FilesystemInfo here = filesystem_of(tmp.path());
  CHECK_FALSE(here.type.empty());
  CHECK(filesystem_of(tmp.path() / "not" / "yet").type == here.type);
}
