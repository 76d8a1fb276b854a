"""Deterministic log corpus for benchmarking tracerun against grep -F.

    python bench/gen_corpus.py --out bench/corpus/text-1G --format text --size 1G

Writes the log files under OUT/logs/ and OUT/manifest.json next to them (the
manifest names the needle, so it must not sit inside the directory the tools
search). Same arguments -> byte-identical files and manifest: every random
choice comes from `random.Random` seeded from --seed and the file's index, and
nothing depends on the clock, the process or the number of --jobs.

Every file is time-ordered (RFC 3339, milliseconds, `Z`). Every K-th line
(K = --needle-every) carries the needle as its request id; around the middle of
every K lines there are two decoys: one whose request id merely starts with the
needle (`<needle>0`) and one with the needle inside the message text only. The
manifest records the exact number of records whose request_id equals the needle
(what tracerun must print), the decoy counts and the number of lines that
contain the needle at all (what `grep -F -c` must count).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import random
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

GENERATOR_VERSION = 1
FORMATS = ("text", "json", "logfmt")
SERVICES = (
    "orders",
    "payments",
    "inventory",
    "shipping",
    "gateway",
    "auth",
    "billing",
    "notify",
    "search",
    "catalog",
    "pricing",
    "users",
)
LEVELS = (("INFO", 80), ("DEBUG", 10), ("WARN", 7), ("ERROR", 3))
MESSAGES = (
    "created order ord-{n} with {k} items",
    "payment authorized for ord-{n} amount={k}.{d}0 EUR",
    "reserved {k} units of sku-{n} in warehouse wh-{d}",
    "GET /api/v1/orders/{n} 200 in {k}ms",
    "POST /api/v1/checkout 201 in {k}ms",
    "cache miss for key cart:{n}, loading from primary",
    "retrying call to inventory-svc (attempt {d} of 5)",
    "upstream responded slowly: {k}ms > 250ms budget",
    "user session refreshed, expires in {k}s",
    "published event order.updated v{d} to topic orders-{d}",
    "db query select_cart_items took {k}ms rows={d}",
    "shipment label created for ord-{n} carrier=dhl",
    "token validated for client web-{d} scopes=read,write",
    "price recalculated for basket {n}: {k}.{d}5 EUR",
    "notification queued channel=email template=order_confirmed",
    "search query returned {k} hits in {d}ms",
)
TS_SHAPE = "2026-03-20T00:00:00.000Z"
DECOY_MESSAGE = "linked to earlier failure of {needle}, see previous attempt"
HOSTS = ("a7f3", "b2c9", "c4d1", "d8e0", "e5b6", "f1a2")
BLOCK = 1 << 14  # lines built per join
POOL = 1 << 12  # distinct line parts per pool
CHOICES = 1 << 16  # length of the pre-drawn index sequences (power of two)
SIZE_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?\s*$", re.IGNORECASE)
SPAN_RE = re.compile(r"^(\d+)([smhd])$")
UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
SPAN_UNITS = {"s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}


def parse_size(text: str) -> int:
    """`1G` -> 1073741824 (binary units: K, M, G, T; plain number = bytes)."""
    m = SIZE_RE.match(text)
    if not m:
        msg = f"not a size: {text!r} (use e.g. 200M, 1G, 1.5G)"
        raise argparse.ArgumentTypeError(msg)
    return int(float(m.group(1)) * UNITS[m.group(2).upper()])


def parse_span(text: str) -> int:
    """`24h` -> milliseconds."""
    m = SPAN_RE.match(text.strip())
    if not m:
        msg = f"not a duration: {text!r} (use e.g. 90m, 24h, 2d)"
        raise argparse.ArgumentTypeError(msg)
    return int(m.group(1)) * SPAN_UNITS[m.group(2)]


def parse_time(text: str) -> int:
    """RFC 3339 -> epoch milliseconds."""
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000)


def fmt_time(ms: int) -> str:
    """Epoch milliseconds -> `2026-03-20T00:00:00.123Z`."""
    dt = datetime.fromtimestamp(ms // 1000, UTC)
    return f"{dt:%Y-%m-%dT%H:%M:%S}.{ms % 1000:03d}Z"


def format_size(n: int) -> str:
    """Bytes -> the shortest exact `1G`/`200M` form, else bytes."""
    for unit in ("T", "G", "M", "K"):
        if n % UNITS[unit] == 0:
            return f"{n // UNITS[unit]}{unit}"
    return str(n)


@dataclass(frozen=True)
class FileSpec:
    """One file to write: everything its bytes depend on."""

    index: int
    rel_path: str
    fmt: str
    service: str
    start_ms: int
    span_ms: int
    budget: int
    gzip: bool
    seed: int
    needle: str
    needle_every: int
    decoy_every: int = 0
    decoys: tuple[str, ...] = ("prefix", "message")
    id_style: str = "req"


DECOY_KINDS = ("prefix", "suffix", "message")
"""`prefix`: the request id is the needle + `0`; `suffix`: `z` + the needle;
`message`: the needle only in the message text."""


@dataclass
class FileStats:
    """What was written, for the manifest."""

    path: str
    format: str
    service: str
    bytes: int = 0
    stored_bytes: int = 0
    lines: int = 0
    exact: int = 0
    prefix_decoys: int = 0
    message_decoys: int = 0
    suffix_decoys: int = 0
    first_ts: str = ""
    last_ts: str = ""
    needle_times: list[str] = field(default_factory=list)


class LineParts:
    """Pools of pre-rendered line fragments for one file (format + service)."""

    def __init__(self, spec: FileSpec, rng: random.Random) -> None:
        self.fmt = spec.fmt
        levels = [name for name, weight in LEVELS for _ in range(weight)]
        needle = spec.needle

        def message(decoy: bool) -> str:
            if decoy:
                return DECOY_MESSAGE.format(needle=needle)
            return rng.choice(MESSAGES).format(
                n=rng.randrange(10_000, 99_999_999),
                k=rng.randrange(1, 2_000),
                d=rng.randrange(1, 6),
            )

        def pre(decoy: bool) -> str:
            level = rng.choice(levels)
            msg = message(decoy)
            svc = spec.service
            if self.fmt == "text":
                return f" {level} {svc}: {msg} request_id="
            if self.fmt == "logfmt":
                return f' level={level.lower()} svc={svc} msg="{msg}" request_id='
            return (
                f'","level":"{level.lower()}","svc":"{svc}","msg":"{msg}",'
                '"ctx":{"request_id":"'
            )

        def post() -> str:
            user = f"u-{rng.randrange(1_000_000):06d}"
            dur = rng.randrange(1, 3_000)
            host = f"{spec.service}-{rng.choice(HOSTS)}-{rng.randrange(8)}"
            extra = rng.randrange(4)
            if self.fmt == "json":  # JSON is verbose: fewer fields keep it near 250 B
                tail = f',"attr":"{rng.getrandbits(32):08x}"' if extra > 1 else ""
                status = rng.choice((200, 200, 200, 201, 404, 500))
                return f'","user":"{user}","dur_ms":{dur},"status":{status}{tail}}}\n'
            tail = "".join(f" attr{i}={rng.getrandbits(32):08x}" for i in range(extra))
            return f" user={user} dur_ms={dur} host={host}{tail}\n"

        self.pre = [pre(False) for _ in range(POOL)]
        self.decoy_pre = [pre(True) for _ in range(64)]
        self.post = [post() for _ in range(POOL)]
        # JSON repeats the id at top level after ctx.request_id
        self.mid = '"},"request_id":"' if self.fmt == "json" else ""
        ids: list[str] = []
        while len(ids) < POOL:
            if spec.id_style == "hex":  # W3C trace ids
                rid = f"{rng.getrandbits(128):032x}"
            else:
                rid = f"req-{rng.getrandbits(48):012x}"
            if needle not in rid and not needle.startswith(rid):
                ids.append(rid)
        self.ids = ids
        for part in (*self.pre, *self.post):
            if needle in part:
                msg = f"needle {needle!r} occurs in the template text; pick another"
                raise ValueError(msg)
        self.ia = [rng.randrange(POOL) for _ in range(CHOICES)]
        self.ib = [rng.randrange(POOL) for _ in range(CHOICES)]
        self.ic = [rng.randrange(POOL) for _ in range(CHOICES)]
        self.head = {"text": "", "logfmt": "time=", "json": '{"ts":"'}[self.fmt]
        self.k = spec.needle_every
        self.d = spec.decoy_every
        self.kinds = spec.decoys
        self.needle = needle

    def specials(self, lo: int, hi: int) -> list[tuple[int, str]]:
        """(line number, kind) of the needle and decoy lines in [lo, hi).

        With --decoy-every D, one decoy every D lines (D // 2, D + D // 2, ...;
        the kinds in turn), none on a needle line; else two every K lines.
        """
        k = self.k
        found = []
        if self.d:
            d, kinds = self.d, self.kinds
            for at in range(lo - lo % d + d // 2, hi, d):
                if lo <= at and at % k != k - 1:
                    found.append((at, kinds[(at // d) % len(kinds)]))
            found += [
                (i, "needle") for i in range(lo - lo % k + k - 1, hi, k) if i >= lo
            ]
            return sorted(found)
        for base in range(lo - lo % k, hi, k):
            for off, kind in (
                (k // 2 - 1, "prefix"),
                (k // 2, "message"),
                (k - 1, "needle"),
            ):
                if lo <= base + off < hi:
                    found.append((base + off, kind))
        return found

    def special(self, i: int, kind: str, ts: str) -> str:
        """The needle or decoy line number i."""
        if kind == "needle":
            return self.line(i, ts, self.needle, decoy=False)
        if kind == "prefix":
            return self.line(i, ts, self.needle + "0", decoy=False)
        if kind == "suffix":
            return self.line(i, ts, "z" + self.needle, decoy=False)
        return self.line(i, ts, None, decoy=True)

    def count_lines(self, budget: int) -> int:
        """How many lines fit in `budget` bytes (at least one), without building them.

        Known up front so that the timestamps can spread evenly over the span.
        """
        twice = 2 if self.fmt == "json" else 1
        fixed = len(self.head) + len(TS_SHAPE) + len(self.mid)
        lp = [len(x) for x in self.pre]
        li = [len(x) * twice for x in self.ids]
        lq = [len(x) for x in self.post]
        cycle = [
            fixed + lp[a] + li[b] + lq[c]
            for a, b, c in zip(self.ia, self.ib, self.ic, strict=True)
        ]
        ts = TS_SHAPE
        lines, size = 0, 0
        while True:
            lens = cycle.copy()
            for i, kind in self.specials(lines, lines + CHOICES):
                lens[i - lines] = len(self.special(i, kind, ts))
            total = sum(lens)
            if size + total <= budget:
                lines += CHOICES
                size += total
                continue
            for n in lens:
                if size + n > budget:
                    return max(lines, 1)
                size += n
                lines += 1

    def line(self, i: int, ts: str, rid: str | None, decoy: bool) -> str:
        """Line number i (slow path, for the needle and decoy lines)."""
        j = i & (CHOICES - 1)
        pre = self.decoy_pre[i & 63] if decoy else self.pre[self.ia[j]]
        rid = rid if rid is not None else self.ids[self.ib[j]]
        post = self.post[self.ic[j]]
        if self.fmt == "json":
            return self.head + ts + pre + rid + self.mid + rid + post
        return self.head + ts + pre + rid + post


class Clock:
    """Epoch ms -> RFC 3339 text, cheap: a cached minute prefix + `SS.mmmZ`."""

    def __init__(self) -> None:
        self.minutes: dict[int, str] = {}
        self.secms = [f"{s:02d}.{ms:03d}Z" for s in range(60) for ms in range(1000)]

    def block(self, stamps: list[int]) -> list[str]:
        first, last = stamps[0] // 60_000, stamps[-1] // 60_000
        minutes = self.minutes
        for m in range(first, last + 1):
            if m not in minutes:
                minutes[m] = fmt_time(m * 60_000)[:17]
        secms = self.secms
        return [minutes[ms // 60_000] + secms[ms % 60_000] for ms in stamps]


def write_file(spec: FileSpec, root: str) -> FileStats:
    """Generate one file; deterministic in `spec` alone."""
    rng = random.Random(spec.seed)
    parts = LineParts(spec, rng)
    clock = Clock()
    total = parts.count_lines(spec.budget)
    stats = FileStats(path=spec.rel_path, format=spec.fmt, service=spec.service)
    mask = CHOICES - 1
    pre, post, mid, ids = parts.pre, parts.post, parts.mid, parts.ids
    ia, ib, ic = parts.ia, parts.ib, parts.ic
    head = parts.head
    path = Path(root) / spec.rel_path
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as raw:
        out = (
            gzip.GzipFile(filename="", mode="wb", compresslevel=6, fileobj=raw, mtime=0)
            if spec.gzip
            else raw
        )
        for i0 in range(0, total, BLOCK):
            n = min(BLOCK, total - i0)
            # evenly spread over [start, start + span): non-decreasing, exact
            ts = clock.block(
                [spec.start_ms + (i * spec.span_ms) // total for i in range(i0, i0 + n)]
            )
            if parts.fmt == "json":
                lines = [
                    head
                    + ts[x]
                    + pre[ia[(i0 + x) & mask]]
                    + (rid := ids[ib[(i0 + x) & mask]])
                    + mid
                    + rid
                    + post[ic[(i0 + x) & mask]]
                    for x in range(n)
                ]
            else:
                lines = [
                    head
                    + ts[x]
                    + pre[ia[(i0 + x) & mask]]
                    + ids[ib[(i0 + x) & mask]]
                    + post[ic[(i0 + x) & mask]]
                    for x in range(n)
                ]
            for i, kind in parts.specials(i0, i0 + n):
                lines[i - i0] = parts.special(i, kind, ts[i - i0])
                if kind == "needle":
                    stats.exact += 1
                    stats.needle_times.append(ts[i - i0])
                elif kind == "prefix":
                    stats.prefix_decoys += 1
                elif kind == "suffix":
                    stats.suffix_decoys += 1
                else:
                    stats.message_decoys += 1
            if i0 == 0:
                stats.first_ts = ts[0]
            stats.last_ts = ts[-1]
            chunk = "".join(lines).encode()
            out.write(chunk)
            stats.bytes += len(chunk)
        if out is not raw:
            out.close()
    stats.lines = total
    stats.stored_bytes = path.stat().st_size
    return stats


def plan(args: argparse.Namespace) -> list[FileSpec]:
    """Which files to write, in manifest order."""
    files: int = args.files
    start_ms = parse_time(args.start)
    span_ms: int = args.span
    services = args.services or (1 if args.gzip else files)
    if files % services:
        msg = "--files must be a multiple of --services"
        raise SystemExit(msg)
    per_service = files // services
    names = (
        ["svc"]
        if services == 1 and args.gzip
        else [
            SERVICES[i % len(SERVICES)] + (f"{i // len(SERVICES)}" if i >= 12 else "")
            for i in range(services)
        ]
    )
    fmts = [FORMATS[i % 3] if args.format == "mixed" else args.format for i in range(3)]
    specs: list[FileSpec] = []
    budget, rest = divmod(args.size, files)
    for s, name in enumerate(names):
        for r in range(per_service):
            index = s * per_service + r
            if args.gzip:
                # rotation r: 0 = current plain file (newest), r >= 1 = older, gzipped
                rel = f"logs/{name}.log" + (f".{r}.gz" if r else "")
                seg = span_ms // per_service
                seg_start = start_ms + (per_service - 1 - r) * seg
            else:
                rel = (
                    f"logs/{name}.log"
                    if per_service == 1
                    else f"logs/{name}-{r}.log"  # several plain files per service
                )
                seg, seg_start = span_ms, start_ms
            specs.append(
                FileSpec(
                    index=index,
                    rel_path=rel,
                    fmt=fmts[s % 3],
                    service=name,
                    start_ms=seg_start,
                    span_ms=seg,
                    budget=budget + (rest if index == files - 1 else 0),
                    gzip=bool(args.gzip and r),
                    seed=args.seed * 1_000_003 + index,
                    needle=args.needle,
                    needle_every=args.needle_every,
                    decoy_every=args.decoy_every,
                    decoys=tuple(args.decoys.split(",")),
                    id_style=args.id_style,
                )
            )
    return specs


def manifest_args(args: argparse.Namespace) -> dict[str, object]:
    """The arguments that determine the bytes (run.py compares these)."""
    return {
        "generator_version": GENERATOR_VERSION,
        "format": args.format,
        "size": args.size,
        "files": args.files,
        "services": args.services or (1 if args.gzip else args.files),
        "needle_every": args.needle_every,
        "needle": args.needle,
        "gzip": bool(args.gzip),
        "seed": args.seed,
        "start": args.start,
        "span_ms": args.span,
        **(
            {
                "decoy_every": args.decoy_every,
                "decoys": args.decoys,
                "id_style": args.id_style,
            }
            if (args.decoy_every, args.decoys, args.id_style)
            != (0, "prefix,message", "req")
            else {}
        ),
    }


def generate(args: argparse.Namespace) -> dict[str, Any]:
    """Write the corpus and its manifest; return the manifest."""
    out = Path(args.out)
    (out / "manifest.json").unlink(missing_ok=True)
    specs = plan(args)
    for spec in specs:
        (out / spec.rel_path).unlink(missing_ok=True)
    jobs = max(1, min(args.jobs or os.cpu_count() or 1, len(specs)))
    if jobs == 1:
        results = [write_file(spec, str(out)) for spec in specs]
    else:
        with ProcessPoolExecutor(jobs) as pool:
            results = list(pool.map(write_file, specs, [str(out)] * len(specs)))
    files = [asdict(r) for r in results]
    exact = sum(r.exact for r in results)
    prefix = sum(r.prefix_decoys for r in results)
    message = sum(r.message_decoys for r in results)
    suffix = sum(r.suffix_decoys for r in results)
    manifest: dict[str, Any] = {
        "args": manifest_args(args),
        "logs_dir": "logs",
        "needle": args.needle,
        "bytes": sum(r.bytes for r in results),
        "stored_bytes": sum(r.stored_bytes for r in results),
        "lines": sum(r.lines for r in results),
        "exact_count": exact,
        "prefix_decoys": prefix,
        "message_decoys": message,
        "suffix_decoys": suffix,
        "grep_count": exact + prefix + message + suffix,
        "first_ts": min(r.first_ts for r in results),
        "last_ts": max(r.last_ts for r in results),
        "files": files,
    }
    text = json.dumps(manifest, indent=1) + "\n"
    tmp = out / "manifest.json.tmp"
    tmp.write_text(text)
    tmp.replace(out / "manifest.json")
    return manifest


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    p.add_argument("--out", required=True, help="corpus directory (logs/ + manifest)")
    p.add_argument("--format", choices=(*FORMATS, "mixed"), default="text")
    p.add_argument(
        "--size", type=parse_size, default="1G", help="total uncompressed bytes"
    )
    p.add_argument("--files", type=int, default=8)
    p.add_argument(
        "--services",
        type=int,
        default=0,
        help="services (default: one per file; 1 named 'svc' with --gzip)",
    )
    p.add_argument("--needle-every", type=int, default=10_000, metavar="K")
    p.add_argument("--needle", default="req-bench-000042")
    p.add_argument(
        "--decoy-every",
        type=int,
        default=0,
        metavar="D",
        help="one decoy every D lines (0: two every K lines, by the needle)",
    )
    p.add_argument(
        "--decoys",
        default="prefix,message",
        help="decoy kinds taken in turn with --decoy-every: " + ", ".join(DECOY_KINDS),
    )
    p.add_argument(
        "--id-style",
        choices=("req", "hex"),
        default="req",
        help="other records' ids: req-<12 hex> or 32-hex trace ids",
    )
    p.add_argument(
        "--gzip",
        action="store_true",
        help="rotated files: svc.log, svc.log.1.gz, ... (level 6, mtime 0)",
    )
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--start", default="2026-03-20T00:00:00Z")
    p.add_argument(
        "--span",
        type=parse_span,
        default="24h",
        help="time covered by each service's logs",
    )
    p.add_argument(
        "--jobs",
        type=int,
        default=0,
        help="processes (default: CPUs); no effect on bytes",
    )
    p.add_argument("--sha256", action="store_true", help="print each file's sha256")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.needle_every < 4:
        print("--needle-every must be >= 4", file=sys.stderr)
        return 2
    if any(kind not in DECOY_KINDS for kind in args.decoys.split(",")):
        print(f"--decoys: kinds are {', '.join(DECOY_KINDS)}", file=sys.stderr)
        return 2
    if args.files < 1 or args.size < args.files:
        print("need --files >= 1 and --size >= --files bytes", file=sys.stderr)
        return 2
    started = time.perf_counter()
    manifest: dict[str, Any] = generate(args)
    took = time.perf_counter() - started
    mb = manifest["bytes"] / 2**20
    print(
        f"{args.out}: {len(manifest['files'])} files, {mb:.1f} MB "
        f"({manifest['stored_bytes'] / 2**20:.1f} MB stored), "
        f"{manifest['lines']} lines, {manifest['exact_count']} exact, "
        f"{manifest['grep_count']} grep -F; {took:.2f} s = {mb / took:.0f} MB/s",
        file=sys.stderr,
    )
    if args.sha256:
        out = Path(args.out)
        for entry in manifest["files"]:
            digest = hashlib.sha256((out / entry["path"]).read_bytes()).hexdigest()
            print(f"{digest}  {entry['path']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
