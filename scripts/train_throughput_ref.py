#!/usr/bin/env python3
"""Reference training throughput of transformers.LlamaForCausalLM, eager and torch.compile, for the
same architecture (stdlib/presets/NAME.toml), batch and sequence length as
bench_nn_train_throughput, printing the same columns. For the GPU machine (needs torch and
transformers); run both side by side:

    ./build/bench_nn_train_throughput --presets mini,small --seq 1024 --batch 8
    python3 scripts/train_throughput_ref.py --presets mini,small --seq 1024 --batch 8

One step = forward, masked-LM loss (all tokens), backward, clip_grad_norm_(1.0), AdamW (fused on
CUDA), under bf16 autocast on CUDA with fp32 master weights, as sftx trains.
FLOPs/token = 6*N + 12*L*H*T (N: parameters in matmuls, i.e. all but an untied input embedding);
MFU = FLOPs/token * tokens/s / peak, the peak from the same table as the C++ bench (dense bf16)
or a measured 8192^3 bf16 matmul; on the CPU a measured 2048^3 fp32 matmul.
"""
import argparse
import os
import time
import tomllib

import torch

PEAKS = [("H200", 989), ("H100 SXM", 989), ("H100 80GB HBM3", 989), ("H100 PCIe", 756), ("H100", 989),
         ("A100", 312), ("L40S", 362), ("A10G", 70), ("L4", 121)]


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize()


def measured_peak(device, dtype, n):
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    a @ b
    sync(device)
    best = 0.0
    for _ in range(5):
        t0 = time.perf_counter()
        a @ b
        sync(device)
        best = max(best, 2 * n ** 3 / (time.perf_counter() - t0))
    return best


def peak_flops(device):
    if device.type == "cuda":
        name = torch.cuda.get_device_name(device)
        for key, tflops in PEAKS:
            if key in name:
                return tflops * 1e12, name, "datasheet bf16 dense"
        return measured_peak(device, torch.bfloat16, 8192), name, "measured bf16 8192^3 matmul"
    return measured_peak(device, torch.float32, 2048), f"cpu ({torch.get_num_threads()} threads)", "measured fp32 2048^3 matmul"


def llama_config(preset, seq):
    from transformers import LlamaConfig
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "stdlib", "presets")
    with open(os.path.join(root, preset + ".toml"), "rb") as f:
        fields = tomllib.load(f)
    fields["max_position_embeddings"] = max(fields.get("max_position_embeddings", 2048), seq)
    return LlamaConfig(**fields, attn_implementation="sdpa")


def bench(preset, impl, args, device, peak):
    from transformers import LlamaForCausalLM
    torch.manual_seed(0)
    config = llama_config(preset, args.seq)
    model = LlamaForCausalLM(config).to(device)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-4, weight_decay=0.01, fused=device.type == "cuda")
    forward = torch.compile(model) if impl == "compile" else model
    ids = torch.randint(config.vocab_size, (args.batch, args.seq), device=device)
    cuda = device.type == "cuda"

    def step():
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=cuda):
            loss = forward(input_ids=ids, labels=ids).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)

    for _ in range(args.warmup + (3 if impl == "compile" else 0)):
        step()
    sync(device)
    t0 = time.perf_counter()
    for _ in range(args.steps):
        step()
    sync(device)
    secs = time.perf_counter() - t0
    tokens_per_s = args.batch * args.seq * args.steps / secs
    n_params = sum(p.numel() for p in model.parameters())
    n_matmul = n_params - (0 if config.tie_word_embeddings else config.vocab_size * config.hidden_size)
    head_dim = config.hidden_size // config.num_attention_heads
    flops_per_token = 6 * n_matmul + 12 * config.num_hidden_layers * config.num_attention_heads * head_dim * args.seq
    print(f"{'hf-' + impl:<14} {preset:<6} {'bf16' if cuda else 'fp32':<5} {args.batch:>6} {args.seq:>6} "
          f"{n_params:>11} {tokens_per_s:>12.0f} {100 * flops_per_token * tokens_per_s / peak:>6.1f}%", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--presets", default="mini,small")
    ap.add_argument("--seq", type=int, default=1024)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--impls", default="eager,compile")
    ap.add_argument("--threads", type=int, default=0, help="intra-op threads (0: torch's default)")
    ap.add_argument("--peak-tflops", type=float, default=0, help="> 0: this peak instead of measuring one")
    args = ap.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    if args.peak_tflops > 0:
        peak, name, note = args.peak_tflops * 1e12, str(device), "given with --peak-tflops"
    else:
        peak, name, note = peak_flops(device)
    print(f"# device: {name}; peak {peak / 1e9:.1f} GFLOP/s ({note})")
    print("# FLOPs/token = 6*N + 12*L*H*T; MFU = FLOPs/token * tokens/s / peak")
    print(f"{'impl':<14} {'preset':<6} {'dtype':<5} {'batch':>6} {'seq':>6} {'params':>11} {'tokens/s':>12} {'MFU':>7}")
    for preset in args.presets.split(","):
        for impl in args.impls.split(","):
            bench(preset, impl, args, device, peak)


if __name__ == "__main__":
    main()
