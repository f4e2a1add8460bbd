#!/usr/bin/env python3
"""Plain PyTorch eager LLaMA training step: the peer of bench_nn_train_throughput on the CPU.

The same architecture as sftx's runtime/nn/model.cc (RMSNorm, rotary embeddings in HF's
rotate_half convention, grouped-query attention, SwiGLU, tied embeddings), read from the same
preset file (stdlib/presets/NAME.toml), the same step (forward, masked causal-LM loss over all
tokens, backward, clip_grad_norm_(1.0), AdamW(lr 1e-4, weight decay 0.01)) on the same random
token ids, written the way a PyTorch user would write it, with nothing but torch. It prints the
same columns as the C++ bench, so bench/peers/train_side_by_side.sh can put them in one table.

Uses Debian's python3-torch (LibTorch 1.13, the same build sftx links) so the comparison is of
the two programs, not of two torch versions.
"""
import argparse
import math
import os
import sys
import time
import tomllib

import torch
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load_preset(name):
    with open(os.path.join(ROOT, "stdlib", "presets", name + ".toml"), "rb") as f:
        return tomllib.load(f)


class RMSNorm(torch.nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        h = x.float()
        h = h * torch.rsqrt(h.pow(2).mean(-1, keepdim=True) + self.eps)
        return self.weight * h.to(x.dtype)


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


class Layer(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        h, self.heads, self.kv = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"]
        self.d = h // self.heads
        self.q = torch.nn.Linear(h, self.heads * self.d, bias=False)
        self.k = torch.nn.Linear(h, self.kv * self.d, bias=False)
        self.v = torch.nn.Linear(h, self.kv * self.d, bias=False)
        self.o = torch.nn.Linear(self.heads * self.d, h, bias=False)
        self.gate = torch.nn.Linear(h, c["intermediate_size"], bias=False)
        self.up = torch.nn.Linear(h, c["intermediate_size"], bias=False)
        self.down = torch.nn.Linear(c["intermediate_size"], h, bias=False)
        self.n1 = RMSNorm(h, c["rms_norm_eps"])
        self.n2 = RMSNorm(h, c["rms_norm_eps"])

    def forward(self, x, cos, sin, causal):
        B, T, _ = x.shape
        a = self.n1(x)
        q = self.q(a).view(B, T, self.heads, self.d).transpose(1, 2)
        k = self.k(a).view(B, T, self.kv, self.d).transpose(1, 2)
        v = self.v(a).view(B, T, self.kv, self.d).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        rep = self.heads // self.kv
        k = k.repeat_interleave(rep, dim=1)
        v = v.repeat_interleave(rep, dim=1)
        s = (q @ k.transpose(-2, -1)) / math.sqrt(self.d)
        s = s.masked_fill(~causal, float("-inf"))
        y = torch.softmax(s.float(), dim=-1).to(q.dtype) @ v
        x = x + self.o(y.transpose(1, 2).reshape(B, T, -1))
        b = self.n2(x)
        return x + self.down(F.silu(self.gate(b)) * self.up(b))


class Llama(torch.nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.embed = torch.nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.layers = torch.nn.ModuleList(Layer(c) for _ in range(c["num_hidden_layers"]))
        self.norm = RMSNorm(c["hidden_size"], c["rms_norm_eps"])
        for n, p in self.named_parameters():
            if "n1" not in n and "n2" not in n and "norm" not in n:
                torch.nn.init.normal_(p, 0.0, 0.02)

    def forward(self, ids):
        B, T = ids.shape
        d = self.c["hidden_size"] // self.c["num_attention_heads"]
        inv = 1.0 / (self.c["rope_theta"] ** (torch.arange(0, d, 2, dtype=torch.float32) / d))
        f = torch.outer(torch.arange(T, dtype=torch.float32), inv)
        emb = torch.cat((f, f), dim=-1)
        cos, sin = emb.cos()[None, None], emb.sin()[None, None]
        causal = torch.ones(T, T, dtype=torch.bool).tril()
        x = self.embed(ids)
        for layer in self.layers:
            x = layer(x, cos, sin, causal)
        return self.norm(x) @ self.embed.weight.t()  # tied LM head


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--presets", default="nano")
    ap.add_argument("--seq", type=int, default=256)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    for preset in a.presets.split(","):
        c = load_preset(preset)
        torch.manual_seed(0)
        model = Llama(c)
        params = list(model.parameters())
        opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.01)
        ids = torch.randint(c["vocab_size"], (a.batch, a.seq))
        mask = torch.ones(a.batch, a.seq, dtype=torch.bool)

        def step():
            logits = model(ids)
            targets = ids[:, 1:].masked_fill(~mask[:, 1:], -100)
            loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]).float(), targets.reshape(-1),
                                   ignore_index=-100)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            opt.zero_grad(set_to_none=True)

        for _ in range(a.warmup):
            step()
        t0 = time.perf_counter()
        for _ in range(a.steps):
            step()
        secs = time.perf_counter() - t0
        n = sum(p.numel() for p in params)
        print(f"{'pytorch-eager':<14} {preset:<6} {'fp32':<5} {a.batch:>6} {a.seq:>6} {n:>11} "
              f"{a.batch * a.seq * a.steps / secs:>12.0f}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
