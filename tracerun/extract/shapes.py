"""Shapes: the line layouts tracerun knows, and the record-start rule built from them.

One place for what a log line looks like, read by the multi-line rule (raw
bytes, per line around a hit), the auto parser (one decoded line) and `init`'s
sniffing (sniff.py), so that the three cannot disagree (#11).
"""

from __future__ import annotations

import re

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
"""A terminal colour or style escape (structlog's and many CLIs' coloured output)."""

ACCESS = re.compile(
    r'^(?P<client>\S+) \S+ (?P<user>\S+) \[(?P<time>[^\]]+)\] "(?P<request>[^"]*)" '
    r'(?P<status>\d{3}) (?P<bytes>\d+|-)(?P<combined> "(?P<referer>[^"]*)" '
    r'"(?P<agent>[^"]*)")?(?P<tail>.*)$'
)
"""A common (CLF) or combined access log line, as nginx, Apache and gunicorn write it."""

HAPROXY = re.compile(
    r"(?P<client>\S+:\d+) \[(?P<time>\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2}\.\d{3})\] "
    r"(?P<frontend>\S+) (?P<backend>[^\s/]+)/(?P<server>\S+) "
    r"(?P<timers>[-+\d]+(?:/[-+\d]+){4}) (?P<status>-?\d+) (?P<bytes>\+?\d+) "
    r"\S+ \S+ (?P<termination_state>\S{4}) (?P<connections>[+\d]+(?:/[+\d]+){4}) "
    r"(?P<queues>\d+/\d+)(?: \{(?P<request_headers>[^}]*)\})?"
    r"(?: \{(?P<response_headers>[^}]*)\})? \"(?P<request>[^\"]*)\"?$"
)
"""HAProxy's HTTP log (`option httplog`): `%ci:%cp [%tr] %ft %b/%s
%TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs
%{+Q}r`, after syslog's header or alone (`log stdout format raw`). `%hr` and
`%hs`, the `capture request header` / `capture response header` values as
`{v1|v2}`, are there only when captures are configured: a single block is
taken as the request's."""

PYTHON_BASIC = re.compile(
    r"(?P<level>CRITICAL|ERROR|WARNING|INFO|DEBUG|NOTSET|Level \d+)"
    r":(?P<logger>[^\s:]*):(?P<message>.*)$"
)
"""Python's default `logging.basicConfig()` format, `%(levelname)s:%(name)s:%(message)s`."""

LEVEL_FIRST = (
    "TRACE",
    "DEBUG",
    "INFO",
    "NOTICE",
    "WARN",
    "WARNING",
    "ERROR",
    "CRITICAL",
    "FATAL",
)
"""Level words that may open a line (`[INFO] …`, `WARNING:root:…`)."""

_METHODS = "GET|HEAD|POST|PUT|DELETE|CONNECT|OPTIONS|TRACE|PATCH"
_MORGAN_STATUS = r"(?:\x1b\[[0-9;]*m)*(?:\d{3}|-)(?:\x1b\[[0-9;]*m)*"
KUBECTL_PREFIX = re.compile(
    r"\[pod/(?P<pod>[^/\]\s]+)/(?P<container>[^/\]\s]+)\] "
    r"(?:(?P<stamp>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z) )?"
)
"""What `kubectl logs --prefix` (and `--timestamps`) writes before each line of
a container's: `[pod/web-1/app] 2026-12-03T13:31:37.5Z `."""
_SERVER_ERRORS = (
    "Internal Server Error|Not Implemented|Bad Gateway|Service Unavailable"
    "|Gateway Timeout|HTTP Version Not Supported|Insufficient Storage"
)
_CLIENT_ERRORS = (
    "Bad Request|Unauthorized|Payment Required|Forbidden|Not Found"
    "|Method Not Allowed|Not Acceptable|Request Timeout|Conflict|Gone"
    "|Length Required|Precondition Failed|(?:Request Entity|Content) Too Large"
    "|(?:Request-)?URI Too Long|Unsupported Media Type|Expectation Failed"
    "|Misdirected Request|Unprocessable (?:Entity|Content)|Locked|Failed Dependency"
    "|Too Early|Upgrade Required|Precondition Required|Too Many Requests"
    "|Request Header Fields Too Large|Unavailable For Legal Reasons"
)
DJANGO_REQUEST = re.compile(
    rf"(?=[A-Z][\w' -]{{3,40}}: /)(?:(?P<server>{_SERVER_ERRORS})|{_CLIENT_ERRORS}): /\S*\r?$"
)
"""Django's `django.request` logger in its default configuration (`%(message)s`
alone): `Internal Server Error: /boom` (an error), `Not Found: /x` (a warning),
its traceback on the lines after it."""
_KUBECTL_LINE = (
    r"\[pod/[^/\]\s]+/[^/\]\s]+\] (?>(?:\d{4}-\d{2}-\d{2}T[\d:.]+Z )?)"
    r"(?![ \t]|$|Traceback \(|Caused by:|During handling of|The above exception"
    r"|[\w.$]+(?:Error|Exception|Exit|Interrupt)(?::|$))"
)
_TEXT_STARTS = (
    # a timestamp, optionally after `[`: ISO 8601 (also 2026/03/20, nginx's error
    # log; a TAB after the date, CloudFront's), syslog, ctime (Apache's error log),
    # nginx/CLF (Django's with a space), Redis's day first, PHP's error log
    # (`20-Mar-2026`), java.util.logging's `Dec 03, 2026 1:42:09 PM`, a time of day alone
    # (logback's and log4j2's default patterns), epoch digits
    (
        r"\[?(?:\d{4}[-/]\d{2}[-/]\d{2}[T \t]\d{2}:\d{2}"
        r"|(?:[A-Z][a-z]{2} )?[A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2}"
        r"|\d{2}/[A-Z][a-z]{2}/\d{4}[: ]\d{2}:\d{2}:\d{2}"
        r"|\d{1,2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2}"
        r"|\d{2}-[A-Z][a-z]{2}-\d{4} \d{2}:\d{2}:\d{2}"
        r"|[A-Z][a-z]{2} \d{2}, \d{4} \d{1,2}:\d{2}:\d{2} [AP]M "
        r"|\d{2}:\d{2}:\d{2}[.,]\d{3}Z?[ \]]"
        r"|\d{10,19}(?:\.\d+)?[ \t\]])"
    ),
    # a prefix, then a timestamp: Ruby's Logger (Rails) `I, [2026-…`, Redis's
    # `4242:M 20 Mar …`, klog's `I0320 14:10:00.123456`, an AWS ALB record's
    # type, MySQL's slow log `# Time: 2026-…`
    r"[DIWEFAU], \[\d{4}-\d{2}-\d{2}T",
    r"\d+:[XCSM] \d{1,2} [A-Z][a-z]{2} \d{4} ",
    r"[IWEF]\d{4} \d{2}:\d{2}:\d{2}\.\d{6} ",
    r"(?:https?|h2|grpcs|wss?) \d{4}-\d{2}-\d{2}T\d{2}:",
    r"# Time: \d{4}-\d{2}-\d{2}",
    r"<\d{1,3}>",  # a syslog priority
    # an access log line (werkzeug's, Flask's dev server: a space after the year)
    r"\S+ \S+ \S+ \[\d{2}/[A-Z][a-z]{2}/\d{4}[: ]\d{2}:",
    r"[0-9a-fA-F:.]+:\d{1,5} \[\d{2}/[A-Z][a-z]{2}/\d{4}:",  # HAProxy's, `log … raw`
    # morgan's (Express) `dev`, `tiny` and `short` request lines, no time:
    # `GET /?a=1 200 10.891 ms - 2` (the status coloured), `GET /a 200 2 - 10.891 ms`,
    # `::1 - GET /a HTTP/1.1 200 2 - 10.891 ms`
    rf"(?:[\da-fA-F.:]+ \S+ )?(?:{_METHODS}) \S+(?: HTTP/[\d.]+)? {_MORGAN_STATUS} [^\n]*[\d-] ms\b",
    # a level word first (AWS Lambda's Python runtime: `[INFO]\t2024-…`)
    rf"\[?(?:{'|'.join(LEVEL_FIRST)})\]?[ :\t]",
    # java.util.logging's second line, `SEVERE: message` (after the line with
    # the time: the record before it gives its time)
    r"(?:SEVERE|CONFIG|FINE|FINER|FINEST): ",
    # AWS Lambda's platform lines, and `sam logs`' stream name before the time
    r"(?:START|END|REPORT) RequestId: |INIT_START ",
    r"\d{4}/\d{2}/\d{2}/\[[^\]\s]*\]\w+ \d{4}-\d{2}-\d{2}T",
    r"Level \d+:",  # Python's basicConfig for a custom level
    r"\[pid: \d+\|app: ",  # uWSGI's request log
    # winston's `format.simple()`: `info: order received {"request_id":"abc"}`
    # (a word and a colon alone could be a message's continuation: the JSON
    # that ends the line tells)
    r'(?:error|warn|info|http|verbose|debug|silly): [^\n]* \{"[^\n]*\}\r?$',
    # MariaDB's general log: `261203 12:05:49\t     3 Connect\t…`, and an event
    # of the same second without the time, `\t\t     3 Query\tSELECT …`
    r"\d{6} [ \d]\d:\d{2}:\d{2}\t",
    r"\t\t +\d+ [A-Z][a-z]+(?: [A-Za-z]+)?\t",
    # `kubectl logs --prefix [--timestamps]`: every line of a container starts a
    # record except what continues a stack trace (as read/target.py's rule for
    # a container's output)
    _KUBECTL_LINE,
    # Django's `django.request` messages, `Internal Server Error: /boom` (no time)
    DJANGO_REQUEST.pattern,
    # .NET's console logger, `fail: Shop.Orders[0]` (its level coloured on a TTY)
    r"(?:trce|dbug|info|warn|fail|crit)(?:\x1b\[[0-9;]*m)*: [^\s\[\]]+\[\d+\]",
)
_LAMBDA_ID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
LAMBDA_PLATFORM = re.compile(r"(?:START|END|REPORT) RequestId: (\S+)")
"""AWS Lambda's platform lines: `START|END|REPORT RequestId: ID …` (no time)."""
LAMBDA_PYTHON = re.compile(
    rf"\[([A-Z]+)\]\t(\d{{4}}-\d{{2}}-\d{{2}}T\d{{2}}:\d{{2}}:\d{{2}}(?:\.\d+)?Z)\t({_LAMBDA_ID})\t"
)
"""AWS Lambda's Python runtime: `[LEVEL]\tTIME\tID\tmessage`."""
LAMBDA_AFTER_TIME = re.compile(
    rf"\t({_LAMBDA_ID})\t(?:([A-Z]+)\t)?|\ ({_LAMBDA_ID})\ (?=Task timed out after )"
)
"""AWS Lambda's Node.js runtime after its `…Z` time: `\tID\tLEVEL\tmessage`;
the platform's `TIME ID Task timed out after 3.00 seconds`, with spaces."""
CLOUDWATCH_STREAM = re.compile(r"\d{4}/\d{2}/\d{2}/\[[^\]\s]*\]\w+")
"""A Lambda function's CloudWatch log stream name (`2024/01/01/[$LATEST]0a1b…`),
which `sam logs` writes before each event's time and `aws logs tail` after it."""
_COLOUR = rb"(?:\x1b\[[0-9;]*m)*"
_RECORD_START = re.compile(
    _COLOUR
    + rb"(?:"
    + "|".join((*_TEXT_STARTS, r"\{", r"[A-Za-z_][\w.]*=")).encode()
    + rb")"
)
_TEXT_START = re.compile(_COLOUR + rb"(?:" + "|".join(_TEXT_STARTS).encode() + rb")")


def starts_record(line: bytes) -> bool:
    """Tell whether a raw line begins a new record (the default multi-line rule).

    True for a line that opens with a timestamp (optionally after `[`, or after
    colour escapes), a `{`, a logfmt `key=`, a syslog `<13>`, an access log's
    client and time, or a level word (`[INFO]`, `WARNING:root:`); False for
    stack frames, `Traceback ...`, `Caused by:`, `ValueError: ...`, blanks and
    indented lines.
    """
    return _RECORD_START.match(line) is not None


def starts_text_record(line: bytes) -> bool:
    """Tell whether a raw line opens a plain-text record (not JSON or logfmt)."""
    return _TEXT_START.match(line) is not None


def strip_ansi(line: str) -> str:
    """Remove colour escapes (cheap when there are none)."""
    return ANSI.sub("", line) if "\x1b" in line else line
