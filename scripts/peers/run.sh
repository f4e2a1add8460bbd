#!/usr/bin/env bash
# Runs one peer check (scripts/peers/SCRIPT.py ARGS...) with the peer environment's python, for
# CTest. Which python: $SFTX_PEER_PYTHON if set, else the peer environment's python if
# scripts/peers/setup.sh built it. With neither, the check cannot run: it says so and exits 77,
# which CTest reports as skipped (SKIP_RETURN_CODE), never as passed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
script="$1"
shift
python="${SFTX_PEER_PYTHON:-}"
if [[ -z "$python" ]]; then
  venv="${SFTX_PEERS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/sftx/peers-venv}"
  if [[ -x "$venv/bin/python" && -f "$venv/.sftx-requirements-stamp" ]]; then
    python="$venv/bin/python"
  else
    echo "SKIPPED: no peer environment (run: bash scripts/peers/setup.sh, or set SFTX_PEER_PYTHON)"
    exit 77
  fi
fi
if [[ ! -x "$python" ]]; then
  echo "SFTX_PEER_PYTHON=$python is not an executable" >&2
  exit 1
fi
exec "$python" "$here/$script" "$@"
