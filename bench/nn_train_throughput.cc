// bench_nn_train_throughput: training throughput (tokens/s) and model FLOPs utilisation (MFU) of
// sftx's LLaMA trainer step (forward, masked loss, backward, clip, AdamW) for the model presets.
//
//   bench_nn_train_throughput [--presets mini,small] [--seq 1024] [--batch 8] [--steps 10]
//                             [--warmup 2] [--device cpu|cuda] [--threads N] [--peak-tflops X]
//                             [--attention model|dense] [--adamw fused|torch]
//                             [--elementwise fused|reference] [--attention-kernel cpu|gemm]
//                             [--trace FILE.json]
//
// --attention model (the default) leaves the choice to the model, as training does: the chunked
// segment attention (runtime/nn/segment_attention.h) where the model enables it, which it no
// longer does on the CPU (LlamaImpl::hidden, kChunkedOnCpu), else its causal path without a mask;
// --attention dense passes an explicit dense causal mask, the step as sftx ran before the chunked
// attention. --adamw torch runs torch's AdamW instead of the fused one (runtime/nn/fused_adamw.h),
// --elementwise reference runs RMSNorm, the rotary embedding, SwiGLU's activation and the
// cross-entropy loss as tensor ops instead of the fused loops (runtime/nn/fused_elementwise.h),
// --attention-kernel gemm runs LibTorch 1.13's float32 CPU attention as batched tensor GEMMs
// (attend_gemm) instead of direct BLAS calls (runtime/nn/cpu_attention.h), so what each change
// buys is measured in one binary.
//
// FLOPs per trained token (PaLM, appendix B; Chinchilla's 6N rule plus attention):
//   6 * N  +  12 * L * H * T
// N = parameters that take part in matmuls (all parameters, minus the input embedding when it is
// not tied to the LM head: an embedding lookup does no multiply-adds), L = layers, H = hidden size
// (= heads x head_dim), T = sequence length. MFU = FLOPs/token * tokens/s / peak FLOP/s.
// Peak: --peak-tflops when given (e.g. 989 for an H100 SXM's dense bf16 datasheet figure, which
// scripts/train_throughput_ref.py looks up by device name); else measured: on CUDA the FLOP/s of
// an 8192^3 bf16 matmul, on the CPU of a 2048^3 fp32 matmul (the best the BLAS does on this
// machine: an achievable peak, not a datasheet one, so CPU MFU reads high).
// scripts/train_throughput_ref.py prints the same columns for transformers.LlamaForCausalLM.
#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include <fmt/core.h>

#include "runtime/nn/autocast.h"
#include "bench/bench_cli.h"
#include "runtime/nn/cpu_attention.h"
#include "runtime/nn/device.h"
#include "runtime/nn/fused_adamw.h"
#include "runtime/nn/fused_elementwise.h"
#include "runtime/nn/hf_config.h"
#include "runtime/nn/model.h"

using namespace sftx::rt;
using Clock = std::chrono::steady_clock;

namespace {

struct Args {
  std::vector<std::string> presets = {"mini", "small"};
  int64_t seq = 1024, batch = 8, steps = 10, warmup = 2, threads = 0;
  double peak_tflops = 0;  // > 0: use this peak instead of measuring one
  std::string device = torch::cuda::is_available() ? "cuda" : "cpu";
  std::string attention = "model", adamw = "fused", elementwise = "fused", attention_kernel = "cpu", trace;
};

Args parse(int argc, char** argv) {
  Args a;
  CLI::App app{"Training throughput (tokens/s) and MFU of sftx's trainer step on random-initialised presets."};
  app.add_option("--presets", a.presets, "comma-separated model presets")->delimiter(',');
  app.add_option("--seq", a.seq, "sequence length")->check(CLI::Range(1, 1 << 30));
  app.add_option("--batch", a.batch, "sequences per step")->check(CLI::Range(1, 1 << 30));
  app.add_option("--steps", a.steps, "timed steps")->check(CLI::Range(1, 1 << 30));
  app.add_option("--warmup", a.warmup, "untimed steps first")->check(CLI::Range(0, 1 << 30));
  app.add_option("--device", a.device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}));
  app.add_option("--threads", a.threads, "intra-op threads (0: torch's default)")->check(CLI::Range(0, 1 << 30));
  app.add_option("--peak-tflops", a.peak_tflops, "peak for MFU instead of a measured matmul");
  app.add_option("--attention", a.attention, "model (the model's choice) or dense (explicit causal mask)")
      ->check(CLI::IsMember({"model", "dense"}));
  app.add_option("--adamw", a.adamw, "fused (sftx's) or torch")->check(CLI::IsMember({"fused", "torch"}));
  app.add_option("--elementwise", a.elementwise, "fused (sftx's RMSNorm, rotary, SwiGLU, cross-entropy loops) or reference (tensor ops)")
      ->check(CLI::IsMember({"fused", "reference"}));
  app.add_option("--attention-kernel", a.attention_kernel,
                 "cpu (direct BLAS calls) or gemm (batched tensor GEMMs); LibTorch 1.13, float32 on the CPU")
      ->check(CLI::IsMember({"cpu", "gemm"}));
  app.add_option("--trace", a.trace,
                 "write the timed steps' operators, as LibTorch's profiler records them, to this chrome-trace "
                 "JSON file (where the time goes; with several presets, the last one's; the profiler slows the steps, so "
                 "tokens/s is not comparable)");
  parse_or_exit(app, argc, argv);
  return a;
}

void sync(torch::Device d) {
  if (d.is_cuda()) torch::cuda::synchronize();
}

double matmul_flops(torch::Device device, torch::ScalarType dtype, int64_t n, int reps) {
  auto a = torch::randn({n, n}, torch::TensorOptions().device(device).dtype(dtype));
  auto b = torch::randn({n, n}, torch::TensorOptions().device(device).dtype(dtype));
  torch::matmul(a, b);
  sync(device);
  double best = 0;
  for (int r = 0; r < reps; ++r) {
    auto t0 = Clock::now();
    auto c = torch::matmul(a, b);
    sync(device);
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    best = std::max(best, 2.0 * n * n * n / s);
  }
  return best;
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
  const bool cuda = device.is_cuda();

  double peak;
  std::string peak_note, device_name;
  if (args.peak_tflops > 0) {
    device_name = args.device;
    peak = args.peak_tflops * 1e12;
    peak_note = "given with --peak-tflops";
  } else if (cuda) {
    device_name = "cuda:0";
    peak = matmul_flops(device, torch::kBFloat16, 8192, 5);
    peak_note = "measured bf16 8192^3 matmul";
  } else {
    device_name = fmt::format("cpu ({} threads)", torch::get_num_threads());
    peak = matmul_flops(device, torch::kFloat32, 2048, 5);
    peak_note = "measured fp32 2048^3 matmul";
  }
  fmt::print("# device: {}; peak {:.1f} GFLOP/s ({})\n", device_name, peak / 1e9, peak_note);
  fmt::print("# FLOPs/token = 6*N + 12*L*H*T; MFU = FLOPs/token * tokens/s / peak\n");
  fmt::print("{:<14} {:<6} {:<5} {:>6} {:>6} {:>11} {:>12} {:>7}\n", "impl", "preset", "dtype", "batch", "seq",
             "params", "tokens/s", "MFU");

  for (const auto& preset : args.presets) {
    LlamaConfig config = load_preset(preset);
    config.max_position_embeddings = std::max(config.max_position_embeddings, args.seq);
    torch::manual_seed(0);
    Llama model(config);
    model->to(device);
    model->train();
    std::vector<torch::Tensor> params = model->parameters();
    const auto adamw_options = torch::optim::AdamWOptions(1e-4).weight_decay(0.01);
    std::unique_ptr<torch::optim::AdamW> opt = args.adamw == "fused"
                                                   ? std::make_unique<FusedAdamW>(params, adamw_options)
                                                   : std::make_unique<torch::optim::AdamW>(params, adamw_options);
    AttentionContext context;  // empty: the model's own choice
    if (args.attention == "dense")
      context.mask = torch::ones({args.seq, args.seq}, torch::TensorOptions().dtype(torch::kBool).device(device)).tril().view({1, 1, args.seq, args.seq});
    auto ids = torch::randint(config.vocab_size, {args.batch, args.seq}, torch::TensorOptions().dtype(torch::kInt64).device(device));
    auto mask = torch::ones({args.batch, args.seq}, torch::TensorOptions().dtype(torch::kUInt8).device(device));

    auto step = [&] {
      LossSum ls;
      {
        AutocastScope autocast(cuda, device);
        ls = causal_lm_loss(model->logits(model->hidden(ids, context)), ids, mask);
      }
      (ls.sum / static_cast<double>(ls.count)).backward();
      torch::nn::utils::clip_grad_norm_(params, 1.0);
      opt->step();
      opt->zero_grad();
    };
    for (int64_t i = 0; i < args.warmup; ++i) step();
    sync(device);
    auto t0 = Clock::now();
    {
      std::optional<torch::autograd::profiler::RecordProfile> profile;
      if (!args.trace.empty()) profile.emplace(args.trace);
      for (int64_t i = 0; i < args.steps; ++i) step();
      sync(device);
    }
    double secs = std::chrono::duration<double>(Clock::now() - t0).count();
    double tokens_per_s = static_cast<double>(args.batch * args.seq * args.steps) / secs;
    int64_t n_matmul = config.parameter_count() - (config.tie_word_embeddings ? 0 : config.vocab_size * config.hidden_size);
    double flops_per_token = 6.0 * static_cast<double>(n_matmul) +
                             12.0 * static_cast<double>(config.num_hidden_layers * config.num_attention_heads *
                                                        config.resolved_head_dim() * args.seq);
    fmt::print("{:<14} {:<6} {:<5} {:>6} {:>6} {:>11} {:>12.0f} {:>6.1f}%\n", "sftx-libtorch", preset, cuda ? "bf16" : "fp32",
               args.batch, args.seq, config.parameter_count(), tokens_per_s, 100.0 * flops_per_token * tokens_per_s / peak);
    std::fflush(stdout);
  }
  return 0;
} catch (const c10::Error& e) {
  std::fprintf(stderr, "bench_nn_train_throughput: torch error: %s\n", e.what_without_backtrace());
  return 3;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_nn_train_throughput: %s\n", e.what());
  return 3;
}
