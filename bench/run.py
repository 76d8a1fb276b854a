"""Run tracerun and the reference tools on the same corpus, print one table.

    .venv/bin/python bench/run.py --scenario text --size 1G
    .venv/bin/python bench/run.py --all
    .venv/bin/python bench/run.py --scenario gz --size 200M --tracerun "python -m tracerun"

Each scenario (re)generates its corpus under bench/corpus/<name>-<size>/ when the
manifest is missing or was made with other arguments, reads it once to warm the
page cache, runs every tool once as a warm-up and then --runs times, round-robin,
each run a fresh process. Reported: median wall time, MB/s and lines/s over the
uncompressed corpus, peak RSS (ru_maxrss from os.wait4, which for `sh -c` pipelines
covers the whole pipeline), the ratio to the reference (`grep -F -r -c`, or
`zcat | grep -F -c` for gzip, `python -c pass` for start-up) and whether the
count matched the manifest. A tool that fails is a FAILED row with its stderr
tail; the run goes on. Tables go to stdout, JSON to bench/results/.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import re
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_corpus
import gen_week

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
NAIVE = BENCH / "naive.py"
NEEDLE = "req-bench-000042"
WINDOW_MS = 5 * 60_000
DEMO_ID = "req-7f3a9c2e"
SCENARIOS = (
    "startup",
    "text",
    "json",
    "logfmt",
    "gz",
    "many-ids",
    "since",
    "rss",
    "many-matches",
    "shapes",
    "expand",
)
EXTRA_SCENARIOS = ("mixed",)
DEFAULT_SIZE = {"since": "4G", "shapes": "256M", "many-matches": "240M"}
USAGE_ERROR = 2
GNU_TIME = "/usr/bin/time" if Path("/usr/bin/time").is_file() else None
RSS_METHOD = (
    "GNU time %M (ru_maxrss of the tool's own process tree)"
    if GNU_TIME
    else "os.wait4 ru_maxrss (includes the runner's RSS: install GNU time)"
)


# --------------------------------------------------------------------- corpus


@dataclass(frozen=True)
class Corpus:
    """A generated corpus: its directory and manifest."""

    root: Path
    manifest: dict[str, Any]

    @property
    def logs(self) -> Path:
        return self.root / self.manifest["logs_dir"]

    @property
    def files(self) -> list[Path]:
        return [self.root / f["path"] for f in self.manifest["files"]]

    @property
    def bytes(self) -> int:
        return int(self.manifest["bytes"])

    @property
    def lines(self) -> int:
        return int(self.manifest["lines"])

    def describe(self) -> str:
        m = self.manifest
        stored = (
            f" ({m['stored_bytes'] / 2**20:.0f} MB stored)"
            if m["stored_bytes"] != m["bytes"]
            else ""
        )
        return (
            f"`{self.root.relative_to(REPO) if self.root.is_relative_to(REPO) else self.root}`: "
            f"{len(m['files'])} {m['args']['format']} file"
            f"{'s' if len(m['files']) > 1 else ''}, "
            f"{m['bytes'] / 2**20:.0f} MB{stored}, {m['lines']:,} lines, "
            f"{m['first_ts']} .. {m['last_ts']}; needle `{m['needle']}` every "
            f"{m['args']['needle_every']:,} lines: {m['exact_count']} exact records, "
            f"{m['prefix_decoys']} prefix decoys, {m['message_decoys']} message "
            f"decoys ({m['grep_count']} lines for grep -F)"
        )


def ensure_corpus(
    corpus_dir: Path, name: str, size: int, gen: list[str], *, seed: int
) -> Corpus:
    """Generate bench/corpus/<name>-<size>/ unless its manifest already matches."""
    root = corpus_dir / f"{name}-{gen_corpus.format_size(size)}"
    argv = ["--out", str(root), "--size", str(size), "--seed", str(seed), *gen]
    args = gen_corpus.build_parser().parse_args(argv)
    manifest_path = root / "manifest.json"
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("args") == gen_corpus.manifest_args(args) and all(
            (root / f["path"]).is_file()
            and (root / f["path"]).stat().st_size == f["stored_bytes"]
            for f in manifest["files"]
        ):
            return Corpus(root, manifest)
        log(f"{root}: manifest does not match, regenerating")
    if root.exists():
        shutil.rmtree(root)
    log(f"generating {root} ({gen_corpus.format_size(size)}) ...")
    started = time.perf_counter()
    manifest = gen_corpus.generate(args)
    took = time.perf_counter() - started
    log(f"  {manifest['bytes'] / 2**20:.0f} MB in {took:.1f} s")
    return Corpus(root, manifest)


def warm(paths: list[Path]) -> None:
    """Read every file once so that all tools start from a warm page cache."""
    for path in paths:
        with path.open("rb", buffering=0) as f:
            while f.read(8 << 20):
                pass


# ---------------------------------------------------------------------- tools


@dataclass
class Tool:
    """One row: a command, how to read its count, what the count must be."""

    name: str
    argv: list[str]
    expected: int | None  # None: only the exit status is checked
    count: str = "lines"  # lines | grep | int | none
    bytes: int = 0
    lines: int = 0
    ref: str = ""  # name of the row this one's ratio is taken against
    cwd: Path = REPO
    fallback: Callable[[], Tool] | None = None  # used when the tool exits 2
    note: str = ""
    is_tracerun: bool = False
    samples: list[Sample] = field(default_factory=list)
    failure: str = ""
    counts: set[int | None] = field(default_factory=set)

    @property
    def cmd(self) -> str:
        return shlex.join(self.argv)


@dataclass
class Sample:
    wall: float
    rss_kb: int
    code: int
    count: int | None
    stderr: str


def run_once(tool: Tool, timeout: float) -> Sample:
    """Run in a fresh process group; wall time around it, peak RSS from GNU time.

    ru_maxrss from our own os.wait4 would be wrong: a child forked from this
    Python process keeps the parent's RSS high-water mark across exec (measured:
    `true` reports 300 MB when the parent holds 300 MB). GNU time is a small C
    process that forks the tool and reports the child's ru_maxrss (for `sh -c`
    pipelines: the largest process of the pipeline). Without /usr/bin/time the
    os.wait4 value is used and includes this runner's own RSS.
    """
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.NamedTemporaryFile(suffix=".rss") as rss,
    ):
        argv = tool.argv
        if GNU_TIME:
            argv = [GNU_TIME, "-f", "%M", "-o", rss.name, *argv]
        started = time.perf_counter()
        try:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
                cwd=tool.cwd,
                start_new_session=True,
            )
        except OSError as exc:
            return Sample(0.0, 0, 127, None, f"{exc}")
        timer = threading.Timer(timeout, _kill_group, (proc.pid,))
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - started
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read()
        stderr = err.read().decode(errors="replace")
        if code < 0:
            stderr += f"\n(killed by signal {-code}; timeout {timeout:.0f} s?)"
        rss_kb = usage.ru_maxrss
        if GNU_TIME:
            report = Path(rss.name).read_text().split()
            rss_kb = int(report[-1]) if report and report[-1].isdigit() else 0
    return Sample(wall, rss_kb, code, read_count(tool.count, stdout), stderr)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def read_count(kind: str, stdout: bytes) -> int | None:
    try:
        if kind == "lines":
            return sum(1 for line in stdout.splitlines() if line.strip())
        if kind == "grep":  # `grep -c` / `rg -c`: "N" or "path:N" per file
            return sum(int(line.rsplit(b":", 1)[-1]) for line in stdout.splitlines())
        if kind == "int":
            return int(stdout.strip() or 0)
    except ValueError:
        return None
    return None


def check(tool: Tool, sample: Sample) -> str:
    """'' when the sample is acceptable, else why not."""
    if sample.code not in (0, 1):
        tail = "\n".join(sample.stderr.strip().splitlines()[-8:])
        return f"exit {sample.code}: {tail}" if tail else f"exit {sample.code}"
    if tool.expected is None:
        return "" if sample.code == 0 else "exit 1"
    return ""


def measure(tools: list[Tool], runs: int, timeout: float) -> list[Tool]:
    """Warm-up each tool (switching to its fallback on exit 2), then round-robin."""
    active: list[Tool] = []
    for i, tool in enumerate(tools):
        current = tool
        sample = run_once(current, timeout)
        if sample.code == USAGE_ERROR and current.fallback is not None:
            log(
                f"  {current.name}: exit 2 ({last_line(sample.stderr)}); using fallback"
            )
            current = current.fallback()
            tools[i] = current
            sample = run_once(current, timeout)
        problem = check(current, sample)
        if problem:
            current.failure = problem
            log(f"  {current.name}: FAILED {problem.splitlines()[0]}")
            continue
        current.counts.add(sample.count)
        active.append(current)
    for r in range(runs):
        log(f"  run {r + 1}/{runs}")
        for tool in active:
            if tool.failure:
                continue
            sample = run_once(tool, timeout)
            problem = check(tool, sample)
            if problem:
                tool.failure = problem
                continue
            tool.counts.add(sample.count)
            tool.samples.append(sample)
    return tools


def last_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[-1] if lines else ""


# -------------------------------------------------------------------- results


def rows_of(tools: list[Tool]) -> list[dict[str, Any]]:
    medians = {
        t.name: statistics.median(s.wall for s in t.samples)
        for t in tools
        if t.samples and not t.failure
    }
    rows = []
    for t in tools:
        row: dict[str, Any] = {
            "tool": t.name,
            "cmd": t.cmd,
            "note": t.note,
            "expected": t.expected,
            "counts": sorted(c for c in t.counts if c is not None),
            "reference": t.ref or t.name,
        }
        if t.failure:
            row |= {"status": "FAILED", "error": t.failure}
            rows.append(row)
            continue
        med = medians[t.name]
        ref = medians.get(t.ref or t.name)
        got = t.counts
        status = "ok" if t.expected is None or got == {t.expected} else "WRONG"
        row |= {
            "status": status,
            "times_s": [round(s.wall, 4) for s in t.samples],
            "median_s": round(med, 4),
            "mb_per_s": round(t.bytes / 2**20 / med, 1) if t.bytes else None,
            "lines_per_s": round(t.lines / med) if t.lines else None,
            "peak_rss_mb": round(max(s.rss_kb for s in t.samples) / 1024, 1),
            "ratio": round(med / ref, 2) if ref else None,
        }
        rows.append(row)
    return rows


def table(rows: list[dict[str, Any]], ref_label: str) -> str:
    head = (
        "| tool | wall s (median) | MB/s | lines/s | peak RSS MB "
        f"| ratio to {cell(ref_label)} | correct? |"
    )
    out = [head, "|" + "---|" * 7]
    for r in rows:
        name = cell(r["tool"])
        if r["status"] == "FAILED":
            first = r["error"].splitlines()[0] if r["error"] else ""
            out.append(f"| {name} | - | - | - | - | - | FAILED ({cell(first[:60])}) |")
            continue
        correct = "yes" if r["status"] == "ok" else f"WRONG: got {r['counts']}"
        if r["status"] == "ok" and r["expected"] is not None:
            correct = f"yes ({r['expected']})"
        elif r["status"] == "WRONG":
            correct = f"WRONG (got {r['counts']}, want {r['expected']})"
        out.append(
            f"| {name} | {r['median_s']:.3f} | {fmt_num(r['mb_per_s'], '.0f')} "
            f"| {fmt_num(r['lines_per_s'], ',.0f')} | {r['peak_rss_mb']:.1f} "
            f"| {fmt_num(r['ratio'], '.2f')} | {correct} |"
        )
    return "\n".join(out)


def cell(text: str) -> str:
    """Text for a Markdown table cell (a `|` would end the cell)."""
    return text.replace("|", "\\|")


def fmt_num(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def machine() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "grep": version_of(["grep", "--version"]),
        "rg": version_of(["rg", "--version"]) if shutil.which("rg") else None,
        "rss_method": RSS_METHOD,
        "load": load(),
    }


def load() -> str:
    """`uptime`'s load averages (1, 5, 15 min): the machine is shared, say how busy."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def version_of(argv: list[str]) -> str:
    try:
        out = subprocess.run(argv, capture_output=True, text=True, check=False).stdout
    except OSError:
        return ""
    return out.splitlines()[0] if out else ""


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# ------------------------------------------------------------------ scenarios


@dataclass
class Context:
    args: argparse.Namespace
    tracerun: list[str]
    corpus_dir: Path
    runs: int


@dataclass
class Plan:
    title: str
    measures: str
    label: str  # results file stem
    tools: list[Tool]
    corpora: list[Corpus]
    ref_label: str = "grep -F"
    notes: list[str] = field(default_factory=list)
    runs: int | None = None
    summary: Callable[[list[dict[str, Any]]], str] | None = None


def scan_tools(ctx: Context, corpus: Corpus, suffix: str = "") -> list[Tool]:
    """The common set: grep -F -r -c (reference), rg, tracerun, naive loop."""
    m = corpus.manifest
    needle, logs = m["needle"], str(corpus.logs)
    size = {"bytes": corpus.bytes, "lines": corpus.lines}
    ref = f"grep -F -r -c{suffix}"
    tools = [
        Tool(
            ref,
            ["grep", "-F", "-r", "-c", needle, logs],
            m["grep_count"],
            "grep",
            **size,
        ),
    ]
    if shutil.which("rg"):
        tools.append(
            Tool(
                f"rg -F -c{suffix}",
                ["rg", "-F", "-c", "-uu", needle, logs],
                m["grep_count"],
                "grep",
                ref=ref,
                **size,
            )
        )
    tools += [
        Tool(
            f"tracerun{suffix}",
            [*ctx.tracerun, "--path", logs, needle, "-o", "ndjson"],
            m["exact_count"],
            ref=ref,
            is_tracerun=True,
            **size,
        ),
        Tool(
            f"naive Python loop{suffix}",
            [sys.executable, str(NAIVE), needle, logs],
            m["exact_count"],
            "int",
            ref=ref,
            **size,
        ),
    ]
    return tools


def text_corpus(ctx: Context, fmt: str, size: int) -> Corpus:
    return ensure_corpus(
        ctx.corpus_dir,
        fmt,
        size,
        ["--format", fmt, "--files", "8", "--needle-every", str(ctx.args.needle_every)],
        seed=ctx.args.seed,
    )


NDJSON = ("-o", "ndjson")
NO_COLOR = ("--color", "never")


def plan_format(ctx: Context, fmt: str, size: int) -> Plan:
    corpus = text_corpus(ctx, fmt, size)
    tools = scan_tools(ctx, corpus)
    m = corpus.manifest
    upper = m["needle"].upper()  # -i must cost about what the exact search does
    tools.insert(
        -1,
        Tool(
            "tracerun (text output, unnumbered read)",
            [*ctx.tracerun, "--path", str(corpus.logs), m["needle"], *NO_COLOR],
            None,
            "none",
            ref="grep -F -r -c",
            is_tracerun=True,
            bytes=corpus.bytes,
            lines=corpus.lines,
            note="what a terminal user runs: no line numbers shown, so plain files "
            "are read without counting newlines; its count is the ndjson row's",
        ),
    )
    tools.insert(
        -1,
        Tool(
            "tracerun -i (id upper-cased)",
            [*ctx.tracerun, "--path", str(corpus.logs), "-i", upper, "-o", "ndjson"],
            m["exact_count"],
            ref="grep -F -r -c",
            is_tracerun=True,
            bytes=corpus.bytes,
            lines=corpus.lines,
        ),
    )
    return Plan(
        title=f"{fmt}: {gen_corpus.format_size(size)} of {fmt} across 8 files",
        measures="full scan for one id: raw search speed plus parsing of the hit lines",
        label=f"{fmt}-{gen_corpus.format_size(size)}",
        tools=tools,
        corpora=[corpus],
    )


def plan_gz(ctx: Context, size: int) -> Plan:
    corpus = ensure_corpus(
        ctx.corpus_dir,
        "gz",
        size,
        [
            "--format",
            "text",
            "--files",
            "8",
            "--gzip",
            "--needle-every",
            str(ctx.args.needle_every),
        ],
        seed=ctx.args.seed,
    )
    m = corpus.manifest
    needle, logs = m["needle"], str(corpus.logs)
    files = " ".join(shlex.quote(str(p)) for p in corpus.files)
    sz = {"bytes": corpus.bytes, "lines": corpus.lines}
    ref = "zcat | grep -F -c"
    tools = [
        Tool(
            ref,
            ["sh", "-c", f"zcat -f {files} | grep -F -c {shlex.quote(needle)}"],
            m["grep_count"],
            "grep",
            **sz,
        ),
    ]
    if shutil.which("zgrep"):
        tools.append(
            Tool(
                "zgrep -F -c",
                ["zgrep", "-F", "-c", needle, *map(str, corpus.files)],
                m["grep_count"],
                "grep",
                ref=ref,
                **sz,
            )
        )
    if shutil.which("rg"):
        tools.append(
            Tool(
                "rg -z -F -c",
                ["rg", "-z", "-F", "-c", "-uu", needle, logs],
                m["grep_count"],
                "grep",
                ref=ref,
                **sz,
            )
        )
    tools += [
        Tool(
            "tracerun",
            [*ctx.tracerun, "--path", logs, needle, "-o", "ndjson"],
            m["exact_count"],
            ref=ref,
            is_tracerun=True,
            **sz,
        ),
        Tool(
            "naive Python loop (gzip module)",
            [sys.executable, str(NAIVE), needle, logs],
            m["exact_count"],
            "int",
            ref=ref,
            **sz,
        ),
    ]
    return Plan(
        title=f"gz: {gen_corpus.format_size(size)} (uncompressed) as rotated files "
        "svc.log, svc.log.1.gz .. svc.log.7.gz",
        measures="decompression + search; MB/s over the uncompressed bytes",
        label=f"gz-{gen_corpus.format_size(size)}",
        tools=tools,
        corpora=[corpus],
        ref_label="zcat | grep -F",
    )


def plan_many_ids(ctx: Context, size: int) -> Plan:
    corpus = text_corpus(ctx, "text", size)
    m = corpus.manifest
    needle, logs = m["needle"], str(corpus.logs)
    others = [f"req-bench-1{i:05d}" for i in range(999)]  # absent from the corpus
    ids = [needle, *others]
    ids_file = corpus.root / "ids-1000.txt"
    ids_file.write_text("".join(f"{i}\n" for i in ids))
    rng = random.Random(ctx.args.seed)  # 9,999 random ids in the corpus's own shape
    many = [needle, *(f"req-{rng.getrandbits(48):012x}" for _ in range(9_999))]
    ids10k_file = corpus.root / "ids-10000.txt"
    ids10k_file.write_text("".join(f"{i}\n" for i in many))
    upper_file = corpus.root / "ids-1000-upper.txt"  # -i must find them all the same
    upper_file.write_text("".join(f"{i.upper()}\n" for i in ids))
    sz = {"bytes": corpus.bytes, "lines": corpus.lines}
    ref = "grep -F -r -c (1 id)"
    terms20 = ids[:20]

    def twenty_terms() -> Tool:
        return Tool(
            "tracerun (20 terms)",
            [*ctx.tracerun, "--path", logs, *terms20, "-o", "ndjson"],
            m["exact_count"],
            ref=ref,
            is_tracerun=True,
            note="--ids-from was rejected (exit 2): 20 ids on the command line instead",
            **sz,
        )

    tools = [
        Tool(
            ref, ["grep", "-F", "-r", "-c", needle, logs], m["grep_count"], "grep", **sz
        ),
        Tool(
            "grep -F -r -c -f (1,000 ids)",
            ["grep", "-F", "-r", "-c", "-f", str(ids_file), logs],
            m["grep_count"],
            "grep",
            ref=ref,
            **sz,
        ),
        Tool(
            "tracerun (1 id)",
            [*ctx.tracerun, "--path", logs, needle, "-o", "ndjson"],
            m["exact_count"],
            ref=ref,
            is_tracerun=True,
            **sz,
        ),
        Tool(
            "tracerun --ids-from (1,000 ids)",
            [
                *ctx.tracerun,
                "--path",
                logs,
                "--ids-from",
                str(ids_file),
                "-o",
                "ndjson",
            ],
            m["exact_count"],
            ref=ref,
            is_tracerun=True,
            fallback=twenty_terms,
            **sz,
        ),
        Tool(
            "tracerun --ids-from (10,000 ids)",
            [*ctx.tracerun, "--path", logs, "--ids-from", str(ids10k_file), *NDJSON],
            m["exact_count"],  # 48 random bits each: none is in the corpus
            ref=ref,
            is_tracerun=True,
            **sz,
        ),
        Tool(
            "tracerun -i --ids-from (1,000 ids upper-cased)",
            [
                *ctx.tracerun,
                "--path",
                logs,
                "-i",
                "--ids-from",
                str(upper_file),
                "-o",
                "ndjson",
            ],
            m["exact_count"],
            ref=ref,
            is_tracerun=True,
            **sz,
        ),
        Tool(
            "tracerun -i (40 ids upper-cased as TERMs)",
            [
                *ctx.tracerun,
                "--path",
                logs,
                "-i",
                *(i.upper() for i in ids[:40]),
                "-o",
                "ndjson",
            ],
            m["exact_count"],
            ref=ref,
            is_tracerun=True,
            **sz,
        ),
        Tool(
            "tracerun (20 ids as TERMs)",
            [*ctx.tracerun, "--path", logs, *terms20, "-o", "ndjson"],
            m["exact_count"],
            ref=ref,
            is_tracerun=True,
            **sz,
        ),
        Tool(
            "naive Python loop (1 id)",
            [sys.executable, str(NAIVE), needle, logs],
            m["exact_count"],
            "int",
            ref=ref,
            **sz,
        ),
        Tool(
            "naive Python loop (1,000 ids)",
            [sys.executable, str(NAIVE), "--ids-from", str(ids_file), logs],
            m["exact_count"],
            "int",
            ref=ref,
            **sz,
        ),
    ]
    return Plan(
        title=f"many-ids: {gen_corpus.format_size(size)} text, 1,000 ids vs 1 id",
        measures="cost of many ids at once (999 of them absent, all sharing the "
        "needle's `req-bench-` prefix); the expected count is the needle's",
        label=f"many-ids-{gen_corpus.format_size(size)}",
        tools=tools,
        corpora=[corpus],
    )


def plan_since(ctx: Context, size: int) -> Plan:
    corpus = ensure_corpus(
        ctx.corpus_dir,
        "since",
        size,
        ["--format", "text", "--files", "1", "--needle-every", "1000"],
        seed=ctx.args.seed,
    )
    m = corpus.manifest
    needle = m["needle"]
    path = str(corpus.files[0])
    last = gen_corpus.parse_time(m["last_ts"])
    times = [gen_corpus.parse_time(t) for f in m["files"] for t in f["needle_times"]]
    since = (last - WINDOW_MS) // 1000 * 1000
    until = last + 1000
    while since in times:  # keep the bound off a record: inclusivity is not tested
        since -= 1
    expected = sum(1 for t in times if since <= t <= until)
    since_s, until_s = gen_corpus.fmt_time(since), gen_corpus.fmt_time(until)
    sz = {"bytes": corpus.bytes, "lines": corpus.lines}
    ref = "grep -F -c (whole file)"
    tools = [
        Tool(ref, ["grep", "-F", "-c", needle, path], m["grep_count"], "grep", **sz),
        Tool(
            "tracerun (whole file)",
            [*ctx.tracerun, "--path", path, needle, "-o", "ndjson"],
            m["exact_count"],
            ref=ref,
            is_tracerun=True,
            **sz,
        ),
        Tool(
            "tracerun --since (last 5 min)",
            [
                *ctx.tracerun,
                "--path",
                path,
                needle,
                "--since",
                since_s,
                "--until",
                until_s,
                "-o",
                "ndjson",
            ],
            expected,
            ref=ref,
            is_tracerun=True,
            **sz,
        ),
        Tool(
            "naive Python loop --since",
            [
                sys.executable,
                str(NAIVE),
                needle,
                path,
                "--since",
                since_s,
                "--until",
                until_s,
            ],
            expected,
            "int",
            ref=ref,
            **sz,
        ),
    ]
    return Plan(
        title=f"since: one {gen_corpus.format_size(size)} time-ordered text file, "
        f"window {since_s} .. {until_s} (the last 5 minutes)",
        measures="a time window on a large file: a bisecting reader skips almost "
        "everything, grep cannot; MB/s over the whole file",
        label=f"since-{gen_corpus.format_size(size)}",
        tools=tools,
        corpora=[corpus],
        notes=[
            (
                "`--since 5m` is relative to now, so the window is given as absolute "
                "timestamps: the last record's time minus 5 minutes .. plus 1 s."
            )
        ],
    )


def plan_rss(ctx: Context, size: int) -> Plan:
    large = size * ctx.args.rss_factor
    tools: list[Tool] = []
    corpora = []
    for sz in (size, large):
        corpus = text_corpus(ctx, "text", sz)
        corpora.append(corpus)
        label = f" ({gen_corpus.format_size(sz)})"
        tools += [
            t
            for t in scan_tools(ctx, corpus, label)
            if t.name.startswith(("grep", "tracerun"))
        ]
    return Plan(
        title=f"rss: peak memory on {gen_corpus.format_size(size)} vs "
        f"{gen_corpus.format_size(large)} of text",
        measures="peak RSS must not grow with the corpus (streaming, not slurping)",
        label=f"rss-{gen_corpus.format_size(size)}-{gen_corpus.format_size(large)}",
        tools=tools,
        corpora=corpora,
        ref_label="grep -F (same size)",
    )


def plan_many_matches(ctx: Context, size: int) -> Plan:
    """A wrong query (`level=info`) that matches ~80 % of a logfmt corpus (#18 point 6)."""
    corpus = ensure_corpus(
        ctx.corpus_dir,
        "logfmt",
        size,
        ["--format", "logfmt", "--files", "8"],
        seed=ctx.args.seed,
    )
    token = re.compile(rb"(?:^| )level=info(?= |$)", re.MULTILINE)
    expected = sum(len(token.findall(path.read_bytes())) for path in corpus.files)
    logs = str(corpus.logs)
    sz = {"bytes": corpus.bytes, "lines": corpus.lines}
    ref = "grep -r -c level=info"
    query = [*ctx.tracerun, "--path", logs, "level=info", "--max-records", "100000000"]
    tools = [
        Tool(ref, ["grep", "-r", "-c", "level=info", logs], expected, "grep", **sz),
        Tool(
            "tracerun level=info -o ndjson",
            [*query, "-o", "ndjson"],
            expected,
            ref=ref,
            is_tracerun=True,
            **sz,
        ),
        Tool(
            "tracerun level=info (text)",
            [*query, "--color", "never"],
            expected,
            ref=ref,
            is_tracerun=True,
            **sz,
        ),
    ]
    return Plan(
        title=f"many-matches: {expected:,} records printed from "
        f"{gen_corpus.format_size(size)} of logfmt",
        measures="peak RSS must stay under 100 MB however many records print "
        "(runs spill in sorted chunks); wall per record",
        label=f"many-matches-{gen_corpus.format_size(size)}",
        tools=tools,
        corpora=[corpus],
        ref_label=ref,
    )


def plan_startup(ctx: Context) -> Plan:
    ref = "python -c pass"
    tools = [
        Tool(ref, [sys.executable, "-c", "pass"], None, "none"),
        Tool(
            "tracerun --version",
            [*ctx.tracerun, "--version"],
            None,
            "none",
            ref=ref,
            is_tracerun=True,
        ),
        Tool(
            f"tracerun -p demo {DEMO_ID}",
            [*ctx.tracerun, "-p", "demo", DEMO_ID],
            None,
            "none",
            ref=ref,
            is_tracerun=True,
        ),
    ]
    return Plan(
        title="startup: `tracerun --version` and the demo trace, from the repo root",
        measures="interpreter start + imports (+ profile load and a tiny scan)",
        label="startup",
        tools=tools,
        corpora=[],
        ref_label="python -c pass",
        runs=max(ctx.runs, 10),
    )


def week_corpus(ctx: Context, size: int, day: int) -> tuple[Path, dict[str, Any]]:
    """bench/corpus/week-<size>-day<day>/ (gen_week.py), regenerated when it differs."""
    root = ctx.corpus_dir / f"week-{gen_corpus.format_size(size)}-day{day}"
    manifest_path = root / "manifest.json"
    wanted = {"size": size, "day": day, "seed": ctx.args.seed, "version": 1}
    if manifest_path.exists():
        manifest = json.loads(manifest_path.read_text())
        if manifest.get("args") == wanted and all(
            (root / f["path"]).is_file()
            and (root / f["path"]).stat().st_size == f["bytes"]
            for f in manifest["files"]
        ):
            return root, manifest
    if root.exists():
        shutil.rmtree(root)
    log(f"generating {root} ({gen_corpus.format_size(size)}) ...")
    started = time.perf_counter()
    manifest = gen_week.generate(root, size, day, ctx.args.seed)
    log(
        f"  {manifest['bytes'] / 2**20:.0f} MB in {time.perf_counter() - started:.1f} s"
    )
    return root, manifest


def plan_expand(ctx: Context, size: int) -> Plan:
    """A week of daily rotated logs, the request in one hour: --expand vs one pass (#16)."""
    day = ctx.args.expand_day
    root, m = week_corpus(ctx, size, day)
    warm([root / f["path"] for f in m["files"]])
    request = m["request"]
    sz = {"bytes": m["bytes"], "lines": 0, "cwd": root}
    trace = [*ctx.tracerun, "-p", "profile.yaml", request, "-o", "ndjson"]
    ref = "tracerun (one pass, no window)"
    tools = [
        Tool(ref, trace, m["single_pass"], is_tracerun=True, **sz),
        Tool(
            "tracerun --expand (depth 3, automatic window)",
            [*trace, "--expand"],
            m["expanded"],
            ref=ref,
            is_tracerun=True,
            **sz,
        ),
        Tool(
            "tracerun --expand --no-auto-window (depth 3)",
            [*trace, "--expand", "--no-auto-window"],
            m["expanded"],
            ref=ref,
            is_tracerun=True,
            **sz,
        ),
        Tool(
            "grep -F -r -c (the request id)",
            ["grep", "-F", "-r", "-c", request, "logs"],
            None,
            "grep",
            ref=ref,
            **sz,
        ),
    ]
    newest = "`NAME.log`" if day == 0 else f"`NAME.log.{day}`"
    return Plan(
        title=f"expand: a week of daily rotated logs of 3 services "
        f"({gen_corpus.format_size(size)}), the request in one hour of {newest} "
        f"({day} days back, {m['chain_at']})",
        measures="following request → order → async job (depth 2 of --max-depth 3) "
        "with the automatic window, against one pass for the request id alone over "
        "the whole week, and against the same expansion without the window",
        label=f"expand-{gen_corpus.format_size(size)}-day{day}",
        tools=tools,
        corpora=[],
        ref_label=ref,
        notes=[
            (
                f"Corpus: `{root}`: 21 files (gateway and worker logfmt, orders "
                f"JSON), {m['bytes'] / 2**20:.0f} MB, generated by "
                f"bench/gen_week.py; {m['single_pass']} records carry the request "
                f"id, {m['expanded']} belong to the chain."
            ),
            (
                "The automatic window reads newest first until a hit, so the ratio "
                "grows with how far back the request is (--expand-day)."
            ),
        ],
    )


SHAPES: tuple[tuple[str, list[str]], ...] = (
    ("text, 16-char id", ["--format", "text"]),
    ("text, 8-char id", ["--format", "text", "--needle", "rq7x9k2m"]),
    (
        "text, 40-char id",
        ["--format", "text", "--needle", "req-2026-03-20-checkout-0000000000000042"],
    ),
    (
        "text, hex trace ids (32)",
        [
            "--format",
            "text",
            "--id-style",
            "hex",
            "--needle",
            "4bf92f3577b34da6a3ce929d0e0e4736",
        ],
    ),
    (
        "text, decoys 1/100 (prefix, suffix, message)",
        [
            "--format",
            "text",
            "--decoy-every",
            "100",
            "--decoys",
            "prefix,suffix,message",
        ],
    ),
    (
        "text, decoys 1/1000",
        [
            "--format",
            "text",
            "--decoy-every",
            "1000",
            "--decoys",
            "prefix,suffix,message",
        ],
    ),
    ("logfmt", ["--format", "logfmt"]),
    (
        "logfmt, decoys 1/100",
        [
            "--format",
            "logfmt",
            "--decoy-every",
            "100",
            "--decoys",
            "prefix,suffix,message",
        ],
    ),
    ("json, nested id", ["--format", "json"]),
    (
        "json, decoys 1/100",
        [
            "--format",
            "json",
            "--decoy-every",
            "100",
            "--decoys",
            "prefix,suffix,message",
        ],
    ),
    ("text, 2 large files", ["--format", "text", "--files", "2"]),
    ("text, 1,000 files of 1 MB", ["--format", "text", "--files", "1000"]),
)
"""The corpus shapes of issue #18: (row name, gen_corpus.py arguments); 8 files
unless said, a needle every --needle-every lines, two decoys by each unless
--decoy-every says otherwise."""


def plan_shapes(ctx: Context, size: int) -> Plan:
    """grep -F, rg -F and tracerun on every shape, each shape against its own grep."""
    tools: list[Tool] = []
    corpora: list[Corpus] = []
    every = ["--needle-every", str(ctx.args.needle_every)]
    for index, (name, gen) in enumerate(SHAPES):
        files = [] if "--files" in gen else ["--files", "8"]
        many = "--files" in gen and gen[gen.index("--files") + 1] == "1000"
        corpus = ensure_corpus(
            ctx.corpus_dir,
            f"shape{index:02d}",
            1000 * 2**20 if many else size,
            [*gen, *files, *every],
            seed=ctx.args.seed,
        )
        corpora.append(corpus)
        shape = [t for t in scan_tools(ctx, corpus) if "naive" not in t.name]
        for tool in shape:
            tool.name = f"{name}: {tool.name.split(' ')[0]}"
            tool.ref = shape[0].name if tool is not shape[0] else ""
        tools += shape
    return Plan(
        title=f"shapes: every corpus shape of issue #18 ({gen_corpus.format_size(size)} each)",
        measures="tracerun against grep -F and rg -F on each shape, side by side in one run",
        label=f"shapes-{gen_corpus.format_size(size)}",
        tools=tools,
        corpora=corpora,
        summary=shapes_table,
    )


def shapes_table(rows: list[dict[str, Any]]) -> str:
    """One line per shape: the three wall times, tracerun's ratios to grep and rg."""
    by = {r["tool"]: r for r in rows}
    head = "| shape | tracerun s | grep -F s | rg -F s | ÷ grep | ÷ rg | correct? |"
    out = [head, "|---|---:|---:|---:|---:|---:|---|"]
    worst: tuple[float, str] = (0.0, "")
    for name, _ in SHAPES:
        mine, grep, rg = (by.get(f"{name}: {t}") for t in ("tracerun", "grep", "rg"))
        if mine is None or grep is None or mine["status"] == "FAILED":
            out.append(f"| {cell(name)} | FAILED | | | | | |")
            continue
        wall = mine["median_s"]
        to_grep = wall / grep["median_s"] if grep.get("median_s") else None
        to_rg = wall / rg["median_s"] if rg and rg.get("median_s") else None
        ok = all(r["status"] == "ok" for r in (mine, grep, rg) if r is not None)
        worst = max(worst, (to_grep or 0.0, name))
        out.append(
            f"| {cell(name)} | {wall:.3f} | {grep.get('median_s', 0):.3f} "
            f"| {rg.get('median_s', 0) if rg else 0:.3f} | {fmt_num(to_grep, '.2f')} "
            f"| {fmt_num(to_rg, '.2f')} | {'yes' if ok else 'NO'} |"
        )
    out += ["", f"Worst shape (ratio to grep -F): {worst[1]} ({worst[0]:.2f})."]
    return "\n".join(out)


def make_plan(ctx: Context, scenario: str) -> Plan:
    size = gen_corpus.parse_size(ctx.args.size or DEFAULT_SIZE.get(scenario, "1G"))
    if scenario == "startup":
        return plan_startup(ctx)
    if scenario in ("text", "json", "logfmt", "mixed"):
        return plan_format(ctx, scenario, size)
    if scenario == "gz":
        return plan_gz(ctx, size)
    if scenario == "many-ids":
        return plan_many_ids(ctx, size)
    if scenario == "since":
        return plan_since(ctx, size)
    if scenario == "rss":
        return plan_rss(ctx, size)
    if scenario == "many-matches":
        return plan_many_matches(ctx, size)
    if scenario == "expand":
        return plan_expand(ctx, size)
    if scenario == "shapes":
        return plan_shapes(ctx, size)
    msg = f"unknown scenario {scenario}"
    raise ValueError(msg)


def run_scenario(ctx: Context, scenario: str) -> dict[str, Any]:
    log(f"== {scenario}")
    plan = make_plan(ctx, scenario)
    for corpus in plan.corpora:
        warm(corpus.files)
    runs = plan.runs or ctx.runs
    load_before = load()
    tools = measure(plan.tools, runs, ctx.args.timeout)
    rows = rows_of(tools)
    info = machine()
    lines = [
        f"## {plan.title}",
        "",
        f"Measures: {plan.measures}.",
        *(f"Corpus: {c.describe()}." for c in plan.corpora),
        (
            f"Machine: {info['cpus']} CPUs ({info['cpu']}), Python {info['python']}, "
            f"{info['grep']}; median of {runs} runs after 1 warm-up; "
            "ratio = wall / reference wall (lower is faster); "
            f"load average before: {load_before}, after: {info['load']}."
        ),
        *plan.notes,
        *(f"Note: {t.name}: {t.note}" for t in tools if t.note),
        "",
        plan.summary(rows) if plan.summary else table(rows, plan.ref_label),
    ]
    for r in rows:
        if r["status"] == "FAILED":
            lines += ["", f"FAILED {r['tool']}: `{r['cmd']}`", "```", r["error"], "```"]
    if not shutil.which("rg"):
        lines += ["", "(rg not installed: no ripgrep row.)"]
    text = "\n".join(lines)
    print(text + "\n", flush=True)
    result = {
        "scenario": scenario,
        "label": plan.label,
        "title": plan.title,
        "measures": plan.measures,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": info,
        "runs": runs,
        "corpora": [
            {
                "root": str(c.root),
                **{k: v for k, v in c.manifest.items() if k != "files"},
                "files": [
                    {k: v for k, v in f.items() if k != "needle_times"}
                    for f in c.manifest["files"]
                ],
            }
            for c in plan.corpora
        ],
        "notes": plan.notes,
        "rows": rows,
        "markdown": text,
    }
    out = Path(ctx.args.results_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{plan.label}.json").write_text(json.dumps(result, indent=1) + "\n")
    if ctx.args.clean:
        for corpus in plan.corpora:
            shutil.rmtree(corpus.root, ignore_errors=True)
    return result


def stored(results: Path) -> list[dict[str, Any]]:
    """The scenario results in `results`, in scenario order."""
    order = {name: i for i, name in enumerate((*SCENARIOS, *EXTRA_SCENARIOS))}
    found = [json.loads(f.read_text()) for f in sorted(results.glob("*.json"))]
    found = [r for r in found if r.get("scenario") in order]
    return sorted(found, key=lambda r: (order[r["scenario"]], r["label"]))


def details(results: Path) -> str:
    """Every stored scenario's table, headings one level down (bench/README.md)."""
    return "\n\n".join("#" + r["markdown"] for r in stored(results))


def summary(results: Path) -> str:
    """One Markdown table: each scenario's tracerun rows against its reference."""
    head = (
        "| scenario | tracerun row | wall s | MB/s | peak RSS MB | reference "
        "| ref. wall s | ratio | load after (1 min) | date (UTC) |"
    )
    out = [head, "|" + "---|" * 10]
    for result in stored(results):
        walls = {r["tool"]: r.get("median_s") for r in result["rows"]}
        for row in result["rows"]:
            if not row["tool"].startswith("tracerun"):
                continue
            ok = "" if row["status"] == "ok" else f" **{row['status']}**"
            wall = "-" if row.get("median_s") is None else f"{row['median_s']:.3f}"
            ref_wall = walls.get(row["reference"])
            out.append(
                f"| {result['label']} | {cell(row['tool'])}{ok} | {wall} "
                f"| {fmt_num(row.get('mb_per_s'), '.0f')} "
                f"| {fmt_num(row.get('peak_rss_mb'), '.1f')} "
                f"| {cell(row['reference'])} | {fmt_num(ref_wall, '.3f')} "
                f"| {fmt_num(row.get('ratio'), '.2f')} "
                f"| {result['machine'].get('load', '?').split(',')[0]} "
                f"| {result['date'][:16]} |"
            )
    return "\n".join(out)


def find_tracerun(spec: str | None) -> list[str]:
    if spec:
        return shlex.split(spec)
    found = shutil.which("tracerun") or str(Path(sys.executable).parent / "tracerun")
    return [found]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument(
        "--scenario",
        action="append",
        choices=(*SCENARIOS, *EXTRA_SCENARIOS),
        help="repeatable",
    )
    p.add_argument("--all", action="store_true", help="all of: " + ", ".join(SCENARIOS))
    p.add_argument(
        "--size",
        help="corpus size, e.g. 200M, 1G (default: 1G; since: 4G)",
    )
    p.add_argument("--runs", type=int, default=5, help="measured runs (startup: >= 10)")
    p.add_argument(
        "--tracerun",
        metavar="CMD",
        help="how to run tracerun, e.g. 'python -m tracerun' (default: tracerun on "
        "PATH, else next to this Python)",
    )
    p.add_argument("--needle-every", type=int, default=10_000, metavar="K")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--rss-factor", type=int, default=4, help="rss: large = size * N")
    p.add_argument(
        "--expand-day",
        type=int,
        default=3,
        choices=range(7),
        help="expand: how many days back the request is (0: today's log)",
    )
    p.add_argument("--timeout", type=float, default=900, help="seconds per run")
    p.add_argument("--corpus-dir", default=str(BENCH / "corpus"))
    p.add_argument("--results-dir", default=str(BENCH / "results"))
    p.add_argument(
        "--clean", action="store_true", help="delete each corpus after its scenario"
    )
    p.add_argument(
        "--summary",
        action="store_true",
        help="print one table of every tracerun row in --results-dir and exit",
    )
    p.add_argument(
        "--details",
        action="store_true",
        help="print every scenario's full table from --results-dir and exit",
    )
    args = p.parse_args(argv)
    if args.summary:
        print(summary(Path(args.results_dir)))
        return 0
    if args.details:
        print(details(Path(args.results_dir)))
        return 0
    if args.size:
        gen_corpus.parse_size(args.size)
    scenarios = list(SCENARIOS) if args.all else (args.scenario or [])
    if not scenarios:
        p.error("give --scenario NAME (repeatable) or --all")
    if args.runs < 1:
        p.error("--runs must be >= 1")
    ctx = Context(
        args=args,
        tracerun=find_tracerun(args.tracerun),
        corpus_dir=Path(args.corpus_dir),
        runs=args.runs,
    )
    log(f"tracerun command: {shlex.join(ctx.tracerun)}")
    worst = 0
    for scenario in scenarios:
        result = run_scenario(ctx, scenario)
        for row in result["rows"]:
            if row["status"] != "ok":
                worst = 1
    return worst


if __name__ == "__main__":
    sys.exit(main())
