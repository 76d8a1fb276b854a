"""Fold: the prefilter under -i finds what the matcher's casefold accepts, for 1 id or 40."""

from __future__ import annotations

import io

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from tracerun.config.model import FileSourceConfig, Profile, to_spec
from tracerun.read import fold
from tracerun.read.assemble import Assembler
from tracerun.read.match import Matcher
from tracerun.read.scan import Needles, scan
from tracerun.trace.plan import source_target
from tracerun.trace.session import TraceOptions, build_query

PROFILE = to_spec(
    Profile(version=1, sources={"app": FileSourceConfig(type="file", paths=["x"])})
)
TARGET = source_target(PROFILE, "app", 0)
OTHERS = tuple(f"other-{i:02d}" for i in range(39))
TRICKY = (
    "sS\u017f\u00df\u1e9e"  # s, S, long s, sharp s, capital sharp s
    "kK\u212a"  # k, K, Kelvin sign
    "iI\u0130\u0131"  # i, I, dotted capital I, dotless i
    "\u03c3\u03c2\u03a3"  # sigma, final sigma, capital sigma
    "f\ufb01\u00e9\u00c9\u01c5\u01c6\u01c4"  # f, fi ligature, é, É, dz digraphs
    "\uab70\u13a0\u0390"  # Cherokee a (small, capital), iota with two accents
    "0-"
)


def test_spellings_of_a_value_are_every_casefold_preimage_ascii_lowered():
    assert fold.case_spellings("k-42") == (b"k-42", "\u212a-42".encode())
    assert fold.case_spellings("K-42") == fold.case_spellings("k-42")
    assert set(fold.case_spellings("straße") or ()) >= {
        b"strasse",
        "straße".encode(),
        "straẞe".encode(),
        "stra\u017fse".encode(),
    }
    assert fold.case_spellings("İd") == (b"i\xcc\x87d", "İd".encode())
    assert fold.case_spellings("req-bench-000042") == (b"req-bench-000042",)


def test_a_value_with_too_many_spellings_gets_none():
    assert fold.case_spellings("s" * 12) is None  # 's' has two spellings, 'ss' four


def test_no_code_point_past_the_table_changes_under_casefold():
    changed = [
        code
        for code in range(fold._LAST_CASED, 0x110000)
        if chr(code).casefold() != chr(code)
    ]
    assert changed == []


def _records(data: bytes, terms: tuple[str, ...]) -> list[int]:
    query = build_query(PROFILE, TraceOptions(terms=terms, ignore_case=True), now=0)
    assembler = Assembler(TARGET, Matcher(query))
    needles = Needles.of(query.values, ignore_case=True)
    hits = scan(io.BytesIO(data), needles, TARGET.is_start)
    return [r.line for h in hits for r in assembler.records(h)]


# 10,000 examples under CI: run untraced, or coverage doubles its time (scripts/test).
@pytest.mark.no_cover
@given(
    st.text(alphabet=TRICKY, min_size=1, max_size=8),
    st.lists(
        st.sampled_from(["same", "upper", "lower", "title", "fold", "swap"]),
        min_size=8,
        max_size=8,
    ),
)
def test_the_prefilter_finds_every_case_spelling_the_matcher_accepts(value, ways):
    spelt = "".join(
        {
            "same": char,
            "upper": char.upper(),
            "lower": char.lower(),
            "title": char.title(),
            "fold": char.casefold(),
            "swap": char.swapcase(),
        }[way]
        for char, way in zip(value, ways, strict=False)
    )
    assume(spelt.casefold() == value.casefold())
    data = (
        b"2026-03-20T14:10:00Z INFO decoy request_id=x" + spelt.encode() + b"x\n"
        b"2026-03-20T14:10:01Z INFO hit request_id=" + spelt.encode() + b"\n"
    )

    assert _records(data, (value,)) == [2]
    assert _records(data, (value, *OTHERS)) == [2]
