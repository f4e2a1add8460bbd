#!/usr/bin/env bash
# Training throughput of sftx against a plain PyTorch eager model of the same preset, in one run:
# the same machine, shapes, thread count and LibTorch (Debian's 1.13: python3-torch), both with
# tcmalloc (sftx links it; PyTorch gets it by LD_PRELOAD), alternating A B A B ... so drifting
# load on a shared machine hits both alike. Prints each run and, per shape, the medians and
# the ratio sftx / PyTorch.
#
#   bash bench/peers/train_side_by_side.sh [BUILD_DIR] [ROUNDS]
#   SHAPES="nano:256:8 nano:512:16" bash bench/peers/train_side_by_side.sh build 3
#   VARIANTS="--attention dense --adamw torch;--adamw torch;default" bash bench/peers/train_side_by_side.sh
# VARIANTS: ';'-separated sets of extra bench_nn_train_throughput flags ("default": none); each
# round runs every variant and then PyTorch, and each variant gets its own row and ratio.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
rounds=${2:-3}
threads=${THREADS:-$(nproc)}
shapes=${SHAPES:-"nano:256:8 nano:512:16 nano:1024:8 mini:1024:4"}
steps=${STEPS:-10}
tcmalloc=$(ls /usr/lib/*/libtcmalloc_minimal.so.4 | head -n1)
python=/usr/bin/python3   # Debian's interpreter: python3-torch is installed for it
"$python" -c 'import torch' 2>/dev/null || { echo "needs Debian's python3-torch: apt-get install python3-torch" >&2; exit 2; }
bench="$build/bench/bench_nn_train_throughput"
[[ -x "$bench" ]] || { echo "build $bench first (cmake --build $build --target bench_nn_train_throughput)" >&2; exit 2; }

IFS=';' read -r -a variants <<<"${VARIANTS:-default}"

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "# $(date -u +%F) $(nproc) cores, $threads threads, $steps timed steps per run, $rounds rounds; torch $("$python" -c 'import torch; print(torch.__version__)')"
printf '%-6s %5s %5s %14s %14s %7s  %s\n' preset seq batch sftx_tok/s pytorch_tok/s ratio variant
for shape in $shapes; do
  IFS=: read -r preset seq batch <<<"$shape"
  declare -A a=()
  b=()
  for ((r = 0; r < rounds; ++r)); do
    for ((v = 0; v < ${#variants[@]}; ++v)); do
      flags=${variants[$v]}
      [[ $flags == default ]] && flags=
      # shellcheck disable=SC2086  # a variant is a list of flags
      a[$v]+="$("$bench" --presets "$preset" --seq "$seq" --batch "$batch" --steps "$steps" \
                 --threads "$threads" $flags | awk '$1 == "sftx-libtorch" {print $7}') "
    done
    b+=("$(LD_PRELOAD=$tcmalloc "$python" bench/peers/llama_eager.py --presets "$preset" --seq "$seq" --batch "$batch" \
           --steps "$steps" --threads "$threads" | awk '$1 == "pytorch-eager" {print $7}')")
  done
  mb=$(printf '%s\n' "${b[@]}" | median)
  for ((v = 0; v < ${#variants[@]}; ++v)); do
    ma=$(printf '%s\n' ${a[$v]} | median)
    printf '%-6s %5s %5s %14.0f %14.0f %7.2f  [%s]  (runs: sftx %s; pytorch %s)\n' "$preset" "$seq" "$batch" "$ma" "$mb" \
      "$(echo "$ma / $mb" | bc -l)" "${variants[$v]}" "${a[$v]% }" "${b[*]}"
  done
  unset a
done
