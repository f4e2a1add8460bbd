#include "interpreter/front/input_files.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "interpreter/front/did_you_mean.h"
#include "runtime/projection_names.h"

namespace sftx {

namespace fs = std::filesystem;

namespace {

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? ", " : "") + v[i];
  return out;
}

// Names of the entries of `dir` (files, or directories), sorted; empty when it cannot be listed.
std::vector<std::string> entries(const fs::path& dir, bool directories) {
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_directory(type_ec) == directories) out.push_back(it->path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// `written` with its last component replaced by `name`: the fix as the user would type it.
std::string respelled(const std::string& written, const std::string& name) {
  std::string::size_type slash = written.find_last_of('/');
  return slash == std::string::npos ? name : written.substr(0, slash + 1) + name;
}

std::optional<std::string> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool regular_file(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

// Protobuf varint at `pos`; false when the input ends inside it or it is longer than 10 bytes.
bool read_varint(const std::string& b, std::size_t& pos, unsigned long long& out) {
  out = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos >= b.size()) return false;
    auto byte = static_cast<unsigned char>(b[pos++]);
    out |= static_cast<unsigned long long>(byte & 0x7f) << shift;
    if (!(byte & 0x80)) return true;
  }
  return false;
}

// Pieces of a SentencePiece ModelProto: the top-level `repeated SentencePiece pieces = 1`.
std::optional<long long> sentencepiece_pieces(const std::string& b, std::string* why) {
  long long pieces = 0;
  std::size_t pos = 0;
  while (pos < b.size()) {
    unsigned long long key = 0, value = 0;
    if (!read_varint(b, pos, key)) break;
    unsigned wire = static_cast<unsigned>(key & 7);
    unsigned long long field = key >> 3;
    bool ok = true;
    switch (wire) {
      case 0: ok = read_varint(b, pos, value); break;
      case 1:
      case 5: {
        std::size_t width = wire == 1 ? 8 : 4;
        ok = b.size() - pos >= width;
        pos += ok ? width : 0;
        break;
      }
      case 2:
        ok = read_varint(b, pos, value) && value <= b.size() - pos;
        if (ok) pos += static_cast<std::size_t>(value);
        if (ok && field == 1) ++pieces;
        break;
      default: ok = false;
    }
    if (!ok || field == 0) {
      if (why) *why = "not a SentencePiece model (malformed at byte " + std::to_string(pos) + ")";
      return std::nullopt;
    }
  }
  if (pos != b.size() || pieces == 0) {
    if (why) *why = "not a SentencePiece model (it holds no pieces)";
    return std::nullopt;
  }
  return pieces;
}

// 1 + the largest id of tokenizer.json's model.vocab and added_tokens (ids the model can see).
std::optional<long long> tokenizer_json_size(const std::string& text, std::string* why) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  auto fail = [&](const std::string& what) -> std::optional<long long> {
    if (why) *why = what;
    return std::nullopt;
  };
  if (j.is_discarded() || !j.is_object()) return fail("not a tokenizer.json (not a JSON object)");
  const auto model = j.find("model");
  if (model == j.end() || !model->is_object() || !model->contains("vocab"))
    return fail("not a tokenizer.json (no model.vocab)");
  long long max_id = -1;
  const auto& vocab = (*model)["vocab"];
  if (vocab.is_object()) {
    for (const auto& [piece, id] : vocab.items())
      if (id.is_number_integer()) max_id = std::max(max_id, id.get<long long>());
  } else if (vocab.is_array()) {  // Unigram: [[piece, score], ...], ids are positions
    max_id = static_cast<long long>(vocab.size()) - 1;
  } else {
    return fail("not a tokenizer.json (model.vocab is neither an object nor a list)");
  }
  if (auto added = j.find("added_tokens"); added != j.end() && added->is_array())
    for (const auto& t : *added)
      if (t.is_object() && t.contains("id") && t["id"].is_number_integer())
        max_id = std::max(max_id, t["id"].get<long long>());
  if (max_id < 0) return fail("not a tokenizer.json (its vocabulary is empty)");
  return max_id + 1;
}

}  // namespace

Diagnostic& attach(Diagnostic& d, const InputProblem& p) {
  for (const auto& n : p.notes) d.note(n);
  for (const auto& h : p.helps) d.help(h);
  return d;
}

std::optional<InputProblem> input_file_problem(const fs::path& file, const std::string& written,
                                               const std::string& what) {
  std::error_code ec;
  const fs::file_status status = fs::status(file, ec);
  if (fs::is_regular_file(status)) return std::nullopt;
  InputProblem p;
  if (fs::exists(status)) {
    // Reading a FIFO blocks, /dev/zero never ends, a directory holds no records: refused here,
    // at the path as written, before `plan` would hash it or `run` read it.
    p.message = "not a regular file: " + written + " (a " + what +
                " is read from a regular file, not a FIFO, device or directory)";
    return p;
  }
  p.message = "no such " + what + ": " + written;
  const fs::path dir = file.parent_path();
  if (!fs::is_directory(dir, ec)) {
    p.notes.push_back("its directory " + dir.string() + " does not exist either");
    return p;
  }
  p.notes.push_back("looked for " + file.string());
  if (auto near = closest_name(file.filename().string(), entries(dir, false)))
    p.helps.push_back("did you mean '" + respelled(written, *near) + "'?");
  return p;
}

std::optional<InputProblem> hf_checkpoint_problem(const fs::path& dir, const std::string& written,
                                                  const ProjectConfig* config) {
  std::error_code ec;
  InputProblem p;
  const std::string where = config && !config->path.empty() ? config->path.string() : std::string();
  if (!fs::is_directory(dir, ec)) {
    p.message = "no Hugging Face checkpoint '" + written + "': the directory " +
                (fs::exists(dir, ec) ? "is a file" : "does not exist");
    p.notes.push_back("looked for " + dir.string());
    const bool bare_name = written.find('/') == std::string::npos;
    std::vector<std::string> names;
    if (config)
      for (const auto& [name, path] : config->models) names.push_back(name);
    if (!names.empty()) p.notes.push_back("[models] of " + where + " names: " + join(names));
    else if (bare_name)
      p.notes.push_back(where.empty() ? "a name is looked up under [models] of sftx.toml (none was found), then as a directory"
                                      : "a name is looked up under [models] of " + where + ", then as a directory");
    if (bare_name) {
      // Candidates: the [models] names and the directories beside the file.
      for (const auto& d : entries(dir.parent_path(), true)) names.push_back(d);
      if (auto near = closest_name(written, names)) p.helps.push_back("did you mean '" + *near + "'?");
    } else if (auto near = closest_name(dir.filename().string(), entries(dir.parent_path(), true))) {
      p.helps.push_back("did you mean '" + respelled(written, *near) + "'?");
    }
    return p;
  }
  std::vector<std::string> missing;
  if (!regular_file(dir / "config.json")) missing.push_back("no config.json");
  if (!regular_file(dir / "model.safetensors") && !regular_file(dir / "model.safetensors.index.json"))
    missing.push_back(regular_file(dir / "pytorch_model.bin")
                          ? "no safetensors weights (pytorch_model.bin is not read: convert it to model.safetensors)"
                          : "no weights (model.safetensors or model.safetensors.index.json)");
  if (!regular_file(dir / "tokenizer.json") && !regular_file(dir / "tokenizer.model"))
    missing.push_back("no tokenizer (tokenizer.json or tokenizer.model)");
  if (missing.empty()) return std::nullopt;
  p.message = "the checkpoint '" + written + "' is incomplete: " + join(missing);
  std::vector<std::string> has = entries(dir, false);
  p.notes.push_back(dir.string() + (has.empty() ? " is empty" : " holds: " + join(has)));
  p.helps.push_back("save the whole model there, e.g. model.save_pretrained(DIR) and tokenizer.save_pretrained(DIR) "
                    "in transformers");
  return p;
}

std::optional<long long> tokenizer_file_size(const fs::path& file, std::string* why) {
  auto text = read_file(file);
  if (!text) {
    if (why) *why = "cannot read " + file.string();
    return std::nullopt;
  }
  if (file.extension() == ".json") return tokenizer_json_size(*text, why);
  return sentencepiece_pieces(*text, why);
}

std::optional<long long> hf_config_vocab_size(const fs::path& config_json, std::string* why) {
  auto text = read_file(config_json);
  if (!text) {
    if (why) *why = "cannot read " + config_json.string();
    return std::nullopt;
  }
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    if (why) *why = config_json.string() + " is not a JSON object";
    return std::nullopt;
  }
  auto v = j.find("vocab_size");
  if (v == j.end()) return 32000;
  if (!v->is_number_integer() || v->get<long long>() <= 0) {
    if (why) *why = config_json.string() + ": vocab_size is not a positive whole number";
    return std::nullopt;
  }
  return v->get<long long>();
}

std::optional<InputProblem> hf_vocab_problem(const fs::path& dir, const std::string& tokenizer_file) {
  std::string why;
  InputProblem p;
  auto vocab = hf_config_vocab_size(dir / "config.json", &why);
  auto size = vocab ? tokenizer_file_size(dir / tokenizer_file, &why) : std::nullopt;
  if (!vocab || !size) {
    p.message = "cannot read the checkpoint: " + why;
    return p;
  }
  if (*size <= *vocab) return std::nullopt;
  p.message = "the tokenizer has " + std::to_string(*size) + " token ids, but the model's vocab_size is " +
              std::to_string(*vocab) + ": ids from " + std::to_string(*vocab) + " on have no embedding";
  p.notes.push_back("tokenizer: " + (dir / tokenizer_file).string() + "; model: " + (dir / "config.json").string());
  p.helps.push_back("use the tokenizer saved with this model, or resize the embedding (resize_token_embeddings in "
                    "transformers) and save the model again");
  return p;
}

std::optional<InputProblem> lora_target_problem(const std::string& target) {
  const auto& names = rt::projection_names();
  if (std::find(names.begin(), names.end(), target) != names.end()) return std::nullopt;
  InputProblem p;
  p.message = "LoRA target '" + target + "' matches no projection of the model";
  p.notes.push_back("the model's projections: " + join(names));
  std::string hint = did_you_mean(target, names);
  if (!hint.empty()) p.helps.push_back(hint);
  return p;
}

std::string hf_chat_template_problem(const fs::path& dir) {
  if (fs::exists(dir / "chat_template.jinja")) return "";
  const fs::path config = dir / "tokenizer_config.json";
  std::ifstream in(config);
  if (!in) return "there is neither a chat_template.jinja nor a tokenizer_config.json";
  std::stringstream ss;
  ss << in.rdbuf();
  const nlohmann::json j = nlohmann::json::parse(ss.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return "its tokenizer_config.json is not a JSON object";
  if (!j.contains("chat_template") || j["chat_template"].is_null())
    return "its tokenizer_config.json has no chat_template (and there is no chat_template.jinja)";
  return "";
}

}  // namespace sftx
