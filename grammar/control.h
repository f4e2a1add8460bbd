// The PEGTL control for the .sftx grammar: turns a failed must<> into a diagnostic (with the
// rule's error_message) and keeps the bookkeeping of ParseState (open brackets, depth).
// It has no unwind(): a parse_error's unwinding does nothing per rule (PEGTL would run an
// unwind guard in every frame); recovering<> (parse_tree.h), which catches it, puts the open
// groups and the depth back as they were when its statement started.
#pragma once

#include <string>

#include <tao/pegtl.hpp>

#include "grammar/grammar.h"
#include "grammar/parse_state.h"

namespace sftx::grammar {

template <class Rule>
struct control : p::normal<Rule> {
  template <class ParseInput, class... States>
  static void start(const ParseInput& in, ParseState& ps, States&&...) {
    if constexpr (group_kind<Rule> != nullptr) ps.groups.push_back({group_kind<Rule>, ps.offset(in.current())});
    if constexpr (counts_depth<Rule>) ++ps.depth;
  }
  template <class ParseInput, class... States>
  static void success(const ParseInput&, ParseState& ps, States&&...) { leave(ps); }
  template <class ParseInput, class... States>
  static void failure(const ParseInput&, ParseState& ps, States&&...) { leave(ps); }

  template <class ParseInput, class... States>
  [[noreturn]] static void raise(const ParseInput& in, ParseState& ps, States&&...) {
    static_assert(error_message<Rule> != nullptr, "every must<Rule> needs an error_message<Rule> in grammar.h");
    report_expected(ps, in.current(), error_message<Rule>, error_at_open<Rule>, error_after_previous_token<Rule>,
                    error_column_shift<Rule>);
    // The diagnostic is recorded; the exception only unwinds to the statement's recovering<>.
    // (A position without line/column: computing one on a lazily tracked input costs a scan.)
    throw p::parse_error(error_message<Rule>, p::position(ps.offset(in.current()), 1, 1, std::string()));
  }

 private:
  static void leave(ParseState& ps) {
    if constexpr (group_kind<Rule> != nullptr) ps.groups.pop_back();
    if constexpr (counts_depth<Rule>) --ps.depth;
  }
};

}  // namespace sftx::grammar
