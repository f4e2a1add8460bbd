#include "interpreter/exec/train_params.h"

#include <set>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "runtime/api_fields.h"

namespace sftx::exec {
namespace {

template <class S>
S read_struct(const nlohmann::json& params, const char* key, bool required) {
  const auto it = params.find(key);
  S s{};
  const std::string where = std::string("train node parameter '") + key;
  if (it == params.end()) {
    if (required) throw std::runtime_error(where + "' is missing");
    return s;
  }
  if (!it->is_object()) throw std::runtime_error(where + "' is not an object: " + it->dump());
  std::set<std::string> known;
  rt::for_each_field<S>([&](const auto& def) {
    known.insert(def.key);
    const auto v = it->find(def.key);
    if (v == it->end()) return;
    try {
      using T = std::decay_t<decltype(s.*def.member)>;
      s.*def.member = v->template get<T>();
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error(where + "." + def.key + "' (" + rt::FieldTable<S>::name + "): " + e.what());
    }
  });
  for (const auto& item : it->items())
    if (!known.count(item.key()))
      throw std::runtime_error(where + "." + item.key() + "' is no field of " + rt::FieldTable<S>::name +
                               " (runtime/api.h): the front end and the runtime disagree");
  return s;
}

}  // namespace

TrainParams train_params_of(const nlohmann::json& params) {
  return {read_struct<rt::ModelSpec>(params, "model", true), read_struct<rt::TrainHyper>(params, "hyper", true),
          read_struct<rt::Method>(params, "method", false)};
}

}  // namespace sftx::exec
