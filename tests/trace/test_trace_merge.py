from contextlib import contextmanager

import pytest
from helpers.probe import run_with_peak
from hypothesis import given, settings
from hypothesis import strategies as st

from tracerun.read import runs
from tracerun.record import Record
from tracerun.trace import merge as merge_module
from tracerun.trace.merge import Timeline, merge


def rec(time, source_index=0, origin="a", line=1):
    return Record(time, f"s{source_index}", source_index, origin, line, "", "", {}, "")


def test_ties_break_on_source_order_then_origin_then_line():
    records = [
        rec(5, 1, "a", 1),
        rec(5, 0, "b", 2),
        rec(5, 0, "a", 9),
        rec(5, 0, "a", 3),
        rec(1, 2),
    ]
    merged = merge([records])
    assert [(r.time, r.source_index, r.origin, r.line) for r in merged] == [
        (1, 2, "a", 1),
        (5, 0, "a", 3),
        (5, 0, "a", 9),
        (5, 0, "b", 2),
        (5, 1, "a", 1),
    ]


def test_limit_keeps_the_newest_printed_oldest_first():
    merged = merge([[rec(t, line=t) for t in (3, 1, 4, 5, 2)]], limit=2)
    assert [r.time for r in merged] == [4, 5]


_records = st.lists(
    st.builds(
        rec,
        st.integers(-5, 5),
        st.integers(0, 2),
        st.sampled_from(["a", "b"]),
        st.integers(1, 1000),
    ),
    max_size=30,
    unique_by=lambda r: (r.source_index, r.origin, r.line),
)


@settings(max_examples=500)
@given(st.lists(_records, max_size=4))
def test_merge_is_sorted_loses_nothing_and_ignores_batch_order(batches):
    merged = merge(batches)
    keys = [r.sort_key() for r in merged]
    assert keys == sorted(keys)
    assert sorted(keys) == sorted(r.sort_key() for b in batches for r in b)
    assert [r.sort_key() for r in merge(list(reversed(batches)))] == keys


@settings(max_examples=300)
@given(
    st.lists(_records, max_size=6),
    st.none() | st.integers(1, 40),
    st.none() | st.integers(1, 40),
)
def test_a_bounded_timeline_prints_what_a_full_sort_would_keep(
    batches, limit, max_records
):
    every = sorted(r.sort_key() for b in batches for r in b)
    wanted = every if limit is None else every[-limit:]
    if max_records is not None:
        wanted = wanted[-max_records:] if limit is not None else wanted[:max_records]
    with _tiny_bounds():
        timeline = Timeline(limit, max_records)
        for batch in batches:
            timeline.add_records(batch)
        printed = [r.sort_key() for r in timeline]

    assert printed == wanted
    assert timeline.seen == len(every)
    assert timeline.capped == (
        len(every if limit is None else every[-limit:]) - len(wanted)
    )


@contextmanager
def _tiny_bounds():
    """Spill every run over 2 records, every 5 in memory, merge past 2 files."""
    saved = (runs.SPILL_AT, merge_module.MEMORY_ENTRIES, merge_module.OPEN_RUNS)
    runs.SPILL_AT, merge_module.MEMORY_ENTRIES, merge_module.OPEN_RUNS = 2, 5, 2
    try:
        yield
    finally:
        runs.SPILL_AT, merge_module.MEMORY_ENTRIES, merge_module.OPEN_RUNS = saved


@pytest.mark.slow
def test_many_matching_records_are_capped_in_bounded_memory(tmp_path):
    log = tmp_path / "big.log"
    with log.open("w") as out:
        for start in range(0, 400_000, 50_000):
            out.write(
                "".join(
                    f"time=2026-03-20T00:{i // 60_000 % 60:02d}:{i // 1000 % 60:02d}."
                    f"{i % 1000:03d}Z level=info msg=m request_id=R{i:07d} x=yyyyyyyy\n"
                    for i in range(start, start + 50_000)
                )
            )

    proc, peak_mb = run_with_peak(
        ["--path", str(log), "level=info", "--color", "never"]
    )

    assert proc.returncode == 3
    assert proc.stdout.count("\n") == 100_000
    assert proc.stderr == (
        "tracerun: error: stopped after the first 100,000 records (--max-records "
        "100,000); 300,000 more matched and were not printed\n"
        "  hint: narrow the query (--since, --until, --source, --where) or raise "
        "--max-records\n"
    )
    assert peak_mb < 100
