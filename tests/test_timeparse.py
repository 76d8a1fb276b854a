from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracerun.errors import QueryError
from tracerun.timeparse import (
    fall_back_near,
    format_rfc3339_us,
    format_utc_ms,
    leading_timestamp,
    named_zone,
    parse_bound,
    parse_time,
    repeated_hour,
    second_pass_zone,
    zone_table,
)

T0 = 1_774_015_800_000_000  # 2026-03-20T14:10:00Z
BERLIN = ZoneInfo("Europe/Berlin")
MIN_US = -62_135_596_800_000_000  # 0001-01-01T00:00:00Z
MAX_US = 253_402_300_799_999_999  # 9999-12-31T23:59:59.999999Z


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-20T14:10:00Z", T0),
        ("2026-03-20T14:10:00+00:00", T0),
        ("2026-03-20T15:10:00+01:00", T0),
        ("2026-03-20T15:10:00+0100", T0),
        ("2026-03-20T09:10:00-05:00", T0),
        ("2026-03-20 14:10:00Z", T0),
        ("2026-03-20T14:10:00.123Z", T0 + 123_000),
        ("2026-03-20T14:10:00.123456Z", T0 + 123_456),
        ("2026-03-20T14:10:00.123456789Z", T0 + 123_456),
        ("2026-03-20T14:10:00.1Z", T0 + 100_000),
        ("2026-03-20 14:10:00,123", T0 + 123_000),
        ("2026-03-20T14:10:00", T0),
        ("2026-03-20T14:10", T0),
        ("2026-03-20 14:10:00 UTC", T0),
        ("2026-03-20T14:10:00z", T0),
        ("20260320T141000Z", T0),
        ("2026-03-20", T0 - (14 * 60 + 10) * 60_000_000),
    ],
)
def test_iso_and_rfc3339_shapes(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1774015800", T0),
        ("1774015800.123", T0 + 123_000),
        ("1774015800.1234567", T0 + 123_456),
        ("1774015800123", T0 + 123_000),
        ("1774015800123.5", T0 + 123_500),
        ("1774015800123456", T0 + 123_456),
        ("1774015800123456789", T0 + 123_456),
        ("0", 0),
        ("-1.5", -1_500_000),
        (1774015800, T0),
        (1774015800.123, T0 + 123_000),
        (1774015800123, T0 + 123_000),
        (1774015800123456, T0 + 123_456),
        (1774015800123456789, T0 + 123_456),
    ],
)
def test_epoch_numbers_by_digit_count(value, expected):
    assert parse_time(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "junk",
        "2026-13-40T99:99:99Z",
        "12345678901234567890",
        "1774015800.12x",
        "17740x5800",
        True,
        None,
        float("nan"),
        float("inf"),
        12345678901234567890,
        [1774015800],
    ],
)
def test_unreadable_values_give_none(value):
    assert parse_time(value) is None


def test_surrounding_whitespace_is_ignored():
    assert parse_time(" 1774015800 ") == T0


def test_datetime_values_are_accepted():
    assert parse_time(datetime(2026, 3, 20, 14, 10, tzinfo=UTC)) == T0
    assert parse_time(datetime(2026, 3, 20, 15, 10), tz=BERLIN) == T0


def test_naive_times_are_read_in_the_given_zone():
    assert parse_time("2026-03-20 15:10:00", tz=BERLIN) == T0
    # summer time: Berlin is UTC+2 in July
    july = parse_time("2026-07-01T12:00:00", tz=BERLIN)
    assert july == parse_time("2026-07-01T10:00:00Z")


def test_offsets_win_over_the_zone():
    assert parse_time("2026-03-20T14:10:00Z", tz=BERLIN) == T0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20/Mar/2026:14:10:00 +0000", T0),
        ("20/Mar/2026:15:10:00 +0100", T0),
        ("20/Mar/2026:09:10:00 -0500", T0),
        ("20/Mar/2026:14:10:00", T0),
        ("20/Foo/2026:14:10:00 +0000", None),
        ("32/Mar/2026:14:10:00 +0000", None),
        ("20/Mar/2026:14:10:00 +01xx", None),
        ("20/Mar/2026:14:10:00 x0100", None),
        ("20/Mar/2026 14:10:00", T0),  # Django's runserver writes a space
        ("20/Mar/2026_14:10:00", None),
        ("20/Mar/2026:14:10:60 +0000", None),
        ("20/Mar/2026:14:10:0\u00b2 +0000", None),
        ("20/Mar/2026:14:1x:00 +0000", None),
        ("20/Mar/2026:24:10:00 +0000", None),
        ("20-Mar-2026:14:10:00 +0000", None),
        ("20/Mar/2026:14:10:00 +01000", None),
        ("20/Mar/2026:14:10:00 +01:0", None),
        ("20/Mar/2026:14:10:59 +0000", T0 + 59_000_000),
        # HAProxy's accept date (`%tr`): milliseconds, no offset
        ("20/Mar/2026:14:10:00.655", T0 + 655_000),
        ("20/Mar/2026:15:10:00.655 +0100", T0 + 655_000),
        ("20/Mar/2026:14:10:00.123456789", T0 + 123_456),
        ("20/Mar/2026:14:10:00.", None),
        ("20/Mar/2026:14:10:00.6x", None),
        ("20/Mar/2026:14:10:00.1234567890", None),
    ],
)
def test_nginx_time(text, expected):
    assert parse_time(text) == expected


def test_nginx_time_without_offset_uses_the_zone():
    assert parse_time("20/Mar/2026:15:10:00", tz=BERLIN) == T0


NOW = T0 + 3600 * 1_000_000  # 2026-03-20T15:10:00Z


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mar 20 14:10:00", T0),
        ("Mar 20 14:10:00.250", T0 + 250_000),
        ("Mar 21 14:00:00", T0 + (23 * 60 + 50) * 60_000_000),  # < 1 day ahead
        ("Mar 22 14:10:00", parse_time("2025-03-22T14:10:00Z")),  # > 1 day ahead
        ("Dec 31 23:00:00", parse_time("2025-12-31T23:00:00Z")),
        ("Mar  5 01:02:03", parse_time("2026-03-05T01:02:03Z")),
        ("Mar 20 14:10:00 host", None),
        ("Mar 20 14:10:00.x", None),
        ("Mar 32 14:10:00", None),
        ("Feb 29 10:00:00", None),  # neither 2026 nor 2025 has one
    ],
)
def test_syslog_year_is_never_more_than_a_day_ahead(text, expected):
    assert parse_time(text, now_us=NOW) == expected


def test_syslog_feb_29_in_a_leap_year():
    now = parse_time("2028-03-01T00:00:00Z")
    assert parse_time("Feb 29 10:00:00", now_us=now) == parse_time(
        "2028-02-29T10:00:00Z"
    )
    later = parse_time("2029-01-05T00:00:00Z")
    assert parse_time("Feb 29 10:00:00", now_us=later) == parse_time(
        "2028-02-29T10:00:00Z"
    )


def test_syslog_year_follows_the_zone():
    # 2026-12-31T23:30Z is already 2027 in Berlin
    now = parse_time("2026-12-31T23:30:00Z")
    assert parse_time("Jan  1 00:10:00", tz=BERLIN, now_us=now) == parse_time(
        "2026-12-31T23:10:00Z"
    )


def test_syslog_without_now_uses_the_clock():
    this_year = datetime.now(UTC).year
    us = parse_time("Jan  1 00:00:00")
    assert us is not None
    assert datetime.fromtimestamp(us / 1e6, UTC).year in (this_year, this_year - 1)


@pytest.mark.parametrize(
    ("text", "fmt", "expected"),
    [
        ("20/Mar/2026:15:10:00 +0100", "%d/%b/%Y:%H:%M:%S %z", T0),
        ("2026-03-20 14:10:02,193", "%Y-%m-%d %H:%M:%S,%f", T0 + 2_193_000),
        ("2026-03-20T15:10:00+01:00", "%Y-%m-%dT%H:%M:%S%z", T0),
        ("2026-03-20T14:10:00Z", "%Y-%m-%dT%H:%M:%SZ", T0),
        ("20.03.2026 14:10", "%d.%m.%Y %H:%M", T0),
        ("20.03.2026 15:10 +0100", "%d.%m.%Y %H:%M %z", T0),
        ("Mar 20 14:10:00", "%b %d %H:%M:%S", T0),
        ("20.03. 14:10", "%d.%m. %H:%M", T0),
        ("2026-03-20", "%d.%m.%Y", None),
        ("20/Mar/2026:15:10:00 +0100", "%Y", None),
    ],
)
def test_explicit_format(text, fmt, expected):
    assert parse_time(text, fmt, now_us=NOW) == expected


def test_iso_shaped_format_falls_back_to_strptime():
    # fromisoformat refuses one-digit fields; strptime reads them as the format says
    assert parse_time("2026-3-20 14:10:00", "%Y-%m-%d %H:%M:%S") == T0
    assert parse_time("2026-03-20 14:10:00 Z!", "%Y-%m-%d %H:%M:%S Z!") == T0


def test_explicit_format_without_offset_uses_the_zone():
    assert parse_time("20.03.2026 15:10", "%d.%m.%Y %H:%M", BERLIN) == T0
    assert parse_time("2026-03-20 15:10:00,000", "%Y-%m-%d %H:%M:%S,%f", BERLIN) == T0


def test_numbers_ignore_the_format():
    assert parse_time(1774015800, "%Y-%m-%d") == T0


@pytest.mark.parametrize(
    ("value", "tz"),
    [
        ("9999-12-31T23:59:59-01:00", UTC),
        ("0001-01-01T00:00:00+01:00", UTC),
        ("0001-01-01T00:00:00", BERLIN),
        ("9999-12-31T23:59:59", ZoneInfo("America/New_York")),
        (-99999999999, UTC),
        ("-99999999999", UTC),
        (-99999999999.5, UTC),
        (1e300, UTC),
        (-1e300, UTC),
        (10**400, UTC),
        ("31/Dec/9999:23:59:59 -0100", UTC),
        (datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-1))), UTC),
    ],
)
def test_an_instant_outside_years_1_to_9999_is_no_time(value, tz):
    assert parse_time(value, tz=tz) is None


def test_the_edges_of_the_range_are_times():
    assert parse_time("0001-01-01T00:00:00Z") == MIN_US
    assert parse_time("9999-12-31T23:59:59.999999Z") == MAX_US
    assert parse_time("9999-12-31T23:59:59+01:00") == MAX_US - 3_600_999_999


@pytest.mark.parametrize("us", [-(2**62), MIN_US - 1, MAX_US + 1, 2**62])
def test_formatting_an_instant_out_of_range_shows_the_nearest_edge(us):
    edge = MIN_US if us < 0 else MAX_US
    assert format_utc_ms(us) == format_utc_ms(edge)
    assert format_rfc3339_us(us) == format_rfc3339_us(edge)


@settings(max_examples=500)
@given(st.integers(min_value=MIN_US, max_value=MAX_US))
def test_rfc3339_round_trip(us):
    assert parse_time(format_rfc3339_us(us)) == us


@settings(max_examples=500)
@given(
    st.integers(min_value=0, max_value=4_102_444_800_000_000),
    st.integers(min_value=-14 * 60, max_value=14 * 60),
)
def test_same_instant_in_any_offset_is_the_same_int(us, offset_minutes):
    zone = timezone(timedelta(minutes=offset_minutes))
    local = (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)).astimezone(
        zone
    )
    assert parse_time(local.isoformat()) == us
    assert parse_time(local.replace(tzinfo=None).isoformat(), tz=zone) == us


@settings(max_examples=500)
@given(st.integers(min_value=1_000_000_000, max_value=99_999_999_999))
def test_epoch_seconds_of_10_and_11_digits(seconds):
    assert parse_time(str(seconds)) == seconds * 1_000_000
    assert parse_time(seconds) == seconds * 1_000_000


@settings(max_examples=500)
@given(st.integers(min_value=10**12, max_value=10**13 - 1))
def test_epoch_milliseconds_of_13_digits(ms):
    assert parse_time(str(ms)) == ms * 1000
    assert parse_time(ms) == ms * 1000


@settings(max_examples=500)
@given(st.integers(min_value=10**15, max_value=10**16 - 1))
def test_epoch_microseconds_of_16_digits(us):
    assert parse_time(str(us)) == us
    assert parse_time(us) == us


@settings(max_examples=500)
@given(st.integers(min_value=10**18, max_value=10**19 - 1))
def test_epoch_nanoseconds_of_19_digits(ns):
    assert parse_time(str(ns)) == ns // 1000
    assert parse_time(ns) == ns // 1000


@pytest.mark.parametrize(
    ("us", "ms_text", "us_text"),
    [
        (T0 + 123_456, "2026-03-20T14:10:00.123Z", "2026-03-20T14:10:00.123456Z"),
        (T0 + 999_999, "2026-03-20T14:10:00.999Z", "2026-03-20T14:10:00.999999Z"),
        (T0, "2026-03-20T14:10:00.000Z", "2026-03-20T14:10:00.000000Z"),
        (0, "1970-01-01T00:00:00.000Z", "1970-01-01T00:00:00.000000Z"),
        (-1, "1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999999Z"),
        (MIN_US, "0001-01-01T00:00:00.000Z", "0001-01-01T00:00:00.000000Z"),
    ],
)
def test_formatting(us, ms_text, us_text):
    assert format_utc_ms(us) == ms_text
    assert format_rfc3339_us(us) == us_text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("2026-03-20T14:10:00.120Z ERROR x", ("2026-03-20T14:10:00.120Z", 24)),
        ("2026-03-20T15:10:00+01:00 x", ("2026-03-20T15:10:00+01:00", 25)),
        ("2026-03-20 14:10:00 +0100 x", ("2026-03-20 14:10:00 +0100", 25)),
        ("2026-03-20 14:10:00 UTC x", ("2026-03-20 14:10:00 UTC", 23)),
        ("2026-03-20 14:10:00,123 INFO", ("2026-03-20 14:10:00,123", 23)),
        ("[2026-03-20 14:10:00,123] INFO", ("2026-03-20 14:10:00,123", 25)),
        ("Mar  5 14:10:00 host app[1]: x", ("Mar  5 14:10:00", 15)),
        ("[20/Mar/2026:14:10:00 +0000] x", ("20/Mar/2026:14:10:00 +0000", 28)),
        ("1774015800 x", ("1774015800", 10)),
        ("1774015800.123 x", ("1774015800.123", 14)),
        ("[1774015800] x", ("1774015800", 12)),
        ("[Fri Mar 20 14:10:00.5 2026] x", ("Fri Mar 20 14:10:00.5 2026", 28)),
        ("4242:M 20 Mar 2026 14:10:00.123 * x", ("20 Mar 2026 14:10:00.123", 31)),
        ("I, [2026-03-20T14:10:00.5 #42]  INFO", ("2026-03-20T14:10:00.5", 30)),
        ("[20/Mar/2026 14:10:00] x", ("20/Mar/2026 14:10:00", 22)),
        ("I0320 14:10:00.123456  1 a.go:1] x", ("0320 14:10:00.123456", 21)),
        ("h2 2026-03-20T14:10:00Z app/lb", ("2026-03-20T14:10:00Z", 23)),
        ("# Time: 2026-03-20T14:10:00Z", ("2026-03-20T14:10:00Z", 28)),
        ("2026-03-20\t14:10:00\tSEA19", ("2026-03-20\t14:10:00", 19)),
        ("Dec 03, 2026 1:44:05 PM Jul main", ("Dec 03, 2026 1:44:05 PM", 23)),
        ("1774015800", None),
        ("177401580 x", None),
        ("2026-03-20 x", None),
        ("x 2026-03-20T14:10:00Z", None),
        ("", None),
    ],
)
def test_leading_timestamp(line, expected):
    assert leading_timestamp(line) == expected
    if expected is not None:
        assert parse_time(expected[0], now_us=NOW) is not None


def test_leading_timestamp_text_parses_to_the_instant():
    found = leading_timestamp("[20/Mar/2026:15:10:00 +0100] GET /")
    assert found is not None
    assert parse_time(found[0]) == T0


BOUND_NOW = T0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", T0 - 90_000_000),
        ("15m", T0 - 15 * 60_000_000),
        ("2h", T0 - 2 * 3_600_000_000),
        ("1d", T0 - 86_400_000_000),
        ("1h30m", T0 - 90 * 60_000_000),
        ("1d2h3m4s", T0 - (86_400 + 7_200 + 180 + 4) * 1_000_000),
        ("2026-03-20", T0 - (14 * 60 + 10) * 60_000_000),
        ("2026-03-20 14:10", T0),
        ("2026-03-20T14:10:00Z", T0),
        ("2026-03-20T15:10:00+01:00", T0),
        ("1774015800", T0),
        ("1774015800123", T0 + 123_000),
        (" 15m ", T0 - 15 * 60_000_000),
    ],
)
def test_bounds(text, expected):
    assert parse_bound(text, BOUND_NOW) == expected


def test_bound_dates_without_offset_use_the_zone():
    assert parse_bound("2026-03-20 15:10", BOUND_NOW, BERLIN) == T0
    assert parse_bound("2026-03-20", BOUND_NOW, BERLIN) == parse_time(
        "2026-03-19T23:00:00Z"
    )


@pytest.mark.parametrize(
    "text", ["", "90", "yesterday", "15 minutes", "1y", "177401580012", "2026-03-40"]
)
def test_unreadable_bound_raises_with_the_accepted_forms(text):
    with pytest.raises(QueryError) as caught:
        parse_bound(text, BOUND_NOW)
    assert caught.value.message == f"cannot read {text!r} as a time"
    assert caught.value.hint is not None
    assert "90s, 15m, 2h, 1d, 1h30m" in caught.value.hint
    assert "2026-03-20" in caught.value.hint


# PostgreSQL 15.18's default log_line_prefix '%m [%p] ' (tests/testdata/real)
@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        ("2026-12-02 03:21:44.463 CET", UTC, "2026-12-02T02:21:44.463000Z"),
        ("2026-07-01 12:00:00.000 CEST", UTC, "2026-07-01T10:00:00.000000Z"),
        ("2026-12-02 02:21:50.327 UTC", BERLIN, "2026-12-02T02:21:50.327000Z"),
        ("2026-12-01 21:23:17 EST", BERLIN, "2026-12-02T02:23:17.000000Z"),
        ("2026-12-02 11:30:00 IST", UTC, "2026-12-02T06:00:00.000000Z"),
        ("2026-12-02 11:30:00 JST", UTC, "2026-12-02T02:30:00.000000Z"),
        ("2026-12-02 03:21:44.463 XYZ", UTC, None),
        # nginx 1.22.1 error.log: slashes, no zone (read in `tz`)
        ("2026/12/02 03:21:14", BERLIN, "2026-12-02T02:21:14.000000Z"),
    ],
)
def test_zone_abbreviations_win_over_the_zone_for_naive_times(text, tz, expected):
    got = parse_time(text, tz=tz)
    assert (got and format_rfc3339_us(got)) == expected


def test_zone_abbreviations_can_be_changed_and_added():
    zones = zone_table({"IST": "Europe/Dublin", "XST": "+03:00"})
    summer, winter = "2026-07-01 12:00:00 IST", "2026-12-02 12:00:00 IST"
    assert parse_time(summer, zones=zones) == parse_time("2026-07-01T11:00:00Z")
    assert parse_time(winter, zones=zones) == parse_time("2026-12-02T12:00:00Z")
    assert parse_time("2026-12-02 12:00:00 XST", zones=zones) == parse_time(
        "2026-12-02T09:00:00Z"
    )
    with pytest.raises(ValueError, match="neither a UTC offset"):
        zone_table({"IST": "Mars/Olympus"})


def test_format_percent_capital_z_reads_an_abbreviation_as_its_zone():
    fmt = "%Y-%m-%d %H:%M:%S.%f %Z"
    assert parse_time("2026-12-02 03:21:44.463 CET", fmt) == parse_time(
        "2026-12-02T02:21:44.463Z"
    )
    assert parse_time("2026-12-02 02:21:44.463 UTC", fmt, BERLIN) == parse_time(
        "2026-12-02T02:21:44.463Z"
    )
    assert parse_time("2026-12-02 02:21:44.463 XYZ", fmt) is None


def test_log4j2_jsonlayout_instant_object_is_a_time():
    instant = {"epochSecond": 1796178600, "nanoOfSecond": 123456789}
    assert parse_time(instant) == parse_time("2026-12-02T02:30:00.123456Z")
    assert parse_time({"epochSecond": "x"}) is None


def test_leading_timestamp_takes_a_known_abbreviation_only():
    assert leading_timestamp("2026-12-02 03:21:44.463 CET [11011] LOG:  x") == (
        "2026-12-02 03:21:44.463 CET",
        27,
    )
    assert leading_timestamp("2026-12-02 02:22:30,865 INFO shop.inventory x") == (
        "2026-12-02 02:22:30,865",
        23,
    )
    assert leading_timestamp("2026/12/02 02:21:05 [error] 1#1: x") == (
        "2026/12/02 02:21:05",
        19,
    )
    # MariaDB's general log: the hour padded with a space, then a TAB
    assert leading_timestamp("261203  9:05:49\t     3 Connect\tx") == (
        "261203  9:05:49",
        15,
    )
    assert parse_time("261203  9:05:49") == parse_time("2026-12-03T09:05:49Z")
    assert leading_timestamp("261203 12:05:49 x") is None  # six digits, no TAB
    # HAProxy's `option httplog` (`log … format raw`): client:port, then the date
    assert leading_timestamp("127.0.0.1:49346 [03/Dec/2026:12:01:39.593] fe be/s1") == (
        "03/Dec/2026:12:01:39.593",
        42,
    )
    assert leading_timestamp("::1:49346 [03/Dec/2026:12:01:39.593] fe") is not None
    assert parse_time("03/Dec/2026:12:01:39.593") == parse_time(
        "2026-12-03T12:01:39.593Z"
    )
    assert parse_time("03/Dec/2026:12:01:39.5x3") is None


@pytest.mark.parametrize(
    "text",
    [
        "Fri Mar 20 14:10:00 2026",  # Apache's error log (ctime)
        "Fri Mar 20 14:10:00.000000 2026",
        "20 Mar 2026 14:10:00.000",  # Redis
        "20/Mar/2026 14:10:00",  # Django's runserver
        "0320 14:10:00.000000",  # klog, year-less: the year that is not ahead
        "2026-03-20\t14:10:00",  # CloudFront
        "20-Mar-2026 14:10:00 UTC",  # PHP's error log, date.timezone=UTC
        "20-Mar-2026 15:10:00 Europe/Berlin",  # ... or an IANA name
        "20-Mar-2026 11:10:00 America/Argentina/Salta",
        "20-Mar-2026 15:10:00 CET",
        "260320 14:10:00",  # MariaDB 10.11's general log (`%y%m%d %k:%M:%S`)
        "Mar 20, 2026 2:10:00 PM",  # java.util.logging's SimpleFormatter
    ],
)
def test_default_formats_of_other_programs_parse_to_the_instant(text):
    assert parse_time(text, now_us=NOW) == T0


@pytest.mark.parametrize(
    "text",
    [
        "Fri Feb 29 14:10:00 2026",
        "31 Feb 2026 14:10:00",
        "1332 14:10:00.000000",
        "31-Feb-2026 14:10:00 UTC",
        "20-Mar-2026 14:10:00 Nowhere/Land",  # a zone that does not exist
        "20-Mar-2026 14:10:00 ../../etc/passwd",
        "20-Xyz-2026 14:10:00 UTC",
    ],
)
def test_impossible_dates_of_those_formats_are_no_time(text):
    assert parse_time(text, now_us=NOW) is None


def test_named_zone_is_datetimes_utc_for_utc_and_zoneinfo_otherwise() -> None:
    assert named_zone("UTC") is UTC
    assert named_zone("Europe/Berlin") == BERLIN
    with pytest.raises(ZoneInfoNotFoundError):
        named_zone("Mars/Olympus")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # MongoDB 4.4+ log `t` (relaxed and canonical extended JSON)
        ({"$date": "2020-05-01T15:16:17.180+00:00"}, 1588346177180000),
        ({"$date": {"$numberLong": "1588346177180"}}, 1588346177180000),
        ({"$date": 1588346177180}, 1588346177180000),
        # protobuf Timestamp as GCP structured logging writes it; int64 as digits
        ({"seconds": 1700000000, "nanos": 123456789}, 1700000000123456),
        ({"seconds": "1700000000"}, 1700000000000000),
        ({"epochSecond": 1700000000, "nanoOfSecond": 5000}, 1700000000000005),
        ({"$date": {"$numberLong": "soon"}}, None),
        ({"seconds": 1.5}, None),
    ],
)
def test_timestamp_objects(value, expected):
    assert parse_time(value) == expected


@pytest.mark.parametrize(
    "text", ["2016-12-31T23:59:60Z", "2016-12-31T23:59:60.25Z", "2016-12-31 23:59:60z"]
)
def test_a_leap_second_is_the_last_microsecond_before_it(text):
    assert parse_time(text) == parse_time("2016-12-31T23:59:59.999999Z")


# Serilog's file sink writes `{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz}`: a space
# before the offset.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-01 10:00:00.123 +01:00", "2024-01-01T09:00:00.123Z"),
        ("2024-01-01 10:00:00.123 -05:00", "2024-01-01T15:00:00.123Z"),
        ("2024-01-01 10:00:00 +0530", "2024-01-01T04:30:00Z"),
    ],
)
def test_an_offset_after_a_space_is_the_offset(text, expected):
    assert parse_time(text) == parse_time(expected)


WRITTEN = T0 + 60_000_000  # a log last written at 2026-03-20T14:11:00Z


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14:10:00.123", T0 + 123_000),
        ("14:10:00,123", T0 + 123_000),  # log4j2's comma
        ("14:10:00", T0),
        ("14:10:00.123456789", T0 + 123_456),
        ("14:15:59.999", T0 + 359_999_000),  # within TIME_OF_DAY_SLACK: that day
        ("14:16:00.001", T0 + 360_001_000 - 86_400_000_000),  # the day before
        ("23:59:59.000", T0 + (9 * 3600 + 49 * 60 + 59) * 1_000_000 - 86_400_000_000),
        ("00:00:00.000", T0 - (14 * 60 + 10) * 60_000_000),
        ("24:00:00.000", None),
        ("14:60:00.000", None),
        ("14:10", None),
        ("14:10:00.", None),
    ],
)
def test_a_time_of_day_falls_on_the_day_the_log_was_last_written(text, expected):
    assert parse_time(text, written_us=WRITTEN) == expected


def test_a_time_of_day_without_a_write_time_is_no_time():
    assert parse_time("14:10:00.123") is None


def test_a_time_of_day_is_wall_time_in_the_zone_and_rolls_back_by_wall_days():
    # Berlin: CET (+01:00) until 2026-03-29 02:00, then CEST (+02:00)
    written = parse_time("2026-03-29T12:00:00Z")  # 14:00 CEST
    assert parse_time("13:59:00.000", tz=BERLIN, written_us=written) == parse_time(
        "2026-03-29T11:59:00Z"
    )
    # 15:00 is later than 14:00: the day before, still 15:00 on the wall (CET)
    assert parse_time("15:00:00.000", tz=BERLIN, written_us=written) == parse_time(
        "2026-03-28T14:00:00Z"
    )


def test_a_leading_time_of_day_is_a_timestamp_only_with_milliseconds():
    assert leading_timestamp("14:10:00.123 [main] INFO x") == ("14:10:00.123", 12)
    assert leading_timestamp("14:10:00 is when it failed") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dec 03, 2026 12:00:00 AM", "2026-12-03T00:00:00.000Z"),  # midnight
        ("Dec 03, 2026 12:59:59 AM", "2026-12-03T00:59:59.000Z"),
        ("Dec 03, 2026 1:00:00 AM", "2026-12-03T01:00:00.000Z"),
        ("Dec 03, 2026 11:59:59 AM", "2026-12-03T11:59:59.000Z"),
        ("Dec 03, 2026 12:00:00 PM", "2026-12-03T12:00:00.000Z"),  # noon
        ("Dec 03, 2026 1:44:05 PM", "2026-12-03T13:44:05.000Z"),
        ("Dec 03, 2026 11:59:59 PM", "2026-12-03T23:59:59.000Z"),
        ("Feb 29, 2028 1:00:00 PM", "2028-02-29T13:00:00.000Z"),
        ("Feb 29, 2026 1:00:00 PM", None),
        ("Dec 03, 2026 13:00:00 PM", None),
        ("Dec 03, 2026 0:00:00 AM", None),
        ("Xyz 03, 2026 1:00:00 PM", None),
    ],
)
def test_java_util_logging_12_hour_clock(text, expected):
    us = parse_time(text)
    assert (None if us is None else format_utc_ms(us)) == expected


def test_a_time_of_day_in_utc_takes_the_utc_date_of_the_write():
    # bunyan's CLI `-o short`: `14:20:22.533Z`; the zone given is not used
    written = parse_time("2026-12-03T00:10:00Z")
    assert written is not None
    assert parse_time("23:59:59.500Z", tz=BERLIN, written_us=written) == parse_time(
        "2026-12-02T23:59:59.500Z"
    )
    assert parse_time("00:05:00.000Z", tz=BERLIN, written_us=written) == parse_time(
        "2026-12-03T00:05:00Z"
    )
    assert leading_timestamp("14:20:22.533Z  INFO shop: x") == ("14:20:22.533Z", 13)


FALL_BACK = {  # when the clock went back in 2024 (Lord Howe's by half an hour)
    "Europe/Berlin": datetime(2024, 10, 27, 1, tzinfo=UTC),
    "America/New_York": datetime(2024, 11, 3, 6, tzinfo=UTC),
    "Australia/Lord_Howe": datetime(2024, 4, 6, 15, tzinfo=UTC),
}


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(sorted(FALL_BACK)),
    seconds=st.integers(-4 * 3600, 4 * 3600),  # around the clock going back
)
def test_a_wall_time_read_in_both_passes_names_its_instant_once_or_twice(
    zone: str, seconds: int
) -> None:
    tz = ZoneInfo(zone)
    us = int((FALL_BACK[zone] + timedelta(seconds=seconds)).timestamp()) * 1_000_000
    local = datetime.fromtimestamp(us / 1_000_000, tz)
    wall = local.strftime("%Y-%m-%d %H:%M:%S")
    first = parse_time(wall, tz=tz)
    second = parse_time(wall, tz=second_pass_zone(tz))
    assert first is not None
    assert second is not None
    shown_twice = tz.utcoffset(local.replace(fold=0)) != tz.utcoffset(
        local.replace(fold=1)
    )
    if not shown_twice:
        assert first == second == us
        return
    assert second > first
    assert us == (second if local.fold else first)
    start, end = repeated_hour(tz, first, second)
    assert start <= first < end <= second
    assert end - start == second - first
    near = fall_back_near(tz)
    assert near is not None
    assert near(first)
    assert end == FALL_BACK[zone].timestamp() * 1_000_000


def test_the_hour_skipped_in_spring_reads_earlier_in_the_second_pass_zone() -> None:
    first = parse_time("2024-03-31 02:30:00", tz=BERLIN)
    second = parse_time("2024-03-31 02:30:00", tz=second_pass_zone(BERLIN))
    assert (format_utc_ms(first or 0), format_utc_ms(second or 0)) == (
        "2024-03-31T01:30:00.000Z",
        "2024-03-31T00:30:00.000Z",
    )
    assert fall_back_near(timezone(timedelta(hours=1))) is None
