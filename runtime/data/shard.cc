#include "runtime/data/shard.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "runtime/base/atomic_file.h"

namespace sftx::rt {
namespace {

// The token arrays are written and mapped in host order; the format says little-endian, so a
// big-endian host must refuse rather than write a file other machines misread.
bool host_is_little_endian() {
  const uint16_t one = 1;
  unsigned char b;
  std::memcpy(&b, &one, 1);
  return b == 1;
}

void require_little_endian(const std::string& path) {
  if (!host_is_little_endian())
    throw std::runtime_error(fmt::format("{}: shards are little-endian; this host is not", path));
}

template <typename T>
void put_le(unsigned char* p, T v) {
  for (size_t i = 0; i < sizeof(T); ++i) p[i] = static_cast<unsigned char>((static_cast<uint64_t>(v) >> (8 * i)) & 0xff);
}

template <typename T>
T get_le(const unsigned char* p) {
  uint64_t v = 0;
  for (size_t i = 0; i < sizeof(T); ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return static_cast<T>(v);
}

std::FILE* open_or_throw(const std::string& path, const char* mode) {
  std::FILE* f = std::fopen(path.c_str(), mode);
  if (!f) throw std::runtime_error(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
  return f;
}

void write_or_throw(std::FILE* f, const void* data, size_t bytes, const std::string& path) {
  if (bytes && std::fwrite(data, 1, bytes, f) != bytes)
    throw std::runtime_error(fmt::format("{}: write failed: {}", path, std::strerror(errno)));
}

void append_file(std::FILE* out, const std::string& part, const std::string& out_path) {
  std::FILE* in = open_or_throw(part, "rb");
  std::vector<char> buf(1 << 20);
  size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), in)) > 0) write_or_throw(out, buf.data(), n, out_path);
  const bool err = std::ferror(in);
  std::fclose(in);
  if (err) throw std::runtime_error(fmt::format("{}: read failed", part));
}

}  // namespace

// ------------------------------------------------------------------ writer
ShardWriter::ShardWriter(std::string path, uint32_t seq_len, uint32_t vocab_size, bool packed, int32_t pad_id,
                         int32_t eos_id)
    : path_(std::move(path)) {
  require_little_endian(path_);
  if (seq_len == 0 || seq_len % 2 != 0)
    throw std::runtime_error(fmt::format("{}: seq_len must be even and > 0 (got {}), so the uint16 segment ids "
                                         "stay aligned in the mapped file", path_, seq_len));
  header_.seq_len = seq_len;
  header_.vocab_size = vocab_size;
  header_.flags = packed ? kShardFlagPacked : 0;
  header_.pad_id = pad_id;
  header_.eos_id = eos_id;
  tok_ = open_or_throw(path_ + ".tokens.part", "wb");
  mask_ = open_or_throw(path_ + ".mask.part", "wb");
  seg_ = open_or_throw(path_ + ".segments.part", "wb");
}

ShardWriter::~ShardWriter() {
  close_parts();
  if (!finished_) remove_parts();
}

void ShardWriter::close_parts() {
  for (std::FILE** f : {&tok_, &mask_, &seg_})
    if (*f) {
      std::fclose(*f);
      *f = nullptr;
    }
}

void ShardWriter::remove_parts() {
  for (const char* suffix : {".tokens.part", ".mask.part", ".segments.part"}) std::remove((path_ + suffix).c_str());
}

void ShardWriter::add_block(const int32_t* tokens, const uint8_t* loss_mask, const uint16_t* segments) {
  if (finished_) throw std::runtime_error(fmt::format("{}: add_block after finish", path_));
  const uint32_t L = header_.seq_len;
  for (uint32_t t = 0; t < L; ++t) {
    if (tokens[t] < 0 || static_cast<uint32_t>(tokens[t]) >= header_.vocab_size)
      throw std::runtime_error(fmt::format("{}: block {} position {}: token id {} outside vocabulary of {}", path_,
                                           n_blocks_, t, tokens[t], header_.vocab_size));
    if (loss_mask[t] > 1)
      throw std::runtime_error(fmt::format("{}: block {} position {}: loss mask must be 0 or 1", path_, n_blocks_, t));
    if (segments[t] == 0 && loss_mask[t])
      throw std::runtime_error(fmt::format("{}: block {} position {}: padding cannot carry loss", path_, n_blocks_, t));
    if (!header_.packed() && segments[t] > 1)
      throw std::runtime_error(fmt::format("{}: block {}: a padded shard holds one document per block", path_, n_blocks_));
  }
  write_or_throw(tok_, tokens, sizeof(int32_t) * L, path_);
  write_or_throw(mask_, loss_mask, L, path_);
  write_or_throw(seg_, segments, sizeof(uint16_t) * L, path_);
  ++n_blocks_;
}

void ShardWriter::add_block(const std::vector<int32_t>& tokens, const std::vector<uint8_t>& loss_mask,
                            const std::vector<uint16_t>& segments) {
  const size_t L = header_.seq_len;
  if (tokens.size() != L || loss_mask.size() != L || segments.size() != L)
    throw std::runtime_error(fmt::format("{}: a block needs exactly seq_len = {} tokens, mask and segment ids", path_, L));
  add_block(tokens.data(), loss_mask.data(), segments.data());
}

void ShardWriter::finish() {
  if (finished_) return;
  for (std::FILE* f : {tok_, mask_, seg_})
    if (std::fflush(f) != 0) throw std::runtime_error(fmt::format("{}: flush failed: {}", path_, std::strerror(errno)));
  close_parts();
  header_.n_blocks = n_blocks_;

  unsigned char h[kShardHeaderBytes] = {};
  std::memcpy(h, kShardMagic, 8);
  put_le<uint32_t>(h + 8, header_.version);
  put_le<uint32_t>(h + 12, header_.seq_len);
  put_le<uint64_t>(h + 16, header_.n_blocks);
  put_le<uint32_t>(h + 24, header_.vocab_size);
  put_le<uint32_t>(h + 28, header_.flags);
  put_le<uint32_t>(h + 32, static_cast<uint32_t>(header_.pad_id));
  put_le<uint32_t>(h + 36, static_cast<uint32_t>(header_.eos_id));

  AtomicFile file(path_);
  const std::string tmp = file.tmp().string();
  std::FILE* out = open_or_throw(tmp, "wb");
  try {
    write_or_throw(out, h, sizeof h, tmp);
    append_file(out, path_ + ".tokens.part", tmp);
    append_file(out, path_ + ".mask.part", tmp);
    append_file(out, path_ + ".segments.part", tmp);
    if (std::fflush(out) != 0) throw std::runtime_error(fmt::format("{}: flush failed: {}", tmp, std::strerror(errno)));
  } catch (...) {
    std::fclose(out);
    throw;
  }
  if (std::fclose(out) != 0) throw std::runtime_error(fmt::format("{}: close failed: {}", tmp, std::strerror(errno)));
  file.commit();
  remove_parts();
  finished_ = true;
}

// ------------------------------------------------------------------ reader
ShardReader::ShardReader(const std::string& path) : path_(path) {
  require_little_endian(path_);
  const int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw std::runtime_error(fmt::format("{}: cannot open shard: {}", path, std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    throw std::runtime_error(fmt::format("{}: cannot stat shard", path));
  }
  size_ = static_cast<size_t>(st.st_size);
  if (size_ < kShardHeaderBytes) {
    ::close(fd);
    throw std::runtime_error(fmt::format("{}: not a shard ({} bytes, shorter than the 64-byte header)", path, size_));
  }
  void* m = ::mmap(nullptr, size_, PROT_READ, MAP_SHARED, fd, 0);
  ::close(fd);
  if (m == MAP_FAILED) throw std::runtime_error(fmt::format("{}: mmap failed: {}", path, std::strerror(errno)));
  base_ = static_cast<const unsigned char*>(m);

  auto fail = [&](const std::string& what) {
    ::munmap(const_cast<unsigned char*>(base_), size_);
    base_ = nullptr;
    throw std::runtime_error(fmt::format("{}: {}", path, what));
  };
  if (std::memcmp(base_, kShardMagic, 8) != 0) fail("not a shard (magic is not SFTXSHD1)");
  header_.version = get_le<uint32_t>(base_ + 8);
  if (header_.version != kShardVersion)
    fail(fmt::format("shard version {} is not supported (this build reads version {})", header_.version, kShardVersion));
  header_.seq_len = get_le<uint32_t>(base_ + 12);
  header_.n_blocks = get_le<uint64_t>(base_ + 16);
  header_.vocab_size = get_le<uint32_t>(base_ + 24);
  header_.flags = get_le<uint32_t>(base_ + 28);
  header_.pad_id = static_cast<int32_t>(get_le<uint32_t>(base_ + 32));
  header_.eos_id = static_cast<int32_t>(get_le<uint32_t>(base_ + 36));
  if (header_.seq_len == 0 || header_.seq_len % 2 != 0) fail(fmt::format("seq_len {} is not even and > 0", header_.seq_len));
  const unsigned __int128 n = static_cast<unsigned __int128>(header_.n_blocks) * header_.seq_len;
  const unsigned __int128 expect = kShardHeaderBytes + n * 7;
  if (expect != size_)
    fail(fmt::format("size {} bytes does not match header ({} blocks of {} tokens need {} bytes); truncated?", size_,
                     header_.n_blocks, header_.seq_len, static_cast<uint64_t>(expect)));
}

ShardReader::ShardReader(ShardReader&& o) noexcept
    : path_(std::move(o.path_)), header_(o.header_), base_(o.base_), size_(o.size_) {
  o.base_ = nullptr;
  o.size_ = 0;
}

ShardReader::~ShardReader() {
  if (base_) ::munmap(const_cast<unsigned char*>(base_), size_);
}

void ShardReader::check_index(uint64_t i) const {
  if (i >= header_.n_blocks)
    throw std::out_of_range(fmt::format("{}: block {} out of range (shard has {})", path_, i, header_.n_blocks));
}

const int32_t* ShardReader::tokens(uint64_t i) const {
  check_index(i);
  return reinterpret_cast<const int32_t*>(base_ + kShardHeaderBytes) + i * header_.seq_len;
}

const uint8_t* ShardReader::loss_mask(uint64_t i) const {
  check_index(i);
  const size_t n = header_.n_blocks * header_.seq_len;
  return base_ + kShardHeaderBytes + 4 * n + i * header_.seq_len;
}

const uint16_t* ShardReader::segments(uint64_t i) const {
  check_index(i);
  const size_t n = header_.n_blocks * header_.seq_len;
  return reinterpret_cast<const uint16_t*>(base_ + kShardHeaderBytes + 5 * n) + i * header_.seq_len;
}

std::vector<int32_t> ShardReader::positions(uint64_t i) const {
  const uint16_t* seg = segments(i);
  std::vector<int32_t> pos(header_.seq_len, 0);
  int32_t p = 0;
  for (uint32_t t = 0; t < header_.seq_len; ++t) {
    if (seg[t] == 0) {
      p = 0;
      continue;
    }
    if (t > 0 && seg[t] != seg[t - 1]) p = 0;
    pos[t] = p++;
  }
  return pos;
}

}  // namespace sftx::rt
