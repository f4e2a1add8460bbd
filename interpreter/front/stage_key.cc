#include "interpreter/front/stage_key.h"

#include "interpreter/front/sha256.h"

namespace sftx {

nlohmann::json key_description(const std::string& kind, const std::string& op, const nlohmann::json& params,
                               const std::vector<std::string>& input_keys) {
  return {{"salt", kKeySalt}, {"kind", kind}, {"op", op}, {"params", params}, {"inputs", input_keys}};
}

std::string canonical_json(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

std::string node_key(const nlohmann::json& description) { return sha256_hex(canonical_json(description)); }

}  // namespace sftx
