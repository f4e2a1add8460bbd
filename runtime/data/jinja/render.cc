// Walks the syntax tree with jinja2's scoping: a for loop's body is a new scope for every
// iteration (so `set` inside a loop does not leak out of it, which is why templates use
// namespace()), if-blocks are not scopes, a macro body is a scope of its own.
#include <map>

#include "runtime/data/jinja/ast.h"
#include "runtime/data/jinja/builtins.h"
#include "runtime/data/jinja/lexer.h"
#include "runtime/data/jinja/template.h"

namespace sftx::rt::jinja {
namespace {

struct RenderFailure : std::runtime_error {
  RenderFailure(size_t p, const std::string& message) : std::runtime_error(message), pos(p) {}
  size_t pos;
};

struct Scope {
  std::map<std::string, Value> vars;
  std::shared_ptr<Scope> parent;
  const Value* find(const std::string& name) const {
    for (const Scope* s = this; s; s = s->parent.get()) {
      auto it = s->vars.find(name);
      if (it != s->vars.end()) return &it->second;
    }
    return nullptr;
  }
};
using ScopePtr = std::shared_ptr<Scope>;

ScopePtr child_of(const ScopePtr& parent) {
  auto s = std::make_shared<Scope>();
  s->parent = parent;
  return s;
}

class Renderer {
 public:
  explicit Renderer(std::map<std::string, Value> globals) : globals_(std::move(globals)) {}

  enum class Flow { normal, break_, continue_ };

  Flow exec(const Body& body, const ScopePtr& scope, Text& out) {
    for (const auto& s : body) {
      const Flow f = exec_one(*s, scope, out);
      if (f != Flow::normal) return f;
    }
    return Flow::normal;
  }

  Value eval(const Expr& e, const ScopePtr& scope) {
    try {
      return eval_inner(e, scope);
    } catch (const EvalError& err) {
      throw RenderFailure(e.pos, err.what());
    }
  }

 private:
  std::map<std::string, Value> globals_;
  int depth_ = 0;

  Flow exec_one(const Stmt& s, const ScopePtr& scope, Text& out) {
    switch (s.kind) {
      case Stmt::Kind::text: out.append(s.text); return Flow::normal;
      case Stmt::Kind::output: out.append(eval(*s.expr, scope).to_text()); return Flow::normal;
      case Stmt::Kind::if_:
        for (const auto& [cond, body] : s.branches)
          if (!cond || eval(*cond, scope).truthy()) return exec(body, scope, out);
        return Flow::normal;
      case Stmt::Kind::for_: run_for(s, scope, out); return Flow::normal;
      case Stmt::Kind::set: assign(s, eval(*s.expr, scope), scope); return Flow::normal;
      case Stmt::Kind::set_block: {
        Text t;
        if (exec(s.body, scope, t) != Flow::normal) throw RenderFailure(s.pos, "break/continue outside a loop");
        scope->vars[s.names[0]] = Value::string(t);
        return Flow::normal;
      }
      case Stmt::Kind::macro: scope->vars[s.name] = callable(s, s.name, scope); return Flow::normal;
      case Stmt::Kind::break_: return Flow::break_;
      case Stmt::Kind::continue_: return Flow::continue_;
      case Stmt::Kind::generation: return exec(s.body, scope, out);
      case Stmt::Kind::call_block: {
        const Expr& e = *s.expr;
        const Value callee = eval(*e.target, scope);
        Call c = call_args(e, scope);
        c.kwargs.emplace_back("caller", callable(s, "caller", scope));
        try {
          out.append(call_value(callee, c).to_text());
        } catch (const EvalError& err) {
          throw RenderFailure(e.pos, err.what());
        }
        return Flow::normal;
      }
    }
    return Flow::normal;
  }

  void bind(const Stmt& s, const Value& v, Scope& scope) {
    if (!s.unpack) {
      scope.vars[s.names[0]] = v;
      return;
    }
    if (!v.is_list()) throw RenderFailure(s.pos, "cannot unpack a value of type '" + v.type_name() + "'");
    if (v.items().size() != s.names.size())
      throw RenderFailure(s.pos, std::string(v.items().size() > s.names.size() ? "too many" : "not enough") +
                                     " values to unpack (expected " + std::to_string(s.names.size()) + ", got " +
                                     std::to_string(v.items().size()) + ")");
    for (size_t i = 0; i < s.names.size(); ++i) scope.vars[s.names[i]] = v.items()[i];
  }

  void assign(const Stmt& s, const Value& v, const ScopePtr& scope) {
    if (s.attr.empty()) {
      bind(s, v, *scope);
      return;
    }
    const Value* target = scope->find(s.names[0]);
    if (!target || target->kind() != Value::Kind::ns)
      throw RenderFailure(s.pos, "cannot assign attribute on non-namespace object '" + s.names[0] + "'");
    target->ns_entries().set(s.attr, v);
  }

  void run_for(const Stmt& s, const ScopePtr& scope, Text& out) {
    List items;
    try {
      items = eval(*s.expr, scope).iterate();
    } catch (const EvalError& e) {
      throw RenderFailure(s.expr->pos, e.what());
    }
    if (s.filter) {
      List kept;
      for (const Value& item : items) {
        ScopePtr probe = child_of(scope);
        bind(s, item, *probe);
        if (eval(*s.filter, probe).truthy()) kept.push_back(item);
      }
      items = std::move(kept);
    }
    const size_t n = items.size();
    for (size_t i = 0; i < n; ++i) {
      ScopePtr iter = child_of(scope);
      bind(s, items[i], *iter);
      Dict loop;
      const auto I = static_cast<int64_t>(i), N = static_cast<int64_t>(n);
      loop.set("index", Value::integer(I + 1));
      loop.set("index0", Value::integer(I));
      loop.set("revindex", Value::integer(N - I));
      loop.set("revindex0", Value::integer(N - I - 1));
      loop.set("first", Value::boolean(i == 0));
      loop.set("last", Value::boolean(i + 1 == n));
      loop.set("length", Value::integer(N));
      loop.set("depth", Value::integer(1));
      loop.set("depth0", Value::integer(0));
      loop.set("previtem", i > 0 ? items[i - 1] : Value::undefined("previtem"));
      loop.set("nextitem", i + 1 < n ? items[i + 1] : Value::undefined("nextitem"));
      loop.set("cycle", Value::function("cycle", [i](Call& c) -> Value {
                 if (c.args.empty()) throw EvalError("no items for cycling given");
                 return c.args[i % c.args.size()];
               }));
      iter->vars["loop"] = Value::dict(std::move(loop));
      if (exec(s.body, iter, out) == Flow::break_) break;
    }
    if (n == 0 && exec(s.else_body, scope, out) != Flow::normal)
      throw RenderFailure(s.pos, "break/continue outside a loop");
  }

  // A macro, or a call block's caller(): renders the body with the parameters bound; a macro
  // called from {% call %} also sees `caller`.
  Value callable(const Stmt& s, const std::string& name, const ScopePtr& defined_in) {
    const Stmt* stmt = &s;
    return Value::function(name, [this, stmt, name, defined_in](Call& c) -> Value {
      if (c.args.size() > stmt->params.size())
        throw EvalError("macro '" + name + "' takes not more than " + std::to_string(stmt->params.size()) +
                        " argument(s)");
      if (++depth_ > 64) throw EvalError("macro calls nested deeper than 64");
      ScopePtr local = child_of(defined_in);
      for (size_t k = 0; k < stmt->params.size(); ++k) {
        const auto& [pname, def] = stmt->params[k];
        Value v = Value::undefined(pname);
        if (k < c.args.size()) v = c.args[k];
        else if (def) v = eval(*def, local);
        for (const auto& [kw, kv] : c.kwargs)
          if (kw == pname) v = kv;
        local->vars[pname] = v;
      }
      for (const auto& [kw, kv] : c.kwargs) {
        bool known = kw == "caller";
        for (const auto& p : stmt->params) known = known || p.first == kw;
        if (!known) throw EvalError("macro '" + name + "' takes no keyword argument '" + kw + "'");
        if (kw == "caller") local->vars["caller"] = kv;
      }
      Text t;
      if (exec(stmt->body, local, t) != Flow::normal) throw RenderFailure(stmt->pos, "break/continue outside a loop");
      --depth_;
      return Value::string(t);
    });
  }

  Call call_args(const Expr& e, const ScopePtr& scope) {
    Call c;
    for (const auto& a : e.items) c.args.push_back(eval(*a, scope));
    for (const auto& [k, a] : e.kwargs) c.kwargs.emplace_back(k, eval(*a, scope));
    return c;
  }

  Value eval_inner(const Expr& e, const ScopePtr& scope) {
    switch (e.kind) {
      case Expr::Kind::literal: return e.value;
      case Expr::Kind::name: {
        if (const Value* v = scope->find(e.name)) return *v;
        auto g = globals_.find(e.name);
        if (g != globals_.end()) return g->second;
        return Value::undefined(e.name);
      }
      case Expr::Kind::list:
      case Expr::Kind::tuple: {
        List items;
        for (const auto& i : e.items) items.push_back(eval(*i, scope));
        return Value::list(std::move(items), e.kind == Expr::Kind::tuple);
      }
      case Expr::Kind::dict: {
        Dict d;
        for (size_t i = 0; i + 1 < e.items.size(); i += 2) {
          const Value k = eval(*e.items[i], scope);
          if (!k.is_string()) throw RenderFailure(e.items[i]->pos, "only string keys are supported in dict literals");
          d.set(k.str_bytes(), eval(*e.items[i + 1], scope));
        }
        return Value::dict(std::move(d));
      }
      case Expr::Kind::getattr: return get_attribute(eval(*e.target, scope), e.name);
      case Expr::Kind::getitem: return get_item(eval(*e.target, scope), eval(*e.items[0], scope));
      case Expr::Kind::slice: {
        auto part = [&](size_t k) { return e.items[k] ? eval(*e.items[k], scope) : Value::none(); };
        return get_slice(eval(*e.target, scope), part(0), part(1), part(2));
      }
      case Expr::Kind::call: {
        const Value callee = eval(*e.target, scope);
        Call c = call_args(e, scope);
        return call_value(callee, c);
      }
      case Expr::Kind::filter: {
        const Value target = eval(*e.target, scope);
        Call c = call_args(e, scope);
        return apply_filter(e.name, target, c);
      }
      case Expr::Kind::test: {
        const Value target = eval(*e.target, scope);
        const Call c = call_args(e, scope);
        return Value::boolean(apply_test(e.name, target, c) != e.negated);
      }
      case Expr::Kind::unary: {
        const Value v = eval(*e.target, scope);
        if (e.name == "not") return Value::boolean(!v.truthy());
        if (v.is_undefined()) undefined_error(v);
        if (v.kind() == Value::Kind::floating) return Value::floating(e.name == "-" ? -v.as_double() : v.as_double());
        if (v.kind() == Value::Kind::integer || v.kind() == Value::Kind::boolean)
          return Value::integer(e.name == "-" ? -v.as_int() : v.as_int());
        throw EvalError("bad operand type for unary " + e.name + ": '" + v.type_name() + "'");
      }
      case Expr::Kind::binary: {
        const Value a = eval(*e.items[0], scope);
        if (e.name == "and") return a.truthy() ? eval(*e.items[1], scope) : a;
        if (e.name == "or") return a.truthy() ? a : eval(*e.items[1], scope);
        return binary_op(e.name, a, eval(*e.items[1], scope));
      }
      case Expr::Kind::compare: {
        Value left = eval(*e.items[0], scope);
        for (size_t k = 0; k < e.ops.size(); ++k) {
          Value right = eval(*e.items[k + 1], scope);
          if (!compare_op(e.ops[k], left, right)) return Value::boolean(false);
          left = std::move(right);
        }
        return Value::boolean(true);
      }
      case Expr::Kind::cond:
        if (eval(*e.items[1], scope).truthy()) return eval(*e.items[0], scope);
        return e.items[2] ? eval(*e.items[2], scope) : Value::undefined();
    }
    return Value::undefined();
  }
};

std::string located(const std::string& name, const std::string& source, size_t pos, const std::string& msg) {
  pos = std::min(pos, source.size());
  const size_t line_start = source.rfind('\n', pos == 0 ? 0 : pos - 1);
  const size_t b = line_start == std::string::npos || (pos == 0) ? 0 : line_start + 1;
  const size_t e = source.find('\n', pos);
  const std::string line = source.substr(b, (e == std::string::npos ? source.size() : e) - b);
  const size_t lineno = static_cast<size_t>(std::count(source.begin(), source.begin() + static_cast<std::ptrdiff_t>(b), '\n')) + 1;
  const size_t col = code_point_offsets(source.substr(b, pos - b)).size();  // 1-based
  std::string caret_pad;
  for (size_t i = 1; i < col; ++i) caret_pad += line[std::min(i - 1, line.size() - 1)] == '\t' ? '\t' : ' ';
  return name + ":" + std::to_string(lineno) + ":" + std::to_string(col) + ": " + msg + "\n  " + line + "\n  " +
         caret_pad + "^";
}

}  // namespace

Template::Template(const std::string& source, std::string name) : name_(std::move(name)) {
  source_ = normalize_template_source(source);
  try {
    body_ = std::make_shared<const Body>(parse_template(source_));
  } catch (const ParseFailure& f) {
    throw TemplateError(located(name_, source_, f.pos, f.what()));
  }
}

Text Template::render(const std::map<std::string, Value>& variables) const {
  Renderer r(global_functions());
  auto root = std::make_shared<Scope>();
  root->vars = variables;
  Text out;
  try {
    if (r.exec(*body_, root, out) != Renderer::Flow::normal)
      throw TemplateError(name_ + ": {% break %} or {% continue %} outside a loop");
  } catch (const RenderFailure& f) {
    throw TemplateError(located(name_, source_, f.pos, f.what()));
  }
  return out;
}

}  // namespace sftx::rt::jinja
