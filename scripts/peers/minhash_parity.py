#!/usr/bin/env python3
"""sftx's MinHash dedup beside datasketch's MinHashLSH, both against exact Jaccard.

One corpus of near-duplicate families (a base document and variants with a controlled share of
words replaced, inserted or deleted, so pair similarities spread across the threshold), plus
exact copies. Both sides see the same shingles (sftx's: word 5-grams over words() of
runtime/data/text_normalize.h, replicated here), the same threshold and number of permutations.

Truth: every pair sharing a shingle (an inverted index finds them all) gets its exact Jaccard;
pairs at or above the threshold are duplicates; union-find over them, each cluster keeping its
earliest document, gives the documents a perfect dedup removes.

  sftx       `sftx data` with dedup("minhash", ...) (candidates verified by exact Jaccard, its default);
  datasketch MinHash(num_perm) per document, MinHashLSH(threshold, num_perm) with datasketch's own
             (bands, rows), every document queried, union-find over the returned pairs, the
             earliest of each cluster kept (what text-dedup does); also with sftx's (bands, rows).

Reported: removed-document precision and recall against the truth for each. The check fails when
sftx's exact-verified dedup has precision below 1 (it verifies every candidate exactly, so a
wrong removal is a bug) or recall below 0.95, or when sftx's recall falls below datasketch's by
more than 0.02. With --bench, also docs/s on one core for both (bench/RESULTS.md).

Pinned peer: datasketch==2.0.0 (scripts/peers/requirements.txt)
Run:  ctest --test-dir build -R minhash_parity
"""
import argparse
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from itertools import combinations
from pathlib import Path

import datasketch
from datasketch import MinHash, MinHashLSH

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Tally  # noqa: E402

THRESHOLD, NUM_PERM, NGRAM = 0.85, 128, 5
WORD = re.compile(rb"[A-Za-z0-9\x80-\xff]+")


def shingles(text, n=NGRAM):
    """sftx's shingle set: word n-grams of words() (ASCII letters/digits and non-ASCII bytes, lowercased)."""
    words = [w.lower() for w in WORD.findall(text.encode("utf-8"))]
    if len(words) < n:
        return {b" ".join(words)}
    return {b" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}


def make_corpus(families, seed):
    rng = random.Random(seed)
    vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(2, 9))) for _ in range(3000)]
    docs = []
    for _ in range(families):
        base = [rng.choice(vocab) for _ in range(rng.randint(40, 400))]
        docs.append(" ".join(base))
        for _ in range(rng.choice([0, 0, 1, 2, 3, 5])):
            words = list(base)
            rate = rng.choice([0.0, 0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1])
            for _ in range(max(0, round(rate * len(words)))):
                op = rng.random()
                i = rng.randrange(len(words))
                if op < 0.4:
                    words[i] = rng.choice(vocab)
                elif op < 0.7:
                    words.insert(i, rng.choice(vocab))
                elif len(words) > 10:
                    del words[i]
            sep = rng.choice([" ", "  ", "\n", " , "])
            docs.append(sep.join(words) if rng.random() < 0.3 else " ".join(w.upper() if rng.random() < 0.05 else w
                                                                             for w in words))
    rng.shuffle(docs)
    return docs


class UnionFind:
    def __init__(self, n):
        self.parent = list(range(n))

    def find(self, x):
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a, b):
        ra, rb = self.find(a), self.find(b)
        if ra != rb:  # the smaller index stays the root: the earliest document represents
            self.parent[max(ra, rb)] = min(ra, rb)


def removed_by_pairs(n, pairs):
    uf = UnionFind(n)
    for a, b in pairs:
        uf.union(a, b)
    return {i for i in range(n) if uf.find(i) != i}


def truth(sets):
    index = {}
    for i, s in enumerate(sets):
        for sh in s:
            index.setdefault(sh, []).append(i)
    candidates = set()
    for ids in index.values():
        if len(ids) > 1:
            candidates.update(combinations(sorted(set(ids)), 2))
    dup_pairs = [(a, b) for a, b in candidates if len(sets[a] & sets[b]) / len(sets[a] | sets[b]) >= THRESHOLD]
    return dup_pairs, len(candidates)


def run_datasketch(sets, params=None):
    t0 = time.process_time()
    hashes = []
    for s in sets:
        m = MinHash(num_perm=NUM_PERM)
        m.update_batch(list(s))
        hashes.append(m)
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM, params=params)
    for i, m in enumerate(hashes):
        lsh.insert(i, m)
    pairs = set()
    for i, m in enumerate(hashes):
        for j in lsh.query(m):
            if j != i:
                pairs.add((min(i, j), max(i, j)))
    removed = removed_by_pairs(len(sets), pairs)
    return removed, time.process_time() - t0, (lsh.b, lsh.r)


def run_sftx(sftx, work, docs, verify):
    corpus = work / "corpus.jsonl"
    if not corpus.exists():
        corpus.write_text("".join(json.dumps({"messages": [{"role": "assistant", "content": d}], "meta": {"id": i}}) + "\n"
                                  for i, d in enumerate(docs)))
    spec = work / f"dedup_{verify}.sftx"
    spec.write_text(f'corpus = jsonl("corpus.jsonl", format = "messages")\n'
                    f'deduped = corpus |> dedup("minhash", threshold = {THRESHOLD}, num_perm = {NUM_PERM}, '
                    f'ngram = {NGRAM})\n')
    out = work / f"kept_{verify}.jsonl"
    cache = work / "cache"
    shutil.rmtree(cache, ignore_errors=True)  # a cached result would skip the work being measured
    # One thread: the bench reports documents per second per core.
    env = dict(os.environ, SFTX_THREADS="1")
    t0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    res = subprocess.run([sftx, "data", str(spec), "deduped", "-o", str(out), "--cache", str(cache)],
                         capture_output=True, text=True, env=env)
    t1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    secs = (t1.ru_utime - t0.ru_utime) + (t1.ru_stime - t0.ru_stime)  # CPU seconds of the command
    if res.returncode != 0:
        raise RuntimeError(f"sftx data exited {res.returncode}: {res.stderr}")
    kept = {json.loads(l)["meta"]["id"] for l in out.read_text().splitlines()}
    return set(range(len(docs))) - kept, secs


def prf(removed, true_removed):
    tp = len(removed & true_removed)
    precision = tp / len(removed) if removed else 1.0
    recall = tp / len(true_removed) if true_removed else 1.0
    return precision, recall


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sftx", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--families", type=int, default=1500)
    ap.add_argument("--bench", action="store_true", help="also time both on one larger corpus (docs/s)")
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    for f in work.glob("*.jsonl"):
        f.unlink()
    tally = Tally()

    docs = make_corpus(args.families, seed=5)
    sets = [shingles(d) for d in docs]
    dup_pairs, shared = truth(sets)
    true_removed = removed_by_pairs(len(docs), dup_pairs)
    print(f"datasketch {datasketch.__version__}; corpus: {len(docs)} documents, {shared} pairs sharing a shingle, "
          f"{len(dup_pairs)} pairs with Jaccard >= {THRESHOLD}, {len(true_removed)} documents a perfect dedup removes")

    results = {}
    removed, secs = run_sftx(args.sftx, work, docs, "exact")
    results["sftx dedup(minhash) (exact verification)"] = (prf(removed, true_removed), len(removed), secs)
    ds_removed, ds_secs, ds_params = run_datasketch(sets)
    results[f"datasketch MinHashLSH (b, r) = {ds_params}"] = (prf(ds_removed, true_removed), len(ds_removed), ds_secs)
    ds2_removed, ds2_secs, ds2_params = run_datasketch(sets, params=(14, 9))
    results[f"datasketch MinHashLSH (b, r) = {ds2_params} (sftx's)"] = (prf(ds2_removed, true_removed),
                                                                        len(ds2_removed), ds2_secs)
    for name, ((p, r), n, secs) in results.items():
        print(f"  {name:48s} removed {n:5d}  precision {p:.4f}  recall {r:.4f}")

    (p_exact, r_exact), _, _ = results["sftx dedup(minhash) (exact verification)"]
    (p_ds, r_ds), _, _ = results[f"datasketch MinHashLSH (b, r) = {ds_params}"]
    tally.check(p_exact == 1.0, f"sftx exact-verified: precision {p_exact:.4f} (every removal is a true duplicate)")
    tally.check(r_exact >= 0.95, f"sftx exact-verified: recall {r_exact:.4f} >= 0.95")
    tally.check(r_exact >= r_ds - 0.02, f"sftx recall {r_exact:.4f} vs datasketch {r_ds:.4f}: not more than 0.02 lower")

    if args.bench:
        big = make_corpus(args.families * 8, seed=6)
        big_sets = [shingles(d) for d in big]
        bench_dir = work / "bench"
        bench_dir.mkdir(exist_ok=True)
        for f in bench_dir.glob("*.jsonl"):
            f.unlink()
        _, sftx_secs = run_sftx(args.sftx, bench_dir, big, "exact")
        t0 = time.process_time()
        big_sets = [shingles(d) for d in big]  # datasketch's side includes shingling, as sftx's does
        shingle_secs = time.process_time() - t0
        _, ds_secs, _ = run_datasketch(big_sets)
        ds_total = ds_secs + shingle_secs
        print(f"bench (CPU seconds, one thread each): {len(big)} documents, {sum(len(d.split()) for d in big)} words")
        print(f"  sftx data |> dedup(minhash, verify=exact), whole command (parse JSONL, shingle, hash, LSH, "
              f"verify exactly, write): {sftx_secs:.2f} s = {len(big) / sftx_secs:.0f} docs/s/core")
        print(f"  datasketch MinHash.update_batch + MinHashLSH insert + query + union-find, shingling included "
              f"(no file IO): {ds_total:.2f} s = {len(big) / ds_total:.0f} docs/s/core")
        print(f"  ratio sftx / datasketch: {ds_total / sftx_secs:.1f}x")
    return tally.finish("minhash_parity")


if __name__ == "__main__":
    sys.exit(main())
