"""The remote scripts, run by real shells (dash/bash's sh and busybox sh) on real files.

What an ssh host runs is plain POSIX sh; running it here with each shell tests
the quoting (no id, path or glob is ever parsed as code), the listing and the
search output that tracerun/sources/ssh/logs.py parses.
"""

from __future__ import annotations

import gzip
import random
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tracerun.read.bounds import WANTED, Bounds
from tracerun.sources.file.paths import is_log_name
from tracerun.sources.ssh import script
from tracerun.sources.ssh.whole import Sent

SHELLS = [["/bin/sh", "-s"]]
if shutil.which("busybox"):
    SHELLS.append(["busybox", "sh", "-s"])
HOSTILE = [
    "x'; touch MARK #",
    "$(touch MARK)",
    "`touch MARK`",
    'a"b\\c',
    "-e",
    "--",
    "x\\' ; touch MARK",
]


def run(shell: list[str], code: str, cwd: Path) -> list[str]:
    done = subprocess.run(
        shell, input=code.encode(), capture_output=True, cwd=cwd, check=False
    )
    return done.stdout.decode().splitlines()


def follow(shell: list[str], code: str, cwd: Path, count: int) -> list[str]:
    """Run a follow script as sshd would (a session of its own, stdin held open).

    Returns its first `count` lines once they came; then ends its stdin, which
    must end the script and every process it started.
    """
    process = subprocess.Popen(
        shell,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=cwd,
        start_new_session=True,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write(code.encode())
    process.stdin.flush()
    timer = threading.Timer(20, process.kill)  # a hang fails the count below
    timer.start()
    try:
        lines = [process.stdout.readline().decode() for _ in range(count)]
        process.stdin.close()
        assert process.wait(10) != 0  # ended by its `kill 0`
        for _ in range(100):  # the tail and awk it started end too
            left = subprocess.run(
                ["pgrep", "-s", str(process.pid)], capture_output=True, check=False
            )
            if not left.stdout:
                break
            time.sleep(0.05)
        assert left.stdout == b""
    finally:
        timer.cancel()
        process.kill()
        process.stdout.close()
    return [line.removesuffix("\n") for line in lines]


@pytest.fixture(params=SHELLS, ids=lambda s: s[0])
def shell(request: pytest.FixtureRequest) -> list[str]:
    return request.param


def test_quote_makes_one_literal_word(shell: list[str], tmp_path: Path) -> None:
    for value in HOSTILE:
        out = run(shell, f"printf '%s\\n' {script.quote(value)}\n", tmp_path)
        assert out == [value]
    assert not (tmp_path / "MARK").exists()


def test_glob_words_keep_wildcards_and_quote_the_rest(
    shell: list[str], tmp_path: Path
) -> None:
    odd = tmp_path / "it's $(x)"
    odd.mkdir()
    for name in ("a.log", "b.log.1", "c.txt"):
        (odd / name).write_text("x\n")
    words = script.glob_words(f"{odd}/*.log*")
    out = run(shell, f'for f in {words}; do echo "$f"; done\n', tmp_path)
    assert out == [f"{odd}/a.log", f"{odd}/b.log.1"]


def tree(root: Path) -> None:
    (root / "app").mkdir()
    (root / "app" / "sub").mkdir()
    (root / "app" / "orders.log").write_text("a\n")
    (root / "app" / "orders.log.1.gz").write_bytes(gzip.compress(b"b\n"))
    (root / "app" / "notes.txt").write_text("c\n")
    (root / "app" / "sub" / "deep.log").write_text("dd\n")


def listed(lines: list[str]) -> list[str]:
    return sorted(line.split(" ", 3)[3] for line in lines if line.startswith("@F "))


def test_discovery_lists_globs_directories_and_double_star(
    shell: list[str], tmp_path: Path
) -> None:
    tree(tmp_path)
    app = tmp_path / "app"
    patterns = [f"{app}/*.log*", f"{app}/", f"{app}/**/*.log", f"{tmp_path}/none/*.log"]

    out = run(shell, script.discover_script(patterns), tmp_path)

    app_files = [f"{app}/orders.log", f"{app}/orders.log.1.gz"]
    assert listed(out) == sorted(
        [
            *app_files,  # the glob
            *app_files,  # the directory: every *.log* below it
            f"{app}/sub/deep.log",
            f"{app}/orders.log",  # **/*.log: at every depth
            f"{app}/sub/deep.log",
        ]
    )
    size_line = next(line for line in out if line.endswith(f"{app}/sub/deep.log"))
    assert size_line.split(" ")[1] == "3"
    assert "@N 3" in out


def test_search_sends_hits_with_their_continuation_and_nothing_else(
    shell: list[str], tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    log.write_text(
        "2026 a req-1\n"
        "  frame one\n"
        "Traceback (most recent call last):\n"
        "ValueError: boom\n"
        "2026 b other\n"
        "2026 c other req-10\n"
        "  not sent: after a decoy hit it is a continuation, kept\n"
        "2026 d quiet\n"
    )
    archive = tmp_path / "app.log.1.gz"
    archive.write_bytes(gzip.compress(b"2026 z req-1\n"))

    out = run(
        shell,
        script.search_script([str(log), str(archive)], ["req-1"], ignore_case=False),
        tmp_path,
    )

    assert out == [
        "@F 0",
        "1:2026 a req-1",
        "2-  frame one",
        "3-Traceback (most recent call last):",
        "4-ValueError: boom",
        "6:2026 c other req-10",
        "7-  not sent: after a decoy hit it is a continuation, kept",
        "@R 0",
        "@E 0",
        "@F 1",
        "1:2026 z req-1",
        "@R 0",
        "@E 1",
    ]


def test_hostile_needles_are_searched_literally(
    shell: list[str], tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    log.write_text("".join(f"2026 {value}\n" for value in HOSTILE))

    out = run(
        shell, script.search_script([str(log)], HOSTILE, ignore_case=False), tmp_path
    )

    hits = [line.split(":", 1)[1] for line in out if line[:1].isdigit()]
    assert hits == [f"2026 {value}" for value in HOSTILE]
    assert not (tmp_path / "MARK").exists()


def test_a_missing_file_is_a_grep_error_on_stderr(
    shell: list[str], tmp_path: Path
) -> None:
    done = subprocess.run(
        shell,
        input=script.search_script(
            [str(tmp_path / "gone.log")], ["x"], ignore_case=False
        ).encode(),
        capture_output=True,
        check=False,
    )
    out = done.stdout.decode().splitlines()
    assert out == ["@F 0", "@R 2", "@E 0"]  # grep opens a plain file itself
    assert "gone.log" in done.stderr.decode()


def test_follow_script_sends_hits_and_continuations_with_line_numbers(
    shell: list[str], tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    log.write_text("old req-1\n2026 new req-1\n  frame\n2026 other\n")
    code = script.follow_script([(str(log), 2)], ["req-1"])
    out = follow(shell, code, tmp_path, 2)
    assert out == ["0\t2:2026 new req-1", "0\t3-  frame"]


def test_follow_script_sends_a_continuation_hit_with_the_lines_back_to_its_start(
    shell: list[str], tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    log.write_text(
        "2026 a quiet\n2026 b boom\nTraceback (most recent call last):\n"
        "  caused by req-1\nValueError: x\n2026 c quiet\n  frame\n"
        + "".join(f"  frame {i}\n" for i in range(script.BACK_LINES + 5))
        + "  caused by req-1\n"
    )
    # More lines back than grep's -B (BACK_LINES): all of them, to the start.
    code = script.follow_script([(str(log), 1)], ["req-1"])
    last = script.BACK_LINES + 13
    out = follow(shell, code, tmp_path, 4 + script.BACK_LINES + 8)
    assert out == [
        "0\t2-2026 b boom",
        "0\t3-Traceback (most recent call last):",
        "0\t4:  caused by req-1",
        "0\t5-ValueError: x",
        "0\t6-2026 c quiet",
        "0\t7-  frame",
        *(f"0\t{n}-  frame {n - 8}" for n in range(8, last)),
        f"0\t{last}:  caused by req-1",
    ]


def test_follow_script_tells_a_continuation_hit_further_than_far_bytes_below_its_start(
    shell: list[str], tmp_path: Path
) -> None:
    frames = script.FAR_BYTES // 100 + 1
    log = tmp_path / "app.log"
    log.write_text(
        "2026 a quiet\n"
        + "".join(f"  frame {i:07} {'x' * 84}\n" for i in range(frames))
        + "  caused by req-1\n  frame after\n2026 b quiet\n  caused by req-1\n"
    )
    code = script.follow_script(
        [(str(log), 1), (str(tmp_path / "other.log"), 1)], ["req-1"]
    )
    hit = frames + 2
    out = follow(shell, code, tmp_path, 5)
    assert out == [
        f"0\t@L {hit}",
        f"0\t{hit}:  caused by req-1",
        f"0\t{hit + 1}-  frame after",
        f"0\t{hit + 2}-2026 b quiet",
        f"0\t{hit + 3}:  caused by req-1",
    ]


def test_count_script_counts_lines(shell: list[str], tmp_path: Path) -> None:
    (tmp_path / "a.log").write_text("1\n2\n3\n")
    out = run(
        shell,
        script.count_script([str(tmp_path / "a.log"), str(tmp_path / "gone")]),
        tmp_path,
    )
    assert out == ["@C 0 3", "@C 1 0"]


def test_a_missing_tool_is_named(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    done = subprocess.run(
        ["/bin/sh", "-s"],
        input=script.discover_script([str(tmp_path / "*.log")]).encode(),
        capture_output=True,
        env={"PATH": str(empty)},
        check=False,
    )
    out = done.stdout.decode().splitlines()
    assert out[:5] == ["@T grep", "@T find", "@T stat", "@T awk", "@T tail"]


@pytest.mark.parametrize("ignore_case", [False, True])
def test_whole_tokens_drop_hit_lines_where_the_needle_is_only_inside_a_longer_token(
    shell: list[str], tmp_path: Path, ignore_case: bool
) -> None:
    log = tmp_path / "app.log"
    log.write_text(
        "2026 a request_id=req-1\n"  # 1 whole
        "  frame of a\n"
        "2026 b request_id=req-10\n"  # 3 decoy: a digit after
        "  frame of the decoy, not sent\n"
        "2026 c id=xreq-1 and req-1_x\n"  # 5 decoys only: a letter before, _ after
        '{"request_id":"REQ-1"}\n'  # 6 whole under -i
        "2026 e req-10 then req-1.\n"  # 7 a decoy, then a whole one
        "req-1\n"  # 8 the whole line
        "2026 f \x1b[36mrequest_id\x1b[0m=\x1b[35mreq-1\x1b[0m\n"  # 9 coloured
    )
    code = script.search_script(
        [str(log)], ["req-1"], ignore_case=ignore_case, whole_tokens=True
    )

    out = run(shell, code, tmp_path)

    hits = [line for line in out if line[:1].isdigit()]
    assert hits == [
        "1:2026 a request_id=req-1",
        "2-  frame of a",
        *(['6:{"request_id":"REQ-1"}'] if ignore_case else []),
        "7:2026 e req-10 then req-1.",
        "8:req-1",
        "9:2026 f \x1b[36mrequest_id\x1b[0m=\x1b[35mreq-1\x1b[0m",
    ]


def test_whole_tokens_keep_every_hit_for_non_ascii_needles_under_ignore_case(
    shell: list[str], tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    log.write_text("2026 café-420\n2026 café-42\n")
    code = script.search_script(
        [str(log)], ["café-42"], ignore_case=True, whole_tokens=True
    )

    hits = [line for line in run(shell, code, tmp_path) if line[:1].isdigit()]

    assert hits == ["1:2026 café-420", "2:2026 café-42"]


def test_whole_tokens_send_a_record_whose_first_line_has_only_a_decoy_whole(
    shell: list[str], tmp_path: Path
) -> None:
    # The id on a continuation line keeps its record; a decoy on a kept
    # record's continuation line is sent with it.
    log = tmp_path / "app.log"
    log.write_text(
        "2026 a failed for req-10\n"  # 1 a decoy start...
        "  frame\n"
        "  retried request_id=req-1\n"  # 3 ...whose record holds the id
        "2026 b request_id=req-1\n"  # 4 whole
        "  then req-10 in a frame\n"  # 5 a decoy inside a kept record
        "  last frame\n"
        "2026 c req-10\n"  # 7 a decoy start
        "  its frame, not sent\n"
        "2026 d quiet\n"
    )
    code = script.search_script(
        [str(log)], ["req-1"], ignore_case=False, whole_tokens=True
    )

    hits = [line for line in run(shell, code, tmp_path) if line[:1].isdigit()]

    assert hits == [
        "1:2026 a failed for req-10",
        "2-  frame",
        "3:  retried request_id=req-1",
        "4:2026 b request_id=req-1",
        "5:  then req-10 in a frame",
        "6-  last frame",
    ]


def test_keyed_drops_hit_lines_whose_id_is_only_message_text_and_counts_them(
    shell: list[str], tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    log.write_text(
        "2026 a request_id=req-1\n"  # 1 after `=`
        "2026 b retry of req-1 failed\n"  # 2 message text
        '{"request_id":"req-1"}\n'  # 3 after `":"`
        '{"request_id": "req-1"}\n'  # 4 after `": "`
        '{"msg":"see req-1","request_id":"z"}\n'  # 5 message text
        '2026 f request_id="req-1"\n'  # 6 a quoted logfmt value
        "req-1 at the start\n"  # 7 a line's start is not judged
        "2026 h \x1b[36mrequest_id\x1b[0m=\x1b[35mreq-1\x1b[0m\n"  # 8 coloured
        "2026 i id:\treq-1\n"  # 9 a tab after `:`
        "2026 j (req-1) in parentheses\n"  # 10 message text
        "2026 k request_id=req-10\n"  # 11 inside a longer token: not counted
    )
    code = script.search_script(
        [str(log)], ["req-1"], ignore_case=False, whole_tokens=True, keyed=True
    )

    out = run(shell, code, tmp_path)

    assert out == [
        "@F 0",
        "1:2026 a request_id=req-1",
        '3:{"request_id":"req-1"}',
        '4:{"request_id": "req-1"}',
        '6:2026 f request_id="req-1"',
        "7:req-1 at the start",
        "8:2026 h \x1b[36mrequest_id\x1b[0m=\x1b[35mreq-1\x1b[0m",
        "9:2026 i id:\treq-1",
        "@R 0",
        "@U 3 2",
        "@E 0",
    ]


def test_keyed_hostile_needles_are_data_and_judged_literally(
    shell: list[str], tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    log.write_text("".join(f"2026 request_id={v}\n2026 msg {v} x\n" for v in HOSTILE))
    code = script.search_script(
        [str(log)], HOSTILE, ignore_case=False, whole_tokens=True, keyed=True
    )

    out = run(shell, code, tmp_path)

    assert out == [
        "@F 0",
        *(f"{2 * i + 1}:2026 request_id={v}" for i, v in enumerate(HOSTILE)),
        "@R 0",
        f"@U {len(HOSTILE)} 2",
        "@E 0",
    ]
    assert not (tmp_path / "MARK").exists()


def _trace(first: int, count: int, *, hit_at: int = -1) -> list[str]:
    return [
        f"  frame {first + i}{' request_id=req-1' if i == hit_at else ''}"
        for i in range(count)
    ]


@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gz"])
def test_a_continuation_longer_than_the_grep_window_comes_back_whole(
    shell: list[str], tmp_path: Path, packed: bool
) -> None:
    # grep hands on WINDOW_LINES after a hit; the awk reads the rest of a
    # record from the file itself, up to CONTEXT_LINES after its last hit.
    assert script.WINDOW_LINES < 700 < script.CONTEXT_LINES
    lines = [
        "2026 a request_id=req-1",  # 1: 700 frames
        *_trace(2, 700),
        "2026 b quiet",  # 702
        "2026 c request_id=req-10",  # 703: a decoy whose record holds the id
        *_trace(704, 400, hit_at=350),  # 704..1103, the id on 1054
        "2026 d quiet",  # 1104
        "2026 e request_id=req-1",  # 1105: frames past the cap
        *_trace(1106, 2500),
        "2026 f quiet",
    ]
    text = "\n".join(lines) + "\n"
    log = tmp_path / ("app.log.1.gz" if packed else "app.log")
    log.write_bytes(gzip.compress(text.encode()) if packed else text.encode())
    code = script.search_script(
        [str(log)], ["req-1"], ignore_case=False, whole_tokens=True, keyed=True
    )

    out = run(shell, code, tmp_path)

    def sent(first: int, last: int) -> list[str]:
        return [
            f"{n}{':' if 'req-1' in lines[n - 1] else '-'}{lines[n - 1]}"
            for n in range(first, last + 1)
        ]

    assert out == [
        "@F 0",
        *sent(1, 701),
        *sent(703, 1103),
        *sent(1105, 1105 + script.CONTEXT_LINES),
        "@R 0",
        "@E 0",
    ]
    assert out[1053] == "1054:  frame 1054 request_id=req-1"


def test_the_read_past_the_window_takes_a_hostile_path_as_data(
    shell: list[str], tmp_path: Path
) -> None:
    odd = tmp_path / "it's $(touch MARK) `touch MARK`"
    odd.mkdir()
    log = odd / "a b;touch MARK.log"
    lines = ["2026 a request_id=req-1", *_trace(2, 300), "2026 b quiet"]
    log.write_text("\n".join(lines) + "\n")
    code = script.search_script(
        [str(log)], ["req-1"], ignore_case=False, whole_tokens=True, keyed=True
    )

    out = run(shell, code, tmp_path)

    assert out == [
        "@F 0",
        "1:2026 a request_id=req-1",
        *(f"{n}-  frame {n}" for n in range(2, 302)),
        "@R 0",
        "@E 0",
    ]
    assert not (tmp_path / "MARK").exists()


@pytest.mark.parametrize("needles", [["req-1"], ["req-1", "1-b"]], ids=["one", "two"])
def test_the_hosts_verdict_on_a_line_is_the_local_scans(
    shell: list[str], tmp_path: Path, needles: list[str]
) -> None:
    # Random lines of keys, quotes, blanks, escapes and word bytes around the
    # needles: the host sends exactly the lines on which read/bounds.py finds
    # a hit that may be a field value (never fewer: a record would be lost).
    rng = random.Random(14)
    pieces = ["request_id=", '"request_id":"', '"id": ', "msg ", " ", "\t", "x", "_"]
    pieces += ["0", "(", '"', "=", ":", "\x1b[36m", "\x1b[0m", ",", "-", "é", "b"]
    pieces += ["\\", '\\"', '\\"request_id\\":\\"']  # JSON inside a JSON string
    # OTLP/JSON attributes, as the Collector's file exporter writes them
    pieces += ['{"key":"request_id","value":{"stringValue":"', '{"intValue":']
    # AWS Lambda's runtimes: the request id after a time's `Z` and a blank
    pieces += ["00.123Z\t", "1Z ", "Z\t", "RequestId: "]
    pieces += ["{", "|", "}"]  # HAProxy's captured headers, `{abc123|Mozilla/5.0}`
    pieces += ["[", '["', '"a","', '["a", "']  # a JSON list's items (Caddy's headers)
    lines = []
    for _ in range(400):
        parts = [rng.choice([*pieces, *needles, *needles]) for _ in range(6)]
        lines.append(
            "2026 " + "".join(parts) + rng.choice(needles) + rng.choice(pieces)
        )
    data = ("\n".join(lines) + "\n").encode()
    (tmp_path / "app.log").write_bytes(data)
    judge = Bounds(tuple(n.encode() for n in needles), keyed=True)
    wanted = set()
    for needle in needles:
        at = data.find(needle.encode())
        while at != -1:
            if judge.judge(bytearray(data), at, len(data)) == WANTED:
                wanted.add(data.count(b"\n", 0, at) + 1)
            at = data.find(needle.encode(), at + 1)
    code = script.search_script(
        [str(tmp_path / "app.log")],
        needles,
        ignore_case=False,
        whole_tokens=True,
        keyed=True,
    )

    out = run(shell, code, tmp_path)

    sent = {int(line.split(":", 1)[0]) for line in out if line[:1].isdigit()}
    assert 50 < len(wanted) < 350  # both kinds are well represented
    assert sent == wanted


def test_a_hit_on_a_continuation_line_comes_with_the_lines_back_to_its_start(
    shell: list[str], tmp_path: Path
) -> None:
    # grep's -B context: for a wanted hit on a line that looks like a
    # continuation outside any record sent, the lines before it back to the
    # nearest one that does not (its probable start) are sent as context.
    lines = [
        "2026 a quiet",  # 1
        "2026 b boom",  # 2 the start of a record...
        "Traceback (most recent call last):",
        '  File "p.py"',
        "  caused by request_id=req-1",  # 5 ...whose trace holds the id
        "ValueError: declined",
        "2026 c quiet",  # 7
        "  frame of c",
        "  decoy request_id=req-10",  # 9 a decoy only: nothing sent
        "2026 d quiet",  # 10
        "  frame of d",
        "  decoy req-10 first",  # 12 a decoy, then the id on 13
        "  then request_id=req-1",
        "2026 e quiet",  # 14
        "  request_id=req-1 on its first frame",  # 15
        "  last frame of e",
        "2026 f quiet",
    ]
    log = tmp_path / "app.log"
    log.write_text("\n".join(lines) + "\n")
    code = script.search_script(
        [str(log)], ["req-1"], ignore_case=False, whole_tokens=True, keyed=True
    )

    out = run(shell, code, tmp_path)

    assert out == [
        "@F 0",
        "2-2026 b boom",
        "3-Traceback (most recent call last):",
        '4-  File "p.py"',
        "5:  caused by request_id=req-1",
        "6-ValueError: declined",
        "10-2026 d quiet",
        "11-  frame of d",
        "12:  decoy req-10 first",
        "13:  then request_id=req-1",
        "14-2026 e quiet",
        "15:  request_id=req-1 on its first frame",
        "16-  last frame of e",
        "@R 0",
        "@E 0",
    ]


@pytest.mark.parametrize("packed", [False, True], ids=["plain", "gz"])
def test_a_continuation_hit_further_below_its_start_than_grep_hands_on(
    shell: list[str], tmp_path: Path, packed: bool
) -> None:
    # More continuation lines before the hit than grep hands on (-B): the
    # host reads the file itself back to the start (within FAR_BYTES); past
    # that, it says so (`@L LINE`) before the hit line. A file's first lines
    # come back to line 1 (which starts a record).
    back = script.BACK_LINES
    long = [f"  frame {i} " + "x" * 90 for i in range(script.FAR_BYTES // 90)]
    lines = [
        "  a file that opens with a frame",  # 1
        "  caused by request_id=req-1",  # 2
        "2026 b request_id=req-1",  # 3 a record sent
        "  frame of b",
        "2026 c quiet",  # 5 a record whose trace is longer than -B
        *_trace(6, back + 10),
        "  caused by request_id=req-1",  # back + 16
        "2026 d quiet",  # back + 17 a record longer than FAR_BYTES
        *long,
        "  caused by request_id=req-1",
        "2026 e quiet",
    ]
    text = "\n".join(lines) + "\n"
    log = tmp_path / ("app.log.1.gz" if packed else "app.log")
    log.write_bytes(gzip.compress(text.encode()) if packed else text.encode())
    code = script.search_script(
        [str(log)], ["req-1"], ignore_case=False, whole_tokens=True, keyed=True
    )

    out = run(shell, code, tmp_path)

    def sent(first: int, last: int) -> list[str]:
        return [
            f"{n}{':' if 'req-1' in lines[n - 1] else '-'}{lines[n - 1]}"
            for n in range(first, last + 1)
        ]

    hit = len(lines) - 1
    assert out == [
        "@F 0",
        *sent(1, 4),
        *sent(5, back + 16),
        f"@L {hit}",
        *sent(hit, hit),
        "@R 0",
        "@E 0",
    ]


def test_a_continuation_hit_record_is_read_on_past_the_grep_window(
    shell: list[str], tmp_path: Path
) -> None:
    # Lines before the hit from the ring, lines after it past -A from the file.
    lines = [
        "2026 a quiet",  # 1
        "2026 b boom",  # 2
        *_trace(3, 10),
        "  caused by request_id=req-1",  # 13
        *_trace(14, 400),
        "2026 c quiet",  # 414
    ]
    log = tmp_path / "app.log"
    log.write_text("\n".join(lines) + "\n")
    code = script.search_script(
        [str(log)], ["req-1"], ignore_case=False, whole_tokens=True, keyed=True
    )

    out = run(shell, code, tmp_path)

    assert out == [
        "@F 0",
        *(f"{n}{':' if n == 13 else '-'}{lines[n - 1]}" for n in range(2, 414)),
        "@R 0",
        "@E 0",
    ]


def test_the_read_back_to_a_start_takes_a_hostile_path_as_data(
    shell: list[str], tmp_path: Path
) -> None:
    odd = tmp_path / "it's $(touch MARK) `touch MARK`"
    odd.mkdir()
    log = odd / "a b;touch MARK.log"
    lines = ["2026 a quiet", *_trace(2, 300), "  caused by request_id=req-1"]
    log.write_text("\n".join(lines) + "\n")
    code = script.search_script(
        [str(log)], ["req-1"], ignore_case=False, whole_tokens=True, keyed=True
    )

    out = run(shell, code, tmp_path)

    assert out == [
        "@F 0",
        "1-2026 a quiet",
        *(f"{n}-  frame {n}" for n in range(2, 302)),
        "302:  caused by request_id=req-1",
        "@R 0",
        "@E 0",
    ]
    assert not (tmp_path / "MARK").exists()


def test_hostile_needles_on_continuation_lines_are_literal_with_their_start(
    shell: list[str], tmp_path: Path
) -> None:
    log = tmp_path / "app.log"
    log.write_text("".join(f"2026 start\n  caused by {v}\n" for v in HOSTILE))
    code = script.search_script(
        [str(log)], HOSTILE, ignore_case=False, whole_tokens=True
    )

    out = run(shell, code, tmp_path)

    assert out == [
        "@F 0",
        *(
            line
            for i, v in enumerate(HOSTILE)
            for line in (f"{2 * i + 1}-2026 start", f"{2 * i + 2}:  caused by {v}")
        ),
        "@R 0",
        "@E 0",
    ]
    assert not (tmp_path / "MARK").exists()


def _whole_files(tmp_path: Path) -> dict[str, bytes]:
    """Files the host sends whole, and two it searches (LF, CRLF)."""
    text = "2026 a req-1 ✓\r\n2026 b\r\n"
    files = {
        "le.log": b"\xff\xfe" + text.encode("utf-16-le"),
        "be.log.1.gz": b"\xfe\xff" + text.encode("utf-16-be"),
        "cr.log": text.replace("\r\n", "\r").encode(),
        "lf.log": text.replace("\r\n", "\n").encode(),
        "crlf.log": text.encode(),
    }
    for name, data in files.items():
        packed = gzip.compress(data) if name.endswith(".gz") else data
        (tmp_path / name).write_bytes(packed)
    return files


def _answers(out: list[bytes]) -> dict[int, list[bytes]]:
    each: dict[int, list[bytes]] = {}
    for line in out:
        if line.startswith(b"@F "):
            current = each.setdefault(int(line[3:]), [])
        else:
            current.append(line)
    return each


def test_files_whose_text_grep_cannot_see_are_sent_whole(
    shell: list[str], tmp_path: Path
) -> None:
    # UTF-16 (also inside .gz), lone CRs: `@W CODE` and their bytes, which
    # come back as they are; LF and CRLF files are searched as before.
    files = _whole_files(tmp_path)
    code = script.search_script(list(files), ["req-1"], ignore_case=False)

    done = subprocess.run(
        shell, input=code.encode(), capture_output=True, cwd=tmp_path, check=False
    )
    each = _answers(done.stdout.removesuffix(b"\n").split(b"\n"))

    for index, data in enumerate(list(files.values())[:3]):
        head, *rest = each[index]
        assert head == b"@W b64"
        sent = Sent(iter(rest), b"b64")
        assert b"".join(iter(lambda s=sent: s.read(7), b"")) == data
        assert (sent.ended, sent.cut) == (True, False)
    assert each[3] == [b"1:2026 a req-1 \xe2\x9c\x93", b"@R 0", b"@E 3"]
    assert each[4] == [b"1:2026 a req-1 \xe2\x9c\x93\r", b"@R 0", b"@E 4"]


def test_without_base64_a_whole_file_comes_as_ods_hex(tmp_path: Path) -> None:
    # A host with no base64 (it is not POSIX): od's hex, three bytes a byte.
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("sh", "awk", "grep", "head", "gzip", "od", "cat", "tail", "stat"):
        found = shutil.which(tool)
        assert found is not None
        (tools / tool).symlink_to(found)
    files = _whole_files(tmp_path)
    code = script.search_script(["le.log"], ["req-1"], ignore_case=False)

    done = subprocess.run(
        [str(tools / "sh"), "-s"],
        input=code.encode(),
        capture_output=True,
        cwd=tmp_path,
        env={"PATH": str(tools)},
        check=False,
    )
    head, *rest = _answers(done.stdout.splitlines())[0]

    assert (head, done.stderr) == (b"@W hex", b"@F 0\n")
    sent = Sent(iter(rest), b"hex")
    assert sent.read(1000) == files["le.log"]
    assert sent.read(1000) == b""
    assert sent.ended


def test_count_script_names_the_files_a_follow_cannot_read(
    shell: list[str], tmp_path: Path
) -> None:
    files = _whole_files(tmp_path)

    out = run(shell, script.count_script(list(files)), tmp_path)

    kinds = [line for line in out if line.startswith("@K")]
    assert kinds == ["@K 0 utf16", "@K 1 utf16", "@K 2 cr"]


LOG_NAME_CASES = [
    "app.log", "app.log.1", "app.log.2.gz", "app.log-20261202", "x.logfile",
    "syslog", "syslog.1", "syslog.2.gz", "messages", "messages-20261202", "secure",
    "maillog.1", "cron", "debug", "dmesg.0", "access_log", "error_log-20261202",
    "ssl_request_log.1.gz", "catalina.out", "nohup.out.3",
    "wtmp", "lastlog", "logo_log.png", "syslogd.conf", "readme.txt", "out",
    "message", "messages.txt", "app.outline",
]  # fmt: skip


@pytest.mark.parametrize("awk", [["awk"], ["busybox", "awk"]], ids=lambda a: a[0])
def test_a_directory_stands_for_the_same_log_files_on_a_host_as_locally(
    shell: list[str], awk: list[str], tmp_path: Path
) -> None:
    # sources/file/paths.py is_log_name and the host's LOG_NAME_AWK must agree:
    # `--path /var/log` and `--ssh host:/var/log` read the same files.
    if shutil.which(awk[0]) is None:
        pytest.skip(f"no {awk[0]} here")
    folder = tmp_path / "logs"
    (folder / "sub").mkdir(parents=True)
    for name in LOG_NAME_CASES:
        (folder / "sub" / name).write_text("x\n")
    code = script.discover_script([f"{folder}/"])
    if awk[0] == "busybox":
        code = code.replace("| awk ", "| busybox awk ")

    out = run(shell, code, tmp_path)

    wanted = sorted(n for n in LOG_NAME_CASES if is_log_name(n))
    assert listed(out) == [f"{folder}/sub/{name}" for name in wanted]
    assert "wtmp" not in wanted
    assert "syslog.2.gz" in wanted
    assert "logo_log.png" not in wanted
    assert "error_log-20261202" in wanted
