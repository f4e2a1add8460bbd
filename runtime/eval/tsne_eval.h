// The paper's D1 figure as an evaluation node: hidden states (rt::hidden_states, the mean over
// each prompt's tokens at params.layer) of up to params.n records per source (Record::source),
// projected with t-SNE (tsne.h) and plotted coloured by source.
// Writes out_dir/tsne.csv (id, source, x, y), tsne.png, result.json. Scores: "points" and
// "neighbour_same_source", the share of points whose nearest 2-D neighbour shares their source
// (1.0: sources fully separated; about 1/sources: mixed).
#pragma once

#include <array>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "runtime/api.h"
#include "runtime/data/record.h"

namespace sftx::rt {

nlohmann::json run_tsne_eval(const EvalRequest& request, const std::vector<Record>& records);

// Share of points whose nearest neighbour (Euclidean, 2-D) has the same label.
double neighbour_same_label(const std::vector<std::array<double, 2>>& points, const std::vector<std::string>& labels);

// The scatter plot and tsne.csv for labelled 2-D points.
void write_tsne_outputs(const std::vector<std::array<double, 2>>& points, const std::vector<std::string>& labels,
                        const std::string& title, const std::string& out_dir);

}  // namespace sftx::rt
