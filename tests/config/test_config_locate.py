"""tracerun/config/locate.py: pydantic errors → located issues, worded by error type."""

from __future__ import annotations

import pytest

from tracerun.config.locate import validation_issues
from tracerun.config.marks import Mark, SourceFile, Span, format_key_path
from tracerun.config.marks import located as issue_at
from tracerun.config.model import MultilineConfig, Profile

START_DESCRIPTION = MultilineConfig.model_fields["start"].description


def at(issue):
    return (issue.line, issue.col)


def only(problems, write, text):
    [issue] = problems(write("p.yaml", text))
    return issue


def test_unknown_source_key_suggests_closest_name_and_lists_accepted_keys(
    write, problems
):
    issue = only(
        problems,
        write,
        """
        version: 1
        sources:
          orders:
            type: docker
            container: [shop-orders-*]
        """,
    )
    assert at(issue) == (5, 5)
    assert issue.key_path == "sources.orders"
    assert issue.message == "unknown key 'container'"
    assert issue.hint == (
        "did you mean 'containers'? docker sources accept: compose, containers, "
        "host, labels, multiline, parser, stopped, streams, timezone"
    )
    assert issue.width == len("container")
    assert issue.source_line == "    container: [shop-orders-*]"


def test_unknown_top_level_key_suggests_closest_name(write, problems):
    text = "version: 1\nsource: {}\nsources: {a: {type: file, paths: [a]}}\n"
    issue = only(problems, write, text)
    assert issue.message == "unknown key 'source'"
    assert issue.key_path == ""
    assert issue.hint.startswith("did you mean 'sources'? profiles accept: ")


def test_unknown_key_in_untagged_mapping_names_its_parent(write, problems):
    issue = only(
        problems,
        write,
        """
        version: 1
        parsers:
          app: {type: json, time: {feild: ts}}
        sources:
          a: {type: file, paths: [a.log], parser: app}
        """,
    )
    assert issue.hint == "did you mean 'field'? time accepts: field, format"


def test_unknown_source_type_suggests_closest_tag(write, problems):
    issue = only(
        problems, write, "version: 1\nsources:\n  app: {type: fil, paths: [a]}\n"
    )
    assert at(issue) == (3, 15)
    assert issue.key_path == "sources.app"
    assert issue.message == "unknown type 'fil'"
    assert issue.hint == (
        "did you mean 'file'? source types: command, docker, file, kubernetes, ssh"
    )


def test_missing_type_points_at_the_entry(write, problems):
    issue = only(problems, write, "version: 1\nsources:\n  app:\n    paths: [a]\n")
    assert at(issue) == (3, 3)
    assert issue.message == "missing required key 'type'"
    assert issue.hint == "source types: command, docker, file, kubernetes, ssh"


def test_missing_required_key_points_at_the_parent_with_its_description(
    write, problems
):
    issue = only(problems, write, "version: 1\nsources:\n  app:\n    type: file\n")
    assert at(issue) == (3, 3)
    assert issue.key_path == "sources.app"
    assert issue.message == "missing required key 'paths'"
    assert issue.hint.startswith(
        "add it, e.g. `paths: [./logs/orders/*.log*]`; paths: Globs"
    )


def test_missing_top_level_key_points_at_the_document(write, problems):
    issue = only(problems, write, "# staging\nversion: 1\n")
    assert at(issue) == (2, 1)
    assert issue.message == "missing required key 'sources'"
    assert issue.hint == (
        "add it, e.g. `sources: {orders: {type: file, paths: [./logs/orders/]}}`; "
        "sources: Named places to read logs from, in tie-break order."
    )


def test_value_error_text_is_kept_without_pydantic_prefix(write, problems):
    issue = only(
        problems,
        write,
        """
        version: 1
        parsers:
          edge: {type: regex, pattern: '(?P<x>'}
        sources:
          a: {type: file, paths: [a.log], parser: edge}
        """,
    )
    assert at(issue) == (3, 33)  # the `(` of the group that is never closed
    assert (issue.width, issue.key_path) == (1, "parsers.edge.pattern")
    assert issue.message == (
        "not a valid regular expression: missing ), unterminated subpattern"
        " at position 0"
    )


def test_jmespath_error_names_the_field_entry(write, problems):
    issue = only(
        problems,
        write,
        """
        version: 1
        parsers:
          app:
            type: json
            fields: {request_id: 'ctx.request_id ||'}
        sources:
          a: {type: file, paths: [a.log], parser: app}
        """,
    )
    assert (*at(issue), issue.width) == (5, 42, 2)  # the dangling `||`
    assert issue.key_path == "parsers.app.fields.request_id"
    assert issue.message == "not a valid JMESPath expression: it ends too early"
    assert issue.hint == "it ends with '||': write what follows it, or remove it"


def _jmespath_issue(problems, write, written):
    return only(
        problems,
        write,
        f"""
        version: 1
        parsers:
          app:
            type: json
            fields: {{request_id: {written}}}
        sources:
          a: {{type: file, paths: [a.log], parser: app}}
        """,
    )


def test_jmespath_unexpected_token_is_underlined_in_a_plain_scalar(write, problems):
    issue = _jmespath_issue(problems, write, "foo bar")
    assert (*at(issue), issue.width) == (5, 30, 3)
    assert issue.message == (
        "not a valid JMESPath expression: unexpected 'bar' at column 5"
    )


def test_jmespath_unclosed_bracket_points_after_the_expression(write, problems):
    issue = _jmespath_issue(problems, write, "'a[0'")
    assert at(issue) == (5, 30)
    assert issue.hint == "a bracket or quote opened here is not closed"


def test_escaped_double_quoted_expression_keeps_the_caret_at_its_start(write, problems):
    issue = _jmespath_issue(problems, write, r'"a == \"x\" ||"')
    assert issue.source_line.endswith(r'{request_id: "a == \"x\" ||"}')
    assert (*at(issue), issue.width) == (5, 26, 15)


def test_model_level_error_points_at_the_entry_key(write, problems):
    issue = only(problems, write, "version: 1\nsources:\n  d:\n    type: docker\n")
    assert at(issue) == (3, 3)
    assert issue.message.startswith("a docker source needs at least one of")


def test_literal_error_lists_choices_and_suggests(write, problems):
    issue = only(
        problems,
        write,
        "version: 1\nsources:\n  d: {type: docker, containers: [x], streams: [out]}\n",
    )
    assert issue.key_path == "sources.d.streams[0]"
    assert issue.message == "expected 'stdout' or 'stderr', got 'out'"
    assert issue.hint == "did you mean 'stdout'?"


def test_string_instead_of_list_suggests_brackets(write, problems):
    issue = only(
        problems, write, "version: 1\nsources:\n  a: {type: file, paths: a.log}\n"
    )
    assert issue.message == "expected a list, got a string ('a.log')"
    assert issue.hint == "write a list: [a.log]"


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        (
            "version: 1\nsources:\n- a: {type: file, paths: [a.log]}\n",
            "expected a mapping, got a list",
            "write its entries as `name: value` lines, without `- ` before them",
        ),
        (
            "version: 1\ndescription: 12:30\nsources:\n  a: {type: file, paths: [a]}\n",
            "expected a string, got a number (750)",  # YAML 1.1's base 60
            "quote it: YAML reads it as a number",
        ),
    ],
)
def test_a_usual_yaml_slip_gets_a_hint_to_write_it_right(
    write, problems, text, message, hint
):
    issue = only(problems, write, text)
    assert (issue.message, issue.hint) == (message, hint)


def test_empty_value_is_named_nothing(write, problems):
    issue = only(
        problems, write, "version: 1\nsources:\n  a:\n    type: file\n    paths:\n"
    )
    assert issue.message == "expected a list, got nothing"


def test_empty_sources_must_not_be_empty(write, problems):
    issue = only(problems, write, "version: 1\nsources: {}\n")
    assert (issue.key_path, issue.message) == ("sources", "must not be empty")


def test_union_with_all_branches_wrong_becomes_one_expectation(write, problems):
    issue = only(
        problems,
        write,
        "version: 1\nsources:\n  d: {type: docker, labels: 5}\n",
    )
    assert issue.key_path == "sources.d.labels"
    assert issue.message == "expected a mapping or a list, got a number (5)"


def test_union_keeps_the_branch_that_matched_the_input_kind(write, problems):
    issue = only(
        problems, write, "version: 1\nsources:\n  d: {type: docker, labels: [1]}\n"
    )
    assert issue.key_path == "sources.d.labels[0]"
    assert issue.message == "expected a string, got a number (1)"


def test_inline_parser_error_drops_the_string_branch(write, problems):
    issue = only(
        problems,
        write,
        """
        version: 1
        sources:
          a:
            type: file
            paths: [a.log]
            parser: {type: regex, pattern: '('}
        """,
    )
    assert issue.key_path == "sources.a.parser.pattern"


def test_wrong_parser_value_kind_names_both_kinds(write, problems):
    issue = only(
        problems,
        write,
        "version: 1\nsources:\n  a: {type: file, paths: [a], parser: 5}\n",
    )
    assert issue.message == "expected a string or a mapping, got a number (5)"


def test_non_string_entry_name_asks_for_quotes(write, problems):
    issue = only(
        problems, write, "version: 1\nsources:\n  200: {type: file, paths: [a]}\n"
    )
    assert at(issue) == (3, 3)
    assert issue.key_path == "sources[200]"
    assert issue.message == "name 200 must be a string"
    assert issue.hint == "quote it: '200'"


def test_same_problem_twice_in_one_place_is_reported_once(write, problems):
    issue = only(
        problems,
        write,
        "version: 1\ndescription: ${A}-${A}\nsources: {a: {type: file, paths: [a]}}\n",
    )
    assert issue.message == "environment variable A is not set"


def test_unknown_error_types_fall_back_to_pydantic_text():
    marks = {(): Mark(SourceFile("p.yaml", ("x: 1",)), None, Span(1, 1, 1), True)}
    error = {
        "type": "greater_than",
        "loc": ("keys",),
        "msg": "Input should be > 0",
        "input": 0,
        "ctx": {"gt": 0},
    }
    [issue] = validation_issues([error], marks)  # type: ignore[list-item]
    assert issue.message == "Input should be > 0"


def test_every_validation_error_of_a_bad_profile_is_located(write):
    from pydantic import ValidationError

    bad = {"version": 1, "keys": [], "sources": {"a": {"type": "docker", "host": 1}}}
    with pytest.raises(ValidationError) as caught:
        Profile.model_validate(bad)
    marks = {(): Mark(SourceFile("p.yaml", ()), None, Span(1, 1, 1), True)}
    issues = validation_issues(caught.value.errors(include_url=False), marks)
    assert {i.key_path for i in issues} == {"keys", "sources.a.host"}


def test_issue_at_falls_back_to_the_nearest_written_ancestor():
    source = SourceFile("p.yaml", ("sources:", "  a: {type: file}"))
    marks = {
        (): Mark(source, None, Span(1, 1, 7), True),
        ("sources",): Mark(source, Span(1, 1, 7), Span(2, 3, 15), True),
        ("sources", "a"): Mark(source, Span(2, 3, 1), Span(2, 6, 12), False),
    }
    issue = issue_at(marks, ("sources", "a", "paths", 0), "oops")
    assert (issue.line, issue.col, issue.width) == (2, 3, 1)
    assert issue.key_path == "sources.a.paths[0]"
    assert issue.source_line == "  a: {type: file}"


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), ""),
        (("sources", "edge", "paths", 0), "sources.edge.paths[0]"),
        (("parsers", "app", "fields", "request_id"), "parsers.app.fields.request_id"),
        (("x", True), "x.True"),
    ],
)
def test_key_paths_are_dotted_with_indexes_in_brackets(path, text):
    assert format_key_path(path) == text


def test_optional_model_fields_are_walked_through(write, problems):
    text = (
        "version: 1\nsources:\n  a: {type: file, paths: [a], multiline: {strat: x}}\n"
    )
    issues = problems(write("p.yaml", text))
    # `strat` is the missing `start`: one problem, not two (see below)
    assert [(i.message, i.hint) for i in issues] == [
        ("unknown key 'strat'", "did you mean 'start'? multiline accepts: start"),
    ]


def test_a_missing_required_key_gets_its_example(write, problems):
    text = "version: 1\nsources:\n  a: {type: file, paths: [a], multiline: {}}\n"
    [issue] = problems(write("p.yaml", text))
    assert (issue.message, issue.hint) == (
        "missing required key 'start'",
        "add it, e.g. `start: '^\\d{4}-\\d{2}-\\d{2}'`; start: " + START_DESCRIPTION,
    )


@pytest.mark.parametrize(
    ("text", "messages"),
    [
        (
            "version: 1\nsorces:\n  a: {type: file, paths: [a]}\n",
            ["unknown key 'sorces'"],
        ),
        (
            "version: 1\nsources:\n  a: {type: file, pahts: [a]}\n",
            ["unknown key 'pahts'"],
        ),
        # `parsr` is not `paths` (its hint says 'parser'): both are problems
        (
            "version: 1\nsources:\n  a: {type: file, parsr: x}\n",
            ["missing required key 'paths'", "unknown key 'parsr'"],
        ),
    ],
)
def test_a_misspelt_required_key_is_one_problem_not_two(
    write, problems, text, messages
):
    assert [i.message for i in problems(write("p.yaml", text))] == messages


def test_boolean_given_for_a_list_is_named(write, problems):
    issue = only(
        problems, write, "version: 1\nsources:\n  a: {type: file, paths: true}\n"
    )
    assert issue.message == "expected a list, got true"


def test_field_level_discriminator_is_walked_like_an_annotated_one():
    from pydantic import BaseModel

    from tracerun.config.locate import _walk
    from tracerun.config.model import OutputConfig

    class Holder(BaseModel):
        out: OutputConfig

    walk = _walk(("out", "text", "color"), root=Holder)
    assert walk.path == ("out", "color")
    assert walk.owner.__name__ == "TextOutputConfig"


def test_unknown_union_label_still_gives_the_data_path():
    from tracerun.config.locate import _walk

    walk = _walk(("sources", "a", "file", "parser", "some-new-label", "pattern"))
    assert walk.path == ("sources", "a", "parser", "pattern")
    assert walk.branch == (("sources", "a", "parser"), "some-new-label")


def test_literal_error_outside_a_literal_keeps_pydantic_text():
    marks = {(): Mark(SourceFile("p.yaml", ()), None, Span(1, 1, 1), True)}
    error = {
        "type": "literal_error",
        "loc": ("keys", 0),
        "msg": "Input should be 'x'",
        "input": "y",
        "ctx": {"expected": "'x'"},
    }
    [issue] = validation_issues([error], marks)  # type: ignore[list-item]
    assert issue.message == "Input should be 'x'"


def test_a_key_named_like_pydantics_key_marker_is_shown_literally(write, problems):
    issue = only(
        problems,
        write,
        "version: 1\n'[key]': 1\nsources: {a: {type: file, paths: [a]}}\n",
    )
    assert at(issue) == (2, 1)
    assert issue.message == "unknown key '[key]'"


def test_an_entry_named_like_the_key_marker_is_walked_into(write, problems):
    issue = only(
        problems, write, "version: 1\nsources:\n  '[key]': {type: file, paths: 5}\n"
    )
    assert issue.key_path == "sources.[key].paths"
    assert issue.message == "expected a list, got a number (5)"
