import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracerun.config.spec import LogfmtParserConfig
from tracerun.extract.logfmt import (
    LogfmtExtractor,
    _scan_pairs,
    _split_pairs,
    from_config,
    unquote,
)

extract = LogfmtExtractor().extract


def test_pairs_quoted_values_and_bare_keys():
    line = 'time=2026-03-20T14:10:00Z level=info msg="reserved stock" request_id=req-1 dry_run'
    assert extract(line) == {
        "time": "2026-03-20T14:10:00Z",
        "level": "info",
        "msg": "reserved stock",
        "request_id": "req-1",
        "dry_run": True,
    }


def test_values_stay_strings():
    assert extract("qty=2 ok=true ratio=0.5") == {
        "qty": "2",
        "ok": "true",
        "ratio": "0.5",
    }


def test_escapes_in_quoted_values():
    line = r'msg="say \"hi\" to C:\\temp\nnext\tcol \u00e9 \x" a=1'
    assert extract(line) == {"msg": 'say "hi" to C:\\temp\nnext\tcol é \\x', "a": "1"}


def test_empty_values():
    assert extract('a= b="" c=1') == {"a": "", "b": "", "c": "1"}


def test_unicode_keys_and_values():
    assert extract('größe=groß name="Zoë ✓" 名前=値') == {
        "größe": "groß",
        "name": "Zoë ✓",
        "名前": "値",
    }


def test_dotted_and_dashed_keys():
    assert extract("http.status=200 x-request-id=abc @t=1") == {
        "http.status": "200",
        "x-request-id": "abc",
        "@t": "1",
    }


def test_unterminated_quote_keeps_the_raw_token():
    assert extract('msg="oops a=1') == {"msg": '"oops', "a": "1"}


def test_later_duplicate_key_wins():
    assert extract("a=1 a=2") == {"a": "2"}


def test_surrounding_and_repeated_whitespace():
    assert extract("  a=1 \t  b=2  ") == {"a": "1", "b": "2"}


@pytest.mark.parametrize("line", ["", "   ", "just some words", '"quoted"'])
def test_lines_without_a_pair_give_none(line):
    assert extract(line) is None


def test_unquote_without_escapes_is_identity():
    assert unquote("plain") == "plain"


def test_from_config():
    assert isinstance(from_config(LogfmtParserConfig(type="logfmt")), LogfmtExtractor)


def test_token_starting_with_equals_reads_like_the_scanner():
    assert extract("=x a=1") == {"x": True, "a": "1"}


@settings(max_examples=500)
@given(st.text(alphabet="ab=. \té", max_size=30))
def test_fast_split_agrees_with_the_scanner(line):
    fast = _split_pairs(line)
    assert fast is None or fast == _scan_pairs(line)
