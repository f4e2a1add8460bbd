#include "runtime/data/source_format.h"

#include <algorithm>

#include "runtime/base/strings.h"

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

// The value of {field} in a user template: a string, or a list of strings one per line.
std::string template_field(const json& o, const std::string& name, const std::string& format) {
  const json& v = field(o, name, format);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) {
    std::string out;
    for (const auto& item : v) {
      if (!item.is_string()) throw FormatError("field \"" + name + "\" must hold strings" + where(format));
      out += (out.empty() ? "" : "\n") + item.get<std::string>();
    }
    return out;
  }
  throw FormatError("field \"" + name + "\" must be a string or a list of strings" + where(format));
}

// A field-mapping format (record_formats.h): meta copied, the user template filled in.
Record from_mapping(const json& o, const RecordFormat& f) {
  Record r;
  for (const auto& name : f.meta) r.meta[name] = field(o, name, f.name);
  for (const auto& name : f.optional_meta)
    if (o.contains(name) && !o[name].is_null()) r.meta[name] = o[name];
  std::string user;
  for (size_t at = 0; at < f.user.size();) {
    size_t open = f.user.find('{', at);
    if (open == std::string::npos) {
      user += f.user.substr(at);
      break;
    }
    size_t close = f.user.find('}', open);
    user += f.user.substr(at, open - at) + template_field(o, f.user.substr(open + 1, close - open - 1), f.name);
    at = close + 1;
  }
  r.messages = {{"user", user}, {"assistant", string_field(o, f.assistant, f.name)}};
  return r;
}

Record from_text(const json& o) {
  Record r;
  r.messages = {{"assistant", string_field(o, "text", "text")}};
  return r;
}

}  // namespace

const std::vector<std::string>& known_formats() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& f : record_formats()) out.push_back(f.name);
    return out;
  }();
  return names;
}

bool is_known_format(const std::string& format) { return find_record_format(format) != nullptr; }

Record record_from_format(const nlohmann::json& object, const std::string& format) {
  if (!object.is_object()) throw FormatError("expected a JSON object" + where(format));
  const RecordFormat* f = find_record_format(format);
  if (!f) {
    throw FormatError("unknown format \"" + format + "\" (expected one of " + join_names(known_formats()) + ")");
  }
  if (!f->user.empty()) return from_mapping(object, *f);
  if (format == "alpaca") return from_alpaca(object);
  if (format == "sharegpt") return from_sharegpt(object);
  if (format == "messages") return from_messages(object);
  if (format == "gsm8k") return from_gsm8k(object);
  if (format == "text") return from_text(object);
  throw FormatError("format \"" + format + "\" has no converter");
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
