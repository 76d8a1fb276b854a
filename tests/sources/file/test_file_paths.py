"""Paths: patterns expand as glob.glob does, and name what they could not look into.

The denied cases need a user that root's permissions do not cover: they run as
`nobody` in tests/test_faults.py.
"""

from __future__ import annotations

import glob
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


def test_an_ordinary_pattern_just_matches_no_file() -> None:
    assert no_match("logs/*.log") == "logs/*.log matches no file"
