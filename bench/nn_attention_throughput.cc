// bench_nn_attention_throughput: one attention layer's forward and backward, alone, for each of
// the kernels sftx has on the CPU, interleaved in one process so that they see the same machine.
//
//   bench_nn_attention_throughput [--batch 8] [--heads 4] [--kv-heads 2] [--seq 256] [--head-dim 32]
//                                 [--rounds 5] [--reps 10] [--threads 1] [--kernels cpu,gemm,reference]
//
// Kernels (runtime/nn/attend.h, cpu_attention.h): cpu = attend_cpu (direct BLAS calls, LibTorch
// 1.13's float32 path), gemm = attend_gemm (the same computation as batched tensor GEMMs),
// reference = attend_reference (repeat_kv, matmul, masked_fill, softmax, matmul: the textbook
// form HF's eager attention and bench/peers/llama_eager.py run). Causal, no mask, as a training
// step on unpacked blocks; q, k, v are transposed views of [B, T, heads, d] tensors and the output
// goes back to [B, T, H * d], as the model makes and reads them. Each round times --reps forward
// + backward passes per kernel, in turn; the table gives each kernel's median over the rounds
// (ms per forward + backward) and its ratio to the first kernel listed.
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "bench/bench_cli.h"
#include "runtime/nn/attend.h"
#include "runtime/nn/cpu_attention.h"
#include "runtime/nn/device.h"

using namespace sftx::rt;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  int64_t batch = 8, heads = 4, kv_heads = 2, seq = 256, head_dim = 32, rounds = 5, reps = 10, threads = 1;
  std::vector<std::string> kernels = {"cpu", "gemm", "reference"};
};

Args parse(int argc, char** argv) {
  Args a;
  CLI::App app{"One attention layer's forward + backward on the CPU, per kernel, interleaved."};
  app.add_option("--batch", a.batch, "sequences")->check(CLI::Range(1, 1 << 20));
  app.add_option("--heads", a.heads, "query heads")->check(CLI::Range(1, 1 << 10));
  app.add_option("--kv-heads", a.kv_heads, "key/value heads (divides --heads)")->check(CLI::Range(1, 1 << 10));
  app.add_option("--seq", a.seq, "sequence length")->check(CLI::Range(1, 1 << 20));
  app.add_option("--head-dim", a.head_dim, "features per head")->check(CLI::Range(1, 1 << 12));
  app.add_option("--rounds", a.rounds, "interleaved rounds")->check(CLI::Range(1, 1 << 20));
  app.add_option("--reps", a.reps, "forward + backward passes per kernel per round")->check(CLI::Range(1, 1 << 20));
  app.add_option("--threads", a.threads, "intra-op (and BLAS) threads")->check(CLI::Range(1, 1 << 10));
  app.add_option("--kernels", a.kernels, "comma-separated: cpu, gemm, reference")
      ->delimiter(',')
      ->check(CLI::IsMember({"cpu", "gemm", "reference"}));
  parse_or_exit(app, argc, argv);
  return a;
}

using Attend = std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&,
                                           const torch::Tensor&)>;

Attend kernel(const std::string& name) {
  if (name == "cpu") return attend_cpu;
  if (name == "gemm") return attend_gemm;
  return attend_reference;
}

}  // namespace

int main(int argc, char** argv) try {
  const Args args = parse(argc, argv);
  set_cpu_threads(static_cast<int>(args.threads));
  if (args.heads % args.kv_heads != 0) throw std::invalid_argument("--kv-heads must divide --heads");
  if (std::count(args.kernels.begin(), args.kernels.end(), "cpu") && !cpu_attention_ready())
    throw std::runtime_error("the cpu kernel needs cblas_sgemm in the process (LibTorch 1.13's BLAS)");
  const int64_t B = args.batch, T = args.seq, d = args.head_dim;
  torch::manual_seed(0);
  auto o = torch::TensorOptions().requires_grad(true);
  const torch::Tensor qp = torch::randn({B, T, args.heads, d}, o), kp = torch::randn({B, T, args.kv_heads, d}, o),
                      vp = torch::randn({B, T, args.kv_heads, d}, o);
  const torch::Tensor upstream = torch::randn({B, T, args.heads * d});

  std::map<std::string, std::vector<double>> ms;
  for (int64_t round = 0; round <= args.rounds; ++round) {  // round 0 warms up, untimed
    for (const std::string& name : args.kernels) {
      const Attend attend_fn = kernel(name);
      const auto t0 = Clock::now();
      for (int64_t r = 0; r < args.reps; ++r) {
        torch::Tensor out = attend_fn(qp.transpose(1, 2), kp.transpose(1, 2), vp.transpose(1, 2), torch::Tensor());
        (out.transpose(1, 2).reshape({B, T, args.heads * d}) * upstream).sum().backward();
      }
      const double s = std::chrono::duration<double>(Clock::now() - t0).count();
      if (round > 0) ms[name].push_back(1e3 * s / static_cast<double>(args.reps));
    }
  }
  fmt::print("# attention forward + backward, causal, B={} H={} G={} T={} d={}, {} thread(s), {} rounds x {} reps\n",
             B, args.heads, args.kv_heads, T, d, args.threads, args.rounds, args.reps);
  fmt::print("{:<10} {:>12} {:>10}   rounds (ms)\n", "kernel", "median ms", "ratio");
  double first = 0;
  for (const std::string& name : args.kernels) {
    std::vector<double> v = ms[name];
    std::vector<double> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    const double median = sorted[sorted.size() / 2];
    if (first == 0) first = median;
    std::string runs;
    for (double x : v) runs += fmt::format(" {:.2f}", x);
    fmt::print("{:<10} {:>12.2f} {:>10.2f}  {}\n", name, median, median / first, runs);
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_nn_attention_throughput: %s\n", e.what());
  return 1;
}
