// sftx-worker: the torch side of sftx. The driver (`sftx`) writes a request JSON and runs
//   sftx-worker train REQUEST.json
// This process links LibTorch and never SentencePiece (see CMakeLists.txt for why).
#include <cstdio>
#include <string>

#include <fmt/core.h>

int main(int argc, char** argv) {
  if (argc < 3) {
    fmt::print(stderr, "usage: sftx-worker train|generate|hidden REQUEST.json\n");
    return 2;
  }
  fmt::print(stderr, "sftx-worker {}: not built yet\n", argv[1]);
  return 3;
}
