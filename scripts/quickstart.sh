#!/usr/bin/env bash
# Installs the dependencies, builds sftx and runs the quickstart experiment end to end on CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja
cmake --build build -j"$(nproc)" --target sftx
./build/sftx check experiments/quickstart.sftx
./build/sftx plan experiments/quickstart.sftx
