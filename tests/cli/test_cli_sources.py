"""tracerun/peek.py: `tracerun sources` sizes, time coverage and `--check` samples."""

from __future__ import annotations

import gzip
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers.hostile import write_hostile

from tracerun.cli import cli
from tracerun.cli import sources as peek
from tracerun.cli.sources import Sample, human_size, sample_origin
from tracerun.config.loader import load_profile
from tracerun.config.model import to_spec
from tracerun.sources import get_source
from tracerun.sources.file import coverage as file_coverage
from tracerun.sources.file.coverage import time_coverage
from tracerun.timeparse import format_utc_ms, parse_time
from tracerun.trace.plan import build_plan

PROFILE = """\
version: 1
parsers:
  pylog:
    type: regex
    pattern: '^(?P<time>\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2},\\d{3}) (?P<level>[A-Z]+) (?P<msg>.*)$'
    time: {field: time, format: '%Y-%m-%d %H:%M:%S,%f'}
sources:
  orders: {type: file, paths: ['logs/orders.log*'], parser: json}
  payments: {type: file, paths: [logs/payments.log], parser: pylog}
  notes: {type: file, paths: [logs/notes.txt]}
  missing: {type: file, paths: [logs/none/*.log]}
"""

ORDERS = [
    '{"ts":"2026-03-20T14:10:00.141Z","msg":"received","request_id":"abc"}',
    '{"ts":"2026-03-20T14:10:01Z","msg":"paid","request_id":"abc"}',
    "2026-03-20T14:10:01.500Z plain text in a JSON log",
    '{"ts":"2026-03-20T14:10:02.5Z","msg":"done","request_id":"abc"}',
]
ROTATED = [
    '{"ts":"2026-03-20T14:09:00Z","msg":"older","request_id":"x"}',
    '{"ts":"2026-03-20T14:09:59.999Z","msg":"oldest end","request_id":"x"}',
]
PAYMENTS = [
    "2026-03-20 14:10:00,190 INFO charge requested",
    "2026-03-20 14:10:02,193 ERROR charge failed",
    "Traceback (most recent call last):",
    '  File "pay.py", line 3, in charge',
    "TimeoutError: provider did not answer",
]


@pytest.fixture
def profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "orders.log").write_text("\n".join(ORDERS) + "\n")
    with gzip.open(logs / "orders.log.1.gz", "wt") as archive:
        archive.write("\n".join(ROTATED) + "\n")
    (logs / "payments.log").write_text("\n".join(PAYMENTS) + "\n")
    (logs / "notes.txt").write_text("just some words\nand more words\n")
    path = tmp_path / "profile.yaml"
    path.write_text(PROFILE)
    return path


def run(*args: str) -> Result:
    env = {"TRACERUN_PROFILE": "", "NO_COLOR": ""}
    return CliRunner().invoke(cli, list(args), env=env)


def size(path: str) -> str:
    return human_size(Path(path).stat().st_size)


def test_sources_shows_size_and_first_and_last_timestamp(profile: Path) -> None:
    result = run("sources", "-p", profile.name)

    assert result.exit_code == 0, result.stderr
    assert result.stdout == textwrap.dedent(
        f"""\
        orders (file, parser json): 2 origins
          logs/orders.log       {size("logs/orders.log")}  2026-03-20T14:10:00.141Z → 2026-03-20T14:10:02.500Z
          logs/orders.log.1.gz  {size("logs/orders.log.1.gz")}  2026-03-20T14:09:00.000Z → 2026-03-20T14:09:59.999Z
        payments (file, parser pylog): 1 origin
          logs/payments.log  {size("logs/payments.log")}  2026-03-20T14:10:00.190Z → 2026-03-20T14:10:02.193Z
        notes (file, parser auto): 1 origin
          logs/notes.txt  {size("logs/notes.txt")}  no timestamp found
        missing (file, parser auto): 0 origins
          (nothing found)
        """
    )
    assert (
        result.stderr
        == "tracerun: warning: source missing: logs/none/*.log matches no file\n"
    )


def test_check_reports_the_share_parsed_and_timed_per_file(profile: Path) -> None:
    result = run("sources", "-p", profile.name, "--check")

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line for line in lines if line.startswith("    sample: ")] == [
        "    sample: 4 records: 3 (75%) parsed, 3 (75%) with a timestamp",
        "    sample: 2 records: 2 (100%) parsed, 2 (100%) with a timestamp",
        "    sample: 2 records (+3 continuation lines): 2 (100%) parsed, 2 (100%) with a timestamp",
        "    sample: 2 lines, none starts a record",
    ]
    assert lines[1].startswith("  logs/orders.log ")
    assert lines[2].startswith("    sample: 4 records")  # under its file
    assert result.stderr == (
        "tracerun: warning: source missing: logs/none/*.log matches no file\n"
        "tracerun: warning: source notes: logs/notes.txt: only 0 of 2 sampled lines"
        " parsed; is this source's parser right for its lines?\n"
    )


def _target(profile: Path, source: str):
    plan = build_plan(to_spec(load_profile(profile)), (source,))
    return plan.targets[0]


def test_last_timestamp_is_found_beyond_the_first_tail_window(profile: Path) -> None:
    log = Path("logs/payments.log")
    filler = "  at frame\n" * 2000  # ~22 KiB of continuation lines after the last time
    log.write_text("\n".join(PAYMENTS) + "\n" + filler)

    first, last = time_coverage(_target(profile, "payments"))

    assert (first, last) == (1774015800190000, 1774015802193000)


def test_large_archive_shows_unknown_last_timestamp(
    profile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(file_coverage, "SMALL_ARCHIVE", 10)
    plan = build_plan(to_spec(load_profile(profile)), ("orders",))
    archive = plan.targets[1]

    assert time_coverage(archive) == (1774015740000000, None)
    listing = peek.describe_sources(to_spec(load_profile(profile)), plan)
    assert listing.lines[2].endswith("2026-03-20T14:09:00.000Z → ?")


def test_first_line_cut_by_the_head_window_is_not_read(
    profile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(file_coverage, "HEAD_BYTES", len(ORDERS[0]) - 5)

    assert time_coverage(_target(profile, "orders"))[0] is None


def test_unreadable_file_has_no_coverage(profile: Path) -> None:
    target = _target(profile, "orders")
    Path("logs/orders.log").unlink()

    assert time_coverage(target) == (None, None)


def test_sample_counts_records_parsed_and_timed(profile: Path) -> None:
    assert sample_origin(_target(profile, "payments")) == Sample(
        lines=5, records=2, parsed=2, timed=2
    )


def test_sample_reads_at_most_check_lines(
    profile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(peek, "CHECK_LINES", 2)

    assert sample_origin(_target(profile, "orders")) == Sample(2, 2, 2, 2)


def test_records_without_timestamps_get_a_time_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a.log").write_text('{"msg": "one"}\n{"msg": "two"}\n')
    Path("p.yaml").write_text(
        "version: 1\nsources:\n  a: {type: file, paths: [a.log], parser: json}\n"
    )

    result = run("sources", "-p", "p.yaml", "--check")

    assert result.stdout.splitlines()[1:] == [
        "  a.log  30 B  no timestamp found",
        "    sample: 2 records: 2 (100%) parsed, 0 (0%) with a timestamp",
    ]
    assert result.stderr == (
        "tracerun: warning: source a: a.log: only 0 of 2 sampled records"
        " have a readable timestamp; set the parser's time.field / time.format\n"
    )


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, "0 B"), (1023, "1023 B"), (1024, "1.0 KB"), (5 * 1024**3, "5.0 GB")],
)
def test_human_size(count: int, shown: str) -> None:
    assert human_size(count) == shown


def test_long_archive_is_read_to_its_last_timestamp(profile: Path) -> None:
    body = "\n".join(ORDERS[:2] * 2000)  # ~250 KiB unpacked, a few KiB packed
    with gzip.open("logs/orders.log.1.gz", "wt") as archive:
        archive.write(body + "\n")
    plan = build_plan(to_spec(load_profile(profile)), ("orders",))

    assert time_coverage(plan.targets[1]) == (1774015800141000, 1774015801000000)


def test_check_of_an_empty_file_and_of_a_vanished_file(profile: Path) -> None:
    Path("logs/payments.log").write_text("")
    plan = build_plan(to_spec(load_profile(profile)), ("payments", "orders"))
    Path("logs/orders.log").unlink()

    listing = peek.describe_sources(to_spec(load_profile(profile)), plan, check=True)

    assert [line for line in listing.lines if "sample:" in line] == [
        "    sample: cannot read: No such file or directory",
        "    sample: 2 records: 2 (100%) parsed, 2 (100%) with a timestamp",
        "    sample: empty",
    ]
    assert listing.warnings == []


@pytest.mark.docker
def test_sources_shows_a_containers_first_and_last_engine_time(
    containers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    monkeypatch.chdir(tmp_path)
    script = (
        'echo \'{"level":"info","msg":"one"}\'; sleep 0.2;'
        " echo 'plain line'; echo '  continued'; sleep 300"
    )
    box = containers("peek", script)
    for _ in range(100):
        if box.logs().count(b"\n") >= 3:
            break
        time.sleep(0.05)
    stamped = box.logs(timestamps=True).decode().splitlines()
    first, last = (line.split(" ", 1)[0] for line in (stamped[0], stamped[-1]))
    Path("p.yaml").write_text(
        "version: 1\nsources:\n"
        f"  box: {{type: docker, containers: ['{box.name}'], parser: json}}\n"
    )
    plan = build_plan(to_spec(load_profile(Path("p.yaml"))))

    listing = peek.describe_sources(
        to_spec(load_profile(Path("p.yaml"))), plan, check=True
    )

    coverage = get_source("docker").coverage(plan.targets[0])
    assert coverage == (parse_time(first), parse_time(last))
    assert listing.lines[1].endswith(
        f"{format_utc_ms(coverage[0])} → {format_utc_ms(coverage[1])}"
    )
    assert listing.lines[2] == (
        "    sample: 2 records (+1 continuation line): 1 (50%) parsed,"
        " 0 (0%) with a timestamp (the engine's for the rest)"
    )
    assert listing.warnings == []


def test_check_warns_when_naive_times_look_like_another_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # nginx 1.22.1 error.log in Europe/Berlin (naive 03:21:14), last written 02:21:15Z
    import os

    from helpers.real import REAL

    monkeypatch.chdir(tmp_path)
    log = tmp_path / "error.log"
    log.write_bytes((REAL / "nginx-berlin" / "error.log").read_bytes())
    os.utime(log, (1_796_178_075, 1_796_178_075))

    result = run("sources", "--path", "error.log", "--check")

    assert result.stderr == (
        "tracerun: warning: source error: error.log: its last timestamp, read in "
        "UTC, is not when the file was last written; its naive times look like "
        "local time at UTC+01:00: set this source's `timezone:` to the zone that "
        "wrote them (e.g. Europe/Berlin)\n"
    )
    (tmp_path / "p.yaml").write_text(
        "version: 1\nsources:\n  error: {type: file, paths: [error.log], "
        "timezone: Europe/Berlin}\n",
        encoding="utf-8",
    )
    assert run("sources", "-p", "p.yaml", "--check").stderr == ""


def test_check_reads_lines_that_once_aborted_a_run(tmp_path: Path) -> None:
    log = write_hostile(tmp_path / "bad.log")

    result = run("sources", "--path", str(log), "--check")

    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == (
        "    sample: 7 records: 7 (100%) parsed, 5 (71%) with a timestamp"
    )


def row(result: Result, origin: str) -> str:
    return next(x for x in result.stdout.splitlines() if x.startswith(f"  {origin} "))


def test_sources_lists_a_damaged_archive_as_a_failed_origin_once(
    profile: Path,
) -> None:
    packed = Path("logs/orders.log.1.gz").read_bytes()
    Path("logs/orders.log.1.gz").write_bytes(packed[: len(packed) // 2])

    for check in ((), ("--check",)):
        result = run("sources", "--path", "logs/orders.log*", *check)

        assert result.exit_code == 3
        assert row(result, "logs/orders.log.1.gz").endswith(
            "  cannot be read (see below)"
        )
        assert result.stderr == (
            "tracerun: error: source orders: logs/orders.log.1.gz: compressed data "
            "is damaged or truncated after 33 decompressed bytes (the archive ends "
            "before its compressed data does)\n"
            "  hint: records before the damage were kept; check the archive with "
            "gzip -t\n"
        )


def test_sources_without_zstandard_fails_the_zst_origin_with_the_install_hint(
    profile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zstandard

    Path("logs/orders.log.2.zst").write_bytes(
        zstandard.ZstdCompressor().compress(("\n".join(ROTATED) + "\n").encode())
    )
    monkeypatch.setitem(sys.modules, "zstandard", None)  # import raises ImportError

    for check in ((), ("--check",)):
        result = run("sources", "--path", "logs/orders.log*", *check)

        assert result.exit_code == 3
        assert result.stderr == (
            "tracerun: error: source orders: logs/orders.log.2.zst: zstd-compressed "
            "file, but the zstandard package is not installed\n"
            "  hint: pip install 'tracerun[zstd]'\n"
        )
        assert row(result, "logs/orders.log.2.zst").endswith(
            "  cannot be read (see below)"
        )


def test_a_sample_of_one_record_or_line_is_said_in_the_singular() -> None:
    assert peek._sample_text(Sample(1, 1, 1, 1)) == (
        "1 record: 1 (100%) parsed, 1 (100%) with a timestamp"
    )
    assert peek._sample_text(Sample(1, 0, 0, 0)) == "1 line, none starts a record"
