#include "runtime/eval/ifeval.h"

#include <catch2/catch.hpp>

using namespace sftx::rt;
using nlohmann::json;

TEST_CASE("ifeval: items from record meta", "[ifeval]") {
  json meta{{"instruction_id_list", {"punctuation:no_comma", "length_constraints:number_words"}},
            {"kwargs", {json::object(), {{"relation", "less than"}, {"num_words", 10}, {"unused", nullptr}}}}};
  auto item = ifeval_item_from_json(meta);
  REQUIRE(item.instruction_ids.size() == 2);
  CHECK(item.kwargs[1]["num_words"] == 10);
  CHECK_THROWS_WITH(ifeval_item_from_json(json{{"instruction_id_list", {"bogus:id"}}}), Catch::Contains("bogus:id"));
  CHECK_THROWS(ifeval_item_from_json(json{{"instruction_id_list", {"punctuation:no_comma"}}, {"kwargs", {{}, {}}}}));
  CHECK(ifeval_item_from_json(json{{"instruction_id_list", {"startend:quotation"}}}).kwargs.size() == 1);
}

TEST_CASE("ifeval: the 8 loose variants", "[ifeval]") {
  auto v = ifeval_loose_variants("Sure!\n**Body**\nBye");
  REQUIRE(v.size() == 8);
  CHECK(v[0] == "Sure!\n**Body**\nBye");
  CHECK(v[1] == "Sure!\nBody\nBye");
  CHECK(v[2] == "**Body**\nBye");
  CHECK(v[3] == "Sure!\n**Body**");
  CHECK(v[4] == "**Body**");
  CHECK(v[5] == "Body\nBye");
  CHECK(v[6] == "Sure!\nBody");
  CHECK(v[7] == "Body");
}

TEST_CASE("ifeval: strict and loose, prompt- and instruction-level (hand-computed)", "[ifeval]") {
  // Prompt A: lowercase + quotation. The response has a chatty first line in capitals:
  //   strict: lowercase fails, quotation fails; loose (first line removed): both pass.
  IfevalItem a{{"change_case:english_lowercase", "startend:quotation"}, {json::object(), json::object()}};
  std::string ra = "Sure! Here it is:\n\"all lower case here\"";
  // Prompt B: no comma + end phrase; follows both strictly.
  IfevalItem b{{"punctuation:no_comma", "startend:end_checker"}, {json::object(), {{"end_phrase", "The end."}}}};
  std::string rb = "A story without pauses. The end.";
  // Prompt C: title + at least 5 words; markdown stars break nothing, but only 3 words: words fail
  //   strictly and loosely; the title passes.
  IfevalItem c{{"detectable_format:title", "length_constraints:number_words"},
               {json::object(), {{"relation", "at least"}, {"num_words", 5}}}};
  std::string rc = "<<Title>> two words";
  // Prompt D: an empty response follows nothing, even "no comma".
  IfevalItem d{{"punctuation:no_comma"}, {json::object()}};
  std::string rd = "   ";

  auto va = check_ifeval(a, ra);
  CHECK(va.strict == std::vector<bool>{false, false});
  CHECK(va.loose == std::vector<bool>{true, true});
  auto vb = check_ifeval(b, rb);
  CHECK(vb.strict_all);
  auto vc = check_ifeval(c, rc);
  CHECK(vc.strict == std::vector<bool>{true, false});
  CHECK(vc.loose == std::vector<bool>{true, false});
  auto vd = check_ifeval(d, rd);
  CHECK_FALSE(vd.strict_all);
  CHECK_FALSE(vd.loose_all);

  auto s = summarize_ifeval({va, vb, vc, vd});
  CHECK(s.prompts == 4);
  CHECK(s.instructions == 7);
  CHECK(s.prompt_strict == Approx(1.0 / 4));        // B
  CHECK(s.prompt_loose == Approx(2.0 / 4));         // A, B
  CHECK(s.instruction_strict == Approx(3.0 / 7));   // B's two, C's title
  CHECK(s.instruction_loose == Approx(5.0 / 7));    // + A's two
  CHECK(s.to_json()["prompt_loose"] == 0.5);
}
