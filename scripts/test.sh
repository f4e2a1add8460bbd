#!/usr/bin/env bash
# Installs the dependencies, builds everything, starts a private Slurm cluster
# (scripts/slurm/start.sh) and runs the whole test suite, including the Slurm executor's
# end-to-end test and the parity checks against the Python peers (scripts/peers/: transformers, PyTorch 2.x,
# tokenizers), whose environment is built from PyPI beside the C++ build. Then the torch side
# again against that environment's torch 2.x wheel, with its tests (scripts/build-torch2.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

# The peer environment downloads ~3 GB and unpacks it while the C++ build keeps the cores
# busy; its log goes to build/peers-setup.log. If it cannot be built (no network), the peers:
# tests report SKIPPED, and this script says so loudly at the end.
mkdir -p build
bash scripts/peers/setup.sh >build/peers-setup.log 2>&1 &
peers_setup=$!

cmake -S . -B build -G Ninja
cmake --build build -j"$(nproc)"

peers_ok=1
wait "$peers_setup" || peers_ok=0
if ((peers_ok == 0)); then
  echo "test.sh: WARNING: the peer environment could not be built (build/peers-setup.log):" >&2
  tail -n 20 build/peers-setup.log >&2
fi
# A private single-node Slurm cluster for the e2e:slurm test (sftx run --executor slurm),
# stopped when this script ends however it ends. Without it that test reports SKIPPED.
slurm_ok=1
if slurm_env=$(bash scripts/slurm/start.sh build/slurm); then
  eval "$slurm_env"
  trap 'bash scripts/slurm/stop.sh build/slurm' EXIT
else
  slurm_ok=0
  echo "test.sh: WARNING: the local Slurm cluster did not start (build/slurm/log); e2e:slurm will be skipped" >&2
fi
ctest --test-dir build --output-on-failure -j"$(nproc)"
# The second LibTorch flavour (docs/gpu.md): the torch side built against the peer environment's
# torch 2.x wheel (build-torch2/), and the tests labelled `torch` run on it. It needs that
# environment; without it the flavour is skipped, and said so below.
torch2_ok=0
if ((peers_ok)); then
  bash scripts/build-torch2.sh
  torch2_ok=1
fi
if ((peers_ok == 0)); then
  echo "test.sh: WARNING: the peers: parity tests were skipped (no peer environment)" >&2
fi
if ((torch2_ok == 0)); then
  echo "test.sh: WARNING: the torch 2.x flavour (scripts/build-torch2.sh) was not built (no peer environment)" >&2
fi
if ((slurm_ok == 0)); then
  echo "test.sh: WARNING: the e2e:slurm test was skipped (no Slurm cluster)" >&2
fi
