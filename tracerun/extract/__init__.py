"""Extract: one decoded log line → Parsed(time, level, message, fields).

`EXTRACTORS` is the registry (parser `type:` = module name = key); `build_parser`
turns a source's parser setting into the immutable Parser used per matched line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from tracerun.config.format import DEFAULT_LEVEL_FIELDS, DEFAULT_MESSAGE_FIELDS
from tracerun.config.spec import (
    AutoParserConfig,
    JsonParserConfig,
    LogfmtParserConfig,
    ParserConfig,
    RegexParserConfig,
)
from tracerun.errors import EvaluationError, TracerunError
from tracerun.extract import auto, json, logfmt, regex
from tracerun.extract.base import Extractor
from tracerun.extract.fields import (
    Getter,
    expression_getter,
    field_getter,
    normalise_level,
)
from tracerun.timeparse import parse_time, starts_record

EXTRACTORS: dict[str, Callable[[Any], Extractor]] = {
    "auto": auto.from_config,
    "json": json.from_config,
    "logfmt": logfmt.from_config,
    "regex": regex.from_config,
}
"""Parser type → factory taking that type's config."""

DEFAULT_TIME_FIELDS = ("time", "ts", "timestamp", "@timestamp", "t")


@dataclass(frozen=True, slots=True)
class Parsed:
    """What one log line says: its instant, level, message and every field.

    Attributes:
        time: µs since the epoch; None when there is no readable timestamp.
        level: error/warn/info/debug/trace/fatal, another name lowercased, or "".
        message: the message text, or "".
        fields: the extractor's fields plus the configured `fields` expressions.
        failed: the `fields` expressions that failed on this line: (name,
            expression, why); such a field is left out.
    """

    time: int | None
    level: str
    message: str
    fields: dict[str, Any]
    failed: tuple[tuple[str, str, EvaluationError], ...] = ()


@dataclass(frozen=True, slots=True)
class Parser:
    """A source's parser, built once from its config and applied per matched line."""

    name: str
    extractor: Extractor
    derived: tuple[tuple[str, str, Getter], ...]
    """The `fields` entries: (name, expression, its getter)."""
    time: Getter
    time_format: str | None
    level: Getter
    message: Getter
    pattern: re.Pattern[str] | None = None

    def parse(self, line: str, tz: tzinfo) -> Parsed | None:
        """Parse one line (without its newline); None when it is not this format."""
        fields = self.extractor.extract(line.removesuffix("\r"))
        if fields is None:
            return None
        failed = _add_derived(fields, self.derived) if self.derived else ()
        raw_time = self.time.get(fields)
        message = self.message.get(fields)
        time = None if raw_time is None else parse_time(raw_time, self.time_format, tz)
        level = normalise_level(self.level.get(fields))
        text = "" if message is None else str(message)
        return Parsed(time, level, text, fields, failed)  # positional: ~30% cheaper

    def shown_elsewhere(self, fields: dict[str, Any]) -> tuple[str, ...]:
        """Return the keys this record's time, level and message were read from.

        Text output shows those three in their own columns, so it leaves these
        keys out of the trailing `key=value` list.
        """
        keys = (
            self.time.source_key(fields),
            self.level.source_key(fields),
            self.message.source_key(fields),
        )
        return tuple(key for key in keys if key is not None)

    def is_record_start(self, line: bytes) -> bool:
        """Tell whether a raw line starts a record: the default rule, or the regex."""
        if starts_record(line):
            return True
        if self.pattern is None:
            return False
        return self.pattern.search(line.decode("utf-8", "replace")) is not None


def _add_derived(
    fields: dict[str, Any], derived: tuple[tuple[str, str, Getter], ...]
) -> tuple[tuple[str, str, EvaluationError], ...]:
    """Evaluate every expression over the extracted fields, then add the non-null ones.

    Returns the expressions that failed on this line (their fields stay absent).
    """
    values: list[tuple[str, Any]] = []
    failed: list[tuple[str, str, EvaluationError]] = []
    for name, expression, getter in derived:
        try:
            values.append((name, getter.get(fields)))
        except EvaluationError as exc:
            failed.append((name, expression, exc))
    for name, value in values:
        if value is not None:
            fields[name] = value
    return tuple(failed)


def build_parser(spec: str | ParserConfig, named: Mapping[str, ParserConfig]) -> Parser:
    """Build the runtime Parser for a source's `parser` setting.

    Args:
        spec: a parser name (from `named`, else built-in auto/json/logfmt) or an
            inline parser config.
        named: the profile's `parsers`.

    Raises:
        TracerunError: `spec` names no parser (the profile check normally
            reports this first).
    """
    if isinstance(spec, str):
        return _build(spec, _named_config(spec, named))
    return _build(f"inline {spec.type}", spec)


def _named_config(name: str, named: Mapping[str, ParserConfig]) -> ParserConfig:
    if name in named:
        return named[name]
    if name == "auto":
        return AutoParserConfig()
    if name == "json":
        return JsonParserConfig()
    if name == "logfmt":
        return LogfmtParserConfig()
    known = ", ".join(sorted({"auto", "json", "logfmt", *named}))
    msg = f"unknown parser {name!r}"
    raise TracerunError(msg, f"parsers defined here: {known}")


def _build(name: str, config: ParserConfig) -> Parser:
    pattern = (
        re.compile(config.pattern) if isinstance(config, RegexParserConfig) else None
    )
    return Parser(
        name=name,
        extractor=EXTRACTORS[config.type](config),
        derived=tuple((k, e, expression_getter(e)) for k, e in config.fields.items()),
        time=field_getter(config.time.field, DEFAULT_TIME_FIELDS),
        time_format=config.time.format,
        level=field_getter(config.level, DEFAULT_LEVEL_FIELDS),
        message=field_getter(config.message, DEFAULT_MESSAGE_FIELDS),
        pattern=pattern,
    )
