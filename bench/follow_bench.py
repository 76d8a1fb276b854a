"""Follow-mode benchmark: write-to-print latency and loss at a fixed rate; idle cost.

    .venv/bin/python bench/follow_bench.py                   # 20,000 lines/s, 4 files + 1 container, 10 s
    .venv/bin/python bench/follow_bench.py --rate 5000 --files 2 --seconds 5 --no-container
    .venv/bin/python bench/follow_bench.py --idle            # 50 idle files, 10 idle containers

Rate mode: `tracerun -f --no-history -o ndjson RID` follows F files and (when a
Docker engine with the test image is reachable) one container. A writer appends
to the files at a fixed total rate, every K-th line carrying the rare id RID and
its write time; the container prints its share at the same rate (its lines
carry no time: the engine's timestamp is the write time). Each printed record's
latency is the time it was read from tracerun's stdout minus its record time.
Reported: the rate achieved, p50/p99/max latency, records lost and printed twice
(exact: every rare line is numbered), tracerun's CPU time.

Idle mode: F files and C containers that write nothing; tracerun's CPU use
(utime + stime from /proc/PID/stat) over --seconds after a warm-up, as a
percentage of one core.

Results: a short table on stdout, JSON in bench/results/follow-<mode>.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
RID = "req-follow-bench-7"
IMAGE = "tracerun-test/busybox:latest"
CONTAINER_PREFIX = "tracerun-bench-follow-"
TICK = 0.01  # the writer's batch interval, seconds


def iso(us: int) -> str:
    """RFC 3339 with microseconds, UTC."""
    return datetime.fromtimestamp(us / 1e6, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_iso(text: str) -> float:
    return (
        datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC).timestamp()
    )


def tracerun_cmd() -> list[str]:
    return [sys.executable, "-m", "tracerun"]


def docker_client() -> Any | None:
    """A client for the engine in the environment, if it answers and has the image."""
    try:
        import docker

        client = docker.from_env(timeout=10)
        client.ping()
        client.images.get(IMAGE)
    except Exception:  # noqa: BLE001 - any failure just means "no container part"
        return None
    return client


def write_profile(root: Path, files: list[Path], container: str | None) -> Path:
    lines = ["version: 1", "sources:"]
    for path in files:
        lines.append(f"  {path.stem}: {{type: file, paths: ['{path}*'], parser: json}}")
    if container:
        lines.append(
            f"  box: {{type: docker, containers: ['{container}'], parser: logfmt}}"
        )
    profile = root / "profile.yaml"
    profile.write_text("\n".join(lines) + "\n")
    return profile


class Reader:
    """Collects tracerun's stdout: each record with the time it was read."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.got: list[tuple[float, dict[str, Any]]] = []
        self.seen = threading.Condition()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        assert self.proc.stdout is not None
        for text in self.proc.stdout:
            now = time.time()
            with self.seen:
                self.got.append((now, json.loads(text)))
                self.seen.notify_all()

    def wait_live(self, ping: Path, timeout: float = 30) -> None:
        """Append pings until tracerun prints one: from then on it is following."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with ping.open("a") as out:
                ts = iso(time.time_ns() // 1000)
                out.write(
                    json.dumps({"ts": ts, "msg": "ping", "request_id": RID}) + "\n"
                )
            with self.seen:
                if self.seen.wait_for(lambda: self.got, 0.3):
                    return
        msg = "tracerun printed nothing: is it following?"
        raise SystemExit(msg)


def write_files(
    files: list[Path], rate: float, seconds: float, every: int, rotate: float
) -> dict[str, Any]:
    """Append `rate` lines/s round-robin over the files; every `every`-th is a hit.

    Every `rotate` seconds (0: never) one file is rotated, in turn by rename
    (logrotate's default) and by copytruncate, between two batches.
    """
    outs = [path.open("a", buffering=1024 * 1024) for path in files]
    written = hits = rotations = 0
    start = time.monotonic()
    try:
        while (elapsed := time.monotonic() - start) < seconds:
            due = int(rate * elapsed) - written
            now_ts = iso(time.time_ns() // 1000)
            for _ in range(due):
                written += 1
                out = outs[written % len(outs)]
                if written % every == 0:
                    hits += 1
                    rid, msg = RID, "hit"
                else:
                    rid, msg = f"req-noise-{written % 9973}", "noise"
                out.write(
                    f'{{"ts":"{now_ts}","level":"info","msg":"{msg}","request_id":"{rid}",'
                    f'"seq":{written},"pad":"{"x" * 60}"}}\n'
                )
            for out in outs:
                out.flush()
            if rotate and elapsed >= rotate * (rotations + 1):
                rotations += 1
                rotate_one(files, outs, rotations)
            time.sleep(TICK)
        took = time.monotonic() - start
    finally:
        for out in outs:
            out.close()
    return {"lines": written, "hits": hits, "seconds": took, "rotations": rotations}


def rotate_one(files: list[Path], outs: list[Any], n: int) -> None:
    """Rotate file n % len(files) to `<name>.<n>`: by rename when n is odd, else copytruncate."""
    i = n % len(files)
    path, rotated = files[i], files[i].with_name(f"{files[i].name}.{n}")
    if n % 2:
        outs[i].close()
        path.rename(rotated)
        outs[i] = path.open("a", buffering=1024 * 1024)
    else:
        shutil.copyfile(path, rotated)
        os.truncate(path, 0)  # the writer appends (O_APPEND): it goes on at the new end


def container_script(rate: float, seconds: float, every: int) -> tuple[str, int, int]:
    """A busybox awk loop printing `rate` lines/s for `seconds`, in 10 ms batches.

    The pause is 8 ms, not 10: `system("usleep")` forks, which costs about 2 ms.
    """
    per_tick = max(1, round(rate * TICK))
    total = per_tick * round(seconds / TICK)
    hit = f'print "msg=chit request_id={RID} seq=" i'
    noise = 'print "msg=noise request_id=req-noise-" (i % 9973) " seq=" i'
    script = (
        f"awk 'BEGIN {{ for (i = 1; i <= {total}; i++) {{ "
        f"if (i % {every} == 0) {hit}; else {noise}; "
        f'if (i % {per_tick} == 0) {{ fflush(); system("usleep 8000") }} }} '
        'print "msg=finished"; fflush() }\'; exec sleep 3600'
    )
    return script, total, total // every


@contextlib.contextmanager
def started_container(client: Any, name: str, script: str) -> Iterator[Any]:
    container = client.containers.create(
        IMAGE, ["sh", "-c", script], name=name, network_mode="none"
    )
    try:
        yield container
    finally:
        with contextlib.suppress(Exception):
            container.remove(force=True)


def wait_finished(container: Any, timeout: float = 120) -> float:
    """Wait until the container printed its last line; return how long that took."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if b"msg=finished" in container.logs(tail=1):
            break
        time.sleep(0.2)
    return time.monotonic() - start


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_rate(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    client = None if args.no_container else docker_client()
    files = [root / f"s{i}.log" for i in range(args.files)]
    for path in files:
        path.write_text("")
    name = f"{CONTAINER_PREFIX}{os.getpid()}" if client else None
    share = args.container_share if client else 0.0
    file_rate = args.rate * (1 - share)
    script, box_lines, box_hits = container_script(
        args.rate * share, args.seconds, args.every
    )
    profile = write_profile(root, files, name)
    cpu_before = children_cpu()
    with contextlib.ExitStack() as stack:
        container = (
            stack.enter_context(started_container(client, name, script))
            if client
            else None
        )
        proc = subprocess.Popen(
            [*tracerun_cmd(), "-p", str(profile), "-f", "--no-history", RID, "-o", "ndjson",
             "--exit-on", "msg == 'done'", "--timeout", f"{args.seconds + 120}s",
             "--reorder-window", args.reorder_window],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        reader = Reader(proc)
        reader.wait_live(files[0])
        if container is not None:
            container.start()
        wrote = write_files(files, file_rate, args.seconds, args.every, args.rotate)
        if container is not None:
            wrote["box_seconds"] = wait_finished(container) + wrote["seconds"]
        time.sleep(1.0)  # let the last lines arrive before `done`
        with files[0].open("a") as out:
            ts = iso(time.time_ns() // 1000)
            out.write(json.dumps({"ts": ts, "msg": "done", "request_id": RID}) + "\n")
        code = proc.wait(120)
        reader.thread.join(10)
        assert proc.stderr is not None
        stderr = proc.stderr.read()
    cpu = children_cpu() - cpu_before
    return summarise(args, reader.got, wrote, box_lines if client else 0,
                     box_hits if client else 0, code, stderr, cpu)  # fmt: skip


def summarise(
    args: argparse.Namespace,
    got: list[tuple[float, dict[str, Any]]],
    wrote: dict[str, Any],
    box_lines: int,
    box_hits: int,
    code: int,
    stderr: str,
    cpu: float,
) -> dict[str, Any]:
    latencies = {"file": [], "container": []}
    seen: dict[tuple[str, int], int] = {}
    for read_at, record in got:
        msg = record["message"]
        if msg not in ("hit", "chit"):
            continue
        kind = "file" if msg == "hit" else "container"
        seq = int(record["fields"]["seq"])
        seen[(kind, seq)] = seen.get((kind, seq), 0) + 1
        latencies[kind].append((read_at - parse_iso(record["time"])) * 1000)
    file_seen = sum(1 for kind, _ in seen if kind == "file")
    box_seen = sum(1 for kind, _ in seen if kind == "container")
    all_ms = latencies["file"] + latencies["container"]
    total_lines = wrote["lines"] + box_lines
    file_rate = wrote["lines"] / wrote["seconds"]
    box_rate = box_lines / wrote["box_seconds"] if box_lines else 0.0
    return {
        "mode": "rate",
        "args": vars(args),
        "exit_code": code,
        "stderr": stderr[-2000:],
        "lines_written": total_lines,
        "rate_achieved": round(file_rate + box_rate),
        "file_rate": round(file_rate),
        "container_rate": round(box_rate),
        "file_lines": wrote["lines"],
        "rotations": wrote["rotations"],
        "container_lines": box_lines,
        "hits_written": {"file": wrote["hits"], "container": box_hits},
        "hits_printed": {"file": file_seen, "container": box_seen},
        "lost": (wrote["hits"] - file_seen) + (box_hits - box_seen),
        "printed_twice": sum(1 for count in seen.values() if count > 1),
        "latency_ms": {
            kind: {
                "p50": percentile(values, 0.5),
                "p99": percentile(values, 0.99),
                "max": max(values, default=None),
            }
            for kind, values in {**latencies, "all": all_ms}.items()
        },
        "tracerun_cpu_s": round(cpu, 2),
        "tracerun_cpu_pct_of_one_core": round(100 * cpu / wrote["seconds"], 1),
    }


def cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)


def run_idle(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    client = None if args.no_container else docker_client()
    files = []
    for i in range(args.files):
        path = root / f"idle-{i:03d}.log"
        path.write_text('{"ts":"2026-03-20T14:10:00Z","msg":"x","request_id":"q"}\n')
        files.append(path)
    profile = root / "profile.yaml"
    groups = max(1, args.files // 10)
    sources = [
        f"  f{g}: {{type: file, paths: ['{root}/idle-{g}*.log']}}"
        for g in range(groups)
    ]
    boxes: list[Any] = []
    if client:
        sources.append(
            f"  box: {{type: docker, containers: ['{CONTAINER_PREFIX}idle-*']}}"
        )
        for i in range(args.containers):
            boxes.append(
                client.containers.run(
                    IMAGE, ["sh", "-c", "echo up; sleep 3600"], detach=True,
                    name=f"{CONTAINER_PREFIX}idle-{os.getpid()}-{i}", network_mode="none",
                )
            )  # fmt: skip
    profile.write_text("version: 1\nsources:\n" + "\n".join(sources) + "\n")
    try:
        proc = subprocess.Popen(
            [*tracerun_cmd(), "-p", str(profile), "-f", RID,
             "--timeout", f"{args.warmup + args.seconds + 5}s"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        time.sleep(args.warmup)
        before = cpu_ticks(proc.pid)
        time.sleep(args.seconds)
        after = cpu_ticks(proc.pid)
        proc.terminate()
        proc.wait(30)
        assert proc.stderr is not None
        stderr = proc.stderr.read()
    finally:
        for box in boxes:
            with contextlib.suppress(Exception):
                box.remove(force=True)
    hz = os.sysconf("SC_CLK_TCK")
    cpu = (after - before) / hz
    return {
        "mode": "idle",
        "args": vars(args),
        "files": args.files,
        "containers": len(boxes),
        "measured_s": args.seconds,
        "cpu_s": cpu,
        "cpu_pct_of_one_core": round(100 * cpu / args.seconds, 2),
        "clock_tick_s": 1 / hz,
        "stderr": stderr[-2000:],
    }


def report(result: dict[str, Any]) -> None:
    if result["mode"] == "idle":
        print(
            f"idle follow: {result['files']} files, {result['containers']} containers: "
            f"{result['cpu_pct_of_one_core']} % of one core over {result['measured_s']} s "
            f"(resolution {100 * result['clock_tick_s'] / result['measured_s']:.2f} %)"
        )
        return
    print(
        f"follow at {result['rate_achieved']} lines/s for {result['args']['seconds']} s "
        f"(files {result['file_rate']}/s: {result['file_lines']} lines; container "
        f"{result['container_rate']}/s: {result['container_lines']} lines; "
        f"{result['rotations']} rotations)"
    )
    print("| origin | hits written | printed | p50 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|")
    for kind in ("file", "container"):
        lat = result["latency_ms"][kind]
        print(
            f"| {kind} | {result['hits_written'][kind]} | {result['hits_printed'][kind]} "
            f"| {fmt(lat['p50'])} | {fmt(lat['p99'])} | {fmt(lat['max'])} |"
        )
    print(
        f"lost: {result['lost']}, printed twice: {result['printed_twice']}, "
        f"exit {result['exit_code']}, tracerun CPU {result['tracerun_cpu_s']} s "
        f"({result['tracerun_cpu_pct_of_one_core']} % of one core)"
    )
    if result["stderr"]:
        print("stderr:", result["stderr"].strip().splitlines()[-5:])


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--idle", action="store_true", help="measure idle CPU instead")
    parser.add_argument("--rate", type=float, default=20_000, help="total lines/s")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--files", type=int, help="files (rate: 4, idle: 50)")
    parser.add_argument("--containers", type=int, default=10, help="idle containers")
    parser.add_argument("--every", type=int, default=1000, help="one hit every K lines")
    parser.add_argument("--container-share", type=float, default=0.1,
                        help="part of --rate the container writes")  # fmt: skip
    parser.add_argument("--no-container", action="store_true")
    parser.add_argument(
        "--rotate", type=float, default=2.0, help="rotate a file every N s (0: never)"
    )
    parser.add_argument("--reorder-window", default="250ms")
    parser.add_argument("--warmup", type=float, default=3.0, help="idle: seconds first")
    args = parser.parse_args(argv)
    args.files = args.files or (50 if args.idle else 4)
    root = Path(tempfile.mkdtemp(prefix="tracerun-follow-bench-"))
    try:
        result = run_idle(args, root) if args.idle else run_rate(args, root)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    results = BENCH / "results"
    results.mkdir(exist_ok=True)
    out = results / f"follow-{result['mode']}.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    report(result)
    print(f"(JSON: {out.relative_to(BENCH.parent)})")
    bad = result["mode"] == "rate" and (result["lost"] or result["printed_twice"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
