#!/usr/bin/env python3
"""Writes the micro gsm8k test set twice in `gsm8k` JSONL format: as generated (held-out
person names) and with each held-out name replaced by a training name (values unchanged).

    sftx data micro_floor.sftx test -o test.jsonl
    python3 rename_test_names.py test.jsonl     # -> test_heldout_names.jsonl, test_train_names.jsonl

The names are those of stdlib/synthetic/micro_split.h (test list -> the first eight training names).
"""
import json
import re
import sys

TEST = ["Rosa", "Sam", "Tina", "Umar", "Vera", "Walt", "Yara", "Zeke"]
TRAIN = ["Ana", "Ben", "Cara", "Dan", "Eva", "Finn", "Gina", "Hugo"]
RENAME = dict(zip(TEST, TRAIN))
PATTERN = re.compile(r"\b(" + "|".join(TEST) + r")\b")


def main(path):
    with open(path) as src, open("test_heldout_names.jsonl", "w") as held, open("test_train_names.jsonl", "w") as train:
        for line in src:
            record = json.loads(line)
            question, answer = (m["content"] for m in record["messages"][:2])
            held.write(json.dumps({"question": question, "answer": answer}) + "\n")
            rename = lambda s: PATTERN.sub(lambda m: RENAME[m.group(1)], s)
            train.write(json.dumps({"question": rename(question), "answer": rename(answer)}) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
