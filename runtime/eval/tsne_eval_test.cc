#include "runtime/eval/tsne_eval.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

using namespace sftx::rt;
namespace fs = std::filesystem;

TEST_CASE("tsne eval: nearest-neighbour agreement (hand-computed)", "[tsne]") {
  // a0 and a1 are neighbours; b0's nearest is a1 (distance 1 vs 3 to b1); b1's nearest is b0.
  std::vector<std::array<double, 2>> p{{0, 0}, {1, 0}, {2, 0}, {5, 0}};
  std::vector<std::string> l{"a", "a", "b", "b"};
  CHECK(neighbour_same_label(p, l) == Approx(3.0 / 4));
}

TEST_CASE("tsne eval: CSV and a PNG scatter coloured by source", "[tsne]") {
  fs::path dir = fs::temp_directory_path() / "sftx-tsne-eval-test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  write_tsne_outputs({{0, 0}, {1, 1}, {5, 5}}, {"math", "math", "code, python"}, "test", dir.string());
  std::ifstream csv(dir / "tsne.csv");
  std::string all((std::istreambuf_iterator<char>(csv)), {});
  CHECK(all == "id,source,x,y\n0,math,0.000000,0.000000\n1,math,1.000000,1.000000\n2,\"code, python\",5.000000,5.000000\n");
  std::ifstream png(dir / "tsne.png", std::ios::binary);
  char magic[4] = {};
  png.read(magic, 4);
  CHECK(std::string(magic + 1, 3) == "PNG");
  fs::remove_all(dir);
}
