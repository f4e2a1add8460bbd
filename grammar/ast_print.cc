#include "grammar/ast_print.h"

namespace sftx {

namespace {

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default: out += c;
    }
  }
  return out + "\"";
}

std::string fields_text(const std::vector<Field>& fields) {
  std::string out = "{";
  for (std::size_t i = 0; i < fields.size(); ++i)
    out += (i ? "; " : "") + fields[i].name + " = " + to_text(*fields[i].value);
  return out + "}";
}

struct ExprPrinter {
  std::string operator()(const Number& n) const { return n.text; }
  std::string operator()(const String& s) const { return quote(s.value); }
  std::string operator()(const Bool& b) const { return b.value ? "true" : "false"; }
  std::string operator()(const Name& n) const { return n.name; }
  std::string operator()(const List& l) const {
    std::string out = "[";
    for (std::size_t i = 0; i < l.items.size(); ++i) out += (i ? ", " : "") + to_text(l.items[i]);
    return out + "]";
  }
  std::string operator()(const Record& r) const { return fields_text(r.fields); }
  std::string operator()(const Call& c) const {
    std::string out = c.callee + "(";
    bool first = true;
    for (const auto& a : c.args) { out += (first ? "" : ", ") + to_text(a); first = false; }
    for (const auto& k : c.keywords) { out += (first ? "" : ", ") + k.name + " = " + to_text(*k.value); first = false; }
    return out + ")";
  }
  std::string operator()(const Binary& b) const {
    return "(" + to_text(*b.lhs) + " " + b.op + " " + to_text(*b.rhs) + ")";
  }
  std::string operator()(const Unary& u) const { return "(" + std::string(1, u.op) + to_text(*u.operand) + ")"; }
  std::string operator()(const Pipe& p) const { return "(" + to_text(*p.lhs) + " |> " + to_text(*p.call) + ")"; }
  std::string operator()(const Member& m) const { return to_text(*m.object) + "." + m.field; }
  std::string operator()(const Comprehension& c) const {
    return "[" + to_text(*c.element) + " for " + c.var + " in " + to_text(*c.iterable) + "]";
  }
};

struct ItemPrinter {
  std::string operator()(const UseDecl& u) const { return "use " + quote(u.path); }
  std::string operator()(const Binding& b) const { return b.name + " = " + to_text(b.value); }
  std::string operator()(const DefaultsBlock& d) const { return "defaults " + fields_text(d.fields); }
  std::string operator()(const PlanDecl& p) const {
    std::string out = "plan " + p.name;
    if (p.has_param_list) {
      out += "(";
      for (std::size_t i = 0; i < p.params.size(); ++i) out += (i ? ", " : "") + p.params[i].name;
      out += ")";
    }
    if (p.from) out += " from " + to_text(*p.from);
    out += " {";
    for (std::size_t i = 0; i < p.stages.size(); ++i) {
      out += (i ? "; " : " ") + p.stages[i].name + " = " + to_text(p.stages[i].data);
      if (p.stages[i].with) out += " with " + to_text(*p.stages[i].with);
    }
    return out + (p.stages.empty() ? "}" : " }");
  }
  std::string operator()(const ExperimentDecl& x) const {
    std::string out = "experiment " + x.name + " " + fields_text(x.fields);
    for (const auto& c : x.claims) out += " " + to_text(c);
    return out;
  }
};

}  // namespace

std::string to_text(const Expr& e) { return std::visit(ExprPrinter{}, e.node); }
std::string to_text(const std::vector<ClaimTerm>& side) {
  std::string out;
  for (std::size_t i = 0; i < side.size(); ++i) {
    const ClaimTerm& t = side[i];
    if (i) out += t.negative ? " - " : " + ";
    else if (t.negative) out += "-";
    if (!t.coefficient.empty()) out += t.coefficient + (t.ref ? " * " : "");
    if (t.ref) out += to_text(t.ref->plan) + "." + t.ref->metric + "." + t.ref->field;
  }
  return out;
}
std::string to_text(const ClaimComparison& c) { return to_text(c.lhs) + " " + c.op + " " + to_text(c.rhs); }
std::string to_text(const Claim& c) {
  std::string out = "expect " + quote(c.name) + " {";
  for (std::size_t i = 0; i < c.comparisons.size(); ++i) out += (i ? " and " : " ") + to_text(c.comparisons[i]);
  return out + " }";
}
std::string to_text(const Item& item) { return std::visit(ItemPrinter{}, item.node); }
std::string to_text(const Program& program) {
  std::string out;
  for (const auto& it : program.items) out += to_text(it) + "\n";
  return out;
}

}  // namespace sftx
