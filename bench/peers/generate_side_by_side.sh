#!/usr/bin/env bash
# KV-cache generation throughput of sftx against a plain PyTorch KV-cache loop (Debian's
# python3-torch: LibTorch 1.13, the build sftx links) and transformers' model.generate (the peer
# venv: torch 2.x), in one run: the same machine, preset, random prompts, thread count, greedy, no
# EOS, prefill included; all three with tcmalloc (sftx links it; the peers get it by LD_PRELOAD);
# rounds interleaved (sftx, pytorch, transformers, sftx, ...) so drifting load on a shared machine
# hits all alike. Prints each run and, per batch, the medians and the ratios sftx / peer.
#
#   bash bench/peers/generate_side_by_side.sh [BUILD_DIR] [ROUNDS]
#   BATCHES="1 16" PROMPT=32 NEW=128 REPS=3 THREADS=1 bash bench/peers/generate_side_by_side.sh build 5
# Needs: BUILD_DIR/bench/bench_nn_generate_throughput; python3-torch; scripts/peers/setup.sh's venv
# (PEER_PYTHON overrides its interpreter).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
rounds=${2:-3}
threads=${THREADS:-$(nproc)}
source bench/peers/common.sh
preset=${PRESET:-nano}
batches=${BATCHES:-"1 16"}
prompt=${PROMPT:-32}
new=${NEW:-128}
reps=${REPS:-3}
"$peer_python" -c 'import transformers' 2>/dev/null || { echo "needs the peer venv: bash scripts/peers/setup.sh" >&2; exit 2; }
bench="$build/bench/bench_nn_generate_throughput"
[[ -x "$bench" ]] || { echo "build $bench first (ninja -C $build bench_nn_generate_throughput)" >&2; exit 2; }

tokps() { awk -v impl="$1" '$1 == impl {print $8}'; }
common=(--presets "$preset" --prompt "$prompt" --new "$new" --reps "$reps" --threads "$threads")

echo "# $(date -u '+%F %H:%M') UTC, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $threads threads;" \
     "$preset, prompt $prompt, $new new tokens x $reps reps per run, $rounds rounds;" \
     "pytorch $("$python" -c 'import torch; print(torch.__version__)')," \
     "transformers $("$peer_python" -c 'import transformers, torch; print(transformers.__version__, "on torch", torch.__version__)')"
printf '%5s %12s %12s %12s %9s %9s\n' batch sftx_tok/s pytorch_tok/s hf_tok/s sftx/pt sftx/hf
for batch in $batches; do
  a=() b=() c=()
  for ((r = 0; r < rounds; ++r)); do
    a+=("$("$bench" "${common[@]}" --batch "$batch" | tokps sftx-libtorch)")
    b+=("$(LD_PRELOAD=$tcmalloc "$python" bench/peers/llama_generate.py --impl pytorch "${common[@]}" --batch "$batch" |
           tokps pytorch-kv)")
    c+=("$(LD_PRELOAD=$tcmalloc "$peer_python" bench/peers/llama_generate.py --impl transformers "${common[@]}" \
           --batch "$batch" | tokps hf-generate)")
  done
  ma=$(printf '%s\n' "${a[@]}" | median)
  mb=$(printf '%s\n' "${b[@]}" | median)
  mc=$(printf '%s\n' "${c[@]}" | median)
  printf '%5s %12.0f %12.0f %12.0f %9.2f %9.2f  (runs: sftx %s; pytorch %s; hf %s)\n' "$batch" "$ma" "$mb" "$mc" \
    "$(echo "$ma / $mb" | bc -l)" "$(echo "$ma / $mc" | bc -l)" "${a[*]}" "${b[*]}" "${c[*]}"
done
