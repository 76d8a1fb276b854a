"""tracerun/extract/clock.py: the last naive timestamp vs the file's modification time."""

from datetime import UTC
from zoneinfo import ZoneInfo

import pytest

from tracerun.extract import build_parser
from tracerun.extract.clock import local_offset, offset_text
from tracerun.timeparse import parse_time

# nginx 1.22.1 error.log written in Europe/Berlin (naive), and gunicorn 27's -0500
BERLIN_LINE = "2026/12/02 03:21:14 [error] 10413#10413: *3 open() failed"
GUNICORN = "[2026-12-01 21:23:17 -0500] [16193] [INFO] handling /api/orders"
WRITTEN = parse_time("2026-12-02T02:21:15Z")


@pytest.mark.parametrize(
    ("lines", "tz", "written", "expected"),
    [
        ([BERLIN_LINE], UTC, WRITTEN, 3600),
        ([BERLIN_LINE, "    not a record"], UTC, WRITTEN, 3600),
        ([BERLIN_LINE], ZoneInfo("Europe/Berlin"), WRITTEN, None),  # read right
        ([BERLIN_LINE.replace("03:21", "02:21")], UTC, WRITTEN, None),  # UTC
        (
            [BERLIN_LINE.replace("03:21", "21:21").replace("/02", "/01")],
            UTC,
            WRITTEN,
            -18000,
        ),
        ([BERLIN_LINE], UTC, WRITTEN - 7 * 60 * 10**6, None),  # not a zone's gap
        ([GUNICORN], UTC, parse_time("2026-12-02T04:00:00Z"), None),  # own offset
        (["no time here"], UTC, WRITTEN, None),
    ],
)
def test_local_offset_names_the_zone_that_explains_the_gap(
    lines, tz, written, expected
):
    assert local_offset(build_parser("auto", {}), tz, lines, written) == expected


def test_offset_text():
    assert [offset_text(s) for s in (3600, -18000, 19800)] == [
        "UTC+01:00",
        "UTC-05:00",
        "UTC+05:30",
    ]
