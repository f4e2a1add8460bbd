// The topics of micro-level `general` (training side) and `ifeval_test` (test side). Plain
// data; micro_general.cc composes conversations from it.
#pragma once

#include <string>
#include <vector>

#include "stdlib/synthetic/micro_split.h"

namespace sftx::rt::synth {

struct MicroTopic {
  std::string subject;                // fills the question: "Tell me about {subject}."
  std::vector<std::string> facts;     // short sentences an answer is made of
  std::vector<std::string> keywords;  // words a keywords:existence instruction may ask for
};

const std::vector<MicroTopic>& micro_topics(MicroSplit side);

}  // namespace sftx::rt::synth
