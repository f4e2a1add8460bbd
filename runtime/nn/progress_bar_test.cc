#include "runtime/nn/progress_bar.h"

#include <catch2/catch.hpp>

using namespace sftx::rt;

TEST_CASE("the progress bar shows fraction, rate and ETA", "[progress_bar]") {
  std::string bar = format_progress_bar("train", 25, 100, 10.0, "loss 2.31", 20);
  CHECK_THAT(bar, Catch::StartsWith("train [#####...............] 25/100  25%"));
  CHECK_THAT(bar, Catch::Contains("2.5 it/s"));
  CHECK_THAT(bar, Catch::Contains("ETA 0:30"));
  CHECK_THAT(bar, Catch::EndsWith("loss 2.31"));
  CHECK_THAT(format_progress_bar("eval", 1, 0, 4.0, ""), Catch::Contains("4.0 s/it"));
  CHECK(format_duration(3725) == "1:02:05");
  CHECK(format_duration(61.4) == "1:01");
}
