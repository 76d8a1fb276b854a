"""Kubernetes benchmark: tracerun over N pods vs `kubectl logs POD | grep -F -c` each.

    .venv/bin/python bench/k8s_bench.py                 # 50 pods x 20,000 lines, 5 rounds
    .venv/bin/python bench/k8s_bench.py --pods 5 --lines 10000 --runs 3

No cluster: the pods live on the loopback fake API server of the tests
(tests/helpers/kube_api.py), started in this process, and everything goes
through the real `kubectl` (a private kubeconfig, never ~/.kube). Each pod's
one container holds L text lines with kubelet timestamps; every 10,000th
line carries the rare id, and each 10,000 lines hold two decoys (an id that
only starts with it, the id inside the message only). Rounds alternate the
tools (one warm-up round first): `kubectl logs POD --timestamps | grep -F -c`
for every pod one after the other (the reference), the same all at once
(`xargs -P N`), and tracerun with a profile of one kubernetes source
selecting them all. Each sample records the 1-minute load average before it
(other work shares the machine); the table shows medians. Samples go to
bench/results/k8s-<N>x<L>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "tests"))

from helpers.kube_api import Container, KubeApi, stamp, write_kubeconfig

NEEDLE = "req-bench-000042"
EVERY = 10_000
T0 = 1_774_015_800 * 1_000_000_000  # 2026-03-20T14:10:00Z


def log_body(lines: int) -> bytes:
    """One container's log, kubelet-stamped, shaped like the text corpus."""
    out = []
    for i in range(1, lines + 1):
        rid, msg = f"req-{i % 977:06d}", "created order"
        if i % EVERY == 0:
            rid = NEEDLE
        elif i % EVERY == EVERY // 2:
            rid = NEEDLE + "0"
        elif i % EVERY == EVERY // 4:
            msg = f"retry of {NEEDLE} queued"
        ns = T0 + i * 37_000_000
        out.append(
            f"{stamp(ns)} {stamp(ns)[:23]}Z INFO orders: {msg} ord-{i} "
            f"request_id={rid} user=u{i % 101}\n"
        )
    return "".join(out).encode()


def main() -> int:
    args = _parse_args()
    api = KubeApi()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_kubeconfig(root / "kubeconfig", {"bench": (api.url, "shop")}, "bench")
        env = {**os.environ, "KUBECONFIG": str(root / "kubeconfig"), "HOME": tmp}
        env["KUBECACHEDIR"] = str(root / "cache")
        names = [f"orders-{i:02d}" for i in range(args.pods)]
        for name in names:
            body = log_body(args.lines)
            api.pod(name, app="bench").containers["app"] = Container(body=body)
        profile = root / "bench.yaml"
        profile.write_text(
            "version: 1\nsources:\n  orders: {type: kubernetes, selector: app=bench, "
            f"max_parallel: {args.max_parallel}}}\n"
        )
        tools = _tools(args.tracerun, names, profile, args.max_parallel)
        samples = _measure(tools, args.runs, env)
    api.close()
    rows = _rows(tools, samples, args.pods * (args.lines // EVERY))
    _report(args, rows, samples)
    return 1 if any(row["correct"] != "yes" for row in rows) else 0


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=50)
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--max-parallel", type=int, default=16, help="the source's")
    parser.add_argument("--tracerun", default=None, help="command (default: found)")
    args = parser.parse_args()
    if args.lines < EVERY:
        parser.error(f"--lines must be at least {EVERY} (one rare id per {EVERY})")
    beside = Path(sys.executable).with_name("tracerun")
    found = shutil.which("tracerun") or (str(beside) if beside.exists() else None)
    args.tracerun = args.tracerun or found or f"{sys.executable} -m tracerun"
    return args


def _tools(
    tracerun: str, names: list[str], profile: Path, max_parallel: int
) -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl") or "kubectl"
    one = f"{kubectl} logs {{}} --timestamps | grep -F -c {NEEDLE}"
    listing = " ".join(names)
    return [
        {
            "name": "`kubectl logs \\| grep -F -c`, one pod after the other",
            "cmd": f"for p in {listing}; do {one.format('$p')}; done",
            "grep": True,
        },
        {
            "name": f"`kubectl logs \\| grep -F -c`, {len(names)} at once (`xargs -P`)",
            "cmd": (
                f"printf '%s\\n' {listing} | xargs -P {len(names)} -I{{}} "
                f"sh -c {shlex.quote(one)}"
            ),
            "grep": True,
        },
        {
            "name": f"tracerun: one kubernetes source, {len(names)} pods "
            f"(max_parallel {max_parallel})",
            "cmd": f"{tracerun} -p {profile} {NEEDLE} -o ndjson",
            "grep": False,
        },
    ]


def _measure(
    tools: list[dict[str, Any]], runs: int, env: dict[str, str]
) -> dict[str, list[dict[str, Any]]]:
    samples: dict[str, list[dict[str, Any]]] = {t["name"]: [] for t in tools}
    for run in range(runs + 1):  # round 0 warms the caches up
        order = tools if run % 2 else list(reversed(tools))  # alternate
        for tool in order:
            load = os.getloadavg()[0]
            start = time.perf_counter()
            proc = subprocess.run(
                ["sh", "-c", tool["cmd"]], capture_output=True, text=True, env=env,
                check=False,
            )  # fmt: skip
            wall = time.perf_counter() - start
            if not run:
                continue
            out = proc.stdout
            count = (
                sum(int(x) for x in out.split() if x.isdigit())
                if tool["grep"]
                else len(out.splitlines())
            )
            samples[tool["name"]].append(
                {"wall_s": wall, "load_1m": load, "exit": proc.returncode,
                 "count": count, "stderr_tail": proc.stderr[-300:]}
            )  # fmt: skip
    return samples


def _rows(
    tools: list[dict[str, Any]], samples: dict[str, list[dict[str, Any]]], exact: int
) -> list[dict[str, Any]]:
    reference = statistics.median(s["wall_s"] for s in samples[tools[0]["name"]])
    rows = []
    for tool in tools:
        runs = samples[tool["name"]]
        want = exact * 3 if tool["grep"] else exact
        counts = sorted({s["count"] for s in runs})
        failed = any(s["exit"] not in (0, 1) for s in runs)
        median = statistics.median(s["wall_s"] for s in runs)
        rows.append(
            {"tool": tool["name"], "cmd": tool["cmd"], "median_s": median,
             "min_s": min(s["wall_s"] for s in runs), "ratio": median / reference,
             "load_1m": statistics.median(s["load_1m"] for s in runs),
             "count": counts, "expected": want,
             "correct": "FAILED" if failed else ("yes" if counts == [want] else "WRONG")}
        )  # fmt: skip
    return rows


def _report(
    args: argparse.Namespace,
    rows: list[dict[str, Any]],
    samples: dict[str, list[dict[str, Any]]],
) -> None:
    total = args.pods * args.lines
    print(
        f"\n### kubernetes: {args.pods} pods x {args.lines:,} lines ({total:,} lines), "
        f"rare id, median of {args.runs} alternating rounds\n"
    )
    print(
        "| tool | wall (median) | min | ratio | lines/s | load (1 min) | count | correct? |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(
            f"| {r['tool']} | {r['median_s']:.2f} s | {r['min_s']:.2f} s | "
            f"{r['ratio']:.2f} | {total / r['median_s']:,.0f} | {r['load_1m']:.2f} | "
            f"{','.join(map(str, r['count']))} (want {r['expected']}) | {r['correct']} |"
        )
    out = BENCH / "results" / f"k8s-{args.pods}x{args.lines}.json"
    out.parent.mkdir(exist_ok=True)
    document = {"args": vars(args), "cpus": os.cpu_count(), "rows": rows,
                "samples": samples}  # fmt: skip
    out.write_text(json.dumps(document, indent=2) + "\n")
    print(f"\n(results: {out.relative_to(BENCH.parent)})", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
