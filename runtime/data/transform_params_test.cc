#include "runtime/data/transform_params.h"

#include <catch2/catch.hpp>

#include "runtime/data/data_error.h"

using namespace sftx::rt;
using nlohmann::json;

TEST_CASE("parse_fraction is exact") {
  auto eq = [](Fraction f, int64_t n, int64_t d) { return f.num == n && f.den == d; };
  CHECK(eq(parse_fraction("1/256"), 1, 256));
  CHECK(eq(parse_fraction("0.85"), 17, 20));
  CHECK(eq(parse_fraction("2e-5"), 1, 50000));
  CHECK(eq(parse_fraction("3"), 3, 1));
  CHECK(eq(parse_fraction("2/4"), 1, 2));
  CHECK_THROWS(parse_fraction("abc"));
  CHECK_THROWS(parse_fraction("1/0"));
}

TEST_CASE("parameters read numbers, rationals, lists, reject unknown names and types") {
  TransformParams p("filter", json{{"max_chars", "16000"}, {"threshold", "17/20"}, {"exclude_tags", "code"}, {"seed", 3}},
                    {"max_chars", "threshold", "exclude_tags", "flag"});
  CHECK(p.integer("max_chars", 0) == 16000);
  CHECK(p.number("threshold", 0) == Approx(0.85));
  CHECK(p.strings("exclude_tags") == std::vector<std::string>{"code"});
  CHECK(p.boolean("flag", true));
  CHECK_THROWS_WITH(TransformParams("filter", json{{"max_char", 3}}, {"max_chars"}),
                    "filter: unknown parameter \"max_char\" (expected max_chars)");
  TransformParams q("take", json{{"n", 2.5}, {"s", 1}}, {"n", "s"});
  CHECK_THROWS_AS(q.integer("n", 0), DataError);
  CHECK_THROWS_WITH(q.string("s", ""), "take: parameter \"s\" must be a string, not 1");
}
