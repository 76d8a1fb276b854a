"""Field access: extracted fields + a configured expression → one value, and level names.

Plain dotted paths are walked by hand; JMESPath is imported only for real expressions.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from tracerun.config.format import is_dotted_path
from tracerun.extract.template import render_template

_LEVEL_WORDS = {
    "trace": "trace",
    "verbose": "trace",
    "debug": "debug",
    "dbg": "debug",
    "info": "info",
    "information": "info",
    "informational": "info",
    "notice": "info",
    "success": "info",  # loguru's, between INFO and WARNING
    "note": "info",  # MariaDB's and MySQL's error log
    "system": "info",  # MySQL 8's
    "warn": "warn",
    "warning": "warn",
    "error": "error",
    "err": "error",
    "fatal": "fatal",
    # Serilog's default file and console templates, `{Level:u3}`
    "vrb": "trace",
    "inf": "info",
    "wrn": "warn",
    "ftl": "fatal",
    "crit": "fatal",
    "critical": "fatal",
    "panic": "fatal",
    "alert": "fatal",
    "emerg": "fatal",
    "emergency": "fatal",
    # .NET's console logger (Microsoft.Extensions.Logging)
    "trce": "trace",
    "dbug": "debug",
    "fail": "error",
    # PostgreSQL: LOG is its informational level
    "log": "info",
    # java.util.logging
    "severe": "error",
    "config": "info",
    "fine": "debug",
    "finer": "trace",
    "finest": "trace",
}
INHERITED_LEVELS = frozenset(
    {"DETAIL", "HINT", "CONTEXT", "STATEMENT", "QUERY", "LOCATION"}
)
"""PostgreSQL lines that annotate the message logged just before them: they
take its level (a STATEMENT after an ERROR is an error); alone, they are info."""
_SYSLOG_SEVERITIES = (
    *("fatal", "fatal", "fatal", "error", "warn", "info", "info", "debug"),
)
"""Syslog severities 0-7: emerg, alert, crit, err, warning, notice, info, debug."""
# Also the spellings logs use as-is, so the common case is one dict lookup.
_LEVELS = {
    **{word.upper(): level for word, level in _LEVEL_WORDS.items()},
    **{word.title(): level for word, level in _LEVEL_WORDS.items()},
    **_LEVEL_WORDS,
    **dict.fromkeys(INHERITED_LEVELS, "info"),
}
_SUFFIXED = re.compile(r"([A-Za-z]+)[+-]\d+")
"""Go slog's levels between the named ones: `ERROR+4`, `INFO+2`, `DEBUG-4`."""
_NUMERIC_LEVELS: tuple[tuple[int, str], ...] = (
    (60, "fatal"),
    (50, "error"),
    (40, "warn"),
    (30, "info"),
    (20, "debug"),
    (10, "trace"),
)
_MONOLOG_LEVELS: tuple[tuple[int, str], ...] = (
    (500, "fatal"),  # CRITICAL 500, ALERT 550, EMERGENCY 600
    (400, "error"),
    (300, "warn"),
    (200, "info"),  # INFO 200, NOTICE 250
    (100, "debug"),
)
"""Monolog's (PHP) numbers, 100 to 600, as its JsonFormatter writes `level`."""


class Getter(Protocol):
    """Reads one value out of a record's fields (None when absent)."""

    def get(self, fields: dict[str, Any]) -> Any:
        """Return the value, or None when the record does not have it.

        Raises:
            EvaluationError: only a JMESPath getter, whose expression fails here.
        """
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


class ScalarGetter(FirstGetter):
    """The first of several keys holding a string or number (a nested object is skipped).

    Why: a default key list (`event` for structlog's message) must not pick an
    object that only shares the name (ECS's `event: {dataset: ...}`).
    """

    __slots__ = ()

    def get(self, fields: dict[str, Any]) -> Any:
        """Return the first present scalar, or None."""
        key = self.source_key(fields)
        return None if key is None else fields[key]

    def source_key(self, fields: dict[str, Any]) -> str | None:
        """Return the first key present with a scalar value."""
        for key in self.keys:
            value = fields.get(key)
            if (
                value is not None
                and type(value) is not dict
                and type(value) is not list
            ):
                return key
        return None


class MessageGetter(ScalarGetter):
    """The default message keys; Serilog's template `@mt` is rendered."""

    __slots__ = ()

    def get(self, fields: dict[str, Any]) -> Any:
        """Return the first message found, a `@mt` template filled in."""
        key = self.source_key(fields)
        if key is None:
            return None
        value = fields[key]
        if key == "@mt" and type(value) is str:
            return render_template(value, fields)
        return value


class LevelGetter(ScalarGetter):
    """The default level keys; a Serilog record without `@l` is Information.

    MongoDB 4.4+ writes its severity as `"s": "I"` beside `"t"` and `"c"`
    (F, E, W, I, D1-D5); `s` is read only in that shape, as a bare `s` is
    anything. An OTLP log record without `severityText` has its
    `severityNumber` (1-24: TRACE, DEBUG, INFO, WARN, ERROR, FATAL by fours).
    """

    __slots__ = ()

    def get(self, fields: dict[str, Any]) -> Any:
        """Return the first level found, else Information for a CLEF record."""
        key = super().source_key(fields)  # not `s`: its letter is not the level
        if key is not None:
            return fields[key]
        if ("@mt" in fields or "@m" in fields) and "@t" in fields:
            return "Information"
        if "severityNumber" in fields:
            return _otel_severity(fields["severityNumber"])
        return _MONGO_SEVERITIES.get(fields["s"]) if _mongo_shaped(fields) else None

    def source_key(self, fields: dict[str, Any]) -> str | None:
        """Return the level's key (MongoDB's `s` and OTLP's `severityNumber` too)."""
        key = super().source_key(fields)
        if key is None and "severityNumber" in fields:
            return "severityNumber"
        if key is None and _mongo_shaped(fields):
            return "s"
        return key


_OTEL_SEVERITIES = ("trace", "debug", "info", "warn", "error", "fatal")


def _otel_severity(number: Any) -> str | None:
    """Name an OTel SeverityNumber (1-4 TRACE … 21-24 FATAL); None when unset or odd.

    The protobuf JSON mapping may also write the enum's name (`SEVERITY_NUMBER_WARN2`).
    """
    if type(number) is str and number.startswith("SEVERITY_NUMBER_"):
        word = number.removeprefix("SEVERITY_NUMBER_").rstrip("234").lower()
        return word if word in _OTEL_SEVERITIES else None
    if type(number) is int and 1 <= number <= 24:
        return _OTEL_SEVERITIES[(number - 1) // 4]
    return None


_MONGO_SEVERITIES = {"F": "fatal", "E": "error", "W": "warn", "I": "info"} | {
    f"D{n}": "debug" for n in ("", "1", "2", "3", "4", "5")
}


def _mongo_shaped(fields: dict[str, Any]) -> bool:
    value = fields.get("s")
    return (
        type(value) is str
        and value in _MONGO_SEVERITIES
        and "t" in fields
        and "c" in fields
    )


class TimeGetter(FirstGetter):
    """The default time keys; GCP's `timestampSeconds` + `timestampNanos` too.

    Why: Cloud Logging's structured logging takes the time as those two keys
    (or `timestamp: {seconds, nanos}`, which parse_time reads as an object).
    """

    __slots__ = ()

    def get(self, fields: dict[str, Any]) -> Any:
        """Return the first time found, else GCP's pair as one object."""
        value = super().get(fields)
        if value is None and "timestampSeconds" in fields:
            return {
                "seconds": fields["timestampSeconds"],
                "nanos": fields.get("timestampNanos", 0),
            }
        return value

    def source_key(self, fields: dict[str, Any]) -> str | None:
        """Return the time's key (`timestampSeconds` for GCP's pair)."""
        key = super().source_key(fields)
        if key is None and "timestampSeconds" in fields:
            return "timestampSeconds"
        return key


class JmesPathGetter:
    """A compiled JMESPath expression (`a || b`, `items[0].id`, ...)."""

    __slots__ = ("_compiled", "expression")

    def __init__(self, expression: str) -> None:
        from tracerun.expression import compile_expression  # noqa: PLC0415 - lazy: imports jmespath, only for real expressions

        self.expression = expression
        self._compiled = compile_expression(expression)

    def __reduce__(self) -> tuple[type[JmesPathGetter], tuple[str]]:
        """Pickle as the expression text (worker processes recompile it)."""
        return (JmesPathGetter, (self.expression,))

    def get(self, fields: dict[str, Any]) -> Any:
        """Return the expression's result over the fields.

        Raises:
            EvaluationError: the expression fails on these fields (a type error).
        """
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


def field_getter(
    name: str | None, defaults: tuple[str, ...], kind: type[FirstGetter] = FirstGetter
) -> Getter:
    """Build the getter for a time/level/message field: configured, else defaults.

    `kind` reads the defaults (MessageGetter, LevelGetter); a configured name
    is read as it is.
    """
    if name is None:
        return kind(defaults)
    if "." in name and is_dotted_path(name):
        return PathGetter(name)
    return KeyGetter(name)


def normalise_level(value: Any) -> str:
    """Map a level value to error/warn/info/debug/trace/fatal ("" when absent).

    Names are matched case-insensitively (warning→warn, err→error,
    crit/critical→fatal, PostgreSQL's LOG→info); slog's `ERROR+4` is error;
    syslog severities 0..7 (emerg..debug), bunyan/pino numbers 10..60 and
    Monolog's 100..600 map to fatal..debug, trace..fatal and debug..fatal;
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
        suffixed = _SUFFIXED.fullmatch(text)
        if suffixed is not None and suffixed[1] in _LEVEL_WORDS:
            return _LEVEL_WORDS[suffixed[1]]
        return _LEVEL_WORDS.get(text, text)
    if value is None:
        return ""
    if type(value) is int:
        return _numeric_level(value)
    return str(value).lower()


def _numeric_level(number: int) -> str:
    if 0 <= number < len(_SYSLOG_SEVERITIES):
        return _SYSLOG_SEVERITIES[number]
    scale = _MONOLOG_LEVELS if 100 <= number <= 600 else _NUMERIC_LEVELS
    for floor, level in scale:
        if number >= floor:
            return level
    return str(number)
