#!/usr/bin/env bash
# The torch 2.x flavour: builds sftx's torch side (sftx-worker, sftx_nn_test, bench_nn_*: the CMake
# target sftx_torch_side) against the LibTorch inside the PyPI torch wheel of the peer environment
# (cmake -DSFTX_TORCH=wheel; cmake/torch_flavour.cmake), then runs the CTest tests that exercise
# it (label `torch`: sftx_nn's, and the peers: checks that drive the worker). The driver `sftx`
# never links torch and is not built here; the default build (Debian's LibTorch 1.13) tests it.
#
#   scripts/build-torch2.sh              configure, build, test (build dir: build-torch2/)
#   scripts/build-torch2.sh --cuda       the CUDA configuration (-DSFTX_CUDA=ON; build-torch2-cuda/):
#                                        links the wheel's CUDA libraries; needs nvcc (docs/gpu.md)
#   scripts/build-torch2.sh --no-test    configure and build only
#
# Environment: SFTX_TORCH_PYTHON  the python whose torch to use (default: the peer environment's,
#                                 ~/.cache/sftx/peers-venv/bin/python; scripts/peers/setup.sh builds it)
#              SFTX_BUILD_JOBS    parallel compile jobs (default: nproc)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cuda=OFF
run_tests=1
for arg in "$@"; do
  case "$arg" in
    --cuda) cuda=ON ;;
    --no-test) run_tests=0 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-torch2: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done
python="${SFTX_TORCH_PYTHON:-${SFTX_PEERS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/sftx/peers-venv}/bin/python}"
if ! "$python" -c 'import torch' 2>/dev/null; then
  echo "build-torch2: $python cannot import torch; build the peer environment (bash scripts/peers/setup.sh)" \
       "or set SFTX_TORCH_PYTHON" >&2
  exit 2
fi
build="$root/build-torch2"
[[ "$cuda" == ON ]] && build="$root/build-torch2-cuda"
jobs="${SFTX_BUILD_JOBS:-$(nproc)}"

start=$SECONDS
"$python" -c 'import torch; print("build-torch2: torch", torch.__version__, "CUDA", torch.version.cuda,
"C++11 ABI", torch._C._GLIBCXX_USE_CXX11_ABI)'
cmake -S "$root" -B "$build" -G Ninja -DSFTX_TORCH=wheel -DSFTX_CUDA="$cuda" -DSFTX_TORCH_PYTHON="$python"
cmake --build "$build" -j"$jobs" --target sftx_torch_side
echo "build-torch2: built the torch side in $((SECONDS - start)) s ($build)"

if ((run_tests)); then
  ctest --test-dir "$build" -L torch --output-on-failure -j"$jobs"
  echo "build-torch2: the torch-labelled tests passed ($((SECONDS - start)) s in all)"
fi
