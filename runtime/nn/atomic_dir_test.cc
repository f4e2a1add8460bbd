#include "runtime/nn/atomic_dir.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

using namespace sftx::rt;
namespace fs = std::filesystem;

namespace {
fs::path fresh_dir(const std::string& name) {
  fs::path d = fs::temp_directory_path() / (name + "-" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}
std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
void put(const fs::path& p, const std::string& s) { std::ofstream(p) << s; }
}  // namespace

TEST_CASE("an atomic dir appears only on commit and replaces the old one whole", "[atomic_dir]") {
  fs::path root = fresh_dir("sftx-atomic");
  fs::path state = root / "state";
  {
    AtomicDir d(state);
    put(d.tmp() / "a", "one");
    CHECK_FALSE(fs::exists(state));
    d.commit();
  }
  CHECK(slurp(state / "a") == "one");
  {
    AtomicDir d(state);
    put(d.tmp() / "b", "two");
    d.commit();
  }
  CHECK(slurp(state / "b") == "two");
  CHECK_FALSE(fs::exists(state / "a"));  // the old contents went, not merged
  {
    AtomicDir d(state);  // not committed: as if the process died mid-save
    put(d.tmp() / "c", "three");
  }
  CHECK(slurp(state / "b") == "two");
  CHECK_FALSE(fs::exists(state / "c"));
  // Debris of a crashed save (another pid) is cleaned up by the next save.
  fs::create_directories(root / "state.tmp-999999");
  { AtomicDir d(state); }
  CHECK(std::distance(fs::directory_iterator(root), fs::directory_iterator()) == 1);
  fs::remove_all(root);
}

TEST_CASE("write_file_atomic replaces a file's contents", "[atomic_dir]") {
  fs::path root = fresh_dir("sftx-atomic-file");
  write_file_atomic(root / "f.json", "{}");
  write_file_atomic(root / "f.json", "{\"x\": 1}");
  CHECK(slurp(root / "f.json") == "{\"x\": 1}");
  CHECK(std::distance(fs::directory_iterator(root), fs::directory_iterator()) == 1);
  fs::remove_all(root);
}
