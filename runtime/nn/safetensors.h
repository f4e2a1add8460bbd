// The safetensors file format (https://github.com/huggingface/safetensors), read and written
// directly from its specification:
//
//   bytes 0..8        N, the header length, unsigned 64-bit little-endian
//   bytes 8..8+N      the header: a UTF-8 JSON object
//                       {"TENSOR": {"dtype": "F32", "shape": [2, 3], "data_offsets": [BEGIN, END]},
//                        ..., "__metadata__": {"STRING": "STRING"}}   (metadata optional)
//                     (writers pad it with spaces so the data starts 8-byte aligned)
//   bytes 8+N..       the data buffer: each tensor's bytes, row-major, little-endian, at
//                     [BEGIN, END) relative to the start of the buffer; together the tensors
//                     cover the buffer exactly, without gaps or overlaps.
//
// Dtypes: F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace sftx::rt {

using TensorMap = std::map<std::string, torch::Tensor>;  // name -> tensor, ordered by name
using StringMap = std::map<std::string, std::string>;

// Reads every tensor (CPU, its stored dtype). Throws std::runtime_error naming the file and what
// is wrong (truncated file, bad header, unknown dtype, offsets outside the buffer or not covering
// it, size not matching shape).
TensorMap read_safetensors(const std::string& path, StringMap* metadata = nullptr);

// The parsed header only: name -> {"dtype", "shape", "data_offsets"} (no __metadata__).
nlohmann::json read_safetensors_header(const std::string& path);

// Writes tensors in name order (any device, dtype among the above; made contiguous on CPU).
// metadata gets "format": "pt" unless given, as transformers expects. Not atomic by itself.
void write_safetensors(const std::string& path, const TensorMap& tensors, const StringMap& metadata = {});

// "F32" <-> torch::kFloat32 and so on; throws on a dtype outside the list above.
torch::ScalarType safetensors_dtype(const std::string& name);
std::string safetensors_dtype_name(torch::ScalarType type);

}  // namespace sftx::rt
