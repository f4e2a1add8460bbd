// c10d behind DataParallel (see data_parallel.h). LibTorch's headers hide each backend behind a
// guard its own build defines (USE_C10D_GLOO, USE_C10D_NCCL), which an outside project must set
// itself, and only where the backend's headers exist:
//   Gloo  where gloo's headers are installed: Debian's libgloo-dev (CMakeLists.txt requires it;
//         the torch 2.x wheel ships none);
//   NCCL  only in the CUDA flavour (cmake/torch_flavour.cmake defines SFTX_WITH_NCCL with
//         SFTX_CUDA=ON) and where nccl.h is found. Never on the CPU builds.
#if !defined(USE_C10D_GLOO) && __has_include(<gloo/config.h>)
#define USE_C10D_GLOO 1
#endif
#if !defined(USE_C10D_NCCL) && defined(SFTX_WITH_NCCL) && __has_include(<nccl.h>)
#define USE_C10D_NCCL 1
#endif
#include "runtime/nn/data_parallel.h"

#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_GLOO
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#endif
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <cstdlib>

#include <fmt/core.h>

namespace sftx::rt {

namespace {

using Clock = std::chrono::steady_clock;

std::chrono::seconds seconds_var(const char* name, std::chrono::seconds fallback) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  long s = std::strtol(v, &end, 10);
  if (end == v || *end != '\0' || s < 1)
    throw DataParallelError(fmt::format("{}='{}' is not a whole number of seconds >= 1", name, v));
  return std::chrono::seconds(s);
}

// c10::Error's what() carries a C++ backtrace; a person needs the message.
std::string message_of(const std::exception& e) {
  if (const auto* c = dynamic_cast<const c10::Error*>(&e)) return c->what_without_backtrace();
  return e.what();
}

bool is_loopback(const std::string& addr) {
  return addr == "localhost" || addr.rfind("127.", 0) == 0 || addr == "::1";
}

#ifdef USE_C10D_GLOO
// The network device Gloo binds: GLOO_SOCKET_IFNAME as torch.distributed honours it; the loopback
// device when the master is local (one machine: no hostname lookup that a container may lack);
// else the device of this machine's hostname, as torch's default.
std::shared_ptr<::gloo::transport::Device> gloo_device(const RankEnv& env) {
  if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"); ifname && *ifname)
    return c10d::ProcessGroupGloo::createDeviceForInterface(ifname);
  if (is_loopback(env.master_addr)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
  return c10d::ProcessGroupGloo::createDefaultDevice();
}
#endif

}  // namespace

DataParallelTimeouts DataParallelTimeouts::from_environment() {
  DataParallelTimeouts t;
  t.rendezvous = seconds_var("SFTX_RENDEZVOUS_TIMEOUT_S", t.rendezvous);
  t.collective = seconds_var("SFTX_DIST_TIMEOUT_S", t.collective);
  return t;
}

// The few collectives the trainer uses, over whichever process group class (their common base
// differs between LibTorch 1.13 and 2.x; the member functions do not).
struct DataParallel::Collectives {
  virtual ~Collectives() = default;
  virtual void all_reduce_sum(std::vector<at::Tensor>& tensors) = 0;
  virtual void broadcast_from_0(std::vector<at::Tensor>& tensors) = 0;
  virtual void barrier() = 0;
};

namespace {

template <class Group>
struct CollectivesOf : DataParallel::Collectives {
  c10::intrusive_ptr<c10d::Store> store;  // kept alive as long as the group
  c10::intrusive_ptr<Group> group;
  void all_reduce_sum(std::vector<at::Tensor>& tensors) override {
    c10d::AllreduceOptions o;
    o.reduceOp = c10d::ReduceOp::SUM;
    group->allreduce(tensors, o)->wait();
  }
  void broadcast_from_0(std::vector<at::Tensor>& tensors) override {
    c10d::BroadcastOptions o;
    o.rootRank = 0;
    group->broadcast(tensors, o)->wait();
  }
  void barrier() override { group->barrier()->wait(); }
};

}  // namespace

DataParallel::DataParallel(const RankEnv& env, const std::string& backend, torch::Device device,
                           const DataParallelTimeouts& timeouts)
    : env_(env), backend_(backend), device_(device), timeouts_(timeouts) {
  if (env.world_size < 2) throw std::logic_error("DataParallel needs at least 2 ranks");
  if (backend_ == "nccl" && !device_.is_cuda())
    throw DataParallelError("backend nccl needs CUDA devices; on the CPU the backend is gloo");
  if (backend_ != "gloo" && backend_ != "nccl")
    throw DataParallelError(fmt::format("unknown process-group backend '{}' (expected gloo or nccl)", backend_));
#ifndef USE_C10D_GLOO
  if (backend_ == "gloo")
    throw DataParallelError("this sftx-worker was built without gloo's headers (libgloo-dev): no gloo backend");
#endif
#ifndef USE_C10D_NCCL
  if (backend_ == "nccl")
    throw DataParallelError("this LibTorch was built without NCCL (USE_C10D_NCCL): use backend gloo, or build "
                            "sftx-worker against a CUDA LibTorch (docs/gpu.md)");
#endif

  // 1. rendezvous: every rank connects to rank 0's TCPStore (rank 0 serves it, unless torchrun's
  // agent does already); the server waits for all of them, the clients retry until the timeout.
  c10::intrusive_ptr<c10d::Store> store;
  try {
    c10d::TCPStoreOptions o;
    o.port = static_cast<std::uint16_t>(env_.master_port);
    o.isServer = env_.rank == 0 && !env_.agent_store;
    o.numWorkers = static_cast<std::size_t>(env_.world_size);
    o.waitWorkers = true;
    o.timeout = timeouts_.rendezvous;
    store = c10::make_intrusive<c10d::TCPStore>(env_.master_addr, o);
  } catch (const std::exception& e) {
    throw DataParallelError(fmt::format(
        "rendezvous failed: rank {} of {} could not {} MASTER_ADDR={} MASTER_PORT={} within {} s "
        "(SFTX_RENDEZVOUS_TIMEOUT_S). Check that the address is reachable from this machine, that the "
        "port is free on rank 0's machine, and that all {} ranks were started. ({})",
        env_.rank, env_.world_size, env_.rank == 0 && !env_.agent_store ? "serve the rendezvous at" : "reach",
        env_.master_addr, env_.master_port, timeouts_.rendezvous.count(), env_.world_size,
        message_of(e)));
  }

  // 2. the process group on that store.
  try {
#ifdef USE_C10D_NCCL
    if (backend_ == "nccl") {
      auto c = std::make_unique<CollectivesOf<c10d::ProcessGroupNCCL>>();
      auto opts = c10d::ProcessGroupNCCL::Options::create();
      opts->timeout = timeouts_.collective;
      c->store = store;
      c->group = c10::make_intrusive<c10d::ProcessGroupNCCL>(store, env_.rank, env_.world_size, opts);
      group_ = std::move(c);
    }
#endif
#ifdef USE_C10D_GLOO
    if (backend_ == "gloo") {
      auto c = std::make_unique<CollectivesOf<c10d::ProcessGroupGloo>>();
      auto opts = c10d::ProcessGroupGloo::Options::create(timeouts_.collective);
      opts->devices.push_back(gloo_device(env_));
      c->store = store;
      c->group = c10::make_intrusive<c10d::ProcessGroupGloo>(store, env_.rank, env_.world_size, opts);
      group_ = std::move(c);
    }
#endif
  } catch (const std::exception& e) {
    throw DataParallelError(fmt::format("rank {} of {}: cannot set up the {} process group with the other ranks "
                                        "(MASTER_ADDR={}; set GLOO_SOCKET_IFNAME to the interface the ranks share): {}",
                                        env_.rank, env_.world_size, backend_, env_.master_addr,
                                        message_of(e)));
  }
}

DataParallel::~DataParallel() = default;

void DataParallel::fail(const std::string& what, const std::exception& e) const {
  throw DataParallelError(fmt::format(
      "{} failed on rank {} of {} ({}): another rank died, stopped answering, or was killed; a rank waits at most "
      "{} s (SFTX_DIST_TIMEOUT_S) for the others. ({})",
      what, env_.rank, env_.world_size, backend_, timeouts_.collective.count(), message_of(e)));
}

void DataParallel::sum_gradients(const std::vector<torch::Tensor>& params, const std::string& what) {
  torch::NoGradGuard no_grad;
  auto started = Clock::now();
  // Parameters are grouped into buckets of one dtype and at most kBucketBytes (a larger single
  // tensor is a bucket of its own); each bucket is copied into one flat tensor, summed, copied back.
  std::vector<torch::Tensor> grads;
  for (const auto& p : params) {
    if (!p.grad().defined()) p.mutable_grad() = torch::zeros_like(p);
    grads.push_back(p.grad());
  }
  size_t i = 0;
  while (i < grads.size()) {
    size_t j = i;
    int64_t bytes = 0;
    while (j < grads.size() && grads[j].scalar_type() == grads[i].scalar_type() &&
           (j == i || bytes + grads[j].numel() * grads[j].element_size() <= kBucketBytes)) {
      bytes += grads[j].numel() * grads[j].element_size();
      ++j;
    }
    std::vector<torch::Tensor> views;
    for (size_t k = i; k < j; ++k) views.push_back(grads[k].reshape({-1}));
    std::vector<at::Tensor> flat{torch::cat(views)};
    try {
      group_->all_reduce_sum(flat);
    } catch (const std::exception& e) {
      fail(what, e);
    }
    int64_t offset = 0;
    for (size_t k = i; k < j; ++k) {
      int64_t n = grads[k].numel();
      grads[k].copy_(flat[0].narrow(0, offset, n).view_as(grads[k]));
      offset += n;
    }
    traffic_.bytes += bytes;
    i = j;
  }
  traffic_.seconds += std::chrono::duration<double>(Clock::now() - started).count();
}

std::vector<double> DataParallel::sum(const std::vector<double>& values, const std::string& what) {
  std::vector<at::Tensor> t{torch::tensor(values, torch::kFloat64).to(device_)};
  try {
    group_->all_reduce_sum(t);
  } catch (const std::exception& e) {
    fail(what, e);
  }
  auto cpu = t[0].cpu();
  return std::vector<double>(cpu.data_ptr<double>(), cpu.data_ptr<double>() + cpu.numel());
}

void DataParallel::copy_from_rank0(const std::vector<torch::Tensor>& tensors, const std::string& what) {
  torch::NoGradGuard no_grad;
  for (const auto& t : tensors) {
    std::vector<at::Tensor> one{t.detach()};
    try {
      group_->broadcast_from_0(one);
    } catch (const std::exception& e) {
      fail(what, e);
    }
  }
}

void DataParallel::barrier(const std::string& what) {
  try {
    group_->barrier();
  } catch (const std::exception& e) {
    fail(what, e);
  }
}

DataParallel::Traffic DataParallel::take_traffic() {
  Traffic t = traffic_;
  traffic_ = {};
  return t;
}

}  // namespace sftx::rt
