"""OTLP: the Collector's file exporter line (one ExportLogsServiceRequest in
OTLP/JSON, opentelemetry-proto `logs/v1/logs.proto`) → one record per logRecord."""

from __future__ import annotations

import json
from datetime import UTC

import pytest

from tracerun.config.spec import JsonParserConfig
from tracerun.extract import build_parser
from tracerun.extract.otlp import any_value, log_records

T0 = 1_774_015_800_000_000  # 2026-03-20T14:10:00Z


def attribute(key: str, value: object) -> dict[str, object]:
    return {"key": key, "value": value}


def batch(*records: dict[str, object], **resource: str) -> str:
    """One line as the Collector's `file` exporter writes it (pdata's JSON)."""
    return json.dumps(
        {
            "resourceLogs": [
                {
                    "resource": {
                        "attributes": [
                            attribute(k.replace("_", "."), {"stringValue": v})
                            for k, v in resource.items()
                        ]
                    },
                    "scopeLogs": [
                        {"scope": {"name": "checkout.orders"}, "logRecords": records}
                    ],
                    "schemaUrl": "https://opentelemetry.io/schemas/1.6.1",
                }
            ]
        },
        separators=(",", ":"),
    )


PLACED = {
    "timeUnixNano": "1774015800123456789",
    "observedTimeUnixNano": "1774015800200000000",
    "severityNumber": 9,
    "severityText": "INFO",
    "body": {"stringValue": "order placed"},
    "attributes": [attribute("request_id", {"stringValue": "abc123"})],
    "traceId": "5b8efff798038103d269b633813fc60c",
    "spanId": "eee19b7ec3c1b174",
}


def test_each_log_record_is_its_fields_plus_its_resources_attributes():
    other = {
        "observedTimeUnixNano": "1774015801000000000",
        "severityNumber": 17,
        "body": {"stringValue": "charge failed"},
        "attributes": [attribute("request_id", {"stringValue": "abc1234"})],
        "traceId": "",
        "spanId": "",
    }
    found = log_records(
        json.loads(batch(PLACED, other, service_name="checkout"))["resourceLogs"]
    )
    assert found is not None
    assert [fields for fields, _ in found] == [
        {
            "body": "order placed",
            "timeUnixNano": "1774015800123456789",
            "severityText": "INFO",
            "request_id": "abc123",
            "traceId": "5b8efff798038103d269b633813fc60c",
            "spanId": "eee19b7ec3c1b174",
            "service.name": "checkout",
        },
        {  # no time of its own: the collector's; no text: the number
            "body": "charge failed",
            "observedTimeUnixNano": "1774015801000000000",
            "severityNumber": 17,
            "request_id": "abc1234",
            "service.name": "checkout",
        },
    ]
    assert [written for _, written in found] == [PLACED, other]


def test_a_zero_time_is_no_time_and_a_record_attribute_wins_over_its_resources():
    record = {
        "timeUnixNano": "0",
        "observedTimeUnixNano": "1774015800000000000",
        "attributes": [attribute("service.name", {"stringValue": "mine"})],
    }
    found = log_records(
        json.loads(batch(record, service_name="checkout"))["resourceLogs"]
    )
    assert found is not None
    assert found[0][0] == {
        "observedTimeUnixNano": "1774015800000000000",
        "service.name": "mine",
    }


@pytest.mark.parametrize(
    ("value", "read"),
    [
        ({"stringValue": "abc123"}, "abc123"),
        ({"intValue": "12345"}, 12345),  # int64 is a string in OTLP/JSON
        ({"intValue": 12345}, 12345),
        ({"intValue": "-7"}, -7),
        ({"intValue": "123456789012345678901234"}, "123456789012345678901234"),
        ({"doubleValue": 1.5}, 1.5),
        ({"boolValue": True}, True),
        ({"bytesValue": "3q2+7w=="}, "3q2+7w=="),
        (
            {"arrayValue": {"values": [{"stringValue": "a"}, {"intValue": "1"}]}},
            ["a", 1],
        ),
        (
            {"kvlistValue": {"values": [attribute("id", {"stringValue": "x"})]}},
            {"id": "x"},
        ),
        ({"arrayValue": {}}, []),
        ({}, None),
        ({"unknownValue": 1}, {"unknownValue": 1}),
        ("plain", "plain"),
    ],
)
def test_any_value_reads_every_kind(value, read):
    assert any_value(value) == read


@pytest.mark.parametrize(
    "batch_value",
    [
        "x",
        [],
        [{"scopeLogs": []}],
        [{"scopeLogs": [{"logRecords": []}]}],
        [1, {"resource": 2, "scopeLogs": [{"logRecords": [3]}]}],
    ],
)
def test_a_batch_without_log_records_is_not_one(batch_value):
    assert log_records(batch_value) is None


def test_otlp_before_0_19_named_the_scope_list_instrumentation_library_logs():
    old = [{"instrumentationLibraryLogs": [{"logRecords": [PLACED]}]}]
    found = log_records(old)
    assert found is not None
    assert found[0][0]["request_id"] == "abc123"


@pytest.mark.parametrize("kind", ["auto", "json"])
def test_the_parser_reads_a_batch_line_as_its_records_in_order(kind):
    warn = {
        "timeUnixNano": "1774015801500000000",
        "severityNumber": "SEVERITY_NUMBER_WARN2",  # the enum's name, also valid JSON
        "body": {"stringValue": "slow"},
    }
    line = batch(PLACED, warn, service_name="checkout")
    parser = build_parser(kind, {})

    parsed = parser.parse(line, UTC)

    assert parsed is not None
    assert [(p.time, p.level, p.message) for p in parsed.parts] == [
        (T0 + 123_456, "info", "order placed"),
        (T0 + 1_500_000, "warn", "slow"),
    ]
    assert [json.loads(p.raw) for p in parsed.parts] == [PLACED, warn]
    # callers that read one record per line see its first
    assert (parsed.time, parsed.level, parsed.raw) == (T0 + 123_456, "info", "")
    assert parser.shown_elsewhere(parsed.parts[1].fields) == (
        "timeUnixNano",
        "severityNumber",
        "body",
    )


def test_a_profiles_fields_expressions_see_each_records_fields():
    parser = build_parser(JsonParserConfig(fields={"rid": "request_id"}), {})
    parsed = parser.parse(batch(PLACED), UTC)
    assert parsed is not None
    assert [p.fields.get("rid") for p in parsed.parts] == ["abc123"]
