// The plan graph as a Boost.Graph DAG: an edge runs from each input to the node that uses it.
//
// The front end already lists nodes inputs-first, but the executor does not rely on that:
// it sorts topologically here, and a cycle or an input naming no node is an error.
#pragma once

#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "interpreter/front/plan_graph.h"

namespace sftx::exec {

class GraphError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ExecGraph {
 public:
  // Throws GraphError on a duplicate id, an unknown input, or a cycle.
  explicit ExecGraph(const PlanGraph& plan);

  size_t size() const { return nodes_.size(); }
  const PlanNode& node(size_t index) const { return nodes_[index]; }
  size_t index_of(const std::string& id) const;  // throws GraphError when unknown

  // Node indices, every input before its users.
  const std::vector<size_t>& topological_order() const { return order_; }

  std::vector<size_t> inputs_of(size_t index) const;      // direct, in argument order
  std::vector<size_t> users_of(size_t index) const;       // direct
  std::set<size_t> dependents_of(size_t index) const;     // transitive users, not itself
  std::set<size_t> ancestors_of(size_t index) const;      // transitive inputs, not itself

 private:
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::bidirectionalS>;
  std::vector<PlanNode> nodes_;
  std::map<std::string, size_t> index_;
  Graph graph_;
  std::vector<size_t> order_;
};

}  // namespace sftx::exec
