"""Timestamps: log text or numbers → int microseconds since the epoch (UTC), and back.

Also zone abbreviations (`CET`, `PDT`), a leading timestamp of a text line and
the --since/--until bounds. Pure functions; the common shapes are hand-parsed
because strptime costs ~13 µs.

Why 400+ lines: one module owns every timestamp shape, so that detection,
`time.format` and the bounds cannot drift apart.
"""

from __future__ import annotations

import functools
import math
import re
import time as _time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta, timezone, tzinfo

from tracerun.errors import QueryError, quoted

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_NAIVE = datetime(1970, 1, 1)
_US = timedelta(microseconds=1)
_DAY_US = 86_400_000_000
_MONTH_NAMES = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec"
_MONTHS = {name: n for n, name in enumerate(_MONTH_NAMES.split(" "), start=1)}
MIN_US = (datetime(1, 1, 1, tzinfo=UTC) - _EPOCH) // _US
"""The earliest instant a timestamp may name: 0001-01-01T00:00:00Z."""
MAX_US = (datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC) - _EPOCH) // _US
"""The latest: 9999-12-31T23:59:59.999999Z (datetime's range, in UTC)."""

Zones = Mapping[str, tzinfo]
"""Zone abbreviation (`CET`) → the zone it stands for."""
_FormatParser = Callable[[str, tzinfo, int | None, Zones], int | None]

ZONE_ABBREVIATIONS: dict[str, str] = {
    "UTC": "+00:00", "UT": "+00:00", "GMT": "+00:00", "Z": "+00:00",
    "WET": "+00:00", "WEST": "+01:00", "BST": "+01:00", "IST": "+05:30",
    "CET": "+01:00", "CEST": "+02:00", "MET": "+01:00", "MEST": "+02:00",
    "EET": "+02:00", "EEST": "+03:00", "MSK": "+03:00",
    "WAT": "+01:00", "CAT": "+02:00", "EAT": "+03:00", "SAST": "+02:00",
    "NST": "-03:30", "NDT": "-02:30", "AST": "-04:00", "ADT": "-03:00",
    "EST": "-05:00", "EDT": "-04:00", "CST": "-06:00", "CDT": "-05:00",
    "MST": "-07:00", "MDT": "-06:00", "PST": "-08:00", "PDT": "-07:00",
    "AKST": "-09:00", "AKDT": "-08:00", "HST": "-10:00",
    "BRT": "-03:00", "ART": "-03:00", "PKT": "+05:00", "WIB": "+07:00",
    "SGT": "+08:00", "HKT": "+08:00", "AWST": "+08:00", "JST": "+09:00",
    "KST": "+09:00", "ACST": "+09:30", "ACDT": "+10:30", "AEST": "+10:00",
    "AEDT": "+11:00", "NZST": "+12:00", "NZDT": "+13:00",
}  # fmt: skip
"""The zone abbreviations read in timestamps, as fixed offsets.

Ambiguous ones have one meaning here (IST India, not Irish or Israel; CST US
Central, not China; BST British Summer, not Bangladesh; AST Atlantic, not
Arabia); a profile's `zone_abbreviations` changes a meaning or adds a name."""

_ABBREVIATION_WORDS = "|".join(
    sorted((a for a in ZONE_ABBREVIATIONS if a != "Z"), key=lambda a: (-len(a), a))
)
_ISO = (
    r"\d{4}[-/]\d{2}[-/]\d{2}[T\ \t]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
    r"(?:Z|\ ?[+-]\d{2}(?::?\d{2})?(?![\d:])"
    rf"|\ (?:{_ABBREVIATION_WORDS})(?![A-Za-z]))?"
)
_SYSLOG = r"[A-Z][a-z]{2}\ [\ \d]\d\ \d{2}:\d{2}:\d{2}(?:\.\d+)?"
_NGINX = (
    r"\d{2}/[A-Z][a-z]{2}/\d{4}[:\ ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:\ [+-]\d{4})?"
)
_EPOCH_DIGITS = r"\d{10,19}(?:\.\d+)?(?=[\s\]])"
_WEEKDAYS = frozenset(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
# Apache's error log, ctime(3): `Fri Mar 20 14:10:00.123456 2026`.
_CTIME = rf"(?:{'|'.join(sorted(_WEEKDAYS))})\ {_SYSLOG}\ \d{{4}}"
# PHP's error log: `[20-Mar-2026 14:10:00 UTC]`, its zone PHP's `date.timezone`
# (an abbreviation or an IANA name: `Europe/Berlin`, `America/Argentina/Salta`).
_PHP = r"\d{2}-[A-Z][a-z]{2}-\d{4}\ \d{2}:\d{2}:\d{2}(?:\ [A-Za-z][\w+-]*(?:/[\w+-]+){0,2})?"
# java.util.logging's SimpleFormatter (its default `%1$tb %1$td, %1$tY
# %1$tl:%1$tM:%1$tS %1$Tp`): `Dec 03, 2026 1:42:09 PM`, a 12-hour clock.
_JUL = r"[A-Z][a-z]{2}\ \d{2},\ \d{4}\ \d{1,2}:\d{2}:\d{2}\ [AP]M"
# Redis: `20 Mar 2026 14:10:00.123`; klog (after its level letter): `0320 14:10:00.123456`.
_DAY_MONTH_YEAR = r"\d{1,2}\ [A-Z][a-z]{2}\ \d{4}\ \d{2}:\d{2}:\d{2}(?:\.\d+)?"
_KLOG = r"(?<=[IWEF])\d{4}\ \d{2}:\d{2}:\d{2}\.\d{6}"
# MariaDB's general and slow query logs (and MySQL's before 5.7): `261203 12:05:49`
# (two-digit year, month, day; the hour padded with a space), then a TAB.
_YYMMDD = r"\d{6}\ [\ \d]\d:\d{2}:\d{2}(?=\t)"
# logback's and log4j2's default console patterns: `%d{HH:mm:ss.SSS}` alone.
_CLOCK = r"\d{2}:\d{2}:\d{2}[.,]\d{3}Z?(?=[\s\]])"
# What some writers put before the time: Ruby's Logger (`I, [`), Redis (`4242:M `),
# klog's level letter, an AWS ALB record's type, MySQL's slow log (`# Time: `),
# HAProxy's client address and port (`127.0.0.1:49346 [03/Dec/2026:…]`).
_BEFORE = (
    r"(?:[DIWEFAU],\ |\d+:[XCSM]\ |[IWEF](?=\d{4}\ )|(?:https?|h2|grpcs|wss?)\ "
    r"|\#\ Time:\ |[0-9a-fA-F:.]+:\d{1,5}\ (?=\[\d{2}/[A-Z][a-z]{2}/))?"
)
_LEADING = re.compile(
    rf"{_BEFORE}(?P<open>\[)?(?P<ts>{_ISO}|{_CTIME}|{_JUL}|{_SYSLOG}|{_NGINX}"
    rf"|{_DAY_MONTH_YEAR}|{_PHP}|{_KLOG}|{_YYMMDD}|{_CLOCK}|{_EPOCH_DIGITS})(?(open)(?:\ \#\d+)?\]?)"
)
_ISO_FORMAT = re.compile(r"%Y-%m-%d(?:[T ]%H:%M(?::%S(?:[.,]%f)?)?)?(?:%z|Z)?")
_NGINX_FORMATS = frozenset({"%d/%b/%Y:%H:%M:%S %z", "%d/%b/%Y:%H:%M:%S"})
_SYSLOG_FORMATS = frozenset({"%b %d %H:%M:%S", "%b %e %H:%M:%S"})
_YEAR_DIRECTIVES = ("%Y", "%y", "%G", "%c", "%x")
_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_MIN_US = (datetime(1, 1, 2, tzinfo=UTC) - _EPOCH) // _US
_MAX_US = (datetime(9999, 12, 31, tzinfo=UTC) - _EPOCH) // _US
"""Bounds a datetime can show in any zone (a day inside years 1 and 9999)."""
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
    zones: Zones | None = None,
    written_us: int | None = None,
) -> int | None:
    """Read a timestamp as microseconds since the Unix epoch.

    Args:
        value: a string (RFC 3339 / ISO 8601, also with a zone abbreviation
            such as `CET` or with `/` between the date's parts, syslog, nginx,
            epoch digits), an int or float epoch number (unit chosen by digit
            count: up to 11 digits seconds, 12-13 ms, 14-16 µs, 17-19 ns), a
            datetime, or log4j2's `{"epochSecond": s, "nanoOfSecond": n}`.
        fmt: strptime pattern for strings (`%Z` reads a zone abbreviation);
            absent: detect the shape.
        tz: zone for date-times that carry no offset or abbreviation.
        now_us: "now" for year-less (syslog) times; absent: the clock.
        zones: zone abbreviations (`zone_table`); absent: the defaults.
        written_us: when the log was last written (a file's modification
            time): a time of day alone (`10:00:00.123`, logback's and log4j2's
            default console patterns) falls on its date in `tz`, or the day
            before when it is later than that time of day (by more than
            TIME_OF_DAY_SLACK); absent: such a text is no time.

    Returns:
        The instant, or None when the value is not a recognisable timestamp or
        names one outside years 1-9999 in UTC (issue #12: such a value costs
        the record its time, never the run).
    """
    try:
        if type(value) is str and fmt is None and value[2:3] == ":":
            if value.endswith("Z"):  # bunyan's CLI `-o short`: `14:18:50.471Z`, UTC
                us = _time_of_day(value[:-1], UTC, written_us)
            else:
                us = _time_of_day(value, tz, written_us)
        else:
            us = _parse_any(value, fmt, tz, now_us, zones)
    except OverflowError:  # a zone's offset past year 9999
        return None
    return us if us is not None and MIN_US <= us <= MAX_US else None


def _parse_any(
    value: object, fmt: str | None, tz: tzinfo, now_us: int | None, zones: Zones | None
) -> int | None:
    if isinstance(value, str):
        table = _DEFAULT_ZONES if zones is None else zones
        if fmt is None:
            return _parse_text(value, tz, now_us, table)
        return _format_parser(fmt)(value, tz, now_us, table)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return _epoch_number(value)
    if isinstance(value, float):
        return _epoch_number(value) if math.isfinite(value) else None
    if isinstance(value, datetime):
        return _datetime_us(value, tz)
    if isinstance(value, dict):
        return _epoch_object(value, tz, now_us, zones)
    return None


def zone_table(overrides: Mapping[str, str] | None = None) -> dict[str, tzinfo]:
    """Build the abbreviation table: the defaults, changed or extended by `overrides`.

    Args:
        overrides: abbreviation → an IANA zone (`Asia/Kolkata`) or an offset
            (`+05:30`), as a profile's `zone_abbreviations` holds them.

    Raises:
        ValueError: a value is neither an offset nor a zone known here.
    """
    table = dict(_DEFAULT_ZONES)
    for name, value in (overrides or {}).items():
        table[name] = zone_of(value)
    return table


def named_zone(name: str) -> tzinfo:
    """Return the IANA zone `name` (a ZoneInfo); "UTC" is datetime's own, without zoneinfo.

    Why: a profile's zone is "UTC" unless it says otherwise, and importing
    zoneinfo (it reads sysconfig) costs ~2 ms of every start-up (issue #18).
    UTC has one offset and no transitions, so both give every instant, name
    and offset alike.

    Raises:
        zoneinfo.ZoneInfoNotFoundError, ValueError: as `zoneinfo.ZoneInfo`.
    """
    if name == "UTC":
        return UTC
    import zoneinfo  # noqa: PLC0415 - start-up: only for a zone other than UTC

    return zoneinfo.ZoneInfo(name)


def zone_of(text: str) -> tzinfo:
    """Read `+05:30`/`-0800` as a fixed offset, anything else as an IANA zone name.

    Raises:
        ValueError: neither an offset nor a zone known here.
    """
    match = _OFFSET.fullmatch(text.strip())
    if match is not None:
        sign = -1 if match[1] == "-" else 1
        hours, minutes = int(match[2]), int(match[3] or 0)
        if hours > 23 or minutes > 59:
            msg = f"{text!r} is not a UTC offset"
            raise ValueError(msg)
        return timezone(sign * timedelta(hours=hours, minutes=minutes))
    import zoneinfo  # noqa: PLC0415 - only for a named zone

    try:
        return zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        msg = f"{text!r} is neither a UTC offset (+05:30) nor a known time zone"
        raise ValueError(msg) from None


_OFFSET = re.compile(r"([+-])(\d{2}):?(\d{2})?")
_DEFAULT_ZONES: dict[str, tzinfo] = {
    name: zone_of(offset) for name, offset in ZONE_ABBREVIATIONS.items()
}
_TRAILING_WORD = re.compile(r"\s*([A-Za-z]{1,6})\s*$")


def _parse_text(text: str, tz: tzinfo, now_us: int | None, zones: Zones) -> int | None:
    if len(text) > 9 and text[4] in "-/":
        if text[4] == "/":
            text = text.replace("/", "-", 2)
        try:
            return _datetime_us(datetime.fromisoformat(text), tz)
        except ValueError:
            return _parse_iso_slow(text, tz, zones)
    first = text[:1]
    if first.isdigit() or first == "-":
        if text[2:3] == "/":
            if text[11:12] == " ":  # Django's runserver: `20/Mar/2026 14:10:00`
                text = f"{text[:11]}:{text[12:]}"
            return _parse_nginx(text, tz)
        if text[2:3] == "-" and text[6:7] == "-":
            return _parse_php(text, tz, zones)
        if " " in text[1:5]:
            return _parse_day_first(text, tz, now_us)
        if text[6:7] == " " and len(text) == 15:
            return _parse_yymmdd(text, tz)
        return _parse_epoch_text(text)
    if text[:3] in _MONTHS:
        if text[6:7] == ",":
            return _parse_jul(text, tz)
        return _parse_syslog(text, tz, now_us)
    if text[:3] in _WEEKDAYS and text[3:4] == " ":
        return _parse_ctime(text[4:], tz, now_us)
    stripped = text.strip()
    if stripped and stripped != text:
        return _parse_text(stripped, tz, now_us, zones)
    return None


def _datetime_us(dt: datetime, tz: tzinfo) -> int:
    """Convert to µs since the epoch; a naive datetime is wall time in `tz`."""
    if dt.tzinfo is not None:
        return (dt - _EPOCH) // _US
    offset = tz.utcoffset(dt)
    if offset:
        return (dt - _EPOCH_NAIVE - offset) // _US
    return (dt - _EPOCH_NAIVE) // _US


_LEAP_SECOND = re.compile(
    r"(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:)60(?:[.,]\d+)?", re.IGNORECASE
)
"""A leap second, `23:59:60Z` (RFC 3339 allows it; datetime has no 60th second)."""
_SPACED_OFFSET = re.compile(r"\s+([+-]\d{2}(?::?\d{2})?)$")
"""An offset after a space, `2024-01-01 10:00:00.123 +01:00` (Serilog's file sink)."""


def _parse_iso_slow(text: str, tz: tzinfo, zones: Zones) -> int | None:
    """ISO variants fromisoformat refuses: a zone abbreviation, lowercase `z`/`t`.

    A leap second is read as the last microsecond before it, so the record
    keeps a time and its order (`23:59:60` sorts after `23:59:59.5`).
    """
    text = _LEAP_SECOND.sub(r"\g<1>59.999999", text.strip(), count=1)
    text = _SPACED_OFFSET.sub(r"\1", text, count=1)
    word = _TRAILING_WORD.search(text)
    if word is not None and word[1] in zones:
        text, tz = text[: word.start()], zones[word[1]]
    try:
        return _datetime_us(datetime.fromisoformat(text.upper()), tz)
    except ValueError:
        return None


def _epoch_object(
    value: dict[object, object], tz: tzinfo, now_us: int | None, zones: Zones | None
) -> int | None:
    """Read a timestamp written as an object.

    log4j2 JsonLayout's `instant` (`{"epochSecond": s, "nanoOfSecond": n}`),
    protobuf's Timestamp as GCP structured logging writes it (`{"seconds": s,
    "nanos": n}`) and MongoDB's extended JSON (`{"$date": "2020-05-01T..."}`,
    `{"$date": {"$numberLong": "<ms>"}}`).
    """
    if "$date" in value:
        date = value["$date"]
        if isinstance(date, dict):
            millis = date.get("$numberLong")
            if (
                type(millis) is str
                and millis.lstrip("-").isdigit()
                and millis.isascii()
            ):
                return int(millis) * 1000
            return None
        if isinstance(date, str):
            return _parse_any(date, None, tz, now_us, zones)
        if type(date) is int:
            return date * 1000  # extended JSON's relaxed form: ms since the epoch
        return None
    if "seconds" in value:
        seconds, nanos = _whole(value["seconds"]), _whole(value.get("nanos", 0))
    else:
        seconds = _whole(value.get("epochSecond"))
        nanos = _whole(value.get("nanoOfSecond", 0))
    if seconds is None or nanos is None:
        return None
    return seconds * 1_000_000 + nanos // 1000


def _whole(value: object) -> int | None:
    """Read an int, or the digits protobuf's JSON writes an int64 as (`"1700000000"`)."""
    if type(value) is int:
        return value
    if type(value) is str and value.isascii() and value.lstrip("-").isdigit():
        return int(value) if len(value) < 20 else None
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

    A fraction may follow the seconds: HAProxy's accept date,
    `06/Feb/2009:12:14:14.655`.

    Why a per-minute cache: lines of one log share their minute; a hit costs
    ~0.3 µs where six int() calls and a datetime cost ~1.5 µs.
    """
    fraction_us = 0
    if text[20:21] == ".":
        fraction = _FRACTION.match(text, 20)
        if fraction is None:
            return None
        fraction_us = int(fraction[1][:6].ljust(6, "0"))
        text = text[:20] + text[fraction.end() :]
    seconds = text[18:20]
    if len(text) not in (20, 26) or text[17] != ":" or not _two_digits(seconds):
        return None
    minute = _nginx_minute(text[:17] + text[20:], tz)
    if minute is None or seconds > "59":
        return None
    return minute + int(seconds) * 1_000_000 + fraction_us


_FRACTION = re.compile(r"\.(\d{1,9})(?!\d)")


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


_CTIME_PARTS = re.compile(
    r"([A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}(?:\.\d+)?) (\d{4})"
)
_DAY_FIRST = re.compile(
    r"(?:(\d{1,2}) ([A-Z][a-z]{2}) (\d{4})|(\d{2})(\d{2})) "
    r"(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
)


_JUL_PARTS = re.compile(
    r"([A-Z][a-z]{2}) (\d{2}), (\d{4}) (\d{1,2}):(\d{2}):(\d{2}) ([AP])M"
)


def _parse_jul(text: str, tz: tzinfo) -> int | None:
    """java.util.logging's `Dec 03, 2026 1:42:09 PM`: 12 AM is midnight, 12 PM noon."""
    match = _JUL_PARTS.fullmatch(text)
    month = None if match is None else _MONTHS.get(match[1])
    if match is None or month is None or not 1 <= int(match[4]) <= 12:
        return None
    hour = int(match[4]) % 12 + (12 if match[7] == "P" else 0)
    day, year, minute, second = (int(match[i]) for i in (2, 3, 5, 6))
    try:
        return _datetime_us(datetime(year, month, day, hour, minute, second), tz)
    except ValueError:
        return None


_PHP_PARTS = re.compile(
    r"(\d{2})-([A-Z][a-z]{2})-(\d{4}) (\d{2}):(\d{2}):(\d{2})(?: (\S+))?"
)


def _parse_php(text: str, tz: tzinfo, zones: Zones) -> int | None:
    """PHP's error log, `20-Mar-2026 14:10:00 Europe/Berlin`: the zone as it names it."""
    match = _PHP_PARTS.fullmatch(text)
    if match is None:
        return None
    month = _MONTHS.get(match[2])
    name = match[7]
    zone = tz if name is None else zones.get(name) or _log_zone(name)
    if month is None or zone is None:
        return None
    day, year, hour, minute, second = (int(match[i]) for i in (1, 3, 4, 5, 6))
    try:
        return _datetime_us(datetime(year, month, day, hour, minute, second), zone)
    except ValueError:
        return None


@functools.lru_cache(maxsize=256)
def _log_zone(name: str) -> tzinfo | None:
    """Return the IANA zone a log line names, or None (cached: a log names one or two)."""
    if len(name) > 64:
        return None
    try:
        return named_zone(name)
    except (KeyError, ValueError, OSError):  # unknown, a path, not a TZif file
        return None


def _parse_ctime(text: str, tz: tzinfo, now_us: int | None) -> int | None:
    """`Mar 20 14:10:00.123456 2026` (ctime after its weekday, as Apache writes it)."""
    match = _CTIME_PARTS.fullmatch(text)
    if match is None:
        return None
    us = _parse_syslog(match[1], UTC, now_us)
    if us is None:
        return None
    dt = (_EPOCH + timedelta(microseconds=us)).replace(tzinfo=None)
    try:
        return _datetime_us(dt.replace(year=int(match[2])), tz)
    except ValueError:  # Feb 29 in a common year
        return None


def _parse_day_first(text: str, tz: tzinfo, now_us: int | None) -> int | None:
    """Redis's `20 Mar 2026 14:10:00.123`, klog's year-less `0320 14:10:00.123456`."""
    match = _DAY_FIRST.fullmatch(text)
    if match is None:
        return None
    day, month_name, year, month_digits, klog_day = match.groups()[:5]
    month = _MONTHS.get(month_name) if month_name else int(month_digits)
    hour, minute, second, frac = match.groups()[5:]
    try:
        dt = datetime(
            int(year) if year else 1904,  # a leap year, as for syslog
            month or 0,
            int(day or klog_day),
            int(hour),
            int(minute),
            int(second),
            int(frac[:6].ljust(6, "0")) if frac else 0,
        )
    except ValueError:
        return None
    if year:
        return _datetime_us(dt, tz)
    return _with_inferred_year(dt, tz, now_us)


def _parse_yymmdd(text: str, tz: tzinfo) -> int | None:
    """MariaDB's `261203 12:05:49` (`%y%m%d %k:%M:%S`), in the server's zone."""
    try:
        dt = datetime.strptime(text.replace("  ", " 0", 1), "%y%m%d %H:%M:%S")
    except ValueError:
        return None
    return _datetime_us(dt, tz)


TIME_OF_DAY_SLACK = 5 * 60 * 1_000_000
"""How far (µs) a time of day may be past the log's last write and still be of
that day: clock skew between the writer and the file system, a coarse mtime."""
_TIME_OF_DAY = re.compile(r"(\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?")


def _time_of_day(text: str, tz: tzinfo, written_us: int | None) -> int | None:
    """`10:00:00.123`: on the day of `written_us` in `tz`, or the day before.

    Why that day: the log was written up to `written_us`, so its lines of the
    last 24 hours are at or before it; a time of day later than the write's
    was written the day before (before midnight). Older lines of a log that
    spans days cannot be told apart by their text and get a date too late.
    """
    match = _TIME_OF_DAY.fullmatch(text.strip())
    if match is None or written_us is None:
        return None
    hour, minute, second = int(match[1]), int(match[2]), int(match[3])
    if hour > 23 or minute > 59 or second > 59:
        return None
    written = (_EPOCH + timedelta(microseconds=written_us)).astimezone(tz)
    fraction = match[4]
    wall = written.replace(
        tzinfo=None,
        hour=hour,
        minute=minute,
        second=second,
        microsecond=int(fraction[:6].ljust(6, "0")) if fraction else 0,
    )
    us = _datetime_us(wall, tz)
    if us > written_us + TIME_OF_DAY_SLACK:  # the same wall time, a day before
        return _datetime_us(wall - timedelta(days=1), tz)
    return us


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
        return lambda text, tz, _now, _zones: _parse_nginx(text, tz)
    if fmt in _SYSLOG_FORMATS:
        return lambda text, tz, now, _zones: _parse_syslog(text, tz, now)
    if "%Z" in fmt:
        return _abbreviation_parser(fmt)
    if _ISO_FORMAT.fullmatch(fmt):
        return _iso_or_strptime(fmt)
    return _strptime_parser(fmt)


def _iso_or_strptime(fmt: str) -> _FormatParser:
    slow = _strptime_parser(fmt)

    def parse(text: str, tz: tzinfo, now_us: int | None, zones: Zones) -> int | None:
        try:
            return _datetime_us(datetime.fromisoformat(text), tz)
        except ValueError:
            return slow(text, tz, now_us, zones)

    return parse


def _strptime_parser(fmt: str) -> _FormatParser:
    has_year = any(directive in fmt for directive in _YEAR_DIRECTIVES)

    def parse(text: str, tz: tzinfo, now_us: int | None, _zones: Zones) -> int | None:
        try:
            dt = datetime.strptime(text, fmt)
        except (ValueError, re.error):  # re.error: `%z%z` (validators refuse it)
            return None
        if has_year:
            return _datetime_us(dt, tz)
        return _with_inferred_year(dt.replace(year=1904), tz, now_us)

    return parse


_WORD = re.compile(r"(?<![A-Za-z])[A-Z][A-Za-z]{0,5}(?![A-Za-z])")


def _abbreviation_parser(fmt: str) -> _FormatParser:
    """`%Z`: the first word of the text that is a known abbreviation is its zone.

    Why not strptime's own `%Z`: it knows only UTC, GMT and this machine's
    names, and ignores the zone it read (the result is naive).
    """
    naive = _strptime_parser(fmt.replace("%Z", "", 1))

    def parse(text: str, _tz: tzinfo, now_us: int | None, zones: Zones) -> int | None:
        for word in _WORD.finditer(text):
            zone = zones.get(word[0])
            if zone is not None:
                rest = text[: word.start()] + text[word.end() :]
                return naive(rest, zone, now_us, zones)
        return None

    return parse


def leading_timestamp(line: str) -> tuple[str, int] | None:
    """Find a timestamp at the very start of a line (optionally inside `[...]`).

    Recognises ISO 8601 / RFC 3339 date-times (also `2026/03/20 14:10:00`, as
    nginx's error log writes them, and followed by a zone abbreviation of
    ZONE_ABBREVIATIONS), syslog (`Mar 20 14:10:00`), nginx access
    (`20/Mar/2026:14:10:00 +0000`), PHP's error log (`20-Mar-2026 14:10:00
    UTC`, or an IANA zone name) and epoch numbers of 10+ digits followed by a
    space.

    Returns:
        (timestamp text, offset just after it and its closing `]`), or None.
    """
    match = _LEADING.match(line)
    if match is None:
        return None
    return match["ts"], match.end()


def parse_bound(
    text: str, now_us: int, tz: tzinfo = UTC, option: str | None = None
) -> int:
    """Read a --since/--until value as µs since the epoch.

    Accepts a duration back from `now_us` (`90s`, `15m`, `2h`, `1d`, `1h30m`), a
    date (midnight in `tz`), a date and time (RFC 3339, or without offset: in
    `tz`), or unix seconds (10 digits) / milliseconds (13 digits).

    Args:
        text: The value as given.
        now_us: Now, for durations.
        tz: The zone of a date or time without offset.
        option: The flag it was given to, named in the error (`--since`).

    Raises:
        QueryError: the text is none of these, or a time outside years 1 to 9999.
    """
    value = text.strip()
    where = f"{option} " if option else ""
    duration = _DURATION.fullmatch(value)
    if value and duration is not None:
        days, hours, minutes, seconds = (int(g or 0) for g in duration.groups())
        try:  # OverflowError: `999999999999d` is past what timedelta holds
            span = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
        except OverflowError:
            span = timedelta.max
        us: int | None = now_us - span // _US
    elif value.isdigit():
        us = parse_time(value) if len(value) in (10, 13) else None
    else:
        us = parse_time(value, tz=tz, now_us=now_us) if value[4:5] == "-" else None
    if us is None:
        msg = f"{where}cannot read {quoted(text)} as a time"
        raise QueryError(msg, _BOUND_HINT)
    if not _MIN_US <= us <= _MAX_US:
        msg = f"{where}{quoted(text)} is before the year 1"
        raise QueryError(msg, "give a time in the years 1 to 9999, e.g. 30d")
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


MAX_DURATION = 7 * 24 * 3600.0
"""The longest timeout or wait an option may give: a week (the OS cannot wait much longer)."""


def parse_duration(text: str, option: str, most: float | None = MAX_DURATION) -> float:
    """Read `250ms`, `5s`, `2m`, `1h` or a bare number of seconds, at most `most` s.

    Raises:
        QueryError: naming `option` when the text is not a duration, or is too long.
    """
    match = _SPAN.fullmatch(text.strip())
    if match is None:
        msg = f"{option} {text!r} is not a duration"
        raise QueryError(msg, "write a number with a unit: 250ms, 5s, 2m, 1h")
    seconds = float(match[1]) * _SPAN_UNIT[match[2] or "s"]
    if most is not None and not seconds <= most:
        msg = f"{option} {text!r} is longer than the most allowed, {most / 3600:g}h"
        raise QueryError(msg, f"write at most {most / 3600:g}h")
    return seconds


class _SecondPass(tzinfo):
    """A zone that reads a wall time it shows twice as its second occurrence.

    Why a zone and not a flag from `_datetime_us`: every naive format reads
    its wall time through the zone it is given (some behind a per-minute
    cache keyed by that zone), so parsing the line again in this zone gives
    the second occurrence without touching any format's code, and only the
    lines of the repeated hour pay for it (`second_pass_zone`).
    """

    def __init__(self, zone: tzinfo) -> None:
        self._zone = zone

    def utcoffset(self, dt: datetime | None) -> timedelta | None:
        return self._zone.utcoffset(dt and dt.replace(fold=1))

    def dst(self, dt: datetime | None) -> timedelta | None:
        return self._zone.dst(dt and dt.replace(fold=1))

    def tzname(self, dt: datetime | None) -> str | None:
        return self._zone.tzname(dt and dt.replace(fold=1))

    def fromutc(self, dt: datetime) -> datetime:
        return self._zone.fromutc(dt.replace(tzinfo=self._zone)).replace(tzinfo=self)


@functools.lru_cache(maxsize=64)
def second_pass_zone(tz: tzinfo) -> tzinfo:
    """Return `tz` reading the wall times it shows twice as their second occurrence.

    A naive time read in `tz` and in this zone gives two instants: the same
    one (the time exists once, or carries its own offset), a later one (the
    hour the clock showed twice when daylight saving time ended: the second
    instant is its second pass) or an earlier one (the hour skipped when it
    began: that time never showed; tracerun keeps the first reading).
    """
    return _SecondPass(tz)


_HOUR_US = 3_600_000_000
_NEAR_US = 3 * _HOUR_US
"""How far after an instant a fall-back transition still makes it suspect: the
first pass of an hour lies at most a shift (≤ 2 h) before its transition."""


@functools.lru_cache(maxsize=64)
def fall_back_near(tz: tzinfo) -> Callable[[int], bool] | None:
    """Return a test of whether an instant may be the first pass of a repeated hour.

    True for the instants of an hour (UTC) from which the zone's offset drops
    within the next 3 hours: the first occurrences of the wall times `tz`
    shows twice are among them. The answer is kept per hour, so a record
    costs a division and a dict look-up; None for a fixed offset (UTC
    included), which repeats no hour.
    """
    if isinstance(tz, timezone):
        return None
    known: dict[int, bool] = {}

    def near(us: int) -> bool:
        hour = us // _HOUR_US
        found = known.get(hour)
        if found is None:
            found = known[hour] = _drops(tz, hour * _HOUR_US)
        return found

    return near


def _drops(tz: tzinfo, us: int) -> bool:
    """Tell whether the offset of `tz` is lower _NEAR_US after `us` than at it."""
    try:
        before = _EPOCH + timedelta(microseconds=us)
        after = before + timedelta(microseconds=_NEAR_US)
        return before.astimezone(tz).utcoffset() > after.astimezone(tz).utcoffset()  # type: ignore[operator]
    except (OverflowError, ValueError):
        return False


def repeated_hour(tz: tzinfo, first_us: int, second_us: int) -> tuple[int, int]:
    """Return the first pass of a repeated wall time as instants [start, end).

    `first_us` and `second_us` are the two readings of one wall time (in `tz`
    and in `second_pass_zone(tz)`); `end` is the instant the clock went back,
    `start` the shift before it. A time read as its first occurrence lies in
    [start, end) exactly when it is one of the repeated wall times.
    """
    low, high = first_us, second_us  # the offset drops in (low, high]
    while high - low > 1_000_000:
        middle = (low + high) // 2
        if _offset_us(tz, middle) == _offset_us(tz, first_us):
            low = middle
        else:
            high = middle
    end = high - high % 1_000_000  # transitions fall on whole seconds
    if _offset_us(tz, end) == _offset_us(tz, first_us):
        end += 1_000_000
    return end - (second_us - first_us), end


def _offset_us(tz: tzinfo, us: int) -> int:
    offset = (_EPOCH + timedelta(microseconds=us)).astimezone(tz).utcoffset()
    return 0 if offset is None else offset // _US
