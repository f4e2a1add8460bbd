#include "runtime/eval/ifeval_instructions.h"

#include <catch2/catch.hpp>

using namespace sftx::rt;
using nlohmann::json;

namespace {
bool f(const std::string& id, const json& kw, const std::string& response) {
  return follows_instruction(id, kw, response);
}
}  // namespace

TEST_CASE("ifeval: at least 12 instruction types under the public ids", "[ifeval]") {
  CHECK(ifeval_instruction_ids().size() >= 12);
  for (const char* id : {"punctuation:no_comma", "change_case:english_capital", "change_case:english_lowercase",
                         "detectable_format:number_bullet_lists", "keywords:existence", "keywords:forbidden_words",
                         "length_constraints:number_words", "length_constraints:number_sentences",
                         "length_constraints:number_paragraphs", "startend:end_checker", "startend:quotation",
                         "detectable_format:title", "detectable_format:json_format", "detectable_content:postscript"})
    CHECK(is_known_ifeval_instruction(id));
  CHECK_THROWS_WITH(f("nonsense:x", json::object(), "x"), Catch::Contains("unknown IFEval instruction"));
}

TEST_CASE("ifeval: punctuation and case", "[ifeval]") {
  CHECK(f("punctuation:no_comma", {}, "No commas here."));
  CHECK_FALSE(f("punctuation:no_comma", {}, "One, two."));
  CHECK(f("change_case:english_capital", {}, "ALL CAPS, 100%."));
  CHECK_FALSE(f("change_case:english_capital", {}, "ALL CAPS but one."));
  CHECK(f("change_case:english_lowercase", {}, "only lower case."));
  CHECK_FALSE(f("change_case:english_lowercase", {}, "Not lower."));
}

TEST_CASE("ifeval: bullets, title, json, highlights, placeholders", "[ifeval]") {
  json two{{"num_bullets", 2}};
  CHECK(f("detectable_format:number_bullet_lists", two, "Intro\n* first\n- second\n"));
  CHECK_FALSE(f("detectable_format:number_bullet_lists", two, "* a\n* b\n* c"));
  CHECK_FALSE(f("detectable_format:number_bullet_lists", two, "**bold** line\n* a"));  // "**" is no bullet
  CHECK(f("detectable_format:title", {}, "<<My Poem>>\nRoses are red."));
  CHECK_FALSE(f("detectable_format:title", {}, "<< >> nothing"));
  CHECK_FALSE(f("detectable_format:title", {}, "<<broken\ntitle>>"));
  CHECK(f("detectable_format:json_format", {}, "```json\n{\"a\": [1, 2]}\n```"));
  CHECK(f("detectable_format:json_format", {}, "  [1, 2, 3] "));
  CHECK_FALSE(f("detectable_format:json_format", {}, "{a: 1}"));
  CHECK(f("detectable_format:number_highlighted_sections", {{"num_highlights", 2}}, "*one* and **two**"));
  CHECK_FALSE(f("detectable_format:number_highlighted_sections", {{"num_highlights", 2}}, "*one* and * *"));
  CHECK(f("detectable_content:number_placeholders", {{"num_placeholders", 2}}, "Dear [name], at [address]."));
  CHECK_FALSE(f("detectable_content:number_placeholders", {{"num_placeholders", 2}}, "Dear [name]."));
}

TEST_CASE("ifeval: keywords", "[ifeval]") {
  json kw{{"keywords", {"Paris", "river"}}};
  CHECK(f("keywords:existence", kw, "The RIVER runs through paris."));
  CHECK_FALSE(f("keywords:existence", kw, "Paris is nice."));
  json forbidden{{"forbidden_words", {"cat", "dog"}}};
  CHECK(f("keywords:forbidden_words", forbidden, "A concatenated catalogue."));
  CHECK_FALSE(f("keywords:forbidden_words", forbidden, "My Dog barks."));
  json freq{{"keyword", "data"}, {"frequency", 2}, {"relation", "at least"}};
  CHECK(f("keywords:frequency", freq, "Data, more data."));
  CHECK_FALSE(f("keywords:frequency", freq, "Only one data point."));
}

TEST_CASE("ifeval: length constraints", "[ifeval]") {
  CHECK(f("length_constraints:number_words", {{"relation", "less than"}, {"num_words", 5}}, "One two three four."));
  CHECK_FALSE(f("length_constraints:number_words", {{"relation", "less than"}, {"num_words", 4}}, "One two three four."));
  CHECK(f("length_constraints:number_words", {{"relation", "at least"}, {"num_words", 4}}, "One two three four."));
  CHECK(f("length_constraints:number_sentences", {{"relation", "at least"}, {"num_sentences", 3}}, "Yes. No! Why?"));
  CHECK_FALSE(f("length_constraints:number_sentences", {{"relation", "less than"}, {"num_sentences", 3}}, "Yes. No! Why?"));
  json three{{"num_paragraphs", 3}};
  CHECK(f("length_constraints:number_paragraphs", three, "First.\n***\nSecond.\n***\nThird."));
  CHECK(f("length_constraints:number_paragraphs", three, "***\nFirst.\n***\nSecond.\n***\nThird.\n***"));
  CHECK_FALSE(f("length_constraints:number_paragraphs", three, "First.\n***\n***\nThird."));
  CHECK_FALSE(f("length_constraints:number_paragraphs", three, "First.\n\nSecond.\n\nThird."));
  CHECK_THROWS_WITH(f("length_constraints:number_words", {{"relation", "about"}, {"num_words", 4}}, "x"),
                    Catch::Contains("relation"));
  CHECK_THROWS_WITH(f("length_constraints:number_words", {{"relation", "at least"}}, "x"),
                    Catch::Contains("num_words"));
}

TEST_CASE("ifeval: start/end, quotation, postscript, repeat", "[ifeval]") {
  CHECK(f("startend:end_checker", {{"end_phrase", "Any other questions?"}}, "Done. any other questions?  \n"));
  CHECK_FALSE(f("startend:end_checker", {{"end_phrase", "Any other questions?"}}, "Any other questions? Bye."));
  CHECK(f("startend:quotation", {}, "  \"quoted\"\n"));
  CHECK_FALSE(f("startend:quotation", {}, "\"half"));
  CHECK(f("detectable_content:postscript", {{"postscript_marker", "P.S."}}, "Hello.\n\nP.S. See you."));
  CHECK(f("detectable_content:postscript", {{"postscript_marker", "P.P.S"}}, "Hi\np. p. s more"));
  CHECK_FALSE(f("detectable_content:postscript", {{"postscript_marker", "P.S."}}, "Hello. PS see you."));
  CHECK(f("detectable_content:postscript", {{"postscript_marker", "Note:"}}, "x\nNOTE: y"));
  CHECK(f("combination:repeat_prompt", {{"prompt_to_repeat", "Write a poem."}}, "write a poem. Roses..."));
  CHECK_FALSE(f("combination:repeat_prompt", {{"prompt_to_repeat", "Write a poem."}}, "Roses..."));
}

// The expected values below are lm-eval's (scripts/peers/ifeval_parity.py compares ~3000
// instructions with the package itself).
TEST_CASE("ifeval: the public regexes, greedy and multi-line as Python runs them", "[ifeval]") {
  // <<[^\n]+>> is greedy: "<<>> x >>" is one title with "> x" inside.
  CHECK(f("detectable_format:title", {}, "<<>> x >>"));
  CHECK(f("detectable_format:title", {}, "<< >> and <<>>"));  // ">> and <<" is inside
  CHECK_FALSE(f("detectable_format:title", {}, "<< >>\n<<>>"));
  // [^\*] may be the newline after a lone "*": that line and the next count as one bullet.
  CHECK(f("detectable_format:number_bullet_lists", {{"num_bullets", 1}}, "*\nfoo"));
  // A keyword is a case-insensitive regular expression, not a literal.
  CHECK(f("keywords:existence", {{"keywords", {"c.t"}}}, "The CAT sat."));
  CHECK(f("keywords:frequency", {{"keyword", " dog "}, {"frequency", 2}, {"relation", "at least"}}, "Dog, dog!"));
  // The end phrase is compared with the surrounding double quotes dropped.
  CHECK(f("startend:end_checker", {{"end_phrase", "Bye."}}, "\"Hello. Bye.\""));
  // \s? in the postscript pattern matches a newline too.
  CHECK(f("detectable_content:postscript", {{"postscript_marker", "P.P.S"}}, "p.\np.s later"));
  // \w is Unicode: "café — naïve" is two words; isupper() knows non-ASCII letters.
  CHECK(f("length_constraints:number_words", {{"relation", "less than"}, {"num_words", 3}}, "café — naïve"));
  CHECK_FALSE(f("change_case:english_capital", {}, "CAFé"));
  CHECK(f("change_case:english_capital", {}, "CAFÉ"));
  CHECK_FALSE(f("change_case:english_lowercase", {}, "ǅemal"));  // a titlecase letter
}

TEST_CASE("ifeval: letters, constrained answers, sections, first words, two responses", "[ifeval]") {
  json a3{{"letter", "A"}, {"let_frequency", 3}, {"let_relation", "at least"}};
  CHECK(f("keywords:letter_frequency", a3, "Aa a"));
  CHECK_FALSE(f("keywords:letter_frequency", a3, "Aa"));
  CHECK_THROWS_WITH(f("keywords:letter_frequency", {{"letter", "ab"}, {"let_frequency", 1}, {"let_relation", "at least"}}, "x"),
                    Catch::Contains("letter"));
  CHECK(f("detectable_format:constrained_response", {}, "  Well. My answer is maybe.  "));
  CHECK_FALSE(f("detectable_format:constrained_response", {}, "My answer is yes"));
  json sections{{"section_spliter", "Section"}, {"num_sections", 2}};
  CHECK(f("detectable_format:multiple_sections", sections, "Section 1\nx\nSection 2\ny"));
  CHECK_FALSE(f("detectable_format:multiple_sections", sections, "Section 1\nx\nsection 2\ny"));
  json second{{"num_paragraphs", 2}, {"nth_paragraph", 2}, {"first_word", "Then"}};
  CHECK(f("length_constraints:nth_paragraph_first_word", second, "First.\n\n\"Then, more."));
  CHECK_FALSE(f("length_constraints:nth_paragraph_first_word", second, "First.\n\nThenceforth."));
  CHECK_FALSE(f("length_constraints:nth_paragraph_first_word", second, "First.\n\nThen.\n\nThird."));
  CHECK(f("combination:two_responses", {}, "One.\n******\nTwo."));
  CHECK_FALSE(f("combination:two_responses", {}, "One.\n******\nOne."));
  CHECK_FALSE(f("combination:two_responses", {}, "One.\n******\n\n******\nTwo."));
}

TEST_CASE("ifeval: capital word frequency counts nltk's upper-case tokens", "[ifeval]") {
  auto at_least = [](int n) { return json{{"capital_frequency", n}, {"capital_relation", "at least"}}; };
  auto less_than = [](int n) { return json{{"capital_frequency", n}, {"capital_relation", "less than"}}; };
  // "I", "CA", "N'T", "U.S." : 4 (a contraction is two tokens; "U.S." is one)
  const std::string text = "I CAN'T visit the U.S. today.";
  CHECK(f("change_case:capital_word_frequency", at_least(4), text));
  CHECK_FALSE(f("change_case:capital_word_frequency", at_least(5), text));
  CHECK(f("change_case:capital_word_frequency", less_than(5), text));
  CHECK_FALSE(f("change_case:capital_word_frequency", less_than(4), text));
  CHECK(f("change_case:capital_word_frequency", at_least(1), "X-RAY vision"));      // hyphenated: one word
  CHECK_FALSE(f("change_case:capital_word_frequency", at_least(1), "Mr. Smith, 42."));  // no cased-only-upper token
  CHECK_THROWS_WITH(f("change_case:capital_word_frequency", {{"capital_frequency", 2}, {"capital_relation", "at most"}}, "A"),
                    Catch::Contains("capital_relation"));
  CHECK_THROWS_WITH(f("change_case:capital_word_frequency", {{"capital_relation", "at least"}}, "A"),
                    Catch::Contains("capital_frequency"));
}
