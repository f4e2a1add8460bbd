// `sftx run --device cuda` where the worker sees no CUDA device is refused once, before any
// node runs (before, every training and evaluation node failed on its own, after the data work).
#include <cstdlib>

#include <catch2/catch.hpp>

#include "runtime/launch/device_probe.h"
#include "runtime/launch/worker_process.h"
#include "tests/run_test_support.h"

using namespace sftx::e2e;
namespace fs = std::filesystem;

namespace {

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

bool cache_has_objects(const fs::path& cache) {
  std::error_code ec;
  return fs::exists(cache / "objects", ec) && !fs::is_empty(cache / "objects", ec);
}

}  // namespace

TEST_CASE("run: --device cuda without CUDA is refused once, before any work", "[run][e2e][device]") {
  // The worker sftx itself uses: the one beside $SFTX_BIN (this test binary is elsewhere).
  const char* bin = std::getenv("SFTX_BIN");
  REQUIRE(bin != nullptr);
  auto devices = sftx::rt::probe_worker_devices((fs::path(bin).parent_path() / "sftx-worker").string());
  if (devices.cuda_devices > 0) {
    WARN("this worker sees " << devices.cuda_devices << " CUDA device(s): nothing to refuse here");
    return;
  }
  RunProject p;
  p.write("x.sftx", R"(math = synthetic("math", n = 40, seed = 1)
plan p { stage1 = math }
experiment x { base = model("llama", preset = "nano"); plans = [p]; eval = [perplexity(math)] }
)");
  CommandResult r = p.sftx("run x.sftx --profile tiny --device cuda");
  INFO(r.err);
  CHECK(r.rc == 2);
  CHECK(count(r.err, "sees no CUDA device; nothing was run") == 1);
  CHECK(r.err.find("--device cuda, but the worker") != std::string::npos);
  CHECK_FALSE(cache_has_objects(p.cache()));

  // From sftx.toml: the message names the file that asked for CUDA.
  p.write("sftx.toml", "cache = \".sftx-cache\"\nruns = \"runs\"\ndevice = \"cuda\"\n");
  CommandResult t = p.sftx("run x.sftx");
  INFO(t.err);
  CHECK(t.rc == 2);
  CHECK(t.err.find("device = \"cuda\" in " + (p.dir() / "sftx.toml").string()) != std::string::npos);
  CHECK_FALSE(cache_has_objects(p.cache()));
}

TEST_CASE("the worker's thread setting bounds OpenBLAS's pool too, not only torch's", "[run][e2e][device]") {
  // Two single-threaded workers (sftx run --train-jobs 2) must not each spread their matmuls over
  // every core through OpenBLAS's own pool, which ignores torch::set_num_threads.
  const char* bin = std::getenv("SFTX_BIN");
  REQUIRE(bin != nullptr);
  const std::string worker = (fs::path(bin).parent_path() / "sftx-worker").string();
  const char* before = std::getenv("SFTX_NUM_THREADS");
  const std::string saved = before ? before : "";
  ::setenv("SFTX_NUM_THREADS", "1", 1);
  auto devices = sftx::rt::probe_worker_devices(worker);
  if (before) ::setenv("SFTX_NUM_THREADS", saved.c_str(), 1);
  else ::unsetenv("SFTX_NUM_THREADS");
  CHECK(devices.threads == 1);
  if (devices.blas_threads == 0) {
    WARN("this worker's LibTorch links no OpenBLAS (" << devices.torch_version << "): nothing to bound");
    return;
  }
  CHECK(devices.blas_threads == 1);
}
