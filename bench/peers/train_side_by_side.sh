#!/usr/bin/env bash
# Training throughput of sftx against a plain PyTorch eager model of the same preset and against
# transformers' LlamaForCausalLM, in one run: the same machine, shapes, thread count and step
# (forward, causal-LM loss over all tokens, backward, clip 1.0, AdamW). PyTorch runs on Debian's
# python3-torch (LibTorch 1.13, the build sftx links); transformers on the peer venv's torch 2.x
# (scripts/peers/setup.sh), eager (SDPA attention) and under torch.compile (inductor, CPU). All
# with tcmalloc (sftx links it; the peers get it by LD_PRELOAD), alternating A B C ... A B C so
# drifting load on a shared machine hits all alike. Prints, per shape and peer, the medians and
# the ratio sftx / peer, and the median peak memory (MiB, resident) of each side, with every run.
#
#   bash bench/peers/train_side_by_side.sh [BUILD_DIR] [ROUNDS]
#   SHAPES="nano:256:8 nano:512:16" bash bench/peers/train_side_by_side.sh build 3
#   VARIANTS="--attention dense --adamw torch;--adamw torch;default" bash bench/peers/train_side_by_side.sh
#   HF_IMPLS=eager bash bench/peers/train_side_by_side.sh   # HF_IMPLS=none: PyTorch only
# VARIANTS: ';'-separated sets of extra bench_nn_train_throughput flags ("default": none); each
# round runs every variant and then the peers, and each variant gets its own rows and ratios.
# HF_IMPLS: comma-separated transformers runs, eager and/or compile (default both); a compile run
# compiles first (untimed warmup steps; minutes on a small CPU the first time, then the inductor
# cache in /tmp serves it).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
rounds=${2:-3}
threads=${THREADS:-$(nproc)}
source bench/peers/common.sh
shapes=${SHAPES:-"nano:256:8 nano:512:16 nano:1024:8 mini:1024:4"}
steps=${STEPS:-10}
hf_impls=${HF_IMPLS:-eager,compile}
[[ $hf_impls == none ]] && hf_impls=
[[ -z $hf_impls ]] || "$peer_python" -c 'import transformers' 2>/dev/null ||
  { echo "needs the peer venv for transformers: bash scripts/peers/setup.sh (or HF_IMPLS=none)" >&2; exit 2; }
IFS=',' read -r -a hf <<<"$hf_impls"
bench="$build/bench/bench_nn_train_throughput"
[[ -x "$bench" ]] || { echo "build $bench first (cmake --build $build --target bench_nn_train_throughput)" >&2; exit 2; }

IFS=';' read -r -a variants <<<"${VARIANTS:-default}"

echo "# $(date -u '+%F %H:%M') UTC, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $threads threads," \
     "$steps timed steps per run, $rounds rounds; torch $("$python" -c 'import torch; print(torch.__version__)')" \
     "${hf_impls:+; transformers $("$peer_python" -c 'import transformers, torch; print(transformers.__version__, "on torch", torch.__version__)')}"
printf '%-6s %5s %5s %12s %-14s %12s %7s %9s %9s  %s\n' preset seq batch sftx_tok/s peer peer_tok/s ratio sftx_MiB peer_MiB \
  variant
# run_one IMPL CMD...: runs one timed process; prints "TOKENS_PER_S PEAK_MIB" (tokens/s from the row
# whose first column is IMPL; the peak resident set of the whole process, by /usr/bin/time: the
# same warmup and timed steps on every side, so it compares what each keeps alive for a step,
# plus each runtime's own footprint, which the no-work rows below state).
run_one() {
  local impl=$1 rss tokps
  shift
  rss=$(mktemp)
  tokps=$(/usr/bin/time -f %M -o "$rss" "$@" | awk -v n="$impl" '$1 == n {print $7}')
  echo "$tokps $(($(tail -n1 "$rss") / 1024))"
  rm -f "$rss"
}
for shape in $shapes; do
  IFS=: read -r preset seq batch <<<"$shape"
  declare -A a=() am=() p=() pm=()
  for ((r = 0; r < rounds; ++r)); do
    for ((v = 0; v < ${#variants[@]}; ++v)); do
      flags=${variants[$v]}
      [[ $flags == default ]] && flags=
      # --peak-tflops: skip the matmul-peak measurement, whose buffers would count in the peak memory
      # shellcheck disable=SC2086  # a variant is a list of flags
      read -r t m < <(run_one sftx-libtorch "$bench" --presets "$preset" --seq "$seq" --batch "$batch" \
                        --steps "$steps" --threads "$threads" --peak-tflops 1 $flags)
      a[$v]+="$t " am[$v]+="$m "
    done
    read -r t m < <(run_one pytorch-eager env LD_PRELOAD="$tcmalloc" "$python" bench/peers/llama_eager.py \
                      --presets "$preset" --seq "$seq" --batch "$batch" --steps "$steps" --threads "$threads")
    p[pytorch-eager]+="$t " pm[pytorch-eager]+="$m "
    for impl in "${hf[@]}"; do
      read -r t m < <(run_one "hf-$impl" env LD_PRELOAD="$tcmalloc" "$peer_python" scripts/train_throughput_ref.py \
                        --device cpu --impls "$impl" --presets "$preset" --seq "$seq" --batch "$batch" \
                        --steps "$steps" --threads "$threads" --peak-tflops 1)
      p[hf-$impl]+="$t " pm[hf-$impl]+="$m "
    done
  done
  for ((v = 0; v < ${#variants[@]}; ++v)); do
    ma=$(printf '%s\n' ${a[$v]} | median)
    mam=$(printf '%s\n' ${am[$v]} | median)
    for peer in pytorch-eager "${hf[@]/#/hf-}"; do
      mp=$(printf '%s\n' ${p[$peer]} | median)
      mpm=$(printf '%s\n' ${pm[$peer]} | median)
      printf '%-6s %5s %5s %12.0f %-14s %12.0f %7.2f %9.0f %9.0f  [%s]  (runs: sftx %s; %s %s)\n' "$preset" "$seq" \
        "$batch" "$ma" "$peer" "$mp" "$(echo "$ma / $mp" | bc -l)" "$mam" "$mpm" "${variants[$v]}" "${a[$v]% }" \
        "$peer" "${p[$peer]% }"
    done
  done
  unset a am p pm
done
# Each runtime's footprint with no model: what the peak memory columns include besides the step.
printf '# peak MiB of the runtimes alone: sftx bench --help %s; python + torch 1.13 %s' \
  "$(/usr/bin/time -f %M "$bench" --help 2>&1 >/dev/null | awk '{print int($1 / 1024)}')" \
  "$(/usr/bin/time -f %M env LD_PRELOAD="$tcmalloc" "$python" -c 'import torch' 2>&1 | awk '{print int($1 / 1024)}')"
[[ -z $hf_impls ]] || printf '; python + transformers + torch 2.x %s' \
  "$(/usr/bin/time -f %M env LD_PRELOAD="$tcmalloc" "$peer_python" -c 'import torch, transformers' 2>&1 |
     awk '{print int($1 / 1024)}')"
echo
