"""Sniff: the first lines of a log → its format, time field and id keys (for `init`).

Recognises JSON objects, logfmt, common/combined access logs and plain text
whose lines start records by the multi-line rule (a timestamp, a level word,
Python's `LEVEL:name:`, a syslog priority: shapes.py, which the auto parser
reads too); anything else is "unknown".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any, Literal

from tracerun.extract import DEFAULT_TIME_FIELDS
from tracerun.extract.auto import AutoExtractor, query_pairs, wrapped
from tracerun.extract.json import JsonExtractor
from tracerun.extract.logfmt import LogfmtExtractor
from tracerun.extract.shapes import ACCESS, starts_text_record, strip_ansi
from tracerun.plain import plain
from tracerun.timeparse import ZONE_ABBREVIATIONS, parse_time

ID_KEYS = (
    "request_id",
    "req_id",
    "requestId",
    "x_request_id",
    "trace_id",
    "traceId",
    "correlation_id",
    "correlationId",
    "rid",
)
"""The usual names of a request id, in the order a profile lists them."""
_ID_FORMS = {key.replace("_", "").lower(): key for key in reversed(ID_KEYS)}


def id_key(name: object) -> str | None:
    """Tell which usual id key a field name spells, if any.

    `reqId` → `req_id`, `REQUEST_ID` (journald) → `request_id`, `X-Request-Id`
    → `x_request_id`: the spellings a profile's `keys` match (read/match.py).
    """
    if not isinstance(name, str):
        return None
    return _ID_FORMS.get(name.replace("_", "").replace("-", "").lower())


_TEXT_IDS = ("application_name",)
"""Id carriers of text logs: PostgreSQL's `application_name=` (set by the client)."""
_NESTED_IDS = {
    "request": "request_id",
    "trace": "trace_id",
    "correlation": "correlation_id",
}
_TIME_WORDS = ("time", "date", "when", "@t")

_LOGFMT_START = re.compile(r"[A-Za-z_][\w.]*=")
_TAIL_PAIR = re.compile(r'(?<!\S)([A-Za-z_]\w*)=("[^"]*"|\S+)')

Kind = Literal["json", "wrapped", "logfmt", "access", "text", "unknown"]


@plain(frozen=True, slots=True)
class Sniffed:
    """What the first lines of one log say about its format.

    Attributes:
        kind: json, wrapped (JSON records that hold a program's line: docker's
            json-file, journald), logfmt, access (common/combined), text
            (leading timestamp), or unknown.
        lines: the non-blank lines looked at.
        time_key: json/logfmt: the field holding the time (None: none seen).
        time_text: a timestamp as the log writes it, or None.
        ids: (field name, where it is): a key, or a dotted path in nested JSON.
        combined: access: the line has the referer and user-agent fields.
        tail: access: the keys of the `key=value` pairs after those fields, in
            the order the format writes them.
        query: access: the id keys seen as query parameters (`?request_id=`).
    """

    kind: Kind
    lines: tuple[str, ...]
    time_key: str | None = None
    time_text: str | None = None
    ids: tuple[tuple[str, str], ...] = ()
    combined: bool = False
    tail: tuple[str, ...] = ()
    query: tuple[str, ...] = ()


def line_kind(line: str) -> Kind:
    """Classify one line; a continuation line (a stack frame) is `unknown`."""
    if line.lstrip().startswith("{") and JsonExtractor().extract(line) is not None:
        return "json"
    line = strip_ansi(line)
    if ACCESS.match(line):
        return "access"
    if _LOGFMT_START.match(line):
        fields = LogfmtExtractor().extract(line) or {}
        if sum(value is not True for value in fields.values()) >= 2:
            return "logfmt"
    if starts_text_record(line.encode()):
        return "text"
    return "unknown"


def sniff_lines(lines: Sequence[str]) -> Sniffed:
    """Guess the format of a log from its first lines (the most common kind wins)."""
    kept = tuple(line for line in lines if line.strip())
    kinds = Counter(line_kind(line) for line in kept)
    known = [(count, kind) for kind, count in kinds.items() if kind != "unknown"]
    if not known:
        return Sniffed("unknown", kept)
    kind = max(known, key=lambda pair: (pair[0], -_PRIORITY.index(pair[1])))[1]
    mine = [line for line in kept if line_kind(line) == kind]
    return _SNIFFERS[kind](kept, mine)


_PRIORITY: tuple[Kind, ...] = ("json", "access", "logfmt", "text", "unknown")


def _sniff_json(kept: tuple[str, ...], mine: list[str]) -> Sniffed:
    objects = [JsonExtractor().extract(line) or {} for line in mine]
    kind: Kind = "json"
    if objects and all(wrapped(obj) for obj in objects):
        kind = "wrapped"  # the auto parser reads the line each one holds
        objects = [AutoExtractor().extract(line) or {} for line in mine]
    time_key = _time_key(objects)
    ids = _ordered(pair for obj in objects for pair in _json_ids(obj, ()))
    time_text = _first_text(obj.get(time_key) for obj in objects) if time_key else None
    return Sniffed(kind, kept, time_key, time_text, ids)


def _sniff_logfmt(kept: tuple[str, ...], mine: list[str]) -> Sniffed:
    pairs = [LogfmtExtractor().extract(line) or {} for line in mine]
    time_key = _time_key(pairs)
    ids = _ordered((key, key) for fields in pairs for key in fields if id_key(key))
    time_text = (
        _first_text(fields.get(time_key) for fields in pairs) if time_key else None
    )
    return Sniffed("logfmt", kept, time_key, time_text, ids)


def _sniff_access(kept: tuple[str, ...], mine: list[str]) -> Sniffed:
    matches = [m for m in (ACCESS.match(strip_ansi(x)) for x in mine) if m is not None]
    tails = [tuple(key for key, _ in _TAIL_PAIR.findall(m["tail"])) for m in matches]
    tail = max(tails, key=len, default=())
    in_query = ((key, key) for m in matches for key, _ in query_pairs(m["request"]))
    query = tuple(n for n, _ in _ordered(in_query) if id_key(n) and n not in tail)
    ids = _ordered((key, key) for key in (*tail, *query) if id_key(key))
    combined = all(m["combined"] for m in matches)
    time_text = matches[0]["time"]
    return Sniffed("access", kept, None, time_text, ids, combined, tail, query)


def _sniff_text(kept: tuple[str, ...], mine: list[str]) -> Sniffed:
    extractor = AutoExtractor()
    fields = [extractor.extract(line) or {} for line in mine]
    ids = _ordered(
        (key, key) for item in fields for key in item if id_key(key) or key in _TEXT_IDS
    )
    time_text = _first_text(item.get("time") for item in fields)
    return Sniffed("text", kept, None, time_text, ids)


_SNIFFERS = {
    "json": _sniff_json,
    "logfmt": _sniff_logfmt,
    "access": _sniff_access,
    "text": _sniff_text,
}


def _time_key(records: list[dict[str, Any]]) -> str | None:
    """Pick the field that holds a readable time in most records."""
    votes: Counter[str] = Counter()
    for record in records:
        for key, value in record.items():
            named = key in DEFAULT_TIME_FIELDS or any(
                w in key.lower() for w in _TIME_WORDS
            )
            if named and parse_time(value) is not None:
                votes[key] += 1
    if not votes:
        return None
    order = {key: i for i, key in enumerate(DEFAULT_TIME_FIELDS)}
    return max(votes, key=lambda key: (votes[key], -order.get(key, len(order))))


def _json_ids(
    value: dict[str, Any], path: tuple[str, ...]
) -> Iterator[tuple[str, str]]:
    for key, item in value.items():
        here = (*path, key)
        if id_key(key) and isinstance(item, str | int) and not isinstance(item, bool):
            yield key, ".".join(here)
        elif key == "id" and path and path[-1] in _NESTED_IDS and isinstance(item, str):
            yield _NESTED_IDS[path[-1]], ".".join(here)
        elif isinstance(item, dict) and len(here) < 4:
            yield from _json_ids(item, here)


def _ordered(pairs: Iterator[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Distinct (name, where) pairs, one per name, in the order of ID_KEYS."""
    first: dict[str, str] = {}
    for name, where in pairs:
        first.setdefault(name, where)
    rank = {key: i for i, key in enumerate((*ID_KEYS, *_TEXT_IDS))}
    return tuple(
        sorted(
            first.items(),
            key=lambda pair: rank.get(id_key(pair[0]) or pair[0], len(rank)),
        )
    )


def _first_text(values: Iterator[Any]) -> str | None:
    return next((str(v) for v in values if v is not None), None)


def describe_time(text: str | None) -> str:
    """Say in words which timestamp format `text` is, e.g. "RFC 3339 with offset"."""
    if text is None:
        return "no timestamp seen"
    if parse_time(text) is None:
        return f"{text!r} is not a format tracerun detects: set time.format"
    if len(text) > 9 and text[4] in "-/":
        word = re.search(r" ([A-Z]{2,5})$", text)
        if word is not None and word[1] in ZONE_ABBREVIATIONS:
            offset = ZONE_ABBREVIATIONS[word[1]]
            return f"ISO 8601 with zone abbreviation {word[1]} = {offset} ({text})"
        if re.search(r"(Z|[+-]\d{2}:?\d{2})$", text):
            return f"ISO 8601 with offset ({text})"
        if text[4] == "/":
            return f"date and time without offset, read in `timezone` ({text})"
        return f"ISO 8601 without offset, read in `timezone` ({text})"
    if text[2:3] == "/":
        return f"access-log time ({text})"
    if text[2:3] == "-" and text[6:7] == "-":
        zone = text[21:]
        if not zone:
            return f"PHP's error log time without a zone, read in `timezone` ({text})"
        return f"PHP's error log time in {zone} ({text})"
    if text[:1].isdigit() and " " in text:  # Redis's, klog's, MariaDB's `261203 …`
        return f"date and time without offset, read in `timezone` ({text})"
    if text[:1].isdigit():
        digits = len(text.split(".")[0])
        unit = (
            "seconds" if digits <= 11 else "milliseconds" if digits <= 13 else "µs/ns"
        )
        return f"unix time in {unit} ({text})"
    return f"syslog time without a year, which is inferred ({text})"
