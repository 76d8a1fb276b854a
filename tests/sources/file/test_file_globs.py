"""Globs: listing again only when a directory the listing looked into changed."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tracerun.sources.file.globs import Globs


def names(found: dict[tuple[int, int], str]) -> list[str]:
    return sorted(Path(p).name for p in found.values())


@pytest.fixture(autouse=True)
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Globs, "FRESH", 0.05)


def settled() -> float:
    """Now, once every change so far is older than FRESH."""
    time.sleep(0.06)
    return time.time()


def test_nothing_changed_gives_the_same_answer_without_listing(tmp_path: Path):
    (tmp_path / "a.log").write_text("x\n")
    globs = Globs([f"{tmp_path}/*.log"])
    first = globs.expand(settled())

    assert names(first) == ["a.log"]
    (tmp_path / "a.log").write_text("more\n")  # a file's content: not its directory
    assert globs.expand(settled()) is first


def test_a_new_file_moves_its_directory_and_is_listed(tmp_path: Path):
    globs = Globs([f"{tmp_path}/*.log"])
    assert names(globs.expand(settled())) == []

    (tmp_path / "b.log").write_text("x\n")
    assert names(globs.expand(settled())) == ["b.log"]


def test_a_recently_changed_directory_is_listed_on_every_poll(tmp_path: Path):
    globs = Globs([f"{tmp_path}/*.log"])
    first = globs.expand(time.time())  # the directory was made just now

    assert globs.expand(time.time()) is not first
    assert globs.expand(settled() + 1) is globs.expand(settled() + 1)


def test_recursive_patterns_watch_every_directory_they_walked(tmp_path: Path):
    (tmp_path / "deep").mkdir()
    globs = Globs([str(tmp_path)])  # a directory: every *.log* below it
    assert names(globs.expand(settled())) == []

    (tmp_path / "deep" / "a.log").write_text("x\n")
    assert names(globs.expand(settled())) == ["a.log"]
    (tmp_path / "deep" / "er").mkdir()
    (tmp_path / "deep" / "er" / "b.log").write_text("x\n")
    assert names(globs.expand(settled())) == ["a.log", "b.log"]


def test_a_permission_change_is_listed_again(tmp_path: Path):
    (tmp_path / "logs").mkdir()
    globs = Globs([f"{tmp_path}/logs/*.log"])
    first = globs.expand(settled())

    (tmp_path / "logs").chmod(0o700)
    assert globs.expand(settled()) is not first


def test_hard_links_and_overlapping_globs_give_one_path_per_file(tmp_path: Path):
    (tmp_path / "a.log").write_text("x\n")
    os.link(tmp_path / "a.log", tmp_path / "b.log")

    assert names(Globs([f"{tmp_path}/*.log", f"{tmp_path}/a.log"]).expand(0)) == [
        "a.log"
    ]
