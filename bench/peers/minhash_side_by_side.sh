#!/usr/bin/env bash
# MinHash near-duplicate removal: sftx's dedup("minhash") beside datasketch's MinHashLSH on the
# same generated corpus (same word 5-gram shingles, 128 permutations, threshold 0.85), one core
# each (taskset -c 1; sftx with SFTX_THREADS=1), CPU seconds of each side. Runs
# scripts/peers/minhash_parity.py --bench in the peer environment (scripts/peers/setup.sh) and
# prints its quality table and the docs/s per core of both.
#
#   bash bench/peers/minhash_side_by_side.sh [BUILD_DIR] [FAMILIES]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
families=${2:-1500}
[[ -x "$build/sftx" ]] || { echo "build $build/sftx first (cmake --build $build --target sftx)" >&2; exit 2; }
echo "# $(date -u +%F) $(nproc) cores, pinned to core 1; $(lscpu | sed -n 's/^Model name: *//p')"
taskset -c 1 bash scripts/peers/run.sh minhash_parity.py --sftx "$build/sftx" --work "$build/minhash-bench" \
  --families "$families" --bench
