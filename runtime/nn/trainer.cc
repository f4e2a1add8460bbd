// The training loop (see trainer.h for the outline; this file follows it top to bottom).
#include "runtime/nn/trainer.h"

#include <torch/torch.h>
#include <torch/version.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "runtime/nn/autocast.h"
#include "runtime/nn/device.h"
#include "runtime/nn/fused_adamw.h"
#include "runtime/launch/rank_env.h"
#include "runtime/nn/data_parallel.h"
#include "runtime/nn/hf_checkpoint.h"
#include "runtime/nn/hf_config.h"
#include "runtime/nn/methods.h"
#include "runtime/nn/metrics_log.h"
#include "runtime/nn/model.h"
#include "runtime/nn/schedule.h"
#include "runtime/nn/token_batches.h"
#include "runtime/nn/train_state.h"

namespace sftx::rt {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

// ---------------------------------------------------------------- request checks
void check_hyper(const TrainHyper& hp) {
  auto need = [](bool ok, const std::string& what) {
    if (!ok) throw std::invalid_argument("train: " + what);
  };
  need(hp.epochs >= 1 || hp.max_steps >= 1, "epochs must be >= 1 (or max_steps set), got " + std::to_string(hp.epochs));
  need(hp.batch >= 1, "batch must be >= 1, got " + std::to_string(hp.batch));
  need(hp.grad_accum >= 1, "grad_accum must be >= 1, got " + std::to_string(hp.grad_accum));
  need(hp.grad_accum <= hp.batch, fmt::format("grad_accum ({}) cannot exceed batch ({}): each micro-batch needs a sequence",
                                              hp.grad_accum, hp.batch));
  need(std::isfinite(hp.lr) && hp.lr >= 0, fmt::format("lr must be a finite number >= 0, got {}", hp.lr));
  need(hp.weight_decay >= 0, fmt::format("weight_decay must be >= 0, got {}", hp.weight_decay));
  need(hp.clip >= 0, fmt::format("clip must be >= 0 (0 = off), got {}", hp.clip));
  need(hp.max_steps >= 0, "max_steps must be >= 0");
  need(hp.log_every >= 1, "log_every must be >= 1");
  need(hp.save_every >= 0, "save_every must be >= 0 (0 = never)");
  need(hp.dtype == "auto" || hp.dtype == "fp32" || hp.dtype == "bf16",
       "dtype must be auto, fp32 or bf16, got '" + hp.dtype + "'");
}

// On CUDA with several ranks, each rank takes the GPU of its local rank (torchrun's convention).
torch::Device resolve_device(const Device& d, const RankEnv& ranks) {
  if (d.kind == DeviceKind::cpu) return torch::kCPU;
  if (!torch::cuda::is_available())
    throw std::runtime_error("train: device cuda requested, but this LibTorch build sees no CUDA device "
                             "(Debian's LibTorch is CPU-only; see docs/gpu.md)");
  if (ranks.world_size == 1) return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(d.index));
  const auto gpus = static_cast<int>(torch::cuda::device_count());
  if (ranks.local_rank >= gpus)
    throw std::invalid_argument(fmt::format("train: local rank {} needs GPU {}, but this machine has {} GPU(s): "
                                            "start at most {} ranks per machine",
                                            ranks.local_rank, ranks.local_rank, gpus, gpus));
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(ranks.local_rank));
}

// The ranks this process trains with: the launcher's environment (runtime/launch/rank_env.h),
// checked against what the request asked for and what the hyperparameters allow. A request
// run by hand under torchrun (world_size 1 in the file) takes torchrun's world size.
RankEnv resolve_ranks(const TrainRequest& request) {
  RankEnv env = read_rank_env();
  const int asked = request.process_group.world_size;
  if (asked < 1) throw std::invalid_argument(fmt::format("train: process_group.world_size must be >= 1, got {}", asked));
  if (asked > 1 && env.world_size == 1)
    throw std::invalid_argument(fmt::format(
        "train: the request asks for {} ranks, but this process was started without a launcher's environment "
        "(RANK/WORLD_SIZE or SLURM_PROCID/SLURM_NTASKS): run it with `sftx run --nproc {}`, torchrun or srun",
        asked, asked));
  if (asked > 1 && env.world_size != asked)
    throw std::invalid_argument(fmt::format("train: the request asks for {} ranks, but the {} environment says {}",
                                            asked, env.source, env.world_size));
  if (request.hp.batch < env.world_size)
    throw std::invalid_argument(fmt::format("train: batch {} cannot be split over {} ranks: each rank needs at least "
                                            "one sequence per step (raise batch or use fewer ranks)",
                                            request.hp.batch, env.world_size));
  return env;
}

// bf16 autocast around forward passes: on CUDA unless dtype says fp32; on the CPU when dtype says
// bf16 and this LibTorch can (runtime/nn/autocast.h).
bool use_bf16_autocast(const TrainHyper& hp, torch::Device device) {
  if (device.is_cuda()) return hp.dtype != "fp32";
  if (hp.dtype != "bf16") return false;
  if (cpu_bf16_autocast()) return true;
  std::fprintf(stderr, "sftx-worker: dtype bf16 on the CPU needs LibTorch >= 2.4 (this is %s); training in fp32\n",
               TORCH_VERSION);
  return false;
}

// ---------------------------------------------------------------- model
// init_dir (parent stage) > hf_dir > preset with random init from the seed. Always fp32 on the
// CPU first: the same seed gives the same initial weights on every device.
Llama initial_model(const TrainRequest& request) {
  if (!request.init_dir.empty()) return load_hf(request.init_dir);
  if (!request.model.hf_dir.empty() && request.model.overrides.empty()) return load_hf(request.model.hf_dir);
  LlamaConfig config = resolve_model_spec(request.model);
  torch::manual_seed(request.hp.seed);
  Llama model(config);
  if (!request.model.hf_dir.empty()) load_weights(model, read_hf_checkpoint(request.model.hf_dir).tensors, request.model.hf_dir);
  return model;
}

// ---------------------------------------------------------------- optimiser
// Two AdamW groups: matrices decay, vectors (RMSNorm weights, biases) do not — HF Trainer's rule.
// FusedAdamW (fused_adamw.h): LibTorch 2.x's fused kernel, or on 1.13 one pass per parameter.
std::unique_ptr<FusedAdamW> make_optimizer(const TrainableSet& trainable, const TrainHyper& hp) {
  std::vector<torch::Tensor> decay, no_decay;
  for (const auto& [name, t] : trainable.params) (t.dim() >= 2 ? decay : no_decay).push_back(t);
  std::vector<torch::optim::OptimizerParamGroup> groups;
  auto options = [&](double wd) {
    return std::make_unique<torch::optim::AdamWOptions>(
        torch::optim::AdamWOptions(hp.lr).betas({0.9, 0.999}).eps(1e-8).weight_decay(wd));
  };
  if (!decay.empty()) groups.emplace_back(decay, options(hp.weight_decay));
  if (!no_decay.empty()) groups.emplace_back(no_decay, options(0.0));
  return std::make_unique<FusedAdamW>(groups, torch::optim::AdamWOptions(hp.lr).weight_decay(hp.weight_decay));
}

void set_lr(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
}

// Global L2 norm of the gradients, clipped to max_norm when max_norm > 0 (torch's clip_grad_norm_).
double grad_norm(const TrainableSet& trainable, double max_norm) {
  std::vector<torch::Tensor> params;
  for (const auto& p : trainable.params) params.push_back(p.second);
  if (max_norm > 0) return torch::nn::utils::clip_grad_norm_(params, max_norm);
  double sq = 0;
  for (const auto& p : params)
    if (p.grad().defined()) sq += p.grad().to(torch::kFloat64).pow(2).sum().item<double>();
  return std::sqrt(sq);
}

// ---------------------------------------------------------------- what fixes a run
// Saved with the state; a resume under a different fingerprint is refused (train_state.h).
json fingerprint(const TrainRequest& r, int64_t num_blocks, int64_t total_steps) {
  const TrainHyper& h = r.hp;
  return {{"epochs", h.epochs},   {"lr", h.lr},         {"batch", h.batch},   {"grad_accum", h.grad_accum},
          {"warmup", h.warmup},   {"schedule", h.schedule}, {"weight_decay", h.weight_decay}, {"clip", h.clip},
          {"seed", h.seed},       {"max_steps", h.max_steps}, {"dtype", h.dtype}, {"method", r.method.kind},
          {"lora", {r.method.lora_r, r.method.lora_alpha, r.method.lora_dropout, r.method.lora_targets}},
          {"freeze_layers", r.method.freeze_layers}, {"num_blocks", num_blocks}, {"total_steps", total_steps},
          {"init_dir", r.init_dir}, {"model", {{"preset", r.model.preset}, {"hf_dir", r.model.hf_dir}, {"overrides", r.model.overrides}}}};
}

// Mean masked loss over (up to max_blocks of) the validation blocks.
double validation_loss(Llama& model, const TokenBlocks& blocks, int64_t micro_batch, int64_t max_blocks,
                       torch::Device device, bool bf16) {
  torch::NoGradGuard no_grad;
  model->eval();
  double sum = 0;
  int64_t count = 0, n = std::min(blocks.size(), max_blocks);
  for (int64_t start = 0; start < n; start += micro_batch) {
    std::vector<uint64_t> idx;
    for (int64_t i = start; i < std::min(n, start + micro_batch); ++i) idx.push_back(static_cast<uint64_t>(i));
    TokenBatch b = blocks.gather(idx);
    AutocastScope autocast(bf16, device);
    auto ids = b.ids.to(device), seg = b.segments.to(device);
    LossSum ls = causal_lm_loss(model->forward(ids, seg), ids, b.loss_mask.to(device), seg);
    sum += ls.sum.item<double>();
    count += ls.count;
  }
  model->train();
  return count ? sum / static_cast<double>(count) : 0.0;
}

std::string checkpoint_note(const std::string& state_dir, int64_t saved_step, int64_t save_every) {
  if (saved_step > 0) return fmt::format("last good checkpoint: {} (step {})", state_dir, saved_step);
  return save_every > 0 ? fmt::format("no checkpoint was saved yet (save_every = {})", save_every)
                        : std::string("no checkpoint is kept (save_every = 0)");
}

}  // namespace

TrainResult run_training(const TrainRequest& request, const TrainOptions& options) {
  const TrainHyper& hp = request.hp;
  check_hyper(hp);
  const fs::path out_dir = request.out_dir;
  const std::string state_dir = (out_dir / "state").string();

  // 0. ranks: join the group first, so an unreachable rendezvous fails before any work.
  const RankEnv ranks = resolve_ranks(request);
  const torch::Device device = resolve_device(request.device, ranks);
  std::unique_ptr<DataParallel> dp;
  if (ranks.world_size > 1) {
    const std::string backend = request.process_group.backend.empty() ? "gloo" : request.process_group.backend;
    dp = std::make_unique<DataParallel>(ranks, backend, device, DataParallelTimeouts::from_environment());
  }
  const bool lead = ranks.rank == 0;  // rank 0 alone writes files and reports
  const int world = ranks.world_size;
  if (lead) fs::create_directories(out_dir);

  // 1. data
  TokenBlocks blocks(request.shards);
  if (blocks.seq_len() != hp.seq_len)
    std::fprintf(stderr, "sftx-worker: the shards hold blocks of %lld tokens (hp.seq_len is %lld); training on the shards' length\n",
                 static_cast<long long>(blocks.seq_len()), static_cast<long long>(hp.seq_len));
  DataOrder order(blocks.size(), hp.batch, hp.seed);
  int64_t total_steps = hp.epochs * order.steps_per_epoch();
  if (hp.max_steps > 0) total_steps = std::min(total_steps > 0 ? total_steps : hp.max_steps, hp.max_steps);
  std::unique_ptr<TokenBlocks> val_blocks;
  if (!options.val_shards.empty()) val_blocks = std::make_unique<TokenBlocks>(options.val_shards);
  const int64_t eval_every = options.eval_every > 0 ? options.eval_every : hp.save_every;

  // 2. model
  const bool bf16 = use_bf16_autocast(hp, device);
  Llama model = initial_model(request);
  if (blocks.vocab_size() > model->config().vocab_size)
    throw std::invalid_argument(fmt::format("train: the shards use a vocabulary of {} tokens but the model has {} "
                                            "embeddings (set the model's vocab_size)",
                                            blocks.vocab_size(), model->config().vocab_size));
  model->to(device);
  model->train();

  // 3. method
  TrainableSet trainable = apply_method(model, request.method);
  if (trainable.lora) trainable.lora->train(true);

  // 4. optimiser and schedule
  auto optimizer = make_optimizer(trainable, hp);
  const LrSchedule schedule = LrSchedule::make(hp.schedule, hp.lr, hp.warmup, total_steps);

  // 5. resume
  TrainPosition position;
  position.fingerprint = fingerprint(request, blocks.size(), total_steps);
  const bool resumed = load_train_state(state_dir, position, trainable, *optimizer);
  const int64_t start_step = resumed ? position.step : 0;
  if (resumed && lead) std::fprintf(stderr, "sftx-worker: resuming %s at step %lld of %lld\n", out_dir.c_str(),
                                    static_cast<long long>(start_step), static_cast<long long>(total_steps));
  std::unique_ptr<MetricsLog> metrics;
  if (lead) metrics = std::make_unique<MetricsLog>((out_dir / "metrics.jsonl").string(), resumed ? start_step : -1);
  int64_t saved_step = resumed ? start_step : 0;
  std::vector<torch::Tensor> trainable_tensors;
  for (const auto& p : trainable.params) trainable_tensors.push_back(p.second);
  if (dp) {
    // Every rank starts from rank 0's weights (they are equal by construction: the same seed or
    // the same files; this makes it so whatever the initialisation did).
    dp->copy_from_rank0(trainable_tensors, "copying rank 0's initial weights");
    dp->take_traffic();
  }
  // A rank runs its share of the step's micro-batches: grad_accum counts them over all ranks.
  const int64_t rank_accum = (hp.grad_accum + world - 1) / world;

  // 6. the loop
  const auto run_start = Clock::now();
  auto window_start = run_start;
  int64_t window_tokens = 0, run_tokens = 0;
  double last_loss = position.last_loss;
  for (int64_t step = start_step; step < total_steps; ++step) {
    // The step's blocks are a function of the global data position only; each rank takes its
    // contiguous share, so the world size changes who computes a block, never which blocks a step has.
    const std::vector<uint64_t> step_blocks = order.step_blocks(step);
    const std::vector<uint64_t> my_blocks = dp ? rank_share(step_blocks, ranks.rank, world) : step_blocks;
    std::vector<TokenBatch> micro;
    if (!my_blocks.empty())
      for (const auto& part : split_micro_batches(my_blocks, dp ? rank_accum : hp.grad_accum)) micro.push_back(blocks.gather(part));
    const int64_t step_loss_tokens = blocks.loss_tokens(step_blocks);  // all ranks', counted by each
    // Each micro-batch's summed loss divided by the whole step's token count: the gradients add
    // up to those of one batch of hp.batch sequences, however it is split over micro-batches and
    // ranks. So the ranks' gradients are summed, not averaged again: the sum is the token-weighted
    // mean over the global batch (what DDP's mean is when every rank has the same token count).
    const double norm = static_cast<double>(std::max<int64_t>(1, step_loss_tokens));
    double loss_sum = 0;
    int64_t counted = 0, step_tokens = 0;
    for (const TokenBatch& b : micro) {
      auto ids = b.ids.to(device), seg = b.segments.to(device);
      LossSum ls;
      {
        AutocastScope autocast(bf16, device);
        ls = causal_lm_loss(model->forward(ids, seg), ids, b.loss_mask.to(device), seg);
      }
      (ls.sum / norm).backward();
      loss_sum += ls.sum.item<double>();
      counted += ls.count;
      step_tokens += b.tokens;
    }
    if (dp) {
      const std::string what = fmt::format("the gradient all-reduce of step {}", step + 1);
      dp->sum_gradients(trainable_tensors, what);
      auto sums = dp->sum({loss_sum, static_cast<double>(counted), static_cast<double>(step_tokens)}, what);
      loss_sum = sums[0], counted = std::llround(sums[1]), step_tokens = std::llround(sums[2]);
    }
    run_tokens += step_tokens;
    window_tokens += step_tokens;
    if (counted != step_loss_tokens)
      throw std::logic_error(fmt::format("internal: step {} counted {} loss tokens, the loss saw {}", step + 1,
                                         step_loss_tokens, counted));
    const double loss = loss_sum / norm;
    const double gnorm = grad_norm(trainable, hp.clip);
    const double lr = schedule.lr_at(step);
    const int64_t done = step + 1;
    const double epoch = static_cast<double>(done) / static_cast<double>(order.steps_per_epoch());

    if (!std::isfinite(loss) || !std::isfinite(gnorm)) {
      if (metrics) metrics->write({{"step", done}, {"epoch", epoch}, {"loss", loss}, {"lr", lr}, {"grad_norm", gnorm}});
      throw TrainingDiverged(fmt::format("{} became {} at step {} (epoch {:.2f}); {}. Lower lr or enable clip, then run again.",
                                         std::isfinite(loss) ? "gradient norm" : "loss",
                                         std::isnan(std::isfinite(loss) ? gnorm : loss) ? "NaN" : "infinite", done, epoch,
                                         checkpoint_note(state_dir, saved_step, hp.save_every)));
    }
    set_lr(*optimizer, lr);
    optimizer->step();
    optimizer->zero_grad();
    last_loss = loss;

    if (done % hp.log_every == 0 || done == total_steps) {
      auto now = Clock::now();
      double secs = std::chrono::duration<double>(now - window_start).count();
      json line = {{"step", done},   {"epoch", epoch},     {"loss", loss},
                   {"lr", lr},       {"grad_norm", gnorm}, {"tokens_per_s", secs > 0 ? window_tokens / secs : 0.0}};
      if (dp) {
        // The gradient all-reduce inside training, over this logging window: bucket bytes per
        // second of all-reduce (algorithm bandwidth, as nccl-tests' algbw), and its share of time.
        DataParallel::Traffic t = dp->take_traffic();
        line["world_size"] = world;
        line["allreduce_bytes"] = t.bytes;
        line["allreduce_s"] = t.seconds;
        line["allreduce_bytes_per_s"] = t.seconds > 0 ? static_cast<double>(t.bytes) / t.seconds : 0.0;
      }
      if (lead && val_blocks && eval_every > 0 && (done % eval_every == 0 || done == total_steps))
        line["val_loss"] = validation_loss(model, *val_blocks, std::max<int64_t>(1, hp.batch / hp.grad_accum),
                                           options.val_max_blocks, device, bf16);
      if (metrics) metrics->write(line);
      window_start = Clock::now();
      window_tokens = 0;
    }
    if (request.progress && lead)
      request.progress({"train", done, total_steps, fmt::format("loss {:.4f} lr {:.3g}", loss, lr)});
    if (lead && hp.save_every > 0 && done % hp.save_every == 0 && done < total_steps) {
      position.step = done;
      position.epoch = order.epoch_of(done);
      position.index_in_epoch = order.index_of(done);
      position.last_loss = loss;
      save_train_state(state_dir, position, trainable, *optimizer);
      saved_step = done;
    }
  }
  const double run_secs = std::chrono::duration<double>(Clock::now() - run_start).count();

  // 7. export, by rank 0 once every rank has finished its last step (a rank failing at the very
  // end must not leave a model behind that the run then reports as failed).
  if (dp) dp->barrier("the end of training");
  TrainResult result;
  result.steps = total_steps;
  result.resumed_from_step = resumed ? start_step : 0;
  result.final_loss = last_loss;
  result.tokens_per_second = run_secs > 0 ? static_cast<double>(run_tokens) / run_secs : 0.0;
  if (!lead) return result;  // no files: rank 0 writes them
  if (trainable.lora) {
    // The adapter on its own too, as PEFT saves it: what `sftx export` ships beside the merged
    // model, and what checks the merge against peft's merge_and_unload.
    trainable.lora->save_peft((out_dir / "lora_adapter").string(),
                              request.init_dir.empty()
                                  ? (request.model.hf_dir.empty() ? "preset:" + request.model.preset : request.model.hf_dir)
                                  : request.init_dir);
    trainable.lora->merge();
  }
  model->to(torch::kCPU);
  save_hf((out_dir / "model").string(), model);
  fs::remove_all(state_dir);  // the stage is complete: model/ is what later stages read

  result.checkpoint_dir = (out_dir / "model").string();
  result.metrics_path = metrics->path();
  return result;
}

}  // namespace sftx::rt
