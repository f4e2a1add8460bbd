#include "runtime/eval/langdetect.h"

#include <algorithm>

#include <catch2/catch.hpp>

#include "runtime/eval/ifeval.h"
#include "runtime/eval/ifeval_instructions.h"
#include "runtime/eval/python_random.h"

using namespace sftx::rt;
using nlohmann::json;

// The expected values below are langdetect 1.0.9's under CPython 3.11 with
// DetectorFactory.seed = 0 (and random.Random(seed) for PythonRandom), printed by the peer
// environment (~/.cache/sftx/peers-venv); scripts/peers/ifeval_parity.py compares many more.

TEST_CASE("python_random: CPython's Mersenne Twister streams", "[langdetect]") {
  PythonRandom r(0);
  CHECK(r.getrandbits(32) == 3626764237U);
  CHECK(r.getrandbits(32) == 1654615998U);
  CHECK(r.getrandbits(32) == 3255389356U);
  CHECK(r.random() == 0.890243920837131);
  CHECK(r.gauss(0.0, 1.0) == 2.5110373812253317);
  CHECK(r.gauss(0.0, 1.0) == 0.6528772028059545);  // the cached second value
  CHECK(r.randbelow(1000) == 497);
  CHECK(r.randbelow(7) == 3);
  PythonRandom big(12345678901ULL);  // two 32-bit key words
  CHECK(big.getrandbits(32) == 4063089813U);
  r.seed_with(0);
  CHECK(r.getrandbits(32) == 3626764237U);
}

TEST_CASE("langdetect: the 55 profiles are compiled in", "[langdetect]") {
  const auto& langs = langdetect_languages();
  CHECK(langs.size() == 55);
  CHECK(std::is_sorted(langs.begin(), langs.end()));
  for (const char* code : {"en", "fr", "de", "es", "zh-cn", "zh-tw", "ja", "ru", "ar", "vi", "he"})
    CHECK(std::find(langs.begin(), langs.end(), code) != langs.end());
}

TEST_CASE("langdetect: clear texts in eight languages", "[langdetect]") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"en", "The quick brown fox jumps over the lazy dog. This is an English sentence about the weather."},
      {"fr", "Le renard brun rapide saute par-dessus le chien paresseux. C'est une phrase en français."},
      {"de", "Der schnelle braune Fuchs springt über den faulen Hund. Das ist ein deutscher Satz."},
      {"es", "El rápido zorro marrón salta sobre el perro perezoso. Esta es una frase en español."},
      {"zh-cn", "敏捷的棕色狐狸跳过了懒狗。这是一个中文句子。"},
      {"ja", "素早い茶色の狐が怠け者の犬を飛び越えます。これは日本語の文です。"},
      {"ru", "Быстрая коричневая лиса перепрыгивает через ленивую собаку. Это русское предложение."},
      {"ar", "الثعلب البني السريع يقفز فوق الكلب الكسول. هذه جملة باللغة العربية."},
      {"ko", "이것은 한국어로 쓰인 문장입니다. 언어 감지를 시험합니다."},
      {"hi", "यह हिंदी में लिखा गया एक वाक्य है। हम भाषा पहचान का परीक्षण कर रहे हैं।"},
  };
  for (const auto& [want, text] : cases) {
    INFO(text);
    CHECK(langdetect_detect(text) == want);
  }
  // Probabilities as langdetect computes them (to the last bit where the sum over languages
  // is added in the same order: sftx sorts the codes, langdetect takes os.listdir's order).
  auto en = langdetect_probabilities(cases[0].second);
  REQUIRE(en);
  REQUIRE(en->size() == 1);
  CHECK(en->at(0).second == Approx(0.9999964832671208).epsilon(1e-14));
}

TEST_CASE("langdetect: ambiguous and featureless texts", "[langdetect]") {
  // No n-gram of any profile: langdetect raises "No features in text"; URLs and mail
  // addresses are removed first.
  CHECK_FALSE(langdetect_detect("12345 !!! ???"));
  CHECK_FALSE(langdetect_detect("https://example.com/path?q=1 mail@example.org"));
  CHECK_FALSE(langdetect_detect(""));
  // Two languages: the seed decides (seed 0 says French, seed 1 English, as langdetect does).
  const std::string mixed = "This is English. Ceci est français.";
  auto p0 = langdetect_probabilities(mixed, 0);
  REQUIRE(p0);
  REQUIRE(p0->size() == 2);
  CHECK(p0->at(0).first == "fr");
  CHECK(p0->at(0).second == Approx(0.7142821251120365).epsilon(1e-12));
  CHECK(p0->at(1).first == "en");
  CHECK(langdetect_detect(mixed, 1) == "en");
  CHECK(langdetect_detect(mixed, 4) == "en");
  // All capitals: a word with two capitals in a row gives only its first letter's n-grams.
  auto caps = langdetect_probabilities("THE QUICK BROWN FOX JUMPS OVER THE LAZY DOG");
  REQUIRE(caps);
  REQUIRE(caps->size() == 2);
  CHECK(caps->at(0).first == "en");
  CHECK(caps->at(0).second == Approx(0.8571387862937907).epsilon(1e-12));
  CHECK(caps->at(1).first == "de");
  CHECK(langdetect_detect("Hi") == "nl");
}

TEST_CASE("langdetect: Vietnamese letters with combining marks read as the precomposed ones", "[langdetect]") {
  const std::string precomposed = "Tiếng Việt là ngôn ngữ của người Việt Nam.";
  const std::string combining = "Tiê\u0301ng Viê\u0323t là ngôn ngư\u0303 cu\u0309a ngươ\u0300i Viê\u0323t Nam.";
  auto a = langdetect_probabilities(precomposed), b = langdetect_probabilities(combining);
  REQUIRE(a);
  REQUIRE(b);
  CHECK(*a == *b);
  CHECK(a->at(0).first == "vi");
  CHECK(a->at(0).second == Approx(0.999999274116176).epsilon(1e-14));
}

TEST_CASE("ifeval: language:response_language", "[ifeval][langdetect]") {
  auto f = [](const json& kw, const std::string& response) {
    return follows_instruction("language:response_language", kw, response);
  };
  CHECK(is_known_ifeval_instruction("language:response_language"));
  CHECK(ifeval_instruction_ids().size() == 25);
  const std::string fr = "Le renard brun rapide saute par-dessus le chien paresseux. C'est une phrase en français.";
  const std::string ru = "Быстрая коричневая лиса перепрыгивает через ленивую собаку.";
  CHECK(f({{"language", "fr"}}, fr));
  CHECK_FALSE(f({{"language", "en"}}, fr));  // a response in the wrong language fails
  CHECK(f({{"language", "ru"}}, ru));
  CHECK_FALSE(f({{"language", "uk"}}, ru));
  CHECK(f({{"language", "ja"}}, "これは日本語の文です。"));
  CHECK_FALSE(f({{"language", "ko"}}, "これは日本語の文です。"));
  // Nothing langdetect can read: lm-eval counts the instruction as followed.
  CHECK(f({{"language", "de"}}, "42 + 17 = 59"));
  // The argument: required, a string, one of lm-eval's 30 codes (its build_description fails
  // on any other, "nl" and "zh-cn" included, though langdetect has them).
  CHECK_THROWS_WITH(f(json::object(), fr), Catch::Contains("missing argument \"language\""));
  CHECK_THROWS_WITH(f({{"language", 7}}, fr), Catch::Contains("\"language\" must be a string"));
  CHECK_THROWS_WITH(f({{"language", "zh"}}, fr), Catch::Contains("got \"zh\"") && Catch::Contains("fr (French)"));
  CHECK_THROWS_WITH(f({{"language", "nl"}}, fr), Catch::Contains("one of the 30 codes"));
  CHECK_THROWS_WITH(f({{"language", "French"}}, fr), Catch::Contains("language:response_language"));

  // Through the scorer: strict and loose, with other instructions beside it.
  const IfevalItem item = ifeval_item_from_json(
      {{"instruction_id_list", {"language:response_language", "punctuation:no_comma"}},
       {"kwargs", {{{"language", "es"}}, json::object()}}});
  const auto v = check_ifeval(item, "El rápido zorro marrón salta sobre el perro perezoso. Esta es una frase en español.");
  CHECK(v.strict == std::vector<bool>{true, true});
  CHECK(v.loose == std::vector<bool>{true, true});
  const auto w = check_ifeval(item, "The quick brown fox jumps over the lazy dog, twice.");
  CHECK(w.strict == std::vector<bool>{false, false});
}
