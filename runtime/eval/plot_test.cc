#include "runtime/eval/plot.h"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

using namespace sftx::rt;
namespace fs = std::filesystem;

namespace {
bool is_png(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  char magic[8] = {};
  in.read(magic, 8);
  return in && std::string(magic, 8) == std::string("\x89PNG\r\n\x1a\n", 8);
}
}  // namespace

TEST_CASE("plot: line and scatter plots become PNG files", "[plot]") {
  fs::path dir = fs::temp_directory_path() / "sftx-plot-test";
  fs::remove_all(dir);
  fs::create_directories(dir);
  Plot line;
  line.title = "gsm8k.accuracy vs k (it's a test)";
  line.xlabel = "k";
  line.ylabel = "accuracy";
  line.log2_x = true;
  line.series = {{"accuracy", {1.0 / 256, 1.0 / 16, 1.0}, {0.1, 0.3, 0.2}}};
  line.xtics = {{1.0 / 256, "1/256"}, {1.0 / 16, "1/16"}, {1.0, "1"}};
  render_plot(line, (dir / "line.png").string());
  CHECK(is_png(dir / "line.png"));
  CHECK(fs::exists(dir / "line.gp"));
  CHECK(fs::exists(dir / "line.dat"));
  {
    // The script names its files relative to its own directory, so it can be copied.
    std::ifstream in(dir / "line.gp");
    std::string gp((std::istreambuf_iterator<char>(in)), {});
    CHECK(gp.find(dir.string()) == std::string::npos);
    CHECK(gp.find("set output 'line.png'") != std::string::npos);
  }

  Plot scatter;
  scatter.points_only = true;
  scatter.series = {{"math", {0, 1}, {0, 1}}, {"code", {5, 6}, {5, 6}}};
  render_plot(scatter, (dir / "scatter.png").string());
  CHECK(is_png(dir / "scatter.png"));
  fs::remove_all(dir);
}
