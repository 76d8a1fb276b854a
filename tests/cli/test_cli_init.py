"""tracerun/starter.py through `tracerun init`: the starter validates and traces.

The profile written for the four logs below is a golden file
(tests/testdata/starter.yaml); regenerate it with
`pytest tests/test_starter.py --update-testdata` and read the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers.hostile import write_hostile

from tracerun.cli import cli
from tracerun.cli.init import quote

GOLDEN = Path(__file__).parents[1] / "testdata" / "starter.yaml"

LOGS = {
    "web/access.log": [
        '203.0.113.24 - - [20/Mar/2026:14:10:00 +0000] "GET /healthz HTTP/1.1" 200 2 "-" "probe/1.0" request_id=-',
        '203.0.113.24 - alice [20/Mar/2026:14:10:01 +0000] "POST /api/orders HTTP/1.1" 201 418 "https://shop.example/" "ShopApp/4.12" request_id=abc123',
    ],
    "api/orders.log": [
        '{"ts":"2026-03-20T15:10:01.100+01:00","level":"info","msg":"order received","ctx":{"request":{"id":"abc123"}},"trace_id":"t-1"}',
        '{"ts":"2026-03-20T15:10:01.300+01:00","level":"error","msg":"payment failed","ctx":{"request":{"id":"abc1234"}},"trace_id":"t-2"}',
    ],
    "api/inventory.log": [
        'time=2026-03-20T14:10:01.200Z level=info msg="reserved stock" request_id=abc123 sku=TEA',
        'time=2026-03-20T14:10:01.250Z level=debug msg="cache warm" sku=MUG',
    ],
    "payments.log": [
        "2026-03-20 14:10:01,400 ERROR charge failed request_id=abc123 attempt=1",
        "Traceback (most recent call last):",
        '  File "pay.py", line 3, in charge',
        "TimeoutError: provider did not answer",
        "2026-03-20 14:10:01,900 INFO charge captured request_id=abc123 attempt=2",
    ],
}


@pytest.fixture
def logs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name, lines in LOGS.items():
        path = tmp_path / "logs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path / "logs"


def run(*args: str) -> Result:
    env = {"TRACERUN_PROFILE": "", "TRACERUN_PROFILE_PATH": "", "NO_COLOR": ""}
    return CliRunner().invoke(cli, list(args), env=env)


def summary(result: Result) -> list[tuple[str, str, str, str]]:
    records = [json.loads(line) for line in result.stdout.splitlines()]
    return [(r["time"], r["source"], r["level"], r["message"]) for r in records]


def test_init_writes_the_expected_profile(logs: Path, request) -> None:
    result = run("init", "--path", "logs", "-o", "profiles/local.yaml")

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == (
        "tracerun: wrote profiles/local.yaml; "
        "check it: tracerun validate -p profiles/local.yaml\n"
    )
    text = Path("profiles/local.yaml").read_text(encoding="utf-8")
    if request.config.getoption("--update-testdata"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")


def test_the_starter_validates_and_its_samples_pass(logs: Path) -> None:
    run("init", "--path", "logs", "-o", "profiles/local.yaml")

    result = run("validate", "-p", "local")

    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "profiles/local.yaml: valid (4 sources, 4 parsers, 0 outputs)\n"
    )


def test_the_starter_traces_every_log(logs: Path) -> None:
    run("init", "--path", "logs", "-o", "profiles/local.yaml")

    result = run("-p", "local", "abc123", "-o", "ndjson")

    assert (result.exit_code, result.stderr) == (0, "")
    assert summary(result) == [
        ("2026-03-20T14:10:01.000000Z", "access", "", "POST /api/orders HTTP/1.1"),
        ("2026-03-20T14:10:01.100000Z", "orders", "info", "order received"),
        ("2026-03-20T14:10:01.200000Z", "inventory", "info", "reserved stock"),
        (
            "2026-03-20T14:10:01.400000Z",
            "payments",
            "error",
            (
                "charge failed\nTraceback (most recent call last):\n"
                '  File "pay.py", line 3, in charge\n'
                "TimeoutError: provider did not answer"
            ),
        ),
        ("2026-03-20T14:10:01.900000Z", "payments", "info", "charge captured"),
    ]


def test_starter_on_stdout_uses_absolute_paths_and_works_from_anywhere(
    logs: Path, tmp_path: Path
) -> None:
    result = run("init", "--path", "logs")

    assert result.exit_code == 0, result.stderr
    assert f"    paths: [{quote(str(logs / 'api' / 'orders.log*'))}]\n" in result.stdout
    elsewhere = tmp_path / "elsewhere" / "p.yaml"
    elsewhere.parent.mkdir()
    elsewhere.write_text(result.stdout, encoding="utf-8")
    assert run("validate", "-p", str(elsewhere)).exit_code == 0
    assert len(summary(run("-p", str(elsewhere), "abc123", "-o", "ndjson"))) == 5


def test_init_refuses_to_overwrite_without_force(logs: Path) -> None:
    Path("p.yaml").write_text("keep me\n", encoding="utf-8")

    refused = run("init", "--path", "logs", "-o", "p.yaml")
    forced = run("init", "--path", "logs", "-o", "p.yaml", "--force")

    assert refused.exit_code == 2
    assert refused.stderr == (
        "tracerun: error: p.yaml already exists\n"
        "  hint: choose another -o FILE, or add --force to replace it\n"
    )
    assert forced.exit_code == 0
    assert Path("p.yaml").read_text(encoding="utf-8").startswith("# Starter profile")


def test_path_matching_nothing_is_an_error(logs: Path) -> None:
    result = run("init", "--path", "nowhere")

    assert result.exit_code == 2
    assert result.stderr == (
        "tracerun: error: --path nowhere matches no log file\n"
        "  hint: give a directory (every log file below it is used), a file or a glob\n"
    )


def test_init_needs_path_or_docker() -> None:
    result = run("init")

    assert result.exit_code == 2
    assert "give --path DIR (or --docker PATTERN)" in result.stderr


def test_same_file_name_in_two_folders_gets_the_folder_in_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for folder in ("edge", "api"):
        log = tmp_path / "logs" / folder / "access.log"
        log.parent.mkdir(parents=True)
        log.write_text(LOGS["web/access.log"][1] + "\n", encoding="utf-8")

    result = run("init", "--path", "logs", "-o", "p.yaml")

    text = Path("p.yaml").read_text(encoding="utf-8")
    assert result.exit_code == 0, result.stderr
    assert "\n  api-access:\n    type: file\n" in text
    assert "\n  edge-access:\n    type: file\n" in text
    assert run("validate", "-p", "p.yaml").exit_code == 0


REAL = Path(__file__).parents[1] / "testdata" / "real"


@pytest.mark.parametrize(
    ("name", "lines", "block"),
    [
        (
            "odd.log",
            b"hello there\nsecond line\n",
            (
                "  # odd: a format init does not recognise (the auto parser tries each "
                "line)\n  odd:\n    type: auto\n\nsources:\n"
            ),
        ),
        (
            # Python logging's default format, as Python wrote it (SOURCES.md there).
            "worker.log",
            (REAL / "stdlib-logging" / "default.log").read_bytes(),
            (
                "parsers:\n"
                "  # worker: plain text without timestamps\n"
                "  # time: no timestamp seen\n"
                "  # its records print first, without a time: log one to merge them in "
                "order\n"
                "  # ids: request_id\n"
                "  worker:\n"
                "    type: auto\n"
            ),
        ),
    ],
)
def test_a_log_without_a_known_format_or_time_is_described_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, lines: bytes, block: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path(name).write_bytes(lines)

    result = run("init", "--path", name, "-o", "p.yaml")

    text = Path("p.yaml").read_text(encoding="utf-8")
    assert result.exit_code == 0, result.stderr
    assert block in text
    assert run("validate", "-p", "p.yaml").exit_code == 0


@pytest.mark.parametrize(
    ("name", "line", "note"),
    [
        (
            "app.log",
            '{"ts": "2026-03-20T14:10:00Z", "msg": "hello", "ctx": {"order": 7}}',
            "add one to `fields` (a JMESPath over the record)",
        ),
        (
            "payments.log",
            "2026-03-20 14:09:31,264 INFO  [req-976134f7] payments.charge: charge",
            "for one inside the text (`[abc123]`), use type: regex with (?P<request_id>…)",
        ),
        (
            "access.log",
            '203.0.113.24 - - [20/Mar/2026:14:10:00 +0000] "GET / HTTP/1.1" 200 2 "-" "x"',
            "log one after the known fields (rid=$request_id), then run init again",
        ),
    ],
)
def test_a_log_without_an_id_field_gets_a_note_that_fits_its_kind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, line: str, note: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path(name).write_text(line + "\n", encoding="utf-8")

    assert run("init", "--path", name, "-o", "p.yaml").exit_code == 0
    text = Path("p.yaml").read_text(encoding="utf-8")
    assert f"\n  # no usual id key seen as a field; {note}\n" in text


def test_unrecognised_lines_get_the_usual_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("odd.log").write_text("hello there\nsecond line\n", encoding="utf-8")

    assert run("init", "--path", "odd.log", "-o", "p.yaml").exit_code == 0
    text = Path("p.yaml").read_text(encoding="utf-8")
    assert "# keys: [request_id, trace_id]  # no usual id key was seen\n" in text


@pytest.mark.parametrize(
    ("text", "quoted"),
    [("plain", "'plain'"), ("it's", "'it''s'"), (r"\d+ #x", r"'\d+ #x'")],
)
def test_quote_writes_single_quoted_yaml(text: str, quoted: str) -> None:
    import yaml

    assert quote(text) == quoted
    assert yaml.safe_load(quoted) == text


@pytest.mark.docker
def test_init_docker_describes_matching_containers(containers, logs: Path) -> None:
    lines = [
        '{"ts":"2026-03-20T14:10:02Z","level":"info","msg":"shipped","request_id":"abc123"}',
        '{"ts":"2026-03-20T14:10:03Z","level":"info","msg":"other","request_id":"zzz"}',
    ]
    script = "; ".join(f"echo {quote(line)}" for line in lines) + "; sleep 300"
    box = containers("init-ship", script)
    _wait_for_output(box)

    result = run("init", "--docker", "tracerun-test-init-ship-*", "-o", "p.yaml")

    text = Path("p.yaml").read_text(encoding="utf-8")
    assert result.exit_code == 0, result.stderr
    assert (
        "  tracerun-test-init-ship:\n    type: docker\n"
        "    containers: ['tracerun-test-init-ship-*']\n"
        "    parser: tracerun-test-init-ship\n"
    ) in text
    assert "    type: json\n    time: {field: ts}\n" in text
    assert run("validate", "-p", "p.yaml").exit_code == 0
    traced = run("-p", "p.yaml", "abc123", "-o", "ndjson")
    assert summary(traced) == [
        ("2026-03-20T14:10:02.000000Z", "tracerun-test-init-ship", "info", "shipped")
    ]


@pytest.mark.docker
def test_init_docker_pattern_matching_nothing_is_an_error(docker_client) -> None:
    result = run("init", "--docker", "no-such-container-*")

    assert result.exit_code == 2
    assert result.stderr == (
        "tracerun: error: --docker no-such-container-* matches no container\n"
        "  hint: `docker ps -a` lists the containers and their names\n"
    )


def _wait_for_output(container) -> None:
    import time

    for _ in range(100):
        if container.logs().count(b"\n") >= 2:
            return
        time.sleep(0.05)
    msg = "the container did not print its lines"
    raise AssertionError(msg)


def test_lines_yaml_cannot_hold_are_not_used_as_samples(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("app.log").write_text(
        "time=2026-03-20T14:10:00Z level=info msg=\x1b[31mred\x1b[0m request_id=a1\n"
        "time=2026-03-20T14:10:01Z level=info msg=plain request_id=a2\n",
        encoding="utf-8",
    )

    result = run("init", "--path", "app.log", "-o", "p.yaml")

    text = Path("p.yaml").read_text(encoding="utf-8")
    assert result.exit_code == 0, result.stderr
    assert "      - line: 'time=2026-03-20T14:10:01Z level=info msg=plain" in text
    assert "\x1b" not in text
    assert run("validate", "-p", "p.yaml").exit_code == 0


def test_init_docker_without_an_engine_says_where_it_looked(tmp_path: Path) -> None:
    socket = tmp_path / "no.sock"
    env = {"TRACERUN_PROFILE": "", "DOCKER_HOST": f"unix://{socket}"}

    result = CliRunner().invoke(cli, ["init", "--docker", "shop-*"], env=env)

    assert result.exit_code == 2
    assert result.stderr == (
        f"tracerun: error: cannot reach the Docker engine at unix://{socket}:"
        " no such socket\n"
        f"  hint: is the engine running? DOCKER_HOST is unix://{socket};"
        " try: docker info\n"
    )


REAL_TRACES = [
    # (directory of tests/testdata/real, term, records: file:line) per program
    ("nginx", "req-0d4e5f6a", ["access.log:3", "access_rid.log:3", "error.log:1", "access_rid.log:7"]),
    ("nginx", "order-42", []),  # nginx 1.22.1: only in a quoted User-Agent
    ("postgres-berlin", "req-a1b2c3d4", ["postgresql.log:9", "postgresql.log:10", "postgresql.log:13", "postgresql.log:14", "postgresql.log:19"]),
    ("python-json-logger", "café-42", ["bare.log:6", "default.log:6", "timestamp.log:6"]),
    ("structlog", "req-1f2e3d4c0", ["console.log:9", "console-color.log:9", "json.log:5", "json-dict.log:5"]),
    ("stdlib-logging", "req-6a7b8c9d0", ["default.log:9", "asctime.log:10"]),
    ("gunicorn-newyork", "req-2b3c4d5e", ["access.log:1", "error.log:6", "access.log:2", "error.log:7"]),
    ("logrotate", "req-c0ffee010", ["create/app.log:2", "copytruncate/app.log:2", "compress/app.log:2", "copytruncate-noappend/app.log:2"]),
    ("documented", "req-b8e7d0c9", ["serilog-clef.log:1", "serilog-clef.log:2", "serilog-clef.log:3", "serilog-clef.log:7", "serilog-clef.log:8"]),
]  # fmt: skip


@pytest.mark.parametrize(("directory", "term", "expected"), REAL_TRACES)
def test_init_profile_of_real_logs_validates_and_traces_the_ground_truth(
    tmp_path: Path, directory: str, term: str, expected: list[str]
) -> None:
    from helpers.real import REAL

    logs = REAL / directory
    profile = tmp_path / "profile.yaml"
    assert run("init", "--path", str(logs), "-o", str(profile)).exit_code == 0
    checked = run("validate", "-p", str(profile))
    assert checked.exit_code == 0, checked.stderr

    result = run("-p", str(profile), "-o", "ndjson", term)

    records = [json.loads(line) for line in result.stdout.splitlines()]
    found = [f"{Path(r['origin']).relative_to(logs)}:{r['line']}" for r in records]
    assert (result.exit_code, found) == (0 if expected else 1, expected)


def test_init_access_pattern_reads_the_rid_after_the_agent_not_inside_it(
    tmp_path: Path,
) -> None:
    # nginx 1.22.1, combined + rid=$http_x_request_id (tests/testdata/real/nginx)
    line = (
        '127.0.0.1 - - [02/Dec/2026:02:21:07 +0000] "GET /api/health HTTP/1.1" 200 3 '
        '"-" "Mozilla/5.0 (compatible; rid=order-42)" rid=req-5b6c7d8e'
    )
    spoof = line.replace("rid=req-5b6c7d8e", "rid=-")
    (tmp_path / "access.log").write_text(f"{line}\n{spoof}\n", encoding="utf-8")
    profile = tmp_path / "p.yaml"
    run("init", "--path", str(tmp_path / "access.log"), "-o", str(profile))

    assert summary(run("-p", str(profile), "-o", "ndjson", "rid=req-5b6c7d8e")) == [
        ("2026-12-02T02:21:07.000000Z", "access", "", "GET /api/health HTTP/1.1")
    ]
    assert run("-p", str(profile), "rid=order-42").exit_code == 1
    assert run("-p", str(profile), "rid=order-42)").exit_code == 1


def test_init_names_the_offset_of_naive_local_times(tmp_path: Path) -> None:
    # nginx 1.22.1 error.log in Europe/Berlin: naive 03:21:14, written 02:21:15Z
    import os

    from helpers.real import REAL

    log = tmp_path / "error.log"
    log.write_bytes((REAL / "nginx-berlin" / "error.log").read_bytes())
    os.utime(log, (1_796_178_075, 1_796_178_075))  # 2026-12-02T02:21:15Z

    result = run("init", "--path", str(log))

    assert result.stderr == (
        "tracerun: warning: source error: its last timestamp, read in UTC, is not "
        "when the file was last written; its naive times look like local time at "
        "UTC+01:00: set this source's `timezone:` to the zone that wrote them "
        "(e.g. Europe/Berlin)\n"
    )
    assert result.stdout.endswith(
        "    parser: error\n"
        "    # its naive times look like local time at UTC+01:00, not UTC (last "
        "timestamp vs the file's modification time):\n"
        "    # timezone: Europe/Berlin\n"
    )


def test_init_on_lines_that_once_aborted_a_run_writes_a_valid_profile(
    tmp_path: Path,
) -> None:
    log = write_hostile(tmp_path / "logs" / "bad.log")
    out = tmp_path / "starter.yaml"

    written = CliRunner().invoke(
        cli, ["init", "--path", str(log.parent), "-o", str(out)]
    )
    checked = CliRunner().invoke(cli, ["validate", "-p", str(out)])

    assert written.exit_code == 0, written.stderr
    assert (checked.exit_code, checked.stdout) == (
        0,
        f"{out}: valid (1 source, 1 parser, 0 outputs)\n",
    )


@pytest.mark.parametrize("stem", ["0", "1.5", "on", "No", "null", "1e3", "12:30"])
def test_a_log_whose_name_yaml_reads_as_no_string_gets_a_quoted_name(
    stem: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the kubelet writes /var/log/pods/<pod>/<container>/0.log
    monkeypatch.chdir(tmp_path)
    Path(f"{stem}.log").write_text(
        "2026-03-20T14:10:00.1Z stdout F done request_id=a\n", encoding="utf-8"
    )

    result = run("init", "--path", f"{stem}.log", "-o", "p.yaml")

    text = Path("p.yaml").read_text(encoding="utf-8")
    assert result.exit_code == 0, result.stderr
    assert f"\n  '{stem}':\n    type: file\n" in text
    assert f"\n    parser: '{stem}'\n" in text
    assert run("validate", "-p", "p.yaml").exit_code == 0


def test_the_starter_keys_find_what_a_trace_without_a_profile_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pino writes reqId; the orders log names trace_id only past the lines sampled
    monkeypatch.chdir(tmp_path)
    Path("pino.log").write_text(
        '{"level":30,"time":1774015800123,"reqId":"r-1","msg":"order received"}\n',
        encoding="utf-8",
    )
    orders = [
        f'{{"ts":"2026-03-20T14:10:{i % 60:02d}Z","request_id":"x{i}","msg":"m"}}'
        for i in range(60)
    ]
    orders.append('{"ts":"2026-03-20T14:11:00Z","trace_id":"r-1","msg":"late"}')
    Path("orders.log").write_text("\n".join(orders) + "\n", encoding="utf-8")

    assert run("init", "--path", ".", "-o", "p.yaml").exit_code == 0
    text = Path("p.yaml").read_text(encoding="utf-8")

    assert "\nkeys: [request_id, req_id, rid, trace_id, correlation_id]  #" in text
    with_profile = run("-p", "p.yaml", "r-1", "-o", "ndjson")
    without = run("--path", ".", "r-1", "-o", "ndjson")
    assert summary(with_profile) == summary(without)
    assert [r[3] for r in summary(without)] == ["order received", "late"]


def test_a_nested_id_whose_name_is_no_identifier_gets_a_quoted_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # pino-http: {"req": {"headers": {"x-request-id": …}}}; was an internal error
    monkeypatch.chdir(tmp_path)
    Path("http.log").write_text(
        '{"level":30,"time":1774015800200,"req":{"method":"GET","headers":'
        '{"x-request-id":"r-2"}},"msg":"request completed"}\n',
        encoding="utf-8",
    )

    result = run("init", "--path", "http.log", "-o", "p.yaml")

    assert result.exit_code == 0, result.stderr
    text = Path("p.yaml").read_text(encoding="utf-8")
    assert "    fields: {x_request_id: 'req.headers.\"x-request-id\"'}\n" in text
    assert run("validate", "-p", "p.yaml").exit_code == 0
    assert [r[3] for r in summary(run("-p", "p.yaml", "r-2", "-o", "ndjson"))] == [
        "request completed"
    ]


def test_docker_json_file_and_journald_get_the_auto_parser_that_reads_their_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("c1-json.log").write_text(
        '{"log":"2026-03-20T14:10:00.1Z INFO ok request_id=r-3\\n","stream":"stdout",'
        '"time":"2026-03-20T14:10:00.123456789Z"}\n',
        encoding="utf-8",
    )
    Path("journal.log").write_text(
        '{"__REALTIME_TIMESTAMP":"1774015801123456","PRIORITY":"3",'
        '"MESSAGE":"failed request_id=r-3"}\n',
        encoding="utf-8",
    )

    assert run("init", "--path", ".", "-o", "p.yaml").exit_code == 0
    text = Path("p.yaml").read_text(encoding="utf-8")

    assert text.count("    type: auto\n") == 2
    assert "  # ids: request_id\n" in text
    assert run("validate", "-p", "p.yaml").exit_code == 0
    assert [r[2:] for r in summary(run("-p", "p.yaml", "r-3", "-o", "ndjson"))] == [
        ("info", "ok"),
        ("error", "failed request_id=r-3"),
    ]
