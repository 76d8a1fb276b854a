"""tracerun/config/reader.py: YAML → data + positions; duplicates; syntax errors."""

from __future__ import annotations

import os

import pytest

from tracerun.config.loader import load_profile
from tracerun.config.marks import Span
from tracerun.config.reader import read_yaml

MINIMAL = """
version: 1
sources:
  app: {type: file, paths: [logs/app.log]}
"""


def at(issue):
    return (issue.file, issue.line, issue.col)


def test_marks_hold_key_and_value_positions(write):
    path = write(
        "p.yaml",
        """
        version: 1
        sources:
          app:
            type: file
            paths: [a.log, 'b.log']
        """,
    )
    issues = []
    data, marks = read_yaml(path, "shown.yaml", issues)
    assert issues == []
    assert data["sources"]["app"]["paths"] == ["a.log", "b.log"]
    app = marks[("sources", "app")]
    assert (app.key, app.block) == (Span(3, 3, 3), True)
    assert marks[("sources", "app", "paths", 1)].value == Span(5, 20, 7)
    assert marks[("version",)].value == Span(1, 10, 1)
    assert marks[()].source.name == "shown.yaml"
    assert marks[()].source.lines[1] == "sources:"


def test_flow_collections_are_not_blocks(write):
    _, marks = read_yaml(write("p.yaml", MINIMAL), "p.yaml", [])
    assert marks[("sources", "app")].block is False
    assert marks[("sources",)].block is True


def test_non_string_keys_are_indexed_as_written(write):
    data, marks = read_yaml(write("p.yaml", "200: ok\n"), "p.yaml", [])
    assert data == {200: "ok"}
    assert (200,) in marks


def test_dates_stay_strings(write):
    path = write("p.yaml", MINIMAL + "description: 2026-03-20\n")
    assert load_profile(path, env={}).description == "2026-03-20"


def test_duplicate_key_is_reported_at_second_occurrence_naming_the_first(
    write, problems
):
    path = write(
        "p.yaml",
        """
        version: 1
        sources:
          app: {type: file, paths: [a.log]}
          app: {type: file, paths: [b.log]}
        """,
    )
    [issue] = problems(path)
    assert at(issue) == ("p.yaml", 4, 3)
    assert issue.key_path == "sources"
    assert issue.message == "duplicate key 'app' (first defined on line 3)"
    assert issue.width == 3


def test_duplicate_top_level_key_is_reported_even_when_values_are_equal(
    write, problems
):
    path = write("p.yaml", "version: 1\n" + MINIMAL.lstrip("\n"))
    [issue] = problems(path)
    assert at(issue) == ("p.yaml", 2, 1)
    assert issue.key_path == ""


def test_merge_key_values_are_not_duplicates_and_explicit_keys_win(write):
    path = write(
        "p.yaml",
        """
        version: 1
        sources:
          app: &file
            type: file
            paths: [a.log]
          web:
            <<: *file
            paths: [b.log]
        """,
    )
    profile = load_profile(path, env={})
    assert profile.sources["web"].paths == ["b.log"]


def test_error_in_merged_key_points_at_the_anchor_text(write, problems):
    path = write(
        "p.yaml",
        """
        version: 1
        sources:
          app: &file
            type: file
            paths: [a.log]
            colour: red
          web:
            <<: *file
        """,
    )
    issues = problems(path)
    assert [(at(i), i.key_path) for i in issues] == [
        (("p.yaml", 6, 5), "sources.app"),
        (("p.yaml", 6, 5), "sources.web"),
    ]


def test_yaml_syntax_error_is_one_issue_at_the_problem_mark(write, problems):
    path = write("p.yaml", "version: 1\nsources: [a\nkeys: [b]\n")
    [issue] = problems(path)
    assert issue.line == 3
    assert issue.message.startswith("invalid YAML: ")


def test_tab_indentation_gets_a_hint(write, problems):
    [issue] = problems(write("p.yaml", "version: 1\nsources:\n\tapp: 1\n"))
    assert at(issue) == ("p.yaml", 3, 1)
    assert issue.hint == "YAML indents with spaces; replace the tab"


@pytest.mark.parametrize(
    ("text", "where", "hint"),
    [
        (
            "version: 1\nsources:\n  app: {type: file, paths: [a]\n  b: 1\n",
            ("p.yaml", 4, 3),
            (
                "while parsing a flow mapping that starts on line 3: end it with `}`, "
                "and write `,` between its entries"
            ),
        ),
        (
            "version: 1\nkeys: [a, b\nsources: {}\n",
            ("p.yaml", 3, 8),
            (
                "while parsing a flow sequence that starts on line 2: end it with `]`, "
                "and write `,` between its items"
            ),
        ),
        (
            "version: 1\nsources:\n  app:\n    type: file\n   paths: [a]\n",
            ("p.yaml", 5, 4),
            (
                "while parsing a block mapping that starts on line 3: its keys are "
                "indented 2 spaces, line 5 is indented 3"
            ),
        ),
    ],
)
def test_an_unclosed_bracket_or_a_key_out_of_line_says_how_to_fix_it(
    write, problems, text, where, hint
):
    [issue] = problems(write("p.yaml", text))
    assert (at(issue), issue.hint) == (where, hint)


def test_control_character_is_located(write, problems):
    [issue] = problems(write("p.yaml", "version: 1\ndescription: a\x07b\n"))
    assert at(issue) == ("p.yaml", 2, 15)
    assert "U+0007" in issue.message


def test_several_documents_are_a_syntax_error(write, problems):
    [issue] = problems(write("p.yaml", MINIMAL + "---\n" + MINIMAL))
    assert issue.message.startswith("invalid YAML: ")


def test_list_as_key_is_a_syntax_error(write, problems):
    [issue] = problems(write("p.yaml", "? [a, b]\n: 1\n"))
    assert issue.message == "invalid YAML: found a non-scalar key"


def test_empty_file_is_one_clear_issue(write, problems):
    [issue] = problems(write("p.yaml", ""))
    assert (issue.line, issue.message) == (0, "the profile is empty")
    assert "version: 1" in (issue.hint or "")


def test_a_file_of_comments_is_empty_at_its_first_line(write, problems):
    [issue] = problems(write("p.yaml", "# nothing yet\n"))
    assert (issue.line, issue.col, issue.message) == (1, 1, "the profile is empty")
    assert issue.source_line == "# nothing yet"


def test_top_level_list_is_rejected(write, problems):
    [issue] = problems(write("p.yaml", "- version: 1\n"))
    assert at(issue) == ("p.yaml", 1, 1)
    assert issue.message.startswith("a profile must be a mapping")


def test_missing_file_is_a_profile_error(tmp_path, problems):
    [issue] = problems(tmp_path / "nope.yaml")
    assert issue.line == 0
    assert issue.message.startswith("cannot read: ")


def test_non_utf8_file_is_a_profile_error(write, problems):
    path = write("p.yaml", "")
    path.write_bytes(b"version: 1\ndescription: caf\xe9\n")
    [issue] = problems(path)
    assert issue.message == "cannot read: it is not UTF-8 text"


def test_recursive_alias_is_a_syntax_error(write, problems):
    [issue] = problems(write("p.yaml", "version: 1\nsources: &s\n  a: *s\n"))
    assert at(issue) == ("p.yaml", 3, 6)  # the alias itself
    assert "alias inside its own anchor" in issue.message


def test_merge_of_several_anchors_takes_the_first_that_has_the_key(write):
    path = write(
        "p.yaml",
        """
        a: &a {x: 1, y: 1}
        b: &b {y: 2, z: 2}
        c:
          <<: [*a, *b]
        """,
    )
    data, marks = read_yaml(path, "p.yaml", [])
    assert data["c"] == {"x": 1, "y": 1, "z": 2}
    assert marks[("c", "y")].value == Span(1, 17, 1)
    assert marks[("c", "z")].value == Span(2, 17, 1)


def test_merging_a_scalar_is_a_yaml_error(write, problems):
    [issue] = problems(write("p.yaml", "version: 1\nsources:\n  <<: 5\n"))
    assert issue.message.startswith("invalid YAML: expected a mapping")


def test_a_fifo_is_refused_without_blocking(tmp_path, problems):
    os.mkfifo(tmp_path / "pipe.yaml")  # nobody writes: reading would block forever
    [issue] = problems(tmp_path / "pipe.yaml")
    assert issue.message == "cannot read: it is a FIFO (named pipe), not a file"


def test_a_directory_is_refused(tmp_path, problems):
    [issue] = problems(tmp_path)
    assert issue.message == "cannot read: it is a directory, not a file"
