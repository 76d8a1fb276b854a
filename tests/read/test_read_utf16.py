"""Telling UTF-16 text by its first bytes and reading it as UTF-8."""

from __future__ import annotations

import io

import pytest

from tracerun.read.utf16 import Transcoded, utf16


def test_ff_fe_before_utf8_text_is_not_taken_for_utf16() -> None:
    # A binary blob's first bytes, then UTF-8 JSON (test_cli_app's garbage line):
    # read as UTF-16, every record of the file was lost.
    head = (
        b'\xff\xfe\x00garbage\x00\n{"ts":"2026-03-20T14:10:00Z","request_id":"abc"}\n'
    )
    assert utf16(head) is None
    assert utf16(b"\xff\xfe" + "2026 a abc\r\n".encode("utf-16-le")) == ("utf-16-le")
    assert utf16(b"\xfe\xff") == "utf-16-be"  # only the BOM written yet


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_text_is_read_as_utf8_across_reads_that_split_a_character(
    encoding: str,
) -> None:
    text = "2024-01-01T00:00:00Z é request_id=abc123\r\n😀 zweite Zeile ✓\r\n"
    bom = b"\xff\xfe" if encoding == "utf-16-le" else b"\xfe\xff"

    class Dribble(io.BytesIO):
        def read(self, size: int | None = -1, /) -> bytes:
            return super().read(min(3, size if size is not None and size >= 0 else 3))

    stream = Transcoded(Dribble(bom + text.encode(encoding)), encoding)
    assert b"".join(iter(lambda: stream.read(7), b"")) == text.encode()
    assert not stream.cut
