// The .sftx grammar as PEGTL 3 rules: one struct per rule, no actions here.
//
// Statements end at a newline or ';'. Inside ( ) and [ ] newlines are insignificant; inside
// { } (records, plan/experiment/defaults bodies) a newline ends a field again. A line that
// starts with `|>` continues the expression before it. That is why the expression rules take
// a whitespace parameter S: `line` (blanks and comments) or `multiline` (also newlines).
//
// Every must<R> has an error_message<R> (the control's raise() static_asserts it). Messages
// may use placeholders the control fills in (parse_state.cc):
//   {open}  line:column of the innermost open bracket/body/string (see group_kind below)
//   {prev}  the token just before the error      {found}  the token at the error
//   {char}  the code point at the error
//
// The parse tree (selected rules, see ast_builder.cc) is turned into the AST by ast_builder.cc;
// error recovery (recovering<> (parse_tree.h) + recover<> rules) is described in parse_state.h.
#pragma once

#include <tao/pegtl.hpp>

#include "grammar/parse_state.h"
#include "grammar/parse_tree.h"

namespace sftx::grammar {

namespace p = tao::pegtl;

// ---------------------------------------------------------------- whitespace
struct blank : p::one<' ', '\t', '\r', '\f', '\v'> {};
struct comment : p::seq<p::one<'#'>, p::star<p::not_one<'\n'>>> {};
struct newline : p::one<'\n'> {};
struct line : p::star<p::sor<blank, comment>> {};                 // within one line
struct multiline : p::star<p::sor<blank, comment, newline>> {};   // across lines
struct statement_gap : p::star<p::sor<blank, comment, newline, p::one<';'>>> {};
struct record_gap : p::star<p::sor<blank, comment, newline, p::one<';', ','>>> {};

// ---------------------------------------------------------------- words
struct ident : p::identifier {};
template <class Word>
struct keyword_of : p::seq<Word, p::not_at<p::identifier_other>> {};
struct kw_true : keyword_of<TAO_PEGTL_STRING("true")> {};
struct kw_false : keyword_of<TAO_PEGTL_STRING("false")> {};
struct kw_for : keyword_of<TAO_PEGTL_STRING("for")> {};
struct kw_in : keyword_of<TAO_PEGTL_STRING("in")> {};
struct kw_with : keyword_of<TAO_PEGTL_STRING("with")> {};
struct kw_from : keyword_of<TAO_PEGTL_STRING("from")> {};
struct kw_use : keyword_of<TAO_PEGTL_STRING("use")> {};
struct kw_plan : keyword_of<TAO_PEGTL_STRING("plan")> {};
struct kw_experiment : keyword_of<TAO_PEGTL_STRING("experiment")> {};
struct kw_defaults : keyword_of<TAO_PEGTL_STRING("defaults")> {};
// Words that start a top-level item: inside a body they mean its '}' is missing.
struct top_keyword : p::sor<kw_use, kw_plan, kw_experiment, kw_defaults> {};
struct reserved_word : p::sor<kw_true, kw_false, kw_for, kw_in, kw_with, kw_from, top_keyword> {};
// A name that can be defined or referred to (not a reserved word).
struct name : p::seq<p::not_at<reserved_word>, ident> {};

// ---------------------------------------------------------------- literals
struct digits : p::plus<p::digit> {};
struct fraction_digits : digits {};
struct exponent_digits : digits {};
struct fraction : p::seq<p::one<'.'>, p::must<fraction_digits>> {};
struct exponent : p::seq<p::one<'e', 'E'>, p::opt<p::one<'+', '-'>>, p::must<exponent_digits>> {};
struct number : p::seq<digits, p::opt<fraction>, p::opt<exponent>> {};

struct escape_code : p::one<'"', '\\', 'n', 't'> {};
struct escape : p::seq<p::one<'\\'>, p::must<escape_code>> {};
// A string holds whole UTF-8 characters: an ill-formed byte is an error where it stands,
// not a value that fails later as JSON.
struct string_char : p::utf8::not_one<'"', '\\', '\n'> {};
struct string_utf8 : p::not_at<p::not_one<'"', '\n'>> {};  // what stops string_char: its end, or a bad byte
struct string_close : p::one<'"'> {};
struct string_lit
    : p::seq<p::one<'"'>, p::star<p::sor<escape, string_char>>, p::must<string_utf8>, p::must<string_close>> {};

struct true_lit : kw_true {};
struct false_lit : kw_false {};

// ---------------------------------------------------------------- expressions
template <class S> struct expr;

// Bounds recursion: fails the parse with a diagnostic past kMaxNestingDepth (parse_state.h).
struct depth_guard {
  using rule_t = depth_guard;
  using subs_t = p::empty_list;
  template <p::apply_mode, p::rewind_mode, template <class...> class, template <class...> class,
            class ParseInput, class... States>
  static bool match(ParseInput& in, ParseState& ps, States&&...) {
    check_depth(ps, in.current());
    return true;
  }
};

// calls: f(a, b, k = v)
struct callee : name {};
struct kwarg_name : ident {};
struct kwarg_value : p::seq<expr<multiline>> {};
struct kwarg : p::seq<kwarg_name, multiline, p::one<'='>, multiline, p::must<kwarg_value>> {};
struct arg_expr : p::seq<expr<multiline>> {};
struct arg : p::sor<kwarg, arg_expr> {};
struct arg_after_comma : p::seq<arg> {};
struct call_close : p::one<')'> {};
struct call_rest
    : p::seq<arg, p::star<multiline, p::one<','>, multiline, p::sor<p::at<call_close>, p::at<p::eof>, p::must<arg_after_comma>>>,
             multiline, p::must<call_close>> {};
struct call_body : p::sor<call_close, call_rest> {};
struct call_args : p::seq<p::one<'('>, multiline, p::must<call_body>> {};
struct call : p::seq<callee, line, call_args> {};

// ( expr )
struct paren_inner : p::seq<expr<multiline>> {};
struct paren_close : p::one<')'> {};
struct paren_expr : p::seq<p::one<'('>, multiline, p::must<paren_inner>, multiline, p::must<paren_close>> {};

// [a, b] and [e for x in xs]
struct list_close : p::one<']'> {};
struct list_first : p::seq<expr<multiline>> {};
struct list_elem : p::seq<expr<multiline>> {};
struct list_rest
    : p::seq<p::star<multiline, p::one<','>, multiline, p::sor<p::at<list_close>, p::at<p::eof>, p::must<list_elem>>>,
             multiline, p::must<list_close>> {};
struct comp_var : name {};
struct comp_in : kw_in {};
struct comp_iterable : p::seq<expr<multiline>> {};
struct comp_close : p::one<']'> {};
struct comp_tail : p::seq<kw_for, multiline, p::must<comp_var>, multiline, p::must<comp_in>, multiline,
                          p::must<comp_iterable>, multiline, p::must<comp_close>> {};
struct list_items : p::seq<list_first, multiline, p::sor<comp_tail, list_rest>> {};
struct list_body : p::sor<list_close, list_items> {};
struct list_lit : p::seq<p::one<'['>, multiline, p::must<list_body>> {};

// { name = value; ... } (fields end at ';', ',' or a newline)
struct field_name : p::seq<p::not_at<top_keyword>, ident> {};  // a line starting `plan` ends an unclosed record
struct field_equals : p::one<'='> {};
struct field_value : p::seq<expr<line>> {};
struct field : p::seq<field_name, line, p::must<field_equals>, line, p::must<field_value>> {};
struct record_close : p::one<'}'> {};
struct record_next_field : p::seq<field> {};
struct record_rest
    : p::seq<field, p::star<line, p::one<';', ',', '\n'>, record_gap, p::sor<p::at<record_close>, p::at<p::eof>, p::at<top_keyword>, p::must<record_next_field>>>,
             record_gap, p::must<record_close>> {};
struct record_body : p::sor<record_close, record_rest> {};
struct record_lit : p::seq<p::one<'{'>, record_gap, p::must<record_body>> {};

struct name_ref : name {};

struct primary : p::seq<depth_guard, p::sor<number, string_lit, true_lit, false_lit, paren_expr, list_lit, record_lit, call, name_ref>> {};

// a.b.c
struct member_name : ident {};
struct member : p::seq<line, p::one<'.'>, line, p::must<member_name>> {};
struct postfix : p::seq<primary, p::star<member>> {};

template <class S> struct unary;
template <class S> struct neg_operand : unary<S> {};
template <class S> struct neg : p::seq<p::one<'-'>, depth_guard, S, p::must<neg_operand<S>>> {};
template <class S> struct unary : p::sor<neg<S>, postfix> {};

struct mul_op : p::one<'*', '/'> {};
template <class S> struct mul_operand : unary<S> {};
template <class S> struct mul_expr : p::seq<unary<S>, p::star<S, mul_op, S, p::must<mul_operand<S>>>> {};

struct add_op : p::one<'+', '-'> {};
template <class S> struct add_operand : p::seq<mul_expr<S>> {};
template <class S> struct add_expr : p::seq<mul_expr<S>, p::star<S, add_op, S, p::must<add_operand<S>>>> {};

// d |> f(args): the `|>` may start a new line (it continues the statement).
struct pipe_op : p::seq<multiline, p::string<'|', '>'>> {};
struct pipe_call : p::seq<callee, line, p::opt<call_args>> {};
template <class S> struct expr : p::seq<add_expr<S>, p::star<pipe_op, S, p::must<pipe_call>>> {};

// ---------------------------------------------------------------- statements
// End of a statement / body entry: ';', a newline, end of file, or (in a body) its '}'.
struct statement_end : p::seq<line, p::sor<p::one<';'>, newline, p::eof>> {};
struct entry_end : p::seq<line, p::sor<p::one<';'>, newline, p::at<p::one<'}'>>, p::eof>> {};

// Error recovery (parse_state.cc): after a failed statement, report it (if the failure had no
// diagnostic yet) and skip to where the next statement can start.
template <RecoveryLevel Level>
struct recover {
  using rule_t = recover;
  using subs_t = p::empty_list;
  template <p::apply_mode, p::rewind_mode, template <class...> class, template <class...> class,
            class ParseInput, class... States>
  static bool match(ParseInput& in, ParseState& ps, States&&...) {
    const char* to = recovery_point(ps, in.current(), Level);
    in.bump(static_cast<std::size_t>(to - in.current()));
    return true;
  }
};

// Bodies: { entry; entry ... }, each entry recovered on its own.
struct body_end : p::sor<p::one<'}'>, p::eof, top_keyword> {};
template <class Entry>
struct body_entries
    : p::star<statement_gap, p::not_at<body_end>,
              p::sor<recovering<p::seq<Entry, p::must<entry_end>>>, recover<RecoveryLevel::entry>>> {};

// use "file.sftx"
struct use_path : p::seq<string_lit> {};
struct use_decl : p::seq<kw_use, line, p::must<use_path>> {};

// name = expr
struct binding_name : name {};
struct binding_equals : p::one<'='> {};
struct binding_value : p::seq<expr<line>> {};
struct binding : p::seq<binding_name, line, p::must<binding_equals>, line, p::must<binding_value>> {};

// defaults { key = value ... }
struct defaults_open : p::one<'{'> {};
struct defaults_close : p::one<'}'> {};
struct defaults_body : p::seq<p::one<'{'>, body_entries<field>, statement_gap, p::must<defaults_close>> {};
struct defaults_decl : p::seq<kw_defaults, multiline, p::must<p::at<defaults_open>>, defaults_body> {};

// plan NAME(params) [from EXPR] { stageN = EXPR [with { ... }] ... }
struct plan_name : name {};
struct param : name {};
struct param_after_comma : p::seq<param> {};
struct params_close : p::one<')'> {};
struct params_rest
    : p::seq<param, p::star<multiline, p::one<','>, multiline, p::sor<p::at<params_close>, p::at<p::eof>, p::must<param_after_comma>>>,
             multiline, p::must<params_close>> {};
struct params_body : p::sor<params_close, params_rest> {};
struct param_list : p::seq<p::one<'('>, multiline, p::must<params_body>> {};
struct from_model : p::seq<expr<line>> {};
struct from_clause : p::seq<kw_from, line, p::must<from_model>> {};
struct with_record : p::seq<record_lit> {};
struct with_clause : p::seq<kw_with, line, p::must<with_record>> {};
struct stage_name : name {};
struct stage_equals : p::one<'='> {};
struct stage_data : p::seq<expr<line>> {};
struct stage : p::seq<stage_name, line, p::must<stage_equals>, line, p::must<stage_data>, line, p::opt<with_clause>> {};
struct plan_open : p::one<'{'> {};
struct plan_close : p::one<'}'> {};
struct plan_body : p::seq<p::one<'{'>, body_entries<stage>, statement_gap, p::must<plan_close>> {};
struct plan_decl : p::seq<kw_plan, line, p::must<plan_name>, line, p::opt<param_list>, line, p::opt<from_clause>,
                          multiline, p::must<p::at<plan_open>>, plan_body> {};

// A claim inside an experiment (docs/language.md, "Claims"):
//   expect "NAME" { SIDE OP SIDE [and SIDE OP SIDE ...] }
// A side is a sum of terms (+, -, an optional leading '-'); a term is PLAN.METRIC.FIELD,
// NUMBER * PLAN.METRIC.FIELD, or a NUMBER. PLAN is a plan instance as written in `plans`
// (a name or a call: dmt(1/256)); FIELD may carry '@k' (pass@1). Inside the braces newlines
// are insignificant. `expect` and `and` are words only here, so neither is reserved.
struct kw_expect : keyword_of<TAO_PEGTL_STRING("expect")> {};
struct kw_and : keyword_of<TAO_PEGTL_STRING("and")> {};
struct claim_name : p::seq<string_lit> {};
struct claim_plan : p::sor<call, name_ref> {};
struct claim_metric_dot : p::one<'.'> {};
struct claim_metric : ident {};
struct claim_field_dot : p::one<'.'> {};
struct claim_field : p::seq<ident, p::opt<p::one<'@'>, digits>> {};
struct claim_ref : p::seq<claim_plan, line, p::must<claim_metric_dot>, line, p::must<claim_metric>, line,
                          p::must<claim_field_dot>, line, p::must<claim_field>> {};
struct claim_scaled_ref : p::seq<claim_ref> {};
struct claim_scaled : p::seq<number, multiline, p::one<'*'>, multiline, p::must<claim_scaled_ref>> {};
struct claim_term : p::sor<claim_scaled, claim_ref, number> {};
struct claim_term_after_op : claim_term {};
struct claim_minus : p::one<'-'> {};
struct claim_side : p::seq<p::opt<claim_minus, multiline>, claim_term,
                           p::star<multiline, add_op, multiline, p::must<claim_term_after_op>>> {};
struct claim_lhs : claim_side {};
struct claim_rhs : claim_side {};
struct claim_op : p::sor<p::string<'<', '='>, p::string<'>', '='>, p::one<'<'>, p::one<'>'>> {};
struct claim_comparison : p::seq<claim_lhs, multiline, p::must<claim_op>, multiline, p::must<claim_rhs>> {};
struct claim_first : p::seq<claim_comparison> {};
struct claim_next : p::seq<claim_comparison> {};
struct claim_open : p::one<'{'> {};
struct claim_close : p::one<'}'> {};
struct claim_body : p::seq<p::one<'{'>, multiline, p::must<claim_first>,
                           p::star<multiline, kw_and, multiline, p::must<claim_next>>, multiline, p::must<claim_close>> {};
struct expect_decl : p::seq<kw_expect, line, p::not_at<p::one<'='>>, p::must<claim_name>, multiline,
                            p::must<p::at<claim_open>>, claim_body> {};

// experiment NAME { key = value ... expect "..." { ... } ... }
struct experiment_name : name {};
struct experiment_open : p::one<'{'> {};
struct experiment_close : p::one<'}'> {};
struct experiment_entry : p::sor<expect_decl, field> {};
struct experiment_body : p::seq<p::one<'{'>, body_entries<experiment_entry>, statement_gap, p::must<experiment_close>> {};
struct experiment_decl : p::seq<kw_experiment, line, p::must<experiment_name>, multiline,
                                p::must<p::at<experiment_open>>, experiment_body> {};

struct item : p::sor<use_decl, defaults_decl, plan_decl, experiment_decl, binding> {};
struct top_statement : p::seq<item, p::must<statement_end>> {};
struct file
    : p::seq<statement_gap,
             p::star<p::not_at<p::eof>, p::sor<recovering<top_statement>, recover<RecoveryLevel::top>>, statement_gap>,
             p::eof> {};

// ---------------------------------------------------------------- error messages
template <class Rule>
inline constexpr const char* error_message = nullptr;

template <> inline constexpr const char* error_message<fraction_digits> = "expected digits after the decimal point";
template <> inline constexpr const char* error_message<exponent_digits> = "expected digits in the exponent of the number";
template <> inline constexpr const char* error_message<escape_code> = "unknown escape sequence '\\{char}' in string";
template <> inline constexpr const char* error_message<string_close> = "unterminated string";
template <> inline constexpr const char* error_message<string_utf8> = "invalid UTF-8 byte {char} in string";
template <> inline constexpr const char* error_message<kwarg_value> = "expected a value after '='";
template <> inline constexpr const char* error_message<arg_after_comma> = "expected an argument after ','";
template <> inline constexpr const char* error_message<call_close> = "expected ')' to close the call opened at {open}";
template <> inline constexpr const char* error_message<call_body> = "expected an argument or ')' after '('";
template <> inline constexpr const char* error_message<paren_inner> = "expected an expression after '('";
template <> inline constexpr const char* error_message<paren_close> = "expected ')' to close the parenthesis opened at {open}";
template <> inline constexpr const char* error_message<list_close> = "expected ']' to close the list opened at {open}";
template <> inline constexpr const char* error_message<list_elem> = "expected a list element after ','";
template <> inline constexpr const char* error_message<list_body> = "expected a list element or ']' after '['";
template <> inline constexpr const char* error_message<comp_var> = "expected a variable name after 'for'";
template <> inline constexpr const char* error_message<comp_in> = "expected 'in' after the variable of the list comprehension";
template <> inline constexpr const char* error_message<comp_iterable> = "expected a list after 'in'";
template <> inline constexpr const char* error_message<comp_close> = "expected ']' to close the list comprehension opened at {open}";
template <> inline constexpr const char* error_message<field_equals> = "expected '=' after '{prev}'";
template <> inline constexpr const char* error_message<field_value> = "expected a value after '='";
template <> inline constexpr const char* error_message<record_close> = "expected '}' to close the record opened at {open}";
template <> inline constexpr const char* error_message<record_next_field> = "expected a field (name = value) or '}'";
template <> inline constexpr const char* error_message<record_body> = "expected a field (name = value) or '}' after '{'";
template <> inline constexpr const char* error_message<member_name> = "expected a field name after '.'";
template <class S> inline constexpr const char* error_message<neg_operand<S>> = "expected an expression after '-'";
template <class S> inline constexpr const char* error_message<mul_operand<S>> = "expected an expression after '{prev}'";
template <class S> inline constexpr const char* error_message<add_operand<S>> = "expected an expression after '{prev}'";
template <> inline constexpr const char* error_message<pipe_call> = "expected a function call after '|>'";
template <> inline constexpr const char* error_message<statement_end> = "unexpected {found}";
template <> inline constexpr const char* error_message<entry_end> = "unexpected {found}";
template <> inline constexpr const char* error_message<use_path> = "expected a file name in quotes after 'use'";
template <> inline constexpr const char* error_message<binding_equals> = "expected '=' after '{prev}'";
template <> inline constexpr const char* error_message<binding_value> = "expected an expression after '='";
template <> inline constexpr const char* error_message<p::at<defaults_open>> = "expected '{' after 'defaults'";
template <> inline constexpr const char* error_message<defaults_close> = "expected '}' to close the defaults block opened at {open}";
template <> inline constexpr const char* error_message<plan_name> = "expected a plan name after 'plan'";
template <> inline constexpr const char* error_message<param_after_comma> = "expected a parameter name after ','";
template <> inline constexpr const char* error_message<params_close> = "expected ')' to close the parameter list opened at {open}";
template <> inline constexpr const char* error_message<params_body> = "expected a parameter name or ')' after '('";
template <> inline constexpr const char* error_message<from_model> = "expected a model after 'from'";
template <> inline constexpr const char* error_message<with_record> = "expected a record '{ ... }' after 'with'";
template <> inline constexpr const char* error_message<stage_equals> = "expected '=' after '{prev}'";
template <> inline constexpr const char* error_message<stage_data> = "expected an expression after '='";
template <> inline constexpr const char* error_message<p::at<plan_open>> = "expected '{' to open the plan body";
template <> inline constexpr const char* error_message<plan_close> = "expected '}' to close the plan body opened at {open}";
template <> inline constexpr const char* error_message<experiment_name> = "expected an experiment name after 'experiment'";
template <> inline constexpr const char* error_message<p::at<experiment_open>> = "expected '{' after the experiment name";
template <> inline constexpr const char* error_message<claim_name> = "expected the claim's name in quotes after 'expect'";
template <> inline constexpr const char* error_message<p::at<claim_open>> = "expected '{' after the claim's name";
template <> inline constexpr const char* error_message<claim_first> = "expected a comparison after '{': SIDE < SIDE, where a side adds PLAN.METRIC.FIELD terms";
template <> inline constexpr const char* error_message<claim_next> = "expected a comparison after 'and'";
template <> inline constexpr const char* error_message<claim_close> = "expected '}' or 'and' to close the claim opened at {open}";
template <> inline constexpr const char* error_message<claim_op> = "expected a comparison operator (<, >, <= or >=) after the claim's left side";
template <> inline constexpr const char* error_message<claim_rhs> = "expected the right side of the comparison after '{prev}'";
template <> inline constexpr const char* error_message<claim_term_after_op> = "expected PLAN.METRIC.FIELD or a number after '{prev}'";
template <> inline constexpr const char* error_message<claim_scaled_ref> = "expected PLAN.METRIC.FIELD after '*' (a claim scales references by numbers only)";
template <> inline constexpr const char* error_message<claim_metric_dot> = "expected '.METRIC.FIELD' after the plan: a claim refers to PLAN.METRIC.FIELD";
template <> inline constexpr const char* error_message<claim_metric> = "expected a metric name after '.'";
template <> inline constexpr const char* error_message<claim_field_dot> = "expected '.FIELD' after the metric: a claim refers to PLAN.METRIC.FIELD";
template <> inline constexpr const char* error_message<claim_field> = "expected a field name after '.'";
template <> inline constexpr const char* error_message<experiment_close> = "expected '}' to close the experiment opened at {open}";

// ---------------------------------------------------------------- groups
// Rules that open something a later error may refer to as "opened at {open}".
template <class Rule> inline constexpr const char* group_kind = nullptr;
template <> inline constexpr const char* group_kind<string_lit> = "string";
template <> inline constexpr const char* group_kind<call_args> = "call";
template <> inline constexpr const char* group_kind<paren_expr> = "parenthesis";
template <> inline constexpr const char* group_kind<list_lit> = "list";
template <> inline constexpr const char* group_kind<record_lit> = "record";
template <> inline constexpr const char* group_kind<param_list> = "parameter list";
template <> inline constexpr const char* group_kind<defaults_body> = "defaults block";
template <> inline constexpr const char* group_kind<plan_body> = "plan body";
template <> inline constexpr const char* group_kind<experiment_body> = "experiment";
template <> inline constexpr const char* group_kind<claim_body> = "claim";

// Rules whose errors are placed at the group's opening (an unterminated string is found at
// the end of its line, but the user needs to see where it began).
template <class Rule> inline constexpr bool error_at_open = false;
template <> inline constexpr bool error_at_open<string_close> = true;

// Rules whose errors move back to just after the previous token when only whitespace and
// newlines separate them (a missing ')' is reported where it belongs, not at the next line).
template <class Rule> inline constexpr bool error_after_previous_token = false;
template <> inline constexpr bool error_after_previous_token<call_close> = true;
template <> inline constexpr bool error_after_previous_token<paren_close> = true;
template <> inline constexpr bool error_after_previous_token<list_close> = true;
template <> inline constexpr bool error_after_previous_token<comp_close> = true;
template <> inline constexpr bool error_after_previous_token<record_close> = true;
template <> inline constexpr bool error_after_previous_token<params_close> = true;
template <> inline constexpr bool error_after_previous_token<defaults_close> = true;
template <> inline constexpr bool error_after_previous_token<plan_close> = true;
template <> inline constexpr bool error_after_previous_token<experiment_close> = true;
template <> inline constexpr bool error_after_previous_token<claim_close> = true;
template <> inline constexpr bool error_after_previous_token<claim_metric_dot> = true;
template <> inline constexpr bool error_after_previous_token<claim_field_dot> = true;

// The escape code's error points at its backslash.
template <class Rule> inline constexpr int error_column_shift = 0;
template <> inline constexpr int error_column_shift<escape_code> = -1;

// Rules whose nesting counts toward kMaxNestingDepth.
template <class Rule> inline constexpr bool counts_depth = false;
template <> inline constexpr bool counts_depth<primary> = true;
template <class S> inline constexpr bool counts_depth<neg<S>> = true;

}  // namespace sftx::grammar
