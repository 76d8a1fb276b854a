"""tracerun/errors.py: values quoted cut short, expanded ${VAR} values never shown."""

from __future__ import annotations

from tracerun.errors import (
    ConfigIssue,
    ProfileError,
    QueryError,
    SourceFailure,
    cut,
    failure_lines,
    mask,
    quoted,
    register_secret,
)


def test_a_short_value_is_quoted_whole():
    assert quoted("Europe/Berlin") == "'Europe/Berlin'"
    assert quoted(5) == "5"


def test_a_long_value_is_cut_with_its_length():
    assert quoted("a" * 2_000_000) == "'" + "a" * 80 + "…' (2,000,000 characters)"
    assert quoted("ab" * 100, limit=4) == "'abab…' (200 characters)"


def test_long_text_is_cut_with_its_length():
    assert cut("x" * 10, limit=10) == "x" * 10
    assert cut("x" * 11, limit=10) == "x" * 10 + "… (11 characters)"


def test_a_registered_secret_is_shown_as_its_variable():
    register_secret("hunter2-errors-test", "DB_PASSWORD")
    assert (
        mask("connect to db:hunter2-errors-test@h") == "connect to db:${DB_PASSWORD}@h"
    )
    assert quoted("hunter2-errors-test") == "'${DB_PASSWORD}'"


def test_a_secret_is_masked_in_its_repr_and_json_forms():
    register_secret("it's\\secret-errors-test", "QUOTED")
    assert mask(repr("it's\\secret-errors-test")) == '"${QUOTED}"'
    assert mask('{"v": "it\'s\\\\secret-errors-test"}') == '{"v": "${QUOTED}"}'


def test_a_long_secret_is_masked_before_the_value_is_cut():
    token = "eyJ" + "z" * 300
    register_secret(token, "JWT")
    assert quoted(f"Bearer {token}") == "'Bearer ${JWT}'"
    assert "zzz" not in quoted(f"{token} " * 3, limit=20)


def test_values_shorter_than_four_characters_are_not_masked():
    register_secret("abc", "SHORT")
    assert mask("abc") == "abc"


def test_errors_mask_secrets_in_their_message_and_hint():
    register_secret("tok-errors-test-1", "CI_TOKEN")
    error = QueryError("bad tok-errors-test-1", "unset tok-errors-test-1")
    assert (error.message, error.hint, str(error)) == (
        "bad ${CI_TOKEN}",
        "unset ${CI_TOKEN}",
        "bad ${CI_TOKEN}",
    )


def test_profile_errors_mask_secrets_in_every_issue():
    register_secret("tok-errors-test-2", "CI_TOKEN")
    issue = ConfigIssue(
        "p.yaml",
        2,
        3,
        "timezone",
        "unknown zone 'tok-errors-test-2'",
        "not tok-errors-test-2",
        "timezone: '${CI_TOKEN}'",
        details=("got: tok-errors-test-2",),
    )
    [shown] = ProfileError("p.yaml", [issue]).issues
    assert (shown.message, shown.hint, shown.details) == (
        "unknown zone '${CI_TOKEN}'",
        "not ${CI_TOKEN}",
        ("got: ${CI_TOKEN}",),
    )


def test_sources_that_fail_alike_share_one_line_in_first_failure_order():
    refused = ("web-1", "connection refused", "is sshd running there, on that port?")
    failures = [
        SourceFailure("b", *refused),
        SourceFailure("a", *refused),
        SourceFailure(
            "c", "web-2", "connection refused", "is sshd running there, on that port?"
        ),
        SourceFailure("b", *refused),
        SourceFailure("d", "", "no files match", None),
    ]

    assert failure_lines(failures) == [
        (
            "sources b, a: web-1: connection refused",
            "is sshd running there, on that port?",
        ),
        ("source c: web-2: connection refused", "is sshd running there, on that port?"),
        ("source d: no files match", None),
    ]
