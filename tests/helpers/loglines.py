"""Random log records for the trace oracle: JSON, logfmt and text lines with odd values.

Each record says whether its `request_id` field equals the id, so a test knows
exactly which records a trace must return. Drawn from small fixed pools, so that
10,000 examples stay cheap: the oddness is in the pools, not in the drawing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from hypothesis import strategies as st

IDS = ("req-7f3a", "R1", "a.b:c_d", "Id-42x", "straße-1")
"""Ids that need no escaping in JSON, logfmt or text."""
KEY = "request_id"

_DEEP = "[" * 300 + "]" * 300
_VALUES = (
    '"plain"',
    '"quote \\" backslash \\\\ slash \\/ tab \\t nl \\n"',
    '"\\u00fcnic\\u00f8de \\ud83d\\ude00 \\u2028"',
    '"\\ud800"',  # a lone surrogate
    '"esc \\u001b]0;t\\u0007"',
    "12345678901234567890123456789012345",
    "1" * 5000,
    "-1.5e300",
    "NaN",
    "null",
    "true",
    '{"ctx": {"request_id": "{ID}"}, "n": [1, {"m": null}]}',  # NESTED
    _DEEP,
    '"{ID}"',  # the id in another field
    '"x{ID}y"',
)
NESTED = next(i for i, v in enumerate(_VALUES) if v.startswith('{"ctx"'))
_TIMES = (
    None,
    "2026-03-20T14:10:00.123Z",
    "2026-03-20T15:10:00+01:00",
    "1774015800",
    "not a time",
    "9999-12-31T23:59:59-01:00",
    "0001-01-01T00:00:00+01:00",
)
# The key field's value: the id, a decoy around it, or none.
_SLOTS = ("id", "id", "prefix", "suffix", "inside", "case", "absent", "other")


@dataclass(frozen=True)
class Spec:
    """One record to write: its kind, key field, time and extra fields."""

    kind: str
    slot: str
    time: str | None
    extras: tuple[int, ...]
    crlf: bool
    continuation: str
    """none, text (the id in words) or pair (`request_id=ID` on a frame line)."""

    def matches(self) -> bool:
        """Tell whether the record carries the id (the oracle).

        Its key field equals the id; or it has no key field and a nested object
        has one that does (README: a bare key is looked for in nested JSON); or
        a `request_id=ID` pair of a continuation line does (a traceback's).
        """
        nested = self.kind == "json" and self.slot == "absent" and NESTED in self.extras
        return self.slot == "id" or nested or self.continuation == "pair"


SPECS = st.builds(
    Spec,
    kind=st.sampled_from(("json", "json", "logfmt", "text")),
    slot=st.sampled_from(_SLOTS),
    time=st.sampled_from(_TIMES),
    extras=st.lists(st.integers(0, len(_VALUES) - 1), max_size=3).map(tuple),
    crlf=st.booleans(),
    continuation=st.sampled_from(("none", "none", "text", "pair")),
)


def key_value(spec: Spec, rid: str) -> str | None:
    """The key field's value for a spec, None when the record has none."""
    return {
        "id": rid,
        "prefix": rid + "0",
        "suffix": "x" + rid,
        "inside": "a" + rid + "b",
        "case": rid.swapcase(),
        "absent": None,
        "other": "unrelated",
    }[spec.slot]


def render(spec: Spec, rid: str, index: int) -> bytes:
    """One record as bytes: its line, maybe a continuation line, then a newline."""
    value = key_value(spec, rid)
    end = "\r\n" if spec.crlf else "\n"
    if spec.kind == "json":
        line = _json_line(spec, rid, value, index)
    elif spec.kind == "logfmt":
        line = _logfmt_line(spec, rid, value, index)
    else:
        line = _text_line(spec, rid, value, index)
    out = line + end
    if spec.continuation == "text":  # never a record of its own
        out += f"    at frame({rid}) {KEY}:{rid} {KEY}={rid}0{end}"
    elif spec.continuation == "pair":
        out += f"    at frame {KEY}={rid}{end}"
    return out.encode("utf-8", "surrogatepass")


def _json_line(spec: Spec, rid: str, value: str | None, index: int) -> str:
    parts = [f'"msg": "m{index}"']
    if spec.time is not None:
        parts.insert(0, f'"ts": {json.dumps(spec.time)}')
    for n, extra in enumerate(spec.extras):
        parts.append(f'"x{n}": {_VALUES[extra].replace("{ID}", rid)}')
    if value is not None:
        parts.append(f'"{KEY}": {json.dumps(value, ensure_ascii=False)}')
    return "{" + ", ".join(parts) + "}"


def _logfmt_line(spec: Spec, rid: str, value: str | None, index: int) -> str:
    parts = [f"msg=m{index}", f"note={rid}"]
    if spec.time is not None:
        parts.insert(0, f"time={json.dumps(spec.time)}")
    if value is not None:
        parts.append(f'{KEY}="{value}"' if spec.crlf else f"{KEY}={value}")
    return " ".join(parts)


def _text_line(spec: Spec, rid: str, value: str | None, index: int) -> str:
    pair = f" {KEY}={value}" if value is not None else ""
    return f"2026-03-20T14:10:{index % 60:02d}Z INFO m{index} mentions {rid}{pair} tail"
