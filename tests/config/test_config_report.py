"""tracerun/config/report.py: ProfileError → compiler-style text."""

from __future__ import annotations

from tracerun.config.report import format_issue, format_profile_error
from tracerun.errors import ConfigIssue, ProfileError

UNKNOWN_KEY = ConfigIssue(
    file="profiles/staging.yaml",
    line=14,
    col=5,
    key_path="sources.orders",
    message="unknown key 'container'",
    hint="did you mean 'containers'?",
    source_line="    container: [shop-orders-*]",
    width=9,
)
BAD_JMESPATH = ConfigIssue(
    file="profiles/staging.yaml",
    line=9,
    col=21,
    key_path="parsers.app.fields.request_id",
    message="not a valid JMESPath expression",
    source_line="    fields: {request_id: 'a ||'}",
    width=6,
)


def test_report_has_a_summary_then_issues_sorted_by_line():
    text = format_profile_error(
        ProfileError("profiles/staging.yaml", [UNKNOWN_KEY, BAD_JMESPATH])
    )
    assert text == (
        "tracerun: profiles/staging.yaml has 2 problems\n"
        "\n"
        "profiles/staging.yaml:9:21: parsers.app.fields.request_id: "
        "not a valid JMESPath expression\n"
        "      9 |     fields: {request_id: 'a ||'}\n"
        "        |                     ^^^^^^\n"
        "\n"
        "profiles/staging.yaml:14:5: sources.orders: unknown key 'container'\n"
        "     14 |     container: [shop-orders-*]\n"
        "        |     ^^^^^^^^^\n"
        "  hint: did you mean 'containers'?\n"
    )


def test_one_problem_is_singular():
    text = format_profile_error(ProfileError("p.yaml", [UNKNOWN_KEY]))
    assert text.startswith("tracerun: p.yaml has 1 problem\n\n")


def test_issue_without_line_shows_file_only_and_no_excerpt():
    issue = ConfigIssue("p.yaml", 0, 0, "", "the profile is empty", "add version: 1")
    assert (
        format_issue(issue) == "p.yaml: the profile is empty\n  hint: add version: 1\n"
    )


def test_underline_stays_within_the_line():
    issue = ConfigIssue("p.yaml", 2, 7, "a", "bad", None, "  a: b", 40)
    assert format_issue(issue).splitlines()[-1] == "        |       ^"


def test_color_marks_location_carets_and_hint():
    text = format_issue(UNKNOWN_KEY, color=True)
    assert "\x1b[1mprofiles/staging.yaml:14:5\x1b[0m" in text
    assert "\x1b[1;31m^^^^^^^^^\x1b[0m" in text
    assert "\x1b[36mhint:\x1b[0m" in text


def test_no_color_means_no_escape_codes():
    assert "\x1b" not in format_issue(UNKNOWN_KEY)


def test_a_long_line_is_shown_as_a_window_around_the_caret():
    line = "x" * 500 + "BAD" + "y" * 500
    issue = ConfigIssue("p.yaml", 3, 501, "k", "bad", None, line, 3)
    excerpt, carets = format_issue(issue).splitlines()[1:3]
    assert excerpt == "      3 | …" + "x" * 20 + "BAD" + "y" * 77 + "…"
    assert carets == "        | " + " " * 21 + "^^^"


def test_a_long_line_start_is_shown_without_a_leading_ellipsis():
    issue = ConfigIssue("p.yaml", 1, 1, "", "bad", None, "z" * 300, 300)
    excerpt, carets = format_issue(issue).splitlines()[1:3]
    assert excerpt == "      1 | " + "z" * 100 + "…"
    assert carets == "        | " + "^" * 101


def test_long_messages_and_hints_are_cut():
    issue = ConfigIssue("p.yaml", 0, 0, "", "m" * 5000, "h" * 5000)
    head, hint = format_issue(issue).splitlines()
    assert head == "p.yaml: " + "m" * 500 + "… (5,000 characters)"
    assert hint == "  hint: " + "h" * 500 + "… (5,000 characters)"
