// PNG plots through gnuplot (a subprocess; pngcairo, else png). Beside each PNG the data
// (.dat) and the script (.gp) are kept, so a plot can be restyled without rerunning anything.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sftx::rt {

struct PlotSeries {
  std::string label;
  std::vector<double> x, y;
  std::vector<double> err;  // optional, parallel to y: error bars of +-err (empty: none)
};

struct Plot {
  std::string title, xlabel, ylabel;
  bool points_only = false;  // a scatter (t-SNE) rather than lines with points (sweeps)
  bool log2_x = false;
  std::vector<std::pair<double, std::string>> xtics;  // optional: labelled x ticks ({0.25, "1/4"}), any series
  std::optional<std::pair<double, double>> y_range;  // fixed y axis (a rate: [0, 1]); else automatic
  std::vector<PlotSeries> series;
};

// Writes png_path (and png_path minus ".png" + ".dat"/".gp"). Throws std::runtime_error with
// gnuplot's message when it fails or is not installed.
void render_plot(const Plot& plot, const std::string& png_path);

}  // namespace sftx::rt
