#include "runtime/eval/nltk_word_tokenize.h"

#include <catch2/catch.hpp>

using namespace sftx::rt;
using Tokens = std::vector<std::string>;

// Expected tokens: nltk 3.10.4's NLTKWordTokenizer().tokenize on the same strings.
TEST_CASE("nltk word tokenize: the Treebank rules, as nltk applies them", "[ifeval]") {
  CHECK(treebank_tokenize("I CAN'T go to the U.S. today.") ==
        Tokens{"I", "CA", "N'T", "go", "to", "the", "U.S.", "today", "."});
  CHECK(treebank_tokenize("\"HELLO,\" she said: 'NASA's X-RAY (COVID-19) won't WORK!'") ==
        Tokens{"``", "HELLO", ",", "''", "she", "said", ":", "'", "NASA", "'s", "X-RAY", "(", "COVID-19", ")", "wo",
               "n't", "WORK", "!", "'"});
  CHECK(treebank_tokenize("I'm GONNA say CANNOT -- WANNA go... 3.14, $5 & #1") ==
        Tokens{"I", "'m", "GON", "NA", "say", "CAN", "NOT", "--", "WAN", "NA", "go", "...", "3.14", ",", "$", "5", "&",
               "#", "1"});
  CHECK(treebank_tokenize("JOHN'S car. It's 'TIS fine") == Tokens{"JOHN", "'S", "car.", "It", "'s", "'", "TIS", "fine"});
  CHECK(treebank_tokenize("Don't.") == Tokens{"Do", "n't", "."});
  CHECK(treebank_tokenize("a: b,c ``quoted'' «x»") == Tokens{"a", ":", "b", ",", "c", "``", "quoted", "''", "«", "x", "»"});
  CHECK(treebank_tokenize("").empty());
}
