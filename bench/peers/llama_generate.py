#!/usr/bin/env python3
"""KV-cache generation throughput of the peers: the counterpart of bench_nn_generate_throughput.

Two implementations of the same measurement (greedy, no EOS, every row generates --new tokens
after a random prompt of --prompt tokens, prefill included in the time, tokens/s = batch * new *
reps / seconds) on a random-initialised model of a preset (stdlib/presets/NAME.toml):

  --impl pytorch       a plain PyTorch KV-cache loop over llama_eager.py's model (the same
                       architecture as sftx's), the cache preallocated once per generation, written
                       the way a PyTorch user would write it; run it with Debian's python3-torch
                       (LibTorch 1.13, the build sftx links). Before timing it checks its cached
                       tokens against recomputing the whole sequence without a cache.
  --impl transformers  transformers' LlamaForCausalLM.generate(use_cache=True) (its default
                       dynamic cache and attention), built from the same preset; run it with the
                       peer venv (~/.cache/sftx/peers-venv: torch 2.x).

Both print the C++ bench's columns so bench/peers/generate_side_by_side.sh can table them.
"""
import argparse
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from llama_eager import Llama, load_preset, rotate_half  # noqa: E402


def rotary(c, positions):
    """cos, sin [1, 1, T, d] for integer positions [T], HF's cat(freqs, freqs) layout."""
    d = c["hidden_size"] // c["num_attention_heads"]
    inv = 1.0 / (c["rope_theta"] ** (torch.arange(0, d, 2, dtype=torch.float32) / d))
    f = torch.outer(positions.float(), inv)
    emb = torch.cat((f, f), dim=-1)
    return emb.cos()[None, None], emb.sin()[None, None]


@torch.no_grad()
def forward_cached(model, ids, past, keys, values):
    """Logits of the last position for ids [B, T] following `past` cached positions; writes this
    step's keys and values into the preallocated keys/values [layers][B, kv, max_len, d]."""
    B, T = ids.shape
    cos, sin = rotary(model.c, torch.arange(past, past + T))
    x = model.embed(ids)
    for i, layer in enumerate(model.layers):
        a = layer.n1(x)
        q = layer.q(a).view(B, T, layer.heads, layer.d).transpose(1, 2)
        k = layer.k(a).view(B, T, layer.kv, layer.d).transpose(1, 2)
        v = layer.v(a).view(B, T, layer.kv, layer.d).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        keys[i][:, :, past:past + T] = k
        values[i][:, :, past:past + T] = v
        rep = layer.heads // layer.kv
        k = keys[i][:, :, :past + T].repeat_interleave(rep, dim=1)
        v = values[i][:, :, :past + T].repeat_interleave(rep, dim=1)
        s = (q @ k.transpose(-2, -1)) / math.sqrt(layer.d)
        if T > 1:  # prefill: causal; a single new token sees every cached key
            s = s.masked_fill(~torch.ones(T, past + T, dtype=torch.bool).tril(past), float("-inf"))
        y = torch.softmax(s.float(), dim=-1).to(q.dtype) @ v
        x = x + layer.o(y.transpose(1, 2).reshape(B, T, -1))
        b = layer.n2(x)
        x = x + layer.down(F.silu(layer.gate(b)) * layer.up(b))
    return model.norm(x[:, -1]) @ model.embed.weight.t()


@torch.no_grad()
def generate_pytorch(model, prompts, n):
    B, P = prompts.shape
    c = model.c
    kv, d = c["num_key_value_heads"], c["hidden_size"] // c["num_attention_heads"]
    keys = [torch.zeros(B, kv, P + n, d) for _ in model.layers]
    values = [torch.zeros(B, kv, P + n, d) for _ in model.layers]
    out = torch.empty(B, n, dtype=torch.int64)
    logits = forward_cached(model, prompts, 0, keys, values)
    for t in range(n):
        nxt = logits.argmax(-1)
        out[:, t] = nxt
        if t + 1 < n:
            logits = forward_cached(model, nxt[:, None], P + t, keys, values)
    return out


@torch.no_grad()
def check_against_recompute(model, prompts, n):
    """The cache loop must produce the tokens of recomputing the whole sequence each step."""
    cached = generate_pytorch(model, prompts[:1], n)
    seq = prompts[:1]
    for t in range(n):
        nxt = model(seq)[:, -1].argmax(-1)
        if nxt.item() != cached[0, t].item():
            raise SystemExit(f"llama_generate.py: KV-cache loop differs from recompute at token {t}")
        seq = torch.cat([seq, nxt[:, None]], dim=1)


def hf_model(preset, positions):
    """transformers' model of the preset: the training side by side's LlamaConfig
    (scripts/train_throughput_ref.py), without special token ids, so that no row stops at an EOS."""
    from transformers import LlamaForCausalLM
    from train_throughput_ref import llama_config
    cfg = llama_config(preset, positions)
    cfg.bos_token_id = cfg.eos_token_id = cfg.pad_token_id = None
    return LlamaForCausalLM(cfg).eval()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--impl", choices=["pytorch", "transformers"], default="pytorch")
    ap.add_argument("--presets", default="nano")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--prompt", type=int, default=32)
    ap.add_argument("--new", type=int, default=128)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    for preset in a.presets.split(","):
        c = load_preset(preset)
        c["max_position_embeddings"] = max(c["max_position_embeddings"], a.prompt + a.new)
        torch.manual_seed(0)
        prompts = torch.randint(c["vocab_size"], (a.batch, a.prompt))
        if a.impl == "pytorch":
            model = Llama(c).eval()
            check_against_recompute(model, prompts, min(a.new, 16))
            run = lambda: generate_pytorch(model, prompts, a.new)  # noqa: E731
            name = "pytorch-kv"
        else:
            model = hf_model(preset, c["max_position_embeddings"])
            mask = torch.ones_like(prompts)

            @torch.no_grad()
            def run():
                out = model.generate(prompts, attention_mask=mask, max_new_tokens=a.new, min_new_tokens=a.new,
                                     do_sample=False, use_cache=True, pad_token_id=0)
                return out[:, a.prompt:]
            name = "hf-generate"
        for _ in range(a.warmup):
            run()
        t0 = time.perf_counter()
        generated, checksum = 0, 0
        for r in range(a.reps):
            out = run()
            assert out.shape == (a.batch, a.new), out.shape
            generated += out.numel()
            if r == 0:
                for i in out.flatten().tolist():
                    checksum = (checksum * 31 + i) % 1000000007
        secs = time.perf_counter() - t0
        n = sum(p.numel() for p in model.parameters())
        print(f"{name:<14} {preset:<6} {'fp32':<5} {a.batch:>6} {a.prompt:>6} {a.new:>6} {n:>11} "
              f"{generated / secs:>12.0f} {checksum:>10}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
