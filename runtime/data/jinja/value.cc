#include "runtime/data/jinja/value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace sftx::rt::jinja {
namespace {

// The code point at s[i] and its byte length; an ill-formed byte is itself, length 1.
uint32_t decode_at(const std::string& s, size_t i, size_t* len) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (n == 0 || i + n > s.size()) {
    *len = 1;
    return c;
  }
  uint32_t cp = n == 1 ? c : n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) {
      *len = 1;
      return c;
    }
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  *len = n;
  return cp;
}

std::string hex(uint32_t v, int width) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%0*x", width, v);
  return buf;
}

// Python's str.isprintable() is false for categories Cc, Cf, Zs (but space), Zl, Zp, ...: the
// ones text in chat data meets.
bool python_unprintable(uint32_t cp) {
  return cp < 0x20 || (cp >= 0x7F && cp <= 0xA0) || cp == 0xAD || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200F) ||
         (cp >= 0x2028 && cp <= 0x202F) || (cp >= 0x205F && cp <= 0x2064) || cp == 0x3000 || cp == 0xFEFF;
}

std::string repr_string(const std::string& s) {
  const bool has_single = s.find('\'') != std::string::npos, has_double = s.find('"') != std::string::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (size_t i = 0; i < s.size();) {
    size_t n;
    const uint32_t cp = decode_at(s, i, &n);
    if (cp == '\\') out += "\\\\";
    else if (cp == static_cast<uint32_t>(quote)) out += std::string("\\") + quote;
    else if (cp == '\n') out += "\\n";
    else if (cp == '\r') out += "\\r";
    else if (cp == '\t') out += "\\t";
    else if (python_unprintable(cp)) out += cp < 0x100 ? "\\x" + hex(cp, 2) : "\\u" + hex(cp, 4);
    else out.append(s, i, n);
    i += n;
  }
  return out + quote;
}

void json_string(const std::string& s, std::string& out) {
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) out += "\\u" + hex(c, 4);
        else out += static_cast<char>(c);
    }
  }
  out += '"';
}

void json_dump(const Value& v, int indent, bool sort_keys, const std::string& item_sep, const std::string& key_sep,
               int depth, std::string& out) {
  auto newline = [&](int d) {
    if (indent < 0) return;
    out += '\n';
    out.append(static_cast<size_t>(indent * d), ' ');
  };
  switch (v.kind()) {
    case Value::Kind::none: out += "null"; return;
    case Value::Kind::boolean: out += v.as_bool() ? "true" : "false"; return;
    case Value::Kind::integer: out += std::to_string(v.as_int()); return;
    case Value::Kind::floating: {
      const double d = v.as_double();
      out += std::isnan(d) ? "NaN" : std::isinf(d) ? (d > 0 ? "Infinity" : "-Infinity") : python_float_repr(d);
      return;
    }
    case Value::Kind::string: json_string(v.str_bytes(), out); return;
    case Value::Kind::list: {
      if (v.items().empty()) {
        out += "[]";
        return;
      }
      out += '[';
      bool first = true;
      for (const Value& item : v.items()) {
        if (!first) out += item_sep;
        first = false;
        newline(depth + 1);
        json_dump(item, indent, sort_keys, item_sep, key_sep, depth + 1, out);
      }
      newline(depth);
      out += ']';
      return;
    }
    case Value::Kind::dict:
    case Value::Kind::ns: {
      const Dict& d = v.kind() == Value::Kind::dict ? v.entries() : v.ns_entries();
      if (v.kind() == Value::Kind::ns) throw EvalError("Object of type Namespace is not JSON serializable");
      if (d.items.empty()) {
        out += "{}";
        return;
      }
      std::vector<const std::pair<std::string, Value>*> entries;
      for (const auto& e : d.items) entries.push_back(&e);
      if (sort_keys)
        std::stable_sort(entries.begin(), entries.end(), [](auto* a, auto* b) { return a->first < b->first; });
      out += '{';
      bool first = true;
      for (const auto* e : entries) {
        if (!first) out += item_sep;
        first = false;
        newline(depth + 1);
        json_string(e->first, out);
        out += key_sep;
        json_dump(e->second, indent, sort_keys, item_sep, key_sep, depth + 1, out);
      }
      newline(depth);
      out += '}';
      return;
    }
    case Value::Kind::undefined: throw EvalError("Object of type Undefined is not JSON serializable");
    case Value::Kind::function: throw EvalError("Object of type function is not JSON serializable");
  }
}

}  // namespace

void Text::append(const Text& t) {
  const size_t shift = bytes.size();
  bytes += t.bytes;
  for (Origin o : t.origins) {
    o.begin += shift;
    o.end += shift;
    origins.push_back(o);
  }
}

Text Text::substr(size_t b, size_t e) const {
  Text out;
  out.bytes = bytes.substr(b, e - b);
  for (const Origin& o : origins) {
    const bool overlaps = o.begin < e && o.end > b;
    const bool anchor_inside = o.begin == o.end && o.begin >= b && o.begin <= e;
    const bool empty_cut_inside = b == e && b >= o.begin && e <= o.end;
    if (!overlaps && !anchor_inside && !empty_cut_inside) continue;
    out.origins.push_back({std::clamp(o.begin, b, e) - b, std::clamp(o.end, b, e) - b, o.tag});
  }
  return out;
}

const Value* Dict::find(const std::string& key) const {
  for (const auto& [k, v] : items)
    if (k == key) return &v;
  return nullptr;
}

void Dict::set(const std::string& key, Value v) {
  for (auto& [k, old] : items)
    if (k == key) {
      old = std::move(v);
      return;
    }
  items.emplace_back(key, std::move(v));
}

Value Value::string(Text t) {
  Value v(Kind::string);
  v.text_ = std::make_shared<const Text>(std::move(t));
  return v;
}

Value Value::list(List items, bool tuple) {
  Value v(Kind::list);
  v.list_ = std::make_shared<const List>(std::move(items));
  v.tuple_ = tuple;
  return v;
}

Value Value::dict(Dict d) {
  Value v(Kind::dict);
  v.dict_ = std::make_shared<Dict>(std::move(d));
  return v;
}

Value Value::ns(Dict d) {
  Value v(Kind::ns);
  v.dict_ = std::make_shared<Dict>(std::move(d));
  return v;
}

Value Value::function(std::string name, Function f) {
  Value v(Kind::function);
  v.name_ = std::move(name);
  v.fn_ = std::make_shared<const Function>(std::move(f));
  return v;
}

Value Value::from_json(const nlohmann::ordered_json& j) {
  switch (j.type()) {
    case nlohmann::ordered_json::value_t::null: return none();
    case nlohmann::ordered_json::value_t::boolean: return boolean(j.get<bool>());
    case nlohmann::ordered_json::value_t::number_integer:
    case nlohmann::ordered_json::value_t::number_unsigned: return integer(j.get<int64_t>());
    case nlohmann::ordered_json::value_t::number_float: return floating(j.get<double>());
    case nlohmann::ordered_json::value_t::string: return string(j.get<std::string>());
    case nlohmann::ordered_json::value_t::array: {
      List items;
      for (const auto& e : j) items.push_back(from_json(e));
      return list(std::move(items));
    }
    case nlohmann::ordered_json::value_t::object: {
      Dict d;
      for (auto it = j.begin(); it != j.end(); ++it) d.items.emplace_back(it.key(), from_json(it.value()));
      return dict(std::move(d));
    }
    default: throw EvalError("unsupported JSON value " + j.dump());
  }
}

bool Value::truthy() const {
  switch (kind_) {
    case Kind::undefined:
    case Kind::none: return false;
    case Kind::boolean:
    case Kind::integer: return i_ != 0;
    case Kind::floating: return f_ != 0;
    case Kind::string: return !text_->bytes.empty();
    case Kind::list: return !list_->empty();
    case Kind::dict: return !dict_->items.empty();
    case Kind::ns:
    case Kind::function: return true;
  }
  return false;
}

Text Value::to_text() const {
  switch (kind_) {
    case Kind::undefined: return {};
    case Kind::string: return *text_;
    case Kind::none: return {"None", {}};
    case Kind::boolean: return {i_ ? "True" : "False", {}};
    case Kind::integer: return {std::to_string(i_), {}};
    case Kind::floating: return {python_float_repr(f_), {}};
    default: return {repr(), {}};
  }
}

std::string Value::repr() const {
  switch (kind_) {
    case Kind::undefined: return "Undefined";
    case Kind::string: return repr_string(text_->bytes);
    case Kind::list: {
      std::string out = tuple_ ? "(" : "[";
      for (size_t i = 0; i < list_->size(); ++i) out += (i ? ", " : "") + (*list_)[i].repr();
      if (tuple_ && list_->size() == 1) out += ",";
      return out + (tuple_ ? ")" : "]");
    }
    case Kind::dict: {
      std::string out = "{";
      bool first = true;
      for (const auto& [k, v] : dict_->items) {
        out += (first ? "" : ", ") + repr_string(k) + ": " + v.repr();
        first = false;
      }
      return out + "}";
    }
    case Kind::ns: {
      std::string out = "<Namespace {";
      bool first = true;
      for (const auto& [k, v] : dict_->items) {
        out += (first ? "" : ", ") + repr_string(k) + ": " + v.repr();
        first = false;
      }
      return out + "}>";
    }
    case Kind::function: return "<function " + name_ + ">";
    default: return to_text().bytes;
  }
}

bool Value::equals(const Value& o) const {
  if (is_number() && o.is_number()) {
    if (kind_ == Kind::floating || o.kind_ == Kind::floating) return as_double() == o.as_double();
    return i_ == o.i_;
  }
  if (kind_ != o.kind_) return false;
  switch (kind_) {
    case Kind::undefined:
    case Kind::none: return true;
    case Kind::string: return text_->bytes == o.text_->bytes;
    case Kind::list: {
      if (tuple_ != o.tuple_ || list_->size() != o.list_->size()) return false;
      for (size_t i = 0; i < list_->size(); ++i)
        if (!(*list_)[i].equals((*o.list_)[i])) return false;
      return true;
    }
    case Kind::dict: {
      if (dict_->items.size() != o.dict_->items.size()) return false;
      for (const auto& [k, v] : dict_->items) {
        const Value* w = o.dict_->find(k);
        if (!w || !v.equals(*w)) return false;
      }
      return true;
    }
    case Kind::ns: return dict_ == o.dict_;
    case Kind::function: return fn_ == o.fn_;
    default: return false;
  }
}

int64_t Value::length() const {
  switch (kind_) {
    case Kind::undefined: return 0;
    case Kind::string: return static_cast<int64_t>(code_point_offsets(text_->bytes).size()) - 1;
    case Kind::list: return static_cast<int64_t>(list_->size());
    case Kind::dict: return static_cast<int64_t>(dict_->items.size());
    default: throw EvalError("object of type '" + type_name() + "' has no len()");
  }
}

std::string Value::type_name() const {
  switch (kind_) {
    case Kind::undefined: return "Undefined";
    case Kind::none: return "NoneType";
    case Kind::boolean: return "bool";
    case Kind::integer: return "int";
    case Kind::floating: return "float";
    case Kind::string: return "str";
    case Kind::list: return tuple_ ? "tuple" : "list";
    case Kind::dict: return "dict";
    case Kind::ns: return "Namespace";
    case Kind::function: return "function";
  }
  return "?";
}

List Value::iterate() const {
  switch (kind_) {
    case Kind::undefined: return {};
    case Kind::list: return *list_;
    case Kind::dict: {
      List keys;
      for (const auto& [k, v] : dict_->items) keys.push_back(string(k));
      return keys;
    }
    case Kind::string: {
      List chars;
      const auto offs = code_point_offsets(text_->bytes);
      for (size_t i = 0; i + 1 < offs.size(); ++i) chars.push_back(string(text_->substr(offs[i], offs[i + 1])));
      return chars;
    }
    default: throw EvalError("'" + type_name() + "' object is not iterable");
  }
}

nlohmann::ordered_json Value::to_json() const {
  switch (kind_) {
    case Kind::none: return nullptr;
    case Kind::boolean: return as_bool();
    case Kind::integer: return i_;
    case Kind::floating: return f_;
    case Kind::string: return text_->bytes;
    case Kind::list: {
      auto a = nlohmann::ordered_json::array();
      for (const Value& v : *list_) a.push_back(v.to_json());
      return a;
    }
    case Kind::dict: {
      auto o = nlohmann::ordered_json::object();
      for (const auto& [k, v] : dict_->items) o[k] = v.to_json();
      return o;
    }
    default: throw EvalError("Object of type " + type_name() + " is not JSON serializable");
  }
}

Value Call::arg(size_t index, const std::string& name, Value fallback) const {
  const Value* named = nullptr;
  for (const auto& [k, v] : kwargs)
    if (k == name) named = &v;
  if (index < args.size()) {
    if (named) throw EvalError("got multiple values for argument '" + name + "'");
    return args[index];
  }
  return named ? *named : fallback;
}

void Call::expect(const std::string& what, size_t max_positional, const std::vector<std::string>& allowed) const {
  if (args.size() > max_positional)
    throw EvalError(what + " takes at most " + std::to_string(max_positional) + " positional arguments (" +
                    std::to_string(args.size()) + " given)");
  for (const auto& [k, v] : kwargs)
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
      throw EvalError(what + " got an unexpected keyword argument '" + k + "'");
}

std::string python_float_repr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);  // -d.ddde[+-]XX, shortest round trip
  std::string sign;
  if (sci[0] == '-') {
    sign = "-";
    sci.erase(0, 1);
  }
  const size_t e = sci.find('e');
  std::string digits = sci.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  const int exp = std::stoi(sci.substr(e + 1));
  const int decpt = exp + 1;  // digits[0] is at 10^exp
  std::string out;
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) {
      out = "0." + std::string(static_cast<size_t>(-decpt), '0') + digits;
    } else if (static_cast<size_t>(decpt) >= digits.size()) {
      out = digits + std::string(static_cast<size_t>(decpt) - digits.size(), '0') + ".0";
    } else {
      out = digits.substr(0, static_cast<size_t>(decpt)) + "." + digits.substr(static_cast<size_t>(decpt));
    }
  } else {
    out = digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    const int x = decpt - 1;
    std::string xs = std::to_string(std::abs(x));
    if (xs.size() < 2) xs = "0" + xs;
    out += std::string("e") + (x < 0 ? "-" : "+") + xs;
  }
  return sign + out;
}

std::string python_json_dumps(const Value& v, int indent, bool sort_keys, const std::string& item_sep,
                              const std::string& key_sep) {
  std::string out;
  json_dump(v, indent, sort_keys, item_sep, key_sep, 0, out);
  return out;
}

uint32_t code_point_at(const std::string& s, size_t i, size_t* len) { return decode_at(s, i, len); }

std::vector<size_t> code_point_offsets(const std::string& s) {
  std::vector<size_t> offs;
  offs.reserve(s.size() + 1);
  for (size_t i = 0; i < s.size();) {
    offs.push_back(i);
    size_t n;
    decode_at(s, i, &n);
    i += n;
  }
  offs.push_back(s.size());
  return offs;
}

bool is_python_space(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
         cp == 0x3000;
}

Text python_strip(const Text& t, bool left, bool right, const std::string* chars) {
  const std::string& s = t.bytes;
  std::vector<uint32_t> set;
  if (chars)
    for (size_t i = 0; i < chars->size();) {
      size_t n;
      set.push_back(decode_at(*chars, i, &n));
      i += n;
    }
  auto strip_it = [&](uint32_t cp) {
    return chars ? std::find(set.begin(), set.end(), cp) != set.end() : is_python_space(cp);
  };
  const auto offs = code_point_offsets(s);
  size_t b = 0, e = offs.size() - 1;  // code point indices
  auto cp_at = [&](size_t k) {
    size_t n;
    return decode_at(s, offs[k], &n);
  };
  if (left)
    while (b < e && strip_it(cp_at(b))) ++b;
  if (right)
    while (e > b && strip_it(cp_at(e - 1))) --e;
  return t.substr(offs[b], offs[e]);
}

}  // namespace sftx::rt::jinja
