#!/usr/bin/env bash
# Builds sftx's torch side on a GPU machine and tests it there: the torch 2.x flavour's CUDA
# configuration (scripts/build-torch2.sh --cuda) against the LibTorch of the machine's PyTorch,
# then sftx_nn_test's hidden [cuda] cases, which need the GPU. See docs/gpu.md.
#
#   scripts/build-gpu.sh            build (build-torch2-cuda/), run the torch tests, then the [cuda] cases
#   scripts/build-gpu.sh --no-test  build only
#
# Which PyTorch: SFTX_TORCH_PYTHON, default the python3 on PATH (the GPU machine's install; the
# peer environment of scripts/peers/setup.sh works too: its wheel is built for CUDA 13.0).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
export SFTX_TORCH_PYTHON="${SFTX_TORCH_PYTHON:-$(command -v python3)}"
"$SFTX_TORCH_PYTHON" -c 'import torch; print("build-gpu: CUDA available:", torch.cuda.is_available())'
bash "$root/scripts/build-torch2.sh" --cuda "$@"
if [[ "${1:-}" != "--no-test" ]]; then
  cd "$root"
  "$root/build-torch2-cuda/sftx_nn_test" "[cuda]"
  echo "build-gpu: the [cuda] cases passed"
fi
