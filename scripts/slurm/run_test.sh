#!/usr/bin/env bash
# CTest's e2e:slurm — the [slurm] end-to-end tests of sftx_e2e_test on a real Slurm cluster:
# the one the environment names (scripts/test.sh starts one and exports SLURM_CONF), else a
# private one started here under WORK and stopped afterwards. Exit 77 (CTest: SKIPPED) when
# no cluster can be had: Slurm or munge not installed, not root, or the daemons not starting.
#
#   scripts/slurm/run_test.sh E2E_TEST_BINARY WORK_DIR
set -uo pipefail
if (($# != 2)); then
  echo "usage: $0 E2E_TEST_BINARY WORK_DIR" >&2
  exit 2
fi
test_bin=$1
work=$2
here=$(cd "$(dirname "$0")" && pwd)

if ! (command -v scontrol >/dev/null && timeout 10 scontrol ping 2>/dev/null | grep -q UP); then
  if ! env_line=$(bash "$here/start.sh" "$work"); then
    echo "run_test.sh: SKIPPED: no Slurm cluster could be started (see above and $work/log)" >&2
    exit 77
  fi
  eval "$env_line"
  trap 'bash "$here/stop.sh" "$work"' EXIT
fi
echo "run_test.sh: Slurm cluster of ${SLURM_CONF:-the system configuration}"
start=$(date +%s)
"$test_bin" "[slurm]"
rc=$?
echo "run_test.sh: the [slurm] end-to-end tests took $(($(date +%s) - start)) s (exit $rc)"
exit "$rc"
