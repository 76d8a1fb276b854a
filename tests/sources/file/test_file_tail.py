"""Tail: real files appended, rotated, truncated, copied and deleted between polls."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tracerun.config.model import FileSourceConfig, Profile, to_spec
from tracerun.record import Record
from tracerun.sources.file import tail as tail_module
from tracerun.sources.file.tail import COPY_WAIT, SourceTail
from tracerun.sources.file.tracked import archives_of, same_start
from tracerun.trace.plan import source_target
from tracerun.trace.session import TraceOptions, build_query


def line(n: int, rid: str = "abc", msg: str | None = None) -> str:
    text = msg or f"m{n}"
    return f'{{"ts":"2026-03-20T14:10:{n:02d}.000Z","msg":"{text}","request_id":"{rid}"}}\n'


def append(path: Path, *lines: str) -> None:
    with path.open("a") as file:
        file.write("".join(lines))


def make_tail(pattern: str, *, multiline: str | None = None) -> SourceTail:
    config: dict[str, object] = {"type": "file", "paths": [pattern]}
    if multiline:
        config["multiline"] = {"start": multiline}
    profile = to_spec(Profile(version=1, sources={"app": FileSourceConfig(**config)}))
    query = build_query(profile, TraceOptions(terms=("abc",)), now=0)
    return SourceTail(source_target(profile, "app", 0), [pattern], query, lambda: 7)


def drain(tail: SourceTail, now: float) -> list[Record]:
    """Poll, then poll again with nothing new: the writer went quiet."""
    return tail.poll(now) + tail.poll(now + 0.01)


def summary(records: list[Record]) -> list[tuple[str, int, str]]:
    return [(Path(r.origin).name, r.line, r.message) for r in records]


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "app.log"
    path.write_text(line(1) + line(2, rid="zzz") + line(3))
    return path


def test_history_then_appended_lines_a_partial_line_waits_for_its_newline(log: Path):
    tail = make_tail(f"{log.parent}/app.log*")

    assert summary(tail.start(history=True)) == [
        ("app.log", 1, "m1"),
        ("app.log", 3, "m3"),
    ]
    append(log, line(4), line(5)[:20])
    assert tail.poll(1.0) == []  # m4 might go on (a trace): held while bytes flow
    append(log, line(5)[20:])
    assert summary(tail.poll(2.0)) == [("app.log", 4, "m4")]
    assert summary(tail.poll(3.0)) == [("app.log", 5, "m5")]  # quiet: released
    assert tail.poll(4.0) == []
    assert tail.notes() == []


def test_without_history_only_new_lines_with_their_true_line_numbers(log: Path):
    append(log, line(4)[:10])  # a writer in the middle of a line
    tail = make_tail(str(log))

    assert tail.start(history=False) == []
    append(log, line(4)[10:], line(5))
    assert summary(drain(tail, 1.0)) == [("app.log", 4, "m4"), ("app.log", 5, "m5")]


def test_rename_rotation_finishes_the_old_file_then_reads_the_new_one(log: Path):
    tail = make_tail(f"{log.parent}/app.log*")
    tail.start(history=True)
    writer = log.open("a")  # the service keeps its descriptor across the rename
    writer.write(line(4))
    writer.flush()
    log.rename(log.with_name("app.log.1"))
    writer.write(line(5))  # still written to the renamed file
    writer.flush()
    log.write_text(line(6) + line(7))

    assert summary(drain(tail, 1.0)) == [
        ("app.log", 4, "m4"),
        ("app.log", 5, "m5"),
        ("app.log", 1, "m6"),
        ("app.log", 2, "m7"),
    ]
    writer.write(line(8))  # a late line to the old file, now app.log.1
    writer.close()
    assert summary(drain(tail, 2.0)) == [("app.log", 6, "m8")]


def test_file_renamed_out_of_the_globs_is_read_to_its_end(log: Path):
    tail = make_tail(str(log))
    tail.start(history=True)
    append(log, line(4))
    log.rename(log.with_name("old.txt"))

    assert summary(drain(tail, 1.0)) == [("app.log", 4, "m4")]
    append(log.with_name("old.txt"), line(5))
    log.write_text(line(6))
    assert summary(drain(tail, 2.0)) == [("app.log", 1, "m6")]


def test_copytruncate_reads_the_missed_lines_from_the_copy_and_restarts(log: Path):
    tail = make_tail(f"{log.parent}/app.log*")
    tail.start(history=True)
    append(log, line(4))  # written after the last poll, before the copy
    shutil.copyfile(log, log.with_name("app.log.1"))
    log.write_text("")
    append(log, line(5))

    assert summary(drain(tail, 1.0)) == [("app.log", 1, "m5"), ("app.log.1", 4, "m4")]
    assert tail.poll(2.0) == []


def test_truncation_noticed_even_when_the_file_grew_back_past_the_offset(log: Path):
    tail = make_tail(str(log))
    tail.start(history=True)
    log.write_text(line(6) + line(7) + line(8) + line(9, rid="zzz") + line(10))

    assert summary(drain(tail, 1.0)) == [
        ("app.log", 1, "m6"),
        ("app.log", 2, "m7"),
        ("app.log", 3, "m8"),
        ("app.log", 5, "m10"),
    ]


def test_shrunk_file_is_read_again_from_its_start(log: Path):
    tail = make_tail(str(log))
    tail.start(history=True)
    log.write_text(line(9))

    assert summary(drain(tail, 1.0)) == [("app.log", 1, "m9")]


def test_plain_copy_of_a_live_file_waits_then_only_its_additions_count(log: Path):
    tail = make_tail(f"{log.parent}/app.log*")
    tail.start(history=True)
    backup = log.with_name("app.log.bak")
    shutil.copyfile(log, backup)

    assert tail.poll(1.0) == []
    assert tail.poll(1.0 + COPY_WAIT) == []
    append(backup, line(4))
    assert summary(drain(tail, 2.0 + COPY_WAIT)) == [("app.log.bak", 4, "m4")]


def test_new_file_matching_the_glob_is_read_from_its_start(tmp_path: Path):
    tail = make_tail(f"{tmp_path}/*.log")
    assert tail.start(history=True) == []
    (tmp_path / "late.log").write_text(line(1) + line(2))
    (tmp_path / "other.txt").write_text(line(3))

    assert summary(drain(tail, 1.0)) == [("late.log", 1, "m1"), ("late.log", 2, "m2")]


def test_deleted_file_is_read_to_its_end_and_let_go(log: Path):
    tail = make_tail(str(log))
    tail.start(history=True)
    append(log, line(4))
    log.unlink()

    assert summary(drain(tail, 1.0)) == [("app.log", 4, "m4")]
    assert tail.poll(2.0) == []
    log.write_text(line(5))
    assert summary(drain(tail, 3.0)) == [("app.log", 1, "m5")]


def test_compressed_archives_are_history_only_and_new_ones_are_skipped(log: Path):
    with gzip.open(log.with_name("app.log.1.gz"), "wt") as archive:
        archive.write(line(0))
    tail = make_tail(f"{log.parent}/app.log*")
    profile_target = source_target(
        to_spec(
            Profile(
                version=1, sources={"app": FileSourceConfig(type="file", paths=["x"])}
            )
        ),
        "app",
        0,
    )
    from tracerun.plain import replace

    origin = replace(profile_target.origin, locator=str(log.with_name("app.log.1.gz")))
    archives, keys = archives_of([replace(profile_target, origin=origin)])
    assert [a.origin.locator for a in archives] == [str(log.with_name("app.log.1.gz"))]
    assert len(keys) == 1

    tail.start(history=True)
    with gzip.open(log.with_name("app.log.2.gz"), "wt") as archive:
        archive.write(line(1))
    assert tail.poll(1.0) == []


def test_multiline_record_is_held_until_the_next_record_or_a_quiet_poll(tmp_path: Path):
    path = tmp_path / "app.log"
    path.write_text("")
    tail = make_tail(str(path), multiline=r"^\{")
    tail.start(history=True)
    append(path, line(1), "  trace line one\n")

    assert tail.poll(1.0) == []  # the trace may go on
    append(path, "  trace line two\n", line(2))
    first = tail.poll(2.0)
    assert summary(first) == [("app.log", 1, "m1")]
    assert first[0].continuation == ("  trace line one", "  trace line two")
    assert summary(tail.poll(3.0)) == [("app.log", 4, "m2")]  # quiet: released


def test_record_without_a_time_takes_the_clock_while_following(tmp_path: Path):
    path = tmp_path / "app.log"
    path.write_text("")
    tail = make_tail(str(path))
    tail.start(history=True)
    append(path, '{"msg":"no time","request_id":"abc"}\n')

    records = drain(tail, 1.0)
    assert [(r.time, r.message) for r in records] == [(7, "no time")]
    assert tail.notes() == []


def test_unreadable_file_is_reported_once_retried_and_recovers(
    log: Path, monkeypatch: pytest.MonkeyPatch
):
    real_open = os.open
    denied = {str(log)}

    def fake_open(path, flags, *args):
        if str(path) in denied:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr("tracerun.sources.file.tail.os.open", fake_open)
    tail = make_tail(str(log))

    assert tail.start(history=True) == []
    notes = tail.notes()
    assert [(n.level, n.message) for n in notes] == [
        ("error", f"source app: {log}: permission denied")
    ]
    assert "retrying" in (notes[0].hint or "")
    assert tail.poll(0.5) == []  # not yet due: 1 s back-off
    assert tail.poll(1.5) == []  # retried, failed again: quiet
    assert tail.notes() == []
    denied.clear()
    assert tail.poll(2.0) == []  # next retry is at 1.5 + 2 s
    assert summary(drain(tail, 3.6)) == [("app.log", 1, "m1"), ("app.log", 3, "m3")]
    assert [(n.level, n.message) for n in tail.notes()] == [
        ("warning", f"source app: {log}: readable again")
    ]


def test_close_releases_the_held_record(tmp_path: Path):
    path = tmp_path / "app.log"
    path.write_text("")
    tail = make_tail(str(path), multiline=r"^\{")
    tail.start(history=True)
    append(path, line(1))

    assert tail.poll(1.0) == []
    assert summary(tail.close()) == [("app.log", 1, "m1")]


def test_a_copy_must_begin_with_all_the_known_first_bytes():
    assert same_start(b"a\nb", b"a\nbc")
    assert same_start(b"a\n", b"a\nzzz")
    assert not same_start(b"a\nb", b"a\nc")
    assert not same_start(b"ab", b"ab")  # no whole line
    assert not same_start(b"a\nbc", b"a\nb")  # shorter than what was known
    assert not same_start(b"", b"a\n")


def test_a_new_file_sharing_only_a_first_line_is_not_taken_for_a_copy(log: Path):
    tail = make_tail(f"{log.parent}/*.log")
    tail.start(history=True)
    other = log.with_name("other.log")
    other.write_text(line(1))  # the same first line as app.log, and no more (yet)

    assert summary(drain(tail, 1.0)) == [("other.log", 1, "m1")]
    append(other, line(7))
    assert summary(drain(tail, 2.0)) == [("other.log", 2, "m7")]


def test_read_error_on_an_open_file_is_reported_once_and_reading_resumes(
    log: Path, monkeypatch: pytest.MonkeyPatch
):
    tail = make_tail(str(log))
    tail.start(history=True)
    real_pread = os.pread
    failing = [True]

    def flaky_pread(fd, size, offset):
        if failing[0]:
            raise OSError(5, "Input/output error")
        return real_pread(fd, size, offset)

    append(log, line(4))
    monkeypatch.setattr("tracerun.sources.file.tail.os.pread", flaky_pread)
    assert tail.poll(1.0) == []
    assert [(n.level, n.message) for n in tail.notes()] == [
        ("error", f"source app: {log}: Input/output error")
    ]
    assert tail.poll(1.5) == []  # not due yet
    failing[0] = False
    assert summary(drain(tail, 2.0)) == [("app.log", 4, "m4")]
    assert [(n.level, n.message) for n in tail.notes()] == [
        ("warning", f"source app: {log}: readable again")
    ]


def open_descriptors() -> int:
    return len(list(Path("/proc/self/fd").iterdir()))


def test_past_many_files_idle_ones_are_closed_and_still_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(tail_module, "MANY", 3)
    for n in range(10):
        (tmp_path / f"f{n}.log").write_text(line(n, rid="zzz"))
    before = open_descriptors()
    tail = make_tail(f"{tmp_path}/*.log")

    assert tail.start(history=True) == []
    assert open_descriptors() == before  # each read, then closed
    append(tmp_path / "f7.log", line(20))
    assert tail.poll(0.5) == []  # not looked at yet
    assert summary(drain(tail, 1.0)) == [("f7.log", 2, "m20")]
    assert open_descriptors() == before + 1  # the file being written
    append(tmp_path / "f7.log", line(21))
    assert summary(drain(tail, 1.1)) == [("f7.log", 3, "m21")]
    assert drain(tail, 3.5) == []  # quiet for IDLE_CLOSE: closed again
    assert open_descriptors() == before
    tail.close()


def test_the_descriptor_limit_is_told_once_and_every_file_still_followed(
    tmp_path: Path,
):
    for n in range(100):
        (tmp_path / f"f{n:03d}.log").write_text(line(n % 60, rid="zzz"))
    command = ["sh", "-c", 'ulimit -n 48 && exec "$@"', "sh", sys.executable]
    command += ["-m", "tracerun", "--path", str(tmp_path), "abc"]
    command += ["-f", "-o", "ndjson", "--timeout", "4s"]
    env = {**os.environ, "NO_COLOR": "1"}
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    assert proc.stderr is not None
    warning = proc.stderr.readline()
    append(tmp_path / "f077.log", line(30))
    out, rest = proc.communicate(timeout=30)

    assert (warning, rest) == (
        (
            "tracerun: warning: source f000: the open-file limit (ulimit -n 48) was "
            "reached; idle files are closed and looked at every 1 s; raise the limit "
            "(ulimit -n) to keep every followed file open\n"
        ),
        "",
    )
    records = [json.loads(text) for text in out.splitlines()]
    assert [(r["origin"], r["line"]) for r in records] == [
        (str(tmp_path / "f077.log"), 2)
    ]
    assert proc.returncode == 0


def test_cri_pieces_written_in_two_polls_are_one_record_at_the_first_piece(log: Path):
    # Shape: containerd's /var/log/pods/... file, `<RFC3339Nano> stdout P|F <text>`.
    log.write_text(
        '2026-03-20T14:10:01.000000000Z stdout F {"msg":"m1","request_id":"q"}\n'
    )
    tail = make_tail(str(log))
    assert tail.start(history=True) == []
    append(
        log, '2026-03-20T14:10:02.000000000Z stdout P {"msg":"long","request_id":"a\n'
    )
    assert tail.poll(1.0) + tail.poll(1.5) == []  # the F piece is yet to come
    append(
        log,
        "2026-03-20T14:10:02.500000000Z stderr F other\n",
        '2026-03-20T14:10:02.600000000Z stdout F bc","path":"/p"}\n',
    )
    records = drain(tail, 2.0)
    assert summary(records) == [("app.log", 2, "long")]
    assert records[0].fields["path"] == "/p"
    assert tail.notes() == []


def append_utf16(path: Path, text: str) -> None:
    with path.open("ab") as file:
        file.write(text.encode("utf-16-le"))


def test_utf16_text_is_followed_from_history_and_after_a_mid_line_start(log: Path):
    # Windows PowerShell 5.1 `Out-File` / `>`: BOM FF FE, UTF-16LE, CRLF. Fed as
    # it was, the UTF-8 needle matched nothing, without a word.
    log.write_bytes(b"\xff\xfe" + (line(1) + line(2, rid="zzz")).encode("utf-16-le"))
    append_utf16(log, line(3)[:10])  # a writer in the middle of a line
    later = make_tail(str(log))
    history = make_tail(str(log))

    assert later.start(history=False) == []
    assert summary(history.start(history=True)) == [("app.log", 1, "m1")]
    append_utf16(log, line(3)[10:] + line(4))
    assert summary(drain(later, 1.0)) == [("app.log", 3, "m3"), ("app.log", 4, "m4")]
    assert summary(drain(history, 1.0)) == [("app.log", 3, "m3"), ("app.log", 4, "m4")]


def test_a_new_utf16_file_is_transcoded_across_reads_that_split_a_character(
    tmp_path: Path,
):
    tail = make_tail(f"{tmp_path}/*.log")
    assert tail.start(history=True) == []
    data = b"\xfe\xff" + (line(1) + line(2)).encode("utf-16-be")  # BigEndianUnicode
    path = tmp_path / "new.log"
    path.write_bytes(data[:7])  # odd: half a character
    assert tail.poll(1.0) == []
    with path.open("ab") as file:
        file.write(data[7:])
    assert summary(drain(tail, 2.0)) == [("new.log", 1, "m1"), ("new.log", 2, "m2")]
