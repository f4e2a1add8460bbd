#!/usr/bin/env python3
"""A deterministic MT-Bench judge for tests: reads {"question", "answer", ...} as JSON on
stdin and prints {"score": S}. S = 1 + the number of the question's words (longer than
three letters) that the answer repeats, capped at 10; an answer "FAIL" makes it exit 3."""
import json
import re
import sys

req = json.load(sys.stdin)
if req["answer"].strip() == "FAIL":
    print("judge: refusing on purpose", file=sys.stderr)
    sys.exit(3)
if req["answer"].strip() == "GARBAGE":
    print("not json")
    sys.exit(0)
words = {w.lower() for w in re.findall(r"[A-Za-z]+", req["question"]) if len(w) > 3}
answer = {w.lower() for w in re.findall(r"[A-Za-z]+", req["answer"])}
print(json.dumps({"score": min(10, 1 + len(words & answer))}))
