#include "runtime/nn/autocast.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

#include <stdexcept>

// LibTorch 2.4 replaced the per-device setters (set_autocast_gpu_dtype, set_enabled) with ones
// that take the device type.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define SFTX_AUTOCAST_BY_DEVICE_TYPE 1
#else
#define SFTX_AUTOCAST_BY_DEVICE_TYPE 0
#endif

namespace sftx::rt {

bool cpu_bf16_autocast() { return SFTX_AUTOCAST_BY_DEVICE_TYPE; }

AutocastScope::AutocastScope(bool on, torch::Device device) : on_(on), type_(device.type()) {
  if (!on_) return;
#if SFTX_AUTOCAST_BY_DEVICE_TYPE
  if (type_ != torch::kCUDA && type_ != torch::kCPU)
    throw std::invalid_argument("autocast: bf16 autocast is for CPU and CUDA devices");
  at::autocast::set_autocast_dtype(type_, at::kBFloat16);
  at::autocast::set_autocast_enabled(type_, true);
#else
  if (type_ != torch::kCUDA) throw std::invalid_argument("autocast: bf16 autocast on the CPU needs LibTorch >= 2.4");
  at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
  at::autocast::set_enabled(true);
#endif
}

AutocastScope::~AutocastScope() {
  if (!on_) return;
#if SFTX_AUTOCAST_BY_DEVICE_TYPE
  at::autocast::set_autocast_enabled(type_, false);
#else
  at::autocast::set_enabled(false);
#endif
  at::autocast::clear_cache();  // as torch.autocast's __exit__: drop the cached bf16 weight casts
}

}  // namespace sftx::rt
