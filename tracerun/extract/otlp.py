"""OTLP: an OpenTelemetry logs batch (one JSON line) → the fields of each of its log records.

The Collector's `file` exporter (and the `otlpjson` format) writes one
ExportLogsServiceRequest per line, in OTLP/JSON (opentelemetry-proto's
`logs/v1/logs.proto` in the protobuf JSON mapping):
`{"resourceLogs":[{"resource":{"attributes":[…]},"scopeLogs":[{"scope":{…},
"logRecords":[{"timeUnixNano":"…","severityNumber":9,"severityText":"INFO",
"body":{"stringValue":"…"},"attributes":[{"key":"request_id","value":
{"stringValue":"abc123"}}],"traceId":"…","spanId":"…"}, …]}]}]}`.
Each log record is a record of its own; its attributes (the `{key, value}`
list read as `key: value`), its resource's attributes (`service.name`) and
its `traceId`/`spanId` are its fields.
"""

from __future__ import annotations

from typing import Any

BATCH_KEY = "resourceLogs"
"""The top-level key of an OTLP/JSON logs batch."""
_SCOPES = ("scopeLogs", "instrumentationLibraryLogs")  # the latter: OTLP before 0.19
_MAX_DEPTH = 64
"""AnyValue nesting read into values; deeper values are kept as OTLP wrote them."""
_NUMBER_KEYS = ("intValue", "doubleValue")


def log_records(batch: Any) -> list[tuple[dict[str, Any], dict[str, Any]]] | None:
    """Read an OTLP/JSON batch (the value of `resourceLogs`) into its log records.

    Returns:
        (the record's fields, the log record as written) per log record, in
        the order written; None when `batch` is not a list of resource logs
        holding at least one log record (the line is then read as it is).
        A record's fields are `body` (its AnyValue read as a value), its
        time as `timeUnixNano` (else `observedTimeUnixNano`; a zero time is
        no time), `severityText` (else `severityNumber`), its attributes,
        `traceId` and `spanId` when set, then its resource's attributes (a
        record's own attribute of the same name wins).
    """
    if type(batch) is not list:
        return None
    found: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for resource_logs in batch:
        if type(resource_logs) is not dict:
            continue
        resource = resource_logs.get("resource")
        shared = _attributes(
            resource.get("attributes") if type(resource) is dict else None
        )
        for scope in _lists(resource_logs, _SCOPES):
            for record in _lists(scope, ("logRecords",)):
                if type(record) is dict:
                    fields = _record_fields(record)
                    for key, value in shared.items():
                        fields.setdefault(key, value)
                    found.append((fields, record))
    return found or None


def _lists(node: dict[str, Any], keys: tuple[str, ...]) -> list[Any]:
    """Return the dict items of the first of `keys` that holds a list."""
    for key in keys:
        items = node.get(key)
        if type(items) is list:
            return [item for item in items if type(item) is dict]
    return []


def _record_fields(record: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if "body" in record:
        fields["body"] = any_value(record["body"])
    for key in ("timeUnixNano", "observedTimeUnixNano"):
        if _nonzero(record.get(key)):
            fields[key] = record[key]
            break
    text = record.get("severityText")
    if type(text) is str and text:
        fields["severityText"] = text
    elif "severityNumber" in record:
        fields["severityNumber"] = record["severityNumber"]
    fields.update(_attributes(record.get("attributes")))
    for key in ("traceId", "spanId"):
        value = record.get(key)
        if type(value) is str and value:
            fields.setdefault(key, value)
    return fields


def _nonzero(value: Any) -> bool:
    """Tell whether a `…UnixNano` value is a time (proto3 writes 0 for "unset")."""
    if type(value) is str:
        return value.strip("0") != "" and value.isascii() and value.isdigit()
    return type(value) is int and value > 0


def _attributes(items: Any, depth: int = 0) -> dict[str, Any]:
    """Read OTLP's `[{"key": K, "value": AnyValue}, …]` as `{K: value}`."""
    found: dict[str, Any] = {}
    if type(items) is not list:
        return found
    for item in items:
        if type(item) is dict and type(item.get("key")) is str:
            found[item["key"]] = any_value(item.get("value"), depth)
    return found


def any_value(value: Any, depth: int = 0) -> Any:
    """Read an OTLP AnyValue (`{"stringValue": "x"}`, …) as the value it holds.

    `intValue` (a string in OTLP/JSON: int64) becomes an int, `kvlistValue` a
    mapping, `arrayValue` a list; `bytesValue` stays its base64 text. An empty
    AnyValue is null; anything else (or nesting past _MAX_DEPTH) stays as written.
    """
    if type(value) is not dict or len(value) != 1 or depth > _MAX_DEPTH:
        return None if value == {} else value
    ((kind, held),) = value.items()
    if kind == "kvlistValue":
        return _attributes(
            held.get("values") if type(held) is dict else None, depth + 1
        )
    if kind == "arrayValue":
        items = held.get("values") if type(held) is dict else None
        return [any_value(item, depth + 1) for item in items or ()]
    if kind == "intValue" and type(held) is str:
        digits = held.removeprefix("-")
        if digits.isascii() and digits.isdigit() and len(digits) < 20:
            return int(held)
        return held
    if kind in _NUMBER_KEYS or kind in ("stringValue", "boolValue", "bytesValue"):
        return held
    return value


def record_text(record: dict[str, Any]) -> str:
    """Write a log record back as one line of JSON (a record's own `raw` text).

    Why: the records of one batch line must differ in what they show and in
    what makes two of them the same (trace/expand.py `record_key`).
    """
    import orjson  # noqa: PLC0415 - loaded: the batch line was JSON

    try:
        return orjson.dumps(record).decode()
    except TypeError:  # an integer past 64 bits, a lone surrogate
        import json  # noqa: PLC0415 - only for such a value

        return json.dumps(record, ensure_ascii=False, separators=(",", ":"))
