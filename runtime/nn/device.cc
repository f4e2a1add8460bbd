#include "runtime/nn/device.h"

#include <dlfcn.h>

#include <stdexcept>
#include <string>

namespace sftx::rt {

torch::Device to_torch_device(const Device& device) {
  if (device.kind == DeviceKind::cpu) return torch::kCPU;
  if (!torch::cuda::is_available())
    throw std::runtime_error("device cuda requested, but this LibTorch build or machine sees no CUDA device "
                             "(Debian's LibTorch is CPU-only; see docs/gpu.md)");
  const int count = static_cast<int>(torch::cuda::device_count());
  if (device.index < 0 || device.index >= count)
    throw std::runtime_error("CUDA device " + std::to_string(device.index) + " requested; " + std::to_string(count) +
                             " available");
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(device.index));
}

void set_cpu_threads(int threads) {
  if (threads <= 0) return;
  torch::set_num_threads(threads);
  using Set = void (*)(int);
  if (auto set = reinterpret_cast<Set>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) set(threads);
}

int openblas_threads() {
  using Get = int (*)();
  auto get = reinterpret_cast<Get>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
  return get ? get() : 0;
}

}  // namespace sftx::rt
