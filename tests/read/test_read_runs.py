"""Runs: a run keeps exactly what can be printed, packed, in memory or in a file."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from tracerun.read import runs
from tracerun.read.runs import Keep, RunBuilder, keep_of, record_of
from tracerun.record import NO_TIME, Record


def rec(time: int, line: int, **fields) -> Record:
    return Record(
        time,
        "svc",
        2,
        "/var/log/svc.log",
        line,
        "info",
        f"m{line}",
        fields,
        f"raw {line}",
        continuation=("  at x",),
        hidden=("msg",),
        offset=line * 10,
    )


def _shuffled(count: int, seed: int = 7) -> list[Record]:
    records = [rec(1_000 + (i * 7919) % count, i + 1) for i in range(count)]
    random.Random(seed).shuffle(records)
    return records


@pytest.mark.parametrize("newest", [False, True])
def test_a_run_keeps_exactly_the_oldest_or_newest_n_of_any_order(newest):
    records = _shuffled(5_000)
    builder = RunBuilder(Keep(300, newest=newest))
    for record in records:
        builder.add(record)

    run = builder.finish()

    assert run is not None
    keys = sorted(r.sort_key() for r in records)
    expected = keys[-300:] if newest else keys[:300]
    assert [record_of(e).sort_key() for e in run] == expected
    assert (run.seen, run.count) == (5_000, 300)


def test_a_record_comes_back_as_it_went_in():
    odd = rec(NO_TIME, 3, big=10**40, text="\ud800 ü", nested={"a": [1, None, 2.5]})
    odd.stack = ("Traceback (most recent call last):", "ValueError: x")

    builder = RunBuilder(None)
    builder.add(odd)
    run = builder.finish()

    assert run is not None
    assert [record_of(e) for e in run] == [odd]


def test_a_large_run_goes_to_a_file_that_is_gone_once_claimed(monkeypatch):
    monkeypatch.setattr(runs, "SPILL_AT", 10)
    records = _shuffled(50)
    builder = RunBuilder(None)
    for record in records:
        builder.add(record)

    run = builder.finish()

    assert run is not None
    assert run.spilled
    path = Path(run.path or "")
    assert path.is_file()
    run.claim()
    assert not path.exists()
    assert [record_of(e) for e in run] == sorted(records, key=Record.sort_key)
    run.close()


@pytest.mark.parametrize("keep", [None, Keep(130), Keep(130, newest=True), Keep(5)])
def test_a_run_built_in_chunks_keeps_what_one_in_memory_keeps(
    monkeypatch, tmp_path, keep
):
    # 1,000,000 records printed must not be held in memory while a run is built
    # (#18): past CHUNK_AT the builder writes sorted chunks and merges them.
    records = _shuffled(500)

    def kept_by(chunk_at: int) -> list[Record]:
        monkeypatch.setattr(runs, "CHUNK_AT", chunk_at)
        builder = RunBuilder(keep)
        for record in records:
            builder.add(record)
        run = builder.finish()
        assert run is not None
        assert run.seen == 500
        run.claim()
        found = [record_of(e) for e in run]
        assert run.count == len(found)
        run.close()
        return found

    with runs.spill_directory():
        whole = kept_by(10**9)
        chunked = kept_by(37)
        spilled = runs._SpillDirectory.path  # None: a cap of 5 never needs a chunk
        assert spilled is None or list(Path(spilled).iterdir()) == []  # chunks gone

    keys = sorted(r.sort_key() for r in records)
    if keep is not None:
        keys = keys[-keep.records :] if keep.newest else keys[: keep.records]
    assert [r.sort_key() for r in chunked] == keys
    assert chunked == whole


def test_line_base_shifts_known_lines_only():
    builder = RunBuilder(None)
    builder.add(rec(5, 0))
    builder.add(rec(6, 4))
    run = builder.finish()
    assert run is not None
    run.line_base = 100

    assert [record_of(e).line for e in run] == [0, 104]


@pytest.mark.parametrize(
    ("limit", "max_records", "keep"),
    [
        (None, None, None),
        (None, 10, Keep(10)),
        (5, 10, Keep(5, newest=True)),
        (50, 10, Keep(10, newest=True)),
        (5, None, Keep(5, newest=True)),
    ],
)
def test_keep_of_limit_and_max_records(limit, max_records, keep):
    assert keep_of(limit, max_records) == keep


def _run_capped(tmp_path: Path, limit: int, *args: str):
    """Trace 12,000 matching lines (a run past SPILL_AT) with files capped at `limit` bytes.

    RLIMIT_FSIZE is a full disk as a write sees it (EFBIG; Python ignores
    SIGXFSZ); stdout is a pipe, which the limit does not touch.
    """
    import os
    import resource
    import subprocess
    import sys

    log = tmp_path / "app.log"
    with log.open("w") as out:
        for n in range(12_000):
            stamp = f"2026-03-20T14:{n // 6000:02d}:{n // 100 % 60:02d}.{n % 100:03d}Z"
            out.write(json.dumps({"ts": stamp, "request_id": "R1", "n": n}) + "\n")
    temp = tmp_path / "tmp"
    temp.mkdir()

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    done = subprocess.run(
        [sys.executable, "-m", "tracerun", "--path", str(log), "R1", *args],
        env={
            **os.environ,
            "TMPDIR": str(temp),
            "NO_COLOR": "1",
            "TRACERUN_PROFILE": "",
        },
        capture_output=True,
        text=True,
        preexec_fn=cap,
        timeout=60,
        check=False,
    )
    return done, temp


def test_a_full_tmpdir_is_named_as_such_not_as_stdout(tmp_path: Path) -> None:
    done, temp = _run_capped(tmp_path, 64 * 1024, "-o", "ndjson")

    told = f"tracerun: error: cannot write temporary files in {temp}: File too large"
    assert (done.returncode, done.stdout, done.stderr.splitlines()) == (
        2,
        "",
        [told, "  hint: " + TMPDIR_HINT],
    )
    assert list(temp.iterdir()) == []  # nothing left behind


TMPDIR_HINT = (
    "a trace keeps the records of a file that matches more than 10,000 there "
    "meanwhile; point TMPDIR at a folder with room, or narrow the query "
    "(--since, --until, --source, --max-records)"
)


def test_sigterm_while_a_trace_writes_its_runs_leaves_nothing_in_tmpdir(
    tmp_path: Path,
) -> None:
    import os
    import signal
    import subprocess
    import sys

    log = tmp_path / "app.log"  # under 32 MiB: read in one process, no pool
    with log.open("w") as out:
        for n in range(300_000):
            out.write(f'{{"ts":{1_774_000_000 + n},"request_id":"R1","n":{n}}}\n')
    temp = tmp_path / "tmp"
    temp.mkdir()
    args = ["--path", str(log), "R1", "-o", "ndjson", "--max-records", "400000"]
    env = {**os.environ, "TMPDIR": str(temp), "NO_COLOR": "1", "TRACERUN_PROFILE": ""}
    trace = subprocess.Popen(
        [sys.executable, "-m", "tracerun", *args],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    while not any(temp.iterdir()) and trace.poll() is None:
        os.sched_yield()  # the first chunk of 20,000 is written: 280,000 to go
    trace.send_signal(signal.SIGTERM)
    _, stderr = trace.communicate(timeout=60)

    assert (trace.returncode, stderr) == (143, "")
    assert list(temp.iterdir()) == []
