#include "interpreter/front/did_you_mean.h"

#include <catch2/catch.hpp>

TEST_CASE("edit distance", "[did_you_mean]") {
  CHECK(sftx::edit_distance("", "") == 0);
  CHECK(sftx::edit_distance("kitten", "sitting") == 3);
  CHECK(sftx::edit_distance("threshhold", "threshold") == 1);
  CHECK(sftx::edit_distance("abc", "") == 3);
  CHECK(sftx::edit_distance("trian", "train") == 1);  // a swap of neighbours is one edit
  CHECK(sftx::edit_distance("ca", "abc") == 3);       // optimal string alignment, not Damerau
}

TEST_CASE("closest name suggests plausible typos only", "[did_you_mean]") {
  std::vector<std::string> keywords = {"method", "threshold", "num_perm", "ngram"};
  CHECK(sftx::did_you_mean("treshold", keywords) == "did you mean 'threshold'?");
  CHECK(sftx::did_you_mean("ngrams", keywords) == "did you mean 'ngram'?");
  CHECK(sftx::did_you_mean("zzz", keywords).empty());
  CHECK(sftx::did_you_mean("mehtod", keywords) == "did you mean 'method'?");
  CHECK(sftx::closest_name("Method", keywords) == std::optional<std::string>("method"));
  CHECK_FALSE(sftx::closest_name("method", {"method"}));  // itself is no suggestion
  CHECK(sftx::closest_name("genral", {"math", "code", "general"}) == std::optional<std::string>("general"));
}
