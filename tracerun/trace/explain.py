"""Explain: a RunResult that matched nothing + its Query → why, in a few lines.

Read from the tallies the readers kept (read/tally.py): the id was in lines that
did not parse, only in message text or a field that is not a key, in records
outside the window or dropped by --where; or no file was in the window at all.
Nothing is said when the id was simply not there (exit 1, as grep), unless a
term reads like `key==value`. When records did match, `held_elsewhere` still
tells of the records whose value sat in a field that is not a key (HAProxy's
captured headers, a `parent_request_id`): a bare id searches key fields only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from tracerun.errors import cut, quoted
from tracerun.read.tally import HELD_NAMES, Miss, Tally, where

if TYPE_CHECKING:
    from tracerun.query import Query
    from tracerun.read.target import Target
    from tracerun.trace.runner import RunResult

_Pick = Callable[[Tally], Miss]


def explain(result: RunResult, query: Query) -> list[str]:
    """Say why nothing matched, one reason per line (empty: nothing to say)."""
    window = query.window()
    if window is not None and result.skipped and not result.tallies:
        return [f"no source had records in the window {window}"]
    found: list[str] = []
    subject = "the id was" if len(query.values) == 1 else "the ids were"
    count, first = _total(result, lambda t: t.unparsed)
    if first is not None:
        target, miss = first
        parsers = dict.fromkeys(
            t.parser.name for t, tally in result.tallies if tally.unparsed.count
        )
        names = " or ".join(f"'{name}'" for name in parsers)
        found.append(
            f"{subject} found in {count} {_plural(count, 'line')} that did not "
            f"parse with parser {names} "
            f"({where(target.origin.name, miss.line)}: {miss.detail})"
        )
    count, first = _total(result, lambda t: t.unkeyed)
    if first is not None:
        holder = next(
            (t.unkeyed.detail for _, t in result.tallies if t.unkeyed.detail), ""
        )
        at = where(first[0].origin.name, first[1].line)
        found.append(_unkeyed(count, holder, query, subject, at))
    count, first = _total(result, lambda t: t.outside)
    if first is not None:
        found.append(
            f"{_carry(count)} it but {_verb(count, 'lies', 'lie')} outside the window {window} "
            f"(first: {where(first[0].origin.name, first[1].line)})"
        )
    count, first = _total(result, lambda t: t.dropped)
    if first is not None:
        found.append(
            f"{_carry(count)} it but --where dropped {_verb(count, 'it', 'them')} "
            f"(first: {where(first[0].origin.name, first[1].line)})"
        )
    if not found:
        found += [_doubled(term.value) for term in query.terms if _doubled(term.value)]
    return found


def held_elsewhere(result: RunResult, query: Query) -> list[str]:
    """Tell of records a bare id missed because only a non-key field holds it.

    Said after a trace that matched other records, as a note and its hint for
    stderr (how many, the fields, the first origin and line, the terms that
    find them); nothing for field terms, whose user named the field.
    """
    if any(term.key is not None for term in query.terms):
        return []
    count, first = _total(result, lambda t: t.held)
    if first is None:
        return []
    target, miss = first
    value = cut(query.values[0]) if len(query.values) == 1 else "VALUE"
    names = list(
        dict.fromkeys(
            name
            for _, tally in result.tallies
            for name in tally.held.detail.split("\0")
            if name
        )
    )[:HELD_NAMES]
    fields = ", ".join(quoted(name) for name in names)
    more = "1 more record holds" if count == 1 else f"{count} more records hold"
    # A name a shell or the term syntax would split is named, not offered.
    hint = " ".join(f"{name}={value}" for name in names if _plain_key(name))
    if not hint:
        hint = "KEY=" + value
    return [
        (
            f"tracerun: note: {more} {_subject_value(query)} only in "
            f"{_verb(len(names), 'a field that is not a key', 'fields that are not keys')}: "
            f"{fields} (first: {where(target.origin.name, miss.line)}); "
            f"{_verb(count, 'it was', 'they were')} not printed"
        ),
        f"  hint: add {hint} to the terms (they are OR-ed) to print "
        + _verb(count, "it", "them"),
    ]


_PLAIN_KEY = re.compile(r"[\w@][\w.@-]*")


def _plain_key(name: str) -> bool:
    return _PLAIN_KEY.fullmatch(name) is not None


def _subject_value(query: Query) -> str:
    return quoted(query.values[0]) if len(query.values) == 1 else "a searched id"


_DOUBLED = re.compile(r"([A-Za-z_@][\w.@-]*)==([^=].*)", re.DOTALL)


def _doubled(value: str) -> str:
    """Say how to write a bare term that reads like `key==value` as a field term.

    Why: `request_id==abc` is one bare value (so that base64's `abc==` stays
    one), which no log holds: a habit from `--where` gave exit 1 and no word.
    """
    match = _DOUBLED.fullmatch(value)
    if match is None:
        return ""
    return (
        f"{quoted(value)} was searched as one value; for the field {match[1]} "
        f"write {match[1]}={cut(match[2])}"
    )


def _total(result: RunResult, pick: _Pick) -> tuple[int, tuple[Target, Miss] | None]:
    """Count one kind of miss over all origins; give the first origin's."""
    count, first = 0, None
    for target, tally in result.tallies:
        miss = pick(tally)
        if miss.count:
            count += miss.count
            first = first or (target, miss)
    return count, first


def _unkeyed(count: int, holder: str, query: Query, subject: str, at: str) -> str:
    keys = dict.fromkeys(
        key
        for term in query.terms
        for key in ((term.key,) if term.key is not None else query.keys)
    )
    searched = ", ".join(keys)
    records = f"{count} {_plural(count, 'record')}"
    if holder:
        value = query.values[0] if len(query.values) == 1 else "VALUE"
        return (
            f"{subject} found in {records} but in no key field; field '{holder}' "
            f"holds it (first: {at}; keys searched: {searched}; "
            f"write {holder}={value} to search it)"
        )
    return (
        f"{subject} found in {records} only in message text, not in a key field "
        f"(first: {at}; keys searched: {searched}; "
        "write key=VALUE to search another field)"
    )


def _plural(n: int, noun: str) -> str:
    return noun if n == 1 else noun + "s"


def _verb(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


def _carry(n: int) -> str:
    return "1 record carries" if n == 1 else f"{n} records carry"
