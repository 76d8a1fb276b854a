"""CRI logs: P..F pieces joined before the scan, one-shot (a --path trace) and followed."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tracerun.cli import cli
from tracerun.read.cri import CriJoiner

# Line shape: containerd's CRI log file (/var/log/pods/<ns>_<pod>_<uid>/<c>/0.log),
# `<RFC3339Nano> <stream> <P|F> <text>`, as the kubelet's CRI logging spec writes it.
BEFORE = '2026-01-02T03:04:04.000000001Z stdout F {"level":"info","msg":"before","request_id":"zzz"}'
OTHER = "2026-01-02T03:04:05.200000000Z stderr F warn request_id=other"
AFTER = '2026-01-02T03:04:06.000000000Z stdout F {"level":"info","msg":"after","request_id":"abc123"}'
RECORD = json.dumps(
    {"level": "info", "msg": "x" * 40, "request_id": "abc123", "path": "/p"}
)
CUT = RECORD.index("abc123") + 3  # the id straddles the two pieces: "abc" + "123"
FIRST = f"2026-01-02T03:04:05.123456789Z stdout P {RECORD[:CUT]}"
LAST = f"2026-01-02T03:04:05.300000000Z stdout F {RECORD[CUT:]}"
LOG = f"{BEFORE}\n{FIRST}\n{OTHER}\n{LAST}\n{AFTER}\n"


def test_pieces_are_joined_at_the_first_one_keeping_length_and_lines():
    joiner = CriJoiner()
    out = joiner.feed(LOG.encode()) + joiner.finish()
    assert out.decode().split("\n") == [
        BEFORE,
        f"2026-01-02T03:04:05.123456789Z stdout F {RECORD}",
        OTHER,
        "2026-01-02T03:04:05.300000000Z stdout F ",
        AFTER,
        "",
    ]
    assert len(out) == len(LOG.encode())


def test_a_stream_that_is_not_cri_passes_untouched():
    data = b"2026-01-02T03:04:05Z INFO stdout P not a piece\n"
    joiner = CriJoiner()
    assert joiner.feed(data) == data
    assert joiner.finish() == b""


def test_pieces_fed_byte_by_byte_join_the_same():
    joiner = CriJoiner()
    data = LOG.encode()
    out = b"".join(joiner.feed(data[i : i + 1]) for i in range(len(data)))
    whole = CriJoiner()
    assert out + joiner.finish() == whole.feed(data) + whole.finish()


def test_an_open_piece_at_the_end_is_given_back_as_it_stands():
    joiner = CriJoiner()
    out = joiner.feed(f"{BEFORE}\n{FIRST}\n".encode()) + joiner.finish()
    assert out == f"{BEFORE}\n{FIRST}\n".encode()


def test_a_record_cut_into_pieces_prints_once_whole_at_its_first_line(tmp_path: Path):
    path = tmp_path / "0.log"
    path.write_text(LOG)
    result = CliRunner().invoke(cli, ["--path", str(path), "abc123", "-o", "ndjson"])
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [
        (r["line"], r["time"], r["message"], r["fields"].get("path")) for r in rows
    ] == [
        (2, "2026-01-02T03:04:05.123456Z", "x" * 40, "/p"),
        (5, "2026-01-02T03:04:06.000000Z", "after", None),
    ]
    assert result.stderr == ""


def test_docker_json_file_partial_entries_are_joined_at_the_first():
    # Shape: moby's jsonfilelog entry, `{"log":"…","stream":"stdout","time":"…"}`;
    # a piece's "log" does not end in \n, the last one's does.
    first = '{"log":"{\\"msg\\":\\"a\\",\\"request_id\\":\\"abc","stream":"stdout","time":"2026-01-02T03:04:05.1Z"}'
    other = '{"log":"err\\n","stream":"stderr","time":"2026-01-02T03:04:05.2Z"}'
    last = '{"log":"123\\"}\\n","stream":"stdout","time":"2026-01-02T03:04:05.3Z"}'
    data = f"{first}\n{other}\n{last}\n".encode()
    joiner = CriJoiner()
    out = joiner.feed(data) + joiner.finish()
    assert out.decode().split("\n") == [
        '{"log":"{\\"msg\\":\\"a\\",\\"request_id\\":\\"abc123\\"}\\n","stream":"stdout","time":"2026-01-02T03:04:05.1Z"}',
        other,
        '{"log":"","stream":"stdout","time":"2026-01-02T03:04:05.3Z"}',
        "",
    ]
    assert len(out) == len(data)


def test_context_lines_leave_out_what_joining_left_of_the_later_pieces(tmp_path: Path):
    # After joining, LAST keeps only its frame (`<time> stdout F `): as an -A/-B
    # line it would stand where a real line belongs.
    path = tmp_path / "0.log"
    path.write_text(LOG)
    result = CliRunner().invoke(
        cli, ["--path", str(path), "abc123", "-C", "2", "--color", "never"]
    )
    assert result.exit_code == 0, result.stderr
    context = [
        line[4:] for line in result.stdout.splitlines() if line.startswith("  ┊ ")
    ]
    assert context == [BEFORE, OTHER]  # AFTER is a record of its own
