"""Globs: listing again only when a directory changed (or, for `**`, once a second)."""

from __future__ import annotations

import os
from pathlib import Path

from tracerun.sources.file.globs import Globs


def names(found: dict[tuple[int, int], str]) -> list[str]:
    return sorted(Path(p).name for p in found.values())


def set_mtime(folder: Path, seconds: float) -> None:
    ns = int(seconds * 1e9)
    os.utime(folder, ns=(ns, ns))


def test_a_glob_is_listed_again_only_when_its_directory_changed(tmp_path: Path):
    now = 1_000_000.0
    (tmp_path / "a.log").write_text("x\n")
    set_mtime(tmp_path, now - 20)
    globs = Globs([f"{tmp_path}/*.log"])

    assert names(globs.expand(now)) == ["a.log"]
    (tmp_path / "b.log").write_text("x\n")
    set_mtime(tmp_path, now - 20)  # a change the (coarse) mtime did not show
    assert names(globs.expand(now)) == ["a.log"]  # not listed again
    set_mtime(tmp_path, now - 5)  # changed, and long enough ago to trust
    assert names(globs.expand(now)) == ["a.log", "b.log"]


def test_a_recently_changed_directory_is_listed_on_every_poll(tmp_path: Path):
    now = 1_000_000.0
    set_mtime(tmp_path, now - 0.5)  # changed just now: not to be trusted
    globs = Globs([f"{tmp_path}/*.log"])

    assert names(globs.expand(now)) == []
    (tmp_path / "a.log").write_text("x\n")
    set_mtime(tmp_path, now - 0.5)  # the same (coarse) timestamp as before
    assert names(globs.expand(now)) == ["a.log"]


def test_recursive_patterns_are_listed_again_each_rescan(tmp_path: Path):
    globs = Globs([str(tmp_path)])  # a directory: every *.log* below it

    assert names(globs.expand(100.0)) == []
    (tmp_path / "deep").mkdir()
    (tmp_path / "deep" / "a.log").write_text("x\n")
    assert names(globs.expand(100.0 + Globs.RESCAN / 2)) == []
    assert names(globs.expand(100.0 + Globs.RESCAN)) == ["a.log"]


def test_hard_links_and_overlapping_globs_give_one_path_per_file(tmp_path: Path):
    (tmp_path / "a.log").write_text("x\n")
    os.link(tmp_path / "a.log", tmp_path / "b.log")

    assert names(Globs([f"{tmp_path}/*.log", f"{tmp_path}/a.log"]).expand(0)) == [
        "a.log"
    ]
