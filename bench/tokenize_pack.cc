// bench_tokenize_pack: tokenise + pack throughput (runtime/tokenizer pack_data) on a generated
// corpus: synthetic math, code and general records mixed, a 2000-piece BPE tokenizer trained on
// synthetic pretrain text, the vicuna template, seq_len 512, packed and padded.
//
//   bench_tokenize_pack [--records N] [--repeat R]     (defaults 30000, 3)
//
// Reports MB/s of input JSONL and of message text and tokens/s (best of R runs, SFTX_THREADS
// threads, default all cores), CPU seconds, plus the one-off tokenizer training time.
// Timing lives here, never in tests.
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "runtime/api.h"
#include "runtime/data/record.h"
#include "runtime/data/transforms.h"

namespace fs = std::filesystem;
using namespace sftx::rt;

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
// CPU seconds of this process (all threads): on a shared machine wall time overstates the cost.
double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}
}  // namespace

int main(int argc, char** argv) {
  int64_t records = 30000;
  int repeat = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--records") records = std::atoll(argv[i + 1]);
    else if (a == "--repeat") repeat = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: bench_tokenize_pack [--records N] [--repeat R]\n");
      return 2;
    }
  }
  const fs::path dir = fs::temp_directory_path() / ("sftx_bench_tokpack_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  try {
    // Corpus: a third each of math, code, general, concatenated (order does not matter for speed).
    const std::string corpus = (dir / "corpus.jsonl").string();
    {
      std::ofstream out(corpus, std::ios::binary);
      for (const char* kind : {"math", "code", "general"}) {
        const std::string part = (dir / (std::string(kind) + ".jsonl")).string();
        generate_synthetic(kind, records / 3, 1, part);
        std::ifstream in(part, std::ios::binary);
        out << in.rdbuf();
      }
    }
    const double jsonl_mb = static_cast<double>(fs::file_size(corpus)) / 1e6;
    double text_mb = 0;
    int64_t n_records = 0;
    {
      std::ifstream in(corpus);
      std::string line;
      while (std::getline(in, line)) {
        for (const auto& m : record_from_json(nlohmann::json::parse(line)).messages) text_mb += m.content.size();
        ++n_records;
      }
      text_mb /= 1e6;
    }

    const std::string pretrain = (dir / "pretrain.jsonl").string();
    generate_synthetic("pretrain", 6000, 1, pretrain);
    TokenizerSpec ts;
    ts.vocab_size = 2000;
    const std::string model = (dir / "tok.model").string();
    auto t0 = std::chrono::steady_clock::now();
    build_tokenizer(ts, {pretrain}, model);
    const double train_s = seconds_since(t0);

    std::printf("corpus: %lld records, %.1f MB JSONL, %.1f MB message text; tokenizer: BPE 2000 trained on 6000 "
                "pretrain records in %.2f s\n",
                static_cast<long long>(n_records), jsonl_mb, text_mb, train_s);
    std::printf("threads: %d (SFTX_THREADS)\n", default_threads());
    std::printf("| mode | seq_len | records | blocks | tokens | loss tokens | best wall s | JSONL MB/s | text MB/s | "
                "tokens/s | CPU s | text MB per CPU s |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (bool packed : {true, false}) {
      PackSpec ps;
      ps.tokenizer_model = model;
      ps.seq_len = 512;
      ps.packed = packed;
      double best = 1e30, best_cpu = 1e30;
      PackStats st;
      for (int r = 0; r < repeat; ++r) {
        t0 = std::chrono::steady_clock::now();
        const double c0 = cpu_seconds();
        st = pack_data(corpus, ps, (dir / "out.shard").string());
        best = std::min(best, seconds_since(t0));
        best_cpu = std::min(best_cpu, cpu_seconds() - c0);
      }
      std::printf("| %s | %d | %lld | %lld | %lld | %lld | %.2f | %.2f | %.2f | %.0f | %.2f | %.2f |\n",
                  packed ? "packed" : "padded", ps.seq_len, static_cast<long long>(st.records),
                  static_cast<long long>(st.blocks), static_cast<long long>(st.tokens),
                  static_cast<long long>(st.loss_tokens), best, jsonl_mb / best, text_mb / best,
                  static_cast<double>(st.tokens) / best, best_cpu, text_mb / best_cpu);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_tokenize_pack: %s\n", e.what());
    fs::remove_all(dir);
    return 1;
  }
  fs::remove_all(dir);
  return 0;
}
