#include "runtime/data/source_format.h"

#include <algorithm>

namespace sftx::rt {

namespace {

using nlohmann::json;

std::string where(const std::string& format) { return " (format " + format + ")"; }

const json& field(const json& o, const std::string& name, const std::string& format) {
  auto it = o.find(name);
  if (it == o.end()) throw FormatError("missing field \"" + name + "\"" + where(format));
  return *it;
}

std::string string_field(const json& o, const std::string& name, const std::string& format) {
  const json& v = field(o, name, format);
  if (!v.is_string()) throw FormatError("field \"" + name + "\" must be a string" + where(format));
  return v.get<std::string>();
}

std::string optional_string(const json& o, const std::string& name, const std::string& format) {
  auto it = o.find(name);
  if (it == o.end() || it->is_null()) return "";
  if (!it->is_string()) throw FormatError("field \"" + name + "\" must be a string" + where(format));
  return it->get<std::string>();
}

Record from_alpaca(const json& o) {
  std::string instruction = string_field(o, "instruction", "alpaca");
  std::string input = optional_string(o, "input", "alpaca");
  std::string output = string_field(o, "output", "alpaca");
  Record r;
  std::string system = optional_string(o, "system", "alpaca");
  if (!system.empty()) r.messages.push_back({"system", system});
  r.messages.push_back({"user", input.empty() ? instruction : instruction + "\n\n" + input});
  r.messages.push_back({"assistant", output});
  return r;
}

std::string sharegpt_role(const std::string& from) {
  std::string f = from;
  std::transform(f.begin(), f.end(), f.begin(), [](unsigned char c) { return std::tolower(c); });
  if (f == "human" || f == "user") return "user";
  if (f == "gpt" || f == "assistant" || f == "chatgpt" || f == "bing" || f == "bard" || f == "model") return "assistant";
  if (f == "system") return "system";
  return "";
}

Record from_sharegpt(const json& o) {
  const json& conv = field(o, "conversations", "sharegpt");
  if (!conv.is_array()) throw FormatError("field \"conversations\" must be an array" + where("sharegpt"));
  Record r;
  for (size_t i = 0; i < conv.size(); ++i) {
    const json& turn = conv[i];
    std::string at = "conversations[" + std::to_string(i) + "]";
    if (!turn.is_object()) throw FormatError(at + " must be an object" + where("sharegpt"));
    auto from = turn.find("from");
    auto value = turn.find("value");
    if (from == turn.end() || !from->is_string()) throw FormatError(at + " needs a string \"from\"" + where("sharegpt"));
    if (value == turn.end() || !value->is_string()) throw FormatError(at + " needs a string \"value\"" + where("sharegpt"));
    std::string role = sharegpt_role(from->get<std::string>());
    if (role.empty())
      throw FormatError(at + ": unknown speaker \"" + from->get<std::string>() +
                        "\" (expected human, user, gpt, assistant, chatgpt, bing, bard or system)" + where("sharegpt"));
    r.messages.push_back({role, value->get<std::string>()});
  }
  if (auto id = o.find("id"); id != o.end() && (id->is_string() || id->is_number())) r.meta["id"] = *id;
  return r;
}

Record from_messages(const json& o) {
  const json& msgs = field(o, "messages", "messages");
  if (!msgs.is_array()) throw FormatError("field \"messages\" must be an array" + where("messages"));
  Record r;
  for (size_t i = 0; i < msgs.size(); ++i) {
    const json& m = msgs[i];
    std::string at = "messages[" + std::to_string(i) + "]";
    if (!m.is_object()) throw FormatError(at + " must be an object" + where("messages"));
    auto role = m.find("role");
    auto content = m.find("content");
    if (role == m.end() || !role->is_string()) throw FormatError(at + " needs a string \"role\"" + where("messages"));
    if (content == m.end() || !content->is_string())
      throw FormatError(at + " needs a string \"content\"" + where("messages"));
    std::string rl = role->get<std::string>();
    if (rl != "system" && rl != "user" && rl != "assistant")
      throw FormatError(at + ": unknown role \"" + rl + "\" (expected system, user or assistant)" + where("messages"));
    r.messages.push_back({rl, content->get<std::string>()});
  }
  if (auto meta = o.find("meta"); meta != o.end() && meta->is_object()) r.meta = *meta;
  return r;
}

Record from_gsm8k(const json& o) {
  std::string question = string_field(o, "question", "gsm8k");
  std::string answer = string_field(o, "answer", "gsm8k");
  std::string final_answer = gsm8k_final_answer(answer);
  if (final_answer.empty()) throw FormatError("field \"answer\" has no final \"#### N\" line" + where("gsm8k"));
  Record r;
  r.messages = {{"user", question}, {"assistant", answer}};
  r.meta["answer"] = final_answer;
  return r;
}

Record from_humaneval(const json& o) {
  Record r;
  for (const char* name : {"task_id", "prompt", "canonical_solution", "test", "entry_point"})
    r.meta[name] = string_field(o, name, "humaneval");
  r.messages = {{"user", r.meta["prompt"].get<std::string>()},
                {"assistant", r.meta["canonical_solution"].get<std::string>()}};
  return r;
}

Record from_text(const json& o) {
  Record r;
  r.messages = {{"assistant", string_field(o, "text", "text")}};
  return r;
}

}  // namespace

const std::vector<std::string>& known_formats() {
  static const std::vector<std::string> formats = {"alpaca", "sharegpt", "messages", "gsm8k", "humaneval", "text"};
  return formats;
}

bool is_known_format(const std::string& format) {
  const auto& f = known_formats();
  return std::find(f.begin(), f.end(), format) != f.end();
}

Record record_from_format(const nlohmann::json& object, const std::string& format) {
  if (!object.is_object()) throw FormatError("expected a JSON object" + where(format));
  if (format == "alpaca") return from_alpaca(object);
  if (format == "sharegpt") return from_sharegpt(object);
  if (format == "messages") return from_messages(object);
  if (format == "gsm8k") return from_gsm8k(object);
  if (format == "humaneval") return from_humaneval(object);
  if (format == "text") return from_text(object);
  throw FormatError("unknown format \"" + format + "\" (expected alpaca, sharegpt, messages, gsm8k, humaneval or text)");
}

std::string gsm8k_final_answer(const std::string& answer) {
  size_t at = answer.rfind("####");
  if (at == std::string::npos) return "";
  std::string out;
  size_t i = at + 4;
  while (i < answer.size() && std::isspace(static_cast<unsigned char>(answer[i]))) ++i;
  for (; i < answer.size() && !std::isspace(static_cast<unsigned char>(answer[i])); ++i)
    if (answer[i] != ',' && answer[i] != '$') out.push_back(answer[i]);
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

}  // namespace sftx::rt
