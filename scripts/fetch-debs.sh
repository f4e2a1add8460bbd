#!/usr/bin/env bash
# Downloads the header-only C++ dependencies of the GPU build as Debian packages into .debs/
# (git-ignored), on a machine with apt (this one). The GPU machine has no network: copy the
# repository there with .debs/ and run scripts/build-gpu.sh, which unpacks them with dpkg -x.
#
# Only what sftx-worker and sftx_nn_test compile against travels, all header-only there:
#   tao-pegtl-dev       PEGTL (not used by the worker; kept so the GPU prefix can build grammar tests too)
#   libfmt-dev          fmt headers; Debian ships fmt as a shared library, so the GPU build compiles
#                       it header-only (FMT_HEADER_ONLY) instead of carrying libfmt.so
#   nlohmann-json3-dev  JSON
#   libtomlplusplus-dev TOML++ headers, used header-only (TOML_HEADER_ONLY=1)
#   libcli11-dev        CLI11 (header-only; not needed by the worker, carried for completeness)
#   catch2              Catch2 v2 single header for the tests
# LibTorch itself comes from the PyTorch install on the GPU machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dest="$root/.debs"
packages=(tao-pegtl-dev libfmt-dev nlohmann-json3-dev libtomlplusplus-dev libcli11-dev catch2)

mkdir -p "$dest"
cd "$dest"
rm -f ./*.deb
apt-get download "${packages[@]}"
# Record exactly what was fetched, for the GPU build's log and docs/gpu.md.
for deb in ./*.deb; do
  dpkg-deb -f "$deb" Package Version | paste -sd' ' -
done | tee "$dest/MANIFEST"
echo "fetch-debs: $(ls ./*.deb | wc -l) packages in $dest"
