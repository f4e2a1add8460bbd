#!/usr/bin/env python3
"""Training parity: sftx-worker's `train` verb against a plain PyTorch/transformers loop (issue 13, item 5).

    $(scripts/peers/setup.sh | tail -1) scripts/peers/train_parity.py [--worker build/sftx-worker] [--arch llama]

The same tiny model (saved by transformers), the same token ids and loss mask, the same
hyperparameters, 50 fp32 CPU steps on each side:
  - data: one shard in sftx's format (docs/shard-format.md) written here: packed blocks of two or
    three documents each, every document a "prompt" (loss mask 0) and a "response" (loss mask 1),
    padding after the last one. The reference runs every document on its own: a packed block must
    compute exactly what its documents compute apart, so this also checks sftx's segment masking
    and per-document positions.
  - every step sees all blocks (batch = number of blocks), so sftx's seeded block order cannot
    change what a step computes, only the order of a sum; grad_accum micro-batches on both sides.
  - AdamW (betas 0.9/0.999, eps 1e-8, weight decay on matrices only, as HF's Trainer), linear
    warmup then cosine (transformers.get_cosine_schedule_with_warmup, warmup steps =
    ceil(ratio x steps) as TrainingArguments), gradient clipping at 1.0 (torch's clip_grad_norm_),
    loss = summed token cross-entropy / the step's predicted-token count.
Compared per step: the loss and the pre-clip gradient norm (metrics.jsonl's "loss", "grad_norm")
and the learning rate; after the run, sftx's saved checkpoint must load in transformers
(AutoModelForCausalLM, no missing or unexpected keys) and give the reference's logits.
Runs a Llama (untied, GQA) and a Qwen2 (tied, q/k/v biases) model by default.
Checks: relative loss and grad-norm difference <= 1e-4 over the first --early steps, and <= --late-tol
over all steps; the drift at the last step is printed. Closing line: 'train_parity: N passed, N failed'.
"""
import argparse
import json
import math
import os
import struct
import sys
import tempfile

import numpy as np
import torch
import transformers
from transformers import (AutoModelForCausalLM, LlamaConfig, LlamaForCausalLM, Qwen2Config, Qwen2ForCausalLM,
                          get_cosine_schedule_with_warmup)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Tally, default_worker, run_worker  # noqa: E402

VOCAB = 320
SEQ_LEN = 64
N_BLOCKS = 8
HP = dict(lr=1e-3, batch=N_BLOCKS, grad_accum=2, warmup=0.1, schedule="cosine", weight_decay=0.1, clip=1.0,
          seed=42, seq_len=SEQ_LEN, dtype="fp32", log_every=1, save_every=0)


def make_model(arch):
    common = dict(vocab_size=VOCAB, hidden_size=64, intermediate_size=160, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-6, max_position_embeddings=256,
                  rope_theta=10000.0, bos_token_id=1, eos_token_id=2, pad_token_id=0)
    torch.manual_seed(0)
    if arch == "llama":
        return LlamaForCausalLM(LlamaConfig(**common, tie_word_embeddings=False)).float()
    return Qwen2ForCausalLM(Qwen2Config(**common, tie_word_embeddings=True)).float()


def make_blocks(rng):
    """Packed blocks: lists of documents (ids, loss mask); each block's documents fit in SEQ_LEN."""
    blocks = []
    for _ in range(N_BLOCKS):
        docs, used = [], 0
        for _ in range(rng.integers(2, 4)):
            room = SEQ_LEN - used
            if room < 12:
                break
            length = int(rng.integers(10, min(room, 30) + 1))
            prompt = int(rng.integers(3, length - 4))
            ids = rng.integers(3, VOCAB, length).tolist()
            ids[-1] = 2  # the response ends with EOS, as a chat template's end of turn
            docs.append((ids, [0] * prompt + [1] * (length - prompt)))
            used += length
        blocks.append(docs)
    return blocks


def write_shard(path, blocks):
    """docs/shard-format.md, version 1, packed."""
    tokens, mask, segments = [], [], []
    for docs in blocks:
        t, m, s = [], [], []
        for seg, (ids, loss) in enumerate(docs, start=1):
            t += ids
            m += loss
            s += [seg] * len(ids)
        pad = SEQ_LEN - len(t)
        tokens += t + [0] * pad
        mask += m + [0] * pad
        segments += s + [0] * pad
    header = struct.pack("<8sIIQIIii24x", b"SFTXSHD1", 1, SEQ_LEN, len(blocks), VOCAB, 1, 0, 2)
    with open(path, "wb") as f:
        f.write(header)
        f.write(np.asarray(tokens, dtype="<i4").tobytes())
        f.write(np.asarray(mask, dtype="u1").tobytes())
        f.write(np.asarray(segments, dtype="<u2").tobytes())


def predicted_tokens(ids, loss):
    # docs/shard-format.md: position t >= 1 is a target when loss_mask[t] = 1 (same document)
    return sum(loss[1:])


def reference_run(model, blocks, steps):
    """The plain PyTorch loop; returns per-step (loss, grad_norm, lr) and the final weights."""
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": HP["weight_decay"]}]
    if no_decay:
        groups.append({"params": no_decay, "weight_decay": 0.0})
    opt = torch.optim.AdamW(groups, lr=HP["lr"], betas=(0.9, 0.999), eps=1e-8, foreach=False)
    warmup = math.ceil(HP["warmup"] * steps)
    sched = get_cosine_schedule_with_warmup(opt, warmup, steps)
    micro = np.array_split(np.arange(len(blocks)), HP["grad_accum"])
    step_tokens = sum(predicted_tokens(*d) for docs in blocks for d in docs)
    model.train()
    out = []
    for _ in range(steps):
        lr = opt.param_groups[0]["lr"]
        loss_sum = 0.0
        for part in micro:
            part_sum = 0
            for b in part:
                for ids, loss in blocks[b]:
                    x = torch.tensor([ids])
                    logits = model(x).logits[0, :-1].float()
                    target = torch.tensor(ids[1:])
                    counted = torch.tensor(loss[1:], dtype=torch.bool)
                    part_sum = part_sum + torch.nn.functional.cross_entropy(
                        logits[counted], target[counted], reduction="sum")
            (part_sum / step_tokens).backward()
            loss_sum += float(part_sum.detach())
        gnorm = float(torch.nn.utils.clip_grad_norm_(model.parameters(), HP["clip"]))
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        out.append((loss_sum / step_tokens, gnorm, lr))
    return out


def rel(a, b):
    return abs(a - b) / max(abs(b), 1e-12)


def run_one(args, tally, arch, work):
    print(f"{arch}:")
    model = make_model(arch)
    init_dir = os.path.join(work, "init")
    model.save_pretrained(init_dir, safe_serialization=True)
    blocks = make_blocks(np.random.default_rng(1))
    shard = os.path.join(work, "train.shard")
    write_shard(shard, blocks)
    n_docs = sum(len(d) for d in blocks)
    print(f"  data: {N_BLOCKS} packed blocks of {SEQ_LEN} tokens, {n_docs} documents, "
          f"{sum(predicted_tokens(*d) for b in blocks for d in b)} predicted tokens per step")

    out_dir = os.path.join(work, "sftx_run")
    hp = dict(HP, epochs=args.steps, max_steps=args.steps)
    run_worker(args.worker, "train", {"model": {"hf_dir": init_dir}, "shards": [shard], "hp": hp,
                                      "method": {"kind": "full"}, "device": {"kind": "cpu"},
                                      "out_dir": out_dir}, work, "train_request")
    with open(os.path.join(out_dir, "metrics.jsonl")) as f:
        sftx = [json.loads(line) for line in f if line.strip()]
    ref = reference_run(model, blocks, args.steps)

    tally.check(len(sftx) == args.steps, f"{arch}: metrics.jsonl has {len(sftx)} step lines (expected {args.steps})")
    print("  step   loss sftx    loss torch   rel diff   | grad_norm sftx  torch       rel diff   | lr")
    loss_rel, gn_rel, lr_rel = [], [], []
    for i, (m, (loss, gnorm, lr)) in enumerate(zip(sftx, ref), start=1):
        loss_rel.append(rel(m["loss"], loss))
        gn_rel.append(rel(m["grad_norm"], gnorm))
        lr_rel.append(rel(m["lr"], lr) if lr else abs(m["lr"]))
        if i <= 3 or i % 10 == 0 or i == args.steps:
            print(f"  {i:4d}   {m['loss']:.8f}   {loss:.8f}   {loss_rel[-1]:.2e}   | {m['grad_norm']:.8f}      "
                  f"{gnorm:.8f}  {gn_rel[-1]:.2e}   | {lr:.3e}")
    early = slice(0, args.early)
    tally.check(max(loss_rel[early]) <= args.tol,
                f"{arch}: loss, steps 1-{args.early}: max relative diff {max(loss_rel[early]):.2e} (<= {args.tol:g})")
    tally.check(max(gn_rel[early]) <= args.tol,
                f"{arch}: grad norm, steps 1-{args.early}: max relative diff {max(gn_rel[early]):.2e} "
                f"(<= {args.tol:g})")
    tally.check(max(loss_rel) <= args.late_tol,
                f"{arch}: loss, all {args.steps} steps: max relative diff {max(loss_rel):.2e} (<= {args.late_tol:g}); "
                f"drift at step {args.steps}: {loss_rel[-1]:.2e}")
    tally.check(max(gn_rel) <= args.late_tol,
                f"{arch}: grad norm, all {args.steps} steps: max relative diff {max(gn_rel):.2e} "
                f"(<= {args.late_tol:g}); drift at step {args.steps}: {gn_rel[-1]:.2e}")
    tally.check(max(lr_rel) <= 1e-9, f"{arch}: learning rate schedule: max relative diff {max(lr_rel):.1e}")
    tally.check(ref[-1][0] < ref[0][0] * 0.9, f"{arch}: the run learns: loss {ref[0][0]:.4f} -> {ref[-1][0]:.4f}")

    # sftx -> transformers: the trained checkpoint loads cleanly and computes the reference's logits.
    trained, info = AutoModelForCausalLM.from_pretrained(os.path.join(out_dir, "model"), output_loading_info=True)
    bad = {k: v for k, v in info.items() if v and k in ("missing_keys", "unexpected_keys", "mismatched_keys")}
    tally.check(not bad and type(trained) is type(model),
                f"{arch}: sftx's checkpoint loads as {type(trained).__name__} {bad or 'with no missing or unexpected keys'}")
    ids = torch.tensor([d[0] for d in blocks[0]][0]).unsqueeze(0)
    model.eval()
    with torch.no_grad():
        ldiff = float((trained.float().eval()(ids).logits - model(ids).logits).abs().max())
    tally.check(ldiff <= args.tol, f"{arch}: logits of sftx's trained checkpoint vs the reference's trained model: "
                                   f"max abs diff {ldiff:.2e} (<= {args.tol:g})")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--worker", default=default_worker(), help="sftx-worker binary (default: $SFTX_WORKER or build/)")
    ap.add_argument("--arch", nargs="+", choices=["llama", "qwen2"], default=["llama", "qwen2"])
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--early", type=int, default=10, help="steps held to the 1e-4 tolerance")
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--late-tol", type=float, default=1e-3, help="relative tolerance over all steps")
    ap.add_argument("--keep", help="work here instead of a temporary directory")
    args = ap.parse_args()
    if not os.access(args.worker, os.X_OK):
        sys.exit(f"train_parity: no sftx-worker at {args.worker} (build it, or pass --worker)")
    torch.set_num_threads(1)
    print(f"train_parity: torch {torch.__version__}, transformers {transformers.__version__}, "
          f"{args.steps} steps, worker {args.worker}")
    tally = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        for arch in args.arch:
            work = os.path.join(args.keep or tmp, arch)
            os.makedirs(work, exist_ok=True)
            run_one(args, tally, arch, work)
    return tally.finish("train_parity")


if __name__ == "__main__":
    sys.exit(main())
