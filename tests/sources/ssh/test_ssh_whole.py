"""A file a host sent whole: its encoded lines back to its bytes, and scanned."""

from __future__ import annotations

import base64
import gzip

import pytest

from tracerun.read.scan import Needles
from tracerun.sources.ssh.whole import Sent, scan_sent

TEXT = "2026 a req-1 ✓\r\n2026 b\r\n  req-1 in a frame\r\n2026 c req-1"


def b64_lines(data: bytes, width: int = 76) -> list[bytes]:
    packed = base64.b64encode(gzip.compress(data, compresslevel=1))
    return [packed[i : i + width] for i in range(0, len(packed), width)]


def hex_lines(data: bytes) -> list[bytes]:
    packed = gzip.compress(data, compresslevel=1)
    return [
        " ".join(f"{b:02x}" for b in packed[i : i + 16]).encode()
        for i in range(0, len(packed), 16)
    ]


def read_all(sent: Sent, size: int = 5) -> bytes:
    return b"".join(iter(lambda: sent.read(size), b""))


@pytest.mark.parametrize(
    ("code", "lines"),
    [(b"b64", b64_lines), (b"b64", lambda d: b64_lines(d, 30)), (b"hex", hex_lines)],
    ids=["b64", "b64-odd-width", "hex"],
)
def test_the_encoded_lines_give_back_the_files_bytes_up_to_the_end_marker(
    code: bytes, lines
) -> None:
    data = b"\xff\xfe" + TEXT.encode("utf-16-le")
    answer = iter([*lines(data), b"@E 0", b"@F 1", b"1:next file"])
    sent = Sent(answer, code)

    assert sent.peek(4) == data[:4]
    assert read_all(sent) == data
    assert (sent.ended, sent.cut) == (True, False)
    assert next(answer) == b"@F 1"  # the next file's output is left alone


def test_an_answer_that_ends_before_the_file_is_cut() -> None:
    sent = Sent(iter(b64_lines(TEXT.encode() * 200)[:-2]), b"b64")

    read_all(sent)

    assert (sent.ended, sent.cut) == (False, True)
    assert str(sent.damage) == "the answer ended before the file did"


def test_damaged_lines_are_told_and_read_past_to_the_end_marker() -> None:
    answer = iter([*b64_lines(TEXT.encode())[:1], b"!!not base64!!", b"AAAA", b"@E 0"])
    sent = Sent(answer, b"b64")

    assert TEXT.encode().startswith(read_all(sent))  # what decoded before
    assert sent.cut
    assert str(sent.damage).startswith("the file's bytes came damaged")
    assert sent.ended
    assert next(answer, None) is None


def test_a_sent_utf16_file_is_scanned_as_its_utf8_text() -> None:
    class Target:
        @staticmethod
        def is_start(line: bytes) -> bool:
            return line.startswith(b"2026")

    data = b"\xfe\xff" + TEXT.encode("utf-16-be")
    sent = Sent(iter([*b64_lines(data), b"@E 0"]), b"b64")
    scan = scan_sent(sent, Target(), Needles((b"req-1",)), [], (0, 0))  # type: ignore[arg-type]

    assert [(hit.line, hit.data) for hit in scan] == [
        (1, "2026 a req-1 ✓".encode()),
        (2, b"2026 b\r\n  req-1 in a frame"),
        (4, b"2026 c req-1"),
    ]
