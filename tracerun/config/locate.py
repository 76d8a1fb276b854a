"""Locate profile problems: key path → (file, line, col), pydantic errors → ConfigIssues.

Input: the `{key path: Mark}` index reader.py builds while reading YAML, and the
errors of a pydantic ValidationError; output: ConfigIssue objects with an excerpt.
Wording is chosen by pydantic's error `type`, never by its message text.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from tracerun.config.checks import CheckError
from tracerun.config.marks import Where, located
from tracerun.config.model import Profile
from tracerun.errors import ConfigIssue, ExpressionError, cut, quoted
from tracerun.plain import plain, replace

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

    from tracerun.config.marks import KeyPath, Marks


def validation_issues(
    errors: Sequence[ErrorDetails], marks: Marks
) -> list[ConfigIssue]:
    """Turn pydantic's errors for a Profile into located, de-duplicated issues."""
    pairs = [(error, _explain(error, marks)) for error in errors]
    misspelt = _misspelt_keys(pairs)
    explained = _prune_branches(
        [item for error, item in pairs if _parent_key(error) not in misspelt]
    )
    issues = [
        _inside(
            located(marks, e.path, e.message, e.hint, at=e.at, shown=e.shown),
            e,
        )
        for e in explained
    ]
    return list(dict.fromkeys(issues))


def _parent_key(error: ErrorDetails) -> tuple[tuple[str | int, ...], str] | None:
    """(where, key) of a "missing" error; None for any other."""
    if error["type"] != "missing" or not error["loc"]:
        return None
    return tuple(error["loc"][:-1]), str(error["loc"][-1])


def _misspelt_keys(
    pairs: Sequence[tuple[ErrorDetails, _Explained]],
) -> set[tuple[tuple[str | int, ...], str] | None]:
    """Find the missing keys that an unknown key beside them misspells (`sorces:`).

    Why: the unknown key's hint already says "did you mean 'sources'?"; a
    second problem "missing required key 'sources'" is the same mistake.
    """
    import difflib  # noqa: PLC0415 - error path only

    found: set[tuple[tuple[str | int, ...], str] | None] = set()
    for error, item in pairs:
        owner = item.walk.owner
        if error["type"] != "extra_forbidden" or owner is None or not error["loc"]:
            continue
        allowed = sorted(set(owner.model_fields) - {"type"})
        meant = difflib.get_close_matches(str(error["loc"][-1]), allowed, n=1)
        found.update((tuple(error["loc"][:-1]), key) for key in meant)
    return found


def _inside(issue: ConfigIssue, explained: _Explained) -> ConfigIssue:
    """Move the caret from an expression's start to the character at `offset`.

    Only when the written value maps one to one onto the text: a plain or
    single-quoted scalar on one line without escapes; otherwise keep the start.
    """
    line, offset, text = issue.source_line, explained.offset, explained.text
    if offset is None or text is None or line is None:
        return issue
    start = issue.col - 1
    quoted = line[start : start + 1] == "'"
    if line[start + quoted : start + quoted + len(text)] != text:
        return issue
    offset = min(offset, len(text))
    width = max(1, min(explained.width, len(text) - offset))
    return replace(issue, col=issue.col + quoted + offset, width=width)


# --- walking pydantic's `loc` along the model's types ---------------------------


@plain(frozen=True, slots=True)
class _Walk:
    path: KeyPath
    owner: type[BaseModel] | None
    end: Any
    branch: tuple[KeyPath, str] | None
    dict_key: bool = False


def _walk(
    loc: tuple[str | int, ...], root: Any = Profile, marks: Marks | None = None
) -> _Walk:
    """Follow `loc` through the model, dropping union tags and union member labels.

    `[key]` is pydantic's marker for a bad mapping key, unless the document
    has a key of that very name there (`marks` tells).
    """
    tp: Any = root
    path: list[str | int] = []
    owner: type[BaseModel] | None = None
    branch: tuple[KeyPath, str] | None = None
    for part in loc:
        if part == "[key]" and path and (*path, part) not in (marks or {}):
            where = _as_marked(tuple(path), marks or {})
            return _Walk(where, owner, None, branch, dict_key=True)
        kind, tp, model = _step(tp, part)
        if kind == "key":
            path.append(part)
            owner = model
        elif kind == "label" and branch is None:
            branch = (tuple(path), str(part))
    return _Walk(tuple(path), owner, tp, branch)


@plain(frozen=True, slots=True)
class _Tagged:
    union: Any


def _step(tp: Any, part: str | int) -> tuple[str, Any, type[BaseModel] | None]:
    inner, tagged = _strip(tp)
    members = _members(inner)
    if members and tagged:
        return "tag", next((m for m in members if _tag_of(m) == part), None), None
    if members:
        return "label", _labelled(members, str(part)), None
    if _is_model(inner):
        field = inner.model_fields.get(str(part))
        if field is None:
            return "key", None, inner
        if field.discriminator is not None:
            return "key", _Tagged(field.annotation), inner
        return "key", field.annotation, inner
    args = typing.get_args(inner)
    if typing.get_origin(inner) is dict and len(args) == 2:
        return "key", args[1], None
    return "key", (args[0] if typing.get_origin(inner) is list else None), None


def _strip(tp: Any) -> tuple[Any, bool]:
    """Remove Annotated wrappers and `| None`; tell whether a discriminator was set."""
    tagged = False
    while True:
        if isinstance(tp, _Tagged):
            tp, tagged = tp.union, True
        elif typing.get_origin(tp) is typing.Annotated:
            tp, *meta = typing.get_args(tp)
            tagged = tagged or any(getattr(m, "discriminator", None) for m in meta)
        elif len(kept := [m for m in _members(tp) if m is not type(None)]) == 1:
            tp = kept[0]
        else:
            return tp, tagged


def _members(tp: Any) -> tuple[Any, ...]:
    origin = typing.get_origin(tp)
    return typing.get_args(tp) if origin in (typing.Union, types.UnionType) else ()


def _is_model(tp: Any) -> typing.TypeGuard[type[BaseModel]]:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _tag_of(member: Any) -> str | None:
    if not _is_model(member) or "type" not in member.model_fields:
        return None
    values = typing.get_args(member.model_fields["type"].annotation)
    return str(values[0]) if values else None


def _labelled(members: tuple[Any, ...], label: str) -> Any:
    for member in members:
        inner, tagged = _strip(member)
        if tagged and label.startswith("tagged-union["):
            return member
        plain = typing.get_origin(inner) is None
        name = getattr(inner, "__name__", "") if plain else str(inner)
        if name.replace(" ", "") == label:
            return member
    return None


# --- wording, chosen by error type ----------------------------------------------


@plain(frozen=True, slots=True)
class _Explained:
    path: KeyPath
    message: str
    hint: str | None
    at: Where
    shown: KeyPath | None
    walk: _Walk
    expected: str | None = None
    """For a wrong-type error: the kind wanted ("a list")."""
    got: str | None = None
    """For a wrong-type error: the kind given ("a number (5)")."""
    offset: int | None = None
    """For a bad expression: where in the value's text the problem is."""
    text: str | None = None
    """For a bad expression: the expression itself."""
    width: int = 1
    """For a bad expression: how many characters to underline at `offset`."""


Handler = Callable[["ErrorDetails", _Walk], _Explained]

_EXPECTED = {
    "string_type": "a string",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
}


def _explain(error: ErrorDetails, marks: Marks) -> _Explained:
    walk = _walk(error["loc"], marks=marks)
    if walk.dict_key:
        return _dict_key(error, walk, marks)
    handler = _HANDLERS.get(error["type"])
    if handler is None:
        handler = _wrong_type if error["type"] in _EXPECTED else _other
    return handler(error, walk)


def _missing(_error: ErrorDetails, walk: _Walk) -> _Explained:
    key, parent = walk.path[-1], walk.path[:-1]
    field = walk.owner.model_fields.get(str(key)) if walk.owner else None
    hint = f"{key}: {field.description}" if field and field.description else None
    if field and field.examples and hint:
        hint = f"add it, e.g. `{_flow({str(key): field.examples[0]})}`; {hint}"
    message = f"missing required key {key!r}"
    return _Explained(parent, message, hint, "key", parent, walk)


def _flow(value: dict[str, Any]) -> str:
    """One line of YAML for a key and its example value (`paths: [./logs/]`)."""
    import yaml  # noqa: PLC0415 - error path only

    text = yaml.safe_dump(
        value, default_flow_style=True, sort_keys=False, width=1000, allow_unicode=True
    )
    return text.strip().removeprefix("{").removesuffix("}")


def _extra(_error: ErrorDetails, walk: _Walk) -> _Explained:
    key, parent = walk.path[-1], walk.path[:-1]
    allowed = sorted(set(walk.owner.model_fields) - {"type"}) if walk.owner else []
    accepts = f"{_what(walk.owner, parent)}: {', '.join(allowed)}"
    hint = _did_you_mean(str(key), allowed) + accepts if allowed else None
    message = f"unknown key {quoted(key)}"
    return _Explained(walk.path, message, hint, "key", parent, walk)


def _tag_invalid(error: ErrorDetails, walk: _Walk) -> _Explained:
    given = error["input"]
    tag = given.get("type") if isinstance(given, dict) else None
    tags, kind = _union_tags(walk.end)
    hint = _did_you_mean(str(tag), tags) + f"{kind} types: {', '.join(tags)}"
    here = (*walk.path, "type")
    message = f"unknown type {quoted(tag)}"
    return _Explained(here, message, hint, "value", walk.path, walk)


def _tag_missing(_error: ErrorDetails, walk: _Walk) -> _Explained:
    tags, kind = _union_tags(walk.end)
    hint = f"{kind} types: {', '.join(tags)}"
    message = "missing required key 'type'"
    return _Explained(walk.path, message, hint, "key", walk.path, walk)


def _literal(error: ErrorDetails, walk: _Walk) -> _Explained:
    inner, _ = _strip(walk.end)
    if typing.get_origin(inner) is not Literal:
        return _other(error, walk)
    values = typing.get_args(inner)
    given = error["input"]
    message = f"expected {_one_of(values)}, got {quoted(given)}"
    guess = (
        _did_you_mean(given, [str(v) for v in values]) if isinstance(given, str) else ""
    )
    hint = guess.rstrip() or None
    return _Explained(walk.path, message, hint, "value", None, walk)


def _value_error(error: ErrorDetails, walk: _Walk) -> _Explained:
    cause = (error.get("ctx") or {}).get("error")
    message = str(cause) if cause is not None else error["msg"]
    if isinstance(cause, ExpressionError):
        text = error["input"] if isinstance(error["input"], str) else None
        return _Explained(
            walk.path,
            message,
            cause.hint,
            "value",
            None,
            walk,
            offset=cause.offset,
            text=text,
            width=cause.width,
        )
    hint = cause.hint if isinstance(cause, CheckError) else None
    return _Explained(walk.path, message, hint, "value", None, walk)


def _too_short(error: ErrorDetails, walk: _Walk) -> _Explained:
    least = (error.get("ctx") or {}).get("min_length", 1)
    message = "must not be empty" if least == 1 else f"needs at least {least} entries"
    return _Explained(walk.path, message, None, "value", None, walk)


def _wrong_type(error: ErrorDetails, walk: _Walk) -> _Explained:
    expected, given = _EXPECTED[error["type"]], error["input"]
    got = _kind(given)
    message = f"expected {expected}, got {got}"
    hint = _type_hint(expected, given)
    return _Explained(walk.path, message, hint, "value", None, walk, expected, got)


def _type_hint(expected: str, given: object) -> str | None:
    """Say how to write what was meant, for the usual slips of YAML."""
    if expected == "a list" and isinstance(given, str):
        return f"write a list: [{cut(given)}]"
    if expected == "a mapping" and isinstance(given, list):
        return "write its entries as `name: value` lines, without `- ` before them"
    number = isinstance(given, int | float) and not isinstance(given, bool)
    if expected == "a string" and number:
        return "quote it: YAML reads it as a number"
    return None


def _dict_key(error: ErrorDetails, walk: _Walk, marks: Marks) -> _Explained:
    key = walk.path[-1]
    cause = (error.get("ctx") or {}).get("error")
    if error["type"] == "value_error" and cause is not None:  # a checked name (env)
        hint = cause.hint if isinstance(cause, CheckError) else None
        return _Explained(walk.path, str(cause), hint, "key", None, walk)
    written = _written_key(marks, walk.path)
    if written is None or written == str(key):
        message = f"name {quoted(key)} must be a string"
    else:  # `yes:`, `on:`, `null:` (YAML 1.1): name what the user wrote
        read = {True: "true", False: "false", None: "null"}.get(key, quoted(key))
        message = f"name {quoted(written)} must be a string; YAML reads it as {read}"
    hint = f"quote it: '{cut(written or str(key))}'"
    renamed = written is not None and written != str(key)
    shown = (*walk.path[:-1], written) if renamed else None
    return _Explained(walk.path, message, hint, "key", shown, walk)


# pydantic's `loc` shows a mapping key YAML read as true/false as 1/0, null as 'None'.
_LOC_KEYS: dict[object, tuple[object, ...]] = {1: (True,), 0: (False,), "None": (None,)}


def _as_marked(path: KeyPath, marks: Marks) -> KeyPath:
    """Give the key path as the marks hold it (the YAML key, not pydantic's)."""
    if path in marks:
        return path
    for key in _LOC_KEYS.get(path[-1], ()):
        if (*path[:-1], key) in marks:
            return (*path[:-1], key)
    return path


def _written_key(marks: Marks, path: KeyPath) -> str | None:
    """Give the key at `path` as the profile writes it, if it is on one line."""
    mark = marks.get(path)
    if mark is None or mark.key is None:
        return None
    span = mark.key
    line = (
        mark.source.lines[span.line - 1] if span.line <= len(mark.source.lines) else ""
    )
    return line[span.col - 1 : span.col - 1 + span.width] or None


def _other(error: ErrorDetails, walk: _Walk) -> _Explained:
    return _Explained(walk.path, error["msg"], None, "value", None, walk)


_HANDLERS: dict[str, Handler] = {
    "missing": _missing,
    "extra_forbidden": _extra,
    "union_tag_invalid": _tag_invalid,
    "union_tag_not_found": _tag_missing,
    "literal_error": _literal,
    "value_error": _value_error,
    "assertion_error": _value_error,
    "too_short": _too_short,
}


def _prune_branches(explained: list[_Explained]) -> list[_Explained]:
    """Keep one story per plain union (`str | parser mapping`, `mapping | list`).

    A union member whose only error is "wrong type, right there" is dropped when
    another member got further; when none did, they become one "expected A or B".
    """
    by_union: dict[KeyPath, list[_Explained]] = {}
    for item in explained:
        if item.walk.branch is not None:
            by_union.setdefault(item.walk.branch[0], []).append(item)
    kept = [item for item in explained if item.walk.branch is None]
    for where, items in by_union.items():
        shallow = [i for i in items if i.expected is not None and i.path == where]
        deep = [i for i in items if all(i is not s for s in shallow)]
        kept.extend(deep or _combined(shallow))
    return kept


def _combined(items: list[_Explained]) -> list[_Explained]:
    expected = " or ".join(dict.fromkeys(str(i.expected) for i in items))
    first = items[0]
    message = f"expected {expected}, got {first.got}"
    return [_Explained(first.path, message, None, "value", None, first.walk)]


# --- small wording helpers ------------------------------------------------------


def _did_you_mean(given: str, choices: Sequence[str]) -> str:
    import difflib  # noqa: PLC0415 - error path only

    close = difflib.get_close_matches(given, list(choices), n=1)
    return f"did you mean {close[0]!r}? " if close else ""


def _union_tags(union: Any) -> tuple[list[str], str]:
    inner, _ = _strip(union)
    members = [m for m in _members(inner) if _tag_of(m) is not None]
    tags = sorted(str(_tag_of(m)) for m in members)
    return tags, (_kind_word(members[0]) if members else "allowed")


def _kind_word(model: Any) -> str:
    """`DockerSourceConfig` → `source`: the last word of the name before `Config`."""
    name = str(getattr(model, "__name__", "")).removesuffix("Config")
    uppers = [i for i, char in enumerate(name) if char.isupper()]
    return name[uppers[-1] :].lower() if uppers else name.lower()


def _what(owner: type[BaseModel] | None, parent: KeyPath) -> str:
    tag = _tag_of(owner)
    if tag is not None:
        return f"{tag} {_kind_word(owner)}s accept"
    if owner is Profile or not parent:
        return "profiles accept"
    names = [str(part) for part in parent if isinstance(part, str)]
    return f"{names[-1] if names else 'this mapping'} accepts"


def _one_of(values: Sequence[object]) -> str:
    shown = [repr(v) for v in values]
    if len(shown) <= 2:
        return " or ".join(shown)
    return "one of " + ", ".join(shown)


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, int | float):
        return f"a number ({cut(str(value))})"
    if isinstance(value, str):
        return f"a string ({quoted(value)})"
    return "a mapping" if isinstance(value, dict) else "a list"
