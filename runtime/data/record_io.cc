#include "runtime/data/record_io.h"

#include "runtime/base/json_depth.h"
#include "runtime/data/utf8.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace sftx::rt {

namespace fs = std::filesystem;

namespace {
bool is_blank(const std::string& s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return false;
  return true;
}
}  // namespace

const std::string& require_regular_file(const std::string& path) {
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (!ec && fs::exists(st) && !fs::is_regular_file(st))
    throw DataError(path, 0, "not a regular file (a data source must be a file, not a FIFO, device or directory)");
  return path;
}

LineReader::LineReader(const std::string& path, size_t max_line_bytes)
    : path_(path), in_(require_regular_file(path), std::ios::binary), max_line_bytes_(max_line_bytes) {
  if (!in_) throw DataError(path, 0, "cannot open file");
}

bool LineReader::next(std::string& line) {
  // std::getline would hold any line whole before we could look at it: read in chunks and
  // stop at the bound.
  line.clear();
  bool found = false;  // a line is there: some bytes, or at least its '\n'
  char chunk[1 << 16];
  for (;;) {
    in_.get(chunk, sizeof chunk, '\n');
    const std::streamsize n = in_.gcount();
    if (n > 0) {
      found = true;
      if (line.size() + static_cast<size_t>(n) > max_line_bytes_)
        throw DataError(path_, line_ + 1,
                        "a line longer than " + std::to_string(max_line_bytes_ >> 20 ? max_line_bytes_ >> 20 : max_line_bytes_) +
                            (max_line_bytes_ >> 20 ? " MiB" : " bytes") + " (a record this large is not a training example)");
      line.append(chunk, static_cast<size_t>(n));
    }
    if (in_.bad()) throw DataError(path_, line_ + 1, "read error");
    if (in_.eof()) break;          // the last line has no '\n'
    if (in_.fail()) in_.clear();   // nothing extracted: the next byte is the '\n'
    if (in_.peek() == '\n') {
      in_.ignore(1);
      found = true;
      break;
    }
  }
  if (!found) return false;
  ++line_;
  offset_ = next_offset_;
  next_offset_ += line.size() + 1;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

void for_each_record(const std::string& path, const std::function<void(Record&&, int64_t)>& fn) {
  LineReader reader(path);
  std::string line;
  while (reader.next(line)) {
    if (is_blank(line)) continue;
    Record r;
    if (json_nests_deeper_than(line))
      throw DataError(path, reader.line_number(), "not a record: JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    try {
      r = record_from_json(nlohmann::json::parse(line));
    } catch (const std::exception& e) {
      throw DataError(path, reader.line_number(), "not a record: " + display_safe(e.what(), 300));
    }
    fn(std::move(r), reader.line_number());
  }
}

int64_t count_records(const std::string& path) {
  LineReader reader(path);
  std::string line;
  int64_t n = 0;
  while (reader.next(line))
    if (!is_blank(line)) ++n;
  return n;
}

RecordWriter::RecordWriter(const std::string& path) : path_(path), file_(path) {
  out_.open(file_.tmp(), std::ios::binary | std::ios::trunc);
  if (!out_) throw_write_error();
}

// Not a DataError: a full disk or an unwritable directory is the machine's problem, not the
// user's data (the command exits 3, not 1).
void RecordWriter::throw_write_error() const {
  const int saved = errno;
  throw std::runtime_error(path_ + ": cannot write: " + (saved ? std::strerror(saved) : "write failed"));
}

RecordWriter::~RecordWriter() {
  if (!closed_) out_.close();  // an exception unwound us: file_ removes the partial output
}

void RecordWriter::write(const Record& r) { write_line(to_json(r).dump()); }

void RecordWriter::write_line(const std::string& json_line) {
  out_ << json_line << '\n';
  if (!out_) throw_write_error();  // stop at the first failure, not after the whole input
  ++count_;
}

void RecordWriter::close() {
  if (closed_) return;
  errno = 0;
  out_.close();
  if (!out_) throw_write_error();
  file_.commit();
  closed_ = true;
}

RecordIndex::RecordIndex(const std::vector<std::string>& paths) : paths_(paths) {
  for (uint32_t f = 0; f < paths.size(); ++f) {
    LineReader reader(paths[f]);
    std::string line;
    while (reader.next(line))
      if (!is_blank(line)) entries_.push_back({f, reader.line_offset()});
    files_.emplace_back(paths[f], std::ios::binary);
  }
}

std::string RecordIndex::line(int64_t i) {
  const Entry& e = entries_.at(static_cast<size_t>(i));
  std::ifstream& in = files_[e.file];
  in.clear();
  in.seekg(static_cast<std::streamoff>(e.offset));
  std::string s;
  std::getline(in, s);
  if (!s.empty() && s.back() == '\r') s.pop_back();
  return s;
}

}  // namespace sftx::rt
