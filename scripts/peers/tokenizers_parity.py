#!/usr/bin/env python3
"""Parity of sftx's native tokenizer.json implementation with the `tokenizers` package.

Trains small tokenizers of each supported family locally with `tokenizers` (no downloads; the
training text is this repository's own files plus generated multilingual text), saves their
tokenizer.json, and compares, for every test string, the ids (with and without the
post-processor's special tokens) and the decodes (skipping and keeping special tokens) between
`tokenizers` and sftx (tests/tools/hf_tokenize.cc). Exit 0 only when nothing differs.

Pinned peer (requirements line):  tokenizers==0.23.3
Set-up:  bash scripts/peers/setup.sh   (the peer environment pins tokenizers==0.23.3)
Run:     ctest --test-dir build -R tokenizers_parity
"""
import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import run_jsonl_tool  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
GPT2_SPECIALS = ["<|endoftext|>"]
LLAMA3_SPECIALS = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"]
QWEN2_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
LLAMA2_SPECIALS = ["<unk>", "<s>", "</s>"]
LLAMA3_REGEX = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
QWEN2_REGEX = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"

SCRIPTS = [  # (name, first, last) code point ranges for generated text
    ("latin", 0x61, 0x7A), ("Latin", 0x41, 0x5A), ("latin1", 0xC0, 0xFF), ("latinext", 0x100, 0x17F),
    ("greek", 0x3B1, 0x3C9), ("cyrillic", 0x430, 0x44F), ("hebrew", 0x5D0, 0x5EA), ("arabic", 0x621, 0x64A),
    ("devanagari", 0x905, 0x939), ("thai", 0xE01, 0xE2E), ("hangul", 0xAC00, 0xD7A3), ("hiragana", 0x3041, 0x3096),
    ("katakana", 0x30A1, 0x30FA), ("cjk", 0x4E00, 0x9FFF), ("cjkext", 0x20000, 0x2A6DF), ("emoji", 0x1F300, 0x1F64F),
    ("symbols", 0x2190, 0x22FF), ("fullwidth", 0xFF01, 0xFF5E), ("digits_other", 0x660, 0x669),
]
WHITESPACE = [" ", "  ", "\t", "\n", "\r\n", "\n\n", "   \n", "\u00a0", "\u3000", "\u2028", "\u0085", "\u2009", "\u200b",
              "\u180e", "\u000b", "\u000c", " \t ", "\n    "]
COMBINING = ["\u0301", "\u0308", "\u0327", "\u030a", "\u0323", "\u0302"]
EMOJI_SEQ = ["👨‍👩‍👧‍👦", "👍🏽", "🏳️‍🌈", "❤️", "🇫🇷", "🧑🏿‍💻", "✌🏻", "😀", "🙈🙉🙊"]
CODE = ["def f(x):\n    return x * 2\n", "for (int i = 0; i < n; ++i) {\n\tsum += a[i];\n}", "if x != y && z >= 10:",
        "{\"key\": [1, 2, 3], \"v\": null}", "#include <vector>\n", "SELECT * FROM t WHERE id=42;", "λx. x + 1",
        "print(f'{name!r:>10}')", "a_b_c = __init__(self)", "   indented\n\n\n   lines   ", "x=1;y=2;;", "0x1F + 0b1010"]
WORDS = ["I'm", "you're", "They'LL", "it's", "WE'VE", "she'd", "don't", "O'Neil", "naïve", "café", "Straße", "ǅemal",
         "İstanbul", "ﬁnance", "1234567", "3.14159", "1,000,000", "½", "²³", "Ⅻ", "١٢٣", "東京", "서울", "Москва", "Ελλάδα",
         "עברית", "العربية", "हिन्दी", "ไทย", "e\u0301", "A\u030a", "Å", "ſ", "K", "ß"]


def corpus_lines():
    """Training text: this repository's docs and sources, plus generated multilingual lines."""
    lines = []
    for pattern in ("docs/**/*.md", "*.md", "runtime/**/*.cc", "interpreter/**/*.cc", "stdlib/**/*.toml", "scripts/**/*.py"):
        for p in sorted(REPO.glob(pattern)):
            try:
                lines.extend(p.read_text(encoding="utf-8").splitlines())
            except (UnicodeDecodeError, OSError):
                pass
    rng = random.Random(1)
    for _ in range(4000):
        lines.append(random_text(rng, specials=[]))
    return [l for l in lines if l.strip()]


def random_word(rng):
    name, lo, hi = rng.choice(SCRIPTS)
    return "".join(chr(rng.randint(lo, hi)) for _ in range(rng.randint(1, 8)))


def random_text(rng, specials):
    parts = []
    for _ in range(rng.randint(1, 14)):
        r = rng.random()
        if r < 0.35:
            parts.append(random_word(rng))
        elif r < 0.5:
            parts.append(rng.choice(WORDS))
        elif r < 0.62:
            parts.append(rng.choice(WHITESPACE))
        elif r < 0.7:
            parts.append(rng.choice(EMOJI_SEQ))
        elif r < 0.77:
            parts.append(rng.choice(CODE))
        elif r < 0.82:
            parts.append(str(rng.randint(0, 10 ** rng.randint(1, 12))))
        elif r < 0.86 and parts:
            parts[-1] += rng.choice(COMBINING)
        elif r < 0.93 and specials:
            parts.append(rng.choice(specials))
        else:
            parts.append(rng.choice(["'s", "'T", "'ll", " 're", "?!", "...", "—", "--", "<", ">", "|", "<0x41>", "▁", "Ġ"]))
        parts.append(rng.choice(["", " ", " ", "", "\n"]))
    return "".join(parts)


def test_strings(n, specials, seed):
    rng = random.Random(seed)
    base = ["", " ", "  ", "\n", "a", " a", "a ", "Hello world", " Hello", "Hello  world", "\t\tx", "   ", "🤗", "ÿ",
            "e\u0301", "\r\n\r\n", "12345678901234", "I'M", "x\u0085y", "\u3000\u3000z"]
    base += [s + t for s in ["", " ", "Hi "] for t in specials] + [t + t + " x" for t in specials]
    repo_lines = [l for l in (REPO / "README.md").read_text(encoding="utf-8").splitlines() if l.strip()]
    out = list(base)
    while len(out) < n:
        r = rng.random()
        if r < 0.15 and repo_lines:
            out.append(rng.choice(repo_lines))
        elif r < 0.2:
            out.append(rng.choice(WHITESPACE) * rng.randint(1, 40) + random_word(rng))
        else:
            out.append(random_text(rng, specials))
    return out[:n]


def train(kind, lines, vocab=3000):
    """A tokenizer of one family, trained on `lines`; returns (Tokenizer, specials)."""
    if kind in ("gpt2", "llama3", "qwen2"):
        tok = Tokenizer(models.BPE(ignore_merges=(kind == "llama3")))
        if kind == "gpt2":
            specials = GPT2_SPECIALS
            tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=False),
                                                         pre_tokenizers.ByteLevel(add_prefix_space=False)])
            tok.post_processor = processors.ByteLevel(trim_offsets=False)
        else:
            specials = LLAMA3_SPECIALS if kind == "llama3" else QWEN2_SPECIALS
            regex = LLAMA3_REGEX if kind == "llama3" else QWEN2_REGEX
            if kind == "qwen2":
                tok.normalizer = normalizers.NFC()
            tok.pre_tokenizer = pre_tokenizers.Sequence([
                pre_tokenizers.Split(Regex(regex), behavior="isolated", invert=False),
                pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])
        tok.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(vocab_size=vocab, special_tokens=specials, show_progress=False,
                                      initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
        tok.train_from_iterator(lines, trainer)
        if kind == "llama3":
            bos = tok.token_to_id("<|begin_of_text|>")
            tok.post_processor = processors.Sequence([
                processors.ByteLevel(trim_offsets=False),
                processors.TemplateProcessing(single="<|begin_of_text|> $A", special_tokens=[("<|begin_of_text|>", bos)])])
        if kind == "gpt2":  # lstrip/rstrip special token and a non-special (normalized) added token
            tok.add_special_tokens([AddedToken("<mask>", lstrip=True, rstrip=True, special=True, normalized=False)])
            tok.add_tokens([AddedToken("<tool>", normalized=True, special=False)])
            specials = specials + ["<mask>", "<tool>"]
        return tok, specials
    # SentencePiece-style BPE with byte fallback: trained with Metaspace, then saved in the form
    # Hugging Face's conversions of Llama-2 (Prepend + Replace normalizer, no pre-tokenizer) or of
    # Mistral (Metaspace pre-tokenizer with prepend_scheme "first").
    tok = Tokenizer(models.BPE(unk_token="<unk>", fuse_unk=True, byte_fallback=True))
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=True)
    trainer = trainers.BpeTrainer(vocab_size=vocab, special_tokens=LLAMA2_SPECIALS, show_progress=False)
    tok.train_from_iterator(lines, trainer)
    spec = json.loads(tok.to_str())
    vocab_map = spec["model"]["vocab"]
    for b in range(256):  # byte pieces are ordinary vocabulary entries, as in Llama-2
        vocab_map.setdefault(f"<0x{b:02X}>", len(vocab_map))
    bos = vocab_map["<s>"]
    spec["post_processor"] = {"type": "TemplateProcessing",
                              "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                              "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                                       {"SpecialToken": {"id": "<s>", "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
                              "special_tokens": {"<s>": {"id": "<s>", "ids": [bos], "tokens": ["<s>"]}}}
    if kind == "llama2":
        spec["normalizer"] = {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "▁"}, {"type": "Replace", "pattern": {"String": " "}, "content": "▁"}]}
        spec["pre_tokenizer"] = None
        spec["decoder"] = {"type": "Sequence", "decoders": [
            {"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"}, {"type": "Fuse"},
            {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}
        # merges as "a b" strings (older files), where no token holds a space
        spec["model"]["merges"] = [" ".join(m) if isinstance(m, list) else m for m in spec["model"]["merges"]]
    else:  # mistral
        spec["decoder"] = {"type": "Sequence", "decoders": [
            {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": True},
            {"type": "ByteFallback"}, {"type": "Fuse"}]}
    tok = Tokenizer.from_str(json.dumps(spec))
    tok.add_tokens([AddedToken("<tool>", normalized=True, special=False)])
    return tok, LLAMA2_SPECIALS + ["<tool>"]


def compare(kind, tok, specials, tool, work, n):
    path = work / f"{kind}.tokenizer.json"
    tok.save(str(path))
    strings = test_strings(n, specials, seed=len(kind) * 7919)
    inp = work / f"{kind}.strings.jsonl"
    got = run_jsonl_tool([tool, str(path)], strings, inp, work / f"{kind}.sftx.jsonl")
    assert len(got) == len(strings), f"{kind}: sftx wrote {len(got)} rows for {len(strings)} strings"
    mismatches = []
    for s, g in zip(strings, got):
        ids = tok.encode(s, add_special_tokens=False).ids
        ids_sp = tok.encode(s, add_special_tokens=True).ids
        want = {"ids": ids, "ids_special": ids_sp, "decode": tok.decode(ids_sp, skip_special_tokens=True),
                "decode_keep": tok.decode(ids_sp, skip_special_tokens=False)}
        if g != want:
            diff = {k: {"tokenizers": want[k], "sftx": g.get(k)} for k in want if g.get(k) != want[k]}
            if "error" in g:
                diff["error"] = g["error"]
            mismatches.append({"string": s, "diff": diff})
    bench = subprocess.run([tool, "--bench", str(path), str(inp)], check=True, capture_output=True, text=True)
    sftx_speed = json.loads(bench.stdout)
    t0 = time.perf_counter()
    for s in strings:
        tok.encode(s, add_special_tokens=False)
    peer_seconds = time.perf_counter() - t0
    return {"family": kind, "strings": len(strings), "mismatches": len(mismatches), "examples": mismatches[:5],
            "vocab": tok.get_vocab_size(), "sftx_encode_seconds": round(sftx_speed["seconds"], 4),
            "tokenizers_encode_seconds": round(peer_seconds, 4), "bytes": sftx_speed["bytes"]}


def bench_encode(args, work, results):
    """Encode throughput of the families' test strings (no special tokens), sftx beside tokenizers,
    rounds interleaved; MB/s of UTF-8 text, medians over the rounds."""
    import tokenizers
    median = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
    print(f"# encode throughput, {args.bench} interleaved rounds, MB/s of UTF-8 text (medians); "
          f"sftx_hf_tokenize --bench (C++, one thread) beside tokenizers {tokenizers.__version__} on one thread")
    print(f"{'family':<9} {'MB':>6} {'sftx':>8} {'tok.encode':>11} {'encode_batch':>13} "
          f"{'sftx/encode':>12} {'sftx/batch':>11}")
    for r in results:
        kind = r["family"]
        tok = Tokenizer.from_file(str(work / f"{kind}.tokenizer.json"))
        inp = work / f"{kind}.strings.jsonl"
        strings = [json.loads(line) for line in inp.read_text(encoding="utf-8").splitlines()]
        mb = sum(len(s.encode("utf-8")) for s in strings) / 1e6
        sftx, single, batch = [], [], []
        for _ in range(args.bench):
            out = subprocess.run([args.tool, "--bench", str(work / f"{kind}.tokenizer.json"), str(inp)], check=True,
                                 capture_output=True, text=True)
            sftx.append(mb / json.loads(out.stdout)["seconds"])
            t0 = time.perf_counter()
            for s in strings:
                tok.encode(s, add_special_tokens=False)
            single.append(mb / (time.perf_counter() - t0))
            t0 = time.perf_counter()
            tok.encode_batch(strings, add_special_tokens=False)
            batch.append(mb / (time.perf_counter() - t0))
        a, b, c = median(sftx), median(single), median(batch)
        print(f"{kind:<9} {mb:>6.2f} {a:>8.2f} {b:>11.2f} {c:>13.2f} {a / b:>12.2f} {a / c:>11.2f}   "
              f"(rounds: sftx {' '.join(f'{x:.2f}' for x in sftx)}; encode {' '.join(f'{x:.2f}' for x in single)}; "
              f"batch {' '.join(f'{x:.2f}' for x in batch)})", flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tool", required=True, help="path to the sftx_hf_tokenize binary")
    ap.add_argument("--work", required=True, help="folder for the tokenizers and string files")
    ap.add_argument("--strings", type=int, default=2500, help="test strings per family (5 families)")
    ap.add_argument("--families", default="gpt2,llama3,qwen2,llama2,mistral")
    ap.add_argument("--bench", type=int, default=0, metavar="ROUNDS",
                    help="also time encoding, ROUNDS interleaved rounds per family: sftx (one thread) beside "
                         "tokenizers' encode per string and encode_batch (TOKENIZERS_PARALLELISM=false: one thread)")
    args = ap.parse_args()
    import tokenizers
    args.tool = os.path.abspath(args.tool)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    lines = corpus_lines()
    results = []
    for kind in args.families.split(","):
        tok, specials = train(kind, lines)
        results.append(compare(kind, tok, specials, args.tool, work, args.strings))
        r = results[-1]
        print(f"{kind}: {r['strings']} strings, {r['mismatches']} mismatches, vocab {r['vocab']}, encode "
              f"sftx {r['sftx_encode_seconds']}s vs tokenizers {r['tokenizers_encode_seconds']}s", flush=True)
        for ex in r["examples"]:
            print("  MISMATCH", json.dumps(ex, ensure_ascii=False)[:1500])
    if args.bench:
        bench_encode(args, work, results)
    total = sum(r["strings"] for r in results)
    bad = sum(r["mismatches"] for r in results)
    summary = {"tokenizers_version": tokenizers.__version__, "strings_compared": total, "mismatches": bad,
               "families": results}
    (work / "summary.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"tokenizers {tokenizers.__version__}: {total} strings compared, {bad} mismatches ({work}/summary.json)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
