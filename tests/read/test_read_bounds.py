"""Bounds: hits inside a longer token are dropped before framing, and no record is lost.

The differential property runs the fast path (Scan with `whole` needles, small
blocks, then the Assembler) against a plain reference (split into lines, group
into records, keep those whose text holds a needle, then the same Assembler) on
random corpora: ids at block boundaries, CRLF, no final newline, multi-line
records across blocks, decoys that have the id as a prefix or suffix or in the
message text.
"""

from __future__ import annotations

import io
from datetime import UTC

from hypothesis import given, settings
from hypothesis import strategies as st

from tracerun.config.spec import JsonParserConfig, RegexParserConfig
from tracerun.extract import build_parser
from tracerun.origin import Origin
from tracerun.query import Query, Term
from tracerun.read.assemble import Assembler
from tracerun.read.bounds import Bounds, judgeable
from tracerun.read.match import Matcher
from tracerun.read.scan import Hit, Needles, Scan
from tracerun.read.target import Target

NEEDLE = "req-42"
IDS = [
    NEEDLE,
    "req-420",  # the id as a prefix
    "xreq-42",  # as a suffix
    "req-42_b",
    "7req-42",
    "req-4",  # a prefix of the id
    "q-42",
    "req-43",
    "\x1b[1mreq-42\x1b[0m",  # coloured: the auto parser strips escapes
    "req-42\u00a0",  # Unicode whitespace ends a value
]
MESSAGES = ["created order", f"retry {NEEDLE} later", f"saw {NEEDLE}0", "x r 42"]


def _text(ts: int, message: str, rid: str) -> str:
    return f"2026-03-20T14:10:{ts:02d}.000Z INFO orders: {message} request_id={rid} u=1"


def _logfmt(ts: int, message: str, rid: str) -> str:
    return (
        f'time=2026-03-20T14:10:{ts:02d}Z level=info msg="{message}" request_id={rid}'
    )


def _json(ts: int, message: str, rid: str) -> str:
    rid = rid.replace("\x1b", "\\u001b")
    return (
        f'{{"ts":"2026-03-20T14:10:{ts:02d}Z","msg":"{message}",'
        f'"ctx":{{"request_id":"{rid}"}}}}'
    )


SHAPES = {"auto": (_text, _logfmt, _json), "logfmt": (_logfmt,), "json": (_json,)}

_record = st.tuples(
    st.integers(0, 59),
    st.sampled_from(MESSAGES),
    st.sampled_from(IDS),
    st.integers(0, 5),  # which shape of the parser's
    st.lists(  # continuation lines
        st.sampled_from(
            ["  at frame", f"\tcaused by {NEEDLE}", f"  request_id={NEEDLE}", "  ..."]
        ),
        max_size=2,
    ),
)


def _corpus(records, parser: str, crlf: bool, final_newline: bool) -> bytes:
    shapes = SHAPES[parser]
    lines = []
    for ts, message, rid, shape, more in records:
        lines.append(shapes[shape % len(shapes)](ts, message, rid))
        lines += more
    eol = "\r\n" if crlf else "\n"
    text = eol.join(lines) + (eol if final_newline and lines else "")
    return text.encode()


def _target(parser: str) -> Target:
    origin = Origin("svc", 0, "file", "svc.log", "/dev/null")
    return Target(origin, build_parser(parser, {}), UTC)


def _fast(data: bytes, target: Target, query: Query, chunk: int) -> list[tuple]:
    matcher = Matcher(query)
    keyed = target.parser.keyed_values(matcher.keys)
    needles = Needles.of(query.values, whole=target.parser.whole_values, keyed=keyed)
    assert needles.whole
    assembler = Assembler(target, matcher)
    scan = Scan(io.BytesIO(data), needles, target.is_start, chunk=chunk)
    found = [r for hit in scan for r in assembler.records(hit)]
    return [(r.line, r.raw, r.continuation) for r in found]


def _reference(data: bytes, target: Target, query: Query) -> list[tuple]:
    """Every record holding a needle's text, framed the slow way, then assembled."""
    lines = data.split(b"\n")
    if data.endswith(b"\n"):
        lines.pop()
    records: list[tuple[int, list[bytes]]] = []
    for number, line in enumerate(lines, 1):
        if not records or target.is_start(line.removesuffix(b"\r")):
            records.append((number, [line]))
        else:
            records[-1][1].append(line)
    needles = [v.encode() for v in query.values]
    assembler = Assembler(target, Matcher(query))
    found = []
    for number, body in records:
        text = b"\n".join(line.removesuffix(b"\r") for line in body)
        if any(n in text for n in needles):
            hit = Hit(number, text, bytearray(), 0)
            found += assembler.records(hit)
    return [(r.line, r.raw, r.continuation) for r in found]


@settings(max_examples=300, deadline=None)
@given(
    records=st.lists(_record, max_size=40),
    parser=st.sampled_from(sorted(SHAPES)),
    crlf=st.booleans(),
    final_newline=st.booleans(),
    chunk=st.sampled_from([7, 16, 61, 128, 1000, 1 << 20]),
    many=st.booleans(),
    key=st.sampled_from([None, None, "request_id", "user", "msg", "ctx.request_id"]),
)
def test_the_fast_path_finds_exactly_what_the_reference_scan_finds(
    records, parser, crlf, final_newline, chunk, many, key
):
    data = _corpus(records, parser, crlf, final_newline)
    target = _target(parser)
    values = (NEEDLE, "req-4", "x r", f"retry {NEEDLE} later") if many else (NEEDLE,)
    terms = tuple(Term(key, v) for v in values)
    query = Query(terms=terms, keys=("request_id", "user"))

    assert _fast(data, target, query, chunk) == _reference(data, target, query)


def _wanted(data: bytes, *values: bytes) -> bool:
    buf = bytearray(data)
    return Bounds(values).wanted(buf, data.index(values[0]), len(buf))


def test_a_hit_with_a_word_byte_on_either_side_is_not_wanted():
    assert not _wanted(b"id=req-420 x", b"req-42")
    assert not _wanted(b"id=xreq-42 x", b"req-42")
    assert not _wanted(b"id=req-42_1", b"req-42")


def test_a_hit_between_delimiters_or_at_the_edges_is_wanted():
    for data in (b"id=req-42 x", b'"req-42"', b"req-42", b"[req-42]", b"=req-42&"):
        assert _wanted(data, b"req-42"), data


def test_an_overlapping_needle_that_is_a_whole_value_keeps_the_hit():
    # The search reports `x req` (followed by `-`); `req-1` is the whole value.
    assert _wanted(b"a x req-1 b", b"x req", b"req-1")
    assert not _wanted(b"ax req-1b", b"x req", b"req-1")


def test_an_ansi_escape_before_the_value_keeps_the_hit():
    assert _wanted(b"id=\x1b[1;32mreq-42\x1b[0m", b"req-42")


def test_a_non_ascii_neighbour_keeps_the_hit():
    assert _wanted("id=req-42\u00a0x".encode(), b"req-42")


def test_needles_that_read_as_fractional_numbers_are_not_judged():
    assert not judgeable((b"1.5",))
    assert not judgeable((b"2e10",))
    assert judgeable((b"12345", b"req-42", b"e"))
    assert not Needles.of(("1.5",), whole=True).whole
    assert not Needles.of(("abc",), whole=True, ignore_case=True).whole


def test_a_value_must_follow_a_key_when_the_parser_writes_keys():
    def keyed(data: bytes) -> bool:
        buf = bytearray(data)
        at = data.index(b"req-42")
        return Bounds((b"req-42",), keyed=True).wanted(buf, at, len(buf))

    for data in (b"id=req-42 ", b'id="req-42"', b'"id":"req-42"', b'"id": "req-42"'):
        assert keyed(data), data
    assert keyed(b"id=\x1b[1mreq-42\x1b[0m")
    assert keyed(b'"n": req-42,')
    assert not keyed(b"failure of req-42, see")
    assert not keyed(b'msg="see req-42"')
    # docker's json-file driver: the program's JSON line inside the `log` string
    assert keyed(b'{"log":"{\\"id\\":\\"req-42\\"}\\n","stream":"stdout"}')
    assert not keyed(b'{"log":"see \\"req-42\\"\\n"}')
    # a quoted field right after another, as Envoy writes %REQ(X-REQUEST-ID)%
    assert keyed(b'"GET / HTTP/1.1" 200 - 0 0 1 1 "-" "curl/8.5" "req-42" "web"')
    assert not keyed(b'msg=retry "req-42"')
    assert not keyed(b'"a""req-42"')  # no blank between: one token, not two fields
    # a JSON list's item: Caddy logs each request header as a list of values
    assert keyed(b'"headers":{"X-Request-Id":["req-42"]}')
    assert keyed(b'"X-Forwarded-For":["10.0.0.1", "req-42"]')
    assert keyed(b'"ids": [ req-42]')
    assert not keyed(b'msg="see a, req-42"')
    # OTLP/JSON attributes (the Collector's file exporter): the value is an
    # AnyValue after its key's `"value":{`; a body's prose is not
    otlp = b'"attributes":[{"key":"request_id","value":{"stringValue":"req-42"}}]'
    assert keyed(otlp)
    assert keyed(b'{"key":"n","value":{"intValue":req-42}}')
    assert keyed(b'"arrayValue":{"values":[{"stringValue":"req-42"}]}')
    assert not keyed(b'"body":{"stringValue":"retry of req-42"}')
    # AWS Lambda's runtimes write the request id right after the time
    assert keyed(b"2024-01-01T10:00:00.123Z\treq-42\tINFO\tx")
    assert keyed(b"[INFO]\t2024-01-01T10:00:00.123Z\treq-42\tx")
    assert keyed(b"2024-01-01T10:00:03.010Z req-42 Task timed out")
    assert keyed(b"START RequestId: req-42 Version: $LATEST")
    assert not keyed(b'2024-01-01T10:00:00.123Z\t"req-42"')
    assert not keyed(b"Z req-42")  # no digit before the Z: a word
    # HAProxy's captured headers: `{first|second}`, by their place
    assert keyed(b'0/0 {req-42|Mozilla/5.0} {} "GET / HTTP/1.1"')
    assert keyed(b'0/0 {example.com|req-42} "GET / HTTP/1.1"')
    assert not keyed(b"0/0 {x} retry of req-42")


def test_positional_keys_of_the_auto_parser_are_not_judged_by_key():
    auto = build_parser("auto", {})
    # Lambda's RequestId and HAProxy's captures are known by their place too
    assert auto.keyed_values(("request_id", "RequestId", "captured_request_headers"))
    assert not auto.keyed_values(("log_stream",))
    assert auto.keyed_values(("request_id", "requestId"))
    assert not auto.keyed_values(("request_id", "user"))
    assert not auto.keyed_values(("msg",))
    # Envoy's x-request-id is known by its place, as a quoted field after
    # another, which the byte test keeps: the request_id spellings stay judged.
    assert auto.keyed_values(("request_id", "x-request-id", "X-Request-Id"))
    assert build_parser("json", {}).keyed_values(("user",))


def test_a_regex_parser_or_a_jmespath_field_is_not_judged():
    def parser(config):
        return build_parser(config, {})

    regex = RegexParserConfig(pattern="(?P<request_id>\\d+)")
    assert not parser(regex).whole_values
    assert parser(JsonParserConfig(fields={"rid": "ctx.rid"})).whole_values
    joined = JsonParserConfig(fields={"rid": "join('-', [a, b])"})
    assert not parser(joined).whole_values


def test_lines_with_the_id_only_as_message_text_are_counted_not_framed():
    data = (
        b"2026-03-20T14:10:00Z INFO failure of req-42, see req-42 again\n"
        b"2026-03-20T14:10:01Z INFO ok request_id=req-420\n"
        b"2026-03-20T14:10:02Z INFO retry of req-42\n"
    )
    needles = Needles.of((NEEDLE,), whole=True, keyed=True)
    scan = Scan(io.BytesIO(data), needles, _target("auto").is_start)

    assert list(scan) == []
    assert (scan.unkeyed.count, scan.unkeyed.line) == (2, 1)
