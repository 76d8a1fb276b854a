"""Timestamps: log text or numbers → int microseconds since the epoch (UTC), and back.

Also the record-start rule for multi-line logs and the --since/--until bounds.
Pure functions; the common shapes are hand-parsed because strptime costs ~13 µs.
"""

from __future__ import annotations

import functools
import math
import re
import time as _time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo

from tracerun.errors import QueryError

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_NAIVE = datetime(1970, 1, 1)
_US = timedelta(microseconds=1)
_DAY_US = 86_400_000_000
_MONTH_NAMES = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec"
_MONTHS = {name: n for n, name in enumerate(_MONTH_NAMES.split(" "), start=1)}
_UTC_SUFFIXES = (" UTC", " GMT", "UTC", "GMT")
MIN_US = (datetime(1, 1, 1, tzinfo=UTC) - _EPOCH) // _US
"""The earliest instant a timestamp may name: 0001-01-01T00:00:00Z."""
MAX_US = (datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC) - _EPOCH) // _US
"""The latest: 9999-12-31T23:59:59.999999Z (datetime's range, in UTC)."""

_FormatParser = Callable[[str, tzinfo, int | None], int | None]

_ISO = (
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
    r"(?:Z|\ ?[+-]\d{2}(?::?\d{2})?(?![\d:])|\ UTC)?"
)
_SYSLOG = r"[A-Z][a-z]{2}\ [\ \d]\d\ \d{2}:\d{2}:\d{2}(?:\.\d+)?"
_NGINX = r"\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2}(?:\ [+-]\d{4})?"
_EPOCH_DIGITS = r"\d{10,19}(?:\.\d+)?(?=[\s\]])"
_LEADING = re.compile(
    rf"(?P<open>\[)?(?P<ts>{_ISO}|{_SYSLOG}|{_NGINX}|{_EPOCH_DIGITS})(?(open)\]?)"
)
_RECORD_START = re.compile(
    rb"\[?(?:\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}"
    rb"|[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}"
    rb"|\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2}"
    rb"|\d{10,19}(?:\.\d+)?[ \t\]])"
    rb"|\{"
    rb"|[A-Za-z_][\w.]*="
)
_ISO_FORMAT = re.compile(r"%Y-%m-%d(?:[T ]%H:%M(?::%S(?:[.,]%f)?)?)?(?:%z|Z)?")
_NGINX_FORMATS = frozenset({"%d/%b/%Y:%H:%M:%S %z", "%d/%b/%Y:%H:%M:%S"})
_SYSLOG_FORMATS = frozenset({"%b %d %H:%M:%S", "%b %e %H:%M:%S"})
_YEAR_DIRECTIVES = ("%Y", "%y", "%G", "%c", "%x")
_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_BOUND_HINT = (
    "use a duration back from now (90s, 15m, 2h, 1d, 1h30m), a date (2026-03-20), "
    "a date and time (2026-03-20 14:10, 2026-03-20T14:10:00Z, "
    "2026-03-20T15:10:00+01:00) or unix seconds/milliseconds (10 or 13 digits)"
)


def parse_time(
    value: object,
    fmt: str | None = None,
    tz: tzinfo = UTC,
    *,
    now_us: int | None = None,
) -> int | None:
    """Read a timestamp as microseconds since the Unix epoch.

    Args:
        value: a string (RFC 3339 / ISO 8601, syslog, nginx, epoch digits), an
            int or float epoch number (unit chosen by digit count: up to 11
            digits seconds, 12-13 ms, 14-16 µs, 17-19 ns), or a datetime.
        fmt: strptime pattern for strings; absent: detect the shape.
        tz: zone for date-times that carry no offset.
        now_us: "now" for year-less (syslog) times; absent: the clock.

    Returns:
        The instant, or None when the value is not a recognisable timestamp or
        names one outside years 1-9999 in UTC (issue #12: such a value costs
        the record its time, never the run).
    """
    try:
        us = _parse_any(value, fmt, tz, now_us)
    except OverflowError:  # a zone's offset past year 9999
        return None
    return us if us is not None and MIN_US <= us <= MAX_US else None


def _parse_any(
    value: object, fmt: str | None, tz: tzinfo, now_us: int | None
) -> int | None:
    if isinstance(value, str):
        if fmt is None:
            return _parse_text(value, tz, now_us)
        return _format_parser(fmt)(value, tz, now_us)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return _epoch_number(value)
    if isinstance(value, float):
        return _epoch_number(value) if math.isfinite(value) else None
    if isinstance(value, datetime):
        return _datetime_us(value, tz)
    return None


def _parse_text(text: str, tz: tzinfo, now_us: int | None) -> int | None:
    if len(text) > 9 and text[4] == "-":
        try:
            return _datetime_us(datetime.fromisoformat(text), tz)
        except ValueError:
            return _parse_iso_slow(text, tz)
    first = text[:1]
    if first.isdigit() or first == "-":
        if text[2:3] == "/":
            return _parse_nginx(text, tz)
        return _parse_epoch_text(text)
    if text[:3] in _MONTHS:
        return _parse_syslog(text, tz, now_us)
    stripped = text.strip()
    if stripped and stripped != text:
        return _parse_text(stripped, tz, now_us)
    return None


def _datetime_us(dt: datetime, tz: tzinfo) -> int:
    """Convert to µs since the epoch; a naive datetime is wall time in `tz`."""
    if dt.tzinfo is not None:
        return (dt - _EPOCH) // _US
    offset = tz.utcoffset(dt)
    if offset:
        return (dt - _EPOCH_NAIVE - offset) // _US
    return (dt - _EPOCH_NAIVE) // _US


def _parse_iso_slow(text: str, tz: tzinfo) -> int | None:
    """ISO variants fromisoformat refuses: `UTC`/`GMT` suffix, lowercase `z`/`t`."""
    text = text.strip()
    for suffix in _UTC_SUFFIXES:
        if text.endswith(suffix):
            text = text.removesuffix(suffix).rstrip() + "+00:00"
            break
    try:
        return _datetime_us(datetime.fromisoformat(text.upper()), tz)
    except ValueError:
        return None


def _parse_epoch_text(text: str) -> int | None:
    """Epoch digits (optionally negative, optionally with a fraction)."""
    whole, _, frac = text.partition(".")
    digits = whole.removeprefix("-")
    if not (digits.isdigit() and digits.isascii()):
        return _parse_basic_iso(text)
    if frac and not (frac.isdigit() and frac.isascii()):
        return None
    scale = _epoch_scale(len(digits))
    if scale is None:
        return None
    if scale == 0:  # nanoseconds
        return int(whole) // 1000
    frac_us = int(frac[:6].ljust(6, "0")) // (1_000_000 // scale) if frac else 0
    return int(whole) * scale + (-frac_us if whole.startswith("-") else frac_us)


def _parse_basic_iso(text: str) -> int | None:
    """ISO 8601 basic format such as `20260320T141000Z`."""
    try:
        return _datetime_us(datetime.fromisoformat(text), UTC)
    except ValueError:
        return None


def _epoch_scale(digits: int) -> int | None:
    """Microseconds per unit for an epoch number of `digits` digits (0: ns)."""
    if digits <= 11:
        return 1_000_000
    if digits <= 13:
        return 1_000
    if digits <= 16:
        return 1
    if digits <= 19:
        return 0
    return None


def _epoch_number(value: float) -> int | None:
    magnitude = abs(value)
    if magnitude < 1e11:
        return round(value * 1_000_000)
    if magnitude < 1e13:
        return round(value * 1_000)
    if magnitude < 1e16:
        return round(value)
    if magnitude < 1e19:
        return int(value) // 1000
    return None


def _parse_nginx(text: str, tz: tzinfo) -> int | None:
    """`20/Mar/2026:14:10:00 +0000` (the offset may be absent: then `tz`).

    Why a per-minute cache: lines of one log share their minute; a hit costs
    ~0.3 µs where six int() calls and a datetime cost ~1.5 µs.
    """
    seconds = text[18:20]
    if len(text) not in (20, 26) or text[17] != ":" or not _two_digits(seconds):
        return None
    minute = _nginx_minute(text[:17] + text[20:], tz)
    if minute is None or seconds > "59":
        return None
    return minute + int(seconds) * 1_000_000


def _two_digits(text: str) -> bool:
    return len(text) == 2 and text.isascii() and text.isdigit()


@functools.lru_cache(maxsize=1024)
def _nginx_minute(prefix: str, tz: tzinfo) -> int | None:
    """Start of the minute `20/Mar/2026:14:10[ +0100]` in µs since the epoch."""
    month = _MONTHS.get(prefix[3:6])
    if month is None or prefix[2] + prefix[6] + prefix[11] + prefix[14] != "//::":
        return None
    fields = (prefix[7:11], prefix[0:2], prefix[12:14], prefix[15:17])
    if not all(part.isascii() and part.isdigit() for part in fields):
        return None
    year, day, hour, minute = map(int, fields)
    try:
        dt = datetime(year, month, day, hour, minute)
    except ValueError:
        return None
    if len(prefix) == 17:
        return _datetime_us(dt, tz)
    offset = _offset_seconds(prefix[17:])
    if offset is None:
        return None
    return (dt - _EPOCH_NAIVE) // _US - offset * 1_000_000


def _offset_seconds(text: str) -> int | None:
    """` +0100` → 3600."""
    sign, digits = text[1:2], text[2:6]
    if len(text) != 6 or text[0] != " " or sign not in ("+", "-"):
        return None
    if not (digits.isascii() and digits.isdigit()):
        return None
    seconds = int(digits[:2]) * 3600 + int(digits[2:]) * 60
    return -seconds if sign == "-" else seconds


def _parse_syslog(text: str, tz: tzinfo, now_us: int | None) -> int | None:
    """`Mar 20 14:10:00[.fff]`: the year is the one that is not in the future."""
    head, _, frac = text.partition(".")
    if len(head) != 15 or head[3] != " " or head[6] != " " or head[9] != ":":
        return None
    if frac and not frac.isdigit():
        return None
    try:
        dt = datetime(
            1904,  # a leap year, so that Feb 29 is accepted until the year is known
            _MONTHS[head[:3]],
            int(head[4:6]),
            int(head[7:9]),
            int(head[10:12]),
            int(head[13:15]),
            int(frac[:6].ljust(6, "0")) if frac else 0,
        )
    except (ValueError, KeyError):
        return None
    return _with_inferred_year(dt, tz, now_us)


def _with_inferred_year(dt: datetime, tz: tzinfo, now_us: int | None) -> int | None:
    """Give a year-less wall time the year that keeps it at most a day ahead.

    That is the current year in `tz`, or the previous one (a December line read
    in January).
    """
    if now_us is None:
        now_us = _time.time_ns() // 1000
    year = (_EPOCH + timedelta(microseconds=now_us)).astimezone(tz).year
    for candidate in (year, year - 1):
        try:
            us = _datetime_us(dt.replace(year=candidate), tz)
        except ValueError:  # Feb 29 in a common year
            continue
        if us <= now_us + _DAY_US:
            return us
    return None


@functools.lru_cache(maxsize=64)
def _format_parser(fmt: str) -> _FormatParser:
    """Pick the parser for one strptime pattern; common shapes are hand-parsed."""
    if fmt in _NGINX_FORMATS:
        return lambda text, tz, _now: _parse_nginx(text, tz)
    if fmt in _SYSLOG_FORMATS:
        return _parse_syslog
    if _ISO_FORMAT.fullmatch(fmt):
        return _iso_or_strptime(fmt)
    return _strptime_parser(fmt)


def _iso_or_strptime(fmt: str) -> _FormatParser:
    slow = _strptime_parser(fmt)

    def parse(text: str, tz: tzinfo, now_us: int | None) -> int | None:
        try:
            return _datetime_us(datetime.fromisoformat(text), tz)
        except ValueError:
            return slow(text, tz, now_us)

    return parse


def _strptime_parser(fmt: str) -> _FormatParser:
    has_year = any(directive in fmt for directive in _YEAR_DIRECTIVES)

    def parse(text: str, tz: tzinfo, now_us: int | None) -> int | None:
        try:
            dt = datetime.strptime(text, fmt)
        except ValueError:
            return None
        if has_year:
            return _datetime_us(dt, tz)
        return _with_inferred_year(dt.replace(year=1904), tz, now_us)

    return parse


def leading_timestamp(line: str) -> tuple[str, int] | None:
    """Find a timestamp at the very start of a line (optionally inside `[...]`).

    Recognises ISO 8601 / RFC 3339 date-times, syslog (`Mar 20 14:10:00`),
    nginx (`20/Mar/2026:14:10:00 +0000`) and epoch numbers of 10+ digits
    followed by a space.

    Returns:
        (timestamp text, offset just after it and its closing `]`), or None.
    """
    match = _LEADING.match(line)
    if match is None:
        return None
    return match["ts"], match.end()


def starts_record(line: bytes) -> bool:
    """Tell whether a raw line begins a new record (the default multi-line rule).

    True for a leading timestamp (optionally after `[`), a `{`, or a logfmt
    `key=` token; False for stack frames, `Traceback ...`, `Caused by:`, blanks.
    """
    return _RECORD_START.match(line) is not None


def parse_bound(text: str, now_us: int, tz: tzinfo = UTC) -> int:
    """Read a --since/--until value as µs since the epoch.

    Accepts a duration back from `now_us` (`90s`, `15m`, `2h`, `1d`, `1h30m`), a
    date (midnight in `tz`), a date and time (RFC 3339, or without offset: in
    `tz`), or unix seconds (10 digits) / milliseconds (13 digits).

    Raises:
        QueryError: the text is none of these.
    """
    value = text.strip()
    duration = _DURATION.fullmatch(value)
    if value and duration is not None:
        days, hours, minutes, seconds = (int(g or 0) for g in duration.groups())
        span = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
        return now_us - span // _US
    if value.isdigit():
        us = parse_time(value) if len(value) in (10, 13) else None
    else:
        us = parse_time(value, tz=tz, now_us=now_us) if value[4:5] == "-" else None
    if us is None:
        msg = f"cannot read {text!r} as a time"
        raise QueryError(msg, _BOUND_HINT)
    return us


def format_utc_ms(us: int) -> str:
    """Format µs since the epoch as `2026-03-20T14:10:00.123Z` (truncated to ms).

    An instant outside years 1-9999 is shown as the nearest one inside.
    """
    seconds, fraction = divmod(min(max(us, MIN_US), MAX_US), 1_000_000)
    return f"{_second_text(seconds)}.{fraction // 1000:03d}Z"


def format_rfc3339_us(us: int) -> str:
    """Format µs since the epoch as `2026-03-20T14:10:00.123456Z` (clamped as above)."""
    seconds, fraction = divmod(min(max(us, MIN_US), MAX_US), 1_000_000)
    return f"{_second_text(seconds)}.{fraction:06d}Z"


@functools.lru_cache(maxsize=4096)
def _second_text(seconds: int) -> str:
    """Why cached: printed records come in time order, many share a second."""
    return (_EPOCH_NAIVE + timedelta(seconds=seconds)).isoformat()


_SPAN = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ms|s|m|h)?")
_SPAN_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def parse_duration(text: str, option: str) -> float:
    """Read `250ms`, `5s`, `2m`, `1h` or a bare number of seconds.

    Raises:
        QueryError: naming `option` when the text is not a duration.
    """
    match = _SPAN.fullmatch(text.strip())
    if match is None:
        msg = f"{option} {text!r} is not a duration"
        raise QueryError(msg, "write a number with a unit: 250ms, 5s, 2m, 1h")
    return float(match[1]) * _SPAN_UNIT[match[2] or "s"]
