import pytest

from tracerun.errors import QueryError
from tracerun.query import Query, Term, check_where, parse_term


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("request_id=abc", Term("request_id", "abc")),
        ("ctx.request.id=abc", Term("ctx.request.id", "abc")),
        ("abc", Term(None, "abc")),
        ("abc==", Term(None, "abc==")),
        ("=abc", Term(None, "=abc")),
        ("key=", Term(None, "key=")),
        ("a b=c", Term(None, "a b=c")),
        ("trace_id=4bf9=x", Term("trace_id", "4bf9=x")),
    ],
)
def test_parse_term_splits_key_value_or_keeps_bare_value(text, term):
    assert parse_term(text) == term


def test_empty_term_is_a_query_error_with_a_hint():
    with pytest.raises(QueryError) as info:
        parse_term("  ")
    assert info.value.hint == "give a value such as request_id=abc123"


def test_values_are_distinct_needles_in_order():
    query = Query(terms=(Term("a", "x"), Term(None, "y"), Term("b", "x")))
    assert query.values == ("x", "y")


def test_invalid_where_names_the_flag():
    with pytest.raises(QueryError, match=r"--where 'level ==': not a valid JMESPath"):
        check_where("level ==")


def test_term_str_round_trips():
    assert [str(parse_term(t)) for t in ("k=v", "v")] == ["k=v", "v"]


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("a\nb", "spans lines"),
        ("request_id=a\nb", "spans lines"),
        ("request_id=a\0b", "holds a NUL character"),
    ],
)
def test_a_term_holding_a_newline_or_nul_is_refused_keyed_or_bare(
    text: str, what: str
) -> None:
    with pytest.raises(QueryError) as caught:
        parse_term(text)
    assert caught.value.message == (
        f"search term {text!r} {what}; records are matched line by line"
    )
    assert caught.value.hint == "remove it from the term"
