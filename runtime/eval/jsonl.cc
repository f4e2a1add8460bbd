#include "runtime/eval/jsonl.h"

#include "runtime/data/json_depth.h"
#include "runtime/data/utf8.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace sftx::rt {

std::vector<JsonlLine> read_jsonl_objects(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::vector<JsonlLine> out;
  std::string line;
  int64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    if (json_nests_deeper_than(line))
      throw std::runtime_error(path + ":" + std::to_string(n) + ": JSON nested deeper than " +
                               std::to_string(kMaxJsonDepth) + " levels");
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range: 1e999
      throw std::runtime_error(path + ":" + std::to_string(n) + ": not valid JSON: " + display_safe(e.what(), 300));
    }
    if (!j.is_object()) throw std::runtime_error(path + ":" + std::to_string(n) + ": expected a JSON object");
    out.push_back({std::move(j), n});
  }
  return out;
}

void write_text_file(const std::string& path, const std::string& text) {
  std::filesystem::path p(path);
  if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
  const std::string tmp = path + ".tmp";
  // Plain write(2)s, so that the open, every write and the close are each checked with their
  // errno (an ofstream's close is not, and its failure says nothing of why).
  auto fail = [&](int err, int fd) {
    if (fd >= 0) ::close(fd);
    std::error_code ec;
    std::filesystem::remove(tmp, ec);  // nothing half-written stays behind
    throw std::system_error(err, std::generic_category(), path + ": cannot write");
  };
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail(errno, -1);
  for (size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail(n < 0 ? errno : EIO, fd);
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) fail(errno, -1);
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail(errno, -1);
}

void write_jsonl(const std::string& path, const std::vector<nlohmann::json>& rows) {
  std::string text;
  for (const auto& r : rows) {
    text += r.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    text += '\n';
  }
  write_text_file(path, text);
}

}  // namespace sftx::rt
