#!/usr/bin/env python3
"""Parity of sftx's `vicuna` chat template with FastChat's `vicuna_v1.1` conversation.

For many conversations (one to five turns, default and custom system prompts, Unicode, code,
whitespace, text that looks like the template's own markers) it compares, through the same
tokenizer:
  - the text: sftx's rendering (bos written as <s>) against "<s>" + FastChat's get_prompt();
  - the token ids: sftx's segment-by-segment encoding against the Hugging Face tokenizer's ids for
    FastChat's prompt (what FastChat's train.py feeds the model: the bos comes from the tokenizer);
  - the generation prompt (conversation up to the last user turn plus "ASSISTANT:"), text and ids;
  - the loss mask: its rule checked on ids (the assistant's words and </s> carry loss, nothing
    else), and against the labels of FastChat's own preprocess() (fastchat/train/train.py)
    wherever that keeps them (its length heuristic, tuned for Llama's tokenizer, gives up on
    some conversations of these small tokenizers and masks them whole: counted, not compared).
The tokenizers are Llama-2 and Mistral style SentencePiece BPE tokenizer.json files, trained
locally with `tokenizers` by tokenizers_parity.train (no downloads).

Pinned peer: fschat==0.2.36 (scripts/peers/requirements.txt)
Run:  ctest --test-dir build -R vicuna_parity
"""
import json
import os
import subprocess
import sys

from fastchat.conversation import get_conv_template
from transformers import PreTrainedTokenizerFast

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Tally, chat_tool_args, random_conversations  # noqa: E402
from tokenizers_parity import corpus_lines, train  # noqa: E402

TEXTS = ["What is 2 + 2?", "Write a haiku about autumn.", "def f(x):\n    return x * 2\n", "  leading spaces",
         "trailing spaces  ", "line one\nline two\n\nline four", "Tabs\tand\ttabs", "naïve café — Straße",
         "東京はどこですか？", "emoji 😀 👍🏽", "USER: not really", "ASSISTANT: also not", "a</s>b", "<s> inside",
         "Numbers: 1,234.56 and -7", "x", "Sure! Here it is:\n```python\nprint('hi')\n```", "Hmm...", "?",
         "Multiple   spaces   inside", "A very long answer " * 12, "Ends with newline\n", "\nStarts with newline"]
SYSTEMS = [None, None, None, "You are a pirate.", "Answer briefly.\nUse English.", "  spaced system  "]


def conversations(n, seed):
    return random_conversations(n, seed, TEXTS, SYSTEMS, max_turns=5)


def fastchat_prompt(messages, generation=False):
    conv = get_conv_template("vicuna_v1.1")
    turns = messages
    if messages and messages[0]["role"] == "system":
        conv.set_system_message(messages[0]["content"])
        turns = messages[1:]
    if generation:  # up to and including the last user message
        last_user = max(i for i, m in enumerate(turns) if m["role"] == "user")
        turns = turns[: last_user + 1]
    for m in turns:
        conv.append_message(conv.roles[0] if m["role"] == "user" else conv.roles[1], m["content"])
    if generation:
        conv.append_message(conv.roles[1], None)
    return conv.get_prompt()


def fastchat_labels(hf, messages):
    """FastChat's own training mask: fastchat.train.train.preprocess on ShareGPT-form sources."""
    from fastchat.train import train as fc_train
    source = []
    turns = messages
    system = None
    if messages and messages[0]["role"] == "system":
        system = messages[0]["content"]
        turns = messages[1:]
    for m in turns:
        source.append({"from": "human" if m["role"] == "user" else "gpt", "value": m["content"]})
    if system is not None:
        return None  # preprocess() always uses the default system prompt
    out = fc_train.preprocess([source], hf)
    ids = out["input_ids"][0].tolist()
    labels = out["labels"][0].tolist()
    n = int(out["attention_mask"][0].sum())
    return ids[:n], [int(l != fc_train.IGNORE_TOKEN_ID) for l in labels[:n]]


def main():
    args, work = chat_tool_args(400)
    tally = Tally()
    convs = conversations(args.n, seed=11)
    conv_file = work / "conversations.jsonl"
    conv_file.write_text("".join(json.dumps({"messages": m}) + "\n" for m in convs))
    lines = corpus_lines()

    for kind in ("llama2", "mistral"):
        tok, _ = train(kind, lines, vocab=2000)
        tok_file = work / f"{kind}_tokenizer.json"
        tok.save(str(tok_file))
        hf = PreTrainedTokenizerFast(tokenizer_file=str(tok_file), bos_token="<s>", eos_token="</s>",
                                     unk_token="<unk>", pad_token="<unk>", model_max_length=4096)
        # FastChat's preprocess() reads LlamaTokenizer's `legacy`: whether text after a special
        # token gets the "▁" prefix again (Llama-2's Prepend normalizer: yes; Mistral's Metaspace
        # with prepend_scheme "first": no).
        hf.legacy = kind == "llama2"
        out_file = work / f"{kind}_sftx.jsonl"
        res = subprocess.run([args.tool, "vicuna", str(tok_file), str(conv_file), str(out_file)],
                             capture_output=True, text=True)
        if res.returncode != 0:
            print(res.stdout, res.stderr)
            return 1
        rows = [json.loads(l) for l in out_file.read_text().splitlines()]
        text_diff, ids_diff, prompt_diff, mask_rule, fc_mask_diff, fc_compared = [], [], [], [], [], 0
        eos = hf.convert_tokens_to_ids("</s>")
        for msgs, row in zip(convs, rows):
            if "error" in row:
                text_diff.append((msgs, row["error"]))
                continue
            want = fastchat_prompt(msgs)
            if row["text"] != "<s>" + want:
                text_diff.append((want, row["text"]))
            want_ids = hf(want).input_ids
            if row["ids"] != want_ids:
                ids_diff.append((want, want_ids, row["ids"]))
            want_prompt = fastchat_prompt(msgs, generation=True)
            if row["prompt_text"] != "<s>" + want_prompt or row["prompt_ids"] != hf(want_prompt).input_ids:
                prompt_diff.append((want_prompt, row["prompt_text"]))
            # The mask rule on ids: the trainable tokens are exactly the assistant replies (each
            # encoded as the tokenizer encodes it after "ASSISTANT:") followed by </s>.
            trainable = [i for i, m in zip(row["ids"], row["loss_mask"]) if m]
            expected = []
            for m in msgs:
                if m["role"] == "assistant":
                    expected += hf("ASSISTANT: " + m["content"], add_special_tokens=False).input_ids[
                        len(hf("ASSISTANT:", add_special_tokens=False).input_ids):] + [eos]
            if trainable != expected or row["loss_mask"][-1] != 1:
                mask_rule.append((msgs, trainable, expected))
            fc = fastchat_labels(hf, msgs)
            if fc is not None:
                fc_compared += 1
                fc_ids, fc_mask = fc
                if fc_ids != row["ids"] or fc_mask != list(row["loss_mask"]):
                    fc_mask_diff.append((fc_ids == row["ids"], sum(fc_mask), sum(row["loss_mask"])))
        for d in text_diff[:3]:
            print("  text differs:", d)
        for want, want_ids, got in ids_diff[:3]:
            print(f"  ids differ on {want!r}:\n    hf   {want_ids}\n    sftx {got}")
        for d in prompt_diff[:3]:
            print("  generation prompt differs:", d)
        for d in mask_rule[:3]:
            print("  mask rule differs:", d)
        n = len(convs)
        turns = sum(sum(m["role"] == "user" for m in c) for c in convs)
        tally.check(not text_diff, f"{kind}: text, {n} conversations ({turns} turns), {len(text_diff)} mismatches")
        tally.check(not ids_diff, f"{kind}: token ids through the same tokenizer, {n} conversations, "
                                  f"{len(ids_diff)} mismatches")
        tally.check(not prompt_diff, f"{kind}: generation prompt text and ids, {n} conversations, "
                                     f"{len(prompt_diff)} mismatches")
        tally.check(not mask_rule, f"{kind}: loss mask = assistant replies + </s>, {n} conversations, "
                                   f"{len(mask_rule)} mismatches")
        # FastChat's preprocess() finds turn boundaries by re-tokenising pieces with a "- 2"
        # correction made for Llama's own tokenizer; when its count disagrees with the whole it
        # prints "tokenization mismatch" and masks the entire conversation (no loss at all).
        guarded = sum(1 for same_ids, fc_sum, _ in fc_mask_diff if same_ids and fc_sum == 0)
        other = len(fc_mask_diff) - guarded
        print(f"  FastChat's own preprocess() labels vs sftx's loss mask, {fc_compared} default-system conversations: "
              f"{fc_compared - len(fc_mask_diff)} identical, {guarded} where FastChat's mismatch guard masked the "
              f"whole conversation, {other} other differences")
        tally.check(other == 0, f"{kind}: wherever FastChat's preprocess() keeps its labels, they equal sftx's mask "
                                f"({fc_compared - len(fc_mask_diff)} conversations)")
    return tally.finish("vicuna_parity")


if __name__ == "__main__":
    sys.exit(main())
