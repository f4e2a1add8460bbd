#include "grammar/ast_builder.h"

#include <algorithm>
#include <string>

#include "grammar/parser.h"

namespace sftx::grammar {

namespace {

using Node = TreeNode;

// An expression whose AST would be deeper than this is refused: the checker and evaluator
// walk the AST recursively. Parsing already bounds bracket nesting (kMaxNestingDepth);
// this also bounds long operator chains (`a * a * a ...`, which parse iteratively).
constexpr int kMaxAstDepth = 2 * kMaxNestingDepth;

struct TooDeep {
  SourceRange range;
};

// The children of `n`, with the children of call_args and body nodes in place of those nodes.
std::vector<const Node*> flat_children(const Node& n) {
  std::vector<const Node*> out;
  for (const auto& c : n.children) {
    if (c->is_type<call_args>() || c->is_type<plan_body>() || c->is_type<experiment_body>() ||
        c->is_type<defaults_body>()) {
      for (const auto& cc : c->children) out.push_back(cc.get());
    } else {
      out.push_back(c.get());
    }
  }
  return out;
}

class Builder {
 public:
  explicit Builder(ParseState& ps) : ps_(ps) {}

  SourceRange range(const Node& n) const {
    return {ps_.offset(n.m_begin.data), ps_.offset(n.m_end.data)};
  }
  std::string text(const Node& n) const { return std::string(n.string_view()); }

  // ---- expressions; `depth` receives the depth of the built tree ----
  Expr expr(const Node& n, int& depth) {
    Expr e = expr_inner(n, depth);
    if (depth > kMaxAstDepth) throw TooDeep{e.range};
    return e;
  }

  Expr expr_inner(const Node& n, int& depth) {
    depth = 1;
    if (n.is_type<number>()) return {range(n), Number{text(n)}};
    if (n.is_type<string_lit>()) return {range(n), String{decode_string(n.string_view())}};
    if (n.is_type<true_lit>()) return {range(n), Bool{true}};
    if (n.is_type<false_lit>()) return {range(n), Bool{false}};
    if (n.is_type<name_ref>()) return {range(n), Name{text(n)}};
    if (n.is_type<call>() || n.is_type<pipe_call>()) return {range(n), build_call(n, depth)};
    if (n.is_type<paren_expr>()) {
      Expr inner = expr(*n.children.at(0), depth);
      inner.range = range(n);  // include the parentheses
      return inner;
    }
    if (n.is_type<list_lit>()) return build_list(n, depth);
    if (n.is_type<record_lit>()) {
      Record r;
      r.fields = fields(flat_children(n), 0, depth);
      return {range(n), std::move(r)};
    }
    if (n.is_type<neg<line>>() || n.is_type<neg<multiline>>()) {
      int d = 0;
      Unary u;
      u.op = '-';
      u.operand = expr(*n.children.at(0), d);
      depth = d + 1;
      return {range(n), std::move(u)};
    }
    if (n.is_type<postfix>()) return build_members(n, depth);
    if (n.is_type<mul_expr<line>>() || n.is_type<mul_expr<multiline>>() || n.is_type<add_expr<line>>() ||
        n.is_type<add_expr<multiline>>())
      return build_binary_chain(n, depth);
    if (n.is_type<grammar::expr<line>>() || n.is_type<grammar::expr<multiline>>()) return build_pipe_chain(n, depth);
    // Every expression rule is handled above; reaching here is a bug in the selector.
    throw TooDeep{range(n)};
  }

  static std::string decode_string(std::string_view quoted) {
    std::string out;
    std::string_view s = quoted.substr(1, quoted.size() >= 2 ? quoted.size() - 2 : 0);
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) {
        char c = s[++i];
        out += c == 'n' ? '\n' : c == 't' ? '\t' : c;  // the grammar admits only \" \\ \n \t
      } else {
        out += s[i];
      }
    }
    return out;
  }

  Call build_call(const Node& n, int& depth) {
    Call c;
    std::vector<const Node*> children = flat_children(n);
    const Node& callee_node = *children.at(0);
    c.callee = text(callee_node);
    c.callee_range = range(callee_node);
    int max_child = 0;
    for (std::size_t i = 1; i < children.size(); ++i) {
      const Node& a = *children[i];
      int d = 0;
      if (a.is_type<kwarg>()) {
        KeywordArg k;
        k.name = text(*a.children.at(0));
        k.name_range = range(*a.children.at(0));
        k.value = expr(*a.children.at(1), d);
        k.range = range(a);
        c.keywords.push_back(std::move(k));
      } else {
        Expr e = expr(a, d);
        if (!c.keywords.empty())
          ps_.diags.error(ps_.file, e.range, "positional argument after keyword argument")
              .help("write positional arguments first: f(a, b, key = value)");
        c.args.push_back(std::move(e));
      }
      max_child = std::max(max_child, d);
    }
    depth = max_child + 1;
    return c;
  }

  Expr build_list(const Node& n, int& depth) {
    int max_child = 0;
    if (!n.children.empty() && n.children.back()->is_type<comp_tail>()) {
      const Node& tail = *n.children.back();
      Comprehension c;
      int d1 = 0, d2 = 0;
      c.element = expr(*n.children.at(0), d1);
      c.var = text(*tail.children.at(0));
      c.var_range = range(*tail.children.at(0));
      c.iterable = expr(*tail.children.at(1), d2);
      depth = std::max(d1, d2) + 1;
      return {range(n), std::move(c)};
    }
    List l;
    for (const auto& child : n.children) {
      int d = 0;
      l.items.push_back(expr(*child, d));
      max_child = std::max(max_child, d);
    }
    depth = max_child + 1;
    return {range(n), std::move(l)};
  }

  // fields of a record/defaults/experiment: children[from..] are `field` nodes.
  std::vector<Field> fields(const std::vector<const Node*>& children, std::size_t from, int& depth) {
    std::vector<Field> out;
    int max_child = 0;
    for (std::size_t i = from; i < children.size(); ++i) {
      const Node& f = *children[i];
      if (!f.is_type<field>()) continue;
      Field fl;
      int d = 0;
      fl.name = text(*f.children.at(0));
      fl.name_range = range(*f.children.at(0));
      fl.value = expr(*f.children.at(1), d);
      fl.range = range(f);
      max_child = std::max(max_child, d);
      out.push_back(std::move(fl));
    }
    depth = max_child + 1;
    return out;
  }

  // postfix: children = primary, member_name...
  Expr build_members(const Node& n, int& depth) {
    Expr e = expr(*n.children.at(0), depth);
    for (std::size_t i = 1; i < n.children.size(); ++i) {
      const Node& m = *n.children[i];
      Member mem;
      SourceRange r{e.range.begin, range(m).end};
      mem.field = text(m);
      mem.field_range = range(m);
      mem.object = std::move(e);
      e = Expr{r, std::move(mem)};
      if (++depth > kMaxAstDepth) throw TooDeep{r};
    }
    return e;
  }

  // children = operand, op, operand, op, operand ...; left-associative.
  Expr build_binary_chain(const Node& n, int& depth) {
    Expr e = expr(*n.children.at(0), depth);
    for (std::size_t i = 1; i + 1 < n.children.size(); i += 2) {
      const Node& op = *n.children[i];
      int d = 0;
      Expr rhs = expr(*n.children[i + 1], d);
      Binary b;
      b.op = op.string_view().empty() ? '*' : op.string_view()[0];
      b.op_range = range(op);
      SourceRange r{e.range.begin, rhs.range.end};
      b.lhs = std::move(e);
      b.rhs = std::move(rhs);
      e = Expr{r, std::move(b)};
      depth = std::max(depth, d) + 1;
      if (depth > kMaxAstDepth) throw TooDeep{r};
    }
    return e;
  }

  // children = operand, pipe_call...
  Expr build_pipe_chain(const Node& n, int& depth) {
    Expr e = expr(*n.children.at(0), depth);
    for (std::size_t i = 1; i < n.children.size(); ++i) {
      int d = 0;
      Expr call_expr = expr(*n.children[i], d);
      Pipe pp;
      SourceRange r{e.range.begin, call_expr.range.end};
      pp.lhs = std::move(e);
      pp.call = std::move(call_expr);
      e = Expr{r, std::move(pp)};
      depth = std::max(depth, d) + 1;
      if (depth > kMaxAstDepth) throw TooDeep{r};
    }
    return e;
  }

  // ---- items ----
  void item(const Node& n, Program& program) {
    Item it;
    it.range = range(n);
    int d = 0;
    if (n.is_type<use_decl>()) {
      const Node& s = *n.children.at(0);
      it.node = UseDecl{decode_string(s.string_view()), range(s)};
    } else if (n.is_type<binding>()) {
      Binding b;
      b.name = text(*n.children.at(0));
      b.name_range = range(*n.children.at(0));
      b.value = expr(*n.children.at(1), d);
      it.node = std::move(b);
    } else if (n.is_type<defaults_decl>()) {
      it.node = DefaultsBlock{fields(flat_children(n), 0, d)};
    } else if (n.is_type<plan_decl>()) {
      it.node = plan(n);
    } else if (n.is_type<experiment_decl>()) {
      ExperimentDecl x;
      x.name = text(*n.children.at(0));
      x.name_range = range(*n.children.at(0));
      x.fields = fields(flat_children(n), 1, d);
      for (const Node* c : flat_children(n))
        if (c->is_type<expect_decl>()) x.claims.push_back(claim(*c));
      it.node = std::move(x);
    } else {
      return;
    }
    program.items.push_back(std::move(it));
  }

  PlanDecl plan(const Node& n) {
    PlanDecl pl;
    std::vector<const Node*> children = flat_children(n);
    pl.name = text(*children.at(0));
    pl.name_range = range(*children.at(0));
    for (std::size_t i = 1; i < children.size(); ++i) {
      const Node& c = *children[i];
      int d = 0;
      if (c.is_type<param_list>()) {
        pl.has_param_list = true;
        for (const auto& prm : c.children) pl.params.push_back(Param{text(*prm), range(*prm)});
      } else if (c.is_type<from_clause>()) {
        pl.from = expr(*c.children.at(0), d);
      } else if (c.is_type<stage>()) {
        try {
          Stage s;
          s.name = text(*c.children.at(0));
          s.name_range = range(*c.children.at(0));
          s.data = expr(*c.children.at(1), d);
          if (c.children.size() > 2) s.with = expr(*c.children[2], d);
          s.range = range(c);
          pl.stages.push_back(std::move(s));
        } catch (const TooDeep& t) {
          too_deep(t);
        }
      }
    }
    return pl;
  }

  // expect_decl: children = string_lit, claim_body (flattened: claim_comparison...).
  Claim claim(const Node& n) {
    Claim c;
    c.range = range(n);
    std::vector<const Node*> children;
    for (const auto& ch : n.children) {
      if (ch->is_type<claim_body>())
        for (const auto& cc : ch->children) children.push_back(cc.get());
      else
        children.push_back(ch.get());
    }
    for (const Node* ch : children) {
      if (ch->is_type<string_lit>()) {
        c.name = decode_string(ch->string_view());
        c.name_range = range(*ch);
      } else if (ch->is_type<claim_comparison>()) {
        ClaimComparison cmp;
        cmp.range = range(*ch);
        for (const auto& part : ch->children) {
          if (part->is_type<claim_lhs>()) {
            cmp.lhs = claim_terms(*part);
            cmp.lhs_range = range(*part);
          } else if (part->is_type<claim_rhs>()) {
            cmp.rhs = claim_terms(*part);
            cmp.rhs_range = range(*part);
          } else if (part->is_type<claim_op>()) {
            cmp.op = text(*part);
            cmp.op_range = range(*part);
          }
        }
        c.comparisons.push_back(std::move(cmp));
      }
    }
    return c;
  }

  // A side: children = [claim_minus] term (add_op term)*; a term is claim_scaled, claim_ref or number.
  std::vector<ClaimTerm> claim_terms(const Node& side) {
    std::vector<ClaimTerm> terms;
    bool negative = false;
    for (const auto& ch : side.children) {
      const Node& t = *ch;
      if (t.is_type<claim_minus>()) {
        negative = true;
        continue;
      }
      if (t.is_type<add_op>()) {
        negative = t.string_view() == "-";
        continue;
      }
      ClaimTerm term;
      term.negative = negative;
      term.range = range(t);
      negative = false;
      if (t.is_type<number>()) {
        term.coefficient = text(t);
        term.coefficient_range = range(t);
      } else if (t.is_type<claim_scaled>()) {
        term.coefficient = text(*t.children.at(0));
        term.coefficient_range = range(*t.children.at(0));
        term.ref = claim_ref_of(*t.children.at(1));
      } else if (t.is_type<grammar::claim_ref>()) {
        term.ref = claim_ref_of(t);
      } else {
        continue;
      }
      terms.push_back(std::move(term));
    }
    return terms;
  }

  // claim_ref: children = call | name_ref, claim_metric, claim_field.
  ClaimRef claim_ref_of(const Node& n) {
    ClaimRef r;
    r.range = range(n);
    int d = 0;
    r.plan = expr(*n.children.at(0), d);
    r.metric = text(*n.children.at(1));
    r.metric_range = range(*n.children.at(1));
    r.field = text(*n.children.at(2));
    r.field_range = range(*n.children.at(2));
    return r;
  }

  void too_deep(const TooDeep& t) {
    ps_.diags.error(ps_.file, SourceRange{t.range.begin, t.range.begin},
                    "expression nested too deeply (more than " + std::to_string(kMaxAstDepth) + " levels)");
  }

 private:
  ParseState& ps_;
};

}  // namespace

void build_program(const TreeNode& root, ParseState& ps, Program& program) {
  Builder b(ps);
  for (const auto& child : root.children) {
    try {
      b.item(*child, program);
    } catch (const TooDeep& t) {
      b.too_deep(t);
    }
  }
}

}  // namespace sftx::grammar
