// A disk that fills up during a checkpoint, on a real (small) filesystem: the worker runs in a
// user + mount namespace (unshare -r -m, no root needed) with its out_dir on a 256 KiB tmpfs,
// so the first checkpoint of a ~1.4 MB model cannot be written. It must say so in one line
// (LibTorch 1.13 aborted with an uncaught c10::Error and a 32-frame backtrace) and leave no
// checkpoint a later run would trust.
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include <catch2/catch.hpp>

#include "runtime/api.h"
#include "runtime/launch/protocol.h"
#include "runtime/launch/worker_process.h"
#include "runtime/nn/testing_math_shard.h"

using namespace sftx::rt;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string shell_quoted(const fs::path& p) { return "'" + p.string() + "'"; }

// Whether this machine lets an unprivileged process mount a tmpfs in its own namespaces.
bool can_mount_tmpfs(const fs::path& dir) {
  std::string probe = "unshare -r -m sh -c 'mount -t tmpfs -o size=64k tmpfs " + dir.string() + "' 2>/dev/null";
  return std::system(probe.c_str()) == 0;
}

}  // namespace

TEST_CASE("a full disk during a checkpoint is one line and leaves no checkpoint", "[launch][worker][disk_full]") {
  if (!std::getenv("SFTX_WORKER")) {
    fs::path beside = fs::read_symlink("/proc/self/exe").parent_path() / "sftx-worker";
    ::setenv("SFTX_WORKER", beside.c_str(), 0);
  }
  fs::path dir = fs::temp_directory_path() / ("sftx-disk-full-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::path out = dir / "out";
  fs::create_directories(out);
  if (!can_mount_tmpfs(out)) {
    WARN("skipped: unshare -r -m cannot mount a tmpfs here (no user namespaces)");
    fs::remove_all(dir);
    return;
  }
  testing::write_math_shard((dir / "d.shard").string(), 32, 64, 3);
  TrainRequest r;
  r.model.preset = "nano";
  r.model.overrides = {{"vocab_size", testing::kMathVocab}, {"num_hidden_layers", 2}};
  r.shards = {(dir / "d.shard").string()};
  r.hp.epochs = 1;
  r.hp.batch = 4;
  r.hp.seq_len = 64;
  r.hp.save_every = 2;  // the first save comes before the end (8 steps)
  r.out_dir = out.string();
  write_json_file((dir / "request.json").string(), to_json(r));

  // In the namespace: mount, train, then list what is on the small disk before it goes away.
  std::string script = "mount -t tmpfs -o size=256k tmpfs " + shell_quoted(out) + " || exit 90; " +
                       shell_quoted(find_worker_executable()) + " train " + shell_quoted(dir / "request.json") + " >/dev/null 2>" +
                       shell_quoted(dir / "stderr.txt") + "; echo \\$? > " + shell_quoted(dir / "status.txt") + "; find " +
                       shell_quoted(out) + " > " + shell_quoted(dir / "listing.txt");
  std::string command = "unshare -r -m sh -c \"" + script + "\"";
  REQUIRE(std::system(command.c_str()) == 0);

  CHECK(slurp(dir / "status.txt") == "3\n");  // a machine error, not an abort (134)
  std::string err = slurp(dir / "stderr.txt");
  INFO("stderr: " << err);
  CHECK(std::count(err.begin(), err.end(), '\n') == 1);
  CHECK_THAT(err, Catch::Contains("cannot write checkpoint " + out.string() + "/state.tmp-"));
  CHECK_THAT(err, Catch::Contains("No space left on device (the disk is full)"));
  CHECK_THAT(err, !Catch::Contains("frame #") && !Catch::Contains("terminate called"));

  // Nothing trusted: no state/ (a resume would read it) and no half-written state.tmp-*.
  std::string listing = slurp(dir / "listing.txt");
  INFO("on the small disk: " << listing);
  CHECK_THAT(listing, !Catch::Contains("/state"));
  CHECK_THAT(listing, !Catch::Contains("/model"));
  fs::remove_all(dir);
}
