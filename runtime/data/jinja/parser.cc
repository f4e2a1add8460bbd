// Recursive descent over lexer.h's tokens, following jinja2 3.1's Parser method for method
// (parse_condexpr, parse_or, ..., parse_unary, parse_postfix, parse_filter_expr) so that
// precedence is Jinja's: filters and tests bind tighter than arithmetic, `not` looser than
// comparisons. Tags outside the subset chat templates use are refused by name.
#include <algorithm>

#include "runtime/data/jinja/ast.h"
#include "runtime/data/jinja/lexer.h"

namespace sftx::rt::jinja {
namespace {

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : t_(std::move(tokens)) {}

  Body parse() {
    Body body = subparse({});
    if (cur().type != TokenType::eof) fail(cur().pos, "unexpected '" + cur().value + "'");
    return body;
  }

 private:
  std::vector<Token> t_;
  size_t i_ = 0;
  int depth_ = 0;  // nesting of expressions and blocks: a bound keeps recursion off the stack's end

  struct Nest {
    Parser& p;
    explicit Nest(Parser& parser) : p(parser) {
      if (++p.depth_ > 200) p.fail(p.cur().pos, "nested too deeply (more than 200 levels)");
    }
    ~Nest() { --p.depth_; }
  };

  const Token& cur() const { return t_[i_]; }
  const Token& peek(size_t k = 1) const { return t_[std::min(i_ + k, t_.size() - 1)]; }
  [[noreturn]] void fail(size_t pos, const std::string& msg) const { throw ParseFailure(pos, msg); }
  bool is_op(const char* op) const { return cur().type == TokenType::op && cur().value == op; }
  bool is_name(const char* n) const { return cur().type == TokenType::name && cur().value == n; }
  void expect_op(const char* op) {
    if (!is_op(op)) fail(cur().pos, std::string("expected '") + op + "'" + found());
    ++i_;
  }
  std::string expect_name() {
    if (cur().type != TokenType::name) fail(cur().pos, "expected a name" + found());
    return t_[i_++].value;
  }
  void expect_block_end() {
    if (cur().type != TokenType::block_end) fail(cur().pos, "expected the end of the tag (%})" + found());
    ++i_;
  }
  std::string found() const {
    switch (cur().type) {
      case TokenType::eof: return ", found the end of the template";
      case TokenType::block_end: return ", found '%}'";
      case TokenType::var_end: return ", found '}}'";
      case TokenType::string: return ", found a string";
      default: return ", found '" + cur().value + "'";
    }
  }

  // Statements until a block tag whose first name is in `ends` (left unconsumed).
  Body subparse(const std::vector<std::string>& ends) {
    Body body;
    for (;;) {
      const Token& tok = cur();
      if (tok.type == TokenType::eof) {
        if (!ends.empty()) fail(tok.pos, "unexpected end of template: expected {% " + ends.front() + " %}");
        return body;
      }
      if (tok.type == TokenType::data) {
        auto s = std::make_unique<Stmt>();
        s->kind = Stmt::Kind::text;
        s->pos = tok.pos;
        s->text = tok.value;
        body.push_back(std::move(s));
        ++i_;
      } else if (tok.type == TokenType::var_begin) {
        auto s = std::make_unique<Stmt>();
        s->kind = Stmt::Kind::output;
        s->pos = tok.pos;
        ++i_;
        s->expr = parse_tuple(true, false);
        if (cur().type != TokenType::var_end) fail(cur().pos, "expected the end of the expression (}})" + found());
        ++i_;
        body.push_back(std::move(s));
      } else if (tok.type == TokenType::block_begin) {
        const Token& name = peek();
        if (name.type != TokenType::name) fail(name.pos, "expected a tag name" + found());
        if (std::find(ends.begin(), ends.end(), name.value) != ends.end()) return body;
        ++i_;
        body.push_back(statement());
      } else {
        fail(tok.pos, "unexpected token");
      }
    }
  }

  void consume_end(const char* name) {
    // at {% name
    ++i_;
    if (!is_name(name)) fail(cur().pos, std::string("expected ") + name);
    ++i_;
    expect_block_end();
  }

  std::unique_ptr<Stmt> statement() {
    Nest nest(*this);
    const Token& tok = cur();
    auto s = std::make_unique<Stmt>();
    s->pos = tok.pos;
    const std::string kw = tok.value;
    ++i_;
    if (kw == "if") {
      s->kind = Stmt::Kind::if_;
      ExprPtr cond = parse_tuple(false, false);
      expect_block_end();
      for (;;) {
        Body body = subparse({"elif", "else", "endif"});
        s->branches.emplace_back(std::move(cond), std::move(body));
        ++i_;  // block_begin
        const std::string which = expect_name();
        if (which == "elif") {
          cond = parse_tuple(false, false);
          expect_block_end();
        } else if (which == "else") {
          expect_block_end();
          s->branches.emplace_back(nullptr, subparse({"endif"}));
          consume_end("endif");
          break;
        } else {
          expect_block_end();
          break;
        }
      }
    } else if (kw == "for") {
      s->kind = Stmt::Kind::for_;
      assign_target(*s, false);
      if (!is_name("in")) fail(cur().pos, "expected 'in'" + found());
      ++i_;
      s->expr = parse_tuple(false, false, {"if", "recursive"});
      if (is_name("if")) {
        ++i_;
        s->filter = parse_expression(true);
      }
      if (is_name("recursive")) fail(cur().pos, "recursive for loops are not supported");
      expect_block_end();
      s->body = subparse({"endfor", "else"});
      ++i_;
      if (expect_name() == "else") {
        expect_block_end();
        s->else_body = subparse({"endfor"});
        consume_end("endfor");
      } else {
        expect_block_end();
      }
    } else if (kw == "set") {
      assign_target(*s, true);
      if (is_op("=")) {
        ++i_;
        s->kind = Stmt::Kind::set;
        s->expr = parse_tuple(true, false);
        expect_block_end();
      } else {
        if (!s->attr.empty() || s->names.size() != 1 || s->unpack) fail(cur().pos, "expected '='" + found());
        if (is_op("|")) fail(cur().pos, "filtered {% set %} blocks are not supported");
        s->kind = Stmt::Kind::set_block;
        expect_block_end();
        s->body = subparse({"endset"});
        consume_end("endset");
      }
    } else if (kw == "macro") {
      s->kind = Stmt::Kind::macro;
      s->name = expect_name();
      parameters(*s);
      expect_block_end();
      s->body = subparse({"endmacro"});
      consume_end("endmacro");
    } else if (kw == "call") {
      s->kind = Stmt::Kind::call_block;
      if (is_op("(")) parameters(*s);
      s->expr = parse_expression(true);
      if (s->expr->kind != Expr::Kind::call) fail(s->expr->pos, "{% call %} needs a macro call");
      expect_block_end();
      s->body = subparse({"endcall"});
      consume_end("endcall");
    } else if (kw == "break" || kw == "continue") {
      s->kind = kw == "break" ? Stmt::Kind::break_ : Stmt::Kind::continue_;
      expect_block_end();
    } else if (kw == "generation") {
      s->kind = Stmt::Kind::generation;
      expect_block_end();
      s->body = subparse({"endgeneration"});
      consume_end("endgeneration");
    } else if (kw.rfind("end", 0) == 0 || kw == "elif" || kw == "else") {
      fail(tok.pos, "unexpected {% " + kw + " %}");
    } else {
      fail(tok.pos, "unsupported tag {% " + kw + " %}");
    }
    return s;
  }

  // (name, name = default, ...) of a macro or a call block's caller.
  void parameters(Stmt& s) {
    expect_op("(");
    while (!is_op(")")) {
      if (!s.params.empty()) expect_op(",");
      if (is_op(")")) break;
      std::string param = expect_name();
      ExprPtr def;
      if (is_op("=")) {
        ++i_;
        def = parse_expression(true);
      }
      s.params.emplace_back(std::move(param), std::move(def));
    }
    ++i_;
  }

  // for/set targets: name, a.b (set only), or a tuple of names.
  void assign_target(Stmt& s, bool with_namespace) {
    const bool paren = is_op("(");
    if (paren) ++i_;
    s.names.push_back(expect_name());
    if (with_namespace && !paren && is_op(".")) {
      ++i_;
      s.attr = expect_name();
      return;
    }
    while (is_op(",")) {
      ++i_;
      s.unpack = true;
      if (cur().type != TokenType::name) break;
      s.names.push_back(expect_name());
    }
    if (paren) {
      s.unpack = true;
      expect_op(")");
    }
  }

  ExprPtr node(Expr::Kind k, size_t pos) {
    auto e = std::make_unique<Expr>();
    e->kind = k;
    e->pos = pos;
    return e;
  }

  ExprPtr parse_expression(bool with_condexpr) {
    Nest nest(*this);
    return with_condexpr ? parse_condexpr() : parse_or();
  }

  // An expression, or several separated by commas (a tuple).
  ExprPtr parse_tuple(bool with_condexpr, bool explicit_parens, const std::vector<std::string>& extra_ends = {}) {
    const size_t pos = cur().pos;
    std::vector<ExprPtr> items;
    bool is_tuple = false;
    for (;;) {
      if (!items.empty()) expect_op(",");
      const bool at_end = cur().type == TokenType::var_end || cur().type == TokenType::block_end || is_op(")") ||
                          (cur().type == TokenType::name &&
                           std::find(extra_ends.begin(), extra_ends.end(), cur().value) != extra_ends.end());
      if (at_end) break;
      items.push_back(parse_expression(with_condexpr));
      if (is_op(",")) is_tuple = true;
      else break;
    }
    if (!is_tuple) {
      if (!items.empty()) return std::move(items[0]);
      if (!explicit_parens) fail(cur().pos, "expected an expression" + found());
    }
    auto e = node(Expr::Kind::tuple, pos);
    e->items = std::move(items);
    return e;
  }

  ExprPtr parse_condexpr() {
    ExprPtr expr = parse_or();
    while (is_name("if")) {
      const size_t pos = cur().pos;
      ++i_;
      auto c = node(Expr::Kind::cond, pos);
      ExprPtr test = parse_or();
      ExprPtr otherwise;
      if (is_name("else")) {
        ++i_;
        otherwise = parse_condexpr();
      }
      c->items.push_back(std::move(expr));
      c->items.push_back(std::move(test));
      c->items.push_back(std::move(otherwise));
      expr = std::move(c);
    }
    return expr;
  }

  ExprPtr binary(const char* op, ExprPtr lhs, ExprPtr rhs, size_t pos) {
    auto e = node(Expr::Kind::binary, pos);
    e->name = op;
    e->items.push_back(std::move(lhs));
    e->items.push_back(std::move(rhs));
    return e;
  }

  ExprPtr parse_or() {
    ExprPtr left = parse_and();
    while (is_name("or")) {
      const size_t pos = cur().pos;
      ++i_;
      left = binary("or", std::move(left), parse_and(), pos);
    }
    return left;
  }

  ExprPtr parse_and() {
    ExprPtr left = parse_not();
    while (is_name("and")) {
      const size_t pos = cur().pos;
      ++i_;
      left = binary("and", std::move(left), parse_not(), pos);
    }
    return left;
  }

  ExprPtr parse_not() {
    Nest nest(*this);
    if (is_name("not")) {
      auto e = node(Expr::Kind::unary, cur().pos);
      ++i_;
      e->name = "not";
      e->target = parse_not();
      return e;
    }
    return parse_compare();
  }

  ExprPtr parse_compare() {
    const size_t pos = cur().pos;
    ExprPtr first = parse_math1();
    auto e = node(Expr::Kind::compare, pos);
    for (;;) {
      if (cur().type == TokenType::op &&
          (cur().value == "==" || cur().value == "!=" || cur().value == "<" || cur().value == ">" ||
           cur().value == "<=" || cur().value == ">=")) {
        e->ops.push_back(cur().value);
        ++i_;
      } else if (is_name("in")) {
        e->ops.push_back("in");
        ++i_;
      } else if (is_name("not") && peek().type == TokenType::name && peek().value == "in") {
        e->ops.push_back("not in");
        i_ += 2;
      } else {
        break;
      }
      e->items.push_back(parse_math1());
    }
    if (e->ops.empty()) return first;
    e->items.insert(e->items.begin(), std::move(first));
    return e;
  }

  ExprPtr parse_math1() {
    ExprPtr left = parse_concat();
    while (is_op("+") || is_op("-")) {
      const std::string op = cur().value;
      const size_t pos = cur().pos;
      ++i_;
      left = binary(op == "+" ? "+" : "-", std::move(left), parse_concat(), pos);
    }
    return left;
  }

  ExprPtr parse_concat() {
    ExprPtr left = parse_math2();
    while (is_op("~")) {
      const size_t pos = cur().pos;
      ++i_;
      left = binary("~", std::move(left), parse_math2(), pos);
    }
    return left;
  }

  ExprPtr parse_math2() {
    ExprPtr left = parse_pow();
    while (is_op("*") || is_op("/") || is_op("//") || is_op("%")) {
      static const char* const ops[] = {"*", "/", "//", "%"};
      const char* op = *std::find_if(std::begin(ops), std::end(ops), [&](const char* o) { return cur().value == o; });
      const size_t pos = cur().pos;
      ++i_;
      left = binary(op, std::move(left), parse_pow(), pos);
    }
    return left;
  }

  ExprPtr parse_pow() {
    ExprPtr left = parse_unary(true);
    while (is_op("**")) {
      const size_t pos = cur().pos;
      ++i_;
      left = binary("**", std::move(left), parse_unary(true), pos);
    }
    return left;
  }

  ExprPtr parse_unary(bool with_filter) {
    Nest nest(*this);
    ExprPtr e;
    if (is_op("-") || is_op("+")) {
      e = node(Expr::Kind::unary, cur().pos);
      e->name = cur().value;
      ++i_;
      e->target = parse_unary(false);
    } else {
      e = parse_primary();
    }
    e = parse_postfix(std::move(e));
    if (with_filter) e = parse_filter_expr(std::move(e));
    return e;
  }

  ExprPtr parse_primary() {
    const Token& tok = cur();
    switch (tok.type) {
      case TokenType::name: {
        ++i_;
        if (tok.value == "true" || tok.value == "True") return literal(Value::boolean(true), tok.pos);
        if (tok.value == "false" || tok.value == "False") return literal(Value::boolean(false), tok.pos);
        if (tok.value == "none" || tok.value == "None") return literal(Value::none(), tok.pos);
        auto e = node(Expr::Kind::name, tok.pos);
        e->name = tok.value;
        return e;
      }
      case TokenType::string: {
        std::string s;
        const size_t pos = tok.pos;
        while (cur().type == TokenType::string) s += t_[i_++].value;  // adjacent literals join
        return literal(Value::string(s), pos);
      }
      case TokenType::integer: {
        ++i_;
        try {
          return literal(Value::integer(std::stoll(tok.value)), tok.pos);
        } catch (const std::out_of_range&) {
          fail(tok.pos, "integer literal out of range");
        }
      }
      case TokenType::floating: ++i_; return literal(Value::floating(std::stod(tok.value)), tok.pos);
      case TokenType::op: {
        if (tok.value == "(") {
          ++i_;
          ExprPtr e = parse_tuple(true, true);
          expect_op(")");
          return e;
        }
        if (tok.value == "[") {
          auto e = node(Expr::Kind::list, tok.pos);
          ++i_;
          while (!is_op("]")) {
            if (!e->items.empty()) expect_op(",");
            if (is_op("]")) break;
            e->items.push_back(parse_expression(true));
          }
          ++i_;
          return e;
        }
        if (tok.value == "{") {
          auto e = node(Expr::Kind::dict, tok.pos);
          ++i_;
          while (!is_op("}")) {
            if (!e->items.empty()) expect_op(",");
            if (is_op("}")) break;
            e->items.push_back(parse_expression(true));
            expect_op(":");
            e->items.push_back(parse_expression(true));
          }
          ++i_;
          return e;
        }
        break;
      }
      default: break;
    }
    fail(tok.pos, "expected an expression" + found());
  }

  ExprPtr literal(Value v, size_t pos) {
    auto e = node(Expr::Kind::literal, pos);
    e->value = std::move(v);
    return e;
  }

  ExprPtr parse_postfix(ExprPtr e) {
    for (;;) {
      if (is_op(".")) {
        const size_t pos = cur().pos;
        ++i_;
        if (cur().type == TokenType::integer) {
          auto g = node(Expr::Kind::getitem, pos);
          g->items.push_back(literal(Value::integer(std::stoll(cur().value)), cur().pos));
          ++i_;
          g->target = std::move(e);
          e = std::move(g);
          continue;
        }
        auto g = node(Expr::Kind::getattr, pos);
        g->name = expect_name();
        g->target = std::move(e);
        e = std::move(g);
      } else if (is_op("[")) {
        e = parse_subscript(std::move(e));
      } else if (is_op("(")) {
        e = parse_call(std::move(e));
      } else {
        return e;
      }
    }
  }

  ExprPtr parse_subscript(ExprPtr target) {
    const size_t pos = cur().pos;
    ++i_;  // [
    ExprPtr first;
    if (!is_op(":")) first = parse_expression(true);
    if (is_op("]")) {
      ++i_;
      auto g = node(Expr::Kind::getitem, pos);
      g->target = std::move(target);
      g->items.push_back(std::move(first));
      return g;
    }
    if (!is_op(":")) fail(cur().pos, "expected ']' or ':'" + found());
    ++i_;
    auto s = node(Expr::Kind::slice, pos);
    s->target = std::move(target);
    s->items.push_back(std::move(first));
    ExprPtr stop, step;
    if (!is_op("]") && !is_op(":")) stop = parse_expression(true);
    if (is_op(":")) {
      ++i_;
      if (!is_op("]")) step = parse_expression(true);
    }
    expect_op("]");
    s->items.push_back(std::move(stop));
    s->items.push_back(std::move(step));
    return s;
  }

  void parse_call_args(Expr& e) {
    expect_op("(");
    while (!is_op(")")) {
      if (!e.items.empty() || !e.kwargs.empty()) expect_op(",");
      if (is_op(")")) break;
      if (is_op("*") || is_op("**")) fail(cur().pos, "*args and **kwargs in calls are not supported");
      if (cur().type == TokenType::name && peek().type == TokenType::op && peek().value == "=") {
        std::string key = cur().value;
        i_ += 2;
        e.kwargs.emplace_back(std::move(key), parse_expression(true));
      } else {
        if (!e.kwargs.empty()) fail(cur().pos, "positional argument after a keyword argument");
        e.items.push_back(parse_expression(true));
      }
    }
    ++i_;
  }

  ExprPtr parse_call(ExprPtr target) {
    auto c = node(Expr::Kind::call, cur().pos);
    c->target = std::move(target);
    parse_call_args(*c);
    return c;
  }

  std::string dotted_name() {
    std::string name = expect_name();
    while (is_op(".")) {
      ++i_;
      name += "." + expect_name();
    }
    return name;
  }

  ExprPtr parse_filter_expr(ExprPtr e) {
    for (;;) {
      if (is_op("|")) {
        const size_t pos = cur().pos;
        ++i_;
        auto f = node(Expr::Kind::filter, pos);
        f->name = dotted_name();
        f->target = std::move(e);
        if (is_op("(")) parse_call_args(*f);
        e = std::move(f);
      } else if (is_name("is")) {
        const size_t pos = cur().pos;
        ++i_;
        auto t = node(Expr::Kind::test, pos);
        if (is_name("not")) {
          ++i_;
          t->negated = true;
        }
        t->name = dotted_name();
        t->target = std::move(e);
        if (is_op("(")) {
          parse_call_args(*t);
        } else if ((cur().type == TokenType::name || cur().type == TokenType::string ||
                    cur().type == TokenType::integer || cur().type == TokenType::floating || is_op("(") ||
                    is_op("[") || is_op("{")) &&
                   !is_name("else") && !is_name("or") && !is_name("and")) {
          if (is_name("is")) fail(cur().pos, "you cannot chain multiple tests with is");
          t->items.push_back(parse_postfix(parse_primary()));
        }
        e = std::move(t);
      } else if (is_op("(")) {
        e = parse_call(std::move(e));
      } else {
        return e;
      }
    }
  }
};

}  // namespace

Body parse_template(const std::string& normalized_source) { return Parser(lex(normalized_source)).parse(); }

}  // namespace sftx::rt::jinja
