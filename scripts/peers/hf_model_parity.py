#!/usr/bin/env python3
"""Hugging Face model parity: sftx-worker against transformers on the same checkpoints (issue 13, item 3).

    $(scripts/peers/setup.sh | tail -1) scripts/peers/hf_model_parity.py [--worker build/sftx-worker]

transformers creates small random-initialised checkpoints locally (nothing is downloaded):
LlamaForCausalLM (GQA untied; MQA tied with rope_theta 500000 and linear RoPE scaling; attention_bias),
Qwen2ForCausalLM (q/k/v biases, tied and untied) and MistralForCausalLM (GQA, explicit head_dim).
Biases and RMSNorm weights, which transformers initialises to 0 and 1, are randomised too, so a
loader that dropped them could not pass. For each checkpoint:
  - fp32 logits of fixed token ids: transformers (eager attention) vs the worker's `logits` verb;
    max abs difference <= --tol (1e-4);
  - greedy generation of 32 tokens from three prompts of different lengths: transformers'
    model.generate (one prompt at a time, KV cache) vs the worker's `generate` verb (one left-padded
    batch, KV cache); the token ids must be identical.
Checkpoints sftx does not compute (a sliding window that takes effect, llama3/yarn RoPE, mlp_bias,
another model_type) must be refused by the worker with an error naming the field, and a checkpoint
with a missing tensor, an extra tensor or a tensor of the wrong shape with one naming the tensor.
Prints every figure, then 'hf_model_parity: N passed, N failed'; exits 1 on any failure.
"""
import argparse
import json
import os
import sys
import tempfile

import numpy as np
import torch
import transformers
from safetensors.torch import load_file, save_file
from transformers import (GemmaConfig, GemmaForCausalLM, LlamaConfig, LlamaForCausalLM, MistralConfig,
                          MistralForCausalLM, Qwen2Config, Qwen2ForCausalLM)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Tally, WorkerError, default_worker, run_worker  # noqa: E402

VOCAB = 384
GEN_TOKENS = 32
# Large enough weights that the next-token distribution of a random model is peaked: greedy
# decoding then has clear winners instead of near-ties decided by float rounding.
INIT_RANGE = 0.08


def small(**kw):
    base = dict(vocab_size=VOCAB, hidden_size=64, intermediate_size=160, num_hidden_layers=2,
                num_attention_heads=4, num_key_value_heads=2, rms_norm_eps=1e-6, max_position_embeddings=256,
                initializer_range=INIT_RANGE, bos_token_id=1, eos_token_id=2, pad_token_id=0)
    base.update(kw)
    return base


def supported_cases():
    yield "llama gqa untied", LlamaForCausalLM, LlamaConfig(**small(tie_word_embeddings=False, rope_theta=10000.0))
    yield "llama mqa tied theta=5e5 linear-rope x2", LlamaForCausalLM, LlamaConfig(**small(
        num_key_value_heads=1, tie_word_embeddings=True, rope_theta=500000.0,
        rope_scaling={"rope_type": "linear", "factor": 2.0}))
    yield "llama attention_bias", LlamaForCausalLM, LlamaConfig(**small(attention_bias=True, tie_word_embeddings=False))
    yield "qwen2 qkv-bias tied", Qwen2ForCausalLM, Qwen2Config(**small(tie_word_embeddings=True, rope_theta=1000000.0))
    yield "qwen2 qkv-bias untied", Qwen2ForCausalLM, Qwen2Config(**small(tie_word_embeddings=False, num_key_value_heads=4))
    yield "mistral gqa head_dim=32", MistralForCausalLM, MistralConfig(**small(
        head_dim=32, tie_word_embeddings=False, sliding_window=None, rope_theta=10000.0))


# (label, model class, config, a word the refusal must contain)
def refused_cases():
    yield ("mistral sliding_window 16", MistralForCausalLM,
           MistralConfig(**small(sliding_window=16)), "sliding_window")
    yield ("qwen2 use_sliding_window", Qwen2ForCausalLM,
           Qwen2Config(**small(use_sliding_window=True, sliding_window=16, max_window_layers=0)), "sliding")
    yield ("llama rope llama3", LlamaForCausalLM, LlamaConfig(**small(rope_scaling={
        "rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
        "original_max_position_embeddings": 64})), "llama3")
    yield ("llama mlp_bias", LlamaForCausalLM, LlamaConfig(**small(mlp_bias=True)), "mlp_bias")
    yield ("gemma model_type", GemmaForCausalLM, GemmaConfig(**small(head_dim=16)), "model_type")


def build(cls, config, seed):
    torch.manual_seed(seed)
    model = cls(config).float().eval()
    with torch.no_grad():  # transformers starts biases at 0 and norms at 1: make them count
        for name, p in model.named_parameters():
            if name.endswith(".bias"):
                p.normal_(0.0, 0.5)
            elif "norm" in name:
                p.uniform_(0.5, 1.5)
    return model


def hf_greedy(model, prompt, eos):
    with torch.no_grad():
        out = model.generate(torch.tensor([prompt]), attention_mask=torch.ones(1, len(prompt), dtype=torch.long),
                             do_sample=False, max_new_tokens=GEN_TOKENS, eos_token_id=eos, pad_token_id=0)
        scores = model(out).logits[0, len(prompt) - 1:-1]  # the distributions the greedy picks came from
    new = out[0, len(prompt):].tolist()
    if new and new[-1] == eos:
        new = new[:-1]  # sftx reports tokens before EOS
    top2 = scores.topk(2, dim=-1).values
    return new, float((top2[:, 0] - top2[:, 1]).min())


def check_supported(args, tally, work, label, cls, config, seed):
    model = build(cls, config, seed)
    d = os.path.join(work, label.replace(" ", "_").replace("=", ""))
    model.save_pretrained(d, safe_serialization=True)

    gen = torch.Generator().manual_seed(seed)
    ids = torch.randint(3, VOCAB, (2, 48), generator=gen)
    with torch.no_grad():
        ref = model(ids).logits.float().numpy()
    seq_path = os.path.join(d, "sequences.jsonl")
    with open(seq_path, "w") as f:
        for i, row in enumerate(ids.tolist()):
            f.write(json.dumps({"id": i, "ids": row}) + "\n")
    out_bin = os.path.join(d, "sftx_logits.bin")
    try:
        result = run_worker(args.worker, "logits", {"checkpoint_dir": d, "sequences_jsonl": seq_path,
                                                    "out_bin": out_bin}, d, "logits_request")
    except WorkerError as e:
        tally.check(False, f"{label}: sftx refused a supported checkpoint: {e}")
        return
    got = np.fromfile(out_bin, dtype="<f4").reshape(result["shape"])
    diff = float(np.abs(ref - got).max())
    tally.check(diff <= args.tol, f"{label}: max abs logit diff {diff:.3e} (tolerance {args.tol:g}, "
                                  f"logits up to {np.abs(ref).max():.2f})")

    prompts = [ids[0, :5].tolist(), ids[1, :11].tolist(), ids[0, 20:23].tolist()]
    eos = config.eos_token_id
    hf = [hf_greedy(model, p, eos) for p in prompts]
    prompts_path = os.path.join(d, "prompts.jsonl")
    with open(prompts_path, "w") as f:
        for i, p in enumerate(prompts):
            f.write(json.dumps({"id": i, "ids": p}) + "\n")
    gen_out = os.path.join(d, "sftx_generations.jsonl")
    run_worker(args.worker, "generate", {"checkpoint_dir": d, "prompts_jsonl": prompts_path, "out_jsonl": gen_out,
                                         "max_new_tokens": GEN_TOKENS, "temperature": 0.0, "batch": 8}, d,
               "generate_request")
    with open(gen_out) as f:
        sftx = [json.loads(line)["ids"] for line in f]
    same = all(s == h for s, (h, _) in zip(sftx, hf))
    lengths = "/".join(str(len(h)) for h, _ in hf)
    margin = min(m for _, m in hf)
    tally.check(same, f"{label}: greedy {lengths} tokens {'identical' if same else 'DIFFER'} "
                      f"(smallest top-1 vs top-2 logit margin on the path {margin:.2e})")
    if not same:
        for i, (s, (h, _)) in enumerate(zip(sftx, hf)):
            print(f"      prompt {i}: transformers {h}\n                sftx         {s}")


def check_refused(args, tally, work, label, cls, config, field):
    model = build(cls, config, 7)
    d = os.path.join(work, "refused_" + label.replace(" ", "_"))
    model.save_pretrained(d, safe_serialization=True)
    refused = refusal(args, d)
    if refused is None:
        tally.check(False, f"{label}: loaded, but sftx does not compute this architecture")
    else:
        code, message = refused
        ok = code == 3 and field in message and "config.json" in message
        tally.check(ok, f"{label}: refused (exit {code}) naming {field!r}: {message}")


# The worker's answer to a logits request on checkpoint d: None when it loaded the checkpoint,
# else (exit status, the last line of its error output).
def refusal(args, d):
    seq_path = os.path.join(d, "sequences.jsonl")
    with open(seq_path, "w") as f:
        f.write(json.dumps({"id": 0, "ids": [3, 4, 5, 6]}) + "\n")
    try:
        run_worker(args.worker, "logits", {"checkpoint_dir": d, "sequences_jsonl": seq_path,
                                           "out_bin": os.path.join(d, "x.bin")}, d, "logits_request")
        return None
    except WorkerError as e:
        return e.returncode, e.stderr.strip().splitlines()[-1] if e.stderr.strip() else ""


# A transformers checkpoint damaged three ways: the worker must name the tensor.
def check_damaged(args, tally, work):
    config = LlamaConfig(**small())
    base = build(LlamaForCausalLM, config, 11)
    damages = {
        "a missing tensor": lambda t: t.pop("model.layers.1.mlp.up_proj.weight"),
        "an extra tensor": lambda t: t.__setitem__("model.layers.1.mlp.extra_proj.weight", torch.zeros(2, 2)),
        "a tensor of the wrong shape": lambda t: t.__setitem__("model.layers.1.mlp.up_proj.weight", torch.zeros(3, 64)),
    }
    for label, damage in damages.items():
        d = os.path.join(work, "damaged_" + label.split(" ", 1)[1].replace(" ", "_"))
        base.save_pretrained(d, safe_serialization=True)
        path = os.path.join(d, "model.safetensors")
        tensors = load_file(path)
        damage(tensors)
        save_file(tensors, path, metadata={"format": "pt"})
        name = "extra_proj" if label == "an extra tensor" else "up_proj"
        refused = refusal(args, d)
        if refused is None:
            tally.check(False, f"checkpoint with {label}: loaded")
        else:
            code, message = refused
            tally.check(code == 3 and name in message and d in message,
                        f"checkpoint with {label}: refused (exit {code}): {message}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--worker", default=default_worker(), help="sftx-worker binary (default: $SFTX_WORKER or build/)")
    ap.add_argument("--tol", type=float, default=1e-4, help="max abs logit difference allowed (default 1e-4)")
    ap.add_argument("--keep", help="write the checkpoints here instead of a temporary directory")
    args = ap.parse_args()
    if not os.access(args.worker, os.X_OK):
        sys.exit(f"hf_model_parity: no sftx-worker at {args.worker} (build it, or pass --worker)")
    torch.set_num_threads(1)
    print(f"hf_model_parity: torch {torch.__version__}, transformers {transformers.__version__}, "
          f"worker {args.worker}")

    tally = Tally()
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or tmp
        os.makedirs(work, exist_ok=True)
        for seed, (label, cls, config) in enumerate(supported_cases()):
            check_supported(args, tally, work, label, cls, config, seed)
        for label, cls, config, field in refused_cases():
            check_refused(args, tally, work, label, cls, config, field)
        check_damaged(args, tally, work)
    return tally.finish("hf_model_parity")


if __name__ == "__main__":
    sys.exit(main())
