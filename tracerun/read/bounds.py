"""Bounds: a needle hit in a block → whether a field value can equal the needle there.

Why: a needle found inside a longer token (`req-420` for `req-42`, `xreq-42`)
cannot be a field value equal to it for the parsers whose values are whole
tokens (json, logfmt, auto without computed fields), yet framing, decoding and
parsing it cost ~17 µs per hit (issue #18: corpora with a decoy every 100 lines
spent most of their time there). A hit is rejected only when *every* needle
occurrence overlapping it has a word byte (ASCII letter, digit, `_`) right
before or right after it, or (`keyed`: the parser writes every value the query
can match after `key=` or `"key":`) is not preceded by `=` or `:` (through an
optional quote and blanks): message text. An unknown neighbour (the block's
edge), an ANSI escape just before (the auto parser strips them) or a non-ASCII
byte (Unicode whitespace ends a value) keeps it. A regex parser can capture any
part of a token, so the scanner is not given a Bounds for one.
"""

from __future__ import annotations

import re

from ahocorasick_rs import BytesAhoCorasick, MatchKind

_WORD = bytes(
    1 if (chr(b).isascii() and (chr(b).isalnum() or chr(b) == "_")) else 0
    for b in range(256)
)
_ESC = 0x1B
_QUOTE = ord('"')
_BACKSLASH = ord("\\")
_EQUALS = ord("=")
_ZULU = ord("Z")
_CAPTURE_OPENERS = frozenset(b"{|")
_DIGIT = bytes(1 if chr(b).isascii() and chr(b).isdigit() else 0 for b in range(256))
_COLON = ord(":")
_BRACKET = ord("[")
_COMMA = ord(",")
_BLANK = frozenset(b" \t")
_ANSI_BODY = frozenset(b"0123456789;")
_ANSI_OPEN = ord("[")


WANTED = 0
"""The hit may be a field value equal to a needle: frame it."""
INSIDE_WORD = 1
"""Every occurrence there is part of a longer token."""
UNKEYED = 2
"""A whole token, but not written after a key: message text (the tally counts it,
as trace/explain.py says "only in message text")."""


def judgeable(values: tuple[bytes, ...]) -> bool:
    """Tell whether hits of these needles can be judged by their neighbours.

    Not when one reads as a JSON number with a fraction or exponent: `1.50`
    and `0.10000000000000001` parse to the floats printed `1.5` and `0.1`, so
    the needle `1.5` is a whole value with a digit after it.
    """
    return not any(map(_FRACTIONAL.fullmatch, values))


_FRACTIONAL = re.compile(rb"(?=[^.eE]*[.eE])(?=[^0-9]*[0-9])[-+0-9.eE]+")
"""Only `-+0-9.eE`, a digit, and a `.`, `e` or `E`: one C call per value
(10,000 ids: 90 -> 3 ms)."""


class Bounds:
    """Judges needle hits by their neighbouring bytes (see the module docstring)."""

    __slots__ = ("_keyed", "_longest", "_overlapping", "_single")

    def __init__(self, values: tuple[bytes, ...], *, keyed: bool = False) -> None:
        self._keyed = keyed
        self._single = values[0] if len(values) == 1 else None
        self._longest = max(len(v) for v in values)
        self._overlapping = (
            None
            if self._single is not None
            else BytesAhoCorasick(list(values), matchkind=MatchKind.Standard)
        )

    def wanted(self, buf: bytearray, at: int, size: int) -> bool:
        """Tell whether the hit at `buf[at]` may be a whole field value."""
        return self.judge(buf, at, size) == WANTED

    def judge(self, buf: bytearray, at: int, size: int) -> int:
        """Judge the hit at `buf[at]`: WANTED, INSIDE_WORD or UNKEYED.

        Args:
            buf: the block.
            at: where the search reported a needle.
            size: the valid bytes of `buf`; a needle ending there has an unknown
                next byte, one starting at 0 an unknown (or no) byte before it:
                neither side then tells.
        """
        longest = self._longest
        lo, hi = max(0, at - longest + 1), min(size, at + 2 * longest)
        verdict = INSIDE_WORD
        for start, end in self._occurrences(buf, lo, hi):
            if _inside_word(buf, start, end, size):
                continue
            if not self._keyed or _after_key(buf, start):
                return WANTED
            verdict = UNKEYED
        return verdict

    def _occurrences(self, buf: bytearray, at: int, hi: int) -> list[tuple[int, int]]:
        """Every needle occurrence in buf[at:hi].

        Why overlapping, and from a needle's length before the hit: the search
        reports one of the matches that overlap (the one ending first), and
        another (`x req` and `req-1` in `x req-1`; `retry req-1 later` around
        `req-1`) could be the whole value while the reported one is not.
        """
        single = self._single
        if single is not None:
            found = []
            pos = buf.find(single, at, hi)
            while pos != -1:
                found.append((pos, pos + len(single)))
                pos = buf.find(single, pos + 1, hi)
            return found
        assert self._overlapping is not None
        with memoryview(buf) as view:
            matches = self._overlapping.find_matches_as_indexes(
                view[at:hi], overlapping=True
            )
        return [(at + s, at + e) for _, s, e in matches]


def _inside_word(buf: bytearray, start: int, end: int, size: int) -> bool:
    """Tell whether a word byte touches buf[start:end] (so it is not a value)."""
    if end < size and _WORD[buf[end]]:
        return True
    if start == 0:
        return False
    return bool(_WORD[buf[start - 1]]) and not _ansi_ends_at(buf, start - 1)


def _after_key(buf: bytearray, start: int) -> bool:
    """Tell whether buf[start] may begin the value of a key, or cannot be judged.

    What may come before it (right to left): ANSI escapes, then an optional `"`
    (or `\\"`: a JSON line inside docker's json-file `log` string) and, after a
    `:`, spaces or tabs; then `=` or `:`. Or a quoted value right after another
    quoted one (`"curl/8.5" "abc123"`): a field known by its place, as the auto
    parser reads Envoy's `x-request-id` (extract/auto.py JUDGED_PLACES). Or an
    item of a JSON list, after `[` or `",` (Caddy logs each request header as a
    list, `"X-Request-Id":["abc123"]`: match.py's lists); or an unquoted value
    after blanks after a time's `<digit>Z`, as AWS Lambda's runtimes write the
    request id (`2024-…00.123Z\tID\tINFO\t…`); or a value right after `{` or
    `|`, a header HAProxy captured (`{abc123|Mozilla/5.0}`: the auto parser's
    `captured_request_headers`, which a trace that matched nothing then
    names). The block's first bytes cannot be judged (the line may begin
    before them).
    """
    pos = _before_escapes(buf, start - 1)
    if pos >= 0 and buf[pos] in _CAPTURE_OPENERS:
        return True  # `{VALUE|` or `|VALUE}`: a header HAProxy captured
    quoted = pos >= 0 and buf[pos] == _QUOTE
    if quoted:
        pos -= 1
        if pos >= 0 and buf[pos] == _BACKSLASH:  # JSON inside a JSON string
            pos -= 1
    blank = pos
    while pos >= 0 and buf[pos] in _BLANK:
        pos -= 1
    if pos < 0:
        return True
    if quoted and pos < blank and buf[pos] == _QUOTE:
        return True  # `" "VALUE`: a quoted field after a quoted field
    if buf[pos] == _BRACKET or (
        quoted and buf[pos] == _COMMA and pos > 0 and buf[pos - 1] == _QUOTE
    ):
        return True  # a JSON list's item: `["VALUE"]`, `["a","VALUE"]`
    if not quoted and pos < blank and buf[pos] == _ZULU and pos > 0:
        return _DIGIT[buf[pos - 1]] == 1  # `…123Z\tVALUE`: AWS Lambda's request id
    return buf[pos] == _EQUALS or buf[pos] == _COLON


def _before_escapes(buf: bytearray, pos: int) -> int:
    """Step back over the ANSI escapes that end at buf[pos]."""
    while pos >= 0 and 0x40 <= buf[pos] < 0x7F and _ansi_ends_at(buf, pos):
        pos = buf.rfind(b"\x1b", 0, pos) - 1
    return pos


def _ansi_ends_at(buf: bytearray, pos: int) -> bool:
    """Tell whether buf[pos] (a letter) ends an ANSI escape `ESC [ digits;… letter`."""
    pos -= 1
    while pos >= 0 and buf[pos] in _ANSI_BODY:
        pos -= 1
    return pos >= 1 and buf[pos] == _ANSI_OPEN and buf[pos - 1] == _ESC
