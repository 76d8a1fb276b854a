"""Generate a week of daily-rotated logs of three services, one request chain in one hour.

For the `expand` scenario of bench/run.py (#16): gateway (logfmt), orders
(JSON) and an async worker (logfmt) each write `NAME.log` (today) and
`NAME.log.1` … `NAME.log.6` (the days before), time-ordered. One request,
REQUEST, sits in one hour of one day: the gateway and orders log its request
id, orders also the ORDER it created, and the worker logs the order id once and
then only its own JOB id, so only a depth-2 expansion finds the whole chain.

    python bench/gen_week.py --out bench/corpus/week-1G --size 1G --day 3

writes the logs, `profile.yaml` and `manifest.json` (the expected counts).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gen_corpus

REQUEST = "req-bench-chain"
ORDER = "ord-bench-chain"
JOB = "job-bench-chain"
DAYS = 7
START = datetime(2026, 3, 14, tzinfo=UTC)
"""The first (oldest) day; the newest, `NAME.log`, is the 20th."""
CHAIN_HOUR = 14
SERVICES = ("gateway", "orders", "worker")
PROFILE = """\
version: 1
description: bench — a week of daily rotated logs, one request chain in one hour
keys: [request_id]
correlate: [request_id, order_id, job_id]
parsers:
  app: {type: json, time: {field: ts}}
sources:
  gateway: {type: file, paths: ['logs/gateway.log*'], parser: logfmt}
  orders: {type: file, paths: ['logs/orders.log*'], parser: app}
  worker: {type: file, paths: ['logs/worker.log*'], parser: logfmt}
"""


def _ts(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def noise(service: str, at: datetime, n: int) -> str:
    ts = _ts(at)
    if service == "gateway":
        return (
            f'time={ts} level=info msg="POST /api/orders" request_id=req-n{n:08x} '
            f"status=201 dur_ms={n % 900} client=203.0.113.{n % 250}\n"
        )
    if service == "orders":
        return (
            f'{{"ts":"{ts}","level":"info","logger":"orders.api","msg":"order created",'
            f'"request_id":"req-n{n:08x}","order_id":"ord-n{n:08x}",'
            f'"total":"{n % 200}.00","currency":"EUR"}}\n'
        )
    return (
        f'time={ts} level=info msg="pick list sent" job_id=job-n{n:08x} '
        f"warehouse=ber-{n % 3} items={n % 7}\n"
    )


def chain(service: str, at: datetime) -> list[tuple[datetime, str]]:
    """The request's own lines of one service, near `at`."""
    ms = timedelta(milliseconds=1)
    if service == "gateway":
        return [
            (
                at,
                f'time={_ts(at)} level=info msg="POST /api/orders" request_id={REQUEST}\n',
            ),
            (
                at + 900 * ms,
                (
                    f'time={_ts(at + 900 * ms)} level=info msg="201 Created" '
                    f"request_id={REQUEST}\n"
                ),
            ),
        ]
    if service == "orders":
        lines = []
        for k, (msg, order) in enumerate(
            (
                ("order received", False),
                ("order validated", True),
                ("order created", True),
            )
        ):
            t = at + (100 + 100 * k) * ms
            extra = f',"order_id":"{ORDER}"' if order else ""
            lines.append(
                (
                    t,
                    (
                        f'{{"ts":"{_ts(t)}","level":"info","msg":"{msg}",'
                        f'"request_id":"{REQUEST}"{extra}}}\n'
                    ),
                )
            )
        for k, msg in enumerate(("order paid", "order shipped")):
            t = at + timedelta(minutes=2 + k)
            lines.append(
                (
                    t,
                    f'{{"ts":"{_ts(t)}","level":"info","msg":"{msg}","order_id":"{ORDER}"}}\n',
                )
            )
        return lines
    t0 = at + 2 * timedelta(seconds=1)
    lines = [
        (
            t0,
            f'time={_ts(t0)} level=info msg="picked up" order_id={ORDER} job_id={JOB}\n',
        )
    ]
    for k, msg in enumerate(("pick list sent", "label printed", "job done")):
        t = t0 + (k + 1) * 150 * ms
        lines.append((t, f'time={_ts(t)} level=info msg="{msg}" job_id={JOB}\n'))
    return lines


def generate(out: Path, size: int, day: int, seed: int) -> dict[str, object]:
    """Write the corpus; `day` counts back from today (0: NAME.log, 6: NAME.log.6)."""
    rng = random.Random(seed)
    logs = out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    per_file = size // (DAYS * len(SERVICES))
    line_bytes = {s: len(noise(s, START, 0)) for s in SERVICES}
    chain_day = START + timedelta(days=DAYS - 1 - day)
    chain_at = chain_day + timedelta(hours=CHAIN_HOUR, minutes=rng.randrange(60))
    files = []
    counter = 0
    for index in range(DAYS):
        name_day = START + timedelta(days=index)
        suffix = DAYS - 1 - index
        for service in SERVICES:
            count = max(1, per_file // line_bytes[service])
            step = timedelta(days=1) / count
            extra = chain(service, chain_at) if name_day == chain_day else []
            path = logs / (f"{service}.log" + (f".{suffix}" if suffix else ""))
            with path.open("w") as file:
                pending = sorted(extra)
                buffer = []
                for i in range(count):
                    at = name_day + step * i
                    while pending and pending[0][0] <= at:
                        buffer.append(pending.pop(0)[1])
                    buffer.append(noise(service, at, counter))
                    counter += 1
                    if len(buffer) >= 8192:
                        file.write("".join(buffer))
                        buffer = []
                buffer += [line for _, line in pending]
                file.write("".join(buffer))
            files.append(
                {"path": str(path.relative_to(out)), "bytes": path.stat().st_size}
            )
    (out / "profile.yaml").write_text(PROFILE)
    manifest: dict[str, object] = {
        "args": {"size": size, "day": day, "seed": seed, "version": 1},
        "request": REQUEST,
        "chain_at": _ts(chain_at),
        "single_pass": 5,
        "expanded": 11,
        "bytes": sum(int(f["bytes"]) for f in files),  # type: ignore[call-overload]
        "files": files,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and write the corpus."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--size", default="1G")
    p.add_argument("--day", type=int, default=3, help="days back from today (0-6)")
    p.add_argument("--seed", type=int, default=16)
    args = p.parse_args(argv)
    generate(args.out, gen_corpus.parse_size(args.size), args.day, args.seed)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
