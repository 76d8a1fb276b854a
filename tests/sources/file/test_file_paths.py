"""Paths: patterns expand as glob.glob does, and name what they could not look into.

The denied cases need a user that root's permissions do not cover: they run as
`nobody` in tests/test_faults.py.
"""

from __future__ import annotations

import glob
import os
from pathlib import Path

import pytest

from tracerun.sources.file.paths import expand_paths, no_match

TREE = [
    "a.log",
    "b.log.1",
    ".hidden.log",
    "logs/x.log",
    "logs/x.log.2.gz",
    "logs/.y.log",
    "logs/deep/er/z.log",
    "logs/.dot/w.log",
    "other/notes.txt",
]


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in TREE:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x\n")
    (tmp_path / "logs/loop").symlink_to(tmp_path / "logs")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    "pattern",
    [
        "*.log*",
        "*",
        ".*",
        "logs/*.log",
        "logs/*",
        "*/*.log",
        "logs/**/*.log",
        "**/*.log",
        "logs/**",
        "./logs/*.log",
        "logs//x.log",
        "logs/[xy].log",
        "logs/?.log",
    ],
)
def test_relative_patterns_match_what_glob_matches(tree: Path, pattern: str) -> None:
    spelled = str(Path(pattern))  # as expand_paths spells it: `./a` is `a`
    expected = sorted(glob.glob(spelled, recursive=True))  # noqa: PTH207 - the reference
    expected = [p for p in expected if Path(p).is_file() and "loop" not in p]

    files, empty, denied = expand_paths([pattern])

    assert [str(p) for p in files if "loop" not in str(p)] == expected
    assert (empty, denied) == ([] if expected else [pattern], [])


def test_absolute_patterns_keep_their_spelling(tree: Path) -> None:
    files, _, _ = expand_paths([f"{tree}/logs/*.log", f"{tree}/a.log"])

    assert [str(p) for p in files] == [f"{tree}/a.log", f"{tree}/logs/x.log"]


def test_a_directory_means_every_log_below_it_symlink_loops_end(tree: Path) -> None:
    files, _, _ = expand_paths(["logs"])

    assert [str(p) for p in files] == [
        "logs/deep/er/z.log",
        "logs/x.log",
        "logs/x.log.2.gz",
    ]


def test_a_file_matched_also_through_a_link_is_listed_once_by_its_own_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `current.log -> app-20261203.log`, as daemontools, s6 and many apps write
    monkeypatch.chdir(tmp_path)
    Path("app-20261203.log").write_text("x\n")
    Path("app-20261202.log").write_text("x\n")
    Path("current.log").symlink_to("app-20261203.log")
    Path("b.log").symlink_to(tmp_path / "app-20261202.log")  # sorts first
    Path("lone.log").symlink_to("app-20261202.log.gone")

    files, _, _ = expand_paths(["*.log", "current.log"])

    assert [str(p) for p in files] == ["app-20261202.log", "app-20261203.log"]
    assert [str(p) for p in expand_paths(["current.log"]).files] == ["current.log"]


def test_a_name_too_long_matches_nothing(tree: Path) -> None:
    long = "a" * 300

    assert expand_paths([f"{long}/x.log", f"logs/{long}*/x.log"]) == (
        [],
        [f"{long}/x.log", f"logs/{long}*/x.log"],
        [],
    )


def test_a_name_too_long_for_the_os_matches_no_file(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_text("x\n")
    long = str(tmp_path / ("A" * 300) / "x.log")
    patterns = [long, str(tmp_path / ("B" * 300)) + "*/x.log", str(tmp_path / "*.log")]
    found = expand_paths(patterns)
    assert found.files == [tmp_path / "a.log"]
    assert found.empty == patterns[:2]


def test_a_tilde_of_an_unknown_user_matches_no_file_and_says_why() -> None:
    found = expand_paths(["~nosuchuser/x.log"])
    assert (found.files, found.empty) == ([], ["~nosuchuser/x.log"])
    assert no_match("~nosuchuser/x.log") == (
        "~nosuchuser/x.log matches no file: there is no user 'nosuchuser' on this machine"
    )


def test_a_part_too_long_is_named_and_the_pattern_cut() -> None:
    assert no_match("/logs/" + "A" * 300) == (
        "/logs/" + "A" * 74 + "… (306 characters) matches no file: "
        "a part of it is longer than 255 bytes"
    )


def test_a_directory_stands_for_its_log_files_named_as_programs_name_them(tmp_path):
    # `--path /var/log`: syslog's own files have no `.log` (Debian's syslog,
    # RHEL's messages and secure), nor have Apache's on RHEL (access_log) and
    # Tomcat's catalina.out; they were left out without a word.
    names = [
        "syslog", "syslog.1", "syslog.2.gz", "messages-20261202", "secure",
        "auth.log", "httpd/access_log", "httpd/error_log-20261202",
        "catalina.out", "wtmp", "lastlog", "logo_log.png", "notes.txt",
    ]  # fmt: skip
    for name in names:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x\n")

    found = expand_paths([str(tmp_path)]).files

    assert [str(p.relative_to(tmp_path)) for p in found] == [
        "auth.log", "catalina.out", "httpd/access_log", "httpd/error_log-20261202",
        "messages-20261202", "secure", "syslog", "syslog.1", "syslog.2.gz",
    ]  # fmt: skip


def test_an_ordinary_pattern_just_matches_no_file() -> None:
    assert no_match("logs/*.log") == "logs/*.log matches no file"


def test_a_named_path_that_is_no_log_says_what_it_is(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    os.mkfifo("pipe.log")
    Path("loop1.log").symlink_to("loop2.log")
    Path("loop2.log").symlink_to("loop1.log")
    Path("gone.log").symlink_to("/nonexistent/x.log")
    Path("empty").mkdir()
    Path("var").mkdir()
    for name in ("notes.txt", "kern", "auth", "wtmp"):
        (Path("var") / name).write_text("x\n")
    assert no_match("pipe.log") == (
        "pipe.log matches no file: it is a FIFO (named pipe), never read: "
        "reading it would wait for a writer"
    )
    assert no_match("loop1.log") == (
        "loop1.log matches no file: it is a loop of symbolic links"
    )
    assert no_match("gone.log") == (
        "gone.log matches no file: it is a symbolic link to '/nonexistent/x.log', "
        "which does not exist"
    )
    assert no_match("empty") == (
        "empty matches no file: it is a directory with no log file "
        "(*.log*, *_log, *.out, syslog, messages, …) below it"
    )
    assert no_match("var/") == (
        "var/ matches no file: it is a directory with no log file "
        "(*.log*, *_log, *.out, syslog, messages, …) below it "
        "(it holds auth, kern, notes.txt, …); name the files, e.g. var/auth"
    )
    assert expand_paths(["pipe.log", "loop1.log", "gone.log"]).files == []
