"""File source: path expansion, transparent decompression, read-only access."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tracerun.sources.file.open import open_log
from tracerun.sources.file.paths import expand_paths, source_name


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for name in (
        "a/orders.log",
        "a/orders.log.1",
        "a/deep/er/payments.log",
        "a/notes.txt",
        "b/x.log",
    ):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x\n")
    with gzip.open(tmp_path / "a/orders.log.2.gz", "wb") as out:
        out.write(b"x\n")
    return tmp_path


def relative(paths: list[Path], root: Path) -> list[str]:
    return [str(p.relative_to(root)) for p in paths]


def test_directory_means_every_log_file_below_it(tree: Path) -> None:
    files, empty, _ = expand_paths([str(tree / "a")])

    assert relative(files, tree) == [
        "a/deep/er/payments.log",
        "a/orders.log",
        "a/orders.log.1",
        "a/orders.log.2.gz",
    ]
    assert empty == []


def test_double_star_glob_is_recursive_and_duplicates_collapse(tree: Path) -> None:
    files, _, _ = expand_paths([str(tree / "**/*.log"), str(tree / "b/x.log")])

    assert relative(files, tree) == [
        "a/deep/er/payments.log",
        "a/orders.log",
        "b/x.log",
    ]


def test_patterns_matching_nothing_are_reported(tree: Path) -> None:
    files, empty, _ = expand_paths([str(tree / "c/*.log"), str(tree / "missing.log")])

    assert (files, empty) == ([], [str(tree / "c/*.log"), str(tree / "missing.log")])


def test_gzip_is_recognised_by_content_not_name(tmp_path: Path) -> None:
    disguised = tmp_path / "rotated.log"
    with gzip.open(disguised, "wb") as out:
        out.write(b"line one\nline two\n")
    plain = tmp_path / "plain.log.gz"  # a misleading name on a plain file
    plain.write_bytes(b"not compressed\n")

    with open_log(disguised) as stream:
        assert stream.read() == b"line one\nline two\n"
    with open_log(plain) as stream:
        assert stream.read() == b"not compressed\n"


@pytest.mark.parametrize(
    ("file_name", "source"),
    [
        ("orders.log", "orders"),
        ("orders.log.1", "orders"),
        ("orders.log.2.gz", "orders"),
        ("orders-2026-03-20.log", "orders-2026-03-20"),
        ("access.log.zst", "access"),
        ("syslog", "syslog"),
    ],
)
def test_adhoc_source_is_named_after_file_without_rotation_suffix(
    file_name: str, source: str
) -> None:
    assert source_name(Path("/var/log") / file_name) == source


def test_large_plain_files_are_cut_at_line_starts_and_archives_never(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tracerun.cli.adhoc import with_adhoc
    from tracerun.sources.file import pieces as files
    from tracerun.trace.plan import build_plan

    monkeypatch.setattr(files, "RANGE_MIN", 10)
    body = b"".join(
        b"2026-03-20T00:00:%02dZ line %d\n" % (i % 60, i) for i in range(40)
    )
    (tmp_path / "a.log").write_bytes(body)
    with gzip.open(tmp_path / "a.log.1.gz", "wb") as out:
        out.write(body)
    plain, archive = build_plan(with_adhoc(None, {"file": (str(tmp_path),)})).targets

    pieces = files.split_piece(files.Piece(plain), 300)
    whole = files.split_piece(files.Piece(archive), 300)

    starts = [p.start for p in pieces]
    assert len(pieces) == -(-len(body) // 300)
    assert all(body[s - 1 : s] == b"\n" for s in starts[1:])
    assert [p.stop for p in pieces] == [*starts[1:], None]
    assert whole == [files.Piece(archive)]
