#!/bin/sh
# CTest entry for peers:tokenizers_parity: exit 77 (SKIPPED) when no Python with `tokenizers`
# is named by SFTX_PEER_PYTHON; otherwise the parity check's own verdict.
#   usage: run_tokenizers_parity.sh PATH/TO/sftx_hf_tokenize
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "$SFTX_PEER_PYTHON" ]; then
  echo "SKIPPED: set SFTX_PEER_PYTHON to a Python with tokenizers (see $here/tokenizers_parity.py)"
  exit 77
fi
if ! "$SFTX_PEER_PYTHON" -c 'import tokenizers' 2>/dev/null; then
  echo "SKIPPED: $SFTX_PEER_PYTHON cannot import tokenizers"
  exit 77
fi
exec "$SFTX_PEER_PYTHON" "$here/tokenizers_parity.py" --tool "$1" --work "${TMPDIR:-/tmp}/sftx-tokenizers-parity-$$"
