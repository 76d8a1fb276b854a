from hypothesis import given, settings
from hypothesis import strategies as st

from tracerun.record import Record
from tracerun.trace.merge import merge


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
