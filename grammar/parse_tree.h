// Builds the parse tree of a .sftx text: PEGTL's parse_tree::parse
// (tao/pegtl/contrib/parse_tree.hpp) without its costs per attempted rule. The tree, and the
// calls the grammar's control receives, are the same as with PEGTL's.
//
// Why: PEGTL allocates a node when a selected rule starts, and also when an unselected rule
// with a selected rule below it starts (whose children are then moved up to the parent on
// success), and frees it when the rule fails. A grammar that tries number, string, call, ...
// at each operand does this tens of thousands of times for a few hundred bytes of text; with
// every node also tearing itself down while a syntax error's exception unwinds, that was most
// of the parser's time (and of the fuzzer's, under ASan's allocator).
//
// Here:
//  - an unselected rule allocates nothing: it remembers how many children the open node has
//    (a stack of counts) and, when it fails, drops the children added since;
//  - a selected rule takes its node from a list of spares, and a node that is dropped (its
//    rule failed, or fold_single replaced it by its only child) goes back to it with its
//    subtree, cleared, keeping the capacity of its children vector;
//  - nothing runs while an exception unwinds (no unwind() anywhere): `recovering<Rule>`, the
//    grammar's try_catch, remembers the stacks' sizes and ParseState's open groups and depth
//    when it starts and puts them back when it catches the parse_error.
#pragma once

#include <cstddef>
#include <memory>
#include <type_traits>
#include <vector>

#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/parse_tree.hpp>
#include <tao/pegtl/contrib/shuffle_states.hpp>

namespace sftx::grammar {

namespace p = tao::pegtl;

using TreeNode = p::parse_tree::node;

// Replaces a selected node that has exactly one child by that child, keeping the child's range
// (PEGTL's fold_one would drop the content of nodes with several children).
struct fold_single : p::parse_tree::apply<fold_single> {};

class TreeState {
 public:
  TreeState() { stack_.push_back(std::make_unique<TreeNode>()); }  // the root

  std::unique_ptr<TreeNode> take_root() { return std::move(stack_.front()); }

  // A selected rule starts: its node is open until the rule succeeds or fails.
  TreeNode& open() {
    if (spare_.empty()) {
      stack_.push_back(std::make_unique<TreeNode>());
    } else {
      stack_.push_back(std::move(spare_.back()));
      spare_.pop_back();
    }
    return *stack_.back();
  }
  std::unique_ptr<TreeNode> close() {
    std::unique_ptr<TreeNode> n = std::move(stack_.back());
    stack_.pop_back();
    return n;
  }
  TreeNode& top() { return *stack_.back(); }

  // An unselected rule starts / succeeds / fails.
  void mark() { marks_.push_back(top().children.size()); }
  void keep() { marks_.pop_back(); }
  void drop() {
    truncate(top().children, marks_.back());
    marks_.pop_back();
  }

  // A node (with what is below it) is no longer part of the tree.
  void recycle(std::unique_ptr<TreeNode> n) {
    truncate(n->children, 0);
    n->type = {};
    n->source = {};
    n->m_begin = {};
    n->m_end = {};
    spare_.push_back(std::move(n));
  }

  // For recovering<>: the state when a statement started, and going back to it.
  struct Checkpoint {
    std::size_t open_nodes, marks;
  };
  Checkpoint checkpoint() const { return {stack_.size(), marks_.size()}; }
  void restore(const Checkpoint& c) {
    while (stack_.size() > c.open_nodes) recycle(close());
    marks_.resize(c.marks);
  }

 private:
  void truncate(std::vector<std::unique_ptr<TreeNode>>& children, std::size_t size) {
    while (children.size() > size) {
      std::unique_ptr<TreeNode> c = std::move(children.back());
      children.pop_back();
      recycle(std::move(c));
    }
  }

  std::vector<std::unique_ptr<TreeNode>> stack_;  // the root, then the open selected nodes
  std::vector<std::size_t> marks_;                // per open unselected rule: its node's child count at start
  std::vector<std::unique_ptr<TreeNode>> spare_;
};

// try_catch<Rule> (a parse_error in Rule makes it fail, rewound) that also puts the tree and
// ParseState back to where they were when it started, as the unwinding would have.
template <class Rule>
struct recovering {
  using rule_t = recovering;
  using subs_t = p::type_list<Rule>;

  template <p::apply_mode A, p::rewind_mode M, template <class...> class Action, template <class...> class Control,
            class ParseInput, class ParseStateT, class Tree>
  [[nodiscard]] static bool match(ParseInput& in, ParseStateT& ps, Tree& tree) {
    auto m = in.template mark<M>();
    using m_t = decltype(m);
    const typename Tree::Checkpoint at_start = tree.checkpoint();
    const std::size_t groups = ps.groups.size();
    const int depth = ps.depth;
    try {
      return m(Control<Rule>::template match<A, m_t::next_rewind_mode, Action, Control>(in, ps, tree));
    } catch (const p::parse_error&) {
      tree.restore(at_start);
      ps.groups.resize(groups);
      ps.depth = depth;
      return false;
    }
  }
};

namespace tree_detail {

template <class Rule, template <class...> class Selector>
inline constexpr bool is_selected = p::internal::enable_control<Rule> && Selector<Rule>::value;

// As PEGTL's: a rule with no selected rule within 8 levels below it needs no bookkeeping.
template <unsigned Level, class Subs, template <class...> class Selector>
inline constexpr bool is_leaf{};
template <class... Rules, template <class...> class Selector>
inline constexpr bool is_leaf<0, p::type_list<Rules...>, Selector> = (sizeof...(Rules) == 0);
template <unsigned Level, class Rule, template <class...> class Selector>
inline constexpr bool is_unselected_branch =
    (!is_selected<Rule, Selector> && is_leaf<Level, typename Rule::subs_t, Selector>);
template <unsigned Level, class... Rules, template <class...> class Selector>
inline constexpr bool is_leaf<Level, p::type_list<Rules...>, Selector> =
    (is_unselected_branch<Level - 1, Rules, Selector> && ...);

template <template <class...> class Selector, template <class...> class Control>
struct make_control {
  template <class Rule, bool Selected, bool Leaf>
  struct handler;

  template <class Rule>
  using type = p::rotate_states_right<handler<Rule, is_selected<Rule, Selector>, is_leaf<8, typename Rule::subs_t, Selector>>>;
};

// An unselected rule without selected rules below: the grammar's control alone.
template <template <class...> class Selector, template <class...> class Control>
template <class Rule>
struct make_control<Selector, Control>::handler<Rule, false, true> : p::remove_first_state<Control<Rule>> {};

// An unselected rule with selected rules below: a mark (PEGTL calls no control function here either).
template <template <class...> class Selector, template <class...> class Control>
template <class Rule>
struct make_control<Selector, Control>::handler<Rule, false, false> : p::remove_first_state<Control<Rule>> {
  static constexpr bool enable = true;
  template <class ParseInput, class... States>
  static void start(const ParseInput&, TreeState& tree, States&&...) { tree.mark(); }
  template <class ParseInput, class... States>
  static void success(const ParseInput&, TreeState& tree, States&&...) { tree.keep(); }
  template <class ParseInput, class... States>
  static void failure(const ParseInput&, TreeState& tree, States&&...) { tree.drop(); }
};

// A selected rule: a node.
template <template <class...> class Selector, template <class...> class Control>
template <class Rule, bool Leaf>
struct make_control<Selector, Control>::handler<Rule, true, Leaf> : p::remove_first_state<Control<Rule>> {
  using Kind = Selector<Rule>;
  static_assert(std::is_same_v<Kind, p::parse_tree::store_content> || std::is_same_v<Kind, fold_single>,
                "parse_tree.h implements store_content and fold_single only");

  template <class ParseInput, class... States>
  static void start(const ParseInput& in, TreeState& tree, States&&... st) {
    Control<Rule>::start(in, st...);
    tree.open().template start<Rule>(in, st...);
  }
  template <class ParseInput, class... States>
  static void success(const ParseInput& in, TreeState& tree, States&&... st) {
    std::unique_ptr<TreeNode> n = tree.close();
    n->template success<Rule>(in, st...);
    if constexpr (std::is_same_v<Kind, fold_single>) {
      if (n->children.size() == 1) {
        std::unique_ptr<TreeNode> child = std::move(n->children.front());
        n->children.clear();
        tree.recycle(std::move(n));
        n = std::move(child);
      }
    }
    tree.top().children.push_back(std::move(n));
    Control<Rule>::success(in, st...);
  }
  template <class ParseInput, class... States>
  static void failure(const ParseInput& in, TreeState& tree, States&&... st) {
    tree.recycle(tree.close());
    Control<Rule>::failure(in, st...);
  }
};

}  // namespace tree_detail

// Parses `in` with the grammar `Rule`; null when it does not match. An exception other than a
// parse_error caught by recovering<> leaves through here (the tree is then lost).
template <class Rule, template <class...> class Selector, template <class...> class Control, class ParseInput,
          class ParseStateT>
std::unique_ptr<TreeNode> parse_tree(ParseInput& in, ParseStateT& ps) {
  TreeState tree;
  if (!p::parse<Rule, p::nothing, tree_detail::make_control<Selector, Control>::template type>(in, ps, tree))
    return nullptr;
  return tree.take_root();
}

}  // namespace sftx::grammar
