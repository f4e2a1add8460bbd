#include "runtime/nn/metrics_log.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "runtime/base/atomic_file.h"

namespace sftx::rt {

MetricsLog::MetricsLog(std::string path, int64_t resume_step) : path_(std::move(path)) {
  if (resume_step >= 0 && std::filesystem::exists(path_)) {
    std::ifstream in(path_);
    std::string kept, line;
    while (std::getline(in, line)) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_discarded()) continue;  // a line cut short by the crash
      if (j.contains("step") && j["step"].is_number_integer() && j["step"].get<int64_t>() > resume_step) continue;
      kept += line + "\n";
    }
    write_file_atomic(path_, kept);
  }
  file_ = std::fopen(path_.c_str(), resume_step >= 0 ? "a" : "w");
  if (!file_) throw std::runtime_error("cannot open " + path_ + ": " + std::strerror(errno));
}

MetricsLog::~MetricsLog() {
  if (file_) std::fclose(file_);
}

void MetricsLog::write(const nlohmann::json& line) {
  std::string s = line.dump() + "\n";
  if (std::fwrite(s.data(), 1, s.size(), file_) != s.size() || std::fflush(file_) != 0)
    throw std::runtime_error("cannot write " + path_ + ": " + std::strerror(errno));
}

}  // namespace sftx::rt
