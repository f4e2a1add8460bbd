// The values a Jinja chat template computes with, with Python's semantics where templates can
// see them (jinja2 runs on Python objects): truthiness, equality, str() and repr(), lengths
// and indices in code points, dicts that keep insertion order.
//
// A string remembers which of its bytes came from a tagged input (a message's content) and
// where in that input: concatenation, slicing, trimming and splitting keep the record, other
// operations (upper, replace, ...) drop it. The chat template reads it back from the rendered
// text to find where each assistant message landed (runtime/data/jinja_chat.cc).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace sftx::rt::jinja {

// Bytes [begin, end) of a string came from input number `tag`. Zero-length origins are kept:
// an input that renders as nothing (an empty or all-blank content, trimmed) still has a place.
struct Origin {
  size_t begin = 0, end = 0;
  int tag = 0;
  bool operator==(const Origin& o) const { return begin == o.begin && end == o.end && tag == o.tag; }
};

struct Text {
  std::string bytes;
  std::vector<Origin> origins;  // sorted by begin, non-overlapping

  void append(const Text& t);
  void append(const std::string& s) { bytes += s; }
  // Bytes [b, e) with the origins that fall inside, clamped and shifted.
  Text substr(size_t b, size_t e) const;
};

// A failure while rendering (raise_exception, an undefined value used, a type error): the
// message without a place; the renderer adds the template's line and column.
struct EvalError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Value;
using List = std::vector<Value>;
// Insertion-ordered string-keyed dict (Python dicts keep insertion order).
struct Dict {
  std::vector<std::pair<std::string, Value>> items;
  const Value* find(const std::string& key) const;
  void set(const std::string& key, Value v);
};
struct Call;
using Function = std::function<Value(Call&)>;

class Value {
 public:
  enum class Kind { undefined, none, boolean, integer, floating, string, list, dict, ns, function };

  Value() = default;  // undefined
  static Value undefined(std::string name = "") {
    Value v;
    v.name_ = std::move(name);
    return v;
  }
  // Undefined because a lookup failed: `message` says which ("dict object has no attribute 'x'").
  static Value missing(std::string message) {
    Value v;
    v.name_ = std::move(message);
    v.missing_ = true;
    return v;
  }
  static Value none() { return Value(Kind::none); }
  static Value boolean(bool b) {
    Value v(Kind::boolean);
    v.i_ = b;
    return v;
  }
  static Value integer(int64_t i) {
    Value v(Kind::integer);
    v.i_ = i;
    return v;
  }
  static Value floating(double f) {
    Value v(Kind::floating);
    v.f_ = f;
    return v;
  }
  static Value string(std::string s) { return string(Text{std::move(s), {}}); }
  static Value string(Text t);
  static Value list(List items, bool tuple = false);
  static Value dict(Dict d);
  static Value ns(Dict d);  // namespace(): a dict whose attributes templates may assign
  static Value function(std::string name, Function f);
  // JSON into values (objects keep their order).
  static Value from_json(const nlohmann::ordered_json& j);

  Kind kind() const { return kind_; }
  bool is_undefined() const { return kind_ == Kind::undefined; }
  bool is_none() const { return kind_ == Kind::none; }
  bool is_string() const { return kind_ == Kind::string; }
  bool is_list() const { return kind_ == Kind::list; }
  bool is_dict() const { return kind_ == Kind::dict; }
  bool is_number() const { return kind_ == Kind::boolean || kind_ == Kind::integer || kind_ == Kind::floating; }
  bool is_tuple() const { return kind_ == Kind::list && tuple_; }

  bool as_bool() const { return i_ != 0; }
  int64_t as_int() const { return i_; }  // boolean and integer
  double as_double() const { return kind_ == Kind::floating ? f_ : static_cast<double>(i_); }
  const Text& text() const { return *text_; }
  const std::string& str_bytes() const { return text_->bytes; }
  const List& items() const { return *list_; }
  const Dict& entries() const { return *dict_; }
  Dict& ns_entries() const { return *dict_; }  // namespace attributes (shared, mutable)
  const Function& fn() const { return *fn_; }
  const std::string& name() const { return name_; }  // undefined: what was looked up; function: its name
  bool is_missing() const { return missing_; }        // name() is a whole message (missing())

  // Python's bool(), str(), repr(), ==, len(); type_name() as Python would name the type.
  bool truthy() const;
  Text to_text() const;  // str(): strings keep their origins
  std::string str() const { return to_text().bytes; }
  std::string repr() const;
  bool equals(const Value& o) const;
  int64_t length() const;  // throws EvalError for values without a length
  std::string type_name() const;
  // Iteration as a for loop sees it: list items, dict keys, string characters; undefined is
  // empty; anything else throws.
  List iterate() const;
  nlohmann::ordered_json to_json() const;  // throws EvalError for undefined, functions

 private:
  explicit Value(Kind k) : kind_(k) {}
  Kind kind_ = Kind::undefined;
  bool tuple_ = false;
  bool missing_ = false;
  int64_t i_ = 0;
  double f_ = 0;
  std::string name_;
  std::shared_ptr<const Text> text_;
  std::shared_ptr<const List> list_;
  std::shared_ptr<Dict> dict_;
  std::shared_ptr<const Function> fn_;
};

// Arguments of a call: positional, then keyword.
struct Call {
  std::vector<Value> args;
  std::vector<std::pair<std::string, Value>> kwargs;
  // The argument at `index` or named `name`, else `fallback`; `name` may be given only once.
  Value arg(size_t index, const std::string& name, Value fallback = Value()) const;
  // Refuses arguments beyond `max_positional` and keywords not in `allowed`.
  void expect(const std::string& what, size_t max_positional, const std::vector<std::string>& allowed) const;
};

// Python's float repr (shortest round-trip digits; "1.0", "1e+16", "1e-05").
std::string python_float_repr(double d);
// Python's json.dumps with ensure_ascii=False, as transformers' tojson filter calls it.
std::string python_json_dumps(const Value& v, int indent, bool sort_keys, const std::string& item_sep,
                              const std::string& key_sep);

// Code points of UTF-8 text: the byte offset where each starts, plus the total size at the end.
std::vector<size_t> code_point_offsets(const std::string& s);
// The code point starting at byte i of UTF-8 text and its byte length (an ill-formed byte is
// itself, length 1).
uint32_t code_point_at(const std::string& s, size_t i, size_t* len);
// Python's str.isspace() for one code point (what strip() and split() remove).
bool is_python_space(uint32_t cp);
// Python's str.strip()/lstrip()/rstrip() with chars = None (whitespace) or a set of characters.
Text python_strip(const Text& t, bool left, bool right, const std::string* chars = nullptr);

}  // namespace sftx::rt::jinja
