"""Generated profile documents through the real loader: a profile, or located issues.

Whatever the document (right and wrong keys and types, unicode, deep nesting,
anchors and aliases, `${VAR}` references, huge strings, bad regexes, JMESPath,
strptime formats, zones, paths and engine URLs), loading it gives a Profile or
a ProfileError whose issues each name the file, a line when the document has
lines, and a message; never another exception, never a secret's value, and
each printed issue stays small (issue #12).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from tracerun.config.loader import load_profile
from tracerun.config.report import format_issue
from tracerun.errors import ProfileError

SECRET = "s3cr3t-Pr0perty-value"
ENV = {"CI_TOKEN": SECRET, "EMPTY": "", "HOME": "/nonexistent-home"}
ISSUE_CHARS = 2_500
"""A printed issue's size at most: message, hint and key path are cut to 500."""

# --- scalars a profile can hold ---------------------------------------------

TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufeff"),
    max_size=12,
)
HUGE_SIZES = {"HUGE300": 300, "HUGE5K": 5_000, "HUGE100K": 100_000}
"""Markers written out as that many `A`s after dumping (dumpers are slow on them)."""
DEEP = {
    "DEEPREGEX": "(" * 1500 + ")" * 1500,
    "DEEPJMESPATH": "(" * 1500 + "a" + ")" * 1500,
}
HUGE = st.sampled_from(sorted(HUGE_SIZES))
SECRET_TEXT = st.sampled_from(
    ["${CI_TOKEN}", "x-${CI_TOKEN}-y", "${EMPTY:-d}", "$${x}"]
)
BAD_REFERENCES = st.sampled_from(["${UNSET}", "${bad", "${CI_TOKEN"])
STRING = st.one_of(TEXT, SECRET_TEXT, HUGE)
SCALAR = st.one_of(
    STRING,
    BAD_REFERENCES,
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.booleans(),
    st.none(),
    st.sampled_from(["", " ", "null", "~"]),
)
ZONES = st.sampled_from(["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires"])
BAD_ZONES = (
    st.sampled_from(
        [
            "Nowhere/Zone",
            "../etc",
            "/etc/localtime",
            "Europe",
            "Europe/" * 40 + "Berlin",
        ]
    )
    | SECRET_TEXT
    | HUGE
)
REGEXES = st.sampled_from(["^(?P<msg>.*)$", "(?P<request_id>\\S+) (?P<msg>.*)"])
BAD_REGEXES = st.sampled_from(["(", "[a-", "a{99999999999}", "DEEPREGEX", "x", "[[a]"])
JMESPATHS = st.sampled_from(["a.b", "ctx.id || id", "length(@)", "`1`"])
BAD_JMESPATHS = st.sampled_from(["a ||", "foo(bar)", "[?", "DEEPJMESPATH", "a.`"])
FORMATS = st.sampled_from(["%d/%b/%Y:%H:%M:%S %z", "%Y-%m-%d %H:%M:%S", "%H:%M"])
BAD_FORMATS = st.sampled_from(["%z%z", "%Y %", "%Q", "%c%a", "%", "%s"])
PATHS = st.sampled_from(
    [
        "app.log",
        "logs/*.log",
        "logs/",
        "~/x.log",
        "~nosuchuser/x.log",
        "${CI_TOKEN}/x.log",
        "/var/log/**/*.log",
        "[ab].log",
    ]
)
BAD_PATHS = st.sampled_from(["A" * 300 + "/x", "B" * 300 + "*/x", "a\0b"])
HOSTS = st.sampled_from(
    ["unix:///var/run/docker.sock", "tcp://10.0.0.5:2376", "ssh://u@h", "h:2375"]
)
BAD_HOSTS = st.sampled_from(
    ["tcp://localhost:99999", "tcp://[::1", "ftp://x", "${CI_TOKEN}", "ssh://u@h/p"]
)


ODDS = st.sampled_from([False] * 19 + [True])


def mostly(common: st.SearchStrategy[Any], rare: st.SearchStrategy[Any]) -> Any:
    """`common` nineteen times in twenty, else `rare`.

    Why not `one_of(common, …, rare)`: it merges equal branches and flattens
    nested ones, so `rare` would weigh as many branches as it has itself.
    """
    return ODDS.flatmap(lambda odd: rare if odd else common)


def usually(
    right: st.SearchStrategy[Any], *wrong: st.SearchStrategy[Any]
) -> st.SearchStrategy[Any]:
    """`right` nineteen times in twenty; else a wrong value (or any scalar or list)."""
    return mostly(right, st.one_of(*wrong, SCALAR, st.lists(SCALAR, max_size=3)))


def entries(value: st.SearchStrategy[Any], size: int = 2) -> st.SearchStrategy[Any]:
    odd = st.one_of(
        st.sampled_from(["[key]", "\x1b[2J", "${CI_TOKEN}"]), TEXT, st.integers()
    )
    names = mostly(st.sampled_from(["a", "app", "edge"]), odd)
    return st.dictionaries(names, value, min_size=1, max_size=size)


def keyed(
    required: dict[str, st.SearchStrategy[Any]],
    optional: dict[str, st.SearchStrategy[Any]],
    typos: dict[str, st.SearchStrategy[Any]],
) -> st.SearchStrategy[Any]:
    """A mapping with its required keys, some optional ones, and rarely a typo."""
    base = st.fixed_dictionaries(required, optional=optional)
    typo = st.fixed_dictionaries({}, optional=typos)
    return st.tuples(base, mostly(st.just({}), typo)).map(lambda t: {**t[0], **t[1]})


# --- profile-ish structures ---------------------------------------------------

TIME = keyed(
    {},
    {"field": usually(TEXT), "format": usually(FORMATS, BAD_FORMATS)},
    {"fmt": SCALAR},
)
SAMPLE = keyed(
    {
        "line": usually(STRING),
        "expect": usually(st.dictionaries(TEXT, SCALAR, max_size=2)),
    },
    {},
    {"expected": SCALAR},
)
PARSER = keyed(
    {"type": usually(st.sampled_from(["json", "logfmt", "auto"]), st.just("xml"))},
    {
        "fields": usually(
            st.dictionaries(TEXT, usually(JMESPATHS, BAD_JMESPATHS), max_size=2)
        ),
        "time": usually(TIME),
        "samples": usually(st.lists(SAMPLE, max_size=1)),
        "level": usually(TEXT),
    },
    {"pattren": SCALAR},
) | keyed(
    {"type": st.just("regex"), "pattern": usually(REGEXES, BAD_REGEXES)},
    {"time": usually(TIME)},
    {"patern": SCALAR},
)
FILE_SOURCE = keyed(
    {
        "type": st.just("file"),
        "paths": usually(st.lists(usually(PATHS, BAD_PATHS), min_size=1, max_size=3)),
    },
    {
        "parser": usually(
            st.sampled_from(["app", "json", "auto"]), st.just("nope"), PARSER
        ),
        "timezone": usually(ZONES, BAD_ZONES),
        "multiline": usually(
            st.fixed_dictionaries({"start": usually(REGEXES, BAD_REGEXES)})
        ),
    },
    {"path": SCALAR, "containers": SCALAR},
)
DOCKER_SOURCE = keyed(
    {"type": st.just("docker"), "containers": st.lists(TEXT, min_size=1, max_size=2)},
    {
        "labels": usually(st.dictionaries(TEXT, TEXT, max_size=2), st.lists(TEXT)),
        "host": usually(HOSTS, BAD_HOSTS),
        "streams": usually(st.lists(st.sampled_from(["stdout", "stderr"]), min_size=1)),
        "stopped": usually(st.booleans()),
    },
    {"container": SCALAR},
)
SOURCE = usually(FILE_SOURCE | DOCKER_SOURCE, keyed({"type": st.just("ssh")}, {}, {}))
OUTPUT = keyed(
    {"type": usually(st.sampled_from(["text", "ndjson"]), st.just("html"))},
    {"color": usually(st.sampled_from(["auto", "never"]), st.just("${CI_TOKEN}"))},
    {"colour": SCALAR},
)
PROFILE = keyed(
    {
        "version": usually(
            st.just(1), st.sampled_from([2, 0, True, 1.0, "1", "${CI_TOKEN}", None])
        ),
        "sources": usually(entries(SOURCE, size=3)),
    },
    {
        "description": usually(STRING),
        "keys": usually(st.lists(TEXT, min_size=1, max_size=3)),
        "timezone": usually(ZONES, BAD_ZONES),
        "parsers": usually(entries(PARSER)),
        "outputs": usually(entries(OUTPUT)),
    },
    {
        "sorces": SCALAR,
        "extends": st.sampled_from(
            ["base", "./nope.yaml", "/etc/passwd", "/dev/null", "p.yaml"]
        ),
    },
)


@st.composite
def documents(draw: st.DrawFn) -> str:
    """A profile written as YAML, perhaps with anchors, deep nesting or damage."""
    data = draw(PROFILE)
    flow = draw(st.sampled_from([False, True, None]))
    text = yaml.dump(
        data,
        Dumper=yaml.CSafeDumper,
        default_flow_style=flow,
        allow_unicode=draw(st.booleans()),
    )
    for marker, size in HUGE_SIZES.items():
        text = text.replace(marker, "A" * size)
    for marker, deep in DEEP.items():  # `(` and `)` need no quoting in YAML
        text = text.replace(marker, deep)
    extra = draw(
        mostly(
            st.just(""),
            st.sampled_from(
                [
                    "x-base: &base {type: file, paths: [app.log]}\n",
                    "sources:\n  merged:\n    <<: *base\n",
                    "keys: &k [request_id]\nx: [*k, *k]\n",
                    "'[key]': 1\n",
                    "deep: " + "[" * 200 + "]" * 200 + "\n",
                    "deep: "
                    + "".join("\n" + "  " * i + "a:" for i in range(1, 90))
                    + " 1\n",
                    "l0: &a [a, a, a, a, a, a, a, a, a]\n"
                    + "".join(
                        f"l{i}: &{c} [" + ", ".join([f"*{p}"] * 9) + "]\n"
                        for i, (p, c) in enumerate(
                            zip("abcdefg", "bcdefgh", strict=True), 1
                        )
                    ),
                    "dup: 1\ndup: 2\n",
                    "bad: [unclosed\n",
                    "tab:\n\tx: 1\n",
                    "ctl: \x01\n",
                    "alias: *nowhere\n",
                    "self: &s [*s]\n",
                    "---\nsecond: doc\n",
                    "? [a, b]\n: 1\n",
                    "date: 2026-03-20\n",
                    "tagged: !!python/object:os.system x\n",
                ]
            ),
        )
    )
    if flow is not False:  # appended lines would break a flow document
        return text + draw(
            mostly(st.just(""), st.sampled_from(["bad: [\n", "x: *no\n"]))
        )
    return text + extra


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("documents")


# 10,000 examples under CI: run untraced, or coverage doubles its time (scripts/test).
@pytest.mark.no_cover
@given(text=documents())
def test_a_document_gives_a_profile_or_located_issues_without_secrets(
    folder: Path, text: str
) -> None:
    path = folder / "p.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_profile(path, env=ENV)
    except ProfileError as caught:
        error = caught
    else:
        return
    assert error.issues
    has_lines = bool(text.splitlines())
    for issue in error.issues:
        assert issue.file
        assert issue.message
        assert issue.line >= 1 or not has_lines, issue
        shown = format_issue(issue)
        assert SECRET not in shown
        assert SECRET not in f"{issue.message} {issue.hint} {issue.details}"
        assert len(shown) < ISSUE_CHARS, shown[:200]
