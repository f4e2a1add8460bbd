// Which devices the worker can train on, asked once before a run: `sftx-worker devices` starts
// LibTorch and counts CUDA devices without loading a model (about a second). The driver never
// links torch, so it cannot ask itself.
#pragma once

#include <string>

namespace sftx::rt {

struct WorkerDevices {
  long long cuda_devices = 0;   // 0: this LibTorch build or this machine has no usable CUDA
  std::string torch_version;    // of the worker's LibTorch, for messages
  int threads = 0;              // torch's intra-op threads after SFTX_NUM_THREADS
  int blas_threads = 0;         // OpenBLAS's threads after SFTX_NUM_THREADS; 0: no OpenBLAS (MKL)
};

// Runs `worker devices`; throws WorkerError (worker_process.h) when it cannot be run or answers
// without the fields.
WorkerDevices probe_worker_devices(const std::string& worker);

}  // namespace sftx::rt
