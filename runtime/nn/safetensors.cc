#include "runtime/nn/safetensors.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <vector>

#include <nlohmann/json.hpp>

namespace sftx::rt {

namespace {

struct DtypeName {
  const char* name;
  torch::ScalarType type;
};
constexpr DtypeName kDtypes[] = {
    {"F64", torch::kFloat64}, {"F32", torch::kFloat32}, {"F16", torch::kFloat16}, {"BF16", torch::kBFloat16},
    {"I64", torch::kInt64},   {"I32", torch::kInt32},   {"I16", torch::kInt16},   {"I8", torch::kInt8},
    {"U8", torch::kUInt8},    {"BOOL", torch::kBool},
};

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error(path + ": safetensors: " + what);
}

uint64_t read_u64_le(const unsigned char* b) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | b[i];
  return v;
}

void write_u64_le(std::ostream& out, uint64_t v) {
  unsigned char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
  out.write(reinterpret_cast<const char*>(b), 8);
}

struct Entry {
  std::string name;
  torch::ScalarType type;
  std::vector<int64_t> shape;
  uint64_t begin, end;
};

// Parses and validates the header against the file size; returns the entries and the offset of
// the data buffer.
std::vector<Entry> parse_header(const std::string& path, std::ifstream& in, uint64_t file_size, uint64_t& data_start,
                                StringMap* metadata, nlohmann::json* raw) {
  if (file_size < 8) fail(path, "file is " + std::to_string(file_size) + " bytes, shorter than the 8-byte header length");
  unsigned char len_bytes[8];
  in.read(reinterpret_cast<char*>(len_bytes), 8);
  const uint64_t n = read_u64_le(len_bytes);
  if (n > file_size - 8) fail(path, "header length " + std::to_string(n) + " exceeds the file size " + std::to_string(file_size));
  std::string text(n, '\0');
  in.read(text.data(), static_cast<std::streamsize>(n));
  if (!in) fail(path, "cannot read the header");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    fail(path, std::string("header is not valid JSON: ") + e.what());
  }
  if (!header.is_object()) fail(path, "header is not a JSON object");
  data_start = 8 + n;
  const uint64_t buffer_size = file_size - data_start;

  std::vector<Entry> entries;
  for (const auto& [name, info] : header.items()) {
    if (name == "__metadata__") {
      if (metadata && info.is_object())
        for (const auto& [k, v] : info.items())
          if (v.is_string()) (*metadata)[k] = v.get<std::string>();
      continue;
    }
    if (!info.is_object() || !info.contains("dtype") || !info.contains("shape") || !info.contains("data_offsets"))
      fail(path, "tensor \"" + name + "\" lacks dtype, shape or data_offsets");
    Entry e;
    e.name = name;
    try {
      e.type = safetensors_dtype(info["dtype"].get<std::string>());
      e.shape = info["shape"].get<std::vector<int64_t>>();
      const auto offsets = info["data_offsets"].get<std::vector<uint64_t>>();
      if (offsets.size() != 2) fail(path, "tensor \"" + name + "\": data_offsets must be [begin, end]");
      e.begin = offsets[0];
      e.end = offsets[1];
    } catch (const nlohmann::json::exception& ex) {
      fail(path, "tensor \"" + name + "\": " + ex.what());
    } catch (const std::invalid_argument& ex) {
      fail(path, "tensor \"" + name + "\": " + ex.what());
    }
    uint64_t numel = 1;
    for (int64_t d : e.shape) {
      if (d < 0) fail(path, "tensor \"" + name + "\" has a negative dimension");
      numel *= static_cast<uint64_t>(d);
    }
    const uint64_t bytes = numel * c10::elementSize(e.type);
    if (e.end < e.begin || e.end > buffer_size)
      fail(path, "tensor \"" + name + "\": data_offsets [" + std::to_string(e.begin) + ", " + std::to_string(e.end) +
                     "] outside the " + std::to_string(buffer_size) + "-byte data buffer");
    if (e.end - e.begin != bytes)
      fail(path, "tensor \"" + name + "\": " + std::to_string(e.end - e.begin) + " bytes for a shape that needs " +
                     std::to_string(bytes));
    entries.push_back(std::move(e));
  }
  // The specification requires the tensors to cover the buffer exactly (no holes, no overlaps).
  std::vector<const Entry*> by_offset;
  for (const auto& e : entries) by_offset.push_back(&e);
  std::sort(by_offset.begin(), by_offset.end(),
            [](const Entry* a, const Entry* b) { return a->begin != b->begin ? a->begin < b->begin : a->end < b->end; });
  uint64_t covered = 0;
  for (const Entry* e : by_offset) {
    if (e->begin != covered) fail(path, "tensor \"" + e->name + "\" leaves a gap or overlaps in the data buffer");
    covered = e->end;
  }
  if (covered != buffer_size)
    fail(path, "tensors cover " + std::to_string(covered) + " of " + std::to_string(buffer_size) + " data bytes");
  if (raw) {
    *raw = header;
    raw->erase("__metadata__");
  }
  return entries;
}

// The file opened for reading, and its size: what parse_header reads the header with.
std::ifstream open_with_size(const std::string& path, uint64_t& size) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open");
  std::error_code ec;
  size = std::filesystem::file_size(path, ec);
  if (ec) fail(path, "cannot stat: " + ec.message());
  return in;
}

}  // namespace

torch::ScalarType safetensors_dtype(const std::string& name) {
  for (const auto& d : kDtypes)
    if (name == d.name) return d.type;
  throw std::invalid_argument("unsupported safetensors dtype \"" + name + "\"");
}

std::string safetensors_dtype_name(torch::ScalarType type) {
  for (const auto& d : kDtypes)
    if (type == d.type) return d.name;
  throw std::invalid_argument(std::string("dtype ") + c10::toString(type) + " has no safetensors name");
}

TensorMap read_safetensors(const std::string& path, StringMap* metadata) {
  uint64_t size = 0;
  std::ifstream in = open_with_size(path, size);
  uint64_t data_start = 0;
  const auto entries = parse_header(path, in, size, data_start, metadata, nullptr);
  TensorMap out;
  for (const auto& e : entries) {
    torch::Tensor t = torch::empty(e.shape, torch::TensorOptions().dtype(e.type));
    in.seekg(static_cast<std::streamoff>(data_start + e.begin));
    in.read(static_cast<char*>(t.data_ptr()), static_cast<std::streamsize>(e.end - e.begin));
    if (!in) fail(path, "truncated while reading tensor \"" + e.name + "\"");
    out.emplace(e.name, std::move(t));
  }
  return out;
}

nlohmann::json read_safetensors_header(const std::string& path) {
  uint64_t size = 0;
  std::ifstream in = open_with_size(path, size);
  uint64_t data_start = 0;
  nlohmann::json raw;
  parse_header(path, in, size, data_start, nullptr, &raw);
  return raw;
}

void write_safetensors(const std::string& path, const TensorMap& tensors, const StringMap& metadata) {
  nlohmann::json header = nlohmann::json::object();
  StringMap meta = metadata;
  if (!meta.count("format")) meta["format"] = "pt";
  header["__metadata__"] = meta;
  std::vector<torch::Tensor> data;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    torch::Tensor t = tensor.detach().to(torch::kCPU).contiguous();
    const uint64_t bytes = static_cast<uint64_t>(t.numel()) * t.element_size();
    header[name] = {{"dtype", safetensors_dtype_name(t.scalar_type())},
                    {"shape", t.sizes().vec()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    data.push_back(std::move(t));
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // data 8-byte aligned, as the reference writer does

  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) fail(path, "cannot create");
  write_u64_le(out, text.size());
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  for (const auto& t : data)
    out.write(static_cast<const char*>(t.data_ptr()), static_cast<std::streamsize>(t.numel() * t.element_size()));
  out.flush();
  if (!out) fail(path, "write failed (disk full?)");
}

}  // namespace sftx::rt
