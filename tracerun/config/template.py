"""Template syntax: an `outputs.NAME.line` string → literal text and placeholders.

Apart from output/template.py (which renders) so that the profile model can
check a template where it is written and locate an error at its character.
Safe by construction: a placeholder names a record attribute or a field, never
an expression; there is no attribute access, and indexing only into `fields`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tracerun.plain import plain

NAMES = ("time", "source", "origin", "line", "level", "message", "raw", "fields")
"""What a placeholder may name; any other name is a field (`{order_id}`)."""
STYLES = ("color", "dim", "bold")
"""Colour helpers, the last part of a spec: `{level:color}`, `{source:>12:color}`."""
_NAME = re.compile(r"[A-Za-z_@][\w@-]*")
_SAMPLE_TIME = datetime(2026, 3, 20, 14, 10, 0, 123456, tzinfo=UTC)


class TemplateError(ValueError):
    """A template that cannot be used; `offset` is the character it is about."""

    def __init__(self, message: str, offset: int, hint: str | None = None) -> None:
        super().__init__(message)
        self.offset = offset
        self.hint = hint


@plain(frozen=True, slots=True)
class Placeholder:
    """One `{…}`: what it names, its format spec and colour helper.

    Attributes:
        name: one of NAMES (`fields` also for a bare field name).
        keys: the keys indexed into `fields` (`{fields[a][b]}` → ("a", "b")).
        spec: the format spec (a strftime pattern for `time` when it has a `%`).
        style: "" or one of STYLES.
    """

    name: str
    keys: tuple[str, ...] = ()
    spec: str = ""
    style: str = ""


Part = str | Placeholder


def parse_template(text: str) -> tuple[Part, ...]:
    """Split a template into literal text and placeholders; `{{`/`}}` are braces.

    Raises:
        TemplateError: an unclosed or stray brace, a name that is not allowed,
            attribute access, a conversion, or a spec that cannot format text.
    """
    parts: list[Part] = []
    literal: list[str] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char in "{}" and text.startswith(char * 2, pos):
            literal.append(char)
            pos += 2
            continue
        if char == "}":
            msg = "a single '}' outside a placeholder"
            raise TemplateError(msg, pos, "write '}}' for a literal brace")
        if char == "{":
            end = text.find("}", pos)
            if end == -1:
                msg = "this '{' is not closed"
                raise TemplateError(msg, pos, "close it with '}', or write '{{'")
            if literal:
                parts.append("".join(literal))
                literal = []
            parts.append(_placeholder(text[pos + 1 : end], pos + 1))
            pos = end + 1
            continue
        literal.append(char)
        pos += 1
    if literal:
        parts.append("".join(literal))
    return tuple(parts)


def _placeholder(body: str, at: int) -> Placeholder:
    if "{" in body:
        msg = "a placeholder cannot contain '{'"
        raise TemplateError(msg, at + body.index("{"), "placeholders do not nest")
    field, spec = _split(body)
    name, keys = _reference(field, at)
    style = ""
    for candidate in STYLES:
        if spec == candidate or spec.endswith(":" + candidate):
            style, spec = candidate, spec[: -len(candidate)].removesuffix(":")
    _check_spec(name, spec, at + len(field) + 1)
    return Placeholder(name, keys, spec, style)


def _split(body: str) -> tuple[str, str]:
    """`fields[a:b]:>9` → (`fields[a:b]`, `>9`): a key may hold a ':'."""
    end = 0
    while end < len(body) and body[end] != ":":
        if body[end] == "[":
            close = body.find("]", end)
            end = len(body) if close == -1 else close
        end += 1
    return body[:end], body[end + 1 :]


def _reference(field: str, at: int) -> tuple[str, tuple[str, ...]]:
    names = ", ".join(NAMES)
    if "!" in field:
        msg = "conversions (!r, !s) are not allowed"
        raise TemplateError(msg, at + field.index("!"), f"use a name: {names}")
    match = _NAME.match(field)
    if match is None:
        msg = f"{'an empty' if not field else 'not a'} placeholder name"
        raise TemplateError(msg, at, f"name one of {names}, or a field")
    name, rest = match[0], field[match.end() :]
    if rest.startswith("."):
        msg = "attribute access is not allowed"
        hint = f"for a dotted field write {{fields[{field}]}}"
        raise TemplateError(msg, at + match.end(), hint)
    keys = []
    offset = at + match.end()
    while rest:
        close = rest.find("]")
        if not rest.startswith("[") or close < 2:
            msg = f"unexpected {rest!r} after {name!r}"
            raise TemplateError(msg, offset, "index fields as {fields[key]}")
        keys.append(rest[1:close])
        offset += close + 1
        rest = rest[close + 1 :]
    if keys and name != "fields":
        msg = f"only fields can be indexed, not {name!r}"
        hint = f"write {{fields[{name}][{keys[0]}]}}"
        raise TemplateError(msg, at + match.end(), hint)
    if name not in NAMES:
        return "fields", (name,)
    if name == "fields" and not keys:
        msg = "{fields} needs a key"
        raise TemplateError(msg, at, "write {fields[order_id]}")
    return name, tuple(keys)


def _check_spec(name: str, spec: str, at: int) -> None:
    try:
        if name == "time" and "%" in spec:
            _SAMPLE_TIME.strftime(spec)
        else:
            format("text", spec)
    except ValueError as exc:
        msg = f"format spec {spec!r} does not apply to text: {exc}"
        hint = (
            "use alignment and width (>12, <8, ^10, .20) or a strftime pattern for time"
        )
        raise TemplateError(msg, at, hint) from None
