"""tracerun/config/loader.py: version first, ${ENV}, extends, references, ordering."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tracerun.config.loader import load_profile, read_profile_data
from tracerun.config.report import format_issue
from tracerun.errors import ExitCode, ProfileError

REPO = Path(__file__).resolve().parents[2]

MINIMAL = """
version: 1
sources:
  app: {type: file, paths: [logs/app.log]}
"""


def at(issue):
    return (issue.file, issue.line, issue.col)


# --- whole profiles -----------------------------------------------------------


@pytest.mark.parametrize("path", sorted((REPO / "profiles").glob("*.yaml")))
def test_shipped_profiles_are_valid(path):
    load_profile(path, env={})


def test_minimal_profile_loads_with_defaults(write):
    profile = load_profile(write("p.yaml", MINIMAL), env={})
    assert profile.version == 1
    assert profile.timezone == "UTC"
    assert list(profile.sources) == ["app"]


def test_relative_file_paths_resolve_against_the_profile_folder(write):
    profile = load_profile(write("profiles/p.yaml", MINIMAL), env={})
    assert profile.sources["app"].paths == [str(Path("profiles/logs/app.log"))]


def test_profile_error_exits_with_usage_code(write):
    with pytest.raises(ProfileError) as caught:
        load_profile(write("p.yaml", "version: 1\n"), env={})
    assert caught.value.exit_code == ExitCode.USAGE == 2


# --- version first ------------------------------------------------------------


def test_newer_version_is_the_only_issue_reported(write, problems):
    path = write(
        "p.yaml",
        """
        version: 2
        sources:
          app: {type: s3, bucket: logs}
          app: {type: s3, bucket: logs}
        retention: 30d
        """,
    )
    [issue] = problems(path)
    assert at(issue) == ("p.yaml", 1, 10)
    assert issue.key_path == "version"
    assert issue.message == (
        "this profile needs tracerun profile format version 2; "
        "this tracerun reads version 1"
    )
    assert "upgrade tracerun" in (issue.hint or "")


def test_older_version_is_a_literal_error(write, problems):
    [issue] = problems(write("p.yaml", MINIMAL.replace("version: 1", "version: 0")))
    assert issue.message == "expected 1, got 0"


def test_newer_version_in_a_base_is_reported_in_the_base(write, problems):
    write("base.yaml", "version: 3\n")
    [issue] = problems(write("p.yaml", "extends: base.yaml\n" + MINIMAL))
    assert at(issue) == ("base.yaml", 1, 10)


# --- ${ENV} ------------------------------------------------------------------


def test_env_variables_are_expanded_in_nested_strings(write):
    path = write("p.yaml", MINIMAL.replace("logs/app.log", "'${LOG_DIR}/app.log'"))
    profile = load_profile(path, env={"LOG_DIR": "/var/log/shop"})
    assert profile.sources["app"].paths == ["/var/log/shop/app.log"]


def test_env_default_is_used_when_unset_or_empty(write):
    path = write("p.yaml", MINIMAL + "description: ${A:-one} ${B:-two}\n")
    profile = load_profile(path, env={"B": ""})
    assert profile.description == "one two"


def test_env_set_to_empty_without_default_expands_to_empty(write):
    path = write("p.yaml", MINIMAL + "description: '[${A}]'\n")
    assert load_profile(path, env={"A": ""}).description == "[]"


def test_double_dollar_escapes_a_literal_reference(write):
    path = write("p.yaml", MINIMAL + "description: $${HOME} costs $$5\n")
    assert load_profile(path, env={}).description == "${HOME} costs $$5"


def test_interpolation_never_runs_a_shell(write, tmp_path):
    marker = tmp_path / "ran"
    text = (
        f"description: '$(touch {marker}) `touch {marker}` ${{A:-$(touch {marker})}}'\n"
    )
    path = write("p.yaml", MINIMAL + text)

    description = load_profile(path, env={}).description

    assert description == f"$(touch {marker}) `touch {marker}` $(touch {marker})"
    assert not marker.exists()


def test_env_defaults_to_os_environ(write, monkeypatch):
    monkeypatch.setenv("TRACERUN_TEST_DESCRIPTION", "from the environment")
    path = write("p.yaml", MINIMAL + "description: ${TRACERUN_TEST_DESCRIPTION}\n")
    assert load_profile(path).description == "from the environment"


def test_unset_env_variable_is_located_at_the_scalar(write, problems):
    path = write(
        "p.yaml", MINIMAL.replace("[logs/app.log]", "['${LOG_DIR}/app.log', b.log]")
    )
    [issue] = problems(path)
    assert at(issue) == ("p.yaml", 3, 29)
    assert issue.width == len("'${LOG_DIR}/app.log'")
    assert issue.key_path == "sources.app.paths[0]"
    assert issue.message == "environment variable LOG_DIR is not set"
    assert issue.hint == "set it, or write ${LOG_DIR:-default}"


def test_every_unset_variable_is_reported(write, problems):
    path = write("p.yaml", MINIMAL + "description: ${A}${B}\nkeys: ['${C}']\n")
    assert [i.message.split()[2] for i in problems(path)] == ["A", "B", "C"]


def test_a_value_whose_variable_is_unset_is_not_also_called_invalid(write, problems):
    # `timezone: ${TZ}` unexpanded is no time zone; saying so adds nothing.
    path = write(
        "p.yaml",
        MINIMAL.replace("[logs/app.log]}", "[logs/app.log], timezone: '${A}${B}'}"),
    )
    assert [i.message for i in problems(path)] == [
        "environment variable A is not set",
        "environment variable B is not set",
    ]


def test_malformed_reference_is_reported(write, problems):
    [issue] = problems(write("p.yaml", MINIMAL + "description: ${not closed\n"))
    assert issue.message == "malformed ${...} reference"


def test_keys_are_not_expanded(write, problems):
    path = write("p.yaml", MINIMAL + "parsers:\n  ${X}: {type: json}\n")
    assert load_profile(path, env={}).parsers.keys() == {"${X}"}


# --- extends -------------------------------------------------------------------


BASE = """
version: 1
description: base
keys: [request_id, trace_id]
parsers:
  app: {type: json, time: {field: ts}}
sources:
  edge: {type: file, paths: [logs/edge.log], parser: app}
  orders: {type: docker, containers: [orders-*], parser: app}
outputs:
  runbook: {type: text, color: never}
"""


def test_extends_merges_the_base_underneath(write):
    write("base.yaml", BASE)
    path = write(
        "p.yaml",
        """
        extends: base.yaml
        description: child
        keys: [correlation_id]
        sources:
          orders: {type: docker, labels: {app: orders}}
          billing: {type: file, paths: [billing.log]}
        """,
    )
    profile = load_profile(path, env={})
    assert profile.description == "child"
    assert profile.keys == ["correlation_id"]  # lists replace
    assert list(profile.sources) == ["edge", "orders", "billing"]
    orders = profile.sources["orders"]
    assert orders.containers == []  # a named entry replaces the whole entry
    assert orders.parser == "auto"
    assert profile.parsers["app"].time.field == "ts"
    assert profile.extends is None


def test_extends_merges_nested_mappings_key_by_key(write):
    write("base.yaml", BASE)
    path = write(
        "p.yaml",
        """
        extends: base
        outputs:
          plain: {type: ndjson}
        """,
    )
    assert list(load_profile(path, env={}).outputs) == ["runbook", "plain"]


def test_extends_by_name_finds_a_sibling(write):
    write("profiles/base.yaml", BASE)
    path = write("profiles/staging.yaml", "extends: base\n")
    assert load_profile(path, env={}).description == "base"


def test_extends_by_name_uses_the_profile_path(write, tmp_path):
    write("shared/common.yaml", BASE)
    path = write("profiles/staging.yaml", "extends: common\n")
    env = {"TRACERUN_PROFILE_PATH": str(tmp_path / "shared"), "HOME": str(tmp_path)}
    assert load_profile(path, env=env).description == "base"


def test_base_paths_resolve_against_the_base_folder(write, tmp_path):
    write("shared/base.yaml", BASE)
    path = write("profiles/staging.yaml", "extends: ../shared/base.yaml\n")
    edge = load_profile(path, env={}).sources["edge"].paths[0]
    assert Path(edge).resolve() == tmp_path / "shared/logs/edge.log"


def test_base_absolute_and_home_paths_are_kept(write):
    write("shared/base.yaml", MINIMAL.replace("logs/app.log", "/abs/a.log, ~/b.log"))
    path = write("profiles/staging.yaml", "extends: ../shared/base.yaml\n")
    paths = load_profile(path, env={}).sources["app"].paths
    assert paths == ["/abs/a.log", "~/b.log"]


def test_base_directory_paths_keep_their_trailing_slash(write, tmp_path):
    write("shared/base.yaml", MINIMAL.replace("logs/app.log", "logs/"))
    (tmp_path / "shared/logs").mkdir()
    path = write("profiles/staging.yaml", "extends: ../shared/base.yaml\n")
    [entry] = load_profile(path, env={}).sources["app"].paths
    assert Path(entry).resolve() == tmp_path / "shared/logs"


def test_three_level_chain_merges_in_order(write):
    write("a.yaml", BASE)
    write("b.yaml", "extends: a.yaml\ndescription: b\ntimezone: Europe/Berlin\n")
    path = write("c.yaml", "extends: b.yaml\ndescription: c\n")
    profile = load_profile(path, env={})
    assert (profile.description, profile.timezone) == ("c", "Europe/Berlin")


def test_issue_in_a_base_key_names_the_base_file_and_line(write, problems):
    write("base.yaml", BASE.replace("color: never", "color: sometimes"))
    [issue] = problems(write("p.yaml", "extends: base.yaml\n"))
    assert at(issue) == ("base.yaml", 10, 32)
    assert issue.key_path == "outputs.runbook.color"


def test_issue_in_an_overridden_entry_names_the_child(write, problems):
    write("base.yaml", BASE)
    path = write(
        "p.yaml",
        """
        extends: base.yaml
        sources:
          edge: {type: file}
        """,
    )
    [issue] = problems(path)
    assert at(issue) == ("p.yaml", 3, 3)
    assert issue.message == "missing required key 'paths'"


def test_extends_cycle_names_the_chain(write, problems):
    write("a.yaml", "extends: b.yaml\n" + MINIMAL)
    write("b.yaml", "extends: a\n")
    [issue] = problems(Path("a.yaml"))
    assert at(issue) == ("b.yaml", 1, 10)
    assert issue.message == "profiles extend each other: a.yaml → b.yaml → a.yaml"


def test_profile_extending_itself_is_a_cycle(write, problems):
    [issue] = problems(write("a.yaml", "extends: a.yaml\n" + MINIMAL))
    assert issue.message == "profiles extend each other: a.yaml → a.yaml"


def test_missing_base_file_is_reported_at_the_extends_line(write, problems):
    path = write("profiles/p.yaml", MINIMAL + "extends: ../base.yaml\n")
    [issue] = problems(path)
    assert at(issue) == (str(Path("profiles/p.yaml")), 4, 10)
    assert issue.message == "no such file: base.yaml"
    assert issue.hint == f"a path here is relative to profiles{Path('/')}"


def test_missing_base_file_names_the_one_beside_it(write, problems):
    write("profiles/base.yaml", BASE)
    path = write("profiles/p.yaml", MINIMAL + "extends: ./base.yml\n")
    [issue] = problems(path)
    assert issue.message == f"no such file: {Path('profiles/base.yml')}"
    assert issue.hint == (
        f"a path here is relative to profiles{Path('/')}; did you mean 'base.yaml'?"
    )


def test_missing_base_name_suggests_a_close_one(write, problems, tmp_path):
    write("profiles/base.yaml", BASE)
    path = write("profiles/p.yaml", MINIMAL + "extends: bsae\n")
    [issue] = problems(path, env={"HOME": str(tmp_path)})
    assert at(issue) == (str(Path("profiles/p.yaml")), 4, 10)
    assert issue.message.startswith("no profile named 'bsae'")
    assert (issue.hint or "").startswith("did you mean 'base'?")


def test_extends_must_be_a_string(write, problems):
    [issue] = problems(write("p.yaml", MINIMAL + "extends: [a, b]\n"))
    assert issue.message == "expected a profile name or a path"


def test_syntax_error_in_base_is_reported_in_the_base(write, problems):
    write("base.yaml", "version: 1\nsources: [\n")
    [issue] = problems(write("p.yaml", "extends: base.yaml\n"))
    assert issue.file == "base.yaml"


# --- references and ordering ------------------------------------------------


def test_unknown_parser_reference_suggests_the_closest(write, problems):
    path = write(
        "p.yaml", BASE.replace("parser: app}\n  orders", "parser: ap}\n  orders")
    )
    [issue] = problems(path)
    assert at(issue) == ("p.yaml", 7, 54)
    assert issue.message == "unknown parser 'ap'"
    assert issue.hint == (
        "did you mean 'app'? parsers defined here: app, auto, json, logfmt"
    )


def test_reference_issues_are_reported_with_validation_issues(write, problems):
    path = write(
        "p.yaml",
        """
        version: 1
        timezone: Mars/Olympus
        sources:
          app: {type: file, paths: [a.log], parser: nginx}
        """,
    )
    assert [i.key_path for i in problems(path)] == ["timezone", "sources.app.parser"]


def test_all_issues_are_sorted_by_file_and_line(write, problems):
    write("base.yaml", BASE.replace("type: json", "type: jsn"))
    path = write(
        "p.yaml",
        """
        extends: base.yaml
        colour: always
        sources:
          billing: {type: file, paths: '${BILLING_LOG}'}
        """,
    )
    assert [at(i) for i in problems(path)] == [
        ("base.yaml", 5, 15),
        ("p.yaml", 2, 1),
        ("p.yaml", 4, 32),
        ("p.yaml", 4, 32),
    ]


def test_read_profile_data_merges_bases_and_keeps_unset_variables(write):
    write("base.yaml", "version: 1\noutputs:\n  slack: {type: text}\n")
    path = write(
        "p.yaml",
        """
        extends: base
        sources:
          edge: {type: file, paths: ['${NOPE}/a.log']}
        """,
    )

    assert read_profile_data(path, env={}) == {
        "version": 1,
        "outputs": {"slack": {"type": "text"}},
        "sources": {"edge": {"type": "file", "paths": ["${NOPE}/a.log"]}},
    }


def test_read_profile_data_gives_none_for_unreadable_or_newer_profiles(write):
    assert read_profile_data(write("a.yaml", "version: [\n"), env={}) is None
    assert read_profile_data(write("b.yaml", "version: 9\n"), env={}) is None


# --- secrets and oversized values in messages (issue #12) -------------------------

SECRET = "s3cr3t-token-value"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "version: 1\ntimezone: '${CI_TOKEN}'\n" + MINIMAL.split("\n", 2)[2],
            (
                "unknown time zone '${CI_TOKEN}' (use an IANA name such as "
                "'Europe/Berlin')"
            ),
        ),
        (
            "version: '${CI_TOKEN}'\n" + MINIMAL.split("\n", 2)[2],
            "the format version is a whole number, got '${CI_TOKEN}'",
        ),
        (
            MINIMAL.replace("[logs/app.log]}", "[a.log], parser: '${CI_TOKEN}'}"),
            "unknown parser '${CI_TOKEN}'",
        ),
        (
            MINIMAL + "description: {x: 'a ${CI_TOKEN}'}\n",
            "expected a string, got a mapping",
        ),
        (
            MINIMAL + "outputs: {o: {type: text, color: '${CI_TOKEN}'}}\n",
            "expected one of 'auto', 'always', 'never', got '${CI_TOKEN}'",
        ),
        (
            MINIMAL + "keys: [1, '${CI_TOKEN}x']\nx: '${CI_TOKEN}'\n",
            "unknown key 'x'",
        ),
        (
            MINIMAL + "  d: {type: docker, containers: [x], host: '${CI_TOKEN}'}\n",
            "not a Docker engine URL: a tcp engine URL needs a port",
        ),
        (
            MINIMAL.replace("logs/app.log", "'${CI_TOKEN}/" + "A" * 300 + "'"),
            "a part of this path is 300 bytes long",
        ),
    ],
)
def test_messages_show_the_profile_text_never_the_expanded_secret(
    write, problems, body, message
):
    issues = problems(write("p.yaml", body), env={"CI_TOKEN": SECRET})
    assert message in [issue.message for issue in issues]
    for issue in issues:
        assert SECRET not in f"{issue.message} {issue.hint} {issue.source_line}"


def test_a_base_that_is_not_a_yaml_file_is_never_read(write, problems):
    write("notes.txt", "version: 1\nroot:$6$secretsalt$hash:19000:0:99999:7:::\n")
    [issue] = problems(write("p.yaml", MINIMAL + "extends: ./notes.txt\n"))
    assert at(issue) == ("p.yaml", 4, 10)
    assert (
        issue.message
        == "notes.txt is not a profile: its name does not end in .yaml or .yml"
    )
    assert (
        issue.hint == "extends takes a profile: a .yaml or .yml file, or a profile name"
    )


@pytest.mark.parametrize("base", ["/proc/self/environ", "/etc/shadow", "/dev/null"])
def test_system_files_as_bases_are_named_not_shown(write, problems, base):
    [issue] = problems(write("p.yaml", MINIMAL + f"extends: {base}\n"), env={})
    assert issue.message.startswith(f"{base} is not a profile: ")
    assert issue.source_line == f"extends: {base}"
    assert issue.details == ()


def test_a_directory_or_fifo_as_a_base_says_what_it_is(write, problems, tmp_path):
    (tmp_path / "dir.yaml").mkdir()
    os.mkfifo(tmp_path / "pipe.yaml")
    for name, kind in (
        ("dir.yaml", "a directory"),
        ("pipe.yaml", "a FIFO (named pipe)"),
    ):
        [issue] = problems(write("p.yaml", MINIMAL + f"extends: {name}\n"))
        assert issue.message == f"{name} is not a profile: it is {kind}"


def test_an_oversized_value_is_cut_in_the_message_and_the_excerpt(write, problems):
    big = "A" * 2_000_000
    [issue] = problems(
        write("p.yaml", f"version: 1\ntimezone: '{big}'\n" + MINIMAL.split("\n", 2)[2])
    )
    assert issue.message == (
        "unknown time zone '" + "A" * 80 + "…' (2,000,000 characters) "
        "(use an IANA name such as 'Europe/Berlin')"
    )
    shown = format_issue(issue)
    assert len(shown) < 1_000
    assert shown.splitlines()[1] == "      2 | timezone: '" + "A" * 89 + "…"


def test_an_oversized_unknown_key_is_cut(write, problems):
    [issue] = problems(write("p.yaml", MINIMAL + "? " + "B" * 1_000_000 + "\n: 1\n"))
    assert issue.message == "unknown key '" + "B" * 80 + "…' (1,000,000 characters)"
    assert len(format_issue(issue)) < 2_000


def test_a_syntax_error_on_an_oversized_line_shows_a_cut_excerpt(write, problems):
    [issue] = problems(write("p.yaml", MINIMAL + "C" * 1_000_000 + ": 1\n"))
    assert issue.message == "invalid YAML: could not find expected ':'"
    assert len(format_issue(issue)) < 2_000


def test_a_tilde_of_an_unknown_user_is_kept_as_written(write):
    path = write("p.yaml", MINIMAL.replace("logs/app.log", "~nosuchuser/x.log"))
    assert load_profile(path, env={}).sources["app"].paths == ["~nosuchuser/x.log"]
