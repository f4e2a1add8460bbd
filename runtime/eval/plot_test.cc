#include "runtime/eval/plot.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

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

TEST_CASE("plot: a PNG that gnuplot could not finish writing is an error, not a plot", "[plot][disk_full]") {
  // A child process whose files may not grow past 4 KiB (RLIMIT_FSIZE, SIGXFSZ ignored: writes
  // fail with EFBIG as on a full disk), inherited by gnuplot: the .dat and .gp fit, the PNG
  // does not. gnuplot still exits 0, leaving a cut-off file that used to count as the plot.
  fs::path dir = fs::temp_directory_path() / ("sftx-plot-full-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path png = dir / "line.png";
  const fs::path message_file = dir / "message.txt";
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit = {4096, 4096};
    ::setrlimit(RLIMIT_FSIZE, &limit);
    Plot line;
    line.title = "a plot on a full disk";
    line.series = {{"accuracy", {1, 2, 3, 4}, {0.1, 0.3, 0.2, 0.5}}};
    int code = 0;
    std::string message = "no error";
    try {
      render_plot(line, png.string());
    } catch (const std::runtime_error& e) {
      message = e.what();
      code = 1;
    }
    std::ofstream(message_file) << message;  // a few bytes: under the limit
    ::_exit(code);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  std::ifstream in(message_file);
  std::string message((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 1);
  CHECK(message == "plot: gnuplot could not write all of " + png.string() +
                       " (is the disk full?); nothing is left under that name");
  CHECK_FALSE(fs::exists(png));
  fs::remove_all(dir);
}
