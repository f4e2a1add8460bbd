#!/usr/bin/env bash
# Installs everything sftx needs to build, test and run on Debian 12 (run as root).
# Idempotent: packages already present are left alone by apt-get.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git python3
  tao-pegtl-dev libfmt-dev libtomlplusplus-dev libboost-graph-dev catch2
  nlohmann-json3-dev libcli11-dev libxxhash-dev libssl-dev
  libsentencepiece-dev sentencepiece libpcre2-dev libicu-dev
  libtorch-dev libgloo-dev libopenblas0-pthread libgoogle-perftools-dev
  gnuplot-nox graphviz
  slurm-wlm munge
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# libtorch-dev pulls in a reference BLAS; the pthread OpenBLAS must be the active
# alternative or matrix products run an order of magnitude slower.
for alt in libblas.so.3-x86_64-linux-gnu liblapack.so.3-x86_64-linux-gnu; do
  target=$(update-alternatives --list "$alt" 2>/dev/null | grep openblas-pthread | head -n1 || true)
  [[ -n "$target" ]] && update-alternatives --set "$alt" "$target" >/dev/null
done
echo "install-deps: all packages present"
