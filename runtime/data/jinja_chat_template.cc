#include "runtime/data/jinja_chat_template.h"

#include <algorithm>
#include <stdexcept>

namespace sftx::rt {
namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

JinjaChatTemplate::JinjaChatTemplate(const std::string& source, std::optional<std::string> bos,
                                     std::optional<std::string> eos, const std::string& origin)
    : template_(source, origin), bos_(std::move(bos)), eos_(std::move(eos)) {
  // Where generation stops: the marker that ends an assistant turn in a probe conversation.
  try {
    const jinja::Text probe = render_raw({{"user", "Hi"}, {"assistant", "Hello"}}, false);
    for (const auto& o : probe.origins)
      if (o.tag == 1) {
        const size_t n = end_marker_at(probe.bytes, o.end, probe.bytes.size());
        std::string marker = probe.bytes.substr(o.end, n);
        marker.erase(0, marker.find_first_not_of(" \t\r\n"));
        if (!marker.empty()) stops_.push_back(marker);
      }
  } catch (const std::exception&) {
    // A template that refuses the probe (it wants a system message, say) still stops at eos.
  }
  if (eos_ && !eos_->empty() && std::find(stops_.begin(), stops_.end(), *eos_) == stops_.end()) stops_.push_back(*eos_);
}

jinja::Text JinjaChatTemplate::render_raw(const std::vector<Message>& messages, bool add_generation_prompt) const {
  jinja::List list;
  for (size_t i = 0; i < messages.size(); ++i) {
    jinja::Dict m;
    m.set("role", jinja::Value::string(messages[i].role));
    const std::string& c = messages[i].content;
    m.set("content", jinja::Value::string(jinja::Text{c, {{0, c.size(), static_cast<int>(i)}}}));
    list.push_back(jinja::Value::dict(std::move(m)));
  }
  std::map<std::string, jinja::Value> vars;
  vars["messages"] = jinja::Value::list(std::move(list));
  vars["add_generation_prompt"] = jinja::Value::boolean(add_generation_prompt);
  if (bos_) vars["bos_token"] = jinja::Value::string(*bos_);
  if (eos_) vars["eos_token"] = jinja::Value::string(*eos_);
  try {
    return template_.render(vars);
  } catch (const jinja::TemplateError& e) {
    throw std::invalid_argument(e.what());
  }
}

std::string JinjaChatTemplate::render_text(const std::vector<Message>& messages, bool add_generation_prompt) const {
  return render_raw(messages, add_generation_prompt).bytes;
}

size_t JinjaChatTemplate::end_marker_at(const std::string& text, size_t at, size_t limit) const {
  size_t p = at;
  while (p < limit && is_blank(text[p])) ++p;
  if (eos_ && !eos_->empty() && p + eos_->size() <= limit && text.compare(p, eos_->size(), *eos_) == 0)
    return p + eos_->size() - at;
  if (p < limit && text[p] == '<') {
    for (size_t q = p + 1; q < limit && q - p <= 64; ++q) {
      if (text[q] == '>') return q > p + 1 ? q + 1 - at : 0;
      if (text[q] == '<' || is_blank(text[q])) return 0;
    }
  }
  return 0;
}

std::vector<TemplateSegment> JinjaChatTemplate::segments(const jinja::Text& text, const std::vector<bool>& trainable) const {
  const std::string& s = text.bytes;
  std::vector<bool> from_content(s.size(), false);
  for (const auto& o : text.origins)
    for (size_t k = o.begin; k < o.end; ++k) from_content[k] = true;
  std::vector<TemplateSegment> out;
  auto add_text = [&](size_t b, size_t e, bool train) {
    if (b == e) return;
    if (!out.empty() && !out.back().special && out.back().trainable == train) out.back().text.append(s, b, e - b);
    else out.push_back({s.substr(b, e - b), train, false});
  };
  // The bos/eos the template writes (not ones inside a message) at s[p], as one special segment.
  auto marker_at = [&](size_t p, size_t end) -> size_t {
    for (const auto* tok : {&eos_, &bos_}) {
      if (!*tok || (*tok)->empty()) continue;
      const std::string& m = **tok;
      if (p + m.size() > end || s.compare(p, m.size(), m) != 0) continue;
      if (std::none_of(from_content.begin() + static_cast<std::ptrdiff_t>(p),
                       from_content.begin() + static_cast<std::ptrdiff_t>(p + m.size()), [](bool b) { return b; }))
        return m.size();
    }
    return 0;
  };
  size_t i = 0;
  while (i < s.size()) {
    size_t run_end = i;
    while (run_end < s.size() && trainable[run_end] == trainable[i]) ++run_end;
    size_t text_start = i;
    for (size_t p = i; p < run_end;) {
      const size_t m = marker_at(p, run_end);
      if (m == 0) {
        ++p;
        continue;
      }
      add_text(text_start, p, trainable[i]);
      out.push_back({s.substr(p, m), trainable[i], true});
      p += m;
      text_start = p;
    }
    add_text(text_start, run_end, trainable[i]);
    i = run_end;
  }
  return out;
}

std::vector<TemplateSegment> JinjaChatTemplate::render(const std::vector<Message>& messages) const {
  if (is_plain_text(messages)) {
    // Pretraining text: bos, the text, eos, as the built-in templates write it.
    std::vector<TemplateSegment> out;
    if (bos_ && !bos_->empty()) out.push_back({*bos_, false, true});
    std::string text;
    for (size_t i = 0; i < messages.size(); ++i) text += (i ? "\n\n" : "") + messages[i].content;
    out.push_back({text, true, false});
    if (eos_ && !eos_->empty()) out.push_back({*eos_, true, true});
    return out;
  }
  const jinja::Text text = render_raw(messages, false);
  const std::string& s = text.bytes;
  std::vector<bool> trainable(s.size(), false), from_content(s.size(), false);
  for (const auto& o : text.origins)
    for (size_t k = o.begin; k < o.end; ++k) from_content[k] = true;
  std::vector<bool> placed(messages.size(), false);
  for (const auto& o : text.origins) {
    const auto idx = static_cast<size_t>(o.tag);
    if (messages[idx].role != "assistant") continue;
    placed[idx] = true;
    size_t b = o.begin;
    while (b > 0 && s[b - 1] == ' ' && !from_content[b - 1]) --b;
    size_t limit = s.size();  // the marker must come before any other message's text
    for (const auto& other : text.origins)
      if (other.begin >= o.end && !(other == o) && other.begin < limit) limit = other.begin;
    const size_t e = o.end + end_marker_at(s, o.end, limit);
    for (size_t k = b; k < e; ++k) trainable[k] = true;
  }
  for (size_t i = 0; i < messages.size(); ++i)
    if (messages[i].role == "assistant" && !placed[i])
      throw std::invalid_argument("message " + std::to_string(i + 1) + " (assistant): the chat template " +
                                  template_.name() +
                                  " does not write its content as given (it leaves it out or changes it), so "
                                  "sftx cannot tell which tokens to train on");
  return segments(text, trainable);
}

std::vector<TemplateSegment> JinjaChatTemplate::render_prompt(const std::vector<Message>& messages) const {
  size_t last_user = messages.size();
  for (size_t i = messages.size(); i-- > 0;)
    if (messages[i].role == "user") {
      last_user = i;
      break;
    }
  if (last_user == messages.size()) throw std::invalid_argument("a generation prompt needs at least one user message");
  const std::vector<Message> upto(messages.begin(), messages.begin() + static_cast<std::ptrdiff_t>(last_user) + 1);
  const jinja::Text text = render_raw(upto, true);
  return segments(text, std::vector<bool>(text.bytes.size(), false));
}

}  // namespace sftx::rt
