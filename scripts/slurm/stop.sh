#!/usr/bin/env bash
# Stops the private cluster scripts/slurm/start.sh DIR started: only the daemons whose pid
# files are under DIR (never a system Slurm or another cluster). Idempotent; keeps DIR's
# config and logs (delete DIR to forget the cluster).
set -euo pipefail
if (($# != 1)); then
  echo "usage: $0 DIR" >&2
  exit 2
fi
[[ -d "$1" ]] || exit 0
dir=$(cd "$1" && pwd)

stop() {  # stop NAME: TERM the process DIR/run/NAME.pid names, wait, then KILL
  local file=$dir/run/$1.pid pid
  [[ -s "$file" ]] || return 0
  pid=$(cat "$file")
  # The pid file may be stale and the number reused: only stop the daemon it names.
  if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$1"; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$file"
}
# Jobs first: slurmd ends their steps when it stops, the controller forgets them.
stop slurmd
stop slurmctld
stop munged
