"""Docker benchmark: tracerun over N containers vs `docker logs … | grep -F -c` each.

    eval "$(scripts/test-engine.sh up)"       # or any engine DOCKER_HOST names
    .venv/bin/python bench/docker_bench.py    # 20 containers x 20,000 lines, 5 runs
    .venv/bin/python bench/docker_bench.py --containers 5 --lines 2000 --runs 3 --clean

Creates N containers (`tracerun-bench-NN`, image tracerun-test/busybox:latest,
no network) that each print L text lines and exit; every 10,000th line carries
the rare id, and each 10,000 lines hold two decoys (an id that only starts with
it, and the id inside the message only). They are kept for the next run (reused
when made with the same arguments) unless `--clean`. Then, round-robin, one
warm-up and `--runs` timed runs of: `docker logs | grep -F -c` for every
container one after the other (the reference), the same 20 at once (`xargs -P`),
and tracerun with a profile of one docker source matching them all. Prints a
Markdown table (median wall time) and writes every sample to
bench/results/docker-<N>x<L>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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
IMAGE = "tracerun-test/busybox:latest"
PREFIX = "tracerun-bench-"
SPEC_LABEL = "org.tracerun.bench.spec"
NEEDLE = "req-bench-000042"
EVERY = 10_000

# awk (busybox) prints L lines fast; each line looks like the text corpus's.
AWK = r"""BEGIN {
  for (i = 1; i <= L; i++) {
    ms = i * 37; s = int(ms / 1000) % 60; m = int(ms / 60000) % 60; h = int(ms / 3600000)
    ts = sprintf("2026-03-20T%02d:%02d:%02d.%03dZ", h, m, s, ms % 1000)
    id = sprintf("req-%06d", i % 977); msg = "created order"
    if (i % E == 0) id = N
    else if (i % E == E / 2) id = N "0"
    else if (i % E == E / 4) msg = "retry of " N " queued"
    printf "%s INFO orders: %s ord-%d request_id=%s user=u%d\n", ts, msg, i, id, i % 101
  }
}"""


def main() -> int:
    args = _parse_args()
    import docker

    client = docker.from_env()
    try:
        names = _ensure_containers(client, args.containers, args.lines)
        expected = len(names) * (args.lines // EVERY)
        grep_expected = len(names) * 3 * (args.lines // EVERY)
        with tempfile.TemporaryDirectory() as tmp:
            profile = Path(tmp) / "bench.yaml"
            profile.write_text(
                "version: 1\nsources:\n  orders:\n    type: docker\n"
                f"    containers: ['{PREFIX}*']\n    stopped: true\n"
            )
            tools = _tools(args.tracerun, names, profile)
            samples = _measure(tools, args.runs)
        rows = _rows(tools, samples, expected, grep_expected)
        _print_table(args, rows)
        _save(args, rows, samples)
        if args.clean:
            for name in names:
                client.containers.get(name).remove(force=True)
    finally:
        client.close()
    return 1 if any(row["correct"] != "yes" for row in rows) else 0


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--containers", type=int, default=20)
    parser.add_argument("--lines", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tracerun", default=None, help="command (default: found)")
    parser.add_argument("--clean", action="store_true", help="remove the containers")
    args = parser.parse_args()
    if args.lines < EVERY:
        parser.error(f"--lines must be at least {EVERY} (one rare id per {EVERY})")
    args.tracerun = args.tracerun or _find_tracerun()
    return args


def _find_tracerun() -> str:
    beside = Path(sys.executable).with_name("tracerun")
    found = shutil.which("tracerun") or (str(beside) if beside.exists() else None)
    return found or f"{shlex.quote(sys.executable)} -m tracerun"


def _ensure_containers(client: Any, count: int, lines: int) -> list[str]:
    """Create (or reuse) the containers; wait until each has printed everything."""
    spec = f"{lines}-v1"
    names = [f"{PREFIX}{i:02d}" for i in range(count)]
    existing = {c.name: c for c in client.containers.list(all=True)}
    for name, container in existing.items():
        if name.startswith(PREFIX) and name not in names:
            container.remove(force=True)  # from a run with more containers
    for name in names:
        old = existing.get(name)
        if old is not None and old.labels.get(SPEC_LABEL) == spec:
            continue
        if old is not None:
            old.remove(force=True)
        client.containers.run(
            IMAGE,
            ["awk", "-v", f"N={NEEDLE}", "-v", f"L={lines}", "-v", f"E={EVERY}", AWK],
            name=name,
            labels={SPEC_LABEL: spec},
            network_mode="none",
            detach=True,
        )
    for name in names:
        client.containers.get(name).wait(timeout=300)
    return names


def _tools(tracerun: str, names: list[str], profile: Path) -> list[dict[str, Any]]:
    docker_cli = shutil.which("docker") or "docker"
    one = f"{docker_cli} logs {{}} 2>&1 | grep -F -c {NEEDLE}"
    listing = " ".join(names)
    return [
        {
            "name": "`docker logs \\| grep -F -c`, one container after the other",
            "cmd": f"for c in {listing}; do {one.format('$c')}; done",
            "count": "sum",
        },
        {
            "name": f"`docker logs \\| grep -F -c`, {len(names)} at once (`xargs -P`)",
            "cmd": (
                f"printf '%s\\n' {listing} | xargs -P {len(names)} -I{{}} "
                f"sh -c {shlex.quote(one)}"
            ),
            "count": "sum",
        },
        {
            "name": f"tracerun: one docker source, {len(names)} origins",
            "cmd": f"{tracerun} -p {profile} {NEEDLE} -o ndjson",
            "count": "lines",
        },
    ]


def _measure(tools: list[dict[str, Any]], runs: int) -> dict[str, list[dict[str, Any]]]:
    samples: dict[str, list[dict[str, Any]]] = {t["name"]: [] for t in tools}
    for run in range(runs + 1):  # run 0 is the warm-up
        for tool in tools:
            start = time.perf_counter()
            proc = subprocess.run(
                ["sh", "-c", tool["cmd"]],
                capture_output=True,
                text=True,
                check=False,
            )
            wall = time.perf_counter() - start
            if run:
                samples[tool["name"]].append(
                    {
                        "wall_s": wall,
                        "exit": proc.returncode,
                        "count": _count(tool, proc.stdout),
                        "stderr_tail": proc.stderr[-500:],
                    }
                )
    return samples


def _count(tool: dict[str, Any], stdout: str) -> int:
    if tool["count"] == "sum":
        return sum(int(x) for x in stdout.split() if x.isdigit())
    return len(stdout.splitlines())


def _rows(
    tools: list[dict[str, Any]],
    samples: dict[str, list[dict[str, Any]]],
    expected: int,
    grep_expected: int,
) -> list[dict[str, Any]]:
    reference = statistics.median(s["wall_s"] for s in samples[tools[0]["name"]])
    rows = []
    for tool in tools:
        runs = samples[tool["name"]]
        median = statistics.median(s["wall_s"] for s in runs)
        want = expected if tool["count"] == "lines" else grep_expected
        counts = {s["count"] for s in runs}
        failed = any(s["exit"] not in (0, 1) for s in runs)
        ok = "FAILED" if failed else ("yes" if counts == {want} else "WRONG")
        rows.append(
            {
                "tool": tool["name"],
                "cmd": tool["cmd"],
                "median_s": median,
                "min_s": min(s["wall_s"] for s in runs),
                "ratio": median / reference,
                "count": sorted(counts),
                "expected": want,
                "correct": ok,
            }
        )
    return rows


def _print_table(args: argparse.Namespace, rows: list[dict[str, Any]]) -> None:
    total = args.containers * args.lines
    print(
        f"\n### docker: {args.containers} containers x {args.lines:,} lines "
        f"({total:,} lines), rare id, median of {args.runs} runs\n"
    )
    print("| tool | wall (median) | min | ratio | lines/s | count | correct? |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for row in rows:
        count = ",".join(str(c) for c in row["count"])
        print(
            f"| {row['tool']} | {row['median_s']:.2f} s | {row['min_s']:.2f} s | "
            f"{row['ratio']:.2f} | {total / row['median_s']:,.0f} | "
            f"{count} (want {row['expected']}) | {row['correct']} |"
        )
    print(
        "\ncount: grep counts every line containing the id (the id, plus two "
        "decoys per 10,000 lines); tracerun prints only exact request_id matches."
    )


def _save(
    args: argparse.Namespace,
    rows: list[dict[str, Any]],
    samples: dict[str, list[dict[str, Any]]],
) -> None:
    out = BENCH / "results" / f"docker-{args.containers}x{args.lines}.json"
    out.parent.mkdir(exist_ok=True)
    machine = {
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "docker_host": os.environ.get("DOCKER_HOST", ""),
    }
    document = {
        "args": vars(args),
        "machine": machine,
        "rows": rows,
        "samples": samples,
    }
    out.write_text(json.dumps(document, indent=2) + "\n")
    print(f"\n(results: {out.relative_to(BENCH.parent)})", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
