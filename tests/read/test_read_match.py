import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from tracerun.errors import ExpressionError
from tracerun.query import Query, Term
from tracerun.read.match import Matcher, RecordFilter, field_text, lookup, record_view
from tracerun.record import NO_TIME, Record

KEYS = ("request_id", "trace_id")


def matcher(*terms, **kw):
    return Matcher(Query(terms=tuple(terms), keys=KEYS, **kw))


def record(fields, *, level="", message="", source="orders", time=0, line=7, more=()):
    return Record(
        time=time,
        source=source,
        source_index=0,
        origin="orders.log",
        line=line,
        level=level,
        message=message,
        fields=fields,
        raw="",
        continuation=more,
    )


def test_bare_value_matches_any_profile_key_exactly():
    m = matcher(Term(None, "abc"))
    assert m.match_fields({"trace_id": "abc"})
    assert not m.match_fields({"trace_id": "abc0"})
    assert not m.match_fields({"msg": "abc"})
    assert not m.match_fields({"other_id": "abc"})


def test_keyed_term_only_matches_that_field():
    m = matcher(Term("order_id", "42"))
    assert m.match_fields({"order_id": 42})
    assert not m.match_fields({"request_id": "42"})


def test_dotted_key_walks_nested_fields():
    m = matcher(Term("ctx.request.id", "r1"))
    assert m.match_fields({"ctx": {"request": {"id": "r1"}}})
    assert not m.match_fields({"ctx": {"request": "r1"}})


def test_terms_are_ored():
    m = matcher(Term("request_id", "a"), Term("trace_id", "b"))
    assert m.match_fields({"trace_id": "b"})
    assert m.match_fields({"request_id": "a"})
    assert not m.match_fields({"request_id": "b"})


def test_ignore_case_folds_both_sides():
    m = matcher(Term(None, "REQ-Ab"), ignore_case=True)
    assert m.match_fields({"request_id": "req-aB"})
    assert not matcher(Term(None, "REQ-Ab")).match_fields({"request_id": "req-aB"})


def test_an_object_never_equals_a_value_and_a_list_does_through_its_scalars():
    m = matcher(Term(None, "a"))
    assert not m.match_fields({"request_id": {"a": "a"}})
    assert not m.match_fields({"request_id": [["a"], {"x": "a"}, None]})
    assert m.match_fields({"request_id": ["b", "a"]})
    # Caddy 2 (Go's http.Header): the header that carries the id is a list
    caddy = {"request": {"headers": {"X-Request-Id": ["a"], "Accept": ["*/*"]}}}
    assert m.match_fields(caddy)
    assert matcher(Term("X-Request-Id", "a")).match_fields(caddy)
    assert not matcher(Term("Accept", "a")).match_fields(caddy)


def test_holder_names_the_field_that_carries_a_value():
    m = matcher(Term(None, "Abc"), ignore_case=True)
    assert m.holder({"msg": "says abc", "rid": "ABC"}) == "rid"
    assert m.holder({"ctx": {"req": {"rid": "abc"}}}) == "ctx.req.rid"
    assert m.holder({"msg": "says abc", "tags": ["abc"]}) == "tags"
    assert m.holder({"msg": "says abc", "tags": [["abc"]]}) is None


def test_window_is_inclusive():
    m = matcher(Term(None, "a"), since=10, until=20)
    assert [m.in_window(t) for t in (9, 10, 20, 21)] == [False, True, True, False]


def test_where_uses_jmespath_truthiness():
    m = matcher(Term(None, "a"), where="level == 'error' && status >= `500`")
    assert m.where(record({"status": "503"}, level="error"))
    assert not m.where(record({"status": "200"}, level="error"))
    assert not matcher(Term(None, "a"), where="tags").where(record({"tags": []}))
    assert matcher(Term(None, "a"), where="n").where(record({"n": 0}))
    assert matcher(Term(None, "a")).where(record({}))


def test_view_holds_the_record_as_ndjson_shows_it_over_its_fields():
    fields = {"level": 50, "msg": "reserved", "time": 1, "source": "x", "sku": "TEA"}
    view = record_view(
        record(
            fields, level="error", message="reserved", time=1_500_000, more=("  at",)
        )
    )

    assert view == {
        "level": "error",
        "msg": "reserved",
        "time": "1970-01-01T00:00:01.500000Z",
        "source": "orders",
        "origin": "orders.log",
        "line": 7,
        "message": "reserved\n  at",
        "fields": fields,
        "sku": "TEA",
    }
    assert record_view(record({}, time=NO_TIME, line=0))["time"] is None
    assert record_view(record({}, line=0))["line"] is None


def test_where_sees_normalised_level_message_and_source_name():
    m = matcher(Term(None, "a"), where="level == 'error' && message == 'boom'")
    assert m.where(
        record({"severity": "ERR", "event": "boom"}, level="error", message="boom")
    )
    assert not m.where(record({"level": "error"}, level="error"))
    by_source = matcher(
        Term(None, "a"), where="source == 'pay' && fields.level == `50`"
    )
    assert by_source.where(record({"level": 50}, level="error", source="pay"))


def test_filter_that_fails_on_a_record_does_not_pass_and_says_why():
    check = RecordFilter("abs(message) > `1`", "--exit-on")

    assert check.subject == '--exit-on "abs(message) > `1`"'
    assert check.test(record({}, message="boom")) is False
    assert check.error.reason == "abs() needs a number, got a string"
    assert check.test(record({"message": 5})) is False
    assert check.error.reason == "abs() needs a number, got a string"
    assert RecordFilter("abs(n) > `1`").test(record({"n": -2})) is True
    assert RecordFilter('msg == "x"').subject == "--where 'msg == \"x\"'"


def test_field_text_renders_json_scalars():
    assert [field_text(v) for v in (True, False, None, 1.5, 7, "x")] == [
        "true",
        "false",
        "null",
        "1.5",
        "7",
        "x",
    ]


def test_lookup_prefers_a_literal_dotted_key():
    assert lookup({"a.b": 1, "a": {"b": 2}}, "a.b") == 1
    assert lookup({"a": 1}, "a.b") is None


# Property (issue #12): any expression a user can write either is rejected
# before reading, with a message, or gives a bool on every record. Expressions
# are decoded from bytes (one cheap draw, and it shrinks).

NAMES = ["a", "b", "status", "message", "level", "time", "line", "fields", "ctx"]
ATOMS = [
    *NAMES,
    "ctx.a",
    "fields.status",
    "@",
    "a[0]",
    "b[*]",
    "ctx.*",
    "a[::-1]",
    "`1`",
    "`-2.5`",
    "`0`",
    "`503`",
    "'503'",
    "'x'",
    "''",
    '`"s"`',
    "`true`",
    "`false`",
    "`null`",
    '`[1, "a"]`',
    '`{"k": 1}`',
    "`1e400`",
]
# name → (arity, positions taking an &expression); drawn right 3 times in 4.
FUNCTIONS = {
    **dict.fromkeys(
        ["abs", "avg", "ceil", "floor", "keys", "length", "max", "min", "reverse"],
        (1, ()),
    ),
    **dict.fromkeys(
        ["sort", "sum", "to_array", "to_number", "to_string", "type", "values"], (1, ())
    ),
    **dict.fromkeys(["merge", "not_null", "foo"], (1, ())),
    **dict.fromkeys(["contains", "ends_with", "join", "starts_with"], (2, ())),
    **dict.fromkeys(["max_by", "min_by", "sort_by"], (2, (1,))),
    "map": (2, (0,)),
}
NAMES_OF_FUNCTIONS = sorted(FUNCTIONS)
OPERATORS = ["==", "!=", "<", "<=", ">", ">=", "&&", "||", "|"]


def decode(choices, depth=0):
    """Build one expression from `choices` (an iterator of bytes)."""
    pick = next(choices, 0)
    if depth > 3 or pick % 8 < 3:
        return ATOMS[next(choices, 0) % len(ATOMS)]
    if pick % 8 in (3, 4):
        op = OPERATORS[next(choices, 0) % len(OPERATORS)]
        return f"({decode(choices, depth + 1)}) {op} ({decode(choices, depth + 1)})"
    if pick % 8 == 5:
        return "!" + decode(choices, depth + 1)
    if pick % 8 == 6:
        name = NAMES_OF_FUNCTIONS[next(choices, 0) % len(FUNCTIONS)]
        arity, refs = FUNCTIONS[name]
        right = next(choices, 0) % 4 != 0
        args = []
        for at in range(arity if right else next(choices, 0) % 4):
            ref = "&" if (at in refs) == right else ""
            args.append(ref + decode(choices, depth + 1))
        return f"{name}({', '.join(args)})"
    return f"{ATOMS[next(choices, 0) % 9]}[?{decode(choices, depth + 1)}]"


EXPRESSIONS = st.builds(
    lambda choices, cut: decode(iter(choices))[: None if cut == 0 else -cut],
    st.binary(max_size=30),
    # Now and then a cut expression: a syntax error is rejected, not a crash.
    st.sampled_from([0, 0, 0, 0, 1, 2, 3]),
)
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(),
    st.sampled_from(["503", "-1.5", "1e3", "x", "", "true", "9" * 40]),
    st.sampled_from([[], [1, "a"], [{"a": 2}], {}, {"a": "503"}, {"a": {"a": [0]}}]),
)
RECORDS = st.builds(
    lambda fields, level, message: record(fields, level=level, message=message),
    st.dictionaries(st.sampled_from(NAMES), VALUES, max_size=4),
    st.sampled_from(["", "error", "info"]),
    st.sampled_from(["", "boom", "503"]),
)


# 10,000 examples under CI: run untraced, or coverage doubles its time (scripts/test).
@pytest.mark.no_cover
@given(EXPRESSIONS, st.lists(RECORDS, min_size=1, max_size=2))
def test_an_expression_is_rejected_up_front_or_gives_a_bool_on_every_record(
    text, records
):
    try:
        check = RecordFilter(text)
    except ExpressionError as exc:
        rejected: ExpressionError | None = exc
    else:
        rejected = None
    if rejected is not None:
        event("rejected up front")
        assert str(rejected)
        return
    for item in records:
        assert type(check.test(item)) is bool
        assert check.error is None or check.error.reason
        event("failed on a record" if check.error else "evaluated")


def test_a_key_without_a_dot_is_found_at_any_depth():
    # python-json-logger 4.2.0: extra={"ctx": {"request_id": ...}}
    nested = {"message": "nested context", "ctx": {"request_id": "req-7a8b9c0d"}}
    assert matcher(Term("request_id", "req-7a8b9c0d")).match_fields(nested)
    assert matcher(Term(None, "req-7a8b9c0d")).match_fields(nested)
    assert matcher(Term(None, "r1")).match_fields({"spans": [{"trace_id": "r1"}]})
    assert not matcher(Term(None, "req-7a8b9c0d")).match_fields(
        {"ctx": {"note": "req-7a8b9c0d"}}
    )


def test_a_field_the_profile_defines_is_looked_up_only_at_the_top():
    nested = {"ctx": {"request_id": "r1"}}
    m = matcher(Term("request_id", "r1"))
    assert not m.match_fields(nested, frozenset({"request_id"}))
    assert m.match_fields(nested, frozenset({"other"}))


@pytest.mark.parametrize(
    "key",
    [
        "request_id",
        "requestId",
        "RequestId",
        "request-id",
        "trace_id",
        "REQUEST_ID",  # journald's user fields
        "requestID",  # Go's initialisms (golint): a struct's JSON tag, chi's httplog
        "RequestID",
        "traceID",  # Jaeger's and Tempo's own logs
        "X-Request-Id",  # Caddy's headers
        "x-request-id",  # pino-http's
        "X-Request-ID",
        "request_X-Request-Id",  # Traefik's, with fields.headers.names.X-Request-Id=keep
    ],
)
def test_profile_keys_match_their_other_spellings(key):
    # Serilog/ASP.NET Core: RequestId; Spring MDC: requestId
    assert matcher(Term(None, "r1")).match_fields({key: "r1"})


def test_a_keyed_term_matches_that_spelling_only():
    assert not matcher(Term("request_id", "r1")).match_fields({"RequestId": "r1"})


def test_spellings():
    from tracerun.read.match import spellings

    assert spellings("request_id") == (
        "request_id",
        "requestId",
        "RequestId",
        "request-id",
        "REQUEST_ID",
        "requestID",
        "RequestID",
        "X-Request-Id",
        "x-request-id",
        "X-Request-ID",
        "request_X-Request-Id",  # Traefik's access log fields.headers
    )
    assert spellings("RequestId")[1:4] == ("request_id", "requestId", "request-id")
    assert spellings("x_request_id") == (
        "x_request_id",
        "xRequestId",
        "XRequestId",
        "x-request-id",
        "X_REQUEST_ID",
        "xRequestID",
        "XRequestID",
        "X-Request-Id",
        "X-Request-ID",
        "request_X-Request-Id",
    )
    assert spellings("rid") == ("rid",)


def test_a_nested_id_counts_as_its_object_s_id_key():
    # pino-http logs the request id as `req.id`; ECS the trace id as `trace.id`
    m = Matcher(Query(terms=(Term(None, "abc123"),), keys=("req_id", "trace_id")))
    assert m.match_fields({"req": {"id": "abc123", "method": "GET"}})
    assert m.match_fields({"trace": {"id": "abc123"}})
    assert not m.match_fields({"req": {"id": "abc1234"}})
    assert not m.match_fields({"user": {"id": "abc123"}})
    assert not m.match_fields({"ids": [{"id": "abc123"}]})
    assert not m.match_fields({"msg": "req abc123 failed"})
