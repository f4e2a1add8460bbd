#include "runtime/eval/plot.h"

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "runtime/base/atomic_file.h"
#include "runtime/eval/subprocess.h"

namespace sftx::rt {
namespace {

// A gnuplot string literal: single quotes, doubled inside.
std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "''";
    else if (c == '\n') out += ' ';
    else out += c;
  }
  return out + "'";
}

std::string number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

bool has_pngcairo() {
  static const bool yes = [] {
    try {
      auto r = run_process({"gnuplot", "-e", "set terminal pngcairo"}, "", 20);
      return r.ok() && r.stderr_text.find("unknown") == std::string::npos;
    } catch (const std::exception&) {
      return false;
    }
  }();
  return yes;
}

// Whether a PNG file ends with its IEND chunk: gnuplot exits 0 when it could not write its
// output (a full disk) and leaves an empty or cut-off file, which must not pass for a plot.
bool png_complete(const std::filesystem::path& png) {
  static const unsigned char kIend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
  std::error_code ec;
  const auto size = std::filesystem::file_size(png, ec);
  if (ec || size < 8 + sizeof kIend) return false;
  std::ifstream in(png, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(size - sizeof kIend));
  unsigned char tail[sizeof kIend] = {};
  in.read(reinterpret_cast<char*>(tail), sizeof tail);
  return in && std::memcmp(tail, kIend, sizeof kIend) == 0;
}

}  // namespace

void render_plot(const Plot& plot, const std::string& png_path) {
  namespace fs = std::filesystem;
  fs::path png = fs::absolute(png_path);
  fs::path stem = png;
  stem.replace_extension();
  const std::string dat = stem.string() + ".dat", gp = stem.string() + ".gp";

  // One data block per series, separated by two blank lines (gnuplot "index").
  std::ostringstream data;
  for (size_t s = 0; s < plot.series.size(); ++s) {
    const auto& ser = plot.series[s];
    data << "# " << ser.label << "\n";
    for (size_t i = 0; i < ser.x.size() && i < ser.y.size(); ++i) {
      data << number(ser.x[i]) << ' ' << number(ser.y[i]);
      if (!ser.err.empty()) data << ' ' << number(i < ser.err.size() ? ser.err[i] : 0.0);
      data << '\n';
    }
    data << "\n\n";
  }
  write_file_atomic(dat, data.str());

  std::ostringstream g;
  g << (has_pngcairo() ? "set terminal pngcairo size 800,500 enhanced font 'sans,10'\n"
                       : "set terminal png size 800,500\n");
  // File names relative to the script's directory: the .gp still works after the report is
  // copied elsewhere (results committed beside an experiment), run there as `gnuplot F.gp`.
  g << "set output " << quoted(png.filename().string()) << "\n";
  g << "set title " << quoted(plot.title) << " noenhanced\n";
  g << "set xlabel " << quoted(plot.xlabel) << " noenhanced\n";
  g << "set ylabel " << quoted(plot.ylabel) << " noenhanced\n";
  g << "set grid\nset key outside right noenhanced\n";
  // Keep the extreme points (and their tic labels) off the frame.
  g << "set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05\n";
  if (plot.log2_x) g << "set logscale x 2\n";
  if (plot.y_range) {
    // A fixed range: the offsets above would widen it, and a rate's axis is exactly [0, 1].
    g << "set offsets graph 0.05, graph 0.05, 0, 0\n";
    g << "set yrange [" << number(plot.y_range->first) << ":" << number(plot.y_range->second) << "]\n";
  }
  if (!plot.xtics.empty()) {
    g << "set xtics (";
    for (size_t i = 0; i < plot.xtics.size(); ++i)
      g << (i ? ", " : "") << quoted(plot.xtics[i].second) << " " << number(plot.xtics[i].first);
    g << ")\n";
  }
  g << "plot ";
  for (size_t s = 0; s < plot.series.size(); ++s) {
    bool bars = !plot.series[s].err.empty();
    g << (s ? ", " : "") << quoted(fs::path(dat).filename().string()) << " index " << s << (bars ? " using 1:2:3 " : " using 1:2 ")
      << (plot.points_only ? "with points pt 7 ps 0.8"
                           : bars ? "with yerrorlines lw 2 pt 7" : "with linespoints lw 2 pt 7")
      << " title " << quoted(plot.series[s].label);
  }
  g << "\n";
  write_file_atomic(gp, g.str());

  std::error_code ec;
  fs::remove(png, ec);
  ProcessResult r;
  try {
    r = run_process({"gnuplot", "-e", "cd " + quoted(png.parent_path().string()), gp}, "", 60);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(std::string("plot: ") + e.what() + " (install gnuplot)");
  }
  if (!r.ok() || !fs::exists(png))
    throw std::runtime_error("plot: gnuplot failed on " + gp + ": " + r.stderr_text);
  if (!png_complete(png)) {
    fs::remove(png, ec);
    throw std::runtime_error("plot: gnuplot could not write all of " + png.string() +
                             " (is the disk full?); nothing is left under that name");
  }
}

}  // namespace sftx::rt
