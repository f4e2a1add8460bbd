// bench_nn_generate_throughput: KV-cache generation throughput (generated tokens/s) of sftx's
// generate_batch (runtime/nn/generate.h) on a random-initialised model of a preset.
//
//   bench_nn_generate_throughput [--presets nano] [--batch 1] [--prompt 32] [--new 128]
//                                [--reps 3] [--warmup 1] [--threads N] [--device cpu|cuda]
//                                [--elementwise fused|reference] [--attention-kernel cpu|gemm]
//
// Each repetition generates --new tokens greedily for --batch random prompts of --prompt tokens
// (no EOS: every row runs the full length, as the peers are told to), prefill included in the
// time, exactly what bench/peers/llama_generate.py measures for PyTorch and transformers.
// Tokens/s = batch * new * reps / seconds. The ids of the first repetition are summed into a
// checksum so a run can be compared with another build's (the same weights and prompts: seed 0).
// --elementwise reference runs RMSNorm, the rotary embedding and SwiGLU's activation as tensor
// ops instead of the fused loops (runtime/nn/fused_elementwise.h): their effect on decoding in
// one binary; --attention-kernel gemm likewise runs LibTorch 1.13's float32 CPU attention as
// batched tensor GEMMs (attend_gemm) instead of direct BLAS calls (runtime/nn/cpu_attention.h).
// The checksum may differ between the two (greedy ids after float rounding).
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "bench/bench_cli.h"
#include "runtime/nn/cpu_attention.h"
#include "runtime/nn/device.h"
#include "runtime/nn/fused_elementwise.h"
#include "runtime/nn/generate.h"
#include "runtime/nn/hf_config.h"
#include "runtime/nn/model.h"

using namespace sftx::rt;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  std::vector<std::string> presets = {"nano"};
  int64_t batch = 1, prompt = 32, new_tokens = 128, reps = 3, warmup = 1, threads = 0;
  std::string device = "cpu", elementwise = "fused", attention_kernel = "cpu";
};

Args parse(int argc, char** argv) {
  Args a;
  CLI::App app{"KV-cache generation throughput (generated tokens/s) of sftx's generate_batch."};
  app.add_option("--presets", a.presets, "comma-separated model presets")->delimiter(',');
  app.add_option("--batch", a.batch, "prompts per batch")->check(CLI::Range(1, 1 << 30));
  app.add_option("--prompt", a.prompt, "prompt tokens")->check(CLI::Range(1, 1 << 30));
  app.add_option("--new", a.new_tokens, "tokens generated per row")->check(CLI::Range(1, 1 << 30));
  app.add_option("--reps", a.reps, "timed repetitions")->check(CLI::Range(1, 1 << 30));
  app.add_option("--warmup", a.warmup, "untimed repetitions first")->check(CLI::Range(0, 1 << 30));
  app.add_option("--threads", a.threads, "intra-op threads (0: torch's default)")->check(CLI::Range(0, 1 << 30));
  app.add_option("--device", a.device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
  app.add_option("--elementwise", a.elementwise, "fused (sftx's RMSNorm, rotary, SwiGLU loops) or reference (tensor ops)")
      ->check(CLI::IsMember({"fused", "reference"}));
  app.add_option("--attention-kernel", a.attention_kernel,
                 "cpu (direct BLAS calls) or gemm (batched tensor GEMMs); LibTorch 1.13, float32 on the CPU")
      ->check(CLI::IsMember({"cpu", "gemm"}));
  parse_or_exit(app, argc, argv);
  return a;
}

}  // namespace

int main(int argc, char** argv) try {
  Args args = parse(argc, argv);
  set_cpu_threads(static_cast<int>(args.threads));  // torch's pool and OpenBLAS's
  set_elementwise_fusion(args.elementwise == "fused");
  set_cpu_attention(args.attention_kernel == "cpu");
  const auto kind = parse_device_kind(args.device);
  if (!kind) throw std::invalid_argument("--device must be " + device_kind_choices());
  const torch::Device device = to_torch_device(Device{*kind, 0});
  fmt::print("# device: {} ({} threads); greedy, no EOS, prefill included\n", args.device, torch::get_num_threads());
  fmt::print("{:<14} {:<6} {:<5} {:>6} {:>6} {:>6} {:>11} {:>12} {:>10}\n", "impl", "preset", "dtype", "batch",
             "prompt", "new", "params", "tokens/s", "checksum");

  for (const auto& preset : args.presets) {
    LlamaConfig config = load_preset(preset);
    config.max_position_embeddings = std::max(config.max_position_embeddings, args.prompt + args.new_tokens);
    torch::manual_seed(0);
    Llama model(config);
    model->to(device);
    model->eval();
    const auto ids = torch::randint(config.vocab_size, {args.batch, args.prompt}, torch::kInt64);
    std::vector<std::vector<int64_t>> prompts;
    for (int64_t b = 0; b < args.batch; ++b) {
      const auto row = ids[b].contiguous();
      prompts.emplace_back(row.data_ptr<int64_t>(), row.data_ptr<int64_t>() + args.prompt);
    }
    GenerationOptions options;
    options.max_new_tokens = args.new_tokens;  // no eos_ids: every row generates them all

    for (int64_t i = 0; i < args.warmup; ++i) generate_batch(model, prompts, options);
    int64_t checksum = 0, generated = 0;
    const auto t0 = Clock::now();
    for (int64_t r = 0; r < args.reps; ++r) {
      const auto out = generate_batch(model, prompts, options);
      for (const auto& g : out) {
        generated += static_cast<int64_t>(g.ids.size());
        if (r == 0)
          for (int64_t id : g.ids) checksum = (checksum * 31 + id) % 1000000007;
      }
    }
    if (device.is_cuda()) torch::cuda::synchronize();
    const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    fmt::print("{:<14} {:<6} {:<5} {:>6} {:>6} {:>6} {:>11} {:>12.0f} {:>10}\n", "sftx-libtorch", preset, "fp32",
               args.batch, args.prompt, args.new_tokens, config.parameter_count(), static_cast<double>(generated) / secs,
               checksum);
    std::fflush(stdout);
  }
  return 0;
} catch (const c10::Error& e) {
  std::fprintf(stderr, "bench_nn_generate_throughput: torch error: %s\n", e.what_without_backtrace());
  return 3;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_nn_generate_throughput: %s\n", e.what());
  return 3;
}
