"""tracerun/sources/file/paths.py: patterns → files, never an error for a bad name."""

from __future__ import annotations

from pathlib import Path

from tracerun.sources.file.paths import expand_paths, no_match


def test_a_name_too_long_for_the_os_matches_no_file(tmp_path: Path) -> None:
    (tmp_path / "a.log").write_text("x\n")
    long = str(tmp_path / ("A" * 300) / "x.log")
    patterns = [long, str(tmp_path / ("B" * 300)) + "*/x.log", str(tmp_path / "*.log")]
    files, empty = expand_paths(patterns)
    assert files == [tmp_path / "a.log"]
    assert empty == patterns[:2]


def test_a_tilde_of_an_unknown_user_matches_no_file_and_says_why() -> None:
    assert expand_paths(["~nosuchuser/x.log"]) == ([], ["~nosuchuser/x.log"])
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
