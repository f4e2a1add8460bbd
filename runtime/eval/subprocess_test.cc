#include "runtime/eval/subprocess.h"

#include <catch2/catch.hpp>

using namespace sftx::rt;

TEST_CASE("subprocess: input in, output and status out", "[subprocess]") {
  auto r = run_process({"sh", "-c", "tr a-z A-Z; echo oops >&2; exit 3"}, "hello");
  CHECK(r.stdout_text == "HELLO");
  CHECK(r.stderr_text == "oops\n");
  CHECK(r.exit_code == 3);
  CHECK_FALSE(r.ok());
}

TEST_CASE("subprocess: large input does not deadlock, timeouts kill", "[subprocess]") {
  std::string big(1 << 20, 'x');
  auto r = run_process({"wc", "-c"}, big);
  CHECK(r.ok());
  CHECK(std::stol(r.stdout_text) == (1 << 20));
  auto slow = run_process({"sleep", "30"}, "", 0.3);
  CHECK(slow.timed_out);
  CHECK_THROWS_WITH(run_process({"/nonexistent/program"}), Catch::Contains("cannot run"));
}
