// The everyday topics `general` conversations are about: what users ask and the advice an
// assistant gives. Plain data; general.cc composes conversations from it.
#pragma once

#include <string>
#include <vector>

namespace sftx::rt::synth {

struct Topic {
  std::string name;
  std::vector<std::string> subjects;   // fill {x} in questions
  std::vector<std::string> questions;  // first user turns, with {x}
  std::vector<std::string> tips;       // advice sentences (complete, no commas needed)
  std::vector<std::string> mistakes;   // for "what should I avoid?"
  std::vector<std::string> keywords;   // words an instruction may require
};

const std::vector<Topic>& general_topics();

}  // namespace sftx::rt::synth
