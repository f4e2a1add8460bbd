"""What the peer checks share: finding and running sftx-worker, running a JSONL test tool, the chat
checks' arguments, and the closing line."""
import argparse
import json
import os
import subprocess
from pathlib import Path

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_jsonl_tool(cmd, rows, inp, out):
    """Writes `rows` as JSONL to `inp`, runs `cmd inp out` (an sftx test tool) and returns the rows
    it wrote to `out`. Lines are split at "\n" only: the tools write UTF-8 as is, and a response
    may hold U+2028 or U+0085, where str.splitlines would cut a row in two."""
    inp.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    subprocess.run([*cmd, str(inp), str(out)], check=True)
    return [json.loads(l) for l in out.read_text(encoding="utf-8").split("\n") if l]


def chat_tool_args(default_n):
    """The arguments of the chat-rendering checks (sftx_chat_encode, a scratch folder, how many
    conversations); returns (args, the scratch folder, created)."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True, help="sftx_chat_encode")
    ap.add_argument("--work", required=True)
    ap.add_argument("--n", type=int, default=default_n)
    args = ap.parse_args()
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    return args, work


def default_worker():
    return os.environ.get("SFTX_WORKER") or os.path.join(ROOT, "build", "sftx-worker")


class WorkerError(RuntimeError):
    def __init__(self, verb, returncode, stderr):
        super().__init__(f"sftx-worker {verb} exited {returncode}: {stderr.strip()}")
        self.returncode = returncode
        self.stderr = stderr


def protocol_version(worker):
    """The request protocol version the worker speaks (runtime/launch/protocol.h)."""
    res = subprocess.run([worker, "--protocol-version"], capture_output=True, text=True)
    if res.returncode != 0:
        raise WorkerError("--protocol-version", res.returncode, res.stderr)
    return int(res.stdout.strip())


def run_worker(worker, verb, request, work, name, threads=1):
    """Writes REQUEST (with the worker's protocol version) as work/NAME.json, runs `sftx-worker VERB`
    on it, returns its result object."""
    path = os.path.join(work, f"{name}.json")
    with open(path, "w") as f:
        json.dump(dict(request, protocol_version=protocol_version(worker)), f, indent=1)
    env = dict(os.environ, SFTX_NUM_THREADS=str(threads))
    res = subprocess.run([worker, verb, path], capture_output=True, text=True, env=env)
    if res.returncode != 0:
        raise WorkerError(verb, res.returncode, res.stderr)
    for line in res.stdout.splitlines():
        obj = json.loads(line)
        if "result" in obj:
            return obj["result"]
    raise WorkerError(verb, 0, "no result line on stdout:\n" + res.stdout)


class Tally:
    """Counts checks and prints the closing 'N passed, N failed' line that CTest logs show."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, ok, label):
        print(f"  {'ok  ' if ok else 'FAIL'} {label}", flush=True)
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        return ok

    def finish(self, name):
        print(f"{name}: {self.passed} passed, {self.failed} failed")
        return 0 if self.failed == 0 and self.passed > 0 else 1


def random_conversations(n, seed, texts, systems, max_turns):
    """n conversations in the messages shape: an optional system message (None in `systems`
    means none), then 1..max_turns user/assistant turns, every text drawn from `texts`."""
    import random
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        msgs = []
        system = rng.choice(systems)
        if system is not None:
            msgs.append({"role": "system", "content": system})
        for _ in range(rng.randint(1, max_turns)):
            msgs.append({"role": "user", "content": rng.choice(texts)})
            msgs.append({"role": "assistant", "content": rng.choice(texts)})
        out.append(msgs)
    return out
