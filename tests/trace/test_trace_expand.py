"""--expand: a request followed through the ids its records carry, with its limits,
the automatic window and the expected hops (#16). Real files, the real CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from helpers.follow import Follow
from helpers.probe import run_and_check_import

from tracerun.cli import cli
from tracerun.read import runs
from tracerun.sources.file import seek
from tracerun.trace import runner, window, workers
from tracerun.trace.window import batches, meets

GATEWAY = [
    'time=2026-03-20T14:10:00.000Z msg="POST /orders" request_id=req-1',
    'time=2026-03-20T14:10:00.500Z msg="POST /orders" request_id=req-2',
    'time=2026-03-20T14:10:03.000Z msg="201 Created" request_id=req-1',
]
ORDERS = [  # JSON: the request creates order ord-9; tenant t-shop is on every record
    '{"ts":"2026-03-20T14:10:00.100Z","msg":"order received","request_id":"req-1","tenant_id":"t-shop"}',
    '{"ts":"2026-03-20T14:10:00.200Z","msg":"order created","request_id":"req-1","order_id":"ord-9","tenant_id":"t-shop"}',
    '{"ts":"2026-03-20T14:10:00.600Z","msg":"order created","request_id":"req-2","order_id":"ord-10","tenant_id":"t-shop"}',
    '{"ts":"2026-03-20T14:10:01.000Z","msg":"stock checked","tenant_id":"t-shop"}',
    '{"ts":"2026-03-20T14:10:01.100Z","msg":"stock checked","tenant_id":"t-shop"}',
    '{"ts":"2026-03-20T14:10:01.200Z","msg":"stock checked","tenant_id":"t-shop"}',
    '{"ts":"2026-03-20T14:10:05.000Z","msg":"order shipped","order_id":"ord-9"}',
]
WORKER = [  # the async consumer: the order id once, then only its own job id
    'time=2026-03-20T14:10:04.000Z msg="picked up" order_id=ord-9 job_id=job-3',
    'time=2026-03-20T14:10:04.100Z msg="label printed" job_id=job-3',
    'time=2026-03-20T14:10:04.150Z msg="picked up" order_id=ord-10 job_id=job-30',
    'time=2026-03-20T14:10:04.200Z msg="job done" job_id=job-3 order_id=ord-9',
    'time=2026-03-20T14:10:04.300Z msg="job done" job_id=job-30',
]
PROFILE = """\
version: 1
keys: [request_id]
correlate: [request_id, order_id, job_id, tenant_id]
{extra}
parsers:
  app: {{type: json, time: {{field: ts}}}}
sources:
  gateway: {{type: file, paths: [gateway.log], parser: logfmt}}
  orders: {{type: file, paths: [orders.log], parser: app}}
  worker: {{type: file, paths: [worker.log], parser: logfmt}}
"""


def write(root: Path, extra: str = "", **logs: list[str]) -> str:
    files = {"gateway": GATEWAY, "orders": ORDERS, "worker": WORKER, **logs}
    for name, lines in files.items():
        (root / f"{name}.log").write_text("\n".join(lines) + "\n")
    path = root / "p.yaml"
    path.write_text(PROFILE.format(extra=extra))
    return str(path)


@pytest.fixture
def profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    return write(tmp_path)


def run(*args: str) -> Result:
    env = {"NO_COLOR": "", "FORCE_COLOR": "", "TRACERUN_PROFILE": "", "COLUMNS": "100"}
    return CliRunner().invoke(cli, list(args), env=env)


def records(result: Result) -> list[tuple[str, int, str | None]]:
    """(source, line, via) of each ndjson record, in the order printed."""
    found: list[dict[str, Any]] = [json.loads(x) for x in result.stdout.splitlines()]
    return [(r["source"], r["line"], r.get("via", "-")) for r in found]


REQ_1 = [
    ("gateway", 1, None),
    ("orders", 1, None),
    ("orders", 2, None),
    ("gateway", 3, None),
    ("worker", 1, "order_id=ord-9 ← req-1"),
    ("worker", 2, "job_id=job-3 ← order_id=ord-9 ← req-1"),
    ("worker", 4, "order_id=ord-9 ← req-1"),
    ("orders", 7, "order_id=ord-9 ← req-1"),
]


def test_a_plain_trace_finds_only_the_request_id(profile: str) -> None:
    result = run("-p", profile, "req-1", "-o", "ndjson")

    assert result.exit_code == 0
    assert records(result) == [
        ("gateway", 1, "-"),
        ("orders", 1, "-"),
        ("orders", 2, "-"),
        ("gateway", 3, "-"),
    ]
    assert result.stderr == ""


def test_expand_follows_request_to_order_to_the_async_jobs_own_id(
    profile: str,
) -> None:
    result = run(
        "-p", profile, "--expand", "--max-fanout", "5", "req-1", "-o", "ndjson"
    )

    assert result.exit_code == 0, result.output
    assert records(result) == REQ_1  # in time order, each record once
    assert result.stderr.splitlines() == [
        (
            "tracerun: window 2026-03-20T14:00:00.000Z → 2026-03-20T14:20:03.000Z UTC"
            " (automatic: the first and last hit ± 10m; --since/--until or"
            " --no-auto-window to choose)"
        ),
        "ids followed (3 ids, 2 passes after the query):",
        "req-1  4 records: gateway, orders",
        (
            "├─ tenant_id=t-shop  found at orders  not followed:"
            " 6 records carry it (> --max-fanout 5)"
        ),
        "└─ order_id=ord-9  found at orders  3 records: worker, orders",
        "   └─ job_id=job-3  found at worker  1 record: worker",
    ]


def test_ids_that_refer_back_end_the_expansion(profile: str) -> None:
    # worker line 4 carries ord-9 again and req-1's records carry req-1: a cycle.
    result = run(
        "-p", profile, "--expand", "--max-fanout", "5", "req-1", "-o", "ndjson"
    )

    lines = [(s, n) for s, n, _ in records(result)]
    assert len(lines) == len(set(lines)) == 8
    assert "2 passes after the query" in result.stderr


def test_a_shared_tenant_id_is_not_followed(profile: str) -> None:
    result = run(
        "-p", profile, "--expand", "--max-fanout", "5", "req-1", "-o", "ndjson"
    )

    # orders 4-6 carry only the tenant id; req-2's order (line 3) neither.
    assert not {("orders", 3), ("orders", 4), ("orders", 5), ("orders", 6)} & {
        (s, n) for s, n, _ in records(result)
    }


def test_a_tenant_id_under_the_fanout_limit_is_followed(profile: str) -> None:
    result = run("-p", profile, "--expand", "req-1", "-o", "ndjson")

    found = {(s, n) for s, n, _ in records(result)}
    assert {("orders", 3), ("orders", 4), ("orders", 5), ("orders", 6)} <= found
    assert "tenant_id=t-shop  found at orders  4 records: orders" in result.stderr


def test_ignored_fields_and_values_are_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    profile = write(tmp_path, "ignore: {fields: [tenant_id], values: [job-3]}")

    result = run("-p", profile, "--expand", "req-1", "-o", "ndjson")

    assert records(result) == [r for r in REQ_1 if r[1:] != (2, REQ_1[5][2])]
    assert "tenant_id" not in result.stderr
    assert "job_id=job-3" not in result.stderr


def test_more_new_ids_than_max_ids_stops_and_says_which_were_left_out(
    profile: str,
) -> None:
    # --max-ids counts the ids expansion adds: req-1 is the query's own.
    result = run("-p", profile, "--expand", "--max-ids", "1", "req-1", "-o", "ndjson")

    assert result.exit_code == 0
    assert (
        "tracerun: --max-ids 1 reached: 1 id was found but not searched: order_id=ord-9"
        in result.stderr.splitlines()
    )
    assert "ids followed (2 ids, 1 pass after the query):" in result.stderr
    assert ("worker", 2, "job_id=job-3 ← order_id=ord-9 ← req-1") not in records(result)


def test_max_depth_stops_after_that_many_passes(profile: str) -> None:
    args = ("--expand", "--max-depth", "1", "--max-fanout", "5", "req-1")
    result = run("-p", profile, *args, "-o", "ndjson")

    assert [r for r in records(result) if r[2]] == [
        ("worker", 1, "order_id=ord-9 ← req-1"),
        ("worker", 4, "order_id=ord-9 ← req-1"),
        ("orders", 7, "order_id=ord-9 ← req-1"),
    ]
    assert (
        "tracerun: --max-depth 1 reached: 1 id was found but not searched: job_id=job-3"
        in result.stderr.splitlines()
    )


def test_text_marks_the_records_expansion_found(profile: str) -> None:
    args = ("--expand", "--max-fanout", "5", "--color", "never", "req-1")
    result = run("-p", profile, *args)

    assert result.stdout.splitlines()[3:6] == [
        "2026-03-20T14:10:03.000Z gateway -     201 Created request_id=req-1",
        "2026-03-20T14:10:04.000Z worker  -     ↳ order_id picked up order_id=ord-9 job_id=job-3",
        "2026-03-20T14:10:04.100Z worker  -     ↳ job_id label printed job_id=job-3",
    ]


def test_a_correlate_jmespath_expression_links_a_field_of_another_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    worker = [line.replace("order_id=", "order=") for line in WORKER]
    profile = write(tmp_path, "", worker=worker)
    text = Path(profile).read_text()
    text = text.replace(
        "correlate: [request_id, order_id, job_id, tenant_id]",
        "correlate: [request_id, order_id, job_id, 'order || ctx.order']",
    )
    Path(profile).write_text(text)

    result = run("-p", profile, "--expand", "req-1", "-o", "ndjson")

    assert ("worker", 1, "order_id=ord-9 ← req-1") in records(result)
    assert ("worker", 2, "job_id=job-3 ← order_id=ord-9 ← req-1") in records(result)


def test_a_correlate_expression_that_fails_costs_that_and_says_so_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    profile = write(tmp_path)
    text = (
        Path(profile)
        .read_text()
        .replace(
            "correlate: [request_id, order_id, job_id, tenant_id]",
            "correlate: [request_id, order_id, job_id, 'abs(msg)']",
        )
    )
    Path(profile).write_text(text)

    result = run("-p", profile, "--expand", "req-1", "-o", "ndjson")

    assert result.exit_code == 0
    assert records(result) == REQ_1
    warnings = [x for x in result.stderr.splitlines() if "abs(msg)" in x]
    assert len(warnings) == 1
    assert warnings[0].startswith(
        "tracerun: warning: correlate 'abs(msg)': abs() needs a number, got a string"
        " at "
    )


# --- the automatic window ------------------------------------------------------

DAY_US = 86_400


def day_lines(day: int, ids: list[str]) -> list[str]:
    """A day of gateway lines at 14:10 on 2026-03-<day>, one per id."""
    return [
        f'time=2026-03-{day:02d}T14:10:{i:02d}.000Z msg="GET /" request_id={rid}'
        for i, rid in enumerate(ids)
    ]


@pytest.fixture
def week(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Gateway logs rotated daily, 17th to 20th; the request is on the 18th."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(window, "BATCH_MIN", 1)  # a batch per eighth of the bytes
    monkeypatch.setattr(window, "BATCH_SHARE", 8)
    rotated = {
        "gateway.log.3": day_lines(17, ["req-0", "req-1"]),  # an old request-1
        "gateway.log.2": day_lines(18, ["req-5", "req-1", "req-6"]),
        "gateway.log.1": day_lines(19, ["req-7"]),
    }
    for name, lines in rotated.items():
        (tmp_path / name).write_text("\n".join(lines) + "\n")
    orders = [
        '{"ts":"2026-03-18T14:10:01.500Z","msg":"order created","request_id":"req-1","order_id":"ord-9"}',
    ]
    worker = [
        'time=2026-03-17T14:10:04.000Z msg="picked up" order_id=ord-9 job_id=job-0',
        'time=2026-03-18T14:10:04.000Z msg="picked up" order_id=ord-9 job_id=job-3',
        'time=2026-03-18T14:10:05.000Z msg="job done" job_id=job-3',
    ]
    profile = write(
        tmp_path, "", gateway=day_lines(20, ["req-8"]), orders=orders, worker=worker
    )
    text = Path(profile).read_text().replace("[gateway.log]", "['gateway.log*']")
    Path(profile).write_text(text)
    return profile


def scanned(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple[str, ...]]]:
    """Record each job read: (file name, the values searched)."""
    calls: list[tuple[str, tuple[str, ...]]] = []
    real = runner.read_job

    def counting(kind: str, job: Any, query: Any) -> Any:
        calls.append((Path(job.target.origin.locator).name, query.values))
        return real(kind, job, query)

    monkeypatch.setattr(runner, "read_job", counting)
    return calls


def test_the_window_is_found_from_the_newest_hits_and_printed_as_used(
    week: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = scanned(monkeypatch)

    result = run("-p", week, "--expand", "req-1", "-o", "ndjson")

    assert result.exit_code == 0, result.output
    window = (
        "tracerun: window 2026-03-18T14:00:01.000Z → 2026-03-18T14:20:01.000Z UTC"
        " (automatic: the first and last hit ± 10m; --since/--until or"
        " --no-auto-window to choose)"
    )
    assert result.stderr.splitlines()[0] == window
    # The 17th's request-1 and job-0 are outside the window: not printed.
    assert records(result) == [
        ("gateway", 2, None),
        ("orders", 1, None),
        ("worker", 2, "order_id=ord-9 ← req-1"),
        ("worker", 3, "job_id=job-3 ← order_id=ord-9 ← req-1"),
    ]
    # Newest end first, an eighth of the bytes at a time, until a hit; then the
    # rest that meets the window; the expansion passes read only the window's files.
    assert calls == [
        ("gateway.log", ("req-1",)),  # the 20th
        ("gateway.log.1", ("req-1",)),  # the 19th
        ("worker.log", ("req-1",)),  # ends on the 18th at 14:10:05
        ("gateway.log.2", ("req-1",)),  # the 18th: hits, the window
        ("orders.log", ("req-1",)),  # not read yet, meets the window
        ("gateway.log.2", ("ord-9",)),
        ("orders.log", ("ord-9",)),
        ("worker.log", ("ord-9",)),
        ("gateway.log.2", ("job-3",)),
        ("orders.log", ("job-3",)),
        ("worker.log", ("job-3",)),
    ]


def test_files_wholly_outside_the_window_are_never_read(
    week: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = scanned(monkeypatch)

    run("-p", week, "--expand", "req-1", "-o", "ndjson")

    assert "gateway.log.3" not in {name for name, _ in calls}


def test_the_window_batches_and_expansion_passes_share_one_process_pool(
    week: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[int] = []

    class Counted(workers.ProcessPool):
        def __init__(self, count: int) -> None:
            made.append(count)
            super().__init__(count)

    monkeypatch.setattr(workers, "ProcessPool", Counted)
    monkeypatch.setattr(runner, "PARALLEL_MIN_BYTES", 0)
    monkeypatch.setattr(runner.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(runs, "SPILL_AT", 1)  # workers of every pass spill

    result = run("-p", week, "--expand", "req-1", "-o", "ndjson")

    assert result.exit_code == 0, result.output
    assert records(result) == [
        ("gateway", 2, None),
        ("orders", 1, None),
        ("worker", 2, "order_id=ord-9 ← req-1"),
        ("worker", 3, "job_id=job-3 ← order_id=ord-9 ← req-1"),
    ]
    # Both expansion passes read three files in processes (own pools: [2, 2]).
    assert made == [2]


def test_no_auto_window_reads_everything(
    week: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = scanned(monkeypatch)

    result = run("-p", week, "--expand", "--no-auto-window", "req-1", "-o", "ndjson")

    assert ("gateway", 2, None) in records(result)  # the 17th's line too
    assert ("gateway", 2, None) in records(result)
    assert {name for name, _ in calls} >= {"gateway.log.3"}
    assert "window" not in result.stderr


def test_an_explicit_since_wins_over_the_automatic_window(
    week: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run(
        "-p",
        week,
        "--expand",
        "--since",
        "2026-03-17T00:00:00Z",
        "req-1",
        "-o",
        "ndjson",
    )

    assert (
        result.stderr.splitlines()[0]
        == "ids followed (4 ids, 2 passes after the query):"
    )
    assert ("worker", 1, "order_id=ord-9 ← req-1") in records(result)


def test_auto_window_alone_bounds_a_plain_trace(week: str) -> None:
    result = run("-p", week, "--auto-window", "--margin", "1h", "req-1", "-o", "ndjson")

    assert records(result) == [("gateway", 2, "-"), ("orders", 1, "-")]
    assert result.stderr.splitlines() == [
        (
            "tracerun: window 2026-03-18T13:10:01.000Z → 2026-03-18T15:10:01.000Z UTC"
            " (automatic: the first and last hit ± 60m; --since/--until or"
            " --no-auto-window to choose)"
        )
    ]


# --- expected hops -------------------------------------------------------------


def hops_profile(root: Path, expect: str) -> str:
    return write(root, f"expect: {expect}")


def test_an_expected_source_without_a_record_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    profile = hops_profile(
        tmp_path, "[gateway, worker, {source: orders, where: \"msg == 'refunded'\"}]"
    )

    result = run("-p", profile, "req-1", "-o", "ndjson")

    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "tracerun: expected hop worker: no record for this request in any of its logs",
        (
            "tracerun: expected hop orders (msg == 'refunded'): no record for this"
            " request in any of its logs"
        ),
    ]
    strict = run("-p", profile, "--strict-hops", "req-1", "-o", "ndjson")
    assert strict.exit_code == 6
    assert strict.stdout == result.stdout


def test_expected_hops_reached_by_expansion_are_not_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    profile = hops_profile(tmp_path, "[gateway, worker]")

    result = run("-p", profile, "--expand", "--strict-hops", "req-1", "-o", "ndjson")

    assert result.exit_code == 0
    assert "expected hop" not in result.stderr


def test_the_missing_hop_names_the_window_searched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    profile = hops_profile(tmp_path, "[worker]")

    result = run("-p", profile, "--auto-window", "req-1", "-o", "ndjson")

    assert result.stderr.splitlines()[-1] == (
        "tracerun: expected hop worker: no record for this request in"
        " 2026-03-20T14:00:00.000Z → 2026-03-20T14:20:03.000Z UTC"
    )


def test_expect_naming_an_unknown_source_is_a_located_profile_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    profile = hops_profile(tmp_path, "[gateway, wroker]")

    result = run("validate", "-p", profile)

    assert result.exit_code == 2
    assert "p.yaml:4:19: expect[1]: unknown source 'wroker'" in result.stderr
    assert "hint: did you mean 'worker'? sources here: gateway, orders, worker" in (
        result.stderr
    )


# --- follow mode ---------------------------------------------------------------


def test_follow_with_expand_follows_every_id_the_history_led_to(profile: str) -> None:
    root = Path(profile).parent
    follow = Follow(
        "-p", profile, "-f", "--expand", "--max-fanout", "5", "req-1",
        "-o", "ndjson", "--exit-on", "msg == 'done'", "--timeout", "30s", cwd=root,
    )  # fmt: skip
    follow.wait_for(len(REQ_1))  # the expanded history
    with (root / "worker.log").open("a") as file:
        file.write('time=2026-03-20T14:10:09.000Z msg="done" job_id=job-3\n')

    code, stderr = follow.finish()

    assert code == 0
    found = [json.loads(x) for x in follow.lines]
    assert [(r["source"], r["line"], r["via"]) for r in found] == [
        *REQ_1,
        ("worker", 6, "job_id=job-3 ← order_id=ord-9 ← req-1"),
    ]
    assert "└─ order_id=ord-9  found at orders  3 records: worker, orders" in stderr


LIVE = {  # (file, line): a request whose ids appear only while following
    "gateway": 'time=2026-03-20T14:11:00.000Z msg="POST /orders" request_id=req-7',
    "orders": '{"ts":"2026-03-20T14:11:00.100Z","msg":"order created",'
    '"request_id":"req-7","order_id":"ord-70"}',
    "worker": 'time=2026-03-20T14:11:00.200Z msg="picked up" order_id=ord-70 '
    "job_id=job-71\n"
    'time=2026-03-20T14:11:00.300Z msg="done" job_id=job-71',
}


@pytest.mark.parametrize("together", [False, True])
def test_follow_with_expand_follows_ids_first_seen_live(
    profile: str, together: bool
) -> None:
    # Nothing in the history carries req-7. Written one file at a time (each
    # record seen before the next is written), or all in one go: the worker's
    # lines may be read before the order that names ord-70 is, and are then
    # found in the reader's recent bytes.
    root = Path(profile).parent
    follow = Follow(
        "-p", profile, "-f", "--expand", "req-7", "-o", "ndjson",
        "--exit-on", "msg == 'done'", "--timeout", "30s", cwd=root,
    )  # fmt: skip
    follow.wait_stderr("ids followed")  # the history's expansion is done
    for count, (name, text) in enumerate(LIVE.items(), 1):
        with (root / f"{name}.log").open("a") as file:
            file.write(text + "\n")
        if not together:
            follow.wait_for(count)

    code, stderr = follow.finish()

    assert code == 0, stderr
    found = [json.loads(x) for x in follow.lines]
    assert [(r["source"], r["line"], r["via"]) for r in found] == [
        ("gateway", 4, None),
        ("orders", 8, None),
        ("worker", 6, "order_id=ord-70 ← req-7"),
        ("worker", 7, "job_id=job-71 ← order_id=ord-70 ← req-7"),
    ]


def test_follow_with_expand_keeps_max_ids_for_live_ids(profile: str) -> None:
    root = Path(profile).parent
    follow = Follow(
        "-p", profile, "-f", "--expand", "--max-ids", "1", "req-7", "-o", "ndjson",
        "--exit-on", "msg == 'picked up'", "--timeout", "30s", cwd=root,
    )  # fmt: skip
    follow.wait_stderr("ids followed")
    for name, text in LIVE.items():
        with (root / f"{name}.log").open("a") as file:
            file.write(text + "\n")
        follow.wait_for(1)
    code, stderr = follow.finish()

    found = [json.loads(x) for x in follow.lines]
    assert code == 0, stderr
    assert [(r["source"], r["line"]) for r in found] == [
        ("gateway", 4),
        ("orders", 8),
        ("worker", 6),
    ]
    told = [x for x in stderr.splitlines() if "--max-ids 1 reached" in x]
    assert told == [
        (
            "tracerun: warning: --max-ids 1 reached while following: job_id=job-71 "
            "(and any after it) is not searched"
        )
    ]


def test_follow_with_expand_does_not_follow_a_live_value_that_is_not_an_id(
    profile: str,
) -> None:
    root = Path(profile).parent
    follow = Follow(
        "-p", profile, "-f", "--expand", "req-8", "-o", "ndjson",
        "--exit-on", "msg == 'last'", "--timeout", "30s", cwd=root,
    )  # fmt: skip
    follow.wait_stderr("ids followed")
    with (root / "orders.log").open("a") as file:
        for msg in ("first", "last"):
            file.write(
                f'{{"ts":"2026-03-20T14:12:00.000Z","msg":"{msg}",'
                '"request_id":"req-8","order_id":"ord\\u001b[31m"}\n'
            )
    code, stderr = follow.finish()

    assert code == 0, stderr
    assert len(follow.lines) == 2
    told = [x for x in stderr.splitlines() if "is not followed" in x]
    assert len(told) == 1
    assert "it holds a control character" in told[0]


def test_follow_with_expand_takes_a_burst_with_ids_that_refer_back_each_record_once(
    profile: str,
) -> None:
    # One write of 30,000 worker lines: the job's lines come before the line
    # that names its order, which comes before the order itself is logged; the
    # job's last line carries the order and request ids back (a cycle). Every record of
    # the chain prints once, in time order, and the follow ends.
    root = Path(profile).parent
    follow = Follow(
        "-p", profile, "-f", "--expand", "req-9", "-o", "ndjson",
        "--exit-on", "msg == 'closed'", "--timeout", "30s", cwd=root,
    )  # fmt: skip
    follow.wait_stderr("ids followed")
    noise = [
        f'time=2026-03-20T14:13:00.{i % 1000:03d}Z msg="tick" job_id=job-x{i}'
        for i in range(30_000)
    ]
    noise[5_000] = 'time=2026-03-20T14:13:01.100Z msg="step" job_id=job-91'
    noise[10_000] = (
        'time=2026-03-20T14:13:01.000Z msg="picked up" order_id=ord-90 job_id=job-91'
    )
    noise[20_000] = (
        'time=2026-03-20T14:13:01.200Z msg="back" order_id=ord-90 request_id=req-9'
    )
    with (root / "gateway.log").open("a") as file:
        file.write(
            'time=2026-03-20T14:13:00.000Z msg="POST /orders" request_id=req-9\n'
        )
    follow.wait_for(1)
    with (root / "worker.log").open("a") as file:
        file.write("\n".join(noise) + "\n")
    with (root / "orders.log").open("a") as file:
        file.write(
            '{"ts":"2026-03-20T14:13:00.500Z","msg":"order created",'
            '"request_id":"req-9","order_id":"ord-90"}\n'
            '{"ts":"2026-03-20T14:13:02.000Z","msg":"closed","order_id":"ord-90"}\n'
        )

    code, stderr = follow.finish()

    assert code == 0, stderr
    found = [json.loads(x) for x in follow.lines]
    base = len(WORKER)
    assert [(r["source"], r["line"], r["via"]) for r in found] == [
        ("gateway", 4, None),
        ("orders", 8, None),
        ("worker", base + 10_001, "order_id=ord-90 ← req-9"),
        ("worker", base + 5_001, "job_id=job-91 ← order_id=ord-90 ← req-9"),
        ("worker", base + 20_001, None),
        ("orders", 9, "order_id=ord-90 ← req-9"),
    ]


# --- the parts -----------------------------------------------------------------


def test_batches_go_newest_first_by_bytes_unknown_ends_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(window, "BATCH_MIN", 100)
    coverages = [
        (50, 100),  # 0: the newest
        (None, None),  # 1: unknown: read with the first batch
        (40, 80),  # 2
        (0, 70),  # 3
        (0, 10),  # 4: the oldest
    ]

    assert batches(coverages, [60, 50, 90, 10, 40]) == [[0, 1], [2, 3], [4]]
    monkeypatch.setattr(window, "BATCH_MIN", 10)
    # total 1,048,786 bytes (the unknown size counts as 1 MiB): a quarter each
    assert batches(coverages, [60, 50, 90, 10, None]) == [[0, 1, 2, 3, 4]]
    assert batches([(None, None), (None, 5)], [1, 1]) == [[0, 1]]
    assert batches([], []) == []


def test_coverage_meets_a_window_unless_wholly_before_or_after() -> None:
    assert meets((None, None), (10, 20))
    assert meets((5, 10), (10, 20))
    assert meets((20, None), (10, 20))
    assert not meets((1, 9), (10, 20))
    assert not meets((21, 30), (10, 20))


def test_limit_applies_to_the_whole_expanded_timeline(profile: str) -> None:
    args = ("--expand", "--max-fanout", "5", "--limit", "2", "req-1")
    result = run("-p", profile, *args, "-o", "ndjson")

    assert [(s, n) for s, n, _ in records(result)][-2:] == [
        ("worker", 4),
        ("orders", 7),
    ]
    assert len(records(result)) == 2


def test_a_bad_margin_is_a_usage_error(profile: str) -> None:
    result = run("-p", profile, "--expand", "--margin", "soon", "req-1")

    assert result.exit_code == 2
    assert result.stderr.startswith("tracerun: error: --margin 'soon'")


def test_a_plain_trace_imports_nothing_of_expansion(profile: str) -> None:
    plain = run_and_check_import(["-p", profile, "req-1"], "tracerun.trace.expand")
    expanded = run_and_check_import(
        ["-p", profile, "--expand", "req-1"], "tracerun.trace.expand"
    )

    assert plain[:2] == (0, False)
    assert expanded[:2] == (0, True)


def test_an_expect_where_that_fails_costs_that_record_and_says_so_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    profile = hops_profile(tmp_path, '[{source: orders, where: "abs(msg) > `1`"}]')

    result = run("-p", profile, "req-1", "-o", "ndjson")

    assert result.exit_code == 0
    assert result.stderr.replace(f"{tmp_path}/", "").splitlines() == [
        (
            'tracerun: warning: expect orders where "abs(msg) > `1`": abs() needs a'
            " number, got a string at orders.log:1; records where it fails do not count"
            " as the hop"
        ),
        "  hint: to_number(x) reads a number from text (null when it is not one)",
        (
            "tracerun: expected hop orders (abs(msg) > `1`): no record for this request"
            " in any of its logs"
        ),
    ]


def test_a_correlate_entry_that_is_not_jmespath_is_a_located_profile_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    profile = write(tmp_path)
    text = Path(profile).read_text().replace("tenant_id]", "'order ||']")
    Path(profile).write_text(text)

    result = run("validate", "-p", profile)

    assert result.exit_code == 2
    assert (
        "p.yaml:3:50: correlate[3]: not a valid JMESPath expression: it ends too early"
        in (result.stderr)
    )


def test_a_record_two_passes_find_prints_once_when_the_second_bisects(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(seek, "BISECT_MIN", 1)  # bisect even these small files
    early = [  # an hour before: the bounded passes start their read after these
        f'{{"ts":"2026-03-20T13:00:{i % 60:02d}.000Z","msg":"noise {i:06d} {"x" * 80}"}}'
        for i in range(2000)
    ]
    profile = write(tmp_path, "", orders=early + ORDERS)

    result = run(
        "-p", profile, "--expand", "--max-fanout", "5", "req-1", "-o", "ndjson"
    )

    found = records(result)
    assert [(s, n) for s, n, _ in found] == [
        ("gateway", 1),
        ("orders", 2001),
        ("orders", 2002),  # also carries ord-9: found again, bisected, kept once
        ("gateway", 3),
        ("worker", 1),
        ("worker", 2),
        ("worker", 4),
        ("orders", 2007),  # found only by the bisected pass: lines still exact
    ]


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("ab" * 20_000, "40,000 characters is longer than an id (256)"),
        ("job\nx", "it holds a control character (a newline, an escape)"),
        ("job\x1b[31m", "it holds a control character (a newline, an escape)"),
    ],
)
def test_a_value_that_is_not_an_id_is_not_followed_and_said_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str, why: str
) -> None:
    # A periodic 40,000-character value once took the needle set-up minutes.
    monkeypatch.chdir(tmp_path)
    worker = [
        json.dumps(
            {"ts": f"2026-03-20T14:10:0{i}Z", "order_id": "ord-9", "job_id": value}
        )
        for i in (4, 5)
    ]
    path = write(tmp_path, worker=worker)
    (tmp_path / "p.yaml").write_text(
        PROFILE.format(extra="").replace(
            "worker: {type: file, paths: [worker.log], parser: logfmt}",
            "worker: {type: file, paths: [worker.log], parser: app}",
        )
    )

    result = run("-p", path, "--expand", "--max-fanout", "5", "req-1", "-o", "ndjson")

    assert result.exit_code == 0, result.stderr
    assert [(s, n) for s, n, _ in records(result) if s == "worker"] == [
        ("worker", 1),
        ("worker", 2),
    ]
    told = [line for line in result.stderr.splitlines() if "is not followed" in line]
    assert len(told) == 1
    assert told[0].startswith("tracerun: warning: correlate 'job_id': a value '")
    assert told[0].endswith(f"is not followed: {why}")


def test_records_without_a_time_are_told_once_over_every_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    # The worker's first lines have no timestamp: pass 1 (ord-9) and pass 2
    # (job-3) each find one of them.
    worker = ['msg="boot" order_id=ord-9', 'msg="boot" job_id=job-3', *WORKER]
    profile = write(tmp_path, worker=worker)

    result = run(
        "-p", profile, "--expand", "--max-fanout", "5", "req-1", "-o", "ndjson"
    )

    assert result.exit_code == 0
    told = [x for x in result.stderr.splitlines() if "no timestamp" in x]
    assert len(told) == 1
    assert told[0].endswith(
        "worker.log:1: record has no timestamp and none precedes it; it "
        "is shown first, without a time; and 1 more like it (first at line 1, "
        "last at 2)"
    )


def test_ids_from_are_not_counted_by_max_ids(profile: str, tmp_path: Path) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("req-1\nreq-404\nreq-405\n")  # more query ids than --max-ids

    result = run(
        "-p",
        profile,
        "--expand",
        "--max-ids",
        "2",
        "--max-fanout",
        "5",
        "--ids-from",
        str(ids),
        "-o",
        "ndjson",
    )

    assert result.exit_code == 0
    assert ("worker", 1, "order_id=ord-9 ← req-1") in records(result)
    # tenant_id and order_id are the two ids added; job-3 would be the third.
    assert "--max-ids 2 reached: 1 id was found but not searched: job_id=job-3" in (
        result.stderr
    )
