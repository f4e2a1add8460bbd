// Experiment reports (runtime/api.h write_report): one table per experiment, rows the plan
// instances, columns the metrics, as table.md, table.csv and table.json, plus one PNG per
// metric when the rows differ in exactly one numeric plan parameter (k in k_sweep, the data
// fraction in rq1/rq2). Everything is a plain file in out_dir, so a report node caches.
// A table aggregated over seeds ("seeds", rows with "std" and "n") shows mean ± std (n=N) in
// Markdown, adds "<col> std" and "<col> n" columns to the CSV, and plots error bars of one
// std. table["column_kinds"] puts a rate's axis on [0, 1] and leaves counts unplotted.
// A plot gnuplot cannot draw is recorded as table.json's "plot_error"; the tables still stand.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sftx::rt {

// "1/4" -> 0.25, "0.5" -> 0.5, 3 -> 3; nullopt for anything else.
std::optional<double> parameter_value(const nlohmann::json& v);

// The one plan parameter that differs between rows, if exactly one does; else "".
std::string varying_parameter(const nlohmann::json& table);

std::string report_markdown(const nlohmann::json& table);
std::string report_csv(const nlohmann::json& table);
// Metric columns: table["columns"], else the metric names in the order rows first mention them.
std::vector<std::string> report_columns(const nlohmann::json& table);

// Writes the plots for a sweep; returns the PNG file names written (empty when no single
// numeric parameter varies).
std::vector<std::string> write_sweep_plots(const nlohmann::json& table, const std::string& out_dir);

}  // namespace sftx::rt
