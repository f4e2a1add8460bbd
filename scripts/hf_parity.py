#!/usr/bin/env python3
"""Logit parity between sftx's LLaMA and transformers.LlamaForCausalLM (issue 4, item 2).

Run on the GPU machine after scripts/build-gpu.sh (needs torch, transformers, safetensors; docs/gpu.md):

    python3 scripts/hf_parity.py                 # CUDA if available, else CPU
    python3 scripts/hf_parity.py --device cpu

Both directions, each for an untied and a tied-embedding GQA config, in float32:
  1. transformers -> sftx: a random LlamaForCausalLM saved with save_pretrained (single file and
     sharded), loaded by sftx (build-torch2-cuda/tests/sftx-nn-logits logits ...); logits compared.
  2. sftx -> transformers: a random sftx model saved with save_hf (sftx-nn-logits init ...),
     loaded by LlamaForCausalLM.from_pretrained with no missing or unexpected keys; logits compared.
Prints the max abs difference of each check; exits 1 if any exceeds --tol (default 1e-4).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
from transformers import LlamaConfig, LlamaForCausalLM

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def configs():
    base = dict(vocab_size=1000, hidden_size=256, intermediate_size=688, num_hidden_layers=4,
                num_attention_heads=8, num_key_value_heads=4, rms_norm_eps=1e-5, rope_theta=10000.0,
                max_position_embeddings=512, hidden_act="silu")
    yield "untied", LlamaConfig(**base, tie_word_embeddings=False)
    yield "tied", LlamaConfig(**{**base, "rope_theta": 500000.0}, tie_word_embeddings=True)


def hf_logits(model_dir, ids, device):
    model = LlamaForCausalLM.from_pretrained(model_dir, torch_dtype=torch.float32, attn_implementation="eager")
    model.to(device).eval()
    with torch.no_grad():
        return model(torch.tensor(ids, device=device)).logits.float().cpu().numpy()


def sftx_logits(tool, model_dir, ids, device, work):
    ids_path = os.path.join(work, "ids.json")
    out_path = os.path.join(work, "logits.bin")
    with open(ids_path, "w") as f:
        json.dump(ids, f)
    res = subprocess.run([tool, "logits", model_dir, ids_path, out_path, device], capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"sftx-nn-logits failed ({res.returncode}): {res.stderr}")
    shape = json.loads(res.stdout)["shape"]
    return np.fromfile(out_path, dtype="<f4").reshape(shape)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tool", default=os.path.join(ROOT, "build-torch2-cuda/tests/sftx-nn-logits"))
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--seq", type=int, default=64)
    args = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False  # LibTorch's default too: compare true fp32
    torch.backends.cudnn.allow_tf32 = False

    worst = 0.0
    results = []
    with tempfile.TemporaryDirectory() as work:
        for name, config in configs():
            torch.manual_seed(0)
            ids = torch.randint(0, config.vocab_size, (2, args.seq)).tolist()

            # 1. transformers -> sftx, single file and sharded
            model = LlamaForCausalLM(config).float().eval()
            for shard, kwargs in (("single", {}), ("sharded", {"max_shard_size": "1MB"})):
                d = os.path.join(work, f"hf_{name}_{shard}")
                model.save_pretrained(d, safe_serialization=True, **kwargs)
                ref = hf_logits(d, ids, args.device)
                got = sftx_logits(args.tool, d, ids, args.device, work)
                diff = float(np.abs(ref - got).max())
                results.append((f"transformers->sftx {name} {shard}", diff))

            # 2. sftx -> transformers
            cfg_path = os.path.join(work, f"cfg_{name}.json")
            with open(cfg_path, "w") as f:
                f.write(config.to_json_string())
            d = os.path.join(work, f"sftx_{name}")
            subprocess.run([args.tool, "init", cfg_path, "1", d], check=True)
            _, info = LlamaForCausalLM.from_pretrained(d, output_loading_info=True)
            bad = {k: v for k, v in info.items() if v and k in ("missing_keys", "unexpected_keys", "mismatched_keys")}
            if bad:
                sys.exit(f"sftx checkpoint {name} does not load cleanly in transformers: {bad}")
            ref = hf_logits(d, ids, args.device)
            got = sftx_logits(args.tool, d, ids, args.device, work)
            results.append((f"sftx->transformers {name}", float(np.abs(ref - got).max())))

    print(f"device: {args.device} ({torch.cuda.get_device_name() if args.device == 'cuda' else 'cpu'}), "
          f"torch {torch.__version__}")
    for label, diff in results:
        worst = max(worst, diff)
        print(f"  {label:40s} max abs diff {diff:.3e}")
    ok = worst <= args.tol
    print(f"hf_parity: {'PASS' if ok else 'FAIL'} (worst {worst:.3e}, tolerance {args.tol:g})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
