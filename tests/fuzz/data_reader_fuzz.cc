// libFuzzer target for the data readers: any bytes read as a dataset file (JSONL or a JSON
// array, in each source format, on_error stop or skip) or as a tokenizer.json must give records
// or a DataError/std::runtime_error message, never a crash, hang, sanitizer report or another
// exception (a nlohmann type_error, std::out_of_range: "internal error" for the user).
//
// The first byte chooses what the rest is (the seeds in corpus-data/ carry it):
//   0xF0..0xFF      a tokenizer.json: parsed, then a few texts encoded and decoded
//   otherwise       a dataset file: format = b % 6 (alpaca, sharegpt, messages, gsm8k,
//                   humaneval, text), container = (b / 6) % 2 (jsonl, json),
//                   on_error = (b / 12) % 2 (skip, stop), and for json the array is also
//                   split with a chunk of (b / 24) % 8 + 1 bytes, which must find the same
//                   elements as one whole-input chunk (a chunk boundary must not change anything).
// Properties checked beyond "no crash": every record serialises to JSON (valid UTF-8: the
// run.json / shard writers need it), and every error message is display-safe UTF-8 of
// bounded length (it reaches a terminal and run.json).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include "runtime/data/data_error.h"
#include "runtime/data/json_array_reader.h"
#include "runtime/data/record.h"
#include "runtime/data/source.h"
#include "runtime/data/source_format.h"
#include "runtime/data/utf8.h"
#include "runtime/tokenizer/hf_tokenizer.h"

namespace {

namespace fs = std::filesystem;

// tmpfs when there is one: the readers take a path, and every input is written there first.
const std::string& scratch_file() {
  static const std::string file = [] {
    fs::path base = fs::is_directory("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
    fs::path d = base / ("sftx_data_fuzz_" + std::to_string(::getpid()));
    fs::create_directories(d);
    return (d / "input").string();
  }();
  return file;
}

// An error message goes to a terminal and into run.json: bounded, valid UTF-8, no control bytes.
void check_message(const std::string& what) {
  if (what.size() > 8192) __builtin_trap();
  if (sftx::rt::invalid_utf8_offset(what) != std::string::npos) __builtin_trap();
  for (unsigned char c : what)
    if (c < 0x20 && c != '\n' && c != '\t') __builtin_trap();
}

void check_record(const sftx::rt::Record& r) {
  for (const auto& m : r.messages)
    if (m.role != "system" && m.role != "user" && m.role != "assistant") __builtin_trap();
  (void)sftx::rt::to_json(r).dump();  // throws type_error 316 on invalid UTF-8: not caught here
}

// Elements of a JSON array file, or the error, with a given read chunk.
std::vector<std::string> split_array(const std::string& path, size_t chunk, std::string& error) {
  std::vector<std::string> out;
  try {
    sftx::rt::JsonArrayReader reader(path, chunk);
    std::string element;
    int64_t line = 0;
    while (reader.next(element, line)) out.push_back(element + "@" + std::to_string(line));
  } catch (const sftx::rt::DataError& e) {
    error = e.what();
  }
  return out;
}

void fuzz_source(unsigned selector, const std::string& body) {
  const std::string& path = scratch_file();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(body.data(), static_cast<std::streamsize>(body.size()));
    if (!out.flush()) __builtin_trap();
  }
  sftx::rt::SourceSpec spec;
  spec.path = path;
  spec.format = sftx::rt::known_formats()[selector % 6];
  spec.container = (selector / 6) % 2 ? "json" : "jsonl";
  spec.on_error = (selector / 12) % 2 ? "stop" : "skip";
  sftx::rt::DataStats stats;
  try {
    sftx::rt::for_each_source_record(spec, [](sftx::rt::Record&& r) { check_record(r); }, stats);
    (void)stats.details.dump();  // the skip reasons go into run.json
  } catch (const sftx::rt::DataError& e) {
    check_message(e.what());
  }
  if (spec.container == "json") {
    std::string error_big, error_small;
    auto big = split_array(path, 1 << 16, error_big);  // more than max_len: one read
    auto small = split_array(path, (selector / 24) % 8 + 1, error_small);
    if (big != small || error_big != error_small) __builtin_trap();
  }
}

void fuzz_tokenizer(const std::string& body) {
  try {
    auto tok = sftx::rt::HfTokenizer::parse(body, "fuzz/tokenizer.json");
    for (const char* text : {"Hello world 123", " h\xC3\xA9llo\n\t  x  ", "<s>a</s><unk>", ""}) {
      for (bool special : {false, true}) {
        auto ids = tok.encode(text, special);
        for (int32_t id : ids)
          if (id < 0 || id >= tok.vocab_size()) __builtin_trap();
        (void)tok.decode(ids, false);
        (void)tok.decode(ids, true);
      }
    }
    for (int id = 0; id < tok.vocab_size() && id < 512; ++id) (void)tok.token_bytes(id);
  } catch (const std::runtime_error& e) {
    check_message(e.what());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned selector = data[0];
  std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (selector >= 0xF0) {
    fuzz_tokenizer(body);
  } else {
    fuzz_source(selector, body);
  }
  return 0;
}
