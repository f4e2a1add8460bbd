// The torch device for a runtime Device (runtime/base/device.h): the one place the worker turns
// a requested device into a torch one, for training and inference alike.
#pragma once

#include <torch/torch.h>

#include "runtime/base/device.h"

namespace sftx::rt {

// CPU always; CUDA only when this LibTorch build and machine have it and the index exists,
// else std::runtime_error saying so.
torch::Device to_torch_device(const Device& device);

// Bounds the CPU threads of this process's matmuls and elementwise ops to `threads` (> 0): torch's
// intra-op pool and OpenBLAS's. LibTorch 1.13 on Debian multiplies through OpenBLAS, whose pool
// starts with a thread per core and ignores torch's setting, so a "one-thread" worker or
// benchmark would spread its matmuls over every core and spin in sched_yield between them
// (bench/RESULTS.md). The worker (SFTX_NUM_THREADS) and the benchmarks (--threads) both call it.
void set_cpu_threads(int threads);

// OpenBLAS's thread count, 0 when this process has no OpenBLAS (the wheel flavour multiplies
// through MKL and links none; it is looked up at run time for that reason).
int openblas_threads();

}  // namespace sftx::rt
