"""Reorder: records released in time order after the window, none lost or repeated."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tracerun.follow.reorder import ReorderBuffer
from tracerun.record import Record


def rec(time: int, origin: str = "a", line: int = 1) -> Record:
    return Record(time, "s", 0, origin, line, "", f"{origin}{time}", {}, "")


def messages(records: list[Record]) -> list[str]:
    return [r.message for r in records]


def test_records_within_the_window_come_out_in_time_order():
    buffer = ReorderBuffer(0.25)
    buffer.add([rec(30, "a")], now=0.0)
    buffer.add([rec(10, "b"), rec(20, "b", 2)], now=0.1)

    assert buffer.release(0.2) == []
    assert buffer.next_due() == 0.25
    assert messages(buffer.release(0.25)) == ["b10", "b20", "a30"]
    assert buffer.next_due() is None
    assert len(buffer) == 0


def test_a_due_record_takes_the_earlier_ones_but_not_the_later_ones():
    buffer = ReorderBuffer(0.25)
    buffer.add([rec(20, "a")], now=0.0)
    buffer.add([rec(10, "b"), rec(30, "b", 2)], now=0.2)

    assert messages(buffer.release(0.3)) == ["b10", "a20"]
    assert buffer.next_due() == 0.45
    assert messages(buffer.release(0.45)) == ["b30"]


def test_a_record_later_than_its_place_is_still_printed():
    buffer = ReorderBuffer(0.25)
    buffer.add([rec(20, "a")], now=0.0)
    assert messages(buffer.release(0.3)) == ["a20"]
    buffer.add([rec(10, "b")], now=0.4)

    assert messages(buffer.release(0.65)) == ["b10"]


def test_zero_window_releases_each_batch_sorted():
    buffer = ReorderBuffer(0.0)
    buffer.add([rec(2), rec(1, line=2)], now=1.0)

    assert messages(buffer.release(1.0)) == ["a1", "a2"]


def test_drain_gives_everything_in_order():
    buffer = ReorderBuffer(10.0)
    buffer.add([rec(3), rec(1, line=2)], now=0.0)
    buffer.add([rec(2, "b")], now=1.0)

    assert messages(buffer.drain()) == ["a1", "b2", "a3"]
    assert buffer.release(100.0) == []


arrivals = st.lists(
    st.tuples(
        st.floats(min_value=0, max_value=2, allow_nan=False),
        st.lists(st.integers(min_value=0, max_value=50), max_size=5),
    ),
    max_size=20,
)


@settings(max_examples=500)
@given(arrivals, st.sampled_from([0.0, 0.1, 0.25, 1.0]))
def test_every_record_is_released_once_and_none_waits_past_its_window(batches, window):
    buffer = ReorderBuffer(window)
    releases: list[tuple[float, list[Record]]] = []
    arrived: dict[int, float] = {}
    n = 0

    def release_until(now: float) -> None:
        while (due := buffer.next_due()) is not None and due <= now:
            releases.append((due, buffer.release(due)))

    for now, times in sorted(batches, key=lambda b: b[0]):
        release_until(now)
        records = []
        for t in times:
            n += 1
            records.append(rec(t, "o", n))
            arrived[n] = now
        buffer.add(records, now)
        releases.append((now, buffer.release(now)))
    release_until(10.0)

    out = [(at, r) for at, batch in releases for r in batch]
    assert sorted(r.line for _, r in out) == list(range(1, n + 1))
    assert all(at <= arrived[r.line] + window for at, r in out)
    for _, batch in releases:
        assert [r.sort_key() for r in batch] == sorted(r.sort_key() for r in batch)
