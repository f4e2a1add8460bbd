#include "runtime/launch/device_probe.h"

#include "runtime/launch/worker_process.h"

namespace sftx::rt {

WorkerDevices probe_worker_devices(const std::string& worker) {
  WorkerCall call;
  call.executable = worker;
  call.args = {"devices"};
  call.what = "device query (sftx-worker devices)";
  nlohmann::json r = run_worker(call);
  if (!r.is_object() || !r.contains("cuda_devices") || !r["cuda_devices"].is_number_integer())
    throw WorkerError(worker + " devices: the answer has no cuda_devices: " + r.dump());
  WorkerDevices d;
  d.cuda_devices = r["cuda_devices"].get<long long>();
  d.torch_version = r.value("torch", std::string());
  d.threads = r.value("threads", 0);
  d.blas_threads = r.value("blas_threads", 0);
  return d;
}

}  // namespace sftx::rt
