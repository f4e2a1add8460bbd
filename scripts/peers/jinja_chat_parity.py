#!/usr/bin/env python3
"""Published chat templates rendered by sftx's Jinja interpreter against transformers' jinja2.

For each template in tests/data/chat_templates/models.json (Llama-3.1, Qwen2, Qwen2.5, Mistral
v0.3, Gemma, Gemma-3, Phi-3, Phi-3.5, Zephyr-Gemma, StableLM-Zephyr, TinyLlama: verbatim from the
models' tokenizer_config.json files) it writes a checkpoint-like directory (tokenizer_config.json
with the template, bos_token, eos_token: what `template = "model"` reads) and, for many random
conversations (with and without a system message, one to five turns, some ending on a user turn,
Unicode, blank and padded texts, text that looks like markers), compares:
  - the text: sftx's rendering against transformers' compiled template (its jinja2 environment:
    ImmutableSandboxedEnvironment, trim_blocks, lstrip_blocks, loopcontrols, its tojson and
    raise_exception) with add_generation_prompt false, true, and the generation prompt up to the
    last user turn; a conversation the template refuses (raise_exception) must be refused by both;
  - the token ids: sftx's segment-by-segment encoding against `tokenizers` encoding the whole
    text (add_special_tokens=False, as apply_chat_template does), for a byte-level BPE and a
    SentencePiece-style tokenizer.json with the template's markers added as special tokens;
  - the loss mask, token for token, against one derived here independently of sftx's method:
    each message's place found by rendering with sentinel contents and matching the real
    rendering; an assistant token is one overlapping its content (with the spaces the template
    puts just before it) or the whitespace and end-of-turn marker models.json names after it.

Pinned peers: jinja2==3.1.6, transformers, tokenizers (scripts/peers/requirements.txt)
Run:  ctest --test-dir build -R jinja_chat_parity
"""
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import jinja2
from tokenizers import AddedToken, Tokenizer
from transformers.utils.chat_template_utils import _compile_jinja_template

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Tally, chat_tool_args, random_conversations  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "tests/data/chat_templates"
TOKENIZERS = ["byte_level_bpe.json", "sentencepiece_bpe.json"]
TEXTS = ["Hi", "What is 2 + 2?", "  padded  ", "line one\nline two", "trailing newline\n", "\nleading newline",
         "Tabs\tinside", "naïve café — 東京 😀", "[INST] not really [/INST]", "<|im_end|> in text", "x", "   ",
         "def f(x):\n    return x * 2\n", "\u00a0nbsp and ideographic\u3000space\u3000", "A longer answer. " * 6,
         "Sure! Here:\n```python\nprint('hi')\n```", "</s>", "Numbers: 1,234.56 and -7"]
SYSTEMS = [None, None, "You are terse.", "  padded system  ", "Two\nlines"]


def conversations(n, seed):
    convs = random_conversations(n, seed, TEXTS, SYSTEMS, max_turns=5)
    rng = random.Random(seed + 1)
    for c in convs:  # some end on a user turn (a prompt), as generation sees them
        if rng.random() < 0.25:
            c.pop()
    return convs


def render(template, messages, generation, cfg):
    kw = {k: cfg[k] for k in ("bos_token", "eos_token") if cfg.get(k) is not None}
    try:
        return template.render(messages=messages, add_generation_prompt=generation, **kw)
    except jinja2.exceptions.TemplateError:
        return None


def content_spans(template, messages, cfg, text):
    """Where each message's content lies in `text`: render with unique sentinel contents, then
    match the real rendering piece by piece, each content written as is or stripped."""
    sentinels = [f"\ue000{i}\ue001" for i in range(len(messages))]
    skeleton = render(template, [dict(m, content=s) for m, s in zip(messages, sentinels)], False, cfg)
    if skeleton is None:
        return None
    parts = re.split("(\ue000\\d+\ue001)", skeleton)
    spans = {}

    def match(k, pos):
        if k == len(parts):
            return pos == len(text)
        part = parts[k]
        m = re.fullmatch("\ue000(\\d+)\ue001", part)
        if not m:
            return text.startswith(part, pos) and match(k + 1, pos + len(part))
        i = int(m.group(1))
        for written in dict.fromkeys([messages[i]["content"], messages[i]["content"].strip()]):
            if text.startswith(written, pos):
                spans.setdefault(i, []).append((pos, pos + len(written)))
                if match(k + 1, pos + len(written)):
                    return True
                spans[i].pop()
        return False

    return spans if match(0, 0) else None


def expected_mask(text, spans, messages, end_of_turn, offsets):
    trained = [False] * len(text)
    content = [False] * len(text)
    for sp in spans.values():
        for b, e in sp:
            for k in range(b, e):
                content[k] = True
    for i, sp in spans.items():
        if messages[i]["role"] != "assistant":
            continue
        for b, e in sp:
            while b > 0 and text[b - 1] == " " and not content[b - 1]:
                b -= 1
            p = e
            while p < len(text) and text[p] in " \t\r\n" and not content[p]:
                p += 1
            if text.startswith(end_of_turn, p):
                e = p + len(end_of_turn)
            for k in range(b, e):
                trained[k] = True
    return [int(any(trained[a:b])) for a, b in offsets]


def tokenizer_for(base, markers, path):
    tok = Tokenizer.from_file(str(ROOT / "tests/data/hf_tokenizers" / base))
    tok.add_special_tokens([AddedToken(m, special=True, normalized=False) for m in markers])
    tok.save(str(path))
    return tok


def main():
    args, work = chat_tool_args(200)
    tally = Tally()
    print(f"jinja2 {jinja2.__version__}")
    models = json.loads((TEMPLATES / "models.json").read_text())
    total = {"conversations": 0, "text mismatches": 0, "token mismatches": 0, "mask mismatches": 0, "refused by both": 0}
    for ti, (file, cfg) in enumerate(sorted(models.items())):
        source = (TEMPLATES / file).read_text()
        template = _compile_jinja_template(source)
        model_dir = work / file.removesuffix(".jinja")
        model_dir.mkdir(exist_ok=True)
        (model_dir / "tokenizer_config.json").write_text(json.dumps(
            {"bos_token": cfg["bos_token"], "eos_token": cfg["eos_token"], "chat_template": source}))
        convs = conversations(args.n, seed=100 + ti)
        conv_file = model_dir / "conversations.jsonl"
        conv_file.write_text("".join(json.dumps({"messages": m}) + "\n" for m in convs))
        markers = sorted(set(re.findall(r"<\|?[A-Za-z_]+\|?>|\[/?INST\]", source)) |
                         {t for t in (cfg["bos_token"], cfg["eos_token"]) if t})
        stats = dict.fromkeys(total, 0)
        shown = 0
        for base in TOKENIZERS:
            tok_path = model_dir / base
            tok = tokenizer_for(base, markers, tok_path)
            out_file = model_dir / (base + ".out.jsonl")
            subprocess.run([args.tool, str(model_dir), str(tok_path), str(conv_file), str(out_file)], check=True)
            rows = [json.loads(line) for line in out_file.read_text().splitlines()]
            for msgs, row in zip(convs, rows):
                stats["conversations"] += 1
                want = render(template, msgs, False, cfg)
                want_gen = render(template, msgs, True, cfg)
                users = [i for i, m in enumerate(msgs) if m["role"] == "user"]
                want_prompt = render(template, msgs[: users[-1] + 1], True, cfg) if users else None
                if None in (want, want_gen, want_prompt):
                    if "error" in row:
                        stats["refused by both"] += 1
                    else:
                        stats["text mismatches"] += 1
                        if shown < 3:
                            shown += 1
                            print(f"    transformers refuses, sftx renders: {msgs!r}")
                    continue
                got = (row.get("text"), row.get("generation_text"), row.get("prompt_text"))
                if got != (want, want_gen, want_prompt):
                    stats["text mismatches"] += 1
                    if shown < 3:
                        shown += 1
                        print(f"    differs on {msgs!r}:\n      transformers {want!r}\n      sftx         {got[0]!r}"
                              f"\n      error {row.get('error')!r}")
                    continue
                enc = tok.encode(want, add_special_tokens=False)
                if row["ids"] != enc.ids:
                    stats["token mismatches"] += 1
                    if shown < 3:
                        shown += 1
                        print(f"    ids differ ({base}) on {want!r}:\n      tokenizers {enc.ids}\n      sftx       {row['ids']}")
                    continue
                spans = content_spans(template, msgs, cfg, want)
                mask = expected_mask(want, spans or {}, msgs, cfg["end_of_turn"], enc.offsets) if spans else None
                if mask != row["loss_mask"]:
                    stats["mask mismatches"] += 1
                    if shown < 3:
                        shown += 1
                        print(f"    mask differs ({base}) on {want!r}:\n      expected {mask}\n      sftx     {row['loss_mask']}")
        for k in total:
            total[k] += stats[k]
        bad = stats["text mismatches"] + stats["token mismatches"] + stats["mask mismatches"]
        tally.check(bad == 0 and stats["conversations"] > stats["refused by both"],
                    f"{file} ({cfg['model']}): {stats['conversations']} conversations x tokenizer, "
                    f"{stats['refused by both']} refused by both, {stats['text mismatches']} text, "
                    f"{stats['token mismatches']} token, {stats['mask mismatches']} mask mismatches")
    print("total: " + ", ".join(f"{v} {k}" for k, v in total.items()) + f" over {len(models)} templates")
    return tally.finish("jinja_chat_parity")


if __name__ == "__main__":
    sys.exit(main())
