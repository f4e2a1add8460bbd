#!/usr/bin/env python3
"""Parity of sftx's GSM8K answer extraction and exact match with lm-eval's gsm8k task.

The reference is lm-eval itself: its gsm8k.yaml (read from the installed package) gives the two
filters ("strict-match": the first `#### N`; "flexible-extract": the last number-like run) and
exact_match's regexes_to_ignore; they run through lm-eval's own RegexFilter and
exact_match_hf_evaluate. The extraction compared is the common `#### N`, else last-number
rule: strict-match's answer where it finds one, flexible-extract's otherwise. sftx runs through
`sftx score gsm8k` on the same predictions, and every line's `extracted` and `correct` must
equal lm-eval's. Exit 0 only when nothing differs.

Pinned peer: lm-eval==0.4.13 (scripts/peers/requirements.txt)
Run:  ctest --test-dir build -R gsm8k_parity
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import yaml
import lm_eval
from lm_eval.api.metrics import exact_match_hf_evaluate
from lm_eval.filters.extraction import RegexFilter

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Tally  # noqa: E402

# Hand-written tricky answers: commas, $, trailing periods, negatives, fractions, decimals,
# several #### markers, markers without a space or with a $, numbers inside words, units.
TRICKY = [
    "She pays 3 * 4 = 12 dollars.\n#### 12", "#### 1,234,567", "The total is $1,234.", "It costs $2.50.",
    "change of -3 degrees", "about .5 of it", "pick 3,4", "a COVID-19 case", "it is 5...", "3/4 of them",
    "The answer is 1/2.", "So x = -7/8", "#### -42", "#### -1,000.", "####72", "#### $72", "####  72",
    "a #### 1 then #### 2", "#### none, but earlier 41", "no digits here", "", "####", "The answer is 18.",
    "Total: $1,000,000.00.", "She ran 3.5 km, then 2.25 km: 5.75 km.", "1.2.3", "Version 2.0.1 costs $5",
    "Answer: 72\n", "Answer: 72.\n", "72.\n\n", "...", ".5.", "$.", "-$5", "$-5", "The loss is -$12.",
    "12 - 5 = 7", "5 -3", "x=-3,y=4", "The answer is 3,000 apples and 4,00 pears", "1e5 is big",
    "#### 1 000", "#### 7\n#### 8", "Result: (-12)", "50%", "He has 2⁄3 left", "٣ or 3", "The answer is: **42**",
    "\\boxed{42}", "So the answer is $\\frac{3}{4}$.", "The answer is 0.", "The answer is 00", "#### 0.50",
    "The answer is 72.0", "It took 1:30 hours, i.e. 90 minutes.", "Dates: 2023-10-05", "Call 555-1234",
    "between 3-5 days", "1,2,3,4", ",,,", "5,", ",5", "The answer is 5,", "-0", "#### -0", "--5", "+5",
    "The price went from $10 to $8. The difference is $2.\n\nThe answer is $2.", "#### 2.", "#### .5",
    "#### 3/4", "#### 3 / 4", "#### 1,5", "Total = 40 + 32 = 72\nSo the answer is 72 apples.",
]
WORDS = ["The", "answer", "is", "so", "she", "has", "left", "apples", "total", "cost", "dollars", "=", "+", "*",
         "then", "minus", "Therefore", "\n", "km", "each", "per", "day", "(", ")", ":", "x", "-", "/", "and"]


def random_number(rng):
    kind = rng.random()
    whole = rng.randint(0, 10 ** rng.randint(1, 7))
    if kind < 0.25:
        text = f"{whole:,}"
    elif kind < 0.4:
        text = f"{whole}.{rng.randint(0, 99):02d}"
    elif kind < 0.5:
        text = f"{rng.randint(1, 9)}/{rng.randint(2, 12)}"
    elif kind < 0.55:
        text = f".{rng.randint(1, 99)}"
    else:
        text = str(whole)
    if rng.random() < 0.2:
        text = "-" + text
    if rng.random() < 0.2:
        text = "$" + text if rng.random() < 0.7 else text.replace("-", "-$", 1) if text.startswith("-") else "$" + text
    if rng.random() < 0.25:
        text += rng.choice([".", "..", ",", "!", "?", ")", "%"])
    return text


def random_answer(rng):
    parts = []
    for _ in range(rng.randint(0, 25)):
        parts.append(random_number(rng) if rng.random() < 0.3 else rng.choice(WORDS))
    text = " ".join(parts)
    r = rng.random()
    if r < 0.3:
        text += "\n#### " + random_number(rng)
    elif r < 0.4:
        text += rng.choice(["\n####", "\n#### ", "####", "\n#### $"]) + random_number(rng)
    elif r < 0.5:
        text += "\nThe answer is " + random_number(rng) + rng.choice(["", ".", "\n"])
    return text


def lm_eval_gsm8k_config():
    path = Path(lm_eval.__file__).parent / "tasks" / "gsm8k" / "gsm8k.yaml"
    # The task files use !function tags; none are on the keys read here.
    class Loader(yaml.SafeLoader):
        pass
    Loader.add_constructor("!function", lambda loader, node: loader.construct_scalar(node))
    return yaml.load(path.read_text(), Loader=Loader), path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sftx", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--random", type=int, default=3000)
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)

    config, config_path = lm_eval_gsm8k_config()
    filters = {f["name"]: f["filter"] for f in config["filter_list"]}
    metric = next(m for m in config["metric_list"] if m["metric"] == "exact_match")

    def regex_filter(name):
        spec = next(step for step in filters[name] if step["function"] == "regex")
        kwargs = {k: v for k, v in spec.items() if k != "function"}
        return RegexFilter(**kwargs)

    strict, flexible = regex_filter("strict-match"), regex_filter("flexible-extract")
    print(f"lm-eval {lm_eval.__version__}: {config_path}")
    print(f"  strict-match     {strict.regex.pattern!r} group_select {strict.group_select}")
    print(f"  flexible-extract {flexible.regex.pattern!r} group_select {flexible.group_select}")
    print(f"  exact_match regexes_to_ignore {metric['regexes_to_ignore']}, ignore_case {metric['ignore_case']}")

    rng = random.Random(8)
    completions = TRICKY + [random_answer(rng) for _ in range(args.random)]
    # References: real-looking solutions ending "#### N", sometimes the completion's own answer.
    references = []
    for i, c in enumerate(completions):
        n = random_number(random.Random(i)).rstrip(".,!?)%")
        references.append(f"Some steps = {n}.\n#### {n}")

    def lm_extract(text):
        s = list(strict.apply([[text]], None))[0][0]
        if s == strict.fallback:
            s = list(flexible.apply([[text]], None))[0][0]
        return None if s == flexible.fallback else s

    extracted_lm = [lm_extract(c) for c in completions]
    # Half the references get the prediction's own extracted text as the answer, so "correct" is
    # exercised both ways.
    for i, e in enumerate(extracted_lm):
        if e is not None and i % 2 == 0 and "\n" not in e and "#" not in e:
            references[i] = f"Some steps.\n#### {e}"
    answers = Path(args.work) / "answers.jsonl"
    preds = Path(args.work) / "predictions.jsonl"
    answers.write_text("".join(json.dumps({"question": f"q{i}", "answer": r}) + "\n" for i, r in enumerate(references)))
    preds.write_text("".join(json.dumps({"idx": i, "completion": c}) + "\n" for i, c in enumerate(completions)))

    res = subprocess.run([args.sftx, "score", "gsm8k", str(preds), "--answers", str(answers)],
                         capture_output=True, text=True)
    if res.returncode != 0:
        print(res.stdout, res.stderr)
        return 1
    rows = [json.loads(l) for l in Path(str(preds) + "_results.jsonl").read_text().splitlines()]

    tally = Tally()
    extract_mismatch, verdict_mismatch = [], []
    lm_correct = 0
    for i, (c, r, row) in enumerate(zip(completions, references, rows)):
        lm = extracted_lm[i]
        # lm-eval's exact_match on the filtered prediction against the whole reference.
        ok = bool(exact_match_hf_evaluate(predictions=[lm if lm is not None else flexible.fallback], references=[r],
                                          regexes_to_ignore=metric["regexes_to_ignore"],
                                          ignore_case=metric["ignore_case"],
                                          ignore_punctuation=metric.get("ignore_punctuation", False))["exact_match"])
        lm_correct += ok
        # The normalised extraction lm-eval compares: the regexes applied to the filtered text.
        norm = None
        if lm is not None:
            norm = lm
            for pattern in metric["regexes_to_ignore"]:
                norm = re.sub(pattern, "", norm)
            if metric["ignore_case"]:
                norm = norm.lower()
        if row.get("extracted") != norm:
            extract_mismatch.append((c, norm, row.get("extracted")))
        if bool(row["correct"]) != ok:
            verdict_mismatch.append((c, r, ok, row["correct"]))
    for c, want, got in extract_mismatch[:20]:
        print(f"  extraction differs on {c!r}: lm-eval {want!r}, sftx {got!r}")
    for c, r, want, got in verdict_mismatch[:20]:
        print(f"  verdict differs on {c!r} vs {r!r}: lm-eval {want}, sftx {got}")
    n = len(completions)
    tally.check(not extract_mismatch, f"extraction: {n} answers ({len(TRICKY)} hand-written), "
                                      f"{len(extract_mismatch)} mismatches")
    tally.check(not verdict_mismatch, f"exact match: {n} verdicts ({lm_correct} correct by lm-eval), "
                                      f"{len(verdict_mismatch)} mismatches")
    return tally.finish("gsm8k_parity")


if __name__ == "__main__":
    sys.exit(main())
