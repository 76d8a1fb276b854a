"""Extract: one decoded log line → Parsed(time, level, message, fields).

`EXTRACTORS` is the registry (parser `type:` = module name = key); `build_parser`
turns a source's parser setting into the immutable Parser used per matched line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
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
from tracerun.extract import auto, json, logfmt, otlp, regex
from tracerun.extract.base import Extractor
from tracerun.extract.fields import (
    INHERITED_LEVELS,
    Getter,
    JmesPathGetter,
    LevelGetter,
    MessageGetter,
    TimeGetter,
    expression_getter,
    field_getter,
    normalise_level,
)
from tracerun.extract.shapes import starts_record
from tracerun.extract.stacks import stack_of
from tracerun.plain import plain, replace
from tracerun.timeparse import Zones, parse_time

EXTRACTORS: dict[str, Callable[[Any], Extractor]] = {
    "auto": auto.from_config,
    "json": json.from_config,
    "logfmt": logfmt.from_config,
    "regex": regex.from_config,
}
"""Parser type → factory taking that type's config."""

DEFAULT_TIME_FIELDS = (
    *("time", "ts", "timestamp", "@timestamp", "t", "@t", "asctime", "instant"),
    *("timeMillis", "__REALTIME_TIMESTAMP", "datetime"),
    *("timeUnixNano", "observedTimeUnixNano"),
)
"""Where a record's time is looked for, first present wins (see the README)."""


@plain(frozen=True, slots=True)
class Parsed:
    """What one log line says: its instant, level, message and every field.

    Attributes:
        time: µs since the epoch; None when there is no readable timestamp.
        level: error/warn/info/debug/trace/fatal, another name lowercased, or "".
        message: the message text, or "".
        fields: the extractor's fields plus the configured `fields` expressions.
        failed: the `fields` expressions that failed on this line: (name,
            expression, why); such a field is left out.
        inherits: the level word annotates the record before (PostgreSQL's
            DETAIL, STATEMENT, ...), whose level it takes when there is one.
        parts: the records of a line that holds several (an OTLP batch,
            extract/otlp.py), in the order written; the line's own time,
            level, message and fields are then its first part's.
        raw: a part's own text (its log record as JSON); "" for a whole line.
    """

    time: int | None
    level: str
    message: str
    fields: dict[str, Any]
    failed: tuple[tuple[str, str, EvaluationError], ...] = ()
    inherits: bool = False
    parts: tuple[Parsed, ...] = ()
    raw: str = ""


@plain(frozen=True, slots=True)
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
    zones: Zones | None = None
    continued: bool = False
    """Read `key=value` pairs on continuation lines too (text parsers)."""
    defined: frozenset[str] = frozenset()
    """The names of the profile's `fields:` expressions."""
    timezone: str | None = None
    """The parser's zone for naive timestamps (a source's `timezone` wins)."""

    @property
    def whole_values(self) -> bool:
        """Tell whether a field value is always a whole token of the line.

        True for json, logfmt and auto without JMESPath `fields:` (a plain path
        only moves a value): a needle inside a longer token then cannot be a
        value equal to it (read/bounds.py). A regex can capture part of a token.
        """
        return self.pattern is None and not any(
            isinstance(getter, JmesPathGetter) for _, _, getter in self.derived
        )

    def keyed_values(self, keys: Iterable[str]) -> bool:
        """Tell whether a value of these keys is always written after `=` or `:`.

        True for json and logfmt, and for auto without `fields:` when no key is
        one a text line's position gives (POSITIONAL: `level`, `user`, `msg`, …;
        but JUDGED_PLACES, such as Envoy's `x-request-id`, bounds.py can judge):
        their values come from `key=value`, `key="value"` or `"key": value`
        only, so a hit after anything else is message text (read/bounds.py).
        """
        if not self.whole_values:
            return False
        if isinstance(self.extractor, json.JsonExtractor | logfmt.LogfmtExtractor):
            return True
        if not isinstance(self.extractor, auto.AutoExtractor) or self.derived:
            return False
        return not any(
            (key in auto.POSITIONAL or key.partition(".")[0] in auto.POSITIONAL)
            and key not in auto.JUDGED_PLACES
            for key in keys
        )

    def parse(
        self, line: str, tz: tzinfo, written_us: int | None = None
    ) -> Parsed | None:
        """Parse one line (without its newline); None when it is not this format.

        `written_us`: when the log was last written (a file's modification
        time), which dates a time of day alone (timeparse.parse_time).
        """
        if line.startswith("\0"):
            # NUL padding: a writer without O_APPEND kept its offset after
            # logrotate's copytruncate (#11).
            line = line.lstrip("\0")
        fields = self.extractor.extract(line.removesuffix("\r"))
        if fields is None:
            return None
        if otlp.BATCH_KEY in fields:
            batch = otlp.log_records(fields[otlp.BATCH_KEY])
            if batch is not None:
                return self._batch(batch, tz)
        return self._fields(fields, tz, written_us)

    def _batch(
        self, batch: list[tuple[dict[str, Any], dict[str, Any]]], tz: tzinfo
    ) -> Parsed:
        """Read each record of a batch line; the line reads as its first."""
        parts = tuple(
            replace(self._fields(fields, tz), raw=otlp.record_text(written))
            for fields, written in batch
        )
        return replace(parts[0], parts=parts, raw="")

    def _fields(
        self, fields: dict[str, Any], tz: tzinfo, written_us: int | None = None
    ) -> Parsed:
        """Read one record's time, level and message from its fields."""
        failed = _add_derived(fields, self.derived) if self.derived else ()
        raw_time = self.time.get(fields)
        message = self.message.get(fields)
        time = (
            None
            if raw_time is None
            else parse_time(
                raw_time,
                self.time_format,
                tz,
                zones=self.zones,
                written_us=written_us,
            )
        )
        raw_level = self.level.get(fields)
        level = normalise_level(raw_level)
        text = "" if message is None else str(message)
        if type(raw_level) is str and raw_level in INHERITED_LEVELS:
            return Parsed(time, level, text, fields, failed, True)
        return Parsed(time, level, text, fields, failed)  # positional: ~30% cheaper

    def continued_fields(self, lines: list[str]) -> dict[str, str | list[str]]:
        """Return the `key=value` pairs of a record's continuation lines (text parsers).

        Why: a record carries an id in a `key=value` token of any of its lines
        (a statement continued on the next line, a traceback's last line). They
        are matched, not shown: a traceback's code is full of `a=b` tokens. A
        key written with several values (`request_id=X0` in one frame,
        `request_id=X` in the cause) holds them all, as a list, so that each
        of them matches (the matcher takes a list as any of its items). A
        `    key: "value"` line (pino-pretty's, bunyan's CLI: a record's fields
        under its first line) gives its pair too.
        """
        found: dict[str, str | list[str]] = {}
        if self.continued:
            for line in lines:
                for key, value in auto.continued_pairs(line):
                    held = found.setdefault(key, value)
                    if held == value:
                        continue
                    if isinstance(held, str):
                        found[key] = [held, value]
                    elif value not in held:
                        held.append(value)
        return found

    def stack(self, fields: dict[str, Any]) -> tuple[str, tuple[str, ...]] | None:
        """Return the field holding a stack trace and its lines, if the record has one."""
        return stack_of(fields)

    def shown_elsewhere(
        self, fields: dict[str, Any], message: str = ""
    ) -> tuple[str, ...]:
        """Return the keys this record's time, level and message were read from.

        Text output shows those three in their own columns, so it leaves these
        keys out of the trailing `key=value` list; so too a `key=value` (or
        `key: value`) pair that the message holds as written (`/* request_id=abc
        */ INSERT ...`, AWS Lambda's `END RequestId: 8f5e…`).
        """
        keys = [
            self.time.source_key(fields),
            self.level.source_key(fields),
            self.message.source_key(fields),
        ]
        if "=" in message or ": " in message:
            keys += [
                key
                for key, value in fields.items()
                if type(value) is str
                and (f"{key}={value}" in message or f"{key}: {value}" in message)
            ]
        return tuple(dict.fromkeys(key for key in keys if key is not None))

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


def build_parser(
    spec: str | ParserConfig,
    named: Mapping[str, ParserConfig],
    zones: Zones | None = None,
) -> Parser:
    """Build the runtime Parser for a source's `parser` setting.

    Args:
        spec: a parser name (from `named`, else built-in auto/json/logfmt) or an
            inline parser config.
        named: the profile's `parsers`.
        zones: the profile's zone abbreviations (None: the defaults).

    Raises:
        TracerunError: `spec` names no parser (the profile check normally
            reports this first).
    """
    if isinstance(spec, str):
        return _build(spec, _named_config(spec, named), zones)
    return _build(f"inline {spec.type}", spec, zones)


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


def _build(name: str, config: ParserConfig, zones: Zones | None) -> Parser:
    pattern = (
        re.compile(config.pattern) if isinstance(config, RegexParserConfig) else None
    )
    return Parser(
        name=name,
        extractor=EXTRACTORS[config.type](config),
        derived=tuple((k, e, expression_getter(e)) for k, e in config.fields.items()),
        time=field_getter(config.time.field, DEFAULT_TIME_FIELDS, TimeGetter),
        time_format=config.time.format,
        level=field_getter(config.level, DEFAULT_LEVEL_FIELDS, LevelGetter),
        message=field_getter(config.message, DEFAULT_MESSAGE_FIELDS, MessageGetter),
        pattern=pattern,
        zones=zones,
        continued=config.type != "json",
        defined=frozenset(config.fields),
        timezone=config.timezone,
    )
