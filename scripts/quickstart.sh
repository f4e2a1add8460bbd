#!/usr/bin/env bash
# Installs the dependencies, builds sftx and runs the quickstart experiment end to end on CPU:
# synthetic data, a SentencePiece tokenizer, two training plans on a nano model, evaluation,
# and the results table (runs/quickstart/latest/).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja
cmake --build build -j"$(nproc)" --target sftx sftx-worker
./build/sftx check experiments/quickstart.sftx
./build/sftx plan experiments/quickstart.sftx
./build/sftx run experiments/quickstart.sftx
