"""The kubelet's `--timestamps` prefix: read as an instant, removed from the line."""

from __future__ import annotations

import pytest

from tracerun.sources.kubernetes.stamps import bare, kubelet_ns

SECOND = 1_774_015_800 * 1_000_000_000  # 2026-03-20T14:10:00Z


@pytest.mark.parametrize(
    ("line", "ns"),
    [
        (b"2026-03-20T14:10:00.123456789Z x", SECOND + 123_456_789),
        (b"2026-03-20T14:10:00.1Z x", SECOND + 100_000_000),  # trailing zeros dropped
        (b"2026-03-20T14:10:00Z x", SECOND),
        (b"2026-03-20T16:10:00+02:00 x", SECOND),
        (b"no stamp here", None),
        (b"2026-03-20T14:10:00Z", None),  # no space: not a prefix
        (b"2026-13-40T14:10:00Z x", None),
    ],
)
def test_the_prefix_is_read_as_ns(line: bytes, ns: int | None) -> None:
    assert kubelet_ns(line) == ns


def test_only_the_prefix_is_removed() -> None:
    assert bare(b"2026-03-20T14:10:00.5Z 2026-03-20 app says hi") == (
        b"2026-03-20 app says hi"
    )
    assert bare(b"  at frame()") == b"  at frame()"
