// The torch device for a runtime Device (runtime/base/device.h): the one place the worker turns
// a requested device into a torch one, for training and inference alike.
#pragma once

#include <torch/torch.h>

#include "runtime/base/device.h"

namespace sftx::rt {

// CPU always; CUDA only when this LibTorch build and machine have it and the index exists,
// else std::runtime_error saying so.
torch::Device to_torch_device(const Device& device);

}  // namespace sftx::rt
