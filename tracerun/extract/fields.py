"""Field access: extracted fields + a configured expression → one value, and level names.

Plain dotted paths are walked by hand; JMESPath is imported only for real expressions.
"""

from __future__ import annotations

from typing import Any, Protocol

from tracerun.config.format import is_dotted_path

_LEVEL_WORDS = {
    "trace": "trace",
    "verbose": "trace",
    "debug": "debug",
    "dbg": "debug",
    "info": "info",
    "information": "info",
    "informational": "info",
    "notice": "info",
    "warn": "warn",
    "warning": "warn",
    "error": "error",
    "err": "error",
    "fatal": "fatal",
    "crit": "fatal",
    "critical": "fatal",
    "panic": "fatal",
    "alert": "fatal",
    "emerg": "fatal",
    "emergency": "fatal",
}
# Also the spellings logs use as-is, so the common case is one dict lookup.
_LEVELS = {
    **{word.upper(): level for word, level in _LEVEL_WORDS.items()},
    **{word.title(): level for word, level in _LEVEL_WORDS.items()},
    **_LEVEL_WORDS,
}
_NUMERIC_LEVELS: tuple[tuple[int, str], ...] = (
    (60, "fatal"),
    (50, "error"),
    (40, "warn"),
    (30, "info"),
    (20, "debug"),
    (10, "trace"),
)


class Getter(Protocol):
    """Reads one value out of a record's fields (None when absent)."""

    def get(self, fields: dict[str, Any]) -> Any:
        """Return the value, or None when the record does not have it."""
        ...

    def source_key(self, fields: dict[str, Any]) -> str | None:
        """Return the top-level key the value was read from, when it is one key."""
        ...


class KeyGetter:
    """A top-level key, taken literally (`@timestamp`, `log.level` as one key)."""

    __slots__ = ("key",)

    def __init__(self, key: str) -> None:
        self.key = key

    def get(self, fields: dict[str, Any]) -> Any:
        """Return `fields[key]`, or None."""
        return fields.get(self.key)

    def source_key(self, fields: dict[str, Any]) -> str | None:
        """Return the key when the record has it."""
        return self.key if self.key in fields else None


class PathGetter:
    """A dotted path `a.b.c` through nested objects.

    Why the flat fallback: logfmt and regex fields are flat, and a key such as
    `http.status` written there should be found by the same expression.
    """

    __slots__ = ("flat", "keys")

    def __init__(self, path: str) -> None:
        self.keys = tuple(path.split("."))
        self.flat = path

    def get(self, fields: dict[str, Any]) -> Any:
        """Return the value at the path, else the flat key, else None."""
        value: Any = fields
        for key in self.keys:
            if type(value) is not dict:
                return fields.get(self.flat)
            value = value.get(key)
        return value if value is not None else fields.get(self.flat)

    def source_key(self, fields: dict[str, Any]) -> str | None:
        """Return the flat key when the record has it (a nested value stays shown)."""
        return self.flat if self.flat in fields else None


class FirstGetter:
    """The first of several top-level keys that is present and not null."""

    __slots__ = ("keys",)

    def __init__(self, keys: tuple[str, ...]) -> None:
        self.keys = keys

    def get(self, fields: dict[str, Any]) -> Any:
        """Return the first present value, or None."""
        for key in self.keys:
            value = fields.get(key)
            if value is not None:
                return value
        return None

    def source_key(self, fields: dict[str, Any]) -> str | None:
        """Return the first key present and not null."""
        for key in self.keys:
            if fields.get(key) is not None:
                return key
        return None


class JmesPathGetter:
    """A compiled JMESPath expression (`a || b`, `items[0].id`, ...)."""

    __slots__ = ("_compiled", "expression")

    def __init__(self, expression: str) -> None:
        import jmespath  # noqa: PLC0415 - lazy: +7 ms, only for real expressions

        self.expression = expression
        self._compiled = jmespath.compile(expression)

    def __reduce__(self) -> tuple[type[JmesPathGetter], tuple[str]]:
        """Pickle as the expression text (worker processes recompile it)."""
        return (JmesPathGetter, (self.expression,))

    def get(self, fields: dict[str, Any]) -> Any:
        """Return the expression's result over the fields."""
        return self._compiled.search(fields)

    def source_key(self, fields: dict[str, Any]) -> str | None:  # noqa: ARG002
        """Return None: an expression's value is not one key."""
        return None


def expression_getter(expression: str) -> Getter:
    """Build the getter for a `fields:` expression: a path walk, or JMESPath."""
    if not is_dotted_path(expression):
        return JmesPathGetter(expression)
    if "." in expression:
        return PathGetter(expression)
    return KeyGetter(expression)


def field_getter(name: str | None, defaults: tuple[str, ...]) -> Getter:
    """Build the getter for a time/level/message field: configured, else defaults."""
    if name is None:
        return FirstGetter(defaults)
    if "." in name and is_dotted_path(name):
        return PathGetter(name)
    return KeyGetter(name)


def normalise_level(value: Any) -> str:
    """Map a level value to error/warn/info/debug/trace/fatal ("" when absent).

    Names are matched case-insensitively (warning→warn, err→error,
    crit/critical→fatal); bunyan/pino numbers 10..60 map to trace..fatal;
    anything else is returned lowercased.
    """
    if type(value) is str:
        level = _LEVELS.get(value)
        if level is not None:
            return level
        text = value.strip().lower()
        if (
            text.isascii() and text.isdigit() and len(text) < 20
        ):  # not '²', not 5,000 digits
            return _numeric_level(int(text))
        return _LEVEL_WORDS.get(text, text)
    if value is None:
        return ""
    if type(value) is int:
        return _numeric_level(value)
    return str(value).lower()


def _numeric_level(number: int) -> str:
    for floor, level in _NUMERIC_LEVELS:
        if number >= floor:
            return level
    return str(number)
