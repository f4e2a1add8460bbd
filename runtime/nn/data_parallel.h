// Data parallelism for the trainer over LibTorch's c10d: one process per rank, a TCPStore
// rendezvous at MASTER_ADDR:MASTER_PORT (rank 0 serves it, unless torchrun's agent already
// does), ProcessGroupGloo on the CPU, ProcessGroupNCCL on CUDA where this LibTorch was built
// with it (USE_C10D_NCCL; Debian's CPU LibTorch is not, and never needs it).
//
// This is the only translation unit that includes c10d headers, so the rest of the trainer
// stays the same code on 1.13 and 2.x. What the trainer asks of it is small and explicit:
// sum the gradients (in flat buckets), sum a few scalars, copy rank 0's weights, wait for all.
//
// Timeouts, so that a dead or unreachable rank ends the run instead of hanging it:
//   SFTX_RENDEZVOUS_TIMEOUT_S  joining the group (default 60): a MASTER_ADDR nobody serves
//   SFTX_DIST_TIMEOUT_S        each collective (default 600): a rank that died mid-step
#pragma once

#include <torch/torch.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/launch/rank_env.h"

namespace sftx::rt {

// A rendezvous or collective that failed; the message says which rank, which peer address
// and which timeout, and what to check.
struct DataParallelError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct DataParallelTimeouts {
  std::chrono::seconds rendezvous{60};
  std::chrono::seconds collective{600};
  static DataParallelTimeouts from_environment();  // the SFTX_*_TIMEOUT_S variables above
};

class DataParallel {
 public:
  // Joins the group `env` describes (env.world_size > 1). backend: "gloo" or "nccl"; "nccl"
  // needs a CUDA device and a LibTorch built with NCCL, else a DataParallelError says so.
  DataParallel(const RankEnv& env, const std::string& backend, torch::Device device,
               const DataParallelTimeouts& timeouts);
  ~DataParallel();
  DataParallel(const DataParallel&) = delete;
  DataParallel& operator=(const DataParallel&) = delete;

  int rank() const { return env_.rank; }
  int world_size() const { return env_.world_size; }
  const std::string& backend() const { return backend_; }

  // Sums every parameter's gradient over the ranks, in place. Parameters without a gradient
  // (a rank that got no blocks this step) take part with zeros and end with the sum. Flat
  // buckets of up to kBucketBytes: few large messages instead of one per tensor.
  static constexpr int64_t kBucketBytes = 25 << 20;  // torch DDP's default bucket_cap_mb
  void sum_gradients(const std::vector<torch::Tensor>& params, const std::string& what);
  // Sums a few float64 values over the ranks.
  std::vector<double> sum(const std::vector<double>& values, const std::string& what);
  // Every rank's tensors take rank 0's values (in place).
  void copy_from_rank0(const std::vector<torch::Tensor>& tensors, const std::string& what);
  void barrier(const std::string& what);

  // Bytes all-reduced and seconds spent in the gradient all-reduce since the last call.
  struct Traffic {
    int64_t bytes = 0;
    double seconds = 0;
  };
  Traffic take_traffic();

  struct Collectives;  // the process group behind a version-neutral face (data_parallel.cc)

 private:
  [[noreturn]] void fail(const std::string& what, const std::exception& e) const;
  RankEnv env_;
  std::string backend_;
  torch::Device device_;
  DataParallelTimeouts timeouts_;
  std::unique_ptr<Collectives> group_;
  Traffic traffic_;
};

}  // namespace sftx::rt
