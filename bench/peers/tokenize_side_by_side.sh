#!/usr/bin/env bash
# tokenizer.json encoding: sftx's native implementation beside the `tokenizers` package (Rust),
# both on one core (taskset -c 1; tokenizers with TOKENIZERS_PARALLELISM=false, so encode_batch
# runs on one thread), on the five families scripts/peers/tokenizers_parity.py trains locally
# and the same test strings its parity check compares (ids checked equal first). Prints MB/s of
# UTF-8 text for sftx, for tokenizers' encode called per string from Python, and for its
# encode_batch (no per-call overhead), medians of interleaved rounds.
#
#   bash bench/peers/tokenize_side_by_side.sh [BUILD_DIR] [ROUNDS] [STRINGS_PER_FAMILY]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
rounds=${2:-5}
strings=${3:-10000}
tool="$build/tests/sftx_hf_tokenize"
[[ -x "$tool" ]] || { echo "build $tool first (cmake --build $build --target sftx_hf_tokenize)" >&2; exit 2; }
echo "# $(date -u '+%F %H:%M') UTC, $(nproc) cores, pinned to core 1; $(lscpu | sed -n 's/^Model name: *//p')"
TOKENIZERS_PARALLELISM=false taskset -c 1 bash scripts/peers/run.sh tokenizers_parity.py --tool "$tool" \
  --work "$build/tokenize-bench" --bench "$rounds" --strings "$strings"
