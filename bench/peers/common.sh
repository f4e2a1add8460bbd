# What the training and generation side-by-side scripts share (sourced, after `cd` to the repo
# root and with `threads` set): the peers' interpreters and allocator, the thread bound, medians.

# LibTorch 1.13 here calls Debian's OpenBLAS (pthread build), whose own thread pool ignores
# torch's thread setting: bound it too, or "1 thread" is 1 + nproc threads on sftx's and PyTorch's
# side (and not on transformers', whose MKL follows torch).
export OPENBLAS_NUM_THREADS=$threads
# sftx links tcmalloc; the Python peers get it by LD_PRELOAD.
tcmalloc=$(ls /usr/lib/*/libtcmalloc_minimal.so.4 | head -n1)
python=/usr/bin/python3   # Debian's interpreter: python3-torch is installed for it
peer_python=${PEER_PYTHON:-$HOME/.cache/sftx/peers-venv/bin/python}
"$python" -c 'import torch' 2>/dev/null || { echo "needs Debian's python3-torch: apt-get install python3-torch" >&2; exit 2; }

# The median of the numbers on stdin, one per line.
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
