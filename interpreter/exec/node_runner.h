// Runs one plan node through runtime/api.h: the op -> runtime call table of the executor.
//
// Inputs are read from the input nodes' cache objects (object_layout.h names the files);
// outputs are written to the staging directory the executor gives. Training writes to the
// node's persistent work directory first (so a killed run resumes from work/<key>/state)
// and moves the finished model into the object.
#pragma once

#include <nlohmann/json.hpp>

#include "interpreter/exec/executor.h"
#include "runtime/api.h"

namespace sftx::exec {

struct RunSettings {
  rt::Device device;
  // Data-parallel ranks per training stage, and the launcher that starts them
  // (runtime/launch/worker_launcher.h; "" = local for 1, multi-rank local above). Not part of
  // any key: the global batch is, and it does not change with the ranks (docs/distributed.md).
  int nproc = 1;
  std::string launcher;
};

// The NodeFn for the real runtime. Throws NodeError (what went wrong, naming the node's op)
// when a node cannot run.
NodeFn make_node_runner(RunSettings settings);

}  // namespace sftx::exec
