#include "runtime/nn/train_state.h"

#include <ATen/Context.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include "runtime/base/atomic_file.h"

namespace sftx::rt {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::vector<at::Generator> default_generators() {
  std::vector<at::Generator> gens{at::detail::getDefaultCPUGenerator()};
  if (torch::cuda::is_available()) {
    for (int64_t i = 0; i < static_cast<int64_t>(torch::cuda::device_count()); ++i)
      gens.push_back(at::globalContext().defaultGenerator(at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(i))));
  }
  return gens;
}

std::string differing_keys(const json& saved, const json& now) {
  std::string out;
  for (const auto& [k, v] : now.items()) {
    if (!saved.contains(k) || saved[k] != v)
      out += "\n  " + k + ": saved " + (saved.contains(k) ? saved[k].dump() : "(absent)") + ", now " + v.dump();
  }
  return out;
}

// A file a checkpoint part is written to, through torch::save's writer-function overload.
// torch::save(value, filename) cannot be trusted with a full disk: LibTorch 1.13's
// PyTorchStreamWriter throws c10::Error on the failed write, and its destructor then tries to
// finish the archive, throws again during unwinding, and std::terminate aborts the worker with a
// backtrace (pytorch issue 87997). This sink never reports a failure to torch: it remembers the
// first errno, drops the rest, and close() turns it into one readable error.
class CheckedFile {
 public:
  explicit CheckedFile(fs::path path) : path_(std::move(path)) {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) error_ = errno;
  }
  ~CheckedFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  CheckedFile(const CheckedFile&) = delete;
  CheckedFile& operator=(const CheckedFile&) = delete;

  size_t write(const void* data, size_t n) {
    const char* p = static_cast<const char*>(data);
    for (size_t left = n; left > 0 && error_ == 0;) {
      ssize_t w = ::write(fd_, p, left);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        error_ = w < 0 ? errno : EIO;
        break;
      }
      p += w;
      left -= static_cast<size_t>(w);
    }
    return n;
  }
  std::function<size_t(const void*, size_t)> sink() {
    return [this](const void* data, size_t n) { return write(data, n); };
  }
  // Throws std::runtime_error "cannot write checkpoint PATH: <errno text>" after any failure.
  void close() {
    if (fd_ >= 0 && ::close(fd_) != 0 && error_ == 0) error_ = errno;
    fd_ = -1;
    if (error_ != 0)
      throw std::runtime_error("cannot write checkpoint " + path_.string() + ": " + std::strerror(error_) +
                               (error_ == ENOSPC || error_ == EDQUOT ? " (the disk is full)" : ""));
  }

 private:
  fs::path path_;
  int fd_ = -1;
  int error_ = 0;
};

template <typename Value>
void save_checked(const Value& value, const fs::path& path) {
  CheckedFile file(path);
  torch::save(value, file.sink());
  file.close();
}

}  // namespace

void save_train_state(const std::string& dir, const TrainPosition& position, const TrainableSet& trainable,
                      torch::optim::Optimizer& optimizer) {
  AtomicDir out(dir);
  json meta = {{"step", position.step},
               {"epoch", position.epoch},
               {"index_in_epoch", position.index_in_epoch},
               {"last_loss", position.last_loss},
               {"fingerprint", position.fingerprint}};
  std::vector<torch::Tensor> params;
  json names = json::array();
  for (const auto& [name, t] : trainable.params) {
    params.push_back(t.detach().cpu());
    names.push_back(name);
  }
  meta["params"] = names;
  // Every part through CheckedFile: a full disk is one error naming the file, the temporary
  // directory is removed by ~AtomicDir, and the previous state (if any) stays the trusted one.
  {
    CheckedFile state(out.tmp() / "state.json");
    const std::string text = meta.dump(2) + "\n";
    state.write(text.data(), text.size());
    state.close();
  }
  save_checked(params, out.tmp() / "params.pt");
  save_checked(optimizer, out.tmp() / "optimizer.pt");
  std::vector<torch::Tensor> rng;
  for (auto& g : default_generators()) {
    std::lock_guard<std::mutex> lock(g.mutex());
    rng.push_back(g.get_state());
  }
  save_checked(rng, out.tmp() / "rng.pt");
  out.commit();
}

bool load_train_state(const std::string& dir, TrainPosition& position, TrainableSet& trainable,
                      torch::optim::Optimizer& optimizer) {
  if (!fs::exists(fs::path(dir) / "state.json")) return false;
  json meta;
  {
    std::ifstream in(fs::path(dir) / "state.json");
    std::stringstream ss;
    ss << in.rdbuf();
    meta = json::parse(ss.str(), nullptr, false);
    if (meta.is_discarded()) throw std::runtime_error(dir + "/state.json: not valid JSON");
  }
  if (meta.value("fingerprint", json::object()) != position.fingerprint) {
    throw std::runtime_error(dir + " was saved by a different training request; resuming would train something else." +
                             differing_keys(meta.value("fingerprint", json::object()), position.fingerprint) +
                             "\nDelete " + dir + " to start this stage from scratch.");
  }
  json names = json::array();
  for (const auto& p : trainable.params) names.push_back(p.first);
  if (meta.value("params", json::array()) != names)
    throw std::runtime_error(dir + ": the saved trainable parameters differ from this run's");

  std::vector<torch::Tensor> params;
  torch::load(params, (fs::path(dir) / "params.pt").string());
  if (params.size() != trainable.params.size()) throw std::runtime_error(dir + "/params.pt: wrong number of tensors");
  {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < params.size(); ++i) {
      auto& target = trainable.params[i].second;
      if (params[i].sizes() != target.sizes())
        throw std::runtime_error(dir + "/params.pt: " + trainable.params[i].first + " has the wrong shape");
      target.copy_(params[i]);
    }
  }
  torch::Device device = trainable.params.empty() ? torch::Device(torch::kCPU) : trainable.params[0].second.device();
  torch::load(optimizer, (fs::path(dir) / "optimizer.pt").string(), device);
  std::vector<torch::Tensor> rng;
  torch::load(rng, (fs::path(dir) / "rng.pt").string());
  auto gens = default_generators();
  for (size_t i = 0; i < gens.size() && i < rng.size(); ++i) {
    std::lock_guard<std::mutex> lock(gens[i].mutex());
    gens[i].set_state(rng[i]);
  }
  position.step = meta.at("step").get<int64_t>();
  position.epoch = meta.at("epoch").get<int64_t>();
  position.index_in_epoch = meta.at("index_in_epoch").get<int64_t>();
  position.last_loss = meta.value("last_loss", 0.0);
  return true;
}

}  // namespace sftx::rt
