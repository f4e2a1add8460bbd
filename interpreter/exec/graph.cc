#include "interpreter/exec/graph.h"

#include <algorithm>

#include <boost/graph/topological_sort.hpp>

namespace sftx::exec {

ExecGraph::ExecGraph(const PlanGraph& plan) : nodes_(plan.nodes), graph_(plan.nodes.size()) {
  for (size_t i = 0; i < nodes_.size(); ++i)
    if (!index_.emplace(nodes_[i].id, i).second) throw GraphError("graph: node '" + nodes_[i].id + "' appears twice");
  for (size_t i = 0; i < nodes_.size(); ++i) {
    for (const auto& input : nodes_[i].inputs) {
      auto it = index_.find(input);
      if (it == index_.end())
        throw GraphError("graph: node '" + nodes_[i].id + "' uses '" + input + "', which is not a node");
      boost::add_edge(it->second, i, graph_);
    }
  }
  std::vector<size_t> reversed;
  try {
    boost::topological_sort(graph_, std::back_inserter(reversed));
  } catch (const boost::not_a_dag&) {
    throw GraphError("graph: the plan graph has a cycle");
  }
  order_.assign(reversed.rbegin(), reversed.rend());
}

size_t ExecGraph::index_of(const std::string& id) const {
  auto it = index_.find(id);
  if (it == index_.end()) throw GraphError("graph: no node '" + id + "'");
  return it->second;
}

std::vector<size_t> ExecGraph::inputs_of(size_t index) const {
  std::vector<size_t> out;
  for (const auto& input : nodes_[index].inputs) out.push_back(index_.at(input));
  return out;
}

std::vector<size_t> ExecGraph::users_of(size_t index) const {
  std::vector<size_t> out;
  for (auto [it, end] = boost::out_edges(index, graph_); it != end; ++it) out.push_back(boost::target(*it, graph_));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::set<size_t> ExecGraph::dependents_of(size_t index) const {
  std::set<size_t> seen;
  std::vector<size_t> stack{index};
  while (!stack.empty()) {
    size_t v = stack.back();
    stack.pop_back();
    for (auto [it, end] = boost::out_edges(v, graph_); it != end; ++it) {
      size_t u = boost::target(*it, graph_);
      if (seen.insert(u).second) stack.push_back(u);
    }
  }
  return seen;
}

std::set<size_t> ExecGraph::ancestors_of(size_t index) const {
  std::set<size_t> seen;
  std::vector<size_t> stack{index};
  while (!stack.empty()) {
    size_t v = stack.back();
    stack.pop_back();
    for (auto [it, end] = boost::in_edges(v, graph_); it != end; ++it) {
      size_t u = boost::source(*it, graph_);
      if (seen.insert(u).second) stack.push_back(u);
    }
  }
  return seen;
}

}  // namespace sftx::exec
