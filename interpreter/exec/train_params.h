// A train node's plan parameters as the runtime structs they describe. The front end writes them
// (plan_build.cc: {"model": ModelSpec fields, "hyper": TrainHyper fields, "method": Method
// fields}, interpreter/front/plan_graph.h) and they are hashed into the stage's cache key; this is
// the interpreter's own reading of them, with the structs' field tables (runtime/api_fields.h),
// not the worker's wire protocol (runtime/launch/protocol.h), whose versions and rules for hand-
// written requests are no concern of a plan.
#pragma once

#include <nlohmann/json.hpp>

#include "runtime/api.h"

namespace sftx::exec {

struct TrainParams {
  rt::ModelSpec model;
  rt::TrainHyper hyper;
  rt::Method method;
};

// "model" and "hyper" must be there; "method" and any field may be absent (api.h's defaults).
// A key that is no field of its struct, or a value of the
// wrong type, throws std::runtime_error naming it: the front end and the runtime disagree, and
// training on a silently dropped setting would cache a result under the wrong key.
TrainParams train_params_of(const nlohmann::json& params);

}  // namespace sftx::exec
