// Turns PEGTL's parse tree (the rules selected below) into the typed AST of ast.h.
// Internal to the parser; the rest of sftx uses parser.h.
#pragma once

#include <tao/pegtl.hpp>

#include "grammar/ast.h"
#include "grammar/grammar.h"
#include "grammar/parse_state.h"
#include "grammar/parse_tree.h"

namespace sftx::grammar {

// Rules with bookkeeping in the control (group_kind, counts_depth) must be selected here.
// fold_single (parse_tree.h) replaces a node that has exactly one child by that child.

template <class Rule>
using selector = p::parse_tree::selector<
    Rule,
    p::parse_tree::store_content::on<
        number, string_lit, true_lit, false_lit, name_ref, callee, kwarg, kwarg_name, call, pipe_call, paren_expr,
        list_lit, comp_tail, comp_var, record_lit, field, field_name, member_name, neg<line>, neg<multiline>, mul_op,
        add_op, use_decl, binding, binding_name, defaults_decl, plan_decl, plan_name, param_list, param, from_clause,
        stage, stage_name, experiment_decl, experiment_name, expect_decl, claim_comparison, claim_lhs, claim_rhs,
        claim_op, claim_minus, claim_scaled, claim_ref, claim_metric, claim_field,
        // The tree builder (parse_tree.h, as PEGTL's) calls the control's start/success/failure
        // of an unselected rule only when no selected rule is below it; these must reach the
        // control (group/depth bookkeeping), so they are selected and flattened by the builder.
        call_args, defaults_body, plan_body, experiment_body, claim_body>,
    fold_single::on<primary, postfix, mul_expr<line>, mul_expr<multiline>, add_expr<line>, add_expr<multiline>, expr<line>,
                    expr<multiline>>>;

// Appends the items under `root` to `program`; items or stages whose expressions are too
// deep for the checker are reported and left out.
void build_program(const TreeNode& root, ParseState& ps, Program& program);

}  // namespace sftx::grammar
