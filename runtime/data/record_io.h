// Streaming JSONL IO for Records: every data operation reads and writes through these, one
// line at a time, so memory does not grow with the file (a 2 GB file is read with a buffer
// the size of its longest line).
#pragma once

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "runtime/base/atomic_file.h"
#include "runtime/data/data_error.h"
#include "runtime/data/record.h"

namespace sftx::rt {

// Throws DataError "PATH: not a regular file ..." for a FIFO, a device or a directory (a read
// of /dev/zero or a FIFO never ends, and opening a FIFO blocks); returns path. Every data
// reader checks its file with this before opening it.
const std::string& require_regular_file(const std::string& path);

// Longest line a LineReader accepts: a record is a training example, not a file's worth of
// bytes (a 200 MB line took 1.3 GB to parse and gave a 209 MB error message).
inline constexpr size_t kMaxLineBytes = size_t{64} << 20;

// Reads a text file line by line, counting lines from 1. Holds one line at a time, at most
// max_line_bytes long (DataError "PATH:LINE: a line longer than ..." beyond).
class LineReader {
 public:
  explicit LineReader(const std::string& path, size_t max_line_bytes = kMaxLineBytes);
  // Next line without its '\n' (and without a trailing '\r'); false at end of file.
  bool next(std::string& line);
  int64_t line_number() const { return line_; }   // of the line last returned
  uint64_t line_offset() const { return offset_; }  // byte offset where it starts
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::ifstream in_;
  size_t max_line_bytes_;
  int64_t line_ = 0;
  uint64_t offset_ = 0, next_offset_ = 0;
};

// Calls fn for every record of a records JSONL file (ours: the output of a data operation),
// with its line number. Blank lines are ignored. A line that is not a record throws DataError.
void for_each_record(const std::string& path, const std::function<void(Record&&, int64_t line)>& fn);

// Number of records in a records JSONL file (one pass, no parsing).
int64_t count_records(const std::string& path);

// Writes records as JSONL; creates parent directories; written to a temporary file and renamed
// on close() (runtime/base/atomic_file.h) so a crash never leaves a half-written output under
// the final name. Every write and the close are checked: a failure (a full disk) throws
// std::runtime_error "PATH: cannot write: <errno text>" (not a DataError: it is not the data's
// fault) and leaves no temporary file.
class RecordWriter {
 public:
  explicit RecordWriter(const std::string& path);
  ~RecordWriter();
  RecordWriter(const RecordWriter&) = delete;
  RecordWriter& operator=(const RecordWriter&) = delete;
  void write(const Record& r);
  void write_line(const std::string& json_line);  // an already-serialised record
  int64_t count() const { return count_; }
  void close();

 private:
  [[noreturn]] void throw_write_error() const;
  std::string path_;
  AtomicFile file_;
  std::ofstream out_;
  int64_t count_ = 0;
  bool closed_ = false;
};

// Random access to the records of several JSONL files by global index, for writing them in
// a shuffled order without holding them: keeps 16 bytes per record (file, byte offset).
class RecordIndex {
 public:
  explicit RecordIndex(const std::vector<std::string>& paths);
  int64_t size() const { return static_cast<int64_t>(entries_.size()); }
  std::string line(int64_t i);  // the raw JSON line of record i

 private:
  struct Entry {
    uint32_t file;
    uint64_t offset;
  };
  std::vector<std::string> paths_;
  std::vector<std::ifstream> files_;
  std::vector<Entry> entries_;
};

}  // namespace sftx::rt
