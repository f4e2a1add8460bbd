#include "runtime/base/json_depth.h"

#include <string>

#include <catch2/catch.hpp>

using namespace sftx::rt;

TEST_CASE("json depth: counts open brackets outside strings", "[json_depth]") {
  CHECK_FALSE(json_nests_deeper_than("{\"a\": [1, {\"b\": []}]}", 4));  // { [ { [
  CHECK(json_nests_deeper_than("{\"a\": [1, {\"b\": []}]}", 3));
  CHECK_FALSE(json_nests_deeper_than("[\"[[[[\\\"[[[\", {}]", 2));  // brackets in a string, an escaped quote
  CHECK_FALSE(json_nests_deeper_than("[][][][][]", 1));              // siblings do not add up
  CHECK_FALSE(json_nests_deeper_than("]]]][", 1));                   // malformed: the parser's job
  CHECK(json_nests_deeper_than(std::string(200000, '['), kMaxJsonDepth));
}
