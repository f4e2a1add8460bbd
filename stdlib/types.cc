#include "stdlib/types.h"

#include <vector>

namespace sftx {

const char* type_name(Type t) {
  switch (t) {
    case Type::unknown: return "?";
    case Type::number: return "Number";
    case Type::string: return "String";
    case Type::boolean: return "Bool";
    case Type::list: return "List";
    case Type::record: return "Record";
    case Type::data: return "Data";
    case Type::model: return "Model";
    case Type::plan: return "Plan";
    case Type::plan_def: return "Plan";
    case Type::metric: return "Metric";
    case Type::experiment: return "Experiment";
    case Type::tokenizer: return "Tokenizer";
    case Type::method: return "Method";
  }
  return "?";
}

std::string TypeSet::str() const {
  std::vector<std::string> names;
  for (unsigned i = 1; i <= static_cast<unsigned>(Type::method); ++i) {
    Type t = static_cast<Type>(i);
    if (t == Type::plan_def) continue;
    if (bits_ & bit(t)) names.push_back(type_name(t));
  }
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

}  // namespace sftx
