"""tracerun/sniff.py: first lines of a log → format, time field, id keys."""

from __future__ import annotations

import pytest

from tracerun.extract.sniff import Sniffed, describe_time, line_kind, sniff_lines

NGINX = (
    '203.0.113.24 - - [20/Mar/2026:14:10:03 +0000] "POST /api/orders HTTP/1.1" 201 418'
    ' "https://shop.example/checkout" "ShopApp/4.12.0" rt=2.871 rid=req-7f3a9c2e'
)
COMMON = '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326'


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ('{"ts": "2026-03-20T14:10:00Z", "msg": "ok"}', "json"),
        ("{not json", "unknown"),
        (NGINX, "access"),
        (COMMON, "access"),
        ("time=2026-03-20T14:10:00Z level=info msg=ok", "logfmt"),
        ("level=info", "unknown"),
        ("2026-03-20 14:10:00,193 INFO started", "text"),
        ("Mar 20 14:10:00 host sshd[12]: accepted", "text"),
        ('  File "x.py", line 3', "unknown"),
    ],
)
def test_line_kind(line: str, kind: str) -> None:
    assert line_kind(line) == kind


def test_json_time_key_and_nested_ids() -> None:
    lines = [
        '{"ts":"2026-03-20T15:10:00.141+01:00","trace_id":"t1","ctx":{"request":{"id":"r1"}}}',
        '{"ts":"2026-03-20T15:10:00.200+01:00","msg":"no ids here"}',
        "",
    ]

    assert sniff_lines(lines) == Sniffed(
        kind="json",
        lines=tuple(lines[:2]),
        time_key="ts",
        time_text="2026-03-20T15:10:00.141+01:00",
        ids=(("request_id", "ctx.request.id"), ("trace_id", "trace_id")),
    )


def test_json_time_in_an_unusual_key_is_found_by_its_name() -> None:
    sniffed = sniff_lines(['{"eventTime": 1774015800, "correlationId": "c-1"}'])

    assert (sniffed.time_key, sniffed.ids) == (
        "eventTime",
        (("correlationId", "correlationId"),),
    )


def test_logfmt_ids_in_preference_order() -> None:
    sniffed = sniff_lines(
        [
            "t=2026-03-20T14:10:00Z trace_id=t1 msg=a",
            "t=2026-03-20T14:10:01Z request_id=r1 msg=b",
        ]
    )

    assert sniffed.kind == "logfmt"
    assert sniffed.time_key == "t"
    assert sniffed.ids == (("request_id", "request_id"), ("trace_id", "trace_id"))


def test_access_log_combined_with_trailing_id() -> None:
    sniffed = sniff_lines([NGINX])

    assert (sniffed.kind, sniffed.combined, sniffed.ids, sniffed.time_text) == (
        "access",
        True,
        (("rid", "rid"),),
        "20/Mar/2026:14:10:03 +0000",
    )
    assert not sniff_lines([COMMON]).combined


def test_text_with_continuations_is_text() -> None:
    sniffed = sniff_lines(
        [
            "2026-03-20 14:10:00,193 ERROR failed request_id=r1",
            "Traceback (most recent call last):",
            '  File "x.py", line 3',
        ]
    )

    assert (sniffed.kind, sniffed.time_text, sniffed.ids) == (
        "text",
        "2026-03-20 14:10:00,193",
        (("request_id", "request_id"),),
    )


def test_nothing_recognisable_is_unknown() -> None:
    assert sniff_lines(["hello", "world"]) == Sniffed("unknown", ("hello", "world"))
    assert sniff_lines([]) == Sniffed("unknown", ())


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (None, "no timestamp seen"),
        ("2026-03-20T14:10:00Z", "ISO 8601 with offset (2026-03-20T14:10:00Z)"),
        (
            "2026-03-20 14:10:00,193",
            "ISO 8601 without offset, read in `timezone` (2026-03-20 14:10:00,193)",
        ),
        ("20/Mar/2026:14:10:00 +0000", "access-log time (20/Mar/2026:14:10:00 +0000)"),
        (
            "20-Mar-2026 15:10:00 Europe/Berlin",
            "PHP's error log time in Europe/Berlin (20-Mar-2026 15:10:00 Europe/Berlin)",
        ),
        ("1774015800", "unix time in seconds (1774015800)"),
        ("1774015800123", "unix time in milliseconds (1774015800123)"),
        (
            "261203 12:05:49",  # MariaDB's general log
            "date and time without offset, read in `timezone` (261203 12:05:49)",
        ),
        (
            "20 Mar 2026 14:10:00.456",  # Redis
            (
                "date and time without offset, read in `timezone` "
                "(20 Mar 2026 14:10:00.456)"
            ),
        ),
        (
            "Mar 20 14:10:00",
            "syslog time without a year, which is inferred (Mar 20 14:10:00)",
        ),
        (
            "14:10 yesterday",
            "'14:10 yesterday' is not a format tracerun detects: set time.format",
        ),
    ],
)
def test_describe_time(text: str | None, said: str) -> None:
    assert describe_time(text) == said


def test_postgresql_15_is_text_with_a_zone_abbreviation_and_application_name():
    from helpers.real import REAL

    lines = (REAL / "postgres-berlin" / "postgresql.log").read_text().splitlines()
    found = sniff_lines(lines[:50])
    assert (found.kind, found.time_text, found.ids) == (
        "text",
        "2026-12-02 03:21:42.409 CET",
        (("request_id", "request_id"), ("application_name", "application_name")),
    )
    assert describe_time(found.time_text) == (
        "ISO 8601 with zone abbreviation CET = +01:00 (2026-12-02 03:21:42.409 CET)"
    )


def test_nginx_1_22_combined_ids_come_from_the_query_and_the_tail():
    from helpers.real import REAL

    plain = sniff_lines((REAL / "nginx" / "access.log").read_text().splitlines())
    rid = sniff_lines((REAL / "nginx" / "access_rid.log").read_text().splitlines())
    assert (plain.kind, plain.tail, plain.query) == (
        "access",
        (),
        ("request_id", "rid"),
    )
    assert (rid.tail, rid.query) == (("rid",), ("request_id",))


@pytest.mark.parametrize(
    "name",
    [
        "structlog/console-color.log",  # structlog 26.1.0, FORCE_COLOR=1
        "stdlib-logging/default.log",  # Python 3.11 basicConfig()
        "gunicorn/error.log",  # gunicorn 27.0.1
        "nginx/error.log",  # nginx 1.22.1
    ],
)
def test_real_text_logs_are_recognised(name):
    from helpers.real import REAL

    assert sniff_lines((REAL / name).read_text().splitlines()).kind == "text"
