import pytest

from tracerun.query import Query, Term
from tracerun.read.match import Matcher, field_text, lookup

KEYS = ("request_id", "trace_id")


def matcher(*terms, **kw):
    return Matcher(Query(terms=tuple(terms), keys=KEYS, **kw))


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


def test_containers_never_equal_a_value():
    assert not matcher(Term(None, "a")).match_fields({"request_id": ["a"]})


def test_window_is_inclusive():
    m = matcher(Term(None, "a"), since=10, until=20)
    assert [m.in_window(t) for t in (9, 10, 20, 21)] == [False, True, True, False]


def test_where_uses_jmespath_truthiness():
    m = matcher(Term(None, "a"), where="level == 'error' && to_number(status) >= `500`")
    assert m.where({"level": "error", "status": "503"})
    assert not m.where({"level": "error", "status": "200"})
    assert not matcher(Term(None, "a"), where="tags").where({"tags": []})
    assert matcher(Term(None, "a")).where({})


def test_where_sees_normalised_level_and_source_name():
    m = matcher(Term(None, "a"), where="level == 'error' && source == 'pay'")
    assert m.where({"level": "ERROR"}, level="error", source="pay")
    assert not m.where({"level": "ERROR"}, level="error", source="orders")
    assert not m.where({"level": "ERROR"})


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
    "key", ["request_id", "requestId", "RequestId", "request-id", "trace_id"]
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
    )
    assert spellings("RequestId")[1:] == ("request_id", "requestId", "request-id")
    assert spellings("rid") == ("rid",)
