"""Frames: an engine log body, framed or raw, read in any pieces gives its payload."""

from __future__ import annotations

import io
import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from tracerun.sources.docker.frames import LogStream


def frame(payload: bytes, stream: int = 1) -> bytes:
    return struct.pack(">BxxxL", stream, len(payload)) + payload


class Trickle:
    """A body that hands out at most `step` bytes per read, like a slow socket."""

    def __init__(self, data: bytes, step: int) -> None:
        self._data = io.BytesIO(data)
        self._step = step

    def read(self, size: int) -> bytes:
        return self._data.read(min(size, self._step))


def read_all(stream: LogStream, size: int) -> bytes:
    return b"".join(iter(lambda: stream.read(size), b""))


def test_frame_headers_are_stripped_and_streams_interleave_in_order() -> None:
    body = frame(b"out 1\n") + frame(b"err 1\n", stream=2) + frame(b"out 2\n")
    stream = LogStream(io.BytesIO(body), framed=True)

    assert stream.read() == b"out 1\nerr 1\nout 2\n"
    assert stream.count == 18
    assert stream.read(10) == b""


def test_a_tty_body_passes_through_unchanged() -> None:
    body = b"\x01\x00\x00\x00 looks like a header but is tty output\n"
    stream = LogStream(io.BytesIO(body), framed=False)

    assert read_all(stream, 7) == body
    assert stream.count == len(body)


def test_a_body_cut_inside_a_frame_ends_with_what_arrived() -> None:
    body = frame(b"whole line\n") + frame(b"cut short\n")[:-4]
    assert LogStream(io.BytesIO(body), framed=True).read() == b"whole line\ncut sh"


def test_a_body_cut_inside_a_header_ends_after_the_last_whole_frame() -> None:
    body = frame(b"whole line\n") + frame(b"next\n")[:5]
    assert LogStream(io.BytesIO(body), framed=True).read() == b"whole line\n"


def test_an_empty_frame_is_skipped() -> None:
    body = frame(b"a\n") + frame(b"") + frame(b"b\n")
    assert LogStream(Trickle(body, 3), framed=True).read(100) == b"a\nb\n"


def test_reads_return_at_most_the_size_asked() -> None:
    stream = LogStream(io.BytesIO(frame(b"x" * 100)), framed=True)
    sizes = [len(stream.read(30)) for _ in range(5)]
    assert sizes == [30, 30, 30, 10, 0]


@settings(max_examples=200, deadline=None)
@given(
    payloads=st.lists(st.binary(max_size=40), max_size=20),
    step=st.integers(min_value=1, max_value=50),
    size=st.integers(min_value=1, max_value=64),
)
def test_any_body_pieces_and_read_sizes_give_the_payload(
    payloads: list[bytes], step: int, size: int
) -> None:
    body = b"".join(frame(p, stream=1 + i % 2) for i, p in enumerate(payloads))
    stream = LogStream(Trickle(body, step), framed=True)

    assert read_all(stream, size) == b"".join(payloads)
    assert stream.count == sum(map(len, payloads))
