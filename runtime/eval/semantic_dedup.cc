// dedup(data, method = "semantic", model = hf("DIR"), threshold = T, layer = L): removes records
// that say the same thing in other words (the instruction-data pipelines' semantic dedup, as
// SemDeDup, Abbas et al. 2023). Each record's text (record_text) is tokenised here and the
// worker returns the mean hidden state of layer L over its tokens (rt::hidden_states, the path
// t-SNE uses); two records are duplicates when the cosine similarity of their vectors is at
// least T. Records are taken in order and one is dropped when it is a duplicate of a record
// already kept, so the first of each group stays, as the other dedup methods do.
//
// A variant of rt::apply_transform's "dedup" (transforms.h): it lives here, above sftx_data,
// because it needs the tokenizer and the worker. params: model {"hf_dir", "tokenizer"},
// threshold, layer, max_tokens (512: longer texts are cut; the meaning is in their start).
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "runtime/data/record_io.h"
#include "runtime/data/text_normalize.h"
#include "runtime/data/transforms.h"
#include "runtime/base/jsonl.h"
#include "runtime/tokenizer/tokenizer.h"

namespace sftx::rt {
namespace {

namespace fs = std::filesystem;

DataStats semantic_dedup(const nlohmann::json& params, const std::vector<std::string>& inputs, const std::string& out,
                         const TransformEnv& env) {
  if (inputs.size() != 1) throw std::runtime_error("dedup: expected 1 data input, got " + std::to_string(inputs.size()));
  const auto& model = params.at("model");
  const double threshold = params.at("threshold").get<double>();
  const size_t max_tokens = params.value("max_tokens", size_t{512});
  Tokenizer tok = Tokenizer::load(model.at("tokenizer").get<std::string>());

  // Scratch files beside the output: the executor's staging directory, removed with it.
  const fs::path work = fs::path(out).parent_path() / "semantic_dedup";
  fs::create_directories(work);
  std::vector<Record> records;
  std::vector<nlohmann::json> prompts;
  for_each_record(inputs[0], [&](Record&& r, int64_t) {
    std::vector<int32_t> ids = tok.encode(record_text(r));
    if (ids.size() > max_tokens) ids.resize(max_tokens);
    if (ids.empty()) ids.push_back(tok.bos_id() >= 0 ? tok.bos_id() : 0);  // an empty text still has a vector
    prompts.push_back({{"id", std::to_string(records.size())}, {"ids", ids}});
    records.push_back(std::move(r));
  });

  std::vector<std::vector<double>> unit(records.size());
  if (!records.empty()) {
    HiddenStatesRequest h;
    h.checkpoint_dir = model.at("hf_dir").get<std::string>();
    h.prompts_jsonl = (work / "prompts.jsonl").string();
    h.out_jsonl = (work / "hidden.jsonl").string();
    h.layer = params.value("layer", int64_t{-1});
    h.device = env.device;
    h.progress = env.progress;
    write_jsonl(h.prompts_jsonl, prompts);
    hidden_states(h);
    for (const auto& row : read_jsonl_objects(h.out_jsonl)) {
      size_t id = std::stoul(row.value.at("id").get<std::string>());
      if (id < unit.size()) unit[id] = row.value.at("vector").get<std::vector<double>>();
    }
    for (size_t i = 0; i < unit.size(); ++i) {
      if (unit[i].empty()) throw std::runtime_error(h.out_jsonl + ": no hidden state for record " + std::to_string(i + 1));
      double norm = 0;
      for (double x : unit[i]) norm += x * x;
      norm = std::sqrt(norm);
      if (norm > 0)
        for (double& x : unit[i]) x /= norm;
    }
  }

  DataStats st;
  RecordWriter writer(out);
  std::vector<size_t> kept;
  nlohmann::json examples = nlohmann::json::array();  // a few removals, for `sftx data --stats`
  double closest_kept_pair = -1;                         // how near the threshold distinct records came
  for (size_t i = 0; i < records.size(); ++i) {
    double best = -1;
    size_t best_j = 0;
    for (size_t j : kept) {
      double dot = 0;
      for (size_t d = 0; d < unit[i].size() && d < unit[j].size(); ++d) dot += unit[i][d] * unit[j][d];
      if (dot > best) {
        best = dot;
        best_j = j;
      }
    }
    if (!kept.empty() && best >= threshold) {
      ++st.removed;
      if (examples.size() < 5)
        examples.push_back({{"removed", records[i].origin}, {"duplicate_of", records[best_j].origin}, {"similarity", best}});
      continue;
    }
    closest_kept_pair = std::max(closest_kept_pair, best);
    writer.write(records[i]);
    kept.push_back(i);
    if (env.progress && (i + 1) % 256 == 0)
      env.progress({"dedup", static_cast<int64_t>(i + 1), static_cast<int64_t>(records.size()), "semantic"});
  }
  writer.close();
  st.records = writer.count();
  st.details["method"] = "semantic";
  st.details["threshold"] = threshold;
  st.details["layer"] = params.value("layer", int64_t{-1});
  st.details["examples"] = examples;
  st.details["closest_kept_similarity"] = closest_kept_pair;
  return st;
}

const TransformVariant semantic_dedup_variant("dedup", "semantic", semantic_dedup);

}  // namespace
}  // namespace sftx::rt
