#include "runtime/eval/tsne_eval.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "runtime/data/chat_template.h"
#include "runtime/base/atomic_file.h"
#include "runtime/base/jsonl.h"
#include "runtime/eval/plot.h"
#include "runtime/eval/tsne.h"
#include "runtime/tokenizer/tokenizer.h"

namespace sftx::rt {

double neighbour_same_label(const std::vector<std::array<double, 2>>& p, const std::vector<std::string>& labels) {
  if (p.size() < 2) return 0.0;
  int64_t same = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    size_t best = i == 0 ? 1 : 0;
    double bd = INFINITY;
    for (size_t j = 0; j < p.size(); ++j) {
      if (j == i) continue;
      double d = std::hypot(p[i][0] - p[j][0], p[i][1] - p[j][1]);
      if (d < bd) {
        bd = d;
        best = j;
      }
    }
    same += labels[best] == labels[i];
  }
  return static_cast<double>(same) / static_cast<double>(p.size());
}

void write_tsne_outputs(const std::vector<std::array<double, 2>>& points, const std::vector<std::string>& labels,
                        const std::string& title, const std::string& out_dir) {
  namespace fs = std::filesystem;
  std::string csv = "id,source,x,y\n";
  std::vector<std::string> order;
  std::map<std::string, PlotSeries> by_source;
  for (size_t i = 0; i < points.size(); ++i) {
    std::string src = labels[i];
    std::string quoted = src.find_first_of(",\"") == std::string::npos ? src : "\"" + src + "\"";
    csv += std::to_string(i) + "," + quoted + "," + std::to_string(points[i][0]) + "," + std::to_string(points[i][1]) + "\n";
    if (!by_source.count(src)) {
      order.push_back(src);
      by_source[src].label = src;
    }
    by_source[src].x.push_back(points[i][0]);
    by_source[src].y.push_back(points[i][1]);
  }
  write_file_atomic((fs::path(out_dir) / "tsne.csv").string(), csv);
  Plot plot;
  plot.title = title;
  plot.xlabel = "t-SNE 1";
  plot.ylabel = "t-SNE 2";
  plot.points_only = true;
  for (const auto& s : order) plot.series.push_back(by_source[s]);
  render_plot(plot, (fs::path(out_dir) / "tsne.png").string());
}

nlohmann::json run_tsne_eval(const EvalRequest& req, const std::vector<Record>& records) {
  namespace fs = std::filesystem;
  const fs::path out(req.out_dir);
  const int64_t per_source = req.params.value("n", int64_t{100});
  const auto tmpl = ChatTemplate::resolve(req.chat_template, req.chat_template_dir);
  Tokenizer tok = Tokenizer::load(req.tokenizer_model);

  std::map<std::string, int64_t> taken;
  std::vector<std::string> labels;
  std::vector<nlohmann::json> prompts;
  for (size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    std::string src = r.source.empty() ? "unknown" : r.source;
    if (taken[src] >= per_source) continue;
    ++taken[src];
    bool has_user = std::any_of(r.messages.begin(), r.messages.end(), [](const Message& m) { return m.role == "user"; });
    auto ids = tok.encode_segments(has_user ? tmpl.render_prompt(r.messages) : tmpl.render(r.messages)).ids;
    prompts.push_back({{"id", std::to_string(labels.size())}, {"ids", ids}});
    labels.push_back(src);
  }
  if (labels.size() < 2) throw std::runtime_error("tsne: needs at least 2 records in " + req.data_jsonl);

  HiddenStatesRequest h;
  h.checkpoint_dir = req.checkpoint_dir;
  h.prompts_jsonl = (out / "prompts.jsonl").string();
  h.out_jsonl = (out / "hidden.jsonl").string();
  h.layer = req.params.value("layer", int64_t{0});
  h.device = req.device;
  h.progress = req.progress;
  write_jsonl(h.prompts_jsonl, prompts);
  hidden_states(h);

  std::vector<std::vector<double>> vectors(labels.size());
  for (const auto& row : read_jsonl_objects(h.out_jsonl)) {
    size_t id = std::stoul(row.value.at("id").get<std::string>());
    if (id < vectors.size()) vectors[id] = row.value.at("vector").get<std::vector<double>>();
  }
  for (size_t i = 0; i < vectors.size(); ++i)
    if (vectors[i].empty()) throw std::runtime_error(h.out_jsonl + ": no hidden state for prompt " + std::to_string(i));

  TsneOptions opt;
  opt.perplexity = req.params.value("perplexity", 30.0);
  opt.seed = req.params.value("seed", uint64_t{0});
  auto points = tsne(vectors, opt);
  write_tsne_outputs(points, labels, "t-SNE of layer " + std::to_string(h.layer) + " hidden states", req.out_dir);
  nlohmann::json scores{{"points", points.size()}, {"neighbour_same_source", neighbour_same_label(points, labels)}};
  nlohmann::json result{{"metric", "tsne"}, {"scores", scores}, {"n", points.size()},
                        {"samples", (out / "tsne.csv").string()}, {"plot", (out / "tsne.png").string()}};
  write_file_atomic((out / "result.json").string(), result.dump(2) + "\n");
  return result;
}

}  // namespace sftx::rt
