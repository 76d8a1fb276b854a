"""tracerun/extract/shapes.py: the line shapes and the record-start rule."""

import pytest

from tracerun.extract.shapes import starts_record, strip_ansi


@pytest.mark.parametrize(
    "line",
    [
        b"2026-03-20T14:10:00Z hello",
        b"2026-03-20 14:10:00,123 ERROR boom",
        b"[2026-03-20 14:10:00] x",
        b"Mar 20 14:10:00 host x",
        b"20/Mar/2026:14:10:00 +0000 x",
        b"1774015800 x",
        b'{"a": 1}',
        b"time=2026 level=info",
        b"request_id=abc",
        b"http.status=200",
        # nginx 1.22.1, access.log (combined) and error.log
        b'127.0.0.1 - - [02/Dec/2026:02:21:02 +0000] "GET /api/orders HTTP/1.1" 200 3',
        b"2026/12/02 02:21:05 [error] 10413#10413: *3 open() failed",
        # Python 3.11 logging.basicConfig() default format
        b"WARNING:shop.inventory:low stock request_id=req-6a7b8c9d",
        b"CRITICAL:root:disk full request_id=req-6a7b8c9d",
        # structlog 26.1.0 ConsoleRenderer with FORCE_COLOR=1
        b"\x1b[2m2026-12-02 02:22:19\x1b[0m [\x1b[32m\x1b[1minfo     \x1b[0m] x",
        # syslog priorities (RFC 3164, RFC 5424)
        b"<13>Mar 20 14:10:00 host app: x",
        b"<165>1 2026-03-20T14:10:00Z host app - - - x",
        b"[INFO] Building shop 1.0",
        # default formats whose records were glued into one (the first line's)
        b"[Fri Mar 20 14:10:00.123456 2026] [core:notice] [pid 1:tid 2] AH00094: x",
        b"4242:M 20 Mar 2026 14:10:00.456 * Ready to accept connections tcp",
        b"I, [2026-03-20T14:10:00.123456 #4242]  INFO -- : [abc123] Started GET",
        b'[20/Mar/2026 14:10:00] "GET / HTTP/1.1" 200 1234',
        b'I0320 14:10:00.123456    4242 controller.go:123] "Reconciling"',
        b"14:10:00.123 [main] INFO  com.example.Orders -- order received",
        b"http 2026-03-20T14:10:00.123456Z app/my-lb/50dc6c495c0c9188 x",
        b"# Time: 2026-03-20T14:10:00.123456Z",
        b"2026-03-20\t14:10:00\tSEA19-C1\t1045",
        b"[20-Mar-2026 14:10:00 UTC] PHP Fatal error:  Uncaught Exception: x",
        b"[20-Mar-2026 15:10:00 Europe/Berlin] PHP Warning:  x",
        b"[pid: 12|app: 0|req: 1/1] 10.0.0.1 () {34 vars in 600 bytes} [Mon Jan  1 x",
        # .NET 8 console logger, plain and on a terminal
        b"fail: Shop.Orders.Api[0]",
        b"\x1b[40m\x1b[32minfo\x1b[39m\x1b[22m\x1b[49m: Microsoft.Hosting.Lifetime[14]",
        # HAProxy 2.6 `option httplog`, `log stdout format raw`
        b"127.0.0.1:49346 [03/Dec/2026:12:01:39.593] fe be/s1 0/0/0/1/1 200 557 - -",
        # winston 3.19 format.simple(), after format.timestamp()
        b'info: order received {"request_id":"abc123","timestamp":"2026-12-03T1"}',
        b'error: charge failed {"err":"boom","request_id":"abc123"}\r\n',
        # MariaDB 10.11's general log: an event, and one in the same second
        b"261203 12:05:49\t     3 Connect\troot@localhost on  using Socket",
        b"\t\t     3 Query\tSELECT 1 /* request_id=abc123 */",
        b"\t\t     3 Quit\t",
        b"\t\t    12 Init DB\tshop",
        # HAProxy's HTTP log without syslog's header (`log stdout format raw`)
        b"10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109",
        # AWS Lambda: the platform's lines, the Python runtime's, `sam logs`'
        b"START RequestId: 8f5e1c2a-3b4d-4e6f-8a9b-0c1d2e3f4a5b Version: $LATEST",
        b"END RequestId: 8f5e1c2a-3b4d-4e6f-8a9b-0c1d2e3f4a5b",
        b"REPORT RequestId: 8f5e1c2a-3b4d-4e6f-8a9b-0c1d2e3f4a5b\tDuration: 1.00 ms",
        b"INIT_START Runtime Version: python:3.12.v18\tRuntime Version ARN: x",
        b"[ERROR]\t2024-01-01T10:00:00.123Z\t8f5e1c2a-3b4d-4e6f-8a9b-0c1d2e3f4a5b\tx",
        b"2024/01/01/[$LATEST]0a1b2c3d 2024-01-01T10:00:00.100000 END RequestId: x",
        # Werkzeug 3.1's request line (Flask's dev server), plain and coloured
        b'127.0.0.1 - - [03/Dec/2026 13:53:08] "GET /?request_id=abc123 HTTP/1.1" 200 -',
        b'127.0.0.1 - - [03/Dec/2026 13:53:08] "\x1b[35m\x1b[1mGET /boom HTTP/1.1\x1b[0m" 500 -',
        # morgan 1.10 (Express): `dev` (coloured), `tiny`, `short`; no time
        b"\x1b[0mGET /?request_id=abc123 \x1b[32m200\x1b[0m 1.512 ms - 2\x1b[0m",
        b"GET /boom?request_id=abc123 500 977 - 10.306 ms",
        b"127.0.0.1 - GET /?request_id=abc123 HTTP/1.1 200 2 - 1.512 ms",
        b"POST /api/orders - - ms - -",
        # `kubectl logs --prefix [--timestamps]` (kubectl 1.32): any container line
        b"[pod/web-1/app] plain print request_id=abc1234",
        b"[pod/web-1/app] 2026-12-03T13:31:37.5Z 2026-12-03 13:31:37,623 ERROR x",
        b'[pod/web-1/envoy] 2026-12-03T13:31:37Z {"level":"info"}',
        # bunyan 2.0.5's CLI -o short, pino-pretty 13.2
        b"14:20:22.533Z  INFO shop: order received (request_id=abc123)",
        b"[14:20:21.143] INFO (20715): order received",
        # Django 5.2's django.request logger (default LOGGING: the message alone)
        b"Internal Server Error: /boom",
        b"Not Found: /missing",
        b"Method Not Allowed: /api/orders/42",
        # java.util.logging's SimpleFormatter (OpenJDK 17): the header, each level
        b"Dec 03, 2026 1:44:05 PM Jul handle",
        b"Dec 03, 2026 12:44:05 AM com.example.Jul main",
        b"SEVERE: charge failed request_id=abc123",
        b"WARNING: payment slow request_id=abc123",
        b"INFO: order received request_id=abc123",
        b"CONFIG: tax table loaded",
        b"FINE: cart priced",
        b"FINER: ENTRY",
        b"FINEST: x",
    ],
)
def test_record_starts(line):
    assert starts_record(line)


@pytest.mark.parametrize(
    "line",
    [
        b"",
        b"    at com.shop.Pay.charge(Pay.java:42)",
        b'  File "app.py", line 3, in <module>',
        b"\tat x",
        b"Traceback (most recent call last):",
        b"java.lang.IllegalStateException: boom",
        b"Caused by: java.io.IOException: x=1",
        b"ValueError: bad value",
        b"1774015800",
        b"  2026-03-20T14:10:00Z indented",
        # gunicorn 27.0.1 error.log: the traceback's last line holds request_id=
        b"RuntimeError: inventory unreachable request_id=req-2b3c4d5e",
        # PostgreSQL 15.18: a statement continued by TAB-indented lines
        b"\t WHERE sku = 'TEA' -- request_id=req-a1b2c3d4",
        b"INFORMATION_SCHEMA lookups",
        b"ERROR",
        b"# User@Host: app[app] @ localhost []  Id:    10",
        b"SET timestamp=1774015800;",
        b"14:10:00 is when it failed",
        b"main.charge",
        b"      Now listening on: http://localhost:5000",
        b"info: see the docs",
        b"\t\tat com.shop.Pay.charge(Pay.java:42)",
        b"Time\t\t    Id Command\tArgument",
        b'info: see {"the": "docs"} below',
        # the X-Ray line a traced Lambda's REPORT event holds after its own
        b"XRAY TraceId: 1-5e1b4151-5ac6c58f2d5a3b9e2f1d0c9b\tSegmentId: 6b6f\tSampled: true",
        b"STARTED RequestId: x",
        # java's traces: suppressed exceptions, elided frames
        b"\tSuppressed: java.io.UncheckedIOException: close failed",
        b"\t\t... 2 more",
        b"\tCaused by: java.io.IOException: socket closed",
        b"SEVERE:no space",
        b"FINEST",
        b"Dec 03, 2026 1:44:05 PM",  # the time alone: no class and method
        b"[pod/web-1/app] Traceback (most recent call last):",
        b'[pod/web-1/app] 2026-12-03T13:31:37.5001Z   File "/app/pay.py", line 3',
        b"[pod/web-1/app] 2026-12-03T13:31:37.5003Z ValueError: card declined",
        b"[pod/web-1/app] ",
        b"FileNotFoundError: /etc/shop.conf",
        b"Internal Server Error: see /boom",
        b"GET /api/orders returned 200 after 12 ms",
        b"GET /api/orders 200",
    ],
)
def test_continuation_lines(line):
    assert not starts_record(line)


def test_strip_ansi_drops_colour_escapes_only():
    line = "\x1b[36mrequest_id\x1b[0m=\x1b[35mreq-1f2e3d4c\x1b[0m"
    assert strip_ansi(line) == "request_id=req-1f2e3d4c"
    assert strip_ansi("plain [x]") == "plain [x]"
