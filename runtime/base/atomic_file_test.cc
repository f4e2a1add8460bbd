#include "runtime/base/atomic_file.h"

#include <filesystem>

#include <catch2/catch.hpp>

#include "tests/test_support.h"

using namespace sftx::rt;
namespace fs = std::filesystem;

TEST_CASE("an atomic dir appears only on commit and replaces the old one whole", "[atomic_dir]") {
  sftx::testing::TempDir root_tmp("sftx-atomic");
  const fs::path root = root_tmp.path();
  fs::path state = root / "state";
  {
    AtomicDir d(state);
    sftx::testing::write_file(d.tmp() / "a", "one");
    CHECK_FALSE(fs::exists(state));
    d.commit();
  }
  CHECK(sftx::testing::read_file(state / "a") == "one");
  {
    AtomicDir d(state);
    sftx::testing::write_file(d.tmp() / "b", "two");
    d.commit();
  }
  CHECK(sftx::testing::read_file(state / "b") == "two");
  CHECK_FALSE(fs::exists(state / "a"));  // the old contents went, not merged
  {
    AtomicDir d(state);  // not committed: as if the process died mid-save
    sftx::testing::write_file(d.tmp() / "c", "three");
  }
  CHECK(sftx::testing::read_file(state / "b") == "two");
  CHECK_FALSE(fs::exists(state / "c"));
  // Debris of a crashed save (another pid) is cleaned up by the next save.
  fs::create_directories(root / "state.tmp-999999");
  { AtomicDir d(state); }
  CHECK(sftx::testing::entries_in(root) == 1);
  fs::remove_all(root);
}

TEST_CASE("an atomic file appears only on commit, and an uncommitted one leaves nothing", "[atomic_file]") {
  sftx::testing::TempDir root_tmp("sftx-atomic-stream");
  const fs::path root = root_tmp.path();
  const fs::path target = root / "sub" / "out.jsonl";  // the parent is created
  {
    AtomicFile f(target);
    sftx::testing::write_file(f.tmp(), "first\n");
    CHECK_FALSE(fs::exists(target));
    f.commit();
  }
  CHECK(sftx::testing::read_file(target) == "first\n");
  {
    AtomicFile f(target);  // not committed: as if an exception unwound the writer
    sftx::testing::write_file(f.tmp(), "second\n");
  }
  CHECK(sftx::testing::read_file(target) == "first\n");
  CHECK(sftx::testing::entries_in(root / "sub") == 1);
  fs::remove_all(root);
}

TEST_CASE("write_file_atomic replaces a file's contents", "[atomic_file]") {
  sftx::testing::TempDir root_tmp("sftx-atomic-file");
  const fs::path root = root_tmp.path();
  write_file_atomic(root / "f.json", "{}");
  write_file_atomic(root / "f.json", "{\"x\": 1}");
  CHECK(sftx::testing::read_file(root / "f.json") == "{\"x\": 1}");
  CHECK(sftx::testing::entries_in(root) == 1);
  fs::remove_all(root);
}
