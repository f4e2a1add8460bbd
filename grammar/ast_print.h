// A compact, fully parenthesised text form of the AST, for tests and debugging:
//   2 * (a + b) |> f(k = 1)   prints as   ((2 * (a + b)) |> f(k = 1))
// Operators are parenthesised, everything else prints as written (strings re-escaped).
#pragma once

#include <string>

#include "grammar/ast.h"

namespace sftx {

std::string to_text(const Expr& e);
std::string to_text(const Item& item);
std::string to_text(const std::vector<ClaimTerm>& side);  // "0.5 * a.m.f - 0.05"
std::string to_text(const ClaimComparison& comparison);
std::string to_text(const Claim& claim);                  // expect "name" { ... and ... }
std::string to_text(const Program& program);  // one item per line

}  // namespace sftx
