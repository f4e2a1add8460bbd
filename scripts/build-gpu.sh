#!/usr/bin/env bash
# Builds sftx's torch side (sftx-worker, sftx_nn_test, sftx-nn-logits) on the GPU machine against
# the LibTorch of its PyTorch 2.x install, and runs the nn tests there (CUDA cases included).
# See docs/gpu.md. Needs: python3 with torch, cmake >= 3.18, a C++17 compiler, the CUDA toolkit
# that PyTorch's CMake config asks for, and .debs/ from scripts/fetch-debs.sh (no network needed).
#
#   scripts/build-gpu.sh            build and run the tests
#   scripts/build-gpu.sh --no-test  build only
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/build/gpu"
run_tests=1
[[ "${1:-}" == "--no-test" ]] && run_tests=0

# 1. Header-only dependencies: unpack the .debs into a private prefix (no root, no apt).
shopt -s nullglob
debs=("$root"/.debs/*.deb)
if ((${#debs[@]} == 0)); then
  echo "build-gpu: no .debs/*.deb; run scripts/fetch-debs.sh on a machine with apt and copy .debs/ here" >&2
  exit 2
fi
debroot="$build/debroot"
rm -rf "$debroot" && mkdir -p "$debroot"
for deb in "${debs[@]}"; do dpkg-deb -x "$deb" "$debroot"; done
deps="$debroot/usr"

# 2. LibTorch from PyTorch.
torch_prefix=$(python3 -c 'import torch; print(torch.utils.cmake_prefix_path)')
python3 -c 'import torch; print("build-gpu: torch", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())'

# 3. Sources: runtime/nn and worker/, plus every .cc whose header they include (transitively), so
#    this script needs no edit when files are added. A .cc that is itself #included (as
#    worker/protocol_link.cc includes runtime/launch/protocol.cc) is not compiled separately.
eval "$(python3 - "$root" <<'PY'
import os, re, sys
root = sys.argv[1]
inc = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
def includes(path):
    with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
        return [p for p in inc.findall(f.read()) if os.path.exists(os.path.join(root, p))]
def ls(d, pred):
    return sorted(os.path.join(d, f) for f in os.listdir(os.path.join(root, d)) if pred(f))
nn_src = ls("runtime/nn", lambda f: f.endswith(".cc") and not f.endswith("_test.cc"))
tests = ls("runtime/nn", lambda f: f.endswith("_test.cc"))
worker = ls("worker", lambda f: f.endswith(".cc"))
lib, seen, included_cc = set(nn_src), set(), set()
todo = nn_src + tests + worker
while todo:
    f = todo.pop()
    if f in seen: continue
    seen.add(f)
    for h in includes(f):
        if h.endswith(".cc"):
            included_cc.add(h)
        todo.append(h)
        cc = h[:-2] + ".cc" if h.endswith(".h") else None
        if cc and os.path.exists(os.path.join(root, cc)) and not cc.startswith("worker/"):
            lib.add(cc); todo.append(cc)
lib -= included_cc
lib -= set(tests)
absl = lambda xs: ";".join(os.path.join(root, x) for x in sorted(xs))
print(f'lib_sources="{absl(lib)}"')
print(f'worker_sources="{absl(worker)}"')
print(f'test_sources="{absl(tests)}"')
PY
)"
echo "build-gpu: library sources: ${lib_sources//;/ }" | sed "s|$root/||g"

# 4. Configure and build.
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S "$root/scripts/gpu" -B "$build/cmake" "${generator[@]}" \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$torch_prefix" \
  -DSFTX_ROOT="$root" -DSFTX_DEPS_PREFIX="$deps" \
  -DSFTX_LIBRARY_SOURCES="$lib_sources" -DSFTX_WORKER_SOURCES="$worker_sources" \
  -DSFTX_TEST_SOURCES="$test_sources"
cmake --build "$build/cmake" -j"$(nproc)" --target sftx-worker sftx_nn_test sftx-nn-logits
echo "build-gpu: built $build/cmake/sftx-worker, sftx_nn_test, sftx-nn-logits"

# 5. The nn tests, then the hidden [cuda] cases (they need the GPU).
if ((run_tests)); then
  cd "$root"
  "$build/cmake/sftx_nn_test"
  "$build/cmake/sftx_nn_test" "[cuda]"
  echo "build-gpu: sftx_nn_test passed"
fi
