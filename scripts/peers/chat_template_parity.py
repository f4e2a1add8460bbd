#!/usr/bin/env python3
"""Which published chat templates sftx's built-in templates reproduce, checked with jinja2.

Renders the chat_template strings of tests/data/chat_templates/ (ChatML; Qwen2-Instruct's;
Llama-2-chat's, as their tokenizer_config.json files publish them) with jinja2 the way
transformers' apply_chat_template does (sandboxed environment, trim_blocks, lstrip_blocks,
raise_exception, bos_token/eos_token), for many conversations, and compares the text with sftx's
built-in template of the same family (tests/tools/chat_encode.cc): the training rendering
(add_generation_prompt false) and the generation prompt (true, up to the last user turn).

Where a template and a built-in agree only on some conversations (Qwen2 adds a default system
prompt), the check states the condition and verifies it. This records which published templates
a built-in reproduces exactly; sftx's own rendering of any published template (template =
"model") is checked by jinja_chat_parity.py.

Pinned peer: jinja2==3.1.6 (scripts/peers/requirements.txt)
Run:  ctest --test-dir build -R chat_template_parity
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Tally, chat_tool_args, random_conversations  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
TEXTS = ["Hi", "What is 2 + 2?", "  padded  ", "line one\nline two", "trailing newline\n", "\nleading newline",
         "Tabs\tinside", "naïve café — 東京 😀", "[INST] not really [/INST]", "<<SYS>> x", "x", "A longer answer. " * 5]
SYSTEMS = [None, None, "You are terse.", "  padded system  ", "Two\nlines"]
# (template file, sftx built-in, which conversations must agree)
CASES = [("chatml.jinja", "chatml", "all"), ("qwen2.jinja", "chatml", "with a system message"),
         ("llama2.jinja", "llama2", "all")]


def conversations(n, seed):
    return random_conversations(n, seed, TEXTS, SYSTEMS, max_turns=4)


def environment():
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.globals["raise_exception"] = raise_exception
    return env


def main():
    args, work = chat_tool_args(300)
    tally = Tally()
    convs = conversations(args.n, seed=3)
    conv_file = work / "conversations.jsonl"
    conv_file.write_text("".join(json.dumps({"messages": m}) + "\n" for m in convs))
    tokenizer = ROOT / "tests/data/hf_tokenizers/byte_level_bpe.json"  # only the text is compared
    env = environment()
    print(f"jinja2 {jinja2.__version__}")
    for template_file, builtin, condition in CASES:
        template = env.from_string((ROOT / "tests/data/chat_templates" / template_file).read_text())
        out_file = work / f"{builtin}.jsonl"
        subprocess.run([args.tool, builtin, str(tokenizer), str(conv_file), str(out_file)], check=True)
        rows = [json.loads(l) for l in out_file.read_text().splitlines()]
        compared, diffs = 0, []
        for msgs, row in zip(convs, rows):
            if condition == "with a system message" and msgs[0]["role"] != "system":
                continue
            compared += 1
            want = template.render(messages=msgs, add_generation_prompt=False, bos_token="<s>", eos_token="</s>")
            last_user = max(i for i, m in enumerate(msgs) if m["role"] == "user")
            want_prompt = template.render(messages=msgs[: last_user + 1], add_generation_prompt=True,
                                          bos_token="<s>", eos_token="</s>")
            # (Llama-2's template has no generation-prompt branch: its prompt ends at "[/INST]".)
            if row.get("text") != want or row.get("prompt_text") != want_prompt:
                diffs.append((msgs, want, row.get("text"), want_prompt, row.get("prompt_text")))
        for msgs, want, got, want_p, got_p in diffs[:3]:
            print(f"    differs on {msgs!r}:\n      jinja2 {want!r}\n      sftx   {got!r}\n"
                  f"      jinja2 prompt {want_p!r}\n      sftx   prompt {got_p!r}")
        tally.check(not diffs, f"{template_file} = sftx {builtin} ({condition}): {compared} conversations, "
                               f"{len(diffs)} mismatches")
    return tally.finish("chat_template_parity")


if __name__ == "__main__":
    sys.exit(main())
