// Building data expressions in normal form (contract §4, §5):
// - `k * (j * d)` becomes `(k·j) * d` when both k and j are at most 1 (a subsample of a
//   subsample is a subsample; above 1, copies are involved and the nesting is kept);
// - `d * k` is the same value as `k * d` (the evaluator calls data_scale for both);
// - nested `mix` is flattened into one mix (the outer shuffle is what remains).
// These functions do no checking: the evaluator has validated the arguments.
#pragma once

#include <string>
#include <vector>

#include "interpreter/front/value.h"

namespace sftx {

// A mix flattened beyond this many inputs is kept nested instead (bounds the work an
// exponentially shared expression such as a2 = mix(a1, a1), a3 = mix(a2, a2), ... can cause).
inline constexpr std::size_t kMaxFlatMixInputs = 256;

DataPtr data_leaf(std::string op, nlohmann::json params, std::string label, NodeOrigin origin);
// A transform: inputs[0] is the data, the rest further data arguments; `args_text` renders
// the call's other arguments for the label ("\"minhash\", threshold = 0.85").
DataPtr data_transform(std::string op, nlohmann::json params, std::vector<DataPtr> inputs,
                       const std::string& args_text, NodeOrigin origin);
DataPtr data_scale(const Rational& k, DataPtr d, long long seed, NodeOrigin origin);
DataPtr data_mix(std::vector<DataPtr> inputs, long long seed, NodeOrigin origin);

// The same expression under a binding's name (its node id in the graph).
DataPtr data_named(const DataPtr& d, const std::string& name);

// How a data expression is referred to inside another's label: its name, else its label
// (parenthesised when it is an operator expression).
std::string data_ref(const DataPtr& d, bool as_operand = false);

}  // namespace sftx
