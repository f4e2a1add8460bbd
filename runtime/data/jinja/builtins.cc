#include "runtime/data/jinja/builtins.h"

#include <algorithm>
#include <cmath>
#include <ctime>
#include <set>

namespace sftx::rt::jinja {
namespace {

const std::set<std::string> kStrMethods = {
    "capitalize", "casefold",   "center",    "count",      "encode",       "endswith",  "expandtabs", "find",
    "format",     "format_map", "index",     "isalnum",    "isalpha",      "isascii",   "isdecimal",  "isdigit",
    "isidentifier", "islower",  "isnumeric", "isprintable", "isspace",     "istitle",   "isupper",    "join",
    "ljust",      "lower",      "lstrip",    "maketrans",  "partition",    "removeprefix", "removesuffix", "replace",
    "rfind",      "rindex",     "rjust",     "rpartition", "rsplit",       "rstrip",    "split",      "splitlines",
    "startswith", "strip",      "swapcase",  "title",      "translate",    "upper",     "zfill"};
const std::set<std::string> kDictMethods = {"clear", "copy",    "fromkeys", "get",        "items", "keys",
                                            "pop",   "popitem", "setdefault", "update", "values"};
const std::set<std::string> kListMethods = {"append", "clear", "copy",   "count", "extend", "index",
                                            "insert", "pop",   "remove", "reverse", "sort"};

std::string type_pair(const Value& a, const Value& b) { return "'" + a.type_name() + "' and '" + b.type_name() + "'"; }

void require_defined(const Value& v) {
  if (v.is_undefined()) undefined_error(v);
}

bool is_ascii(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

const std::string& need_string(const Value& v, const std::string& what) {
  if (!v.is_string()) throw EvalError(what + " needs a string, not '" + v.type_name() + "'");
  return v.str_bytes();
}

int64_t need_int(const Value& v, const std::string& what) {
  if (v.kind() != Value::Kind::integer && v.kind() != Value::Kind::boolean)
    throw EvalError(what + " needs an integer, not '" + v.type_name() + "'");
  return v.as_int();
}

// Case mapping of ASCII text (what role names and markers are); other text is refused rather
// than mapped differently from Python's full Unicode tables.
std::string ascii_case(const std::string& s, const std::string& method, int mode) {
  if (!is_ascii(s)) throw EvalError(method + "() of non-ASCII text is not supported");
  std::string out = s;
  bool word_start = true;
  for (size_t i = 0; i < out.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(out[i]);
    switch (mode) {
      case 0: out[i] = static_cast<char>(std::toupper(c)); break;
      case 1: out[i] = static_cast<char>(std::tolower(c)); break;
      case 2: out[i] = static_cast<char>(i == 0 ? std::toupper(c) : std::tolower(c)); break;  // capitalize
      case 3:                                                                                  // title
        out[i] = static_cast<char>(word_start ? std::toupper(c) : std::tolower(c));
        word_start = !std::isalpha(c);
        break;
    }
  }
  return out;
}

size_t cp_index_of_byte(const std::string& s, size_t byte) {
  const auto offs = code_point_offsets(s);
  return static_cast<size_t>(std::lower_bound(offs.begin(), offs.end(), byte) - offs.begin());
}

// Python's str.split(sep, maxsplit); pieces keep their origins.
List python_split(const Text& t, const Value& sep, int64_t maxsplit) {
  List out;
  const std::string& s = t.bytes;
  if (sep.is_none() || sep.is_undefined()) {
    const auto offs = code_point_offsets(s);
    auto space = [&](size_t k) {
      size_t len;
      return is_python_space(code_point_at(s, offs[k], &len));
    };
    const size_t n = offs.size() - 1;
    size_t k = 0;
    int64_t splits = 0;
    while (k < n) {
      while (k < n && space(k)) ++k;
      if (k == n) break;
      if (maxsplit >= 0 && splits == maxsplit) {
        size_t e = n;
        while (e > k && space(e - 1)) --e;
        out.push_back(Value::string(t.substr(offs[k], offs[e])));
        return out;
      }
      size_t b = k;
      while (k < n && !space(k)) ++k;
      out.push_back(Value::string(t.substr(offs[b], offs[k])));
      ++splits;
    }
    return out;
  }
  const std::string& d = need_string(sep, "split()");
  if (d.empty()) throw EvalError("empty separator");
  size_t b = 0;
  int64_t splits = 0;
  for (;;) {
    const size_t hit = maxsplit >= 0 && splits == maxsplit ? std::string::npos : s.find(d, b);
    if (hit == std::string::npos) {
      out.push_back(Value::string(t.substr(b, s.size())));
      return out;
    }
    out.push_back(Value::string(t.substr(b, hit)));
    b = hit + d.size();
    ++splits;
  }
}

std::string python_replace(const std::string& s, const std::string& old, const std::string& rep, int64_t count) {
  if (old.empty()) throw EvalError("replace() with an empty search string is not supported");
  std::string out;
  size_t b = 0;
  int64_t n = 0;
  for (;;) {
    const size_t hit = count >= 0 && n == count ? std::string::npos : s.find(old, b);
    if (hit == std::string::npos) break;
    out.append(s, b, hit - b);
    out += rep;
    b = hit + old.size();
    ++n;
  }
  out.append(s, b, std::string::npos);
  return out;
}

bool prefix_match(const std::string& s, const Value& affix, bool at_end, const std::string& what) {
  auto one = [&](const Value& v) {
    const std::string& a = need_string(v, what);
    if (a.size() > s.size()) return false;
    return at_end ? s.compare(s.size() - a.size(), a.size(), a) == 0 : s.compare(0, a.size(), a) == 0;
  };
  if (affix.is_list() && affix.is_tuple()) {
    for (const Value& v : affix.items())
      if (one(v)) return true;
    return false;
  }
  return one(affix);
}

Value string_method(const Value& self, const std::string& name, Call& c) {
  const Text& t = self.text();
  const std::string& s = t.bytes;
  const std::string what = "str." + name + "()";
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    c.expect(what, 1, {});
    const Value chars = c.arg(0, "chars", Value::none());
    const std::string* set = chars.is_none() ? nullptr : &need_string(chars, what);
    return Value::string(python_strip(t, name != "rstrip", name != "lstrip", set));
  }
  if (name == "split" || name == "rsplit") {
    c.expect(what, 2, {"sep", "maxsplit"});
    const int64_t maxsplit = need_int(c.arg(1, "maxsplit", Value::integer(-1)), what);
    if (name == "rsplit" && maxsplit >= 0) throw EvalError("rsplit() with maxsplit is not supported");
    return Value::list(python_split(t, c.arg(0, "sep", Value::none()), maxsplit));
  }
  if (name == "startswith" || name == "endswith") {
    c.expect(what, 1, {});
    return Value::boolean(prefix_match(s, c.arg(0, "prefix"), name == "endswith", what));
  }
  if (name == "upper" || name == "lower" || name == "capitalize" || name == "title") {
    c.expect(what, 0, {});
    const int mode = name == "upper" ? 0 : name == "lower" ? 1 : name == "capitalize" ? 2 : 3;
    return Value::string(ascii_case(s, name, mode));
  }
  if (name == "replace") {
    c.expect(what, 3, {});
    return Value::string(python_replace(s, need_string(c.arg(0, "old"), what), need_string(c.arg(1, "new"), what),
                                        need_int(c.arg(2, "count", Value::integer(-1)), what)));
  }
  if (name == "find" || name == "rfind" || name == "count") {
    c.expect(what, 1, {});
    const std::string& sub = need_string(c.arg(0, "sub"), what);
    if (name == "count") {
      if (sub.empty()) return Value::integer(self.length() + 1);
      int64_t n = 0;
      for (size_t p = s.find(sub); p != std::string::npos; p = s.find(sub, p + sub.size())) ++n;
      return Value::integer(n);
    }
    const size_t p = name == "find" ? s.find(sub) : s.rfind(sub);
    return Value::integer(p == std::string::npos ? -1 : static_cast<int64_t>(cp_index_of_byte(s, p)));
  }
  if (name == "join") {
    c.expect(what, 1, {});
    Text out;
    bool first = true;
    for (const Value& v : c.arg(0, "iterable").iterate()) {
      if (!v.is_string()) throw EvalError("sequence item: expected str instance, " + v.type_name() + " found");
      if (!first) out.append(t);
      first = false;
      out.append(v.text());
    }
    return Value::string(out);
  }
  if (name == "isspace" || name == "isdigit" || name == "isalpha" || name == "isupper" || name == "islower") {
    c.expect(what, 0, {});
    if (!is_ascii(s)) throw EvalError(name + "() of non-ASCII text is not supported");
    if (name == "isupper" || name == "islower") {
      bool cased = false, ok = true;
      for (unsigned char ch : s) {
        if (std::isalpha(ch)) {
          cased = true;
          ok = ok && (name == "isupper" ? std::isupper(ch) : std::islower(ch));
        }
      }
      return Value::boolean(cased && ok);
    }
    if (s.empty()) return Value::boolean(false);
    int (*pred)(int) = name == "isspace" ? ::isspace : name == "isdigit" ? ::isdigit : ::isalpha;
    return Value::boolean(std::all_of(s.begin(), s.end(), [&](char ch) { return pred(static_cast<unsigned char>(ch)) != 0; }));
  }
  if (name == "splitlines") {
    c.expect(what, 0, {});
    List out;
    size_t b = 0;
    for (size_t i = 0; i < s.size(); ++i)
      if (s[i] == '\n' || s[i] == '\r') {
        out.push_back(Value::string(t.substr(b, i)));
        if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
        b = i + 1;
      }
    if (b < s.size()) out.push_back(Value::string(t.substr(b, s.size())));
    return Value::list(out);
  }
  throw EvalError("the str method " + name + "() is not supported");
}

Value dict_method(const Value& self, const std::string& name, Call& c) {
  const std::string what = "dict." + name + "()";
  if (name == "items" || name == "keys" || name == "values") {
    c.expect(what, 0, {});
    List out;
    for (const auto& [k, v] : self.entries().items) {
      if (name == "items") out.push_back(Value::list(List{Value::string(k), v}, true));
      else out.push_back(name == "keys" ? Value::string(k) : v);
    }
    return Value::list(out);
  }
  if (name == "get") {
    c.expect(what, 2, {});
    const Value key = c.arg(0, "key");
    const Value* hit = key.is_string() ? self.entries().find(key.str_bytes()) : nullptr;
    return hit ? *hit : c.arg(1, "default", Value::none());
  }
  throw EvalError("the dict method " + name + "() is not supported (the sandbox forbids changing a dict)");
}

Value bound(const Value& self, const std::string& name, Value (*method)(const Value&, const std::string&, Call&)) {
  return Value::function(name, [self, name, method](Call& c) { return method(self, name, c); });
}

// Python's slice.indices(): start, stop for a sequence of length n.
void slice_indices(int64_t n, const Value& start, const Value& stop, int64_t step, int64_t* b, int64_t* e) {
  auto given = [](const Value& v) { return !v.is_none() && !v.is_undefined(); };
  auto clampi = [&](const Value& v, int64_t dflt) -> int64_t {
    if (!given(v)) return dflt;
    int64_t x = need_int(v, "slice index");
    if (x < 0) x += n;
    if (step > 0) return std::clamp<int64_t>(x, 0, n);
    return std::clamp<int64_t>(x, -1, n - 1);
  };
  *b = clampi(start, step > 0 ? 0 : n - 1);
  *e = clampi(stop, step > 0 ? n : -1);
}

Value attr_path(const Value& item, const std::string& path) {
  Value v = item;
  size_t b = 0;
  for (;;) {
    const size_t dot = path.find('.', b);
    const std::string part = path.substr(b, dot == std::string::npos ? std::string::npos : dot - b);
    const bool digits = !part.empty() && std::all_of(part.begin(), part.end(), ::isdigit);
    v = get_item(v, digits ? Value::integer(std::stoll(part)) : Value::string(part));
    if (dot == std::string::npos) return v;
    b = dot + 1;
  }
}

Value select_filter(const std::string& name, const Value& seq, Call& c) {
  const bool by_attr = name == "selectattr" || name == "rejectattr";
  const bool keep_if = name == "select" || name == "selectattr";
  size_t k = 0;
  std::string attr;
  if (by_attr) {
    if (c.args.empty()) throw EvalError(name + " needs an attribute name");
    attr = need_string(c.args[k++], name);
  }
  std::string test;
  if (k < c.args.size()) test = need_string(c.args[k++], name);
  Call test_args;
  test_args.args.assign(c.args.begin() + static_cast<std::ptrdiff_t>(k), c.args.end());
  if (!c.kwargs.empty()) throw EvalError(name + " takes no keyword arguments");
  List out;
  for (const Value& item : seq.iterate()) {
    const Value v = by_attr ? attr_path(item, attr) : item;
    const bool ok = test.empty() ? v.truthy() : apply_test(test, v, test_args);
    if (ok == keep_if) out.push_back(item);
  }
  return Value::list(out);
}

bool less_than(const Value& a, const Value& b) {
  if (a.is_number() && b.is_number()) return a.as_double() < b.as_double();
  if (a.is_string() && b.is_string()) return a.str_bytes() < b.str_bytes();
  if (a.is_list() && b.is_list()) {
    const List &x = a.items(), &y = b.items();
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (x[i].equals(y[i])) continue;
      return less_than(x[i], y[i]);
    }
    return x.size() < y.size();
  }
  if (a.is_undefined()) undefined_error(a);
  if (b.is_undefined()) undefined_error(b);
  throw EvalError("'<' not supported between instances of " + type_pair(a, b).replace(0, 0, ""));
}

std::string indent_text(const std::string& s0, const Value& width, bool first, bool blank) {
  const std::string ind = width.is_string() ? width.str_bytes() : std::string(static_cast<size_t>(need_int(width, "indent")), ' ');
  std::string s = s0 + "\n";
  std::vector<std::string> lines;  // str.splitlines() on \n, \r\n, \r
  size_t b = 0;
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] == '\n' || s[i] == '\r') {
      lines.push_back(s.substr(b, i - b));
      if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      b = i + 1;
    }
  if (b < s.size()) lines.push_back(s.substr(b));
  std::string rv;
  if (blank) {
    for (size_t i = 0; i < lines.size(); ++i) rv += (i ? "\n" + ind : "") + lines[i];
  } else {
    rv = lines.empty() ? "" : lines[0];
    for (size_t i = 1; i < lines.size(); ++i) rv += "\n" + (lines[i].empty() ? "" : ind + lines[i]);
  }
  return first ? ind + rv : rv;
}

}  // namespace

void undefined_error(const Value& v) {
  if (v.is_missing()) throw EvalError(v.name());
  throw EvalError(v.name().empty() ? std::string("an undefined value was used") : "'" + v.name() + "' is undefined");
}

Value binary_op(const std::string& op, const Value& a, const Value& b) {
  if (op == "~") {
    Text t = a.to_text();
    t.append(b.to_text());
    return Value::string(t);
  }
  require_defined(a);
  require_defined(b);
  const bool ints = (a.kind() == Value::Kind::integer || a.kind() == Value::Kind::boolean) &&
                    (b.kind() == Value::Kind::integer || b.kind() == Value::Kind::boolean);
  const bool nums = a.is_number() && b.is_number();
  if (op == "+") {
    if (ints) return Value::integer(a.as_int() + b.as_int());
    if (nums) return Value::floating(a.as_double() + b.as_double());
    if (a.is_string() && b.is_string()) {
      Text t = a.text();
      t.append(b.text());
      return Value::string(t);
    }
    if (a.is_list() && b.is_list() && a.is_tuple() == b.is_tuple()) {
      List l = a.items();
      l.insert(l.end(), b.items().begin(), b.items().end());
      return Value::list(l, a.is_tuple());
    }
  } else if (op == "-") {
    if (ints) return Value::integer(a.as_int() - b.as_int());
    if (nums) return Value::floating(a.as_double() - b.as_double());
  } else if (op == "*") {
    if (ints) return Value::integer(a.as_int() * b.as_int());
    if (nums) return Value::floating(a.as_double() * b.as_double());
    const Value& seq = a.is_number() ? b : a;
    const Value& n = a.is_number() ? a : b;
    if ((seq.is_string() || seq.is_list()) && (n.kind() == Value::Kind::integer || n.kind() == Value::Kind::boolean)) {
      const int64_t times = std::max<int64_t>(0, n.as_int());
      if (seq.is_string()) {
        std::string s;
        for (int64_t i = 0; i < times; ++i) s += seq.str_bytes();
        return Value::string(s);
      }
      List l;
      for (int64_t i = 0; i < times; ++i) l.insert(l.end(), seq.items().begin(), seq.items().end());
      return Value::list(l, seq.is_tuple());
    }
  } else if (op == "/" || op == "//" || op == "%") {
    if (a.is_string() && op == "%") throw EvalError("printf-style string formatting (%) is not supported");
    if (nums) {
      if (b.as_double() == 0) throw EvalError(ints ? "integer division or modulo by zero" : "float division by zero");
      if (op == "/") return Value::floating(a.as_double() / b.as_double());
      if (ints) {
        const int64_t x = a.as_int(), y = b.as_int();
        int64_t q = x / y, r = x % y;
        if (r != 0 && ((r < 0) != (y < 0))) {
          --q;
          r += y;
        }
        return Value::integer(op == "//" ? q : r);
      }
      const double x = a.as_double(), y = b.as_double();
      const double q = std::floor(x / y);
      return Value::floating(op == "//" ? q : x - q * y);
    }
  } else if (op == "**") {
    if (ints && b.as_int() >= 0) {
      int64_t r = 1;
      for (int64_t i = 0; i < b.as_int(); ++i) r *= a.as_int();
      return Value::integer(r);
    }
    if (nums) return Value::floating(std::pow(a.as_double(), b.as_double()));
  }
  throw EvalError("unsupported operand type(s) for " + op + ": " + type_pair(a, b));
}

bool compare_op(const std::string& op, const Value& a, const Value& b) {
  if (op == "==") return a.equals(b);
  if (op == "!=") return !a.equals(b);
  if (op == "in" || op == "not in") {
    bool found = false;
    if (b.is_string()) {
      if (!a.is_string())
        throw EvalError("'in <string>' requires string as left operand, not " + a.type_name());
      found = b.str_bytes().find(a.str_bytes()) != std::string::npos;
    } else if (b.is_dict()) {
      found = a.is_string() && b.entries().find(a.str_bytes()) != nullptr;
    } else if (b.is_list() || b.is_undefined()) {
      for (const Value& v : b.iterate())
        if (v.equals(a)) found = true;
    } else {
      throw EvalError("argument of type '" + b.type_name() + "' is not iterable");
    }
    return op == "in" ? found : !found;
  }
  if (op == "<") return less_than(a, b);
  if (op == ">") return less_than(b, a);
  if (op == "<=") return less_than(a, b) || a.equals(b);
  if (op == ">=") return less_than(b, a) || a.equals(b);
  throw EvalError("unknown comparison " + op);
}

Value get_attribute(const Value& obj, const std::string& name) {
  switch (obj.kind()) {
    case Value::Kind::undefined: undefined_error(obj);
    case Value::Kind::dict:
      if (kDictMethods.count(name)) return bound(obj, name, dict_method);
      if (const Value* v = obj.entries().find(name)) return *v;
      return Value::missing("'dict object' has no attribute '" + name + "'");
    case Value::Kind::string:
      if (kStrMethods.count(name)) return bound(obj, name, string_method);
      return Value::undefined(name);
    case Value::Kind::list:
      if (kListMethods.count(name))
        return Value::function(name, [name](Call&) -> Value {
          throw EvalError("the list method " + name + "() is not supported (the sandbox forbids changing a list)");
        });
      return Value::undefined(name);
    case Value::Kind::ns:
      if (const Value* v = obj.ns_entries().find(name)) return *v;
      return Value::undefined(name);
    default: return Value::undefined(name);
  }
}

Value get_item(const Value& obj, const Value& key) {
  if (obj.is_undefined()) undefined_error(obj);
  if (obj.is_dict() && key.is_string()) {
    if (const Value* v = obj.entries().find(key.str_bytes())) return *v;
    return get_attribute(obj, key.str_bytes());
  }
  if ((obj.is_list() || obj.is_string()) && (key.kind() == Value::Kind::integer || key.kind() == Value::Kind::boolean)) {
    const int64_t n = obj.length();
    int64_t i = key.as_int();
    if (i < 0) i += n;
    if (i < 0 || i >= n) return Value::missing(obj.type_name() + " object has no element " + std::to_string(key.as_int()));
    if (obj.is_list()) return obj.items()[static_cast<size_t>(i)];
    const auto offs = code_point_offsets(obj.str_bytes());
    return Value::string(obj.text().substr(offs[static_cast<size_t>(i)], offs[static_cast<size_t>(i) + 1]));
  }
  if (key.is_string()) return get_attribute(obj, key.str_bytes());
  if (key.is_undefined()) undefined_error(key);
  return Value::undefined();
}

Value get_slice(const Value& obj, const Value& start, const Value& stop, const Value& step_v) {
  if (obj.is_undefined()) undefined_error(obj);
  if (!obj.is_list() && !obj.is_string()) throw EvalError("'" + obj.type_name() + "' object is not subscriptable");
  const int64_t step = step_v.is_none() || step_v.is_undefined() ? 1 : need_int(step_v, "slice step");
  if (step == 0) throw EvalError("slice step cannot be zero");
  const int64_t n = obj.length();
  int64_t b, e;
  slice_indices(n, start, stop, step, &b, &e);
  std::vector<int64_t> idx;
  for (int64_t i = b; step > 0 ? i < e : i > e; i += step) idx.push_back(i);
  if (obj.is_list()) {
    List out;
    for (int64_t i : idx) out.push_back(obj.items()[static_cast<size_t>(i)]);
    return Value::list(out, obj.is_tuple());
  }
  const auto offs = code_point_offsets(obj.str_bytes());
  if (step == 1) return Value::string(obj.text().substr(offs[static_cast<size_t>(b)], offs[static_cast<size_t>(std::max(b, e))]));
  std::string out;
  for (int64_t i : idx) out += obj.str_bytes().substr(offs[static_cast<size_t>(i)], offs[static_cast<size_t>(i) + 1] - offs[static_cast<size_t>(i)]);
  return Value::string(out);
}

Value call_value(const Value& callee, Call& call) {
  if (callee.is_undefined()) undefined_error(callee);
  if (callee.kind() != Value::Kind::function) throw EvalError("'" + callee.type_name() + "' object is not callable");
  return callee.fn()(call);
}

Value apply_filter(const std::string& name, const Value& v, Call& c) {
  const std::string what = "filter " + name;
  if (name == "trim") {
    c.expect(what, 1, {"chars"});
    const Value chars = c.arg(0, "chars", Value::none());
    return Value::string(python_strip(v.to_text(), true, true, chars.is_none() ? nullptr : &need_string(chars, what)));
  }
  if (name == "length" || name == "count") {
    c.expect(what, 0, {});
    return Value::integer(v.length());
  }
  if (name == "tojson") {
    c.expect(what, 4, {"ensure_ascii", "indent", "separators", "sort_keys"});
    if (c.arg(0, "ensure_ascii", Value::boolean(false)).truthy()) throw EvalError("tojson(ensure_ascii=true) is not supported");
    const Value indent = c.arg(1, "indent", Value::none());
    const Value seps = c.arg(2, "separators", Value::none());
    const int n = indent.is_none() ? -1 : static_cast<int>(need_int(indent, what));
    std::string item_sep = n < 0 ? ", " : ",", key_sep = ": ";
    if (!seps.is_none()) {
      if (!seps.is_list() || seps.items().size() != 2) throw EvalError("tojson separators must be a pair");
      item_sep = need_string(seps.items()[0], what);
      key_sep = need_string(seps.items()[1], what);
    }
    return Value::string(python_json_dumps(v, n, c.arg(3, "sort_keys", Value::boolean(false)).truthy(), item_sep, key_sep));
  }
  if (name == "upper" || name == "lower" || name == "capitalize" || name == "title") {
    c.expect(what, 0, {});
    const int mode = name == "upper" ? 0 : name == "lower" ? 1 : name == "capitalize" ? 2 : 3;
    return Value::string(ascii_case(v.str(), name, mode));
  }
  if (name == "default" || name == "d") {
    c.expect(what, 2, {"default_value", "boolean"});
    const bool boolean = c.arg(1, "boolean", Value::boolean(false)).truthy();
    if (v.is_undefined() || (boolean && !v.truthy())) return c.arg(0, "default_value", Value::string(""));
    return v;
  }
  if (name == "join") {
    c.expect(what, 2, {"d", "attribute"});
    const Value sep = c.arg(0, "d", Value::string(""));
    const Value attr = c.arg(1, "attribute", Value::none());
    Text out;
    bool first = true;
    for (const Value& item : v.iterate()) {
      if (!first) out.append(sep.to_text());
      first = false;
      out.append((attr.is_none() ? item : attr_path(item, attr.str())).to_text());
    }
    return Value::string(out);
  }
  if (name == "items") {
    c.expect(what, 0, {});
    if (v.is_undefined()) return Value::list({});
    if (!v.is_dict()) throw EvalError("the items filter needs a mapping, not '" + v.type_name() + "'");
    Call none;
    return dict_method(v, "items", none);
  }
  if (name == "first" || name == "last") {
    c.expect(what, 0, {});
    const List items = v.iterate();
    if (items.empty()) return Value::undefined();
    return name == "first" ? items.front() : items.back();
  }
  if (name == "replace") {
    c.expect(what, 3, {});
    return Value::string(python_replace(v.str(), c.arg(0, "old").str(), c.arg(1, "new").str(),
                                        c.arg(2, "count", Value::none()).is_none() ? -1 : need_int(c.arg(2, "count"), what)));
  }
  if (name == "string") {
    c.expect(what, 0, {});
    return Value::string(v.to_text());
  }
  if (name == "safe") {
    c.expect(what, 0, {});
    return v;
  }
  if (name == "int" || name == "float") {
    c.expect(what, 2, {"default", "base"});
    const Value dflt = c.arg(0, "default", name == "int" ? Value::integer(0) : Value::floating(0));
    double d;
    if (v.is_number()) {
      d = v.as_double();
      if (name == "int" && v.kind() != Value::Kind::floating) return Value::integer(v.as_int());
    } else if (v.is_string()) {
      const std::string s = python_strip(v.text(), true, true).bytes;
      try {
        size_t used = 0;
        if (name == "int") {
          const long long i = std::stoll(s, &used, 10);
          if (used == s.size()) return Value::integer(i);
        }
        d = std::stod(s, &used);
        if (used != s.size()) return dflt;
      } catch (const std::exception&) {
        return dflt;
      }
    } else {
      return dflt;
    }
    return name == "int" ? Value::integer(static_cast<int64_t>(std::trunc(d))) : Value::floating(d);
  }
  if (name == "list") {
    c.expect(what, 0, {});
    return Value::list(v.iterate());
  }
  if (name == "abs") {
    c.expect(what, 0, {});
    if (v.kind() == Value::Kind::floating) return Value::floating(std::fabs(v.as_double()));
    return Value::integer(std::llabs(need_int(v, what)));
  }
  if (name == "reverse") {
    c.expect(what, 0, {});
    if (v.is_string()) {
      const auto offs = code_point_offsets(v.str_bytes());
      std::string out;
      for (size_t i = offs.size() - 1; i-- > 0;) out += v.str_bytes().substr(offs[i], offs[i + 1] - offs[i]);
      return Value::string(out);
    }
    List l = v.iterate();
    std::reverse(l.begin(), l.end());
    return Value::list(l);
  }
  if (name == "unique") {
    c.expect(what, 0, {});
    List out;
    for (const Value& item : v.iterate()) {
      auto key = [](const Value& x) {
        return x.is_string() ? Value::string(ascii_case(x.str_bytes(), "unique", 1)) : x;  // case-insensitive
      };
      bool seen = false;
      for (const Value& o : out) seen = seen || key(o).equals(key(item));
      if (!seen) out.push_back(item);
    }
    return Value::list(out);
  }
  if (name == "sum") {
    c.expect(what, 2, {"attribute", "start"});
    Value total = c.arg(1, "start", Value::integer(0));
    const Value attr = c.arg(0, "attribute", Value::none());
    for (const Value& item : v.iterate()) total = binary_op("+", total, attr.is_none() ? item : attr_path(item, attr.str()));
    return total;
  }
  if (name == "min" || name == "max") {
    c.expect(what, 0, {});
    const List items = v.iterate();
    if (items.empty()) return Value::undefined();
    Value best = items[0];
    for (const Value& item : items)
      if (name == "min" ? less_than(item, best) : less_than(best, item)) best = item;
    return best;
  }
  if (name == "select" || name == "reject" || name == "selectattr" || name == "rejectattr") return select_filter(name, v, c);
  if (name == "map") {
    List out;
    const Value attr = c.arg(99, "attribute", Value::none());
    if (!attr.is_none()) {
      c.expect(what, 0, {"attribute", "default"});
      const Value dflt = c.arg(99, "default", Value::undefined());
      for (const Value& item : v.iterate()) {
        Value x = attr_path(item, attr.str());
        out.push_back(x.is_undefined() && !dflt.is_undefined() ? dflt : x);
      }
      return Value::list(out);
    }
    if (c.args.empty()) throw EvalError("map needs a filter name or attribute=");
    const std::string filter = need_string(c.args[0], what);
    Call rest;
    rest.args.assign(c.args.begin() + 1, c.args.end());
    rest.kwargs = c.kwargs;
    for (const Value& item : v.iterate()) {
      Call each = rest;
      out.push_back(apply_filter(filter, item, each));
    }
    return Value::list(out);
  }
  if (name == "sort") {
    c.expect(what, 2, {"reverse", "case_sensitive", "attribute"});
    const bool rev = c.arg(0, "reverse", Value::boolean(false)).truthy();
    const bool cs = c.arg(1, "case_sensitive", Value::boolean(false)).truthy();
    const Value attr = c.arg(99, "attribute", Value::none());
    List l = v.iterate();
    auto key = [&](const Value& x) {
      Value k = attr.is_none() ? x : attr_path(x, attr.str());
      return !cs && k.is_string() ? Value::string(ascii_case(k.str_bytes(), "sort", 1)) : k;
    };
    std::stable_sort(l.begin(), l.end(), [&](const Value& a, const Value& b) {
      return rev ? less_than(key(b), key(a)) : less_than(key(a), key(b));
    });
    return Value::list(l);
  }
  if (name == "indent") {
    c.expect(what, 3, {"width", "first", "blank"});
    return Value::string(indent_text(v.str(), c.arg(0, "width", Value::integer(4)), c.arg(1, "first", Value::boolean(false)).truthy(),
                                     c.arg(2, "blank", Value::boolean(false)).truthy()));
  }
  if (name == "attr") {
    c.expect(what, 1, {});
    return get_attribute(v, need_string(c.arg(0, "name"), what));
  }
  if (name == "wordcount") {
    c.expect(what, 0, {});
    return Value::integer(static_cast<int64_t>(python_split(v.to_text(), Value::none(), -1).size()));
  }
  throw EvalError("unsupported filter '" + name + "'");
}

bool apply_test(const std::string& name, const Value& v, const Call& c) {
  auto arg = [&]() -> Value {
    if (c.args.size() != 1 || !c.kwargs.empty()) throw EvalError("test '" + name + "' takes one argument");
    return c.args[0];
  };
  auto no_args = [&] {
    if (!c.args.empty() || !c.kwargs.empty()) throw EvalError("test '" + name + "' takes no arguments");
  };
  using K = Value::Kind;
  if (name == "defined") return no_args(), !v.is_undefined();
  if (name == "undefined") return no_args(), v.is_undefined();
  if (name == "none") return no_args(), v.is_none();
  if (name == "boolean") return no_args(), v.kind() == K::boolean;
  if (name == "true") return no_args(), v.kind() == K::boolean && v.as_bool();
  if (name == "false") return no_args(), v.kind() == K::boolean && !v.as_bool();
  if (name == "integer") return no_args(), v.kind() == K::integer;
  if (name == "float") return no_args(), v.kind() == K::floating;
  if (name == "number") return no_args(), v.is_number();
  if (name == "string") return no_args(), v.is_string();
  if (name == "mapping") return no_args(), v.is_dict();
  if (name == "iterable") return no_args(), v.is_string() || v.is_list() || v.is_dict() || v.is_undefined();
  if (name == "sequence") return no_args(), v.is_string() || v.is_list() || v.is_dict() || v.is_undefined();
  if (name == "callable") return no_args(), v.kind() == K::function;
  if (name == "odd" || name == "even") {
    no_args();
    const int64_t i = need_int(v, "test " + name);
    return ((i % 2) != 0) == (name == "odd");
  }
  if (name == "divisibleby") {
    const int64_t d = need_int(arg(), "divisibleby");
    if (d == 0) throw EvalError("integer division or modulo by zero");
    return need_int(v, "divisibleby") % d == 0;
  }
  if (name == "lower" || name == "upper") {
    no_args();
    const std::string s = v.str();
    return s == ascii_case(s, name, name == "lower" ? 1 : 0);
  }
  if (name == "equalto" || name == "eq" || name == "==") return compare_op("==", v, arg());
  if (name == "ne" || name == "!=") return compare_op("!=", v, arg());
  if (name == "lt" || name == "lessthan" || name == "<") return compare_op("<", v, arg());
  if (name == "le" || name == "<=") return compare_op("<=", v, arg());
  if (name == "gt" || name == "greaterthan" || name == ">") return compare_op(">", v, arg());
  if (name == "ge" || name == ">=") return compare_op(">=", v, arg());
  if (name == "in") return compare_op("in", v, arg());
  if (name == "sameas") {
    const Value o = arg();
    if (v.kind() != o.kind()) return false;
    // Python's `is`: singletons and (interned) strings and small ints compare by value here.
    if (v.is_none() || v.is_undefined() || v.kind() == K::boolean || v.kind() == K::integer || v.is_string())
      return v.equals(o);
    return v.kind() == K::ns && v.equals(o);
  }
  if (name == "escaped") return no_args(), false;
  throw EvalError("unsupported test '" + name + "'");
}

std::map<std::string, Value> global_functions() {
  std::map<std::string, Value> g;
  g["raise_exception"] = Value::function("raise_exception", [](Call& c) -> Value {
    throw EvalError("the template raised an exception: " + c.arg(0, "message", Value::string("")).str());
  });
  g["namespace"] = Value::function("namespace", [](Call& c) {
    Dict d;
    if (c.args.size() > 1) throw EvalError("namespace() takes at most one positional argument");
    if (!c.args.empty()) {
      if (!c.args[0].is_dict()) throw EvalError("namespace() takes a mapping");
      d = c.args[0].entries();
    }
    for (const auto& [k, v] : c.kwargs) d.set(k, v);
    return Value::ns(std::move(d));
  });
  // transformers' strftime_now: datetime.now().strftime(format), local time (Python's strftime
  // is C's). Llama-3.2's template writes "Today Date: ..." with it: the rendering depends on the
  // day it is made, in transformers as here.
  g["strftime_now"] = Value::function("strftime_now", [](Call& c) {
    c.expect("strftime_now()", 1, {});
    const std::string format = need_string(c.arg(0, "format"), "strftime_now()");
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    std::string out(256, '\0');
    const size_t n = format.empty() ? 0 : std::strftime(out.data(), out.size(), format.c_str(), &local);
    if (n == 0 && !format.empty()) throw EvalError("strftime_now(): the format gives nothing or too much text");
    out.resize(n);
    return Value::string(out);
  });
  g["dict"] = Value::function("dict", [](Call& c) {
    if (!c.args.empty()) throw EvalError("dict() with positional arguments is not supported");
    Dict d;
    for (const auto& [k, v] : c.kwargs) d.set(k, v);
    return Value::dict(std::move(d));
  });
  g["range"] = Value::function("range", [](Call& c) {
    if (!c.kwargs.empty() || c.args.empty() || c.args.size() > 3) throw EvalError("range() takes 1 to 3 arguments");
    int64_t start = 0, stop, step = 1;
    if (c.args.size() == 1) {
      stop = need_int(c.args[0], "range()");
    } else {
      start = need_int(c.args[0], "range()");
      stop = need_int(c.args[1], "range()");
      if (c.args.size() == 3) step = need_int(c.args[2], "range()");
    }
    if (step == 0) throw EvalError("range() arg 3 must not be zero");
    List out;
    for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
      out.push_back(Value::integer(i));
      if (out.size() > 100000) throw EvalError("range too big (the sandbox allows 100000 items)");
    }
    return Value::list(out);
  });
  return g;
}

}  // namespace sftx::rt::jinja
