#include "runtime/eval/report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include "runtime/api.h"
#include "runtime/base/atomic_file.h"
#include "runtime/eval/plot.h"

namespace sftx::rt {
namespace {

const nlohmann::json& rows_of(const nlohmann::json& table) {
  static const nlohmann::json empty = nlohmann::json::array();
  return table.contains("rows") && table["rows"].is_array() ? table["rows"] : empty;
}

std::string plan_name(const nlohmann::json& row) { return row.value("plan", std::string()); }

const nlohmann::json* metric(const nlohmann::json& row, const std::string& col) {
  if (!row.contains("metrics") || !row["metrics"].is_object() || !row["metrics"].contains(col)) return nullptr;
  return &row["metrics"][col];
}

// row["std"][col] or row["n"][col] of a table aggregated over seeds.
const nlohmann::json* aggregate(const nlohmann::json& row, const char* what, const std::string& col) {
  if (!row.contains(what) || !row[what].is_object() || !row[what].contains(col)) return nullptr;
  return &row[what][col];
}

// A table aggregated over an experiment's seeds (report_table.h): its cells are means.
bool has_seeds(const nlohmann::json& table) { return table.contains("seeds") && table["seeds"].is_array(); }

// "rate" | "count" | "value" | "" (unknown) for a column (table["column_kinds"]).
std::string column_kind(const nlohmann::json& table, const std::string& col) {
  if (!table.contains("column_kinds") || !table["column_kinds"].is_object()) return "";
  const auto& k = table["column_kinds"];
  return k.contains(col) && k[col].is_string() ? k[col].get<std::string>() : "";
}

std::string format_number(double v, const char* fmt) {
  if (std::isnan(v)) return "nan";
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

// Markdown shows 4 decimals; CSV keeps full precision.
std::string cell(const nlohmann::json* v, bool full_precision) {
  if (!v || v->is_null()) return full_precision ? "" : "-";
  if (v->is_number_integer()) return std::to_string(v->get<int64_t>());
  if (v->is_number()) return format_number(v->get<double>(), full_precision ? "%.10g" : "%.4f");
  if (v->is_string()) return v->get<std::string>();
  return v->dump();
}

std::string param_text(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string md_field(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '|' ? std::string("\\|") : c == '\n' ? std::string(" ") : std::string(1, c);
  return out;
}

std::vector<std::string> param_names(const nlohmann::json& table) {
  std::vector<std::string> names;
  for (const auto& row : rows_of(table))
    if (row.contains("params") && row["params"].is_object())
      for (const auto& [k, v] : row["params"].items())
        if (std::find(names.begin(), names.end(), k) == names.end()) names.push_back(k);
  return names;
}

std::string file_safe(const std::string& name) {
  std::string out;
  for (char c : name) out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') ? c : '_';
  return out;
}

}  // namespace

std::optional<double> parameter_value(const nlohmann::json& v) {
  if (v.is_number()) return v.get<double>();
  if (!v.is_string()) return std::nullopt;
  const std::string s = v.get<std::string>();
  try {
    size_t slash = s.find('/');
    size_t used = 0;
    if (slash == std::string::npos) {
      double d = std::stod(s, &used);
      return used == s.size() ? std::optional<double>(d) : std::nullopt;
    }
    double num = std::stod(s.substr(0, slash), &used);
    if (used != slash) return std::nullopt;
    std::string den_s = s.substr(slash + 1);
    double den = std::stod(den_s, &used);
    if (used != den_s.size() || den == 0) return std::nullopt;
    return num / den;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string varying_parameter(const nlohmann::json& table) {
  const auto& rows = rows_of(table);
  if (rows.size() < 2) return "";
  std::vector<std::string> varying;
  for (const auto& name : param_names(table)) {
    std::set<std::string> values;
    for (const auto& row : rows) {
      bool has = row.contains("params") && row["params"].is_object() && row["params"].contains(name);
      values.insert(has ? row["params"][name].dump() : "<absent>");
    }
    if (values.size() > 1) varying.push_back(name);
  }
  return varying.size() == 1 ? varying[0] : "";
}

std::vector<std::string> report_columns(const nlohmann::json& table) {
  std::vector<std::string> cols;
  if (table.contains("columns") && table["columns"].is_array()) {
    for (const auto& c : table["columns"]) cols.push_back(c.get<std::string>());
    return cols;
  }
  for (const auto& row : rows_of(table))
    if (row.contains("metrics") && row["metrics"].is_object())
      for (const auto& [k, v] : row["metrics"].items())
        if (std::find(cols.begin(), cols.end(), k) == cols.end()) cols.push_back(k);
  return cols;
}

std::string report_markdown(const nlohmann::json& table) {
  auto cols = report_columns(table);
  bool seeded = has_seeds(table);
  std::string md = "| plan |";
  for (const auto& c : cols) md += " " + md_field(c) + " |";
  md += "\n| --- |";
  for (size_t i = 0; i < cols.size(); ++i) md += " ---: |";
  md += "\n";
  for (const auto& row : rows_of(table)) {
    md += "| " + md_field(plan_name(row)) + " |";
    for (const auto& c : cols) {
      std::string text = cell(metric(row, c), false);
      if (seeded && metric(row, c)) {
        // mean ± std (n = seeds that produced the value); one seed: the value, n = 1
        const nlohmann::json* n = aggregate(row, "n", c);
        const nlohmann::json* sd = aggregate(row, "std", c);
        if (n && n->is_number() && n->get<int64_t>() > 1 && sd) text += " ± " + cell(sd, false);
        if (n && n->is_number()) text += " (n=" + std::to_string(n->get<int64_t>()) + ")";
      }
      md += " " + md_field(text) + " |";
    }
    md += "\n";
  }
  if (seeded) {
    std::string seeds;
    for (const auto& s : table["seeds"]) seeds += (seeds.empty() ? "" : ", ") + s.dump();
    md += "\nmean ± sample standard deviation over seeds [" + seeds + "]; n = seeds with a value\n";
  }
  return md;
}

std::string report_csv(const nlohmann::json& table) {
  auto cols = report_columns(table);
  auto params = param_names(table);
  bool seeded = has_seeds(table);
  std::string csv = "plan";
  for (const auto& p : params) csv += "," + csv_field(p);
  for (const auto& c : cols) {
    csv += "," + csv_field(c);
    if (seeded) csv += "," + csv_field(c + " std") + "," + csv_field(c + " n");
  }
  csv += "\n";
  for (const auto& row : rows_of(table)) {
    csv += csv_field(plan_name(row));
    for (const auto& p : params) {
      bool has = row.contains("params") && row["params"].is_object() && row["params"].contains(p);
      csv += "," + (has ? csv_field(param_text(row["params"][p])) : std::string());
    }
    for (const auto& c : cols) {
      csv += "," + csv_field(cell(metric(row, c), true));
      if (seeded) csv += "," + csv_field(cell(aggregate(row, "std", c), true)) + "," + csv_field(cell(aggregate(row, "n", c), true));
    }
    csv += "\n";
  }
  return csv;
}

std::vector<std::string> write_sweep_plots(const nlohmann::json& table, const std::string& out_dir) {
  std::string param = varying_parameter(table);
  if (param.empty()) return {};
  // (x, label, row) sorted by x; every row needs a numeric value.
  struct Point {
    double x;
    std::string label;
    const nlohmann::json* row;
  };
  std::vector<Point> pts;
  for (const auto& row : rows_of(table)) {
    if (!row.contains("params") || !row["params"].contains(param)) return {};
    auto x = parameter_value(row["params"][param]);
    if (!x) return {};
    pts.push_back({*x, param_text(row["params"][param]), &row});
  }
  std::sort(pts.begin(), pts.end(), [](const Point& a, const Point& b) { return a.x < b.x; });
  bool positive = std::all_of(pts.begin(), pts.end(), [](const Point& p) { return p.x > 0; });
  // Fractions spanning powers of two (1/256 .. 1) read best on a log2 axis.
  bool log2_x = positive && pts.back().x / pts.front().x >= 4;

  // One line per plan family ("mixed" of mixed(1/4), "maths_alone" of maths_alone(1)): two
  // families swept over the same parameter are two lines, never one line through both.
  auto family = [](const nlohmann::json& row) {
    std::string name = plan_name(row);
    return name.substr(0, name.find('('));
  };
  std::vector<std::string> families;
  for (const auto& p : pts)
    if (std::find(families.begin(), families.end(), family(*p.row)) == families.end()) families.push_back(family(*p.row));
  std::vector<std::pair<double, std::string>> xtics;
  for (const auto& p : pts)
    if (xtics.empty() || xtics.back().first != p.x) xtics.push_back({p.x, p.label});

  std::vector<std::string> written;
  std::string experiment = table.value("experiment", std::string());
  for (const auto& col : report_columns(table)) {
    // Counts (tokens, points) describe the measurement, not a result: never plotted.
    std::string kind = column_kind(table, col);
    if (kind == "count") continue;
    Plot plot;
    bool spread = false;
    for (const auto& fam : families) {
      PlotSeries s{families.size() == 1 ? col : fam, {}, {}, {}};
      for (const auto& p : pts) {
        if (family(*p.row) != fam) continue;
        const auto* v = metric(*p.row, col);
        if (!v || !v->is_number()) continue;
        s.x.push_back(p.x);
        s.y.push_back(v->get<double>());
        const auto* n = aggregate(*p.row, "n", col);
        const auto* sd = aggregate(*p.row, "std", col);
        bool bar = n && n->is_number() && n->get<int64_t>() > 1 && sd && sd->is_number();
        s.err.push_back(bar ? sd->get<double>() : 0.0);
        spread |= bar;
      }
      if (!s.x.empty()) plot.series.push_back(std::move(s));
    }
    if (plot.series.empty()) continue;
    // error bars (one std) only where seeds gave a spread
    if (!spread)
      for (auto& s : plot.series) s.err.clear();
    if (kind == "rate") plot.y_range = {{0.0, 1.0}};
    plot.title = (experiment.empty() ? "" : experiment + ": ") + col + " against " + param +
                 (spread ? " (mean ± std over seeds)" : "");
    plot.xlabel = param;
    plot.ylabel = col;
    plot.log2_x = log2_x;
    plot.xtics = xtics;
    std::string name = file_safe(col) + ".png";
    render_plot(plot, (std::filesystem::path(out_dir) / name).string());
    written.push_back(name);
  }
  return written;
}

std::string write_report(const nlohmann::json& table, const std::string& out_dir) {
  std::filesystem::create_directories(out_dir);
  std::string md = report_markdown(table);
  write_file_atomic(out_dir + "/table.md", md);
  write_file_atomic(out_dir + "/table.csv", report_csv(table));
  nlohmann::json out = table;
  // The tables are the result; a plot that cannot be drawn (no gnuplot) is noted, not fatal.
  try {
    out["plots"] = write_sweep_plots(table, out_dir);
  } catch (const std::runtime_error& e) {
    out["plots"] = nlohmann::json::array();
    out["plot_error"] = e.what();
  }
  write_file_atomic(out_dir + "/table.json", out.dump(2) + "\n");
  return md;
}

}  // namespace sftx::rt
