// The worker's inference verbs (generate, logprobs, hidden, logits; runtime/api.h): each reads the
// JSONL files its request names, runs the model in length-sorted batches, and writes its output
// file atomically in the input's order. sftx-worker's verbs call them.
#pragma once

#include "runtime/api.h"

namespace sftx::rt {

// Each loads request.checkpoint_dir on request.device, reports progress, and returns the verb's
// result. Errors name the input file and line.
GenerateResult run_generate(const GenerateRequest& request);
LogprobResult run_token_logprobs(const LogprobRequest& request);
HiddenStatesResult run_hidden_states(const HiddenStatesRequest& request);
// Writes out_bin atomically.
LogitsResult run_logits(const LogitsRequest& request);

}  // namespace sftx::rt
