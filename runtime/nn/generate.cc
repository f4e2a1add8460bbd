#include "runtime/nn/generate.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <random>
#include <stdexcept>

#include "runtime/nn/hf_checkpoint.h"

namespace sftx::rt {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// ---------------------------------------------------------------- detokenising
bool parse_byte_piece(const std::string& p, uint8_t& byte) {  // "<0xAB>"
  if (p.size() != 6 || p.compare(0, 3, "<0x") != 0 || p[5] != '>') return false;
  unsigned value = 0;
  for (int i = 3; i < 5; ++i) {
    const char c = p[i];
    value <<= 4;
    if (c >= '0' && c <= '9') value |= static_cast<unsigned>(c - '0');
    else if (c >= 'A' && c <= 'F') value |= static_cast<unsigned>(c - 'A' + 10);
    else if (c >= 'a' && c <= 'f') value |= static_cast<unsigned>(c - 'a' + 10);
    else return false;
  }
  byte = static_cast<uint8_t>(value);
  return true;
}

const std::string kSpacePiece = "\xE2\x96\x81";  // U+2581 LOWER ONE EIGHTH BLOCK, SentencePiece's space

// ---------------------------------------------------------------- sampling
uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// Draws one token from a row of probabilities (temperature already applied). With top_p < 1 the
// row comes sorted in descending order with `order` mapping back to token ids, and only the
// smallest prefix whose mass reaches top_p is eligible (nucleus sampling); else order is null and
// every token is eligible.
int64_t sample_row(const float* probs, const int64_t* order, int64_t V, double top_p, std::mt19937_64& rng) {
  int64_t keep = V;
  double mass = 0;
  if (order) {
    keep = 0;
    while (keep < V && (keep == 0 || mass < top_p)) mass += probs[keep++];
  } else {
    for (int64_t i = 0; i < V; ++i) mass += probs[i];
  }
  const double u = std::uniform_real_distribution<double>(0.0, mass)(rng);
  double acc = 0;
  int64_t pick = keep - 1;  // u rounding past the last bucket
  for (int64_t i = 0; i < keep; ++i) {
    acc += probs[i];
    if (u < acc) {
      pick = i;
      break;
    }
  }
  return order ? order[pick] : pick;
}

// ---------------------------------------------------------------- files
struct JsonLine {
  json value;
  int64_t line;
};

std::vector<JsonLine> read_jsonl(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::vector<JsonLine> out;
  std::string text;
  int64_t line = 0;
  while (std::getline(in, text)) {
    ++line;
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      out.push_back({json::parse(text), line});
    } catch (const json::parse_error& e) {
      throw std::runtime_error(path + ":" + std::to_string(line) + ": invalid JSON: " + e.what());
    }
  }
  return out;
}

std::vector<int64_t> int_list(const JsonLine& l, const char* key, const std::string& path, int64_t vocab) {
  const auto where = path + ":" + std::to_string(l.line);
  if (!l.value.is_object() || !l.value.contains(key) || !l.value[key].is_array())
    throw std::runtime_error(where + ": expected an object with \"" + key + "\": [integers]");
  std::vector<int64_t> v;
  for (const auto& x : l.value[key]) {
    if (!x.is_number_integer()) throw std::runtime_error(where + ": \"" + key + "\" holds a non-integer " + x.dump());
    const int64_t id = x.get<int64_t>();
    if (vocab > 0 && (id < 0 || id >= vocab))
      throw std::runtime_error(where + ": token id " + std::to_string(id) + " outside the model's vocabulary of " +
                               std::to_string(vocab));
    v.push_back(id);
  }
  return v;
}

json id_of(const JsonLine& l) { return l.value.is_object() && l.value.contains("id") ? l.value["id"] : json(nullptr); }

// Writes lines to path.tmp and renames it onto path: readers never see half a file.
void write_lines_atomically(const std::string& path, const std::vector<std::string>& lines) {
  if (const auto parent = fs::path(path).parent_path(); !parent.empty()) fs::create_directories(parent);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) throw std::runtime_error(tmp + ": cannot create");
    for (const auto& l : lines) out << l << '\n';
    out.flush();
    if (!out) throw std::runtime_error(tmp + ": write failed");
  }
  fs::rename(tmp, path);
}

std::string dump_line(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

void report(const ProgressFn& progress, const char* phase, int64_t done, int64_t total) {
  if (progress) progress(Progress{phase, done, total, ""});
}

// Inference dtype: bf16 on CUDA (as training), float32 on CPU.
Llama load_for_inference(const std::string& dir, const Device& device) {
  const torch::Device dev = to_torch_device(device);
  Llama model = load_hf(dir, dev, dev.is_cuda() ? torch::kBFloat16 : torch::kFloat32);
  model->eval();
  return model;
}

// Groups of indices into `lengths`, sorted by length so a batch pads little, at most `batch`
// sequences and (when > 0) `token_budget` padded tokens each.
std::vector<std::vector<size_t>> length_batches(const std::vector<size_t>& lengths, int64_t batch, int64_t token_budget) {
  std::vector<size_t> order(lengths.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return lengths[a] < lengths[b]; });
  std::vector<std::vector<size_t>> out;
  for (size_t i : order) {
    if (out.empty() || static_cast<int64_t>(out.back().size()) >= std::max<int64_t>(batch, 1) ||
        (token_budget > 0 && static_cast<int64_t>((out.back().size() + 1) * lengths[i]) > token_budget))
      out.emplace_back();
    out.back().push_back(i);
  }
  return out;
}

// Right-padded id batch [B, T] and a 0/1 validity mask of the same shape.
std::pair<torch::Tensor, torch::Tensor> right_padded(const std::vector<const std::vector<int64_t>*>& rows) {
  size_t T = 0;
  for (auto* r : rows) T = std::max(T, r->size());
  auto ids = torch::zeros({static_cast<int64_t>(rows.size()), static_cast<int64_t>(T)}, torch::kInt64);
  auto valid = torch::zeros_like(ids);
  for (size_t b = 0; b < rows.size(); ++b) {
    const auto n = static_cast<int64_t>(rows[b]->size());
    if (n == 0) continue;
    ids[static_cast<int64_t>(b)].narrow(0, 0, n).copy_(torch::tensor(*rows[b], torch::kInt64));
    valid[static_cast<int64_t>(b)].narrow(0, 0, n).fill_(1);
  }
  return {ids, valid};
}

}  // namespace

// ---------------------------------------------------------------- Detokenizer
namespace {
std::string bytes_from_hex(const std::string& hex, const std::string& path) {
  auto nibble = [&](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw std::runtime_error(path + ": \"bytes\" holds a non-hex string \"" + hex.substr(0, 32) + "\"");
  };
  if (hex.size() % 2) throw std::runtime_error(path + ": \"bytes\" holds an odd-length hex string");
  std::string out;
  for (size_t k = 0; k < hex.size(); k += 2) out.push_back(static_cast<char>(nibble(hex[k]) * 16 + nibble(hex[k + 1])));
  return out;
}
}  // namespace

Detokenizer::Detokenizer(std::vector<std::string> pieces, std::vector<std::string> types) : pieces_(std::move(pieces)) {
  kinds_.resize(pieces_.size(), Kind::normal);
  bytes_.resize(pieces_.size(), 0);
  for (size_t i = 0; i < pieces_.size(); ++i) {
    const std::string& p = pieces_[i];
    const std::string type = i < types.size() ? types[i] : "";
    uint8_t byte = 0;
    if ((type.empty() || type == "byte") && parse_byte_piece(p, byte)) {
      kinds_[i] = Kind::byte;
      bytes_[i] = byte;
    } else if (type == "control" || type == "unused" || (type.empty() && (p == "<s>" || p == "</s>" || p == "<pad>"))) {
      kinds_[i] = Kind::control;
    } else if (type == "unknown" || (type.empty() && p == "<unk>")) {
      kinds_[i] = Kind::unknown;
    }
    if (p == "</s>" && eos_id_ < 0) eos_id_ = static_cast<int64_t>(i);
  }
}

Detokenizer Detokenizer::from_json_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open vocabulary");
  json j;
  try {
    in >> j;
  } catch (const json::parse_error& e) {
    throw std::runtime_error(path + ": invalid JSON: " + e.what());
  }
  try {
    if (j.is_array()) return Detokenizer(j.get<std::vector<std::string>>());
    if (j.is_object() && j.contains("pieces")) {
      Detokenizer d(j["pieces"].get<std::vector<std::string>>(),
                    j.contains("types") ? j["types"].get<std::vector<std::string>>() : std::vector<std::string>{});
      if (j.contains("eos_id") && j["eos_id"].is_number_integer() && j["eos_id"].get<int64_t>() >= 0)
        d.eos_id_ = j["eos_id"].get<int64_t>();
      if (j.value("kind", std::string()) == "hf") {
        const auto hex = j.at("bytes").get<std::vector<std::string>>();
        if (hex.size() != d.pieces_.size())
          throw std::runtime_error(path + ": \"bytes\" has " + std::to_string(hex.size()) + " entries for " +
                                   std::to_string(d.pieces_.size()) + " pieces");
        d.token_bytes_.reserve(hex.size());
        for (const auto& h : hex) d.token_bytes_.push_back(bytes_from_hex(h, path));
        d.strip_leading_space_ = j.value("strip_leading_space", false);
      }
      return d;
    }
  } catch (const json::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
  throw std::runtime_error(path + ": expected {\"pieces\": [...], ...} or a JSON array of pieces");
}

std::string Detokenizer::decode(const std::vector<int64_t>& ids) const {
  std::string out;
  for (int64_t id : ids) {
    if (id < 0 || id >= size()) continue;  // a model vocabulary larger than the tokenizer's
    const auto i = static_cast<size_t>(id);
    if (!token_bytes_.empty()) {  // tokenizer.json: special tokens are skipped, as tokenizers does
      if (kinds_[i] != Kind::control) out += token_bytes_[i];
      continue;
    }
    switch (kinds_[i]) {
      case Kind::control: break;
      case Kind::byte: out.push_back(static_cast<char>(bytes_[i])); break;
      case Kind::unknown: out += " \xE2\x81\x87 "; break;  // " ⁇ ", SentencePiece's rendering
      case Kind::normal: {
        const std::string& p = pieces_[i];
        for (size_t k = 0; k < p.size();) {
          if (p.compare(k, kSpacePiece.size(), kSpacePiece) == 0) {
            out.push_back(' ');
            k += kSpacePiece.size();
          } else {
            out.push_back(p[k++]);
          }
        }
      }
    }
  }
  if (strip_leading_space_ && !out.empty() && out[0] == ' ') out.erase(0, 1);  // the dummy prefix space
  return out;
}

// ---------------------------------------------------------------- generation
std::vector<Generation> generate_batch(Llama& model, const std::vector<std::vector<int64_t>>& prompts,
                                       const GenerationOptions& options, const std::vector<uint64_t>& sample_keys) {
  torch::NoGradGuard no_grad;
  const int64_t B = static_cast<int64_t>(prompts.size());
  std::vector<Generation> out(static_cast<size_t>(B));
  if (B == 0) return out;
  if (!options.stop.empty() && !options.detokenizer)
    throw std::invalid_argument("stop strings need the vocabulary (vocab_json) to detokenise");
  int64_t prompt_len = 0;
  for (const auto& p : prompts) {
    if (p.empty()) throw std::invalid_argument("cannot generate from an empty prompt");
    prompt_len = std::max<int64_t>(prompt_len, static_cast<int64_t>(p.size()));
  }
  const int64_t N = std::max<int64_t>(options.max_new_tokens, 0);
  const int64_t total = prompt_len + N;

  // Left padding: row b's prompt ends at column prompt_len - 1; columns before it are padding,
  // never attended to; positions count from the row's first real token.
  auto tokens = torch::zeros({B, total}, torch::kInt64);
  auto valid = torch::zeros({B, total}, torch::kBool);
  auto positions = torch::zeros({B, total}, torch::kInt64);
  for (int64_t b = 0; b < B; ++b) {
    const auto& p = prompts[static_cast<size_t>(b)];
    const int64_t offset = prompt_len - static_cast<int64_t>(p.size());
    tokens[b].narrow(0, offset, static_cast<int64_t>(p.size())).copy_(torch::tensor(p, torch::kInt64));
    valid[b].narrow(0, offset, total - offset).fill_(true);
    positions[b].narrow(0, offset, total - offset).copy_(torch::arange(total - offset, torch::kInt64));
  }
  const torch::Device device = model->device();
  tokens = tokens.to(device);
  valid = valid.to(device);
  positions = positions.to(device);

  std::vector<std::mt19937_64> rngs;
  for (int64_t b = 0; b < B; ++b) {
    const uint64_t key = sample_keys.empty() ? static_cast<uint64_t>(b) : sample_keys.at(static_cast<size_t>(b));
    rngs.emplace_back(splitmix64(splitmix64(options.seed) ^ key));
  }
  std::vector<bool> done(static_cast<size_t>(B), N == 0);
  std::vector<bool> cut_at_stop(static_cast<size_t>(B), false);  // text already set, ending before a stop string
  size_t longest_stop = 0;
  for (const auto& s : options.stop) longest_stop = std::max(longest_stop, s.size());

  KVCache cache;
  if (options.use_cache) cache = model->make_cache(B, total);
  const auto index_options = torch::TensorOptions().dtype(torch::kInt64).device(device);

  for (int64_t step = 0; step < N; ++step) {
    if (std::all_of(done.begin(), done.end(), [](bool d) { return d; })) break;
    const int64_t length = prompt_len + step;  // tokens in the sequences so far
    // Queries: the whole prompt first (prefill), then only the newest token, whose keys and values
    // before it are cached. Without the cache: the whole sequence every step.
    const int64_t start = options.use_cache && step > 0 ? length - 1 : 0;
    const int64_t count = length - start;
    const auto keys = torch::arange(length, index_options);
    const auto queries = torch::arange(start, length, index_options);
    const auto causal = keys.unsqueeze(0) <= queries.unsqueeze(1);  // [count, length]
    const auto self = keys.unsqueeze(0) == queries.unsqueeze(1);
    AttentionContext context;
    context.positions = positions.narrow(1, start, count);
    context.mask = ((valid.narrow(1, 0, length).unsqueeze(1) & causal.unsqueeze(0)) | self.unsqueeze(0)).unsqueeze(1);
    context.cache = options.use_cache ? &cache : nullptr;
    const auto hidden = model->hidden(tokens.narrow(1, start, count), context);
    const auto logits = model->logits(hidden.select(1, count - 1)).to(torch::kFloat32);  // [B, V]

    std::vector<int64_t> next(static_cast<size_t>(B));
    if (options.temperature <= 0) {
      const auto argmax = logits.argmax(-1).to(torch::kCPU);
      for (int64_t b = 0; b < B; ++b) next[static_cast<size_t>(b)] = argmax[b].item<int64_t>();
    } else {
      torch::Tensor probs = torch::softmax(logits / options.temperature, -1), order;
      if (options.top_p < 1.0) {  // sort on the device (fast for large vocabularies), stable for ties
        auto sorted = probs.sort(/*stable=*/true, /*dim=*/-1, /*descending=*/true);
        probs = std::get<0>(sorted);
        order = std::get<1>(sorted).to(torch::kCPU).contiguous();
      }
      probs = probs.to(torch::kCPU).contiguous();
      const int64_t V = probs.size(1);
      for (int64_t b = 0; b < B; ++b)
        if (!done[static_cast<size_t>(b)])
          next[static_cast<size_t>(b)] =
              sample_row(probs.data_ptr<float>() + b * V, order.defined() ? order.data_ptr<int64_t>() + b * V : nullptr,
                         V, options.top_p, rngs[static_cast<size_t>(b)]);
    }
    tokens.select(1, length).copy_(torch::tensor(next, torch::kInt64));

    for (int64_t b = 0; b < B; ++b) {
      const auto i = static_cast<size_t>(b);
      if (done[i]) continue;
      Generation& g = out[i];
      const int64_t id = next[i];
      if (std::find(options.eos_ids.begin(), options.eos_ids.end(), id) != options.eos_ids.end()) {
        g.finish = "stop";
        done[i] = true;
        continue;
      }
      g.ids.push_back(id);
      if (longest_stop > 0) {
        const std::string text = options.detokenizer->decode(g.ids);
        size_t cut = std::string::npos;
        const size_t from = text.size() > longest_stop + 64 ? text.size() - longest_stop - 64 : 0;
        for (const auto& s : options.stop)
          if (!s.empty()) cut = std::min(cut, text.find(s, from));
        if (cut != std::string::npos) {
          g.text = text.substr(0, cut);
          g.finish = "stop";
          done[i] = true;
          cut_at_stop[i] = true;
          continue;
        }
      }
      if (static_cast<int64_t>(g.ids.size()) >= N) {
        g.finish = "length";
        done[i] = true;
      }
    }
  }
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i].finish.empty()) out[i].finish = "length";  // max_new_tokens == 0
    if (options.detokenizer && !cut_at_stop[i]) out[i].text = options.detokenizer->decode(out[i].ids);
  }
  return out;
}

// ---------------------------------------------------------------- log-probs and hidden states
std::vector<std::pair<double, int64_t>> sequence_logprobs(Llama& model, const std::vector<std::vector<int64_t>>& ids,
                                                          const std::vector<std::vector<int64_t>>& masks) {
  torch::NoGradGuard no_grad;
  if (ids.size() != masks.size()) throw std::invalid_argument("sequence_logprobs: ids and masks differ in number");
  std::vector<const std::vector<int64_t>*> rows, mask_rows;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i].size() != masks[i].size())
      throw std::invalid_argument("sequence " + std::to_string(i) + ": mask length " + std::to_string(masks[i].size()) +
                                  " differs from ids length " + std::to_string(ids[i].size()));
    rows.push_back(&ids[i]);
    mask_rows.push_back(&masks[i]);
  }
  std::vector<std::pair<double, int64_t>> out(ids.size(), {0.0, 0});
  if (ids.empty()) return out;
  auto [tokens, valid] = right_padded(rows);
  auto mask = right_padded(mask_rows).first;
  if (tokens.size(1) < 2) return out;
  const auto logits = model->forward(tokens.to(model->device()));
  // Right padding: padding comes after every real token, so causal attention never sees it.
  const auto lp = next_token_logprobs(logits, tokens.to(model->device())).to(torch::kCPU, torch::kFloat64);
  const auto counted = (mask.narrow(1, 1, mask.size(1) - 1) != 0).to(torch::kFloat64);
  const auto sums = (lp * counted).sum(1);
  const auto counts = counted.sum(1);
  for (size_t i = 0; i < ids.size(); ++i)
    out[i] = {sums[static_cast<int64_t>(i)].item<double>(), static_cast<int64_t>(counts[static_cast<int64_t>(i)].item<double>())};
  return out;
}

std::vector<std::vector<float>> mean_hidden_states(Llama& model, const std::vector<std::vector<int64_t>>& prompts,
                                                   int64_t layer) {
  torch::NoGradGuard no_grad;
  const int64_t n_layers = model->config().num_hidden_layers;
  const int64_t index = layer < 0 ? n_layers + 1 + layer : layer;
  if (index < 0 || index > n_layers)
    throw std::invalid_argument("layer " + std::to_string(layer) + " outside 0.." + std::to_string(n_layers) +
                                " (or -1..-" + std::to_string(n_layers + 1) + ")");
  std::vector<const std::vector<int64_t>*> rows;
  for (const auto& p : prompts) {
    if (p.empty()) throw std::invalid_argument("cannot take hidden states of an empty prompt");
    rows.push_back(&p);
  }
  std::vector<std::vector<float>> out;
  if (prompts.empty()) return out;
  auto [tokens, valid] = right_padded(rows);
  std::vector<torch::Tensor> all;
  model->hidden(tokens.to(model->device()), AttentionContext{}, &all);
  const auto h = all[static_cast<size_t>(index)].to(torch::kCPU, torch::kFloat32);  // [B, T, hidden]
  const auto m = valid.to(torch::kFloat32).unsqueeze(-1);
  const auto mean = ((h * m).sum(1) / m.sum(1)).contiguous();
  for (int64_t b = 0; b < mean.size(0); ++b) {
    const float* p = mean[b].data_ptr<float>();
    out.emplace_back(p, p + mean.size(1));
  }
  return out;
}

// ---------------------------------------------------------------- file-level verbs
torch::Device to_torch_device(const Device& device) {
  if (device.kind == DeviceKind::cpu) return torch::kCPU;
  if (!torch::cuda::is_available())
    throw std::runtime_error("CUDA device requested but this LibTorch build or machine has no CUDA");
  if (device.index < 0 || device.index >= static_cast<int>(torch::cuda::device_count()))
    throw std::runtime_error("CUDA device " + std::to_string(device.index) + " requested; " +
                             std::to_string(torch::cuda::device_count()) + " available");
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(device.index));
}

json run_generate(const GenerateRequest& request) {
  Llama model = load_for_inference(request.checkpoint_dir, request.device);
  const int64_t vocab = model->config().vocab_size;
  const auto lines = read_jsonl(request.prompts_jsonl);
  std::vector<std::vector<int64_t>> prompts;
  for (const auto& l : lines) {
    prompts.push_back(int_list(l, "ids", request.prompts_jsonl, vocab));
    if (prompts.back().empty())
      throw std::runtime_error(request.prompts_jsonl + ":" + std::to_string(l.line) + ": empty prompt");
  }

  Detokenizer detokenizer;
  GenerationOptions options;
  if (!request.vocab_json.empty()) {
    detokenizer = Detokenizer::from_json_file(request.vocab_json);
    options.detokenizer = &detokenizer;
  } else if (!request.stop.empty()) {
    throw std::runtime_error("generate: stop strings given but no vocab_json to detokenise with");
  }
  // The tokenizer that encoded the prompts knows its end-of-sequence id; else the model config's.
  options.eos_ids = {detokenizer.eos_id() >= 0 ? detokenizer.eos_id() : model->config().eos_token_id};
  options.max_new_tokens = request.max_new_tokens;
  options.temperature = request.temperature;
  options.top_p = request.top_p;
  options.seed = request.seed;
  options.stop = request.stop;

  std::vector<size_t> lengths;
  for (const auto& p : prompts) lengths.push_back(p.size());
  std::vector<Generation> results(prompts.size());
  int64_t done = 0, generated = 0;
  report(request.progress, "generate", 0, static_cast<int64_t>(prompts.size()));
  for (const auto& group : length_batches(lengths, request.batch, 0)) {
    std::vector<std::vector<int64_t>> batch;
    std::vector<uint64_t> keys;
    for (size_t i : group) {
      batch.push_back(prompts[i]);
      keys.push_back(i);  // the prompt's line index: its samples do not depend on the batching
    }
    auto gens = generate_batch(model, batch, options, keys);
    for (size_t k = 0; k < group.size(); ++k) {
      generated += static_cast<int64_t>(gens[k].ids.size());
      results[group[k]] = std::move(gens[k]);
    }
    done += static_cast<int64_t>(group.size());
    report(request.progress, "generate", done, static_cast<int64_t>(prompts.size()));
  }

  std::vector<std::string> out;
  for (size_t i = 0; i < lines.size(); ++i)
    out.push_back(dump_line(
        json{{"id", id_of(lines[i])}, {"ids", results[i].ids}, {"text", results[i].text}, {"finish", results[i].finish}}));
  write_lines_atomically(request.out_jsonl, out);
  return json{{"out_jsonl", request.out_jsonl}, {"n", lines.size()}, {"generated_tokens", generated}};
}

json run_token_logprobs(const LogprobRequest& request) {
  Llama model = load_for_inference(request.checkpoint_dir, request.device);
  const int64_t vocab = model->config().vocab_size;
  const auto lines = read_jsonl(request.sequences_jsonl);
  std::vector<std::vector<int64_t>> ids, masks;
  std::vector<size_t> lengths;
  for (const auto& l : lines) {
    ids.push_back(int_list(l, "ids", request.sequences_jsonl, vocab));
    masks.push_back(int_list(l, "mask", request.sequences_jsonl, 0));
    if (masks.back().size() != ids.back().size())
      throw std::runtime_error(request.sequences_jsonl + ":" + std::to_string(l.line) + ": \"mask\" has " +
                               std::to_string(masks.back().size()) + " entries for " + std::to_string(ids.back().size()) +
                               " ids");
    lengths.push_back(ids.back().size());
  }
  std::vector<std::pair<double, int64_t>> results(lines.size());
  int64_t done = 0;
  report(request.progress, "logprobs", 0, static_cast<int64_t>(lines.size()));
  for (const auto& group : length_batches(lengths, 64, 8192)) {
    std::vector<std::vector<int64_t>> bi, bm;
    for (size_t i : group) {
      bi.push_back(ids[i]);
      bm.push_back(masks[i]);
    }
    const auto r = sequence_logprobs(model, bi, bm);
    for (size_t k = 0; k < group.size(); ++k) results[group[k]] = r[k];
    done += static_cast<int64_t>(group.size());
    report(request.progress, "logprobs", done, static_cast<int64_t>(lines.size()));
  }
  std::vector<std::string> out;
  double total = 0;
  int64_t tokens = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    out.push_back(dump_line(json{{"id", id_of(lines[i])}, {"logprob", results[i].first}, {"tokens", results[i].second}}));
    total += results[i].first;
    tokens += results[i].second;
  }
  write_lines_atomically(request.out_jsonl, out);
  return json{{"out_jsonl", request.out_jsonl}, {"n", lines.size()}, {"logprob", total}, {"tokens", tokens}};
}

json run_hidden_states(const HiddenStatesRequest& request) {
  Llama model = load_for_inference(request.checkpoint_dir, request.device);
  const int64_t vocab = model->config().vocab_size;
  const auto lines = read_jsonl(request.prompts_jsonl);
  std::vector<std::vector<int64_t>> prompts;
  std::vector<size_t> lengths;
  for (const auto& l : lines) {
    prompts.push_back(int_list(l, "ids", request.prompts_jsonl, vocab));
    if (prompts.back().empty())
      throw std::runtime_error(request.prompts_jsonl + ":" + std::to_string(l.line) + ": empty prompt");
    lengths.push_back(prompts.back().size());
  }
  std::vector<std::vector<float>> results(lines.size());
  int64_t done = 0;
  report(request.progress, "hidden", 0, static_cast<int64_t>(lines.size()));
  for (const auto& group : length_batches(lengths, 64, 16384)) {
    std::vector<std::vector<int64_t>> batch;
    for (size_t i : group) batch.push_back(prompts[i]);
    auto r = mean_hidden_states(model, batch, request.layer);
    for (size_t k = 0; k < group.size(); ++k) results[group[k]] = std::move(r[k]);
    done += static_cast<int64_t>(group.size());
    report(request.progress, "hidden", done, static_cast<int64_t>(lines.size()));
  }
  std::vector<std::string> out;
  for (size_t i = 0; i < lines.size(); ++i) out.push_back(dump_line(json{{"id", id_of(lines[i])}, {"vector", results[i]}}));
  write_lines_atomically(request.out_jsonl, out);
  return json{{"out_jsonl", request.out_jsonl},
              {"n", lines.size()},
              {"layer", request.layer},
              {"dim", model->config().hidden_size}};
}

json run_logits(const LogitsRequest& request) {
  Llama model = load_for_inference(request.checkpoint_dir, request.device);
  const int64_t vocab = model->config().vocab_size;
  const auto lines = read_jsonl(request.sequences_jsonl);
  std::vector<int64_t> flat;
  int64_t T = -1;
  for (const auto& l : lines) {
    const auto ids = int_list(l, "ids", request.sequences_jsonl, vocab);
    if (T >= 0 && static_cast<int64_t>(ids.size()) != T)
      throw std::runtime_error(request.sequences_jsonl + ":" + std::to_string(l.line) + ": " +
                               std::to_string(ids.size()) + " ids, the first sequence has " + std::to_string(T) +
                               " (logits takes sequences of one length)");
    T = static_cast<int64_t>(ids.size());
    flat.insert(flat.end(), ids.begin(), ids.end());
  }
  if (lines.empty() || T == 0) throw std::runtime_error(request.sequences_jsonl + ": no token ids");
  const int64_t N = static_cast<int64_t>(lines.size());
  report(request.progress, "logits", 0, N);
  torch::NoGradGuard no_grad;
  const auto ids = torch::tensor(flat, torch::kInt64).view({N, T}).to(model->device());
  const auto logits = model->forward(ids).to(torch::kCPU, torch::kFloat32).contiguous();
  report(request.progress, "logits", N, N);

  if (const auto parent = fs::path(request.out_bin).parent_path(); !parent.empty()) fs::create_directories(parent);
  const std::string tmp = request.out_bin + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(tmp + ": cannot create");
    out.write(static_cast<const char*>(logits.data_ptr()), static_cast<std::streamsize>(logits.numel() * 4));
    out.flush();
    if (!out) throw std::runtime_error(tmp + ": write failed");
  }
  fs::rename(tmp, request.out_bin);
  return json{{"out_bin", request.out_bin}, {"shape", logits.sizes().vec()}};
}

}  // namespace sftx::rt
