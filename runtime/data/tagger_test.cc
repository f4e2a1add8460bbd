#include "runtime/data/tagger.h"

#include <catch2/catch.hpp>

using namespace sftx::rt;
using V = std::vector<std::string>;

TEST_CASE("code is recognised by fences, code lines and programming words") {
  CHECK(rule_tags("Here:\n```\nx\n```") == V{"code"});
  CHECK(rule_tags("Try this:\n    def area(r):\n        pass") == V{"code"});
  CHECK(rule_tags("from os import path") == V{"code"});
  CHECK(rule_tags("How do I reverse a list in Python?") == V{"code"});
  CHECK(rule_tags("Write a JavaScript snippet") == V{"code"});
}

TEST_CASE("math is recognised by answers, arithmetic and maths words") {
  CHECK(rule_tags("so she has 12 apples.\n#### 12") == V{"math"});
  CHECK(rule_tags("3 * 4 = <<3*4=12>>12") == V{"math"});
  CHECK(rule_tags("What is 17 + 25?") == V{"math"});
  CHECK(rule_tags("Solve for the unknown") == V{"math"});
  CHECK(rule_tags("Please calculate the total") == V{"math"});
}

TEST_CASE("everyday text gets no tags, both can apply") {
  CHECK(rule_tags("What is a good name for a goldfish? Maybe Bubbles.").empty());
  CHECK(rule_tags("I met 3 friends in 2019 and we went hiking.").empty());
  CHECK(rule_tags("Write a Python function to calculate 2 + 2") == V{"code", "math"});
}

TEST_CASE("dates and ranges are not arithmetic") {
  CHECK(rule_tags("From 2019-2020 I lived there, on 1/2/2020, 3-4 times a week.").empty());
  CHECK(rule_tags("It costs 12 - 5 dollars") == V{"math"});
}
