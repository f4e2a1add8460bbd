#include "interpreter/front/value.h"

namespace sftx {

std::string render_value(const Value& v) {
  switch (v.type) {
    case Type::number: return v.number.str();
    case Type::string: return nlohmann::json(v.string).dump();
    case Type::boolean: return v.boolean ? "true" : "false";
    case Type::list: {
      std::string out = "[";
      for (std::size_t i = 0; i < v.list.size(); ++i) out += (i ? ", " : "") + render_value(v.list[i]);
      return out + "]";
    }
    case Type::record: {
      std::string out = "{ ";
      for (std::size_t i = 0; i < v.record.size(); ++i)
        out += (i ? "; " : "") + v.record[i].first + " = " + render_value(v.record[i].second);
      return out + " }";
    }
    case Type::data: return v.data ? (v.data->name.empty() ? v.data->label : v.data->name) : "?";
    case Type::model: return v.model ? v.model->label : "?";
    case Type::plan: return v.plan ? v.plan->label : "?";
    case Type::metric: return v.metric ? v.metric->label : "?";
    case Type::tokenizer: return v.tokenizer ? v.tokenizer->label : "?";
    case Type::method: return v.method ? v.method->label : "?";
    case Type::experiment: return v.experiment;
    default: return "?";
  }
}

nlohmann::json plain_json(const Value& v) {
  switch (v.type) {
    case Type::number: {
      if (auto i = v.number.to_int64()) return *i;
      return v.number.to_double();
    }
    case Type::string: return v.string;
    case Type::boolean: return v.boolean;
    case Type::list: {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : v.list) out.push_back(plain_json(item));
      return out;
    }
    case Type::record: {
      nlohmann::json out = nlohmann::json::object();
      for (const auto& [k, item] : v.record) out[k] = plain_json(item);
      return out;
    }
    default: return render_value(v);
  }
}

}  // namespace sftx
