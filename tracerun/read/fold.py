"""Fold: a search value → every way to spell it in bytes under Unicode case folding.

The matcher compares `str.casefold()` forms (`-i`), so the prefilter must find
every substring whose casefold equals the value's: `STRASSE` and `stra\u017fe`
(long s) for `straße`, the Kelvin sign for `k`, `İD` for `İd`. The spellings are built
from casefold itself (a table of which characters fold to what), so the two
agree by construction; ASCII case is left to the search, which looks in an
ASCII-lowercased copy of each block.
"""

from __future__ import annotations

import functools

MAX_SPELLINGS = 1024
"""Beyond this many spellings of one value, it is searched for another way."""
_LAST_CASED = 0x1E950
"""No code point from here on changes under casefold (checked in the tests)."""
_LONGEST_FOLD = 3
"""The longest casefold of one character (`ΐ` → three code points)."""


def case_spellings(value: str) -> tuple[bytes, ...] | None:
    """Every byte string that casefolds to `value`'s casefold, ASCII-lowercased.

    Returns None when there are more than MAX_SPELLINGS.
    """
    folded = value.casefold()
    sources = _sources()
    pieces: list[list[tuple[int, tuple[str, ...]]]] = []
    for i in range(len(folded)):
        here = []
        for size in range(1, _LONGEST_FOLD + 1):
            piece = folded[i : i + size]
            if len(piece) < size:
                break
            chars = sources.get(piece, ())
            if size == 1:
                chars = (piece, *chars)
            if chars:
                here.append((size, chars))
        pieces.append(here)
    if _count(pieces, len(folded)) > MAX_SPELLINGS:
        return None
    found = {s.encode().lower() for s in _spell(pieces, 0, len(folded))}
    return tuple(sorted(found))


def _count(pieces: list[list[tuple[int, tuple[str, ...]]]], end: int) -> int:
    ways = [0] * (end + 1)
    ways[end] = 1
    for i in range(end - 1, -1, -1):
        ways[i] = sum(len(chars) * ways[i + size] for size, chars in pieces[i])
        ways[i] = min(ways[i], MAX_SPELLINGS + 1)
    return ways[0]


def _spell(
    pieces: list[list[tuple[int, tuple[str, ...]]]], start: int, end: int
) -> list[str]:
    tails: list[list[str]] = [[] for _ in range(end + 1)]
    tails[end] = [""]
    for i in range(end - 1, -1, -1):
        tails[i] = [
            char + tail
            for size, chars in pieces[i]
            for char in chars
            for tail in tails[i + size]
        ]
    return tails[start]


@functools.cache
def _sources() -> dict[str, tuple[str, ...]]:
    """Casefolded text → the characters that fold to it (other than itself).

    Why computed, not listed: it is casefold's own table, for the Python that
    runs the matcher (~0.1 s, only for `-i` with many values).
    """
    found: dict[str, list[str]] = {}
    for code in range(_LAST_CASED):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        folded = char.casefold()
        if folded != char:
            found.setdefault(folded, []).append(char)
    return {folded: tuple(chars) for folded, chars in found.items()}
