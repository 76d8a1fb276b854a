"""Auto extractor: any common log line → fields, guessed per line.

A JSON object is read as JSON; an access log line (common/combined) by its
fields; Python's default `LEVEL:name:message`; otherwise a leading timestamp
(with a zone abbreviation), a pid (`[123]`), a level word (`[INFO]`, `LOG:`,
`[info     ]`), `key=value` pairs and query parameters (`?request_id=`)
anywhere, and the remaining text as the message. Colour escapes are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from tracerun.config.spec import AutoParserConfig
from tracerun.extract.json import JsonExtractor, container_end, loads_object
from tracerun.extract.logfmt import unquote
from tracerun.extract.shapes import (
    ACCESS,
    CLOUDWATCH_STREAM,
    DJANGO_REQUEST,
    HAPROXY,
    KUBECTL_PREFIX,
    LAMBDA_AFTER_TIME,
    LAMBDA_PLATFORM,
    LAMBDA_PYTHON,
    PYTHON_BASIC,
    strip_ansi,
)
from tracerun.timeparse import leading_timestamp

_WORDS = "TRACE|DEBUG|INFO|WARN(?:ING)?|ERROR|FATAL|CRITICAL"
_UPPER_WORDS = "NOTICE|ERR|CRIT|ALERT|EMERG|PANIC|SEVERE|VERBOSE|VRB|DBG|INF|WRN|FTL"
_LEVEL = re.compile(
    rf"\s*(?:\[\s*(?:[\w-]+:)?(?P<bracketed>{_WORDS}|{_UPPER_WORDS}|INFORMATION)\s*\]"
    rf"|(?P<bare>{_WORDS}|(?-i:{_UPPER_WORDS}))(?=[\s:]|$):?"
    r"|(?-i:(?P<colon>LOG|DETAIL|STATEMENT|HINT|CONTEXT|QUERY|LOCATION"
    r"|CONFIG|FINEST|FINER|FINE)):)",
    re.IGNORECASE,
)
"""A level word: `[INFO]`, `[info     ]` (structlog), `ERROR`, `WARNING:`, and
PostgreSQL's `LOG:`/`DETAIL:`/... and java.util.logging's `CONFIG:`/`FINE:`/...
(upper case, with the colon, only); Apache's
error log `[php:error]` names its module first."""
# Python's logging cookbook format, `%(asctime)s - %(name)s - %(levelname)s - `.
_DASHED = re.compile(rf"\s+-\s+(?P<logger>\S+)\s+-\s+(?P<level>{_WORDS})\s+-(?:\s|$)")
# Monolog's (PHP: Laravel, Symfony) `[%datetime%] %channel%.%level_name%: `.
_MONOLOG = re.compile(
    r"\s*(?P<logger>[\w-]+)\.(?P<level>DEBUG|INFO|NOTICE|WARNING|ERROR|CRITICAL"
    r"|ALERT|EMERGENCY):(?:\s|$)"
)
# PHP's error log after its time: `PHP Fatal error:  Uncaught …`, `PHP Warning:  …`.
_PHP_LEVEL = re.compile(r"\s*PHP (Fatal|Parse|Warning|Notice|Deprecated)\b")
_PHP_LEVELS = {
    "Fatal": "fatal",
    "Parse": "fatal",
    "Warning": "warn",
    "Notice": "info",
    "Deprecated": "info",
}
# uWSGI's request log (its default --log-format), the time inside the line.
_UWSGI = re.compile(
    r"\[pid: (?P<pid>\d+)\|app: [^|\]]*\|req: [^\]]*\] (?P<client>\S+) \([^)]*\) "
    r"\{[^}]*\} \[(?P<time>[^\]]+)\] (?P<request>[A-Z]+ \S+) => generated "
    r"(?P<bytes>\d+) bytes in \d+ msecs \(\S+ (?P<status>\d{3})\)"
)
# .NET's console logger: `fail: Shop.Orders[0]`, its message on the next lines.
_DOTNET = re.compile(r"\s*(trce|dbug|info|warn|fail|crit): (?=[^\s\[\]]+\[\d+\])")
# logback's and log4j2's default layouts after the time: `[%thread] %-5level
# %logger{36} - %msg` (logback 1.3+: ` -%kvp- `, so ` -- ` without pairs); a
# `[digits]` is a pid, not a thread.
_THREADED = re.compile(
    rf" \[(?!\d+\])(?P<thread>[^\]]*)\] (?P<level>{_WORDS})\s+(?P<logger>[\w$.]+) "
    r'-(?: |(?P<kvp>(?:[\w.]+="[^"]*" ?)*)- )'
)
# loguru's default format after the time: ` | LEVEL    | name:function:line - `
# (its levels are names: SUCCESS, or a user's own).
_LOGURU = re.compile(
    r" \| (?P<level>[A-Z][A-Z0-9_]*) *\| (?P<logger>[^\s:]+):\S*:\d+ - "
)
# MariaDB's and MySQL's error log after the time: a thread id, then `[Note]`,
# `[Warning]`, `[ERROR]` (MySQL 8: `[System] [MY-010116] [Server]`).
_MYSQL = re.compile(
    r" (?P<tid>\d+) \[(?P<level>Note|Warning|ERROR|System)\]"
    r"(?: \[(?P<code>MY-\d+)\] \[(?P<logger>\w+)\])? "
)
# Redis, `4242:M 20 Mar 2026 14:10:00.123 * `: pid, role (sentinel, child, replica,
# master), then a level character: `.` debug, `-` verbose, `*` notice, `#` warning.
_REDIS = re.compile(r"(\d+):([XCSM]) ")
_REDIS_LEVELS = {".": "debug", "-": "debug", "*": "notice", "#": "warning"}
# pino-pretty's `[14:18:48.437] INFO (name/19645 on host): ` and bunyan's CLI
# `[2026-…Z]  INFO: name/19700 on host: `, after the level.
_PINO_PRETTY = re.compile(
    r" \((?:(?P<logger>[^/\s()]+)/)?(?P<pid>\d+)(?: on (?P<host>[^\s()]+))?\): "
)
_BUNYAN_CLI = re.compile(r" (?P<logger>[^/\s]+)/(?P<pid>\d+) on (?P<host>\S+): ")
# bunyan's CLI ends the message with the record's other fields: ` (k=v, k2="a b")`.
_BUNYAN_EXTRAS = re.compile(
    r' \(((?:[A-Za-z_$@][\w$@.-]*=(?:"(?:[^"\\]|\\.)*"|[^,()"]*)(?:, (?=[A-Za-z_$@]))?)+)\)\r?$'
)
_EXTRA_PAIR = re.compile(r'([A-Za-z_$@][\w$@.-]*)=(?:"((?:[^"\\]|\\.)*)"|([^,()"]*))')
# Apache's error log after `[module:level]`: `[pid 1:tid 2] [client 10.0.0.1:5678]`.
_APACHE_ORIGIN = re.compile(
    r" \[pid (?P<pid>\d+)(?::tid (?P<tid>\d+))?\](?: \[client (?P<client>[^\]\s]+)\])?"
)
# Flask's default handler, `[%(asctime)s] %(levelname)s in %(module)s: `.
_FLASK_MODULE = re.compile(r" in ([\w.]+): ")
# klog, `I0320 14:10:00.123456    4242 controller.go:123] `: level letter, pid, file.
_KLOG_LEVELS = {"I": "info", "W": "warn", "E": "error", "F": "fatal"}
# Envoy's default access log: `[%START_TIME%] "%REQ(:METHOD)% … %PROTOCOL%"
# %RESPONSE_CODE% …`; its last quoted fields are named by _ENVOY_TAIL.
_ENVOY = re.compile(
    r'\[(?P<time>\d{4}-\d{2}-\d{2}T[^\]]+)\] "(?P<request>[^"]*)" (?P<status>\d{1,3}) '
    r"(?P<rest>.*)$"
)
_QUOTED = re.compile(r'"([^"]*)"')
_ENVOY_TAIL = ("x-forwarded-for", "user-agent", "x-request-id", "authority", "upstream")
JUDGED_PLACES = frozenset(
    [
        "x-request-id",
        "RequestId",
        "captured_request_headers",
        "captured_response_headers",
        "thread",
    ]
)
"""Positional fields whose place read/bounds.py takes as written after a key:
a quoted field right after another (Envoy's `"curl/8.5" "abc123"`), a value
right after a `…Z` time and a tab or space (AWS Lambda's runtimes:
`2024-…123Z\tID\t`; its platform lines write `RequestId: ID`), a value right
after `{` or `|` (HAProxy's captured headers, `{abc123|Mozilla/5.0}`). A query
for them keeps the byte-level test of message text (Parser.keyed_values)."""
_SYSLOG_HEADER = re.compile(
    r" (?P<host>[A-Za-z0-9][\w.-]*) (?P<app>[^\s\[\]:]+)(?:\[(?P<pid>\d+)\])?: "
)
_MONTH_WORDS = frozenset(
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
)
_RUBY_PROGNAME = re.compile(r"\s*-- ([^:\s]*): ")
_RUBY_TAG = re.compile(r"\[([^\]\s]+)\] ?")
_KLOG_REST = re.compile(r"\s+(\d+) ([^\s\]]+:\d+)\] ")
_PID = re.compile(r"\s*\[(\d+)\]")
_PID_TID = re.compile(r"\s*(\d+)#(\d+):")  # nginx's error log: `10413#10413: `
_PRIORITY = re.compile(r"<(\d{1,3})>(?:1 )?")
_SEVERITIES = ("emerg", "alert", "crit", "err", "warning", "notice", "info", "debug")
# Only `key=value` tokens that start a word; a bare word is message text here. A
# `,`, `;` or `.` that ends a bare value is the sentence's, not the value's
# (`request_id=abc, referer: x` in Apache's error log; `logger "done id=abc."`).
# Written as unrolled loops, not a lazy `\S*?` with a look-ahead at each
# character: half the time on a logfmt line.
_PAIR = re.compile(
    r"(?<!\S)([A-Za-z_@][\w.@-]*)="
    r'(?:"([^"\\]*(?:\\.[^"\\]*)*)"|((?:[^\s,;.]+|[,;.](?!\s|$))*))'
)
# Rust `tracing`'s default format names each span with its fields before the
# message: `request{request_id=abc method=GET}:`, `req{id=1}:db{table="a b"}:`.
_SPAN = re.compile(
    r'(?<=[\w.:-])\{((?:[^{}"\s]|"(?:[^"\\]|\\.)*")(?:[^{}"]|"(?:[^"\\]|\\.)*")*)\}(?=:)'
)
_QUERY = re.compile(r"(?<=[^\s?])\?([^\s\"'#?]+)")
_QUERY_PAIR = re.compile(r"([A-Za-z_][\w.-]*)=([^&]*)")
_MESSAGE_KEYS = ("msg", "message")
# The kubelet's (CRI) log file: `2026-…Z stdout F ` (P: a part of a longer line).
_CRI_STREAM = re.compile(r" (stdout|stderr) [FP] ")
# The time keys of a line's own (extract.DEFAULT_TIME_FIELDS, which imports us).
_OWN_TIME = ("time", "ts", "timestamp", "@timestamp", "t", "@t", "asctime")
POSITIONAL = frozenset(
    [
        "level",
        "logger",
        "time",
        "pid",
        "tid",
        "msg",
        "message",
        "method",
        "path",
        "query",
        "client",
        "user",
        "request",
        "status",
        "bytes",
        "referer",
        "agent",
        "combined",
        "tail",
        "tags",
        "x-forwarded-for",
        "user-agent",
        "x-request-id",
        "authority",
        "upstream",
        "host",
        "app",
        "log_stream",
        "RequestId",
        "frontend",
        "backend",
        "server",
        "timers",
        "termination_state",
        "connections",
        "queues",
        "captured_request_headers",
        "captured_response_headers",
        "thread",
        "role",
        "code",
        "pod",
        "container",
    ]
)
"""Fields a text line's position gives (no `key=` before the value): the access
log's, the timestamp, pid, level, logger and message (read/bounds.py)."""


class AutoExtractor:
    """Guesses the shape of each line: JSON, access log, or text with pairs."""

    __slots__ = ("_json",)

    def __init__(self) -> None:
        self._json = JsonExtractor()

    def extract(self, line: str) -> dict[str, Any] | None:
        """Return the fields found; None only for an empty line."""
        if line.startswith("[pod/"):
            prefix = KUBECTL_PREFIX.match(line)
            if prefix is not None:
                return self._prefixed(line[prefix.end() :], prefix)
        if line.startswith("{"):
            found = self._json.extract(line)
            if found is not None:
                return self._unwrapped(found)
            salvaged = _salvaged(line)
            if salvaged is not None:  # a JSON line cut short: its pairs, and the text's
                return {**(self._text(line) or {}), **salvaged}
        return self._text(line)

    def _text(self, line: str) -> dict[str, Any] | None:
        """Read a line that is not one JSON object: an access log, or text with pairs."""
        if not line or line.isspace():
            return None
        line = strip_ansi(line)
        if '] "' in line:
            access = ACCESS.match(line)
            if access is not None:
                return access_fields(access)
            envoy = _ENVOY.match(line)
            found = None if envoy is None else _envoy_fields(envoy)
            if found is not None:
                return found
        if ": /" in line and line[:1].isupper():
            django = DJANGO_REQUEST.match(line)
            if django is not None:  # a 5xx is logged as an error, a 4xx a warning
                return {
                    "level": "error" if django["server"] else "warning",
                    "msg": line,
                }
        if line.startswith("[pid: "):
            uwsgi = _UWSGI.match(line)
            if uwsgi is not None:
                return _uwsgi_fields(uwsgi)
        fields: dict[str, Any] = {}
        position = _take_priority(line, fields)
        if line.find("/[", position, position + 48) != -1:
            position = _take_cloudwatch(line, position, fields)
        if _take_lambda(line, position, fields):
            return fields
        basic = PYTHON_BASIC.match(line, position)
        if basic is not None:
            fields["level"], fields["logger"] = basic["level"], basic["logger"]
            position = basic.start("message")
        else:
            haproxy = _haproxy(line, position)  # raw (`log stdout format raw`)
            if haproxy is not None:
                return _haproxy_fields(haproxy, fields)
            position = _take_timestamp(line, position, fields)
            position = _take_syslog_header(line, position, fields)
            haproxy = _haproxy(line, position)  # after syslog's header
            if haproxy is not None:
                return _haproxy_fields(haproxy, fields)
            position = _take_after_time(line, position, fields)
        stream = _CRI_STREAM.match(line, position) if "time" in fields else None
        if stream is not None:  # the kubelet's log file: `<time> stdout F <line>`
            fields["stream"] = stream[1]
            position = stream.end()
            if line.startswith("{", position):
                inner = self._json.extract(line[position:])
                if inner is not None:
                    return _over(self._unwrapped(inner), fields)
        end = _take_json_tail(line, position, fields)
        if line.endswith(")", 0, end) and "level" in fields and "time" in fields:
            end = _take_bunyan_extras(line, position, end, fields)
        _take_pairs_and_message(line[:end], position, fields)
        return fields

    def _prefixed(self, line: str, prefix: re.Match[str]) -> dict[str, Any]:
        """Read a line `kubectl logs --prefix` wrote: the container's line, its pod.

        The kubelet's time (`--timestamps`) is the record's only when the line
        has none of its own, as for a kubernetes source.
        """
        envelope = {k: v for k, v in prefix.groupdict().items() if v is not None}
        if "stamp" in envelope:
            envelope["time"] = envelope.pop("stamp")
        return _over(self.extract(line) or {}, envelope)

    def _unwrapped(self, found: dict[str, Any]) -> dict[str, Any]:
        """Read the program's own line inside a docker json-file or journald record.

        Docker's json-file driver (`{"log": "...\\n", "stream": …, "time": …}`)
        holds the line as written: its fields are the record's, and the
        engine's time is used only when the line has none of its own (as for
        docker sources). journald's `MESSAGE` keeps its text; its `key=value`
        pairs are fields too, as in any text line.
        """
        log = found.get("log")
        if type(log) is str and "stream" in found and len(found) <= 4:
            inner = self.extract(log.rstrip("\r\n"))
            if inner is not None:
                envelope = {k: v for k, v in found.items() if k != "log"}
                return _over(inner, envelope)
        message = found.get("MESSAGE")
        if type(message) is str and "__REALTIME_TIMESTAMP" in found:
            for key, value in pairs_in(message):
                found.setdefault(key, value)
        return found


_JSON_PAIR = re.compile(
    r'"((?:[^"\\]|\\.)+)"\s*:\s*'
    r'(?:"((?:[^"\\]|\\.)*)"|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)(?![\w.]))'
)


def _salvaged(line: str) -> dict[str, Any] | None:
    """Read the `"key": value` pairs of a JSON object that does not parse (None: none).

    Why: a writer's or a log driver's line limit cuts a JSON line short
    (Docker splits lines at 16 KiB); its time and ids are still in the part
    that was written, and a record that carries the id must not be lost as
    text. Nested keys come out flat; the first of a name wins.
    """
    fields: dict[str, Any] = {}
    for match in _JSON_PAIR.finditer(line):
        pair = loads_object("{" + match[0] + "}")
        for key, value in (pair or {}).items():
            fields.setdefault(key, value)
    return fields or None


def wrapped(found: dict[str, Any]) -> bool:
    """Tell whether a JSON record wraps a program's line: docker json-file, journald."""
    docker = type(found.get("log")) is str and "stream" in found and len(found) <= 4
    return docker or (
        type(found.get("MESSAGE")) is str and "__REALTIME_TIMESTAMP" in found
    )


def _over(inner: dict[str, Any], envelope: dict[str, Any]) -> dict[str, Any]:
    """Put a line's own fields over its envelope's; the envelope's time only fills in."""
    if any(key in inner for key in _OWN_TIME):
        envelope = {k: v for k, v in envelope.items() if k != "time"}
    return {**envelope, **inner}


def _take_json_tail(line: str, position: int, fields: dict[str, Any]) -> int:
    """Take the JSON object that ends a text line (zap's console encoder), if any.

    `…\torder received\t{"request_id": "abc"}`: its keys are fields; the text
    before it is read as usual. Monolog's line format (PHP: Laravel, Symfony)
    ends with its context and extra, each an object or `[]`: `… Order failed
    {"request_id":"abc"} []`; both objects' keys are fields, the context's
    first. Returns where that text ends.
    """
    if not line.endswith(("}", " []")):
        return len(line)
    start = line.find("\t{", position)
    if start == -1:
        start = line.find(' {"', position)
    if start == -1:
        return len(line)
    try:
        stop = container_end(line, start + 1)
    except ValueError:
        return len(line)
    rest = line[stop:]
    extra: dict[str, Any] | None = {}
    if rest.startswith(' {"'):
        extra = JsonExtractor().extract(rest[1:])
    elif rest not in ("", " []"):
        return len(line)
    tail = JsonExtractor().extract(line[start + 1 : stop])
    if tail is None or extra is None:
        return len(line)
    for key, value in (*tail.items(), *extra.items()):
        fields.setdefault(key, value)
    return start


def _take_bunyan_extras(
    line: str, position: int, end: int, fields: dict[str, Any]
) -> int:
    """Take the ` (k=v, k2="a b")` that ends bunyan's CLI lines; return where it starts."""
    match = _BUNYAN_EXTRAS.search(line, position, end)
    if match is None:
        return end
    for pair in _EXTRA_PAIR.finditer(match[1]):
        quoted = pair[2]
        fields.setdefault(pair[1], unquote(quoted) if quoted is not None else pair[3])
    return match.start()


def from_config(config: AutoParserConfig) -> AutoExtractor:  # noqa: ARG001
    """Build the extractor for a `type: auto` parser."""
    return AutoExtractor()


def access_fields(match: re.Match[str]) -> dict[str, Any]:
    """Read an access log line's fields; its query parameters join them.

    The `key=value` pairs after the known fields (`rid=$http_x_request_id`)
    are the log's own, so they win over a query parameter of the same name;
    a pair inside the quoted User-Agent is the client's and never a field.
    """
    fields = {k: v for k, v in match.groupdict().items() if v is not None}
    del fields["tail"]
    fields.pop("combined", None)
    _take_request(fields["request"], fields)
    for key, value in pairs_in(match["tail"], query=False):
        fields[key] = value
    for key, value in query_pairs(fields["request"]):
        fields.setdefault(key, value)
    return fields


def _uwsgi_fields(match: re.Match[str]) -> dict[str, Any]:
    """Read uWSGI's request line as an access log's: its request is the message."""
    fields: dict[str, Any] = match.groupdict()
    method, _, target = fields["request"].partition(" ")
    fields["method"], fields["path"] = method, target.partition("?")[0]
    if "?" in target:
        fields["query"] = target.partition("?")[2]
    for key, value in query_pairs(fields["request"]):
        fields.setdefault(key, value)
    return fields


def _take_request(request: str, fields: dict[str, Any]) -> None:
    """Add an HTTP request line's method, path and query (`GET /a?b=1 HTTP/1.1`)."""
    method, _, rest = request.partition(" ")
    if rest:
        target = rest.rpartition(" ")[0] or rest
        fields["method"], fields["path"] = method, target.partition("?")[0]
        if "?" in target:
            fields["query"] = target.partition("?")[2]


def pairs_in(text: str, *, query: bool = True) -> Iterator[tuple[str, str]]:
    """Yield the `key=value` tokens of a text (and its URLs' query parameters)."""
    if "=" not in text:
        return
    text = strip_ansi(text)
    spans = _spans(text, 0)
    for match in _outside(_PAIR.finditer(text), spans):
        quoted = match[2]
        yield match[1], unquote(quoted) if quoted is not None else match[3]
    yield from _span_pairs(spans)
    if query and "?" in text:
        yield from query_pairs(text)


# A field on a line of its own under the record's first line, as pino-pretty
# and bunyan's CLI write them: `    request_id: "abc123"` (the value as JSON).
_FIELD_LINE = re.compile(r'\s+([A-Za-z_$@][\w$@.-]*): ("(?:[^"\\]|\\.)*")\r?$')


def continued_pairs(line: str) -> Iterator[tuple[str, str]]:
    """Yield a continuation line's pairs: `    key: "value"`, else its `key=value` tokens.

    pino-pretty and bunyan's CLI write a record's fields one a line under it.
    """
    if line[:1].isspace() and ': "' in line:
        match = _FIELD_LINE.match(strip_ansi(line))
        value = None if match is None else loads_object(f'{{"v": {match[2]}}}')
        if match is not None and value is not None and type(value["v"]) is str:
            yield match[1], value["v"]
            return
    yield from pairs_in(line)


def _spans(line: str, position: int) -> list[re.Match[str]]:
    """Find the Rust `tracing` spans of a line (`request{request_id=abc}:`)."""
    return list(_SPAN.finditer(line, position)) if "}:" in line else []


def _outside(
    matches: Iterator[re.Match[str]], spans: list[re.Match[str]]
) -> list[re.Match[str]]:
    """Drop the pairs that lie inside a span: _span_pairs reads those."""
    if not spans:
        return list(matches)
    return [
        m for m in matches if not any(s.start() <= m.start() < s.end() for s in spans)
    ]


def _span_pairs(spans: list[re.Match[str]]) -> Iterator[tuple[str, str]]:
    """Yield the fields of the spans, outermost first (`{request_id=abc}`: request_id).

    Why: Rust's `tracing` writes a span's fields only there, so a request id
    recorded on the request's span is on every line logged inside it, between
    braces, where a `key=value` token does not start a word.
    """
    for span in spans:
        for match in _PAIR.finditer(span[1]):
            quoted = match[2]
            yield match[1], unquote(quoted) if quoted is not None else match[3]


def query_pairs(text: str) -> Iterator[tuple[str, str]]:
    """Yield the parameters of every query string in `text` (`/p?a=1&b=2`), decoded.

    A URL written in parentheses (Apache's error log: `invalid URI path
    (/x?request_id=abc)`) ends before the closing one.
    """
    from urllib.parse import unquote as percent_unquote  # noqa: PLC0415 - start-up: 3 ms

    for query in _QUERY.finditer(text):
        params = query[1]
        if params.endswith(")") and "(" not in params:
            start = text.rfind(" ", 0, query.start()) + 1
            if text.startswith("(", start):
                params = params[:-1]
        for pair in _QUERY_PAIR.finditer(params):
            if pair.start() == 0 or params[pair.start() - 1] in "&;":
                yield pair[1], percent_unquote(pair[2])


def _take_priority(line: str, fields: dict[str, Any]) -> int:
    """Take a syslog `<13>` (RFC 3164) or `<13>1 ` (RFC 5424); its severity is the level."""
    if not line.startswith("<"):
        return 0
    match = _PRIORITY.match(line)
    if match is None or int(match[1]) > 191:
        return 0
    fields["level"] = _SEVERITIES[int(match[1]) % 8]
    return match.end()


def _take_timestamp(line: str, position: int, fields: dict[str, Any]) -> int:
    found = leading_timestamp(line[position:] if position else line)
    if found is None:
        return position
    fields["time"] = found[0]
    return position + found[1]


def _take_syslog_header(line: str, position: int, fields: dict[str, Any]) -> int:
    """Take syslog's `host app[pid]: ` after the time (RFC 3164, rsyslog's files).

    After a syslog time (`Mar 20 14:10:00`) or priority the `[pid]` may be
    absent (`kernel:`); after an ISO time it must be there, so that
    `2026-… INFO main: …` keeps its level and message.
    """
    match = _SYSLOG_HEADER.match(line, position) if "time" in fields else None
    if match is None or _LEVEL.fullmatch(match["host"]):
        return position
    syslog_time = fields["time"][:3] in _MONTH_WORDS or "level" in fields
    if match["pid"] is None and not syslog_time:
        return position
    fields["host"], fields["app"] = match["host"], match["app"]
    if match["pid"] is not None:
        fields["pid"] = match["pid"]
    return match.end()


def _envoy_fields(match: re.Match[str]) -> dict[str, Any] | None:
    """Read Envoy's (and Istio's) default access log line by its fields' places.

    Both formats end their quoted fields with `"%REQ(X-REQUEST-ID)%"
    "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"` (Istio adds unquoted fields after
    them): the request id is the third quoted field from the end.
    """
    quoted = _QUOTED.findall(match["rest"])
    if len(quoted) < 5:
        return None
    fields: dict[str, Any] = {"time": match["time"], "request": match["request"]}
    method, _, rest = match["request"].partition(" ")
    target = rest.rpartition(" ")[0] or rest
    fields["method"], fields["path"] = method, target.partition("?")[0]
    fields["status"] = match["status"]
    for key, value in zip(_ENVOY_TAIL, quoted[-5:], strict=True):
        fields[key] = value
    for key, value in query_pairs(match["request"]):
        fields.setdefault(key, value)
    return fields


def _haproxy(line: str, position: int) -> re.Match[str] | None:
    """Match HAProxy's HTTP log at `position` (`client:port [accept date] …`)."""
    if line.find(" [", position, position + 64) == -1:
        return None
    return HAPROXY.match(line, position)


def _take_after_time(line: str, position: int, fields: dict[str, Any]) -> int:
    """Take what a writer puts between the time and the message: level, pid, logger.

    AWS Lambda's Node.js runtime's `\tID\tLEVEL\t`; Redis's `* `; MariaDB's
    ` 0 [Note] `; loguru's `| LEVEL | name:f:1 - `;
    logback's and log4j2's `[thread] LEVEL logger - `; klog's pid and file;
    Python's ` - logger - LEVEL - `; a `[pid]`; .NET's `fail: `; Monolog's
    `channel.LEVEL: ` and PHP's `PHP Warning:`; a level word (and Flask's
    ` in module: ` after it); Ruby's progname
    and Rails' tags; nginx's `pid#tid:`.
    """
    # AWS Lambda's Node.js runtime: `…Z\tID\t`, the id's first `-` 9 on
    if line[position + 9 : position + 10] == "-" and fields.get("time", "")[-1:] == "Z":
        runtime = LAMBDA_AFTER_TIME.match(line, position)
        if runtime is not None:
            fields["RequestId"] = runtime[1] or runtime[3]
            if runtime[2] is not None:
                fields["level"] = runtime[2]
            return runtime.end()
    if line[position + 2 : position + 3] == " " and line[position + 1] in _REDIS_LEVELS:
        redis = _REDIS.match(line) if "time" in fields else None
        if redis is not None:
            fields["pid"], fields["role"] = redis.groups()
            fields["level"] = _REDIS_LEVELS[line[position + 1]]
            return position + 3
    if line[position + 1 : position + 2].isdigit() and "] " in line:
        mysql = _MYSQL.match(line, position) if "time" in fields else None
        if mysql is not None:
            fields.update((k, v) for k, v in mysql.groupdict().items() if v is not None)
            return mysql.end()
    if line.startswith(" | ", position) and "time" in fields:
        loguru = _LOGURU.match(line, position)
        if loguru is not None:
            fields["level"], fields["logger"] = loguru["level"], loguru["logger"]
            return loguru.end()
    threaded = (
        _THREADED.match(line, position)
        if "time" in fields and line.startswith(" [", position)
        else None
    )
    if threaded is not None:
        fields["thread"], fields["level"] = threaded["thread"], threaded["level"]
        fields["logger"] = threaded["logger"]
        for key, value in pairs_in(threaded["kvp"] or "", query=False):
            fields[key] = value
        return threaded.end()
    if _is_klog(line, fields):
        fields["level"] = _KLOG_LEVELS[line[0]]
        position = _take(_KLOG_REST, line, position, fields, "pid", "logger")
    position = _take(_DASHED, line, position, fields, "logger", "level")
    position = _take(_PID, line, position, fields, "pid")
    position = _take(_DOTNET, line, position, fields, "level")
    if "time" in fields and "level" not in fields:
        position = _take(_MONOLOG, line, position, fields, "logger", "level")
        php = _PHP_LEVEL.match(line, position)
        if php is not None:  # the words stay in the message, as PHP wrote them
            fields["level"] = _PHP_LEVELS[php[1]]
    position = _take_level(line, position, fields)
    if line.startswith(" in ", position) and line[:1] == "[" and "level" in fields:
        position = _take(_FLASK_MODULE, line, position, fields, "logger")
    if line.startswith(" [pid ", position):  # Apache's error log
        apache = _APACHE_ORIGIN.match(line, position)
        if apache is not None:
            fields.update(
                (k, v) for k, v in apache.groupdict().items() if v is not None
            )
            position = apache.end()
    elif line.startswith((" (", " "), position) and "level" in fields:
        position = _take_node_origin(line, position, fields)
    if line[1:4] == ", [" and "time" in fields:
        position = _take_ruby_tags(line, position, fields)
    return _take(_PID_TID, line, position, fields, "pid", "tid")


def _take_node_origin(line: str, position: int, fields: dict[str, Any]) -> int:
    """Take pino-pretty's `(name/pid on host): ` or bunyan's CLI `name/pid on host: `."""
    pattern = _PINO_PRETTY if line.startswith(" (", position) else _BUNYAN_CLI
    match = pattern.match(line, position)
    if match is None:
        return position
    fields.update((k, v) for k, v in match.groupdict().items() if v is not None)
    return match.end()


def _take_cloudwatch(line: str, position: int, fields: dict[str, Any]) -> int:
    """Take a CloudWatch event's stream and time: `sam logs`' `STREAM TIME `, `aws logs tail`'s `TIME STREAM `.

    The event's own line follows (a Lambda line, or any other text).
    """
    stream = CLOUDWATCH_STREAM.match(line, position)
    if stream is not None and line[stream.end() : stream.end() + 1] == " ":
        found = leading_timestamp(line[stream.end() + 1 :])
        if found is None:
            return position
        fields["log_stream"], fields["time"] = stream[0], found[0]
        return _after_blank(line, stream.end() + 1 + found[1])
    found = leading_timestamp(line[position:])
    if found is None or line[position + found[1] : position + found[1] + 1] != " ":
        return position
    stream = CLOUDWATCH_STREAM.match(line, position + found[1] + 1)
    if stream is None:
        return position
    fields["time"], fields["log_stream"] = found[0], stream[0]
    return _after_blank(line, stream.end())


def _after_blank(line: str, position: int) -> int:
    return position + 1 if line[position : position + 1] == " " else position


def _take_lambda(line: str, position: int, fields: dict[str, Any]) -> bool:
    """Read an AWS Lambda platform or Python runtime line; False when it is neither.

    The request id is the field `RequestId`, as the platform's `START
    RequestId: ID` names it (a spelling of `request_id`); the runtime's own
    time wins over a CloudWatch event's. A platform line is its message as
    written (it has no time of its own: it takes the time before it). The
    Node.js runtime's lines open with their time: `_take_after_time` reads them.
    """
    first = line[position : position + 1]
    if first in ("S", "E", "R"):
        platform = LAMBDA_PLATFORM.match(line, position)
        if platform is None:
            return False
        fields["RequestId"] = platform[1]
        fields["msg"] = line[position:].rstrip()
        return True
    python = LAMBDA_PYTHON.match(line, position) if first == "[" else None
    if python is None:
        return False
    fields["level"], fields["time"], fields["RequestId"] = python.groups()
    _take_pairs_and_message(line, python.end(), fields)
    return True


def _haproxy_fields(match: re.Match[str], fields: dict[str, Any]) -> dict[str, Any]:
    """Read HAProxy's HTTP log line (shapes.HAPROXY) by its fields' places.

    The time is the accept date (a year and milliseconds; syslog's has
    neither). The captured headers (`{abc123|Mozilla/5.0}`) are in the order
    of the `capture` lines, with no names: they are the list fields
    `captured_request_headers` and `captured_response_headers` (HAProxy's
    names for them), found by `captured_request_headers=ID` as Rails' tags
    are by `tags=ID`; a bare id does not search them.
    """
    for key, value in match.groupdict().items():
        if value is None:
            continue
        if key.endswith("_headers"):
            fields[f"captured_{key}"] = value.split("|")
        else:
            fields[key] = value
    _take_request(match["request"], fields)
    for key, value in query_pairs(match["request"]):
        fields.setdefault(key, value)
    return fields


def _take_ruby_tags(line: str, position: int, fields: dict[str, Any]) -> int:
    """Take Ruby Logger's `-- progname: ` and Rails' tags after it (`[abc123] `).

    Rails' production default tags each line with its request id
    (`config.log_tags = [:request_id]`); tags have no names, so they are the
    list field `tags`: `tags=ID` finds them (a bare id does not).
    """
    match = _RUBY_PROGNAME.match(line, position)
    if match is None:
        return position
    if match[1]:
        fields["logger"] = match[1]
    position = match.end()
    tags: list[str] = []
    while (tag := _RUBY_TAG.match(line, position)) is not None:
        tags.append(tag[1])
        position = tag.end()
    if tags:
        fields["tags"] = tags
    return position


def _is_klog(line: str, fields: dict[str, Any]) -> bool:
    """Tell whether the line opened with klog's header (`I0320 14:10:00.123456`)."""
    return line[:1] in _KLOG_LEVELS and line[1:5].isdigit() and "time" in fields


def _take(
    pattern: re.Pattern[str],
    line: str,
    position: int,
    fields: dict[str, Any],
    *keys: str,
) -> int:
    match = pattern.match(line, position)
    if match is None:
        return position
    for key, value in zip(keys, match.groups(), strict=True):
        fields[key] = value
    return match.end()


def _take_level(line: str, position: int, fields: dict[str, Any]) -> int:
    match = _LEVEL.match(line, position)
    if match is None:
        return position
    fields["level"] = match["bracketed"] or match["bare"] or match["colon"]
    return match.end()


def _take_pairs_and_message(line: str, position: int, fields: dict[str, Any]) -> None:
    """Add every `key=value` pair and query parameter; the text is `msg`.

    The pairs that open or end the text (`k=v text k=v k=v`) are fields only;
    pairs inside it (`/* request_id=abc */ INSERT ...`) stay in the message as
    written.
    """
    end = len(line)
    spans = _spans(line, position)
    matches = _outside(_PAIR.finditer(line, position), spans) if "=" in line else []
    pairs: dict[str, str] = {}  # in the line's order; a key written twice: the last
    for match in matches:
        quoted = match[2]
        pairs[match[1]] = unquote(quoted) if quoted is not None else match[3]
    for key, value in pairs.items():
        fields.setdefault(key, value)
    for key, value in _span_pairs(spans):
        fields.setdefault(key, value)
    for match in reversed(matches):
        if line[match.end() : end].strip():
            break
        end = match.start()
    start = position
    for match in matches:
        if line[start : match.start()].strip() or match.start() >= end:
            break
        start = match.end()
    if "?" in line:
        for key, value in query_pairs(line[position:]):
            fields.setdefault(key, value)
    message = line[start:end].strip()
    if message and not any(key in fields for key in _MESSAGE_KEYS):
        fields["msg"] = message
