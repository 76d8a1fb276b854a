"""Fault injection: damaged archives, directories a user may not enter, files
rotated under a one-shot read, CR-only line endings (issue #12, points 2, 3, 7, 8).

Real files, real gzip, real permissions (tracerun runs as `nobody` through
setpriv), real programs doing the damage (logrotate, truncate, rm, mv) in a
second process. Each case asserts the records printed, the stderr lines and
the exit code.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from helpers.follow import Follow
from isal import isal_zlib

from tracerun.cli import cli
from tracerun.sources.file import pieces
from tracerun.sources.file.rotated import Watched

NOBODY = os.geteuid() == 0 and shutil.which("setpriv") is not None
as_nobody = pytest.mark.skipif(not NOBODY, reason="needs root and setpriv")
ENV = {"NO_COLOR": "1", "FORCE_COLOR": "", "TRACERUN_PROFILE": ""}


def line(n: int, rid: str = "R1", pad: str = "") -> str:
    stamp = f"2026-03-20T14:{n // 60 % 60:02d}:{n % 60:02d}Z"
    return json.dumps({"ts": stamp, "msg": f"m{n}", "request_id": rid, "pad": pad})


def lines(count: int, every: int = 10, pad: str = "x" * 40) -> list[str]:
    return [line(n, "R1" if n % every == 0 else f"X{n}", pad) for n in range(count)]


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), env=ENV)


def records(stdout: str) -> list[tuple[str, int, str]]:
    found = [json.loads(text) for text in stdout.splitlines()]
    return [(Path(r["origin"]).name, r["line"], r["message"]) for r in found]


def expected(body: list[str], name: str, upto: int | None = None) -> list[Any]:
    return [
        (name, n, json.loads(text)["msg"])
        for n, text in enumerate(body[:upto], 1)
        if '"R1"' in text
    ]


# ---------------------------------------------------------------- damaged archives


def test_truncated_gzip_prints_every_whole_record_before_the_cut_then_fails(
    tmp_path: Path,
) -> None:
    body = lines(4000)
    packed = gzip.compress(("\n".join(body) + "\n").encode(), mtime=0)
    (tmp_path / "app.log.1.gz").write_bytes(packed[: len(packed) * 2 // 3])
    (tmp_path / "other.log").write_text(line(9999, pad="other") + "\n")
    decoder = isal_zlib.decompressobj(wbits=31)  # what decompresses of it
    decoded = decoder.decompress((tmp_path / "app.log.1.gz").read_bytes())
    whole = decoded.count(b"\n")  # complete lines before the cut

    result = run("--path", str(tmp_path), "R1", "-o", "ndjson")

    assert result.exit_code == 3
    printed = records(result.stdout)
    assert printed[:-1] == expected(body, "app.log.1.gz", whole)
    assert printed[-1] == ("other.log", 1, "m9999")
    assert result.stderr == (
        f"tracerun: error: source app: {tmp_path}/app.log.1.gz: compressed data "
        f"is damaged or truncated after {len(decoded):,} decompressed bytes "
        "(the archive ends before its compressed data does)\n"
        "  hint: records before the damage were kept; check the archive with "
        "gzip -t\n"
    )


def test_a_record_cut_by_the_damage_is_dropped_not_printed_half(
    tmp_path: Path,
) -> None:
    body = [
        f"2026-03-20T14:10:0{n}Z INFO step {n} request_id=R1 " + "detail " * 40
        for n in range(6)
    ]
    data = ("\n".join(body) + "\n").encode()
    packed = gzip.compress(data, mtime=0, compresslevel=0)  # stored: a cut is exact
    cut = packed.index(b"step 4") + 40  # inside line 5
    (tmp_path / "app.log.1.gz").write_bytes(packed[:cut])

    result = run("--path", str(tmp_path / "app.log.1.gz"), "R1", "-o", "ndjson")

    assert result.exit_code == 3
    assert [(n, m) for _, n, m in records(result.stdout)] == [
        # A key=value pair inside the text stays in the message (#11).
        (n + 1, f"step {n} request_id=R1 " + "detail " * 39 + "detail")
        for n in range(4)
    ]
    assert result.stderr.count("\n") == 2  # one error line and its hint


def test_zst_without_zstandard_fails_that_file_and_the_rest_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zstandard

    (tmp_path / "app.log").write_text(line(1) + "\n")
    (tmp_path / "app.log.1.zst").write_bytes(
        zstandard.ZstdCompressor().compress((line(0) + "\n").encode())
    )
    monkeypatch.setitem(sys.modules, "zstandard", None)  # import raises ImportError

    result = run("--path", str(tmp_path), "R1", "-o", "ndjson")

    assert result.exit_code == 3
    assert records(result.stdout) == [("app.log", 1, "m1")]
    assert result.stderr == (
        f"tracerun: error: source app: {tmp_path}/app.log.1.zst: zstd-compressed "
        "file, but the zstandard package is not installed\n"
        "  hint: pip install 'tracerun[zstd]'\n"
    )


# ------------------------------------------------------ directories one may not enter


@pytest.fixture
def shared() -> Iterator[Path]:
    """A folder `nobody` may enter (pytest's own tmp_path is root's only)."""
    root = Path(tempfile.mkdtemp(prefix="tracerun-faults-"))
    root.chmod(0o755)
    (root / "secret").mkdir()
    (root / "secret/a.log").write_text(line(0, pad="secret") + "\n")
    (root / "secret").chmod(0o700)
    (root / "ok").mkdir()
    (root / "ok/b.log").write_text(line(1, pad="ok") + "\n")
    yield root
    shutil.rmtree(root)


def as_nobody_run(
    root: Path, *args: str, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    command = ["setpriv", "--reuid", "nobody", "--regid", "nogroup"]
    command += ["--clear-groups", sys.executable, "-m", "tracerun", *args]
    return subprocess.run(
        command,
        cwd=root,
        env={**os.environ, **ENV},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


DENIED = (
    "tracerun: error: source {source}: secret: permission denied: cannot list or "
    "enter this directory\n"
    "  hint: check its permissions (ls -ld secret); run with sudo, or as a member "
    "of the group that owns it (e.g. adm for /var/log)\n"
)


@as_nobody
@pytest.mark.parametrize(
    ("paths", "source"),
    [
        (["secret/*.log", "ok/b.log"], "secret"),
        (["secret", "ok/b.log"], "secret"),
        (["secret/a.log", "ok/b.log"], "a"),
        (["**/*.log"], "b"),
    ],
    ids=["glob-into-it", "the-directory", "a-file-in-it", "double-star"],
)
def test_a_directory_nobody_may_enter_fails_once_the_rest_prints(
    shared: Path, paths: list[str], source: str
) -> None:
    flags = [arg for path in paths for arg in ("--path", path)]

    result = as_nobody_run(shared, *flags, "R1", "-o", "ndjson")

    assert (result.returncode, records(result.stdout)) == (3, [("b.log", 1, "m1")])
    assert result.stderr == DENIED.format(source=source)


@as_nobody
def test_sources_check_and_follow_report_the_directory_once(shared: Path) -> None:
    listing = as_nobody_run(shared, "sources", "--check", "--path", "secret/*.log")
    follow = as_nobody_run(
        shared,
        *("--path", "secret/*.log", "--path", "ok/b.log", "R1", "-o", "ndjson"),
        *("-f", "--timeout", "1.5s"),
    )

    assert (listing.returncode, listing.stdout) == (
        3,
        "secret (file, parser auto): 0 origins\n  (nothing found)\n",
    )
    assert listing.stderr == DENIED.format(source="secret")
    assert (follow.returncode, records(follow.stdout)) == (0, [("b.log", 1, "m1")])
    assert follow.stderr == DENIED.format(source="secret")


@as_nobody
def test_a_file_nobody_may_read_fails_in_sources_check(shared: Path) -> None:
    (shared / "ok/c.log").write_text(line(2) + "\n")
    (shared / "ok/c.log").chmod(0o000)

    result = as_nobody_run(shared, "sources", "--check", "--path", "ok")

    assert result.returncode == 3
    assert [r for r in result.stdout.splitlines() if r.startswith("  ok/c.log ")] == [
        f"  ok/c.log  {(shared / 'ok/c.log').stat().st_size} B  cannot be read (see below)"
    ]
    assert result.stderr == (
        "tracerun: error: source c: ok/c.log: permission denied\n"
        "  hint: check that your user may read the file (ls -l), or run with access\n"
    )


@as_nobody
def test_a_file_nobody_may_read_is_named_with_its_own_source_while_following(
    shared: Path,
) -> None:
    (shared / "ok/c.log").write_text(line(2) + "\n")
    (shared / "ok/c.log").chmod(0o000)

    result = as_nobody_run(
        shared, "--path", "ok", "R1", "-o", "ndjson", "-f", "--timeout", "1.5s"
    )

    assert (result.returncode, records(result.stdout)) == (0, [("b.log", 1, "m1")])
    assert result.stderr == (
        "tracerun: error: source c: ok/c.log: permission denied\n"
        "  hint: check that your user may read the file (ls -l), or run with "
        "access; tracerun keeps retrying\n"
    )


# ------------------------------------------------- a file rotated under the read


@pytest.fixture
def between_blocks(monkeypatch: pytest.MonkeyPatch) -> Callable[[list[str]], None]:
    """Run a real program between the first and the second block of every read.

    The test hook sits outside the product code: a Watched whose first read
    returns, then runs the program to its end before the next one.
    """
    monkeypatch.setattr(pieces, "READ_CHUNK", 64 * 1024)

    def arm(command: list[str]) -> None:
        class Paused(Watched):
            calls = 0

            def readinto(self, target: memoryview) -> int:
                Paused.calls += 1
                if Paused.calls == 2:
                    subprocess.run(command, check=True)
                return super().readinto(target)

            def read(self, size: int, /) -> bytes:  # as a CRI log is read (read/cri.py)
                Paused.calls += 1
                if Paused.calls == 2:
                    subprocess.run(command, check=True)
                return super().read(size)

        monkeypatch.setattr(pieces, "Watched", Paused)

    return arm


@pytest.fixture
def app_log(tmp_path: Path) -> tuple[Path, list[str]]:
    body = lines(3000)  # ~250 KiB: four blocks of 64 KiB
    (tmp_path / "app.log").write_text("\n".join(body) + "\n")
    return tmp_path / "app.log", body


def test_copytruncate_under_the_read_reads_the_rest_from_the_copy(
    tmp_path: Path, app_log: tuple[Path, list[str]], between_blocks: Any
) -> None:
    log, body = app_log
    conf = tmp_path / "rotate.conf"
    conf.write_text(f"{log} {{\n  rotate 3\n  copytruncate\n}}\n")
    state = tmp_path / "state"
    between_blocks(["logrotate", "-f", "-s", str(state), str(conf)])

    result = run("--path", str(log), "R1", "-o", "ndjson")

    assert result.exit_code == 0
    assert records(result.stdout) == expected(body, "app.log")
    assert result.stderr == (
        f"tracerun: warning: {log}: truncated while it was read, after 65,536 bytes; "
        f"the rest was read from its rotated copy {log}.1\n"
    )


def test_copytruncate_of_a_cri_log_cut_in_pieces_prints_each_record_once_whole(
    tmp_path: Path, between_blocks: Any
) -> None:
    # Shape: containerd's /var/log/pods/... file; every record cut in a P and an F
    # piece with the id straddling them, as a line past 16 KiB would be.
    body = lines(1500)
    log = tmp_path / "0.log"
    with log.open("w") as out:
        for n, text in enumerate(body):
            cut = text.index('"request_id"') + 16  # "R" | "1"
            stamp = f"2026-03-20T14:{n // 60 % 60:02d}:{n % 60:02d}.000000000Z"
            out.write(f"{stamp} stdout P {text[:cut]}\n{stamp} stdout F {text[cut:]}\n")
    conf = tmp_path / "rotate.conf"
    conf.write_text(f"{log} {{\n  rotate 3\n  copytruncate\n}}\n")
    between_blocks(["logrotate", "-f", "-s", str(tmp_path / "state"), str(conf)])

    result = run("--path", str(log), "R1", "-o", "ndjson")

    assert result.exit_code == 0, result.stderr
    assert records(result.stdout) == [
        ("0.log", 2 * n - 1, msg) for (_, n, msg) in expected(body, "0.log")
    ]
    assert result.stderr == (
        f"tracerun: warning: {log}: truncated while it was read, after 65,536 bytes; "
        f"the rest was read from its rotated copy {log}.1\n"
    )


def test_truncated_with_no_copy_keeps_what_was_read_and_fails(
    app_log: tuple[Path, list[str]], between_blocks: Any
) -> None:
    log, body = app_log
    between_blocks(["truncate", "-s", "0", str(log)])
    whole = (log.read_bytes()[: 64 * 1024]).count(b"\n")

    result = run("--path", str(log), "R1", "-o", "ndjson")

    assert result.exit_code == 3
    assert records(result.stdout) == expected(body, "app.log", whole)
    assert result.stderr == (
        f"tracerun: error: source app: {log}: truncated while it was read, after "
        "65,536 bytes; the records after that were not read\n"
        "  hint: it was rotated (copytruncate) while it was read; trace again, "
        "with its rotated copy among the paths\n"
    )


def test_truncated_and_written_again_is_not_read_as_if_it_went_on(
    tmp_path: Path, app_log: tuple[Path, list[str]], between_blocks: Any
) -> None:
    log, body = app_log
    other = tmp_path / "other"
    other.write_text("\n".join(line(n, pad="y" * 60) for n in range(3000)) + "\n")
    between_blocks(["cp", str(other), str(log)])  # truncates, then writes more
    whole = (log.read_bytes()[: 64 * 1024]).count(b"\n")

    result = run("--path", str(log), "R1", "-o", "ndjson")

    assert result.exit_code == 3
    assert records(result.stdout) == expected(body, "app.log", whole)
    assert result.stderr.startswith(
        f"tracerun: error: source app: {log}: rewritten while it was read, after "
        "65,536 bytes; the records after that were not read\n"
    )


def test_deleted_under_the_read_is_read_to_its_end_and_says_so(
    app_log: tuple[Path, list[str]], between_blocks: Any
) -> None:
    log, body = app_log
    between_blocks(["rm", str(log)])

    result = run("--path", str(log), "R1", "-o", "ndjson")

    assert result.exit_code == 0
    assert records(result.stdout) == expected(body, "app.log")
    assert result.stderr == (
        f"tracerun: warning: {log}: deleted while it was read; it was read to its "
        "end, nothing was lost\n"
    )


def test_rotated_by_rename_under_the_read_is_read_to_its_end_and_says_so(
    tmp_path: Path, app_log: tuple[Path, list[str]], between_blocks: Any
) -> None:
    log, body = app_log
    conf = tmp_path / "rotate.conf"
    conf.write_text(f"{log} {{\n  rotate 3\n  create\n}}\n")
    between_blocks(["logrotate", "-f", "-s", str(tmp_path / "state"), str(conf)])

    result = run("--path", str(log), "R1", "-o", "ndjson")

    assert result.exit_code == 0
    assert records(result.stdout) == expected(body, "app.log")
    assert result.stderr == (
        f"tracerun: warning: {log}: replaced while it was read (renamed away, a new "
        "file in its place); the old file was read to its end, the new one was "
        "not read\n"
    )


# ------------------------------------------------------------ CR-only line endings


def test_cr_only_file_is_one_record_per_line_with_right_line_numbers(
    tmp_path: Path,
) -> None:
    body = lines(50, every=7)
    (tmp_path / "mac.log").write_bytes(("\r".join(body) + "\r").encode())

    result = run("--path", str(tmp_path / "mac.log"), "R1", "-o", "ndjson")

    assert result.exit_code == 0
    assert records(result.stdout) == expected(body, "mac.log")
    assert "\\r" not in result.stdout
    assert result.stderr == ""


def test_cr_only_lines_appended_by_a_writer_are_followed(tmp_path: Path) -> None:
    log = tmp_path / "mac.log"
    log.write_bytes((line(0) + "\r").encode())
    follow = Follow(
        "--path", str(log), "R1", "-f", "-o", "ndjson", "--timeout", "3s", cwd=tmp_path
    )
    follow.wait_for(1)
    appended = "\r".join([line(1, "X1"), line(2), line(3)]) + "\r"
    write = "import sys; open(sys.argv[1], 'ab').write(sys.argv[2].encode())"
    subprocess.run([sys.executable, "-c", write, str(log), appended], check=True)
    follow.wait_for(3)
    code, stderr = follow.finish()

    assert (code, stderr) == (0, "")
    assert [(r[2], r[3]) for r in follow.records()] == [(1, "m0"), (3, "m2"), (4, "m3")]


# ------------------------------------------------------------ hostile file names

HOSTILE_NAMES = {
    "esc": b"esc\x1b[2J.log",  # clears the screen when written as is
    "newline": b"new\nline.log",
    "not-utf8": b"\xff.log",  # a byte os.fsdecode keeps as U+DCFF
}


@pytest.fixture
def hostile_names(tmp_path: Path) -> Path:
    for n, name in enumerate(HOSTILE_NAMES.values()):
        path = tmp_path / os.fsdecode(name)
        path.write_text(line(n) + "\n")
    return tmp_path


def test_a_hostile_file_name_reaches_stderr_escaped_on_one_line(tmp_path: Path) -> None:
    packed = gzip.compress(("\n".join(lines(2000)) + "\n").encode(), mtime=0)
    name = os.fsdecode(b"cut\x1b]0;T\x07\n\xff.log.gz")
    (tmp_path / name).write_bytes(packed[: len(packed) // 2])

    result = run("--path", str(tmp_path), "R1", "-o", "ndjson")

    assert result.exit_code == 3
    first = result.stderr.splitlines()[0]
    assert first.startswith(
        f"tracerun: error: source cut\\x1b]0;T\\x07\\n\\xff: "
        f"{tmp_path}/cut\\x1b]0;T\\x07\\n\\xff.log.gz: compressed data is damaged"
    )
    assert result.stderr.count("\n") == 2  # the error and its hint, nothing split
    assert result.stderr.isascii()
    assert "\x1b" not in result.stderr


@pytest.mark.parametrize("color", ["never", "always"])
def test_a_hostile_file_name_is_an_inert_source_name_in_text(
    hostile_names: Path, color: str
) -> None:
    result = run("--path", str(hostile_names), "R1", "--color", color)

    plain = result.stdout.replace("\x1b[2m", "").replace("\x1b[0m", "")
    for code in range(31, 38):  # the source colours: every other ESC is gone
        plain = plain.replace(f"\x1b[{code}m", "")
    assert (result.exit_code, result.stderr) == (0, "")
    assert plain.splitlines() == [
        '2026-03-20T14:00:00.000Z esc\\x1b[2J -     m0 request_id=R1 pad=""',
        '2026-03-20T14:00:01.000Z new\\nline  -     m1 request_id=R1 pad=""',
        '2026-03-20T14:00:02.000Z \\xff       -     m2 request_id=R1 pad=""',
    ]


@pytest.mark.parametrize("output", ["markdown", "summary", "jaeger", "otlp", "html"])
def test_a_file_name_that_is_not_utf8_is_written_by_every_format(
    hostile_names: Path, output: str
) -> None:
    result = run("--path", str(hostile_names), "R1", "-o", output, "--color", "always")

    assert (result.exit_code, result.stderr) == (0, "")
    assert "\x1b[2J" not in result.stdout
    assert "\\udcff" in result.stdout or "\\xff" in result.stdout


def test_the_summary_names_a_hostile_source_on_one_row(hostile_names: Path) -> None:
    result = run("--path", str(hostile_names), "R1", "-o", "summary")

    names = [row.split(" ", 1)[0] for row in result.stdout.splitlines()[3:6]]
    assert names == ["esc\\x1b[2J", "new\\nline", "\\xff"]


# ------------------------------------------------ archives that are not read


def _zipped(data: bytes) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.log", data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "pack", "kind", "tool"),
    [
        ("app.log", bz2.compress, "bzip2", "bzip2 -dc"),
        ("app.log.1.xz", lzma.compress, "xz", "xz -dc"),
        ("app.log.zip", _zipped, "zip", "unzip -p"),
    ],
    ids=["bzip2-named-log", "xz", "zip"],
)
def test_an_archive_tracerun_does_not_read_says_what_it_is_once(
    tmp_path: Path, name: str, pack: Callable[[bytes], bytes], kind: str, tool: str
) -> None:
    body = ("\n".join(lines(50)) + "\n").encode()
    (tmp_path / name).write_bytes(pack(body))
    (tmp_path / "other.log").write_text(line(1, pad="other") + "\n")

    source = "app.log.zip" if kind == "zip" else "app"  # .zip is no rotation suffix

    result = run("--path", str(tmp_path), "R1", "-o", "ndjson")

    assert (result.exit_code, records(result.stdout)) == (3, [("other.log", 1, "m1")])
    assert result.stderr == (
        f"tracerun: error: source {source}: {tmp_path}/{name}: "
        f"{kind}-compressed file: tracerun reads gzip and zstd archives only\n"
        f"  hint: decompress it and trace the copy: {tool} FILE > FILE.txt\n"
    )


# ------------------------------------------------------------ hostile ids


def test_an_id_of_a_megabyte_is_found_exactly_without_hanging(tmp_path: Path) -> None:
    # One repeated byte is the needle an automaton builds in quadratic time:
    # 100 KB took 43 s, 1 MB would take hours.
    rid = "A" * 1_000_000
    body = [line(0), line(1, rid), line(2, rid + "B"), line(3, rid[:-1]), line(4, rid)]
    (tmp_path / "app.log").write_text("\n".join(body) + "\n")
    (tmp_path / "ids.txt").write_text(rid + "\n")

    args = [
        "--path",
        str(tmp_path / "app.log"),
        "--ids-from",
        str(tmp_path / "ids.txt"),
    ]
    done = subprocess.run(
        [sys.executable, "-m", "tracerun", *args, "-o", "ndjson"],
        env={**os.environ, **ENV},
        capture_output=True,
        text=True,
        timeout=120,  # a hang guard, not a measurement
        check=False,
    )

    assert (done.returncode, done.stderr) == (0, "")
    assert records(done.stdout) == [("app.log", 2, "m1"), ("app.log", 5, "m4")]


def test_ids_from_a_file_with_a_bom_and_crlf_lines_finds_its_first_id(
    tmp_path: Path,
) -> None:
    (tmp_path / "app.log").write_text(line(0) + "\n" + line(1, "R2") + "\n")
    (tmp_path / "ids.txt").write_bytes(b"\xef\xbb\xbfR1\r\n\r\n  \r\n# c\r\nR3\r\n")

    result = run(
        "--path", str(tmp_path / "app.log"), "--ids-from", str(tmp_path / "ids.txt")
    )

    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.count("\n") == 1
    assert " m0 request_id=R1 " in result.stdout


def test_an_id_the_ids_file_cannot_search_is_named_with_its_line(
    tmp_path: Path,
) -> None:
    (tmp_path / "app.log").write_text(line(0) + "\n")
    (tmp_path / "ids.txt").write_bytes(b"R1\n\nR\x002\n")

    result = run(
        "--path", str(tmp_path / "app.log"), "--ids-from", str(tmp_path / "ids.txt")
    )

    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"tracerun: error: --ids-from {tmp_path}/ids.txt:3: search term 'R\\x002' "
        "holds a NUL character; records are matched line by line\n"
        "  hint: remove it from the term\n"
    )


def test_an_id_that_is_not_utf8_is_a_usage_error_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "app.log").write_text(line(0) + "\n")

    result = run("--path", str(tmp_path / "app.log"), os.fsdecode(b"caf\xe9"))

    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "tracerun: error: search term 'caf\\udce9' is not UTF-8 text\n"
        "  hint: logs are read as UTF-8: give the id as UTF-8 (check LANG and the "
        "terminal's encoding)\n"
    )


# ------------------------------------------------------------ a locale that is not UTF-8


def _in_locale(tmp_path: Path, env: dict[str, str], *args: str | bytes) -> Any:
    (tmp_path / "app.log").write_text(
        line(0, "café")
        + "\n"
        + json.dumps(
            {"ts": "2026-03-20T14:00:01Z", "request_id": "R1", "msg": "→ naïve 😀"}
        )
        + "\n"
    )
    return subprocess.run(
        [sys.executable, "-m", "tracerun", "--path", str(tmp_path / "app.log"), *args],
        env={**os.environ, **ENV, **env},
        capture_output=True,
        timeout=60,
        check=False,
    )


def test_a_utf8_id_under_the_c_locale_without_utf8_mode_is_read_as_utf8(
    tmp_path: Path,
) -> None:
    c_locale = {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}

    done = _in_locale(tmp_path, c_locale, "café".encode())

    assert (done.returncode, done.stderr) == (0, b"")
    assert done.stdout == (
        b'2026-03-20T14:00:00.000Z app -     m0 request_id=caf\\xe9 pad=""\n'
    )


def test_ndjson_to_an_ascii_stdout_stays_json(tmp_path: Path) -> None:
    done = _in_locale(
        tmp_path, {"PYTHONIOENCODING": "ascii"}, "café", "R1", "-o", "ndjson"
    )

    assert (done.returncode, done.stderr) == (0, b"")
    assert done.stdout.isascii()
    printed = [json.loads(text) for text in done.stdout.splitlines()]
    assert [r["fields"]["request_id"] for r in printed] == ["café", "R1"]
    assert printed[1]["message"] == "→ naïve 😀"
    assert b'"\\u2192 na\\u00efve \\ud83d\\ude00"' in done.stdout


def test_the_record_after_a_copytruncate_hole_is_its_own_record(tmp_path: Path) -> None:
    # Two writers of one log: one with O_APPEND, one without (it goes on at its
    # old offset). After logrotate's copytruncate the first writes at the start,
    # the second past a hole of NULs that ends where its next record begins.
    log = tmp_path / "app.log"
    conf = tmp_path / "rotate.conf"
    conf.write_text(f"{log} {{\n  rotate 3\n  copytruncate\n}}\n")
    with log.open("wb", buffering=0) as plain, log.open("ab", buffering=0) as appends:
        plain.write("".join(line(n, pad="p" * 200) + "\n" for n in range(3)).encode())
        rotate = ["logrotate", "-f", "-s", str(tmp_path / "state"), str(conf)]
        subprocess.run(rotate, check=True)
        appends.write(f"{line(3)}\n".encode())
        plain.write(
            f"{line(4)}\n2026-03-20T14:00:05Z INFO after request_id=R1\n".encode()
        )
    assert b"\n\0\0\0" in log.read_bytes()

    result = run("--path", str(log), "R1", "-o", "ndjson")

    assert (result.exit_code, result.stderr) == (0, "")
    assert records(result.stdout) == [
        ("app.log", 1, "m3"),
        ("app.log", 2, "m4"),
        ("app.log", 3, "after"),
    ]
