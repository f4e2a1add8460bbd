#include "interpreter/front/stage_key.h"

#include <catch2/catch.hpp>

TEST_CASE("keys depend on op, params and input keys, not on key order in objects", "[stage_key]") {
  using nlohmann::json;
  json a = sftx::key_description("data", "scale", {{"k", "1/4"}, {"seed", 0}}, {"abc"});
  json b = sftx::key_description("data", "scale", json::parse(R"({"seed": 0, "k": "1/4"})"), {"abc"});
  CHECK(sftx::node_key(a) == sftx::node_key(b));
  CHECK(sftx::node_key(a).size() == 64);
  json other_k = sftx::key_description("data", "scale", {{"k", "1/16"}, {"seed", 0}}, {"abc"});
  json other_input = sftx::key_description("data", "scale", {{"k", "1/4"}, {"seed", 0}}, {"abd"});
  json other_op = sftx::key_description("data", "mix", {{"k", "1/4"}, {"seed", 0}}, {"abc"});
  CHECK(sftx::node_key(a) != sftx::node_key(other_k));
  CHECK(sftx::node_key(a) != sftx::node_key(other_input));
  CHECK(sftx::node_key(a) != sftx::node_key(other_op));
  CHECK(sftx::canonical_json(a).find(sftx::kKeySalt) != std::string::npos);
}
