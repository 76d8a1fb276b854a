"""tracerun/config/compose.py: alias bombs and deep nesting refused where they are."""

from __future__ import annotations

import time

from tracerun.config.compose import MAX_ALIAS_NODES, MAX_DEPTH
from tracerun.config.loader import load_profile

SOURCE = "sources:\n  app: {type: file, paths: [app.log]}\n"


def at(issue):
    return (issue.file, issue.line, issue.col)


def laughs(levels: int = 9) -> str:
    """`a` holds nine strings, each next anchor nine aliases of the one before."""
    lines = ['l0: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        before, name = "abcdefghi"[level - 1], "abcdefghi"[level]
        lines.append(f"l{level}: &{name} [" + ", ".join([f"*{before}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def test_a_billion_laughs_is_refused_fast_at_the_alias_past_the_limit(write, problems):
    path = write("p.yaml", "version: 1\n" + SOURCE + laughs())
    started = time.perf_counter()
    [issue] = problems(path)
    assert time.perf_counter() - started < 1
    # l1's aliases stand for 90 nodes, l2's for 819, l3's for 7,380: 8,289 in all;
    # the first *d (7,381 more) passes the limit.
    assert at(issue) == ("p.yaml", 8, 9)
    assert issue.message == (
        f"aliases here stand for more than {MAX_ALIAS_NODES:,} values in all"
    )
    assert issue.hint == "write the values out, or use fewer aliases of big anchors"
    assert issue.source_line == "l4: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]"


def test_ordinary_anchors_aliases_and_merge_keys_still_work(write):
    path = write(
        "p.yaml",
        """
        version: 1
        keys: &keys [request_id, trace_id]
        parsers:
          app: &app {type: json, fields: {rid: ctx.rid}}
          edge:
            <<: *app
            time: {field: ts}
        sources:
          a: {type: file, paths: [a.log], parser: app}
          b: {type: file, paths: [b.log], parser: edge}
        """,
    )
    profile = load_profile(path, env={})
    assert profile.keys == ["request_id", "trace_id"]
    assert profile.parsers["edge"].fields == {"rid": "ctx.rid"}
    assert profile.parsers["edge"].time.field == "ts"


def test_many_aliases_of_a_small_anchor_stay_within_the_limit(write, problems):
    items = ", ".join(["*k"] * (MAX_ALIAS_NODES // 3))  # 3 nodes each: 9,999
    path = write("p.yaml", f"version: 1\nkeys: &k [a, b]\nx: [{items}]\n" + SOURCE)
    [issue] = problems(path)
    assert issue.message == "unknown key 'x'"


def test_block_nesting_past_the_limit_is_refused_at_the_first_level_too_deep(
    write, problems
):
    deep = "".join(" " * i + " a:\n" for i in range(600)) + " " * 601 + "a: 1\n"
    path = write("p.yaml", "version: 1\n" + SOURCE + "x:\n" + deep)
    [issue] = problems(path)
    # the root mapping is level 1, the one on line 5 (under x) level 2, …
    assert issue.line == 4 + MAX_DEPTH
    assert issue.message == f"values are nested more than {MAX_DEPTH} levels deep here"
    assert issue.hint == "a profile needs a few levels; is this indentation a mistake?"


def test_flow_nesting_past_the_limit_is_refused(write, problems):
    path = write(
        "p.yaml", "version: 1\ndescription: " + "[" * 600 + "]" * 600 + "\n" + SOURCE
    )
    [issue] = problems(path)
    assert at(issue) == ("p.yaml", 2, 13 + MAX_DEPTH)
    assert issue.message.startswith("values are nested more than")


def test_nesting_up_to_the_limit_is_read(write, problems):
    nested = "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    path = write("p.yaml", f"version: 1\ndescription: {nested}\n" + SOURCE)
    [issue] = problems(path)
    assert issue.message == "expected a string, got a list"


def test_an_alias_inside_its_own_anchor_is_refused_at_the_alias(write, problems):
    [issue] = problems(write("p.yaml", "version: 1\nsources: &s\n  a: [*s]\n"))
    assert at(issue) == ("p.yaml", 3, 7)
    assert "alias inside its own anchor" in issue.message


def test_an_undefined_alias_is_a_syntax_error_at_the_alias(write, problems):
    [issue] = problems(write("p.yaml", "version: 1\nkeys: [*nope]\n" + SOURCE))
    assert at(issue) == ("p.yaml", 2, 8)
    assert issue.message == "invalid YAML: found undefined alias 'nope'"


def test_a_second_document_is_a_syntax_error(write, problems):
    [issue] = problems(write("p.yaml", "version: 1\n" + SOURCE + "---\nversion: 1\n"))
    assert issue.message == "invalid YAML: but found another document"
