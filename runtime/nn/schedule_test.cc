#include "runtime/nn/schedule.h"

#include <cmath>

#include <catch2/catch.hpp>

using namespace sftx::rt;

TEST_CASE("warmup rises linearly from 0 and uses HF's ceil for the step count", "[schedule]") {
  auto s = LrSchedule::make("cosine", 1e-3, 0.03, 100);
  CHECK(s.warmup_steps == 3);
  CHECK(s.lr_at(0) == 0.0);
  CHECK(s.lr_at(1) == Approx(1e-3 / 3));
  CHECK(s.lr_at(2) == Approx(2e-3 / 3));
  CHECK(s.lr_at(3) == Approx(1e-3));  // peak right after warmup
}

TEST_CASE("cosine, linear and constant decay as HF computes them", "[schedule]") {
  auto cos = LrSchedule::make("cosine", 2.0, 0.1, 110);  // warmup 11, decay over 99
  CHECK(cos.lr_at(11) == Approx(2.0));
  CHECK(cos.lr_at(11 + 33) == Approx(1.0 + std::cos(3.14159265358979 / 3)));
  CHECK(cos.lr_at(11 + 99) == Approx(0.0).margin(1e-12));
  auto lin = LrSchedule::make("linear", 2.0, 0.0, 10);
  CHECK(lin.warmup_steps == 0);
  CHECK(lin.lr_at(0) == Approx(2.0));
  CHECK(lin.lr_at(5) == Approx(1.0));
  CHECK(lin.lr_at(9) == Approx(0.2));
  auto con = LrSchedule::make("constant", 0.5, 0.5, 4);
  CHECK(con.lr_at(1) == Approx(0.25));
  CHECK(con.lr_at(3) == Approx(0.5));
}

TEST_CASE("bad schedules are rejected with the accepted names", "[schedule]") {
  CHECK_THROWS_WITH(LrSchedule::make("step", 1, 0, 10), Catch::Contains("cosine, linear or constant"));
  CHECK_THROWS_WITH(LrSchedule::make("cosine", 1, 1.5, 10), Catch::Contains("warmup"));
  CHECK_THROWS(LrSchedule::make("cosine", 1, 0, 0));
}
