// The Punkt port against nltk 3.10.4's nltk.sent_tokenize (English punkt_tab model) on texts that
// take each of its decisions; scripts/peers/ifeval_parity.py compares thousands more with nltk
// itself.
#include "runtime/eval/punkt.h"

#include <catch2/catch.hpp>

#include "runtime/eval/nltk_word_tokenize.h"

using namespace sftx::rt;
using Views = std::vector<std::string_view>;

TEST_CASE("punkt: abbreviations, initials and numbers keep a sentence together", "[ifeval][punkt]") {
  // "Dr." and "Jan." are abbreviations of the model; "p.m." an abbreviation before a lower-case
  // word; "3." an ordinal-like number, where the orthographic heuristic decides.
  CHECK(punkt_sentences("Dr. Smith went to Washington. He arrived at 5 p.m. on Jan. 3. It was late!") ==
        Views{"Dr. Smith went to Washington.", "He arrived at 5 p.m. on Jan. 3.", "It was late!"});
  CHECK(punkt_sentences("J. R. R. Tolkien wrote it. The end.") == Views{"J. R. R. Tolkien wrote it.", "The end."});
  // An abbreviation followed by a frequent sentence starter ("The") ends a sentence too.
  CHECK(punkt_sentences("The U.S. economy grew. Inc. The company said so.") ==
        Views{"The U.S. economy grew.", "Inc.", "The company said so."});
  CHECK(punkt_sentences("Mr. and Mrs. Jones arrived. they were late.") ==
        Views{"Mr. and Mrs. Jones arrived.", "they were late."});
  CHECK(punkt_sentences("In 1990. Then came 1991.") == Views{"In 1990.", "Then came 1991."});
  CHECK(punkt_sentences("It costs 3.14 dollars... Really? Yes.") ==
        Views{"It costs 3.14 dollars... Really?", "Yes."});
}

TEST_CASE("punkt: closing quotes and brackets stay with the sentence they close", "[ifeval][punkt]") {
  CHECK(punkt_sentences("(Sent1.) Sent2.") == Views{"(Sent1.)", "Sent2."});
  CHECK(punkt_sentences("He said \"stop.\" Then he ran.") == Views{"He said \"stop.\"", "Then he ran."});
  CHECK(punkt_sentences("She quoted \u201cthe end.\u201d Then left.") ==
        Views{"She quoted \u201cthe end.\u201d", "Then left."});
  CHECK(punkt_sentences("A.). B") == Views{"A.).", "B"});
  CHECK(punkt_sentences("Very bad acting!!! I promise.") == Views{"Very bad acting!!!", "I promise."});
  CHECK(punkt_sentences("He said CAN'T. Then I'M.  Why? No!\"Yes.\" done") ==
        Views{"He said CAN'T.", "Then I'M.", "Why?", "No!\"Yes.\"", "done"});
}

TEST_CASE("punkt: line breaks, white space and empty text", "[ifeval][punkt]") {
  CHECK(punkt_sentences("First line.\nSecond line.\n\nNew paragraph.") ==
        Views{"First line.", "Second line.", "New paragraph."});
  CHECK(punkt_sentences("").empty());
  CHECK(punkt_sentences("   ").empty());
  CHECK(punkt_sentences("no end mark") == Views{"no end mark"});
}

TEST_CASE("nltk word tokenize: a contraction before a sentence's end is split, as nltk does", "[ifeval]") {
  using Tokens = std::vector<std::string>;
  CHECK(nltk_word_tokenize("I CAN'T. WE WANNA. OK") == Tokens{"I", "CA", "N'T", ".", "WE", "WAN", "NA", ".", "OK"});
}
