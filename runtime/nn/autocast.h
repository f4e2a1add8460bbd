// bf16 autocast around forward passes (fp32 master weights, as HF's bf16=True): matmuls and
// attention run in bf16, the code's float32 islands (RMSNorm, softmax, rotary tables, loss) stay
// float32 (runtime/nn/model.h).
//
// CUDA: every LibTorch. CPU: LibTorch >= 2.4, whose autocast API takes the device type
// (at::autocast::set_autocast_enabled(at::kCPU, ...)) and whose CPU kernels cover bf16 matmul and
// scaled_dot_product_attention; Debian's 1.13 trains fp32 on the CPU (cpu_bf16_autocast()).
#pragma once

#include <torch/torch.h>

namespace sftx::rt {

// True when this LibTorch runs bf16 autocast on the CPU (>= 2.4).
bool cpu_bf16_autocast();

// Autocast to bf16 on `device`'s type for the scope's lifetime; nothing when `on` is false.
class AutocastScope {
 public:
  AutocastScope(bool on, torch::Device device);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool on_;
  torch::DeviceType type_;
};

}  // namespace sftx::rt
