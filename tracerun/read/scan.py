"""Scan: a binary stream (or a byte range of a file) → the records that contain a needle.

Why bytes: the needles are found in the raw bytes by one Aho-Corasick pass
(`ahocorasick-rs`, SIMD prefilters: ~15 GB/s for one id, ~3 GB/s for 1,000),
while a Python loop over lines manages a fraction of that. The stream is read in
large blocks into one reused buffer; only the lines around a hit are framed (with
their multi-line continuation) and handed on for decoding. Counting newlines for
line numbers is the one other full pass: `stringzilla`'s SIMD count (~4.7 GB/s
here, vs ~2 GB/s for `bytes.count`, whose per-byte loop took ~65 % of a scan),
made only when records show their lines (`count_lines`; read/numbers.py
numbers a text trace's warnings after the read).

Why `readinto`, not `mmap` (issue #18 point 5, bench/README.md): searching a
mapping saves ~0.03-0.05 s of CPU per GB, but a log truncated under the
mapping (logrotate's `copytruncate`) raises SIGBUS on the next page touched,
which kills the process; a `read` of a truncated file just ends early, which
rotated.py notices and reads on from the rotated copy.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Iterator
from typing import Protocol

from ahocorasick_rs import BytesAhoCorasick, Implementation
from stringzilla import count as _sz_count
from stringzilla import utf8_uncased_search as _sz_uncased_find

from tracerun.plain import plain
from tracerun.read.bounds import UNKEYED, WANTED, Bounds, judgeable
from tracerun.read.endings import UTF8_BOM, first_end_is_lone_cr, lone_cr_to_lf
from tracerun.read.fold import case_spellings
from tracerun.read.tally import Miss

CHUNK = 8 * 1024 * 1024
MAX_RECORD = 8 * 1024 * 1024
"""The record size cap: a longer line holding a needle is skipped, a longer
multi-line record is cut; either is reported (ScanNotice), and the run exits 3."""
LOOKBACK = 64 * 1024
LONG_LINE_SKIPPED = f"line longer than {MAX_RECORD // 2**20} MiB contains a search value; it was skipped"
"""The notice for an over-long line holding a needle (here and read/incremental.py)."""

IsStart = Callable[[bytes], bool]


class Readable(Protocol):
    """What the scanner reads: `read(size)`, b"" at the end (`readinto` is used if present).

    Files and decompressors are; so is a container log (sources/frames.py).
    """

    def read(self, size: int, /) -> bytes:
        """Return up to `size` bytes; b"" at the end."""
        ...


@plain(frozen=True, slots=True)
class Needles:
    """What to search for: literal byte strings, lowercased when ignoring case.

    `whole`: a hit inside a longer token is no match (the parser's values are
    whole tokens; read/bounds.py), so the scanner drops it before framing;
    `keyed` (with `whole`): nor is one not written after `=` or `:`.
    """

    values: tuple[bytes, ...]
    ignore_case: bool = False
    whole: bool = False
    keyed: bool = False

    @classmethod
    def of(
        cls,
        values: tuple[str, ...],
        *,
        ignore_case: bool = False,
        whole: bool = False,
        keyed: bool = False,
    ) -> Needles:
        """Encode search values as UTF-8 needles (lowercased for -i), longest first.

        `whole` is kept only where read/bounds.py can judge hits: not with -i
        (a folded match may be longer than its value), not for a value that
        reads as a JSON number with a fraction or exponent (`1.50` is `1.5`).

        A value with a character that writers escape also gets its escaped
        spellings (`caf\\u00e9` for `café`, `a\\/b` for `a/b`, `%C3%A9` in a
        URL): the byte search must find the line whichever way it was written,
        and the match then compares the decoded field. A plain value costs
        nothing more.
        """
        return _needles(tuple(values), ignore_case, whole, keyed)


@functools.lru_cache(maxsize=32)
def _needles(
    values: tuple[str, ...], ignore_case: bool, whole: bool, keyed: bool
) -> Needles:
    # Cached: every piece of every file asks again, and 10,000 ids took 85 ms
    # each time (issue #18).
    raw = {v.lower() if ignore_case else v for v in values if v}
    if ignore_case:
        raw |= {v.upper().lower() for v in raw}
    if _plain_spelling("".join(raw)):  # no value has another spelling
        spelled = raw
    else:
        spelled = {form for v in raw for form in spellings(v)}
    if ignore_case:
        spelled = {form.lower() for form in spelled}
    encoded = tuple(sorted((v.encode() for v in spelled), key=lambda b: (-len(b), b)))
    whole = whole and not ignore_case and bool(encoded) and judgeable(encoded)
    return Needles(encoded, ignore_case, whole, keyed and whole)


def _plain_spelling(value: str) -> bool:
    return value.isascii() and not _ESCAPABLE.search(value)


def spellings(value: str) -> set[str]:
    """List a value's spellings in JSON strings, quoted logfmt values and URLs.

    Each kind of escapable character is escaped throughout or not at all:
    non-ASCII and Go's HTML-escaped `<>&` as `\\u00e9` or `\\u00E9` (Python
    and Go write lower case hex, .NET upper), `/` as `\\/` (PHP), `"`, `\\`,
    tab, newline, CR, backspace and form feed as `\\"`, `\\\\`, `\\t`, `\\n`,
    `\\r`, `\\b`, `\\f`, the other control characters as `\\u0001` (JSON
    must escape them), and the percent-encoded form.
    """
    if _plain_spelling(value):
        return {value}
    choices = [
        [(lambda c: c), *(_hex(upper) for upper in (False, True))]
        if any(test(c) for c in value)
        else [lambda c: c]
        for test in (_non_ascii, _html, _control)
    ]
    escapes: list[dict[str, str]] = [{}]
    for table in (_SLASH, _JSON_ESCAPES):
        if any(c in table for c in value):
            escapes = [e | extra for e in escapes for extra in ({}, table)]
    forms = {value}
    for wide in choices[0]:
        for html in choices[1]:
            for control in choices[2]:
                for table in escapes:
                    forms.add(
                        "".join(_spell(c, wide, html, control, table) for c in value)
                    )
    from urllib.parse import quote  # noqa: PLC0415 - start-up: only for such values

    forms.add(quote(value, safe=_URL_SAFE))
    return forms


_ESCAPABLE = re.compile(r'[/"\\\t<>&%\s\x00-\x1f]')
_SLASH = {"/": "\\/"}
_JSON_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\t": "\\t",
    "\n": "\\n",
    "\r": "\\r",
    "\b": "\\b",
    "\f": "\\f",
}
_URL_SAFE = "-._~!$'()*+,;=:@/"


def _non_ascii(c: str) -> bool:
    return not c.isascii()


def _html(c: str) -> bool:
    return c in "<>&"


def _control(c: str) -> bool:
    return c < " " and c not in _JSON_ESCAPES


def _hex(upper: bool) -> Callable[[str], str]:
    def escape(c: str) -> str:
        code = ord(c)
        if code > 0xFFFF:  # a surrogate pair, as JSON writes it
            code -= 0x10000
            pair = (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF))
            text = "".join(f"\\u{unit:04x}" for unit in pair)
        else:
            text = f"\\u{code:04x}"
        return text.upper().replace("\\U", "\\u") if upper else text

    return escape


def _spell(
    c: str,
    wide: Callable[[str], str],
    html: Callable[[str], str],
    control: Callable[[str], str],
    table: dict[str, str],
) -> str:
    if not c.isascii():
        return wide(c)
    if c in "<>&":
        return html(c)
    if _control(c):
        return control(c)
    return table.get(c, c)


@plain(slots=True)
class Hit:
    """A framed record containing a needle.

    `data` holds the record's lines (continuation included) without the final
    newline; `line` is its 1-based line number (when the scan does not number
    hits, the placeholder of its offset, negative: read/numbers.py); `offset`
    is the stream offset of its first byte. `lines_before()` gives the
    lines just before it; it is valid only until the scanner resumes (the block
    buffer is reused).
    """

    line: int
    data: bytes
    _buf: bytearray
    _start: int
    offset: int = 0
    extent: int = 0
    """Bytes of the record in the stream, its final newline included."""
    before: tuple[tuple[int, bytes], ...] = ()
    """Context lines before it (`-B`), nearest last: (offset from `offset`, bytes)."""
    after: tuple[tuple[int, bytes], ...] = ()
    """Context lines after it (`-A`), in order: (offset from `offset`, bytes)."""

    def lines_before(self, low: int) -> Iterator[tuple[int, bytes]]:
        """Yield the lines before this record that start after `low`, nearest first.

        Each is (stream offset of its start, its bytes without the newline);
        `low` is a stream offset, at least `offset - LOOKBACK` (the bytes the
        buffer is sure to hold). Only lines whose start is known are given: a
        line that begins before the buffer does is not.
        """
        buf, start = self._buf, self._start
        shift = self.offset - start  # stream offset of buf[0]
        floor = max(0, low - shift + 1, start - LOOKBACK)
        end = start - 1  # the newline that ends the line before the record
        while end >= floor:
            begin = buf.rfind(b"\n", 0, end) + 1
            if begin < floor or (begin == 0 and shift != 0):
                return
            yield shift + begin, bytes(buf[begin:end])
            end = begin - 1


@plain(slots=True)
class ScanNotice:
    """Something the scanner skipped that the user should hear about."""

    line: int
    message: str


class _Searcher:
    """All needle positions in a buffer range, by the fastest of equivalent strategies.

    Why several: one pattern goes through `ahocorasick-rs`' SIMD memmem at ~6 GB/s,
    but its multi-pattern prefilter collapses on some sets (measured on text logs:
    20 hex trace ids 0.1 GB/s, an id plus its own suffix 0.15 GB/s, 1,000 ids
    sharing a rare prefix 3 GB/s), while one memmem pass per needle costs k times
    one pass. So each strategy is timed once on the first MiB of a large block
    and the fastest searches the rest. All strategies find the same lines, so the
    choice changes the speed, never the result.
    """

    def __init__(self, needles: Needles) -> None:
        values = needles.values
        self._strategies: list[Callable[[bytes | memoryview], list[int]]] = []
        self.longest = max((len(p) for p in values), default=1)
        self._decided = True
        self.bounds = Bounds(values, keyed=needles.keyed) if needles.whole else None
        """Judges hits by their neighbouring bytes; None: every hit is framed."""
        if needles.ignore_case and values:
            search, self.longest = _ignoring_case(values)
            self._strategies = [search]
            return
        if values:
            self._strategies += _literal_strategies(values)
        self._decided = len(self._strategies) < 2

    def find(self, buf: bytearray, lo: int, hi: int) -> list[int]:
        """Start offsets (in `buf`) of needle occurrences within buf[lo:hi]."""
        if not self._strategies or lo >= hi:
            return []
        with memoryview(buf) as view:
            if not self._decided and hi - lo >= _TRIAL:
                self._choose(view[lo : lo + _TRIAL])
            found = self._strategies[0](view[lo:hi])
        return [start + lo for start in found]

    def _choose(self, sample: memoryview) -> None:
        timings = []
        for index, strategy in enumerate(self._strategies):
            began = time.perf_counter()
            strategy(sample)
            timings.append((time.perf_counter() - began, index))
        self._strategies = [self._strategies[min(timings)[1]]]
        self._decided = True


_TRIAL = 1024 * 1024
_NEWLINE = ord("\n")
_MAX_SINGLE_PASSES = 32
_MAX_UNCASED_PASSES = 8
"""Up to this many values, one case-folding SIMD pass each beats a lowercased copy."""


def _literal_strategies(
    patterns: tuple[bytes, ...],
) -> list[Callable[[bytes | memoryview], list[int]]]:
    """One multi-pattern pass, and (for a few patterns) one memmem pass each.

    The multi-pattern pass is ahocorasick-rs' DFA (issue #18, 100 MB of text,
    GB/s default -> DFA: 1,000 ids sharing a prefix 2.21 -> 3.62, 10,000
    1.49 -> 1.83, 1,000 random 8-hex ids 0.11 -> 0.31; building it for 10,000
    ids takes 32 ms). Past 32 patterns it is the only strategy, so many ids
    cost no trial; up to 32 the trial stays because no fixed choice is safe:
    20 random 32-hex ids 0.05 GB/s in one DFA pass vs 0.71 in 20 memmem passes,
    20 ids sharing a prefix 1.54 vs 0.22 (rg -F -f: 0.5 GB/s on the former).
    """
    if any(len(p) > _LONG_NEEDLE for p in patterns):
        return [_with_long(patterns)]
    found: list[Callable[[bytes | memoryview], list[int]]] = []
    if len(patterns) > 1:
        multi = BytesAhoCorasick(list(patterns), implementation=Implementation.DFA)
        found.append(lambda hay: [m[1] for m in multi.find_matches_as_indexes(hay)])
    if len(patterns) <= _MAX_SINGLE_PASSES:
        singles = [BytesAhoCorasick([p]) for p in patterns]

        def each(hay: bytes | memoryview) -> list[int]:
            starts = [m[1] for one in singles for m in one.find_matches_as_indexes(hay)]
            return sorted(starts) if len(singles) > 1 else starts

        found.append(each)
    return found


_LONG_NEEDLE = 512
"""Bytes past which a needle is searched on its own, not in an automaton."""


def _with_long(
    patterns: tuple[bytes, ...],
) -> Callable[[bytes | memoryview], list[int]]:
    """One pass for the short patterns, one SIMD substring search per long one.

    Why: building an Aho-Corasick automaton grows with the square of a
    repetitive needle's length (a 20,000-byte `AAAA…` id took 1.4 s, 100 KB
    43 s, a 1 MB one hours); a substring search has no build. Python's own
    (two-way, linear) and not stringzilla's, which took 6 s a block for a
    1 MB `AAAA…` id among near misses.
    """
    long = [p for p in patterns if len(p) > _LONG_NEEDLE]
    short = tuple(p for p in patterns if len(p) <= _LONG_NEEDLE)
    rest = _literal_strategies(short)[:1] if short else []

    def search(hay: bytes | memoryview) -> list[int]:
        starts = rest[0](hay) if rest else []
        text = bytes(hay)  # bytes.find: two-way search, linear for any needle
        for pattern in long:
            at = text.find(pattern)
            while at != -1:
                starts.append(at)
                at = text.find(pattern, at + len(pattern))
        return sorted(starts)

    return search


def _ignoring_case(
    values: tuple[bytes, ...],
) -> tuple[Callable[[bytes | memoryview], list[int]], int]:
    """Search under Unicode case folding (`-i`); also give the longest match.

    The matcher compares casefold forms. Up to 32 values: stringzilla's SIMD search under case folding, one pass per
    value (4.5-5.6 GB/s here, vs 0.6 GB/s for a lowercased copy of each block);
    a folded match can be longer than the value: at most 3 bytes per byte.
    More: one Aho-Corasick pass over an ASCII-lowercased copy of each block for
    every spelling of every value under casefold (read/fold.py), so that 40 ids
    find what one does (issue #12: `STRASSE` for `straße`, the Kelvin sign);
    a value with too many spellings gets its own stringzilla pass.
    """
    if len(values) <= _MAX_UNCASED_PASSES:
        return _uncased(values), 3 * max(len(v) for v in values)
    many: list[bytes] = []
    own: list[bytes] = []
    for value in values:
        spelt = case_spellings(value.decode())
        if spelt is None:
            own.append(value)
        else:
            many += spelt
    searches = [_folding(f) for f in _literal_strategies(tuple(many))[:1]]
    if own:
        searches.append(_uncased(tuple(own)))
    longest = max([len(m) for m in many] + [3 * len(v) for v in own])

    def search(hay: bytes | memoryview) -> list[int]:
        if len(searches) == 1:
            return searches[0](hay)
        return sorted({at for one in searches for at in one(hay)})

    return search, longest


def _uncased(
    patterns: tuple[bytes, ...],
) -> Callable[[bytes | memoryview], list[int]]:
    def search(hay: bytes | memoryview) -> list[int]:
        starts = []
        for pattern in patterns:
            at = _sz_uncased_find(hay, pattern)
            while at != -1:
                starts.append(at)
                at = _sz_uncased_find(hay, pattern, at + 1)
        return sorted(starts) if len(patterns) > 1 else starts

    return search


def contains_uncased(data: bytes, value: bytes) -> bool:
    """Tell whether `value` occurs in `data` under Unicode case folding (as `-i` finds it)."""
    return int(_sz_uncased_find(data, value)) != -1


def _folding(
    search: Callable[[bytes | memoryview], list[int]],
) -> Callable[[bytes | memoryview], list[int]]:
    return lambda hay: search(bytes(hay).lower())


def warm(needles: Needles) -> None:
    """Build the search for `needles` now, so that forked workers inherit it.

    Why: each worker built the automata again (10,000 ids: ~60 ms a process).
    """
    _searcher(needles)


@functools.lru_cache(maxsize=32)
def _searcher(needles: Needles) -> _Searcher:
    # Cached: a follow-mode stream scans many small pieces with the same needles.
    return _Searcher(needles)


def scan(
    stream: Readable,
    needles: Needles,
    is_start: IsStart,
    notices: list[ScanNotice] | None = None,
    chunk: int = CHUNK,
    *,
    before: int = 0,
    after: int = 0,
) -> Iterator[Hit]:
    """Yield every record of `stream` whose bytes contain one of `needles`.

    Args:
        stream: a binary file object (plain or decompressing) or a container log.
        needles: literal values to find.
        is_start: tells whether a line starts a new record (multi-line rule).
        notices: collects lines skipped for being too long.
        chunk: block size (tests use small blocks to exercise boundaries).
        before: context lines to frame before each hit (`-B`).
        after: context lines to frame after each hit (`-A`).
    """
    return iter(
        Scan(stream, needles, is_start, notices, chunk, before=before, after=after)
    )


class Scan:
    """The hits of a stream, or of the records starting in [start, stop) of it.

    The stream must be positioned at offset `base` ≤ `start`; the bytes between
    them are read only as lookback. `start` and `stop` must be line starts (see
    `sources.files.line_start`). A record that starts before `stop` is followed
    past it to its end. After iteration, `lines` is the number of lines in
    [start, stop) (or to the end), so that ranges can be numbered afterwards.
    `before`/`after` ask for that many context lines around each hit (per-hit
    work only: lines without a hit cost nothing more). `count_to_end=False`:
    `lines` is not needed, so newlines are counted only up to the hits (issue
    #18: the last block's count was the whole count of a small file).
    `count_lines=False`: hits are not numbered; each carries the placeholder of
    its offset (`unnumbered`, read/numbers.py), and with `count_to_end` False
    too no newline is counted at all (issue #18: a quarter of a worker's time,
    for numbers the text output never shows).
    """

    def __init__(
        self,
        stream: Readable,
        needles: Needles,
        is_start: IsStart,
        notices: list[ScanNotice] | None = None,
        chunk: int = CHUNK,
        *,
        base: int = 0,
        start: int = 0,
        stop: int | None = None,
        count_lines: bool = True,
        count_to_end: bool = True,
        before: int = 0,
        after: int = 0,
    ) -> None:
        self._state = _State(
            stream,
            chunk,
            _searcher(needles),
            notices,
            count_lines or count_to_end,
            numbering=count_lines,
        )
        self._count_to_end = count_to_end
        self.unkeyed = self._state.unkeyed
        """Lines whose hits were all dropped as message text (read/bounds.py)."""
        self._state.offset = base
        self._state.floor = start
        self._state.walked = start
        self._state.resume = self._state.count_pos = start - base
        self._state.context = (before, after)
        self._stop = stop
        self._is_start = is_start
        self.lines = 0

    @property
    def cr_lines(self) -> bool:
        """Tell whether lone CRs end this stream's lines (read/endings.py)."""
        return bool(self._state.cr)

    def __iter__(self) -> Iterator[Hit]:
        state = self._state
        while not state.done and state.fill():
            yield from _scan_block(state, self._is_start, self._stop)
        _release(state.buf)
        if state.counting and self._count_to_end:
            end = state.size if self._stop is None else self._stop - state.offset
            self.lines = state.line_at(min(max(end, state.count_pos), state.size)) - 1


class _State:
    """One reused block buffer: carried-over bytes, then freshly read ones."""

    def __init__(
        self,
        stream: Readable,
        chunk: int,
        searcher: _Searcher,
        notices: list[ScanNotice] | None,
        counting: bool,
        *,
        numbering: bool = True,
    ) -> None:
        self.stream = stream
        self.chunk = chunk
        self.searcher = searcher
        self.notices = notices
        self.counting = counting  # the running line count is kept
        self.numbering = numbering and counting  # hits carry it (else placeholders)
        self.buf = _buffer(chunk + LOOKBACK + 4096)
        self.size = 0  # valid bytes in buf
        self.eof = False
        self.cut = False  # the stream ended early (damage): last line maybe partial
        self.cr: bool | None = None  # lines end with lone CRs (from the first block)
        self.done = False  # the range's stop was reached
        self.offset = 0  # stream offset of buf[0]
        self.line = 1 if counting else 0  # line number at buf[count_pos]
        self.count_pos = 0
        self.consumed = 0  # bytes of buf done with; dropped before the next read
        self.resume = 0  # where scanning resumes in the buffer after the drop
        self.long_line_hit: bool | None = None  # set while dropping an over-long line
        self.cut_start = -1  # stream offset of the record cut at the size cap
        self.context = (0, 0)  # context lines wanted before/after each hit
        self.floor = 0  # stream offset where the range starts
        self.whole_head = True  # buf[0] starts a line
        self.unkeyed = Miss()  # lines with a needle only as message text
        self.unkeyed_end = -1  # stream offset of the end of the last one counted
        self.open_start = (
            -1
        )  # stream offset of the last record start seen at a block end
        self.walked = 0  # stream offset up to which lines were looked at for it
        self.lost_noted = -2  # open_start of the last record framed without its start
        self.head = 0  # stream offset of the first line (3 after a UTF-8 BOM)

    def number(self, pos: int) -> int:
        """Give the line number a hit (or a note) at buffer position `pos` carries.

        Its line when the scan numbers hits, else the placeholder of its stream
        offset (read/numbers.py), which costs no counting.
        """
        if self.numbering:
            return self.line_at(pos)
        return unnumbered(self.offset + pos)

    def line_at(self, pos: int) -> int:
        """Line number of buffer position `pos` (counted back when before the last one)."""
        if self.counting and pos < self.count_pos:
            return self.line - newlines(self.buf, pos, self.count_pos)
        return self._line_at(pos)

    def _line_at(self, pos: int) -> int:
        if self.counting and pos > self.count_pos:
            self.line += newlines(self.buf, self.count_pos, pos)
            self.count_pos = pos
        return self.line

    def fill(self) -> bool:
        """Drop consumed bytes and read the next block; False when all is done."""
        if self.eof:
            return False
        if self.consumed:
            self._drop(self.consumed)
            self.consumed = 0
        if len(self.buf) < self.size + self.chunk:
            grown = bytearray(self.size + self.chunk)
            grown[: self.size] = self.buf[: self.size]
            self.buf = grown
        with memoryview(self.buf) as view:
            got = _read_into(self.stream, view[self.size : self.size + self.chunk])
        if not got:
            self.eof = True
            self.cut = bool(getattr(self.stream, "cut", False))
            last = self.buf[self.size - 1 : self.size] == b"\r"
            if last and self.cr is not False and self._cr_mode(self.size - 1):
                self.buf[self.size - 1] = 0x0A  # the last line's lone CR
            return self.size > self.resume
        fresh = self.size
        self.size += got
        if self.offset == 0 and self.head == 0 and self._skip_bom():
            fresh = max(0, fresh - len(UTF8_BOM))
        undecided = self.cr is None
        if self.cr is not False and self._cr_mode(max(0, fresh - 1)):
            lone_cr_to_lf(self.buf, 0 if undecided else max(0, fresh - 1), self.size)
        return True

    def _skip_bom(self) -> bool:
        """Drop a UTF-8 BOM at the stream's start, keeping stream offsets exact."""
        if self.size < len(UTF8_BOM) or not self.buf.startswith(UTF8_BOM):
            return False
        self._drop(len(UTF8_BOM))
        self.whole_head = True
        self.head = self.offset
        return True

    def _cr_mode(self, lo: int) -> bool:
        """Tell whether lines end with a lone CR: decided by the first line's end."""
        if self.cr is None:
            self.cr = first_end_is_lone_cr(self.buf, lo, self.size, final=self.eof)
        return bool(self.cr)

    def _drop(self, count: int) -> None:
        self.line_at(count)
        if count:
            self.whole_head = self.buf[count - 1] == _NEWLINE
        self.buf[: self.size - count] = self.buf[count : self.size]
        self.size -= count
        self.offset += count
        self.count_pos = max(0, self.count_pos - count)
        self.resume = max(0, self.resume - count)

    def drop_long_line(self) -> None:
        """Drop an unfinished over-long line, noting a hit and keeping a needle-sized tail."""
        if self.long_line_hit is None:
            self.long_line_hit = False
        hit = bool(self.searcher.find(self.buf, self.resume, self.size))
        self.long_line_hit = self.long_line_hit or hit
        self._drop(self.size - (self.searcher.longest - 1))
        self.resume = 0

    def finish_long_line(self) -> None:
        """Drop the rest of an over-long line up to its newline, reporting a hit."""
        end = self.buf.find(b"\n", 0, self.size) + 1
        hit = self.long_line_hit or bool(self.searcher.find(self.buf, 0, end))
        if hit and self.notices is not None:
            self.notices.append(ScanNotice(self.number(0), LONG_LINE_SKIPPED))
        self.long_line_hit = None
        self._drop(end)
        self.resume = 0


_SPARE: list[bytearray] = []
"""Block buffers of finished scans, for the next scan of this process.

Why: a fresh 8 MiB buffer costs ~7 ms of page faults here; a worker scanning 8
pieces of 32 MB spent 23 % of its time making them (issue #18). A buffer is
given back only when its scan has run to the end (the last Hit handed out is
done with by then); threads each take their own (list.pop is atomic)."""


def _buffer(size: int) -> bytearray:
    try:
        spare = _SPARE.pop()
    except IndexError:
        return bytearray(size)
    return spare if len(spare) >= size else bytearray(size)


def _release(buf: bytearray) -> None:
    if len(_SPARE) < 2 and len(buf) <= 4 * (CHUNK + LOOKBACK + 4096):
        _SPARE.append(buf)


def newlines(buf: bytearray | bytes, lo: int, hi: int) -> int:
    """Count the newline bytes in buf[lo:hi] (SIMD; = `buf.count(b"\\n", lo, hi)`)."""
    return int(_sz_count(buf, "\n", lo, hi))


def unnumbered(offset: int) -> int:
    """Give the placeholder line of the byte at stream offset `offset` (negative).

    What an unnumbered scan's hits and notes carry; read/numbers.py turns the
    ones a warning needs into line numbers afterwards.
    """
    return -1 - offset


def _read_into(stream: Readable, target: memoryview) -> int:
    readinto = getattr(stream, "readinto", None)
    if readinto is not None:
        return int(readinto(target) or 0)
    data = stream.read(len(target))
    target[: len(data)] = data
    return len(data)


def _scan_block(state: _State, is_start: IsStart, stop: int | None) -> Iterator[Hit]:
    if state.long_line_hit is not None:
        if state.buf.find(b"\n", 0, state.size) == -1 and not state.eof:
            state.drop_long_line()
            return
        state.finish_long_line()
    buf = state.buf
    whole = state.eof and not state.cut  # the stream's last line is complete
    limit = state.size if whole else buf.rfind(b"\n", 0, state.size) + 1
    if limit <= state.resume:
        if state.size - state.resume > MAX_RECORD:
            state.drop_long_line()
        return  # one unfinished line: wait for more bytes
    end_at = limit if stop is None else min(limit, max(stop - state.offset, 0))
    tail_open = False
    if stop is not None and end_at > 0 and state.offset + limit >= stop:
        # The record that straddles the range's end is this range's: search its
        # continuation lines past the end too (a statement's id on its last line).
        stop_at = end_at
        end_at, complete = _continuation(buf, end_at - 1, limit, state.eof, is_start)
        tail_open = not complete and limit - stop_at <= MAX_RECORD
    pos = state.resume
    bounds = state.searcher.bounds
    for h in state.searcher.find(buf, pos, end_at):
        if h < pos:
            continue  # inside the record just yielded
        if bounds is not None:
            verdict = bounds.judge(buf, h, state.size)
            if verdict != WANTED:  # no field value can equal the needle there
                if verdict == UNKEYED and state.offset + h > state.unkeyed_end:
                    state.unkeyed.note(state.number(h))
                    state.unkeyed_end = state.offset + _line_end(buf, h, limit)
                continue
        start = _record_start(state, buf, h, is_start)
        end = _line_end(buf, h, limit)
        if start is None and _lost_start(state):
            start = _from_kept(state, buf, h)
        if start is None or state.offset + start == state.cut_start:
            pos = end + 1  # continues a record begun before this range, or cut
            continue
        end, complete = _continuation(buf, end, limit, _ends(state, is_start), is_start)
        before, after = state.context
        following: list[tuple[int, bytes]] = []
        if complete and after:
            complete = _lines_after(buf, end, limit, after, following) or state.eof
        if not complete and state.size - start <= MAX_RECORD:
            # The record (or its context) may go on in the next block: carry it
            # (and the bytes before it, for lookback) over; resume at its start.
            state.consumed = max(0, start - LOOKBACK)
            state.resume = start
            return
        line = state.number(start)
        cut = not complete and _goes_on(buf, end + 1, state.size, is_start)
        if cut:
            state.cut_start = state.offset + start
        if cut and state.notices is not None:  # the record size cap
            state.notices.append(
                ScanNotice(
                    line,
                    f"record longer than {MAX_RECORD // 2**20} MiB (a line and its "
                    f"continuation lines); only its first {end - start:,} bytes "
                    "were read",
                )
            )
        hit = Hit(line, _strip_cr(buf[start:end]), buf, start, state.offset + start)
        hit.extent = end + 1 - start
        if before:
            hit.before = _lines_before(buf, start, before, state)
        if following:
            hit.after = tuple((at - start, text) for at, text in following)
        yield hit
        pos = end + 1
    if tail_open:
        # The continuation goes on in the next block: look at it there.
        state.consumed = max(0, stop_at - LOOKBACK)
        state.resume = min(max(pos, stop_at), limit)
        return
    if stop is not None and state.offset + limit >= stop:
        state.done = True
    # Keep LOOKBACK bytes before the resume point, so that a record's lookback
    # never depends on where a block (or a range) happened to start; and the
    # whole of the record still open there, so that a hit on one of its later
    # continuation lines finds its start.
    state.consumed = _kept_from(state, buf, limit, is_start)
    state.resume = limit


def _kept_from(state: _State, buf: bytearray, limit: int, is_start: IsStart) -> int:
    """Give the buffer position from which bytes are kept for the next block.

    LOOKBACK bytes before `limit`, or more: from the start of the record the
    line before `limit` belongs to, when that start is at most MAX_RECORD back
    (a longer record is cut anyway). Why: a hit on a continuation line far into
    a record (a Java trace's `Caused by: ... request_id=X` 200 KiB down, a
    3,000-line statement) looks for its record's start in these bytes; with
    only LOOKBACK kept it found none when a block boundary fell inside the
    record, and the record was lost without a word.

    Each line is looked at once per scan (`walked`), from the end back to the
    first record start, so an ordinary log costs one `is_start` call per block.
    """
    low = max(state.walked - state.offset, limit - MAX_RECORD, 0)
    pos = limit
    while pos > low:
        begin = buf.rfind(b"\n", 0, pos - 1) + 1
        if begin < low or (begin == 0 and not state.whole_head):
            break
        if state.offset + begin == state.head or is_start(
            _strip_cr(buf[begin : pos - 1])
        ):
            state.open_start = state.offset + begin
            break
        pos = begin
    state.walked = state.offset + limit
    keep = limit - LOOKBACK
    opened = state.open_start - state.offset
    if opened >= 0 and limit - opened <= MAX_RECORD:
        keep = min(keep, opened)
    return max(0, keep)


def _goes_on(buf: bytearray, pos: int, size: int, is_start: IsStart) -> bool:
    """Tell whether the unfinished line at `pos` may continue the record before it.

    Its first bytes tell (the record-start rules look at a line's beginning);
    when none has been read yet, it may.
    """
    head = bytes(buf[pos : min(size, pos + 1024)])
    return not head or not is_start(head.split(b"\n", 1)[0])


def _record_start(
    state: _State, buf: bytearray, hit: int, is_start: IsStart
) -> int | None:
    """Find where the record holding `hit` starts: its line, or an earlier one.

    A hit on a continuation line (a traceback's last line, a statement's next
    line) belongs to the record above it; None when that record began before
    this range (the previous range reads it) or before the bytes kept.
    """
    start = buf.rfind(b"\n", 0, hit) + 1
    floor = state.floor - state.offset  # < 0: bytes before buf[0] were dropped
    while True:
        if state.offset + start == state.head:
            return start  # the file's first line starts a record
        if start == 0 and floor < 0 and not state.whole_head:
            return None  # buf[0] is mid-line: the record's start is unknown
        line_end = _line_end(buf, start, state.size)
        if is_start(_strip_cr(buf[start:line_end])):
            return start
        if start <= floor or start == 0:
            return None  # before the range, or before the bytes kept
        start = buf.rfind(b"\n", 0, start - 1) + 1


def _lost_start(state: _State) -> bool:
    """Tell whether a hit whose record start was not found is this scan's to print.

    It is when the record began in this scan's range but further back than the
    bytes kept (a record longer than MAX_RECORD: _kept_from keeps no more); not
    when it may have begun before the range, whose scan reads it.
    """
    return state.floor == 0 or state.open_start >= state.floor


def _from_kept(state: _State, buf: bytearray, hit: int) -> int | None:
    """Frame a hit whose record start is lost from the earliest whole line kept.

    Never silent: the scan says once per record where the printed part begins.
    """
    start = 0 if state.whole_head else buf.find(b"\n", 0, hit) + 1
    if state.notices is not None and state.lost_noted != state.open_start:
        state.lost_noted = state.open_start
        state.notices.append(
            ScanNotice(
                state.number(start),
                f"record longer than {MAX_RECORD // 2**20} MiB holds a search value "
                "far from its first line; it is printed from this line on, without "
                "its start (hint: a wrong multiline.start rule makes records this "
                "long)",
            )
        )
    return start


def _ends(state: _State, is_start: IsStart) -> bool:
    """Tell whether a record reaching the last complete line is complete.

    Always at the true end of the stream; never before it; when the stream was
    cut short (a damaged archive), only if the partial line after it starts a
    record (or there is none): a record whose end was lost is dropped, never
    printed as if whole.
    """
    if not state.eof:
        return False
    if not state.cut:
        return True
    tail = state.buf.rfind(b"\n", 0, state.size) + 1
    return tail == state.size or is_start(_strip_cr(state.buf[tail : state.size]))


def _line_end(buf: bytearray, pos: int, limit: int) -> int:
    end = buf.find(b"\n", pos, limit)
    return limit if end == -1 else end


def _lines_before(
    buf: bytearray, start: int, count: int, state: _State
) -> tuple[tuple[int, bytes], ...]:
    """Up to `count` whole lines before buf[start] (not past the kept lookback)."""
    found: list[tuple[int, bytes]] = []
    pos = start
    while len(found) < count and pos > 0:
        begin = buf.rfind(b"\n", 0, pos - 1) + 1
        if begin == 0 and state.offset > 0 and not state.whole_head:
            break  # the line may begin before the bytes kept: leave it out
        line = _strip_cr(buf[begin : pos - 1])
        if not _is_frame(line):
            found.append((begin - start, line))
        pos = begin
    return tuple(reversed(found))


def _is_frame(line: bytes) -> bool:
    """Tell whether a line is what joining a line's pieces left of a later piece.

    read/cri.py keeps each later piece's frame (`<time> stdout F `,
    `{"log":"","stream":…}`) so that offsets and line numbers hold; as a
    context line (`-A/-B`) it would show as noise in place of a real line.
    A CRI line of a program's own empty line looks the same and is left out too.
    """
    if line.endswith((b" F ", b" P ")):
        words = line.split(b" ")  # <time> <stream> <tag> <nothing>
        return len(words) == 4 and words[1] in (b"stdout", b"stderr")
    return line.startswith(b'{"log":"","stream":"')


def _lines_after(
    buf: bytearray, end: int, limit: int, count: int, out: list[tuple[int, bytes]]
) -> bool:
    """Collect up to `count` lines after buf[end]; True when all `count` were there."""
    nxt = end + 1
    while len(out) < count:
        if nxt >= limit:
            return False
        line_end = _line_end(buf, nxt, limit)
        line = _strip_cr(buf[nxt:line_end])
        if not _is_frame(line):
            out.append((nxt, line))
        nxt = line_end + 1
    return True


def _continuation(
    buf: bytearray, end: int, limit: int, eof: bool, is_start: IsStart
) -> tuple[int, bool]:
    """Extend a record over the following lines that do not start a record.

    Returns the record's end offset and whether the record is known to be complete
    (False when the block ended before the next record start was seen).
    """
    while True:
        nxt = end + 1
        if nxt >= limit:
            return end, eof
        line_end = _line_end(buf, nxt, limit)
        if is_start(_strip_cr(buf[nxt:line_end])):
            return end, True
        end = line_end


def _strip_cr(line: bytearray) -> bytes:
    return bytes(line[:-1] if line.endswith(b"\r") else line)
