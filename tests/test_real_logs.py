"""Traces of the logs real programs wrote (tests/testdata/real): SOURCES.md's records.

Ad hoc (`--path DIR`, no profile): each case names the program and version that
wrote the file, and checks every record exactly (file:line, UTC instant, level,
message). Messages keep the text as written, except the `key=value` pairs that
open or end it (they become fields).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.real import REAL, trace

from tracerun.cli import cli

D = "2026-12-02T"


_ASIDE = ("tracerun: nothing matched:", "tracerun: note: ", "  hint: add ")
"""Lines of stderr `adhoc` leaves aside: why nothing matched, records other fields hold."""


def adhoc(directory: str, term: str) -> list[tuple[str, str | None, str, str]]:
    """Trace without a profile; records without a time cost one warning per file.

    When nothing matched, the lines saying why (tests/cli/test_cli_trace.py
    checks them) are left aside.
    """
    code, rows, stderr = trace("--path", str(REAL / directory), term)
    assert code == (0 if rows else 1), stderr
    timeless: dict[str, list[int]] = {}
    for row in rows:
        if row[1] is None:
            name, _, line = f"{REAL}/{row[0]}".rpartition(":")
            timeless.setdefault(name, []).append(int(line))
    told = [s for s in stderr.splitlines() if not s.startswith(_ASIDE)]
    # One summary per file (issue #12); these directories hold at most three.
    assert sorted(told) == sorted(
        f"tracerun: warning: {name}:{min(lines)}: record has no timestamp and none "
        "precedes it; it is shown first, without a time"
        + (
            f"; and {len(lines) - 1:,} more like it (first at line {min(lines):,}, "
            f"last at {max(lines):,})"
            if len(lines) > 1
            else ""
        )
        for name, lines in timeless.items()
    )
    return rows


def test_nginx_1_22_access_log_lines_are_records_with_their_query_ids():
    get = "GET /api/orders?request_id=req-9f1c2a7b HTTP/1.1"
    post = "POST /api/orders/confirm?request_id=req-9f1c2a7b HTTP/1.1"
    assert adhoc("nginx", "request_id=req-9f1c2a7b") == [
        ("nginx/access.log:1", f"{D}02:21:02.000Z", "", get),
        ("nginx/access_rid.log:1", f"{D}02:21:02.000Z", "", get),
        ("nginx/access.log:2", f"{D}02:21:04.000Z", "", post),
        ("nginx/access_rid.log:2", f"{D}02:21:04.000Z", "", post),
    ]


def test_nginx_1_22_error_log_and_the_rid_after_the_user_agent():
    missing = "GET /static/missing.png?request_id=req-0d4e5f6a HTTP/1.1"
    rows = adhoc("nginx", "req-0d4e5f6a")
    assert [row[:3] for row in rows] == [
        ("nginx/access.log:3", f"{D}02:21:05.000Z", ""),
        ("nginx/access_rid.log:3", f"{D}02:21:05.000Z", ""),
        ("nginx/error.log:1", f"{D}02:21:05.000Z", "error"),
        ("nginx/access_rid.log:7", f"{D}02:21:09.000Z", ""),
    ]
    assert rows[0][3] == rows[1][3] == missing
    assert rows[2][3].startswith('*3 open() "/work/main/tests/testdata/real/nginx/')
    assert rows[2][3].endswith(f'request: "{missing}", host: "127.0.0.1:18080"')
    assert rows[3][3] == "DELETE /favicon.ico HTTP/1.1"


@pytest.mark.parametrize("term", ["order-42", "rid=order-42"])
def test_nginx_1_22_a_rid_inside_the_user_agent_is_never_a_field(term):
    assert adhoc("nginx", term) == []


def test_nginx_1_22_the_logs_own_rid_wins_over_a_query_parameter():
    # access_rid.log:6 logs `?rid=order-42x` and its own `rid=-`; access.log has
    # no rid of its own, so there the query parameter is the record's rid.
    assert [row[0] for row in adhoc("nginx", "rid=order-42x")] == ["nginx/access.log:6"]
    assert [row[0] for row in adhoc("nginx", "rid=req-5b6c7d8e")] == [
        "nginx/access_rid.log:5"
    ]


@pytest.mark.parametrize(("directory", "hour"), [("postgres-berlin", "CET")])
def test_postgresql_15_zone_abbreviation_levels_and_continued_statement(
    directory, hour
):
    del hour
    f = f"{directory}/postgresql.log"
    insert = "/* request_id=req-a1b2c3d4 */ INSERT INTO orders VALUES (1, {})"
    assert adhoc(directory, "request_id=req-a1b2c3d4") == [
        (f"{f}:9", f"{D}02:21:44.463Z", "info", "statement: " + insert.format("'TEA'")),
        (
            f"{f}:10",
            f"{D}02:21:44.466Z",
            "info",
            "statement: " + insert.format("'MUG'"),
        ),
        (f"{f}:13", f"{D}02:21:44.466Z", "error", insert.format("'MUG'")),
        (f"{f}:14", f"{D}02:21:44.466Z", "info", "statement: SELECT id,"),
        (f"{f}:19", f"{D}02:21:44.468Z", "warn", "slow order"),
    ]


def test_postgresql_15_explicit_utc_and_application_name():
    f = "postgres-utc/postgresql.log"
    assert adhoc("postgres-utc", "application_name=req-e5f60718") == [
        (f"{f}:23", f"{D}02:21:51.498Z", "info", "connection authorized:"),
    ]
    assert adhoc("postgres-utc", "café-42") == [
        (
            f"{f}:31",
            f"{D}02:21:51.501Z",
            "info",
            "statement: /* request_id=café-42 */ SELECT 1",
        ),
    ]
    assert adhoc("postgres-utc", "application_name=req-0badc0de") == []


def test_python_json_logger_4_2_asctime_levelname_and_escaped_non_ascii():
    rows = adhoc("python-json-logger", "café-42")  # written caf\u00e9-42
    assert rows == [
        ("python-json-logger/bare.log:6", None, "", "order received"),
        (
            "python-json-logger/default.log:6",
            f"{D}02:22:05.871Z",
            "info",
            "order received",
        ),
        (
            "python-json-logger/timestamp.log:6",
            f"{D}02:22:05.927Z",
            "info",
            "order received",
        ),
    ]
    assert adhoc("python-json-logger", "req-3c4d5e6f")[:3] == [
        ("python-json-logger/bare.log:1", None, "", "order received"),
        ("python-json-logger/bare.log:2", None, "", "payment slow"),
        ("python-json-logger/bare.log:3", None, "", "charge failed"),
    ]


def test_python_json_logger_4_2_nested_request_id_without_a_profile():
    assert [
        row[:3] for row in adhoc("python-json-logger", "request_id=req-7a8b9c0d")
    ] == [
        ("python-json-logger/bare.log:7", None, ""),
        ("python-json-logger/default.log:7", f"{D}02:22:05.871Z", "error"),
        ("python-json-logger/timestamp.log:7", f"{D}02:22:05.927Z", "error"),
    ]


def test_structlog_26_console_colour_and_json_records():
    rows = sorted(adhoc("structlog", "req-1f2e3d4c"))
    events = [("info", "charge requested"), ("warn", "provider slow")]
    events.append(("error", "charge failed"))
    assert [(row[0], row[2], row[3]) for row in rows] == [
        (f"structlog/{name}:{line}", *event)
        for name in ("console-color.log", "console.log", "json-dict.log", "json.log")
        for line, event in enumerate(events, 1)
    ]
    assert [row[1] for row in rows if "/console.log" in row[0]] == [
        f"{D}02:22:17.000Z",
        f"{D}02:22:19.000Z",
        f"{D}02:22:19.000Z",
    ]


def test_python_3_11_basicconfig_default_format_is_one_record_per_line():
    rows = adhoc("stdlib-logging", "request_id=req-6a7b8c9d")
    assert [row for row in rows if row[0].startswith("stdlib-logging/default")] == [
        ("stdlib-logging/default.log:1", None, "warn", "low stock"),
        ("stdlib-logging/default.log:2", None, "error", "reservation failed"),
        ("stdlib-logging/default.log:11", None, "fatal", "disk full"),
    ]


def test_gunicorn_27_error_log_pid_level_and_the_traceback_record():
    rows = adhoc("gunicorn", "req-2b3c4d5e")
    assert rows == [
        (
            "gunicorn/access.log:1",
            f"{D}02:23:09.000Z",
            "",
            "GET /api/orders?request_id=req-2b3c4d5e HTTP/1.1",
        ),
        ("gunicorn/error.log:6", f"{D}02:23:09.000Z", "info", "handling /api/orders"),
        (
            "gunicorn/access.log:2",
            f"{D}02:23:11.000Z",
            "",
            "GET /boom?request_id=req-2b3c4d5e HTTP/1.1",
        ),
        (
            "gunicorn/error.log:7",
            f"{D}02:23:11.000Z",
            "error",
            "Error handling request GET /boom?request_id=req-2b3c4d5e",
        ),
    ]


def test_gunicorn_27_newyork_offset_and_header_rid():
    assert adhoc("gunicorn-newyork", "req-8d9e0f1a") == [
        (
            "gunicorn-newyork/access.log:4",
            f"{D}02:23:20.000Z",
            "",
            "GET /api/health HTTP/1.1",
        ),
        (
            "gunicorn-newyork/error.log:18",
            f"{D}02:23:20.000Z",
            "info",
            "handling /api/health",
        ),
    ]


def test_logrotate_3_21_copytruncate_without_append_keeps_the_time_after_nul_bytes():
    assert adhoc("logrotate/copytruncate-noappend", "req-c0ffee01") == [
        (
            "logrotate/copytruncate-noappend/app.log.2:1",
            f"{D}02:24:07.163Z",
            "info",
            "order received",
        ),
        (
            "logrotate/copytruncate-noappend/app.log.1:1",
            f"{D}02:24:07.788Z",
            "warn",
            "payment slow",
        ),
        (
            "logrotate/copytruncate-noappend/app.log:1",
            f"{D}02:24:08.420Z",
            "error",
            "charge failed",
        ),
    ]


@pytest.mark.parametrize(
    ("name", "term", "levels"),
    [
        ("slog", "req-d4a3f6e5", ["info", "warn", "error", "error"]),
        ("log4j2-ecs", "req-f6c5b8a7", ["info", "warn", "error", "fatal"]),
        ("log4j2-jsonlayout", "req-a7d6c9b8", ["info", "warn", "error", "fatal"]),
        ("zap", "req-a1f0c3d2", ["info", "warn", "error", "fatal"]),
    ],
)
def test_documented_go_and_java_formats_by_default_keys(name, term, levels):
    rows = adhoc(f"documented/{name}.log", term)
    expected = [
        (f"documented/{name}.log:{line}", level, message)
        for line, level, message in zip(
            (1, 2, 3, 7),
            levels,
            ("order received", "payment slow", "charge failed", "giving up"),
            strict=True,
        )
    ]
    times = [
        f"{D}02:30:00.123Z",
        f"{D}02:30:01.623Z",
        f"{D}02:30:02.000Z",
        f"{D}02:30:05.125Z",
    ]
    if name == "slog":  # line 8: WithGroup("req") writes the id as req.id, a req_id
        expected.append((f"documented/{name}.log:8", "info", "request completed"))
        times.append(f"{D}02:30:05.126Z")
    assert [(row[0], row[2], row[3]) for row in rows] == expected
    assert [row[1] for row in rows] == times


def test_serilog_clef_template_implicit_information_and_pascal_case_id():
    rows = adhoc("documented/serilog-clef.log", "req-b8e7d0c9")
    assert rows == [
        (
            "documented/serilog-clef.log:1",
            f"{D}02:30:00.123Z",
            "info",
            "Order 1 received",
        ),
        (
            "documented/serilog-clef.log:2",
            f"{D}02:30:01.623Z",
            "warn",
            "Payment slow: 1840 ms",
        ),
        (
            "documented/serilog-clef.log:3",
            f"{D}02:30:02.000Z",
            "error",
            "Charge failed",
        ),
        ("documented/serilog-clef.log:7", f"{D}02:30:05.125Z", "fatal", "Giving up"),
        ("documented/serilog-clef.log:8", f"{D}02:30:05.126Z", "info", "Charged 61.00"),
    ]


# --- the real programs, run here (tests/helpers/programs.py) -----------------------


def _near_now(rows, seconds: float = 120.0) -> bool:
    """Every record's time is within `seconds` of now (a wrong zone is hours off)."""
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    times = [datetime.fromisoformat(row[1]) for row in rows]
    return all(abs((now - t).total_seconds()) < seconds for t in times)


def test_nginx_end_to_end_access_logs_and_error_log(tmp_path: Path) -> None:
    from helpers.programs import run_nginx

    spoof = {"User-Agent": "Mozilla/5.0 (compatible; rid=e2e-spoof)"}
    run_nginx(
        tmp_path,
        [
            ("/api/orders?request_id=e2e-1", {"X-Request-ID": "e2e-1"}),
            ("/missing.png?request_id=e2e-1", {"X-Request-ID": "e2e-1"}),
            ("/api/health", {"X-Request-ID": "e2e-2", **spoof}),
        ],
    )
    code, rows, _ = trace("--path", str(tmp_path), "request_id=e2e-1", cwd=tmp_path)
    assert code == 0
    get = "GET /api/orders?request_id=e2e-1 HTTP/1.1"
    missing = "GET /missing.png?request_id=e2e-1 HTTP/1.1"
    by_origin = sorted((row[0], row[2], row[3]) for row in rows)
    assert by_origin[:4] == [
        ("access.log:1", "", get),
        ("access.log:2", "", missing),
        ("access_rid.log:1", "", get),
        ("access_rid.log:2", "", missing),
    ]
    where, level, message = by_origin[4]
    assert (where, level, len(by_origin)) == ("error.log:1", "error", 5)
    assert re.match(r'\*\d+ open\(\) "', message), message
    assert f'request: "{missing}"' in message
    assert _near_now(rows)
    assert [
        row[0] for row in trace("--path", str(tmp_path), "e2e-2", cwd=tmp_path)[1]
    ] == ["access_rid.log:3"]
    assert trace("--path", str(tmp_path), "rid=e2e-spoof", cwd=tmp_path)[0] == 1


def test_postgresql_end_to_end_zone_abbreviation_levels_and_continued_statement(
    tmp_path: Path,
) -> None:
    from helpers.programs import run_postgres

    log = run_postgres(
        tmp_path,
        "Europe/Berlin",
        [
            ("e2e-app", "/* request_id=e2e-3 */ SELECT 1"),
            ("e2e-app", "SELECT 2,\n  3 -- request_id=e2e-3"),
            ("e2e-app", "/* request_id=e2e-3 */ SELECT no_such_function()"),
        ],
    )
    code, rows, _ = trace("--path", str(log), "request_id=e2e-3", cwd=log.parent)
    assert code == 0
    assert [row[2:] for row in rows] == [
        ("info", "statement: /* request_id=e2e-3 */ SELECT 1"),
        ("info", "statement: SELECT 2,"),
        ("info", "statement: /* request_id=e2e-3 */ SELECT no_such_function()"),
        ("error", "/* request_id=e2e-3 */ SELECT no_such_function()"),
    ]
    assert _near_now(rows)  # read in CET, not as naive UTC (an hour off)
    app = trace("--path", str(log), "application_name=e2e-app", cwd=log.parent)[1]
    assert [row[2] for row in app] == ["info"] * 3  # the three connections


def test_logrotate_end_to_end_rotations_merge_in_time_order(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from helpers.programs import run_logrotate

    def line(level: str, rid: str, msg: str) -> str:
        now = (
            datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        )
        return f'time={now} level={level} request_id={rid} msg="{msg}"'

    log = tmp_path / "app.log"
    run_logrotate(
        log,
        [
            lambda: [line("info", "e2e-4", "order received"), line("info", "x", "y")],
            lambda: [line("warn", "e2e-4", "payment slow")],
            lambda: [
                line("error", "e2e-4", "charge failed"),
                line("info", "e2e-40", "z"),
            ],
        ],
    )
    assert sorted(p.name for p in tmp_path.glob("app.log*")) == [
        "app.log",
        "app.log.1",
        "app.log.2.gz",
    ]
    code, rows, _ = trace("--path", str(tmp_path), "e2e-4", cwd=tmp_path)
    assert (code, [row[0] for row in rows], [row[2:] for row in rows]) == (
        0,
        ["app.log.2.gz:1", "app.log.1:1", "app.log:1"],
        [
            ("info", "order received"),
            ("warn", "payment slow"),
            ("error", "charge failed"),
        ],
    )


PYTHON_LOGGERS = {
    "python-json-logger": """
import logging, sys
from pythonjsonlogger.json import JsonFormatter
handler = logging.FileHandler(sys.argv[1])
handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
log = logging.getLogger("shop"); log.addHandler(handler); log.setLevel(logging.INFO)
log.info("order received", extra={"request_id": "café-e2e"})
log.warning("nested", extra={"ctx": {"request_id": "café-e2e"}})
try:
    1 / 0
except ZeroDivisionError:
    log.exception("charge failed", extra={"request_id": "café-e2e"})
""",
    "structlog": """
import sys, structlog
out = open(sys.argv[1], "w")
structlog.configure(
    processors=[structlog.processors.add_log_level,
                structlog.processors.TimeStamper(fmt="iso"),
                structlog.processors.format_exc_info,
                structlog.processors.JSONRenderer()],
    logger_factory=structlog.PrintLoggerFactory(out))
log = structlog.get_logger().bind(request_id="café-e2e")
log.info("order received")
log.warning("nested", ctx={"request_id": "x"})
try:
    1 / 0
except ZeroDivisionError:
    log.exception("charge failed")
""",
}


@pytest.mark.parametrize("library", sorted(PYTHON_LOGGERS))
def test_python_json_loggers_end_to_end_escaped_id_time_level_and_stack(
    library: str, tmp_path: Path
) -> None:
    import subprocess
    import sys

    log = tmp_path / "app.log"
    subprocess.run(
        [sys.executable, "-c", PYTHON_LOGGERS[library], str(log)], check=True
    )
    assert b"caf\\u00e9-e2e" in log.read_bytes()  # the library's default escaping

    code, rows, _ = trace("--path", str(tmp_path), "café-e2e", cwd=tmp_path)

    assert code == 0
    assert [row[2:] for row in rows] == [
        ("info", "order received"),
        ("warn", "nested"),
        ("error", "charge failed"),
    ]
    assert _near_now(rows)
    text = CliRunner().invoke(
        cli, ["--path", str(tmp_path), "--color", "never", "café-e2e"]
    )
    assert text.stdout.splitlines()[-1] == "    ZeroDivisionError: division by zero"


# --- default formats of other programs, as their documentation shows them ------------
# Each was read as one record (the first line's) before its record start was known.

T = "2026-03-20T14:10:"
OTHER_DEFAULTS = {
    "apache-error": (
        (
            "[Fri Mar 20 14:10:00.123456 2026] [core:notice] [pid 4242:tid 1] AH00094: x\n"
            "[Fri Mar 20 14:10:01.223456 2026] [php:error] [pid 4243:tid 2] [client "
            "10.0.0.1:5678] PHP Warning:  charge failed request_id=abc123, referer: x\n"
            "[Fri Mar 20 14:10:02.323456 2026] [proxy:error] [pid 4243:tid 2] (111)"
            "Connection refused: AH00957: failed request_id=abc1234\n"
        ),
        [(2, f"{T}01.223Z", "error")],
    ),
    "redis": (
        (
            "4242:C 20 Mar 2026 14:10:00.123 # oO0OoO0OoO0Oo Redis is starting\n"
            "4242:M 20 Mar 2026 14:10:01.789 # Client id=5 addr=127.0.0.1:50000 "
            "name=abc123 age=1 cmd=get closed for overcoming of output buffer limits.\n"
            "4242:M 20 Mar 2026 14:10:02.789 # Client id=6 name=abc1234 closed\n"
        ),
        [(2, f"{T}01.789Z", "warn")],
    ),
    "rails": (
        (
            "I, [2026-03-20T14:10:00.123456 #4242]  INFO -- : [abc123] Started GET "
            '"/orders" for 127.0.0.1 at 2026-03-20 14:10:00 +0000\n'
            "E, [2026-03-20T14:10:02.193000 #4242] ERROR -- : [abc123] charge failed "
            "request_id=abc123\n"
            "I, [2026-03-20T14:10:03.000000 #4242]  INFO -- : [x] Completed "
            "request_id=abc1234\n"
        ),
        [(2, f"{T}02.193Z", "error")],
    ),
    "django": (
        (
            '[20/Mar/2026 14:10:00] "GET /api/orders?request_id=abc123 HTTP/1.1" 200 12\n'
            '[20/Mar/2026 14:10:01] "GET /api/orders?request_id=abc1234 HTTP/1.1" 200 1\n'
            '[20/Mar/2026 14:10:02] "POST /api/pay?request_id=abc123 HTTP/1.1" 500 145\n'
        ),
        [(1, f"{T}00.000Z", ""), (3, f"{T}02.000Z", "")],
    ),
    "klog": (
        (
            'I0320 14:10:00.123456    4242 controller.go:123] "Reconciling" '
            'request_id="abc123"\n'
            'W0320 14:10:01.123456    4242 controller.go:124] "Retry" '
            'request_id="abc1234"\n'
            'E0320 14:10:02.193000    4242 controller.go:125] "Reconcile failed" '
            'request_id="abc123"\n'
        ),
        [(1, f"{T}00.123Z", "info"), (3, f"{T}02.193Z", "error")],
    ),
    "alb": (
        (
            "http 2026-03-20T14:10:00.123456Z app/my-lb/50dc 1.2.3.4:2817 10.0.0.1:80 "
            '0.000 0.001 0.000 200 200 34 366 "GET http://x:80/a?request_id=abc1234 '
            'HTTP/1.1" "curl/7.46.0" - -\n'
            "h2 2026-03-20T14:10:01.123456Z app/my-lb/50dc 1.2.3.4:2817 10.0.0.1:80 "
            '0.000 0.001 0.000 200 200 34 366 "GET https://x:443/a?request_id=abc123 '
            'HTTP/2.0" "curl/7.46.0" - -\n'
        ),
        [(2, f"{T}01.123Z", "")],
    ),
    "cloudfront": (
        (
            "#Version: 1.0\n#Fields: date time x-edge-location cs-uri-stem cs-uri-query\n"
            "2026-03-20\t14:10:00\tSEA19-C1\t/api/orders\trequest_id=abc1234\n"
            "2026-03-20\t14:10:01\tSEA19-C1\t/api/orders\trequest_id=abc123\n"
        ),
        [(4, f"{T}01.000Z", "")],
    ),
    "mysql-slow": (
        (
            "/usr/sbin/mysqld, Version: 8.0.36 (MySQL Community Server - GPL). started "
            "with:\nTcp port: 3306  Unix socket: /var/run/mysqld/mysqld.sock\n"
            "Time                 Id Command    Argument\n"
            "# Time: 2026-03-20T14:10:00.123456Z\n# User@Host: app[app] @ localhost []\n"
            "SET timestamp=1774015800;\nSELECT SLEEP(2) /* request_id=abc1234 */;\n"
            "# Time: 2026-03-20T14:10:05.123456Z\n# User@Host: app[app] @ localhost []\n"
            "SET timestamp=1774015805;\nSELECT SLEEP(3) /* request_id=abc123 */;\n"
        ),
        [(8, f"{T}05.123Z", "")],
    ),
    "python-cookbook": (
        (
            "2026-03-20 14:10:00,123 - orders - INFO - order received request_id=abc123\n"
            "2026-03-20 14:10:02,193 - orders - ERROR - charge failed request_id=abc123\n"
            'Traceback (most recent call last):\n  File "/app/pay.py", line 12, in x\n'
            "TimeoutError: provider\n"
            "2026-03-20 14:10:03,000 - orders - WARNING - other request_id=abc1234\n"
        ),
        [(1, f"{T}00.123Z", "info"), (2, f"{T}02.193Z", "error")],
    ),
    "docker-json-file": (
        (
            '{"log":"2026-03-20T14:10:00.123Z INFO order received request_id=abc123'
            '\\n","stream":"stdout","time":"2026-03-20T14:10:00.123456789Z"}\n'
            '{"log":"{\\"level\\":\\"error\\",\\"request_id\\":\\"abc123\\",'
            '\\"msg\\":\\"charge failed\\"}\\n","stream":"stderr",'
            '"time":"2026-03-20T14:10:01.123456789Z"}\n'
            '{"log":"other request_id=abc1234\\n","stream":"stdout",'
            '"time":"2026-03-20T14:10:02.123456789Z"}\n'
        ),
        [(1, f"{T}00.123Z", "info"), (2, f"{T}01.123Z", "error")],
    ),
    "kubelet-cri": (
        (
            "2026-03-20T14:10:00.123456789Z stdout F order received request_id=abc123\n"
            '2026-03-20T14:10:01.123456789Z stderr F {"level":"warn","request_id":'
            '"abc123","msg":"slow"}\n'
            "2026-03-20T14:10:02.123456789Z stdout F other request_id=abc1234\n"
        ),
        [(1, f"{T}00.123Z", ""), (2, f"{T}01.123Z", "warn")],
    ),
    "zap-development": (
        (
            "2026-03-20T15:10:00.123+0100\tINFO\torders/main.go:42\torder received"
            '\t{"request_id": "abc123", "user": 7}\n'
            '2026-03-20T15:10:01.123+0100\tWARN\torders/main.go:43\tother\t{"request_id"'
            ': "abc1234"}\n'
            "2026-03-20T15:10:02.193+0100\tERROR\torders/main.go:44\tcharge failed"
            '\t{"request_id": "abc123"}\nmain.charge\n\t/app/orders/main.go:44\n'
        ),
        [(1, f"{T}00.123Z", "info"), (3, f"{T}02.193Z", "error")],
    ),
    "journald-json": (
        (
            '{"__REALTIME_TIMESTAMP":"1774015800123456","PRIORITY":"6",'
            '"SYSLOG_IDENTIFIER":"orders","MESSAGE":"order received request_id=abc123"}\n'
            '{"__REALTIME_TIMESTAMP":"1774015801123456","PRIORITY":"3",'
            '"SYSLOG_IDENTIFIER":"orders","MESSAGE":"charge failed","REQUEST_ID":"abc123"}\n'
            '{"__REALTIME_TIMESTAMP":"1774015802123456","PRIORITY":"4",'
            '"MESSAGE":"other request_id=abc1234 abc123"}\n'
        ),
        [(1, f"{T}00.123Z", "info"), (2, f"{T}01.123Z", "error")],
    ),
    "envoy-istio": (  # the request id is only the quoted %REQ(X-REQUEST-ID)%
        (
            '[2026-03-20T14:10:00.123Z] "GET /api/orders HTTP/1.1" 200 - 0 512 12 11 '
            '"10.0.0.1" "curl/7.88.1" "abc123" "orders.local" "10.0.0.2:8080"\n'
            '[2026-03-20T14:10:01.123Z] "GET /api/orders HTTP/1.1" 200 - via_upstream '
            '- "-" 0 135 4 4 "-" "curl/7.88.1" "abc1234" "orders:8000" "127.0.0.1:80" '
            "inbound|8000|| 127.0.0.1:41854\n"
            '[2026-03-20T14:10:02.123Z] "POST /api/pay HTTP/1.1" 503 UF via_upstream '
            '- "-" 0 135 4 4 "-" "curl/7.88.1" "abc123" "pay:8000" "127.0.0.1:80" '
            "inbound|8000|| 127.0.0.1:41855\n"
        ),
        [(1, f"{T}00.123Z", ""), (3, f"{T}02.123Z", "")],
    ),
    "otel-python-sdk": (  # ConsoleLogExporter: `body`, `severity_text`
        (
            '{"body":"order received","severity_number":9,"severity_text":"INFO",'
            '"attributes":{"request_id":"abc123"},"timestamp":'
            '"2026-03-20T14:10:00.123000Z","trace_id":"0x4bf92f3577b34da6"}\n'
            '{"body":"charge failed","severity_number":17,"severity_text":"ERROR",'
            '"attributes":{"request_id":"abc1234"},"timestamp":'
            '"2026-03-20T14:10:01.123000Z"}\n'
        ),
        [(1, f"{T}00.123Z", "info")],
    ),
    # The Collector's `file` exporter: one ExportLogsServiceRequest per line in
    # OTLP/JSON (pdata's marshaler: int64 times as strings, zero fields left out).
    "otelcol-file": (
        (
            '{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name",'
            '"value":{"stringValue":"checkout"}}]},"scopeLogs":[{"scope":{"name":'
            '"checkout.orders"},"logRecords":[{"timeUnixNano":"1774015800123456789",'
            '"observedTimeUnixNano":"1774015800123500000","severityNumber":9,'
            '"severityText":"INFO","body":{"stringValue":"order placed"},'
            '"attributes":[{"key":"request_id","value":{"stringValue":"abc123"}}],'
            '"traceId":"5b8efff798038103d269b633813fc60c","spanId":"eee19b7ec3c1b174"},'
            '{"timeUnixNano":"1774015800500000000","severityNumber":9,"severityText":'
            '"INFO","body":{"stringValue":"retry of abc123"},"attributes":[{"key":'
            '"request_id","value":{"stringValue":"abc1234"}}]},{"observedTimeUnixNano":'
            '"1774015802193000000","severityNumber":17,"body":{"stringValue":'
            '"charge failed"},"attributes":[{"key":"http","value":{"kvlistValue":'
            '{"values":[{"key":"request_id","value":{"stringValue":"abc123"}}]}}}]}]}],'
            '"schemaUrl":"https://opentelemetry.io/schemas/1.6.1"}]}\n'
            '{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name",'
            '"value":{"stringValue":"payments"}}]},"scopeLogs":[{"scope":{},'
            '"logRecords":[{"timeUnixNano":"1774015801000000000","severityText":'
            '"WARN","body":{"stringValue":"slow"},"attributes":[{"key":"user.id",'
            '"value":{"stringValue":"abc1234"}}]},{"timeUnixNano":'
            '"1774015801500000000","severityText":"WARN","body":{"stringValue":'
            '"retrying"},"attributes":[{"key":"request_id","value":{"arrayValue":'
            '{"values":[{"stringValue":"abc123"}]}}}]}]}]}]}\n'
        ),
        [
            (1, f"{T}00.123Z", "info"),
            (2, f"{T}01.500Z", "warn"),
            (1, f"{T}02.193Z", "error"),
        ],
    ),
}


@pytest.mark.parametrize("name", sorted(OTHER_DEFAULTS))
def test_other_programs_default_formats_are_one_record_per_entry(name, tmp_path):
    text, expected = OTHER_DEFAULTS[name]
    (tmp_path / f"{name}.log").write_text(text)
    code, rows, _ = trace(
        "--path", str(tmp_path), "abc123", "name=abc123", cwd=tmp_path
    )
    assert code == 0
    assert [(row[0], row[1], row[2]) for row in rows] == [
        (f"{name}.log:{line}", time, level) for line, time, level in expected
    ]
    if name != "mysql-slow":  # `# Time: …` alone on its line; the rest follows
        assert all(row[3] for row in rows), rows  # every record has its message


def test_rails_tags_are_the_list_field_tags(tmp_path):
    # Rails' production default: config.log_tags = [:request_id]
    (tmp_path / "production.log").write_text(
        "I, [2026-03-20T14:10:00.123456 #4242]  INFO -- : [9f1c-1111] Started GET "
        '"/orders" for 127.0.0.1 at 2026-03-20 14:10:00 +0000\n'
        "I, [2026-03-20T14:10:00.200000 #4242]  INFO -- : [9f1c-11110] Started GET\n"
        "E, [2026-03-20T14:10:00.300000 #4242] ERROR -- : [9f1c-1111] boom\n"
    )
    code, rows, _ = trace("--path", str(tmp_path), "tags=9f1c-1111", cwd=tmp_path)
    assert (code, rows) == (
        0,
        [
            (
                "production.log:1",
                f"{T}00.123Z",
                "info",
                'Started GET "/orders" for 127.0.0.1 at 2026-03-20 14:10:00 +0000',
            ),
            ("production.log:3", f"{T}00.300Z", "error", "boom"),
        ],
    )


def test_caddy_2_6_headers_are_lists_and_a_header_alone_carries_the_id():
    # access.log:3 has the id only in `"X-Request-Id":["abc123"]` (a 404, no query)
    rows = [
        ("caddy/access.log:1", "2026-12-03T12:02:40.215Z", "info", "handled request"),
        ("caddy/access.log:3", "2026-12-03T12:02:41.246Z", "error", "handled request"),
    ]
    assert adhoc("caddy", "abc123") == rows
    assert adhoc("caddy", "X-Request-Id=abc123") == rows


def test_mariadb_10_11_general_log_events_are_records_with_the_seconds_stamp():
    # `261203 12:05:49\t     3 Connect\t…`; the events of the same second follow
    # as `\t\t     3 Query\t…` without a time: each its own record, at that second
    f = "mariadb/general.log"
    rows = [
        (
            f"{f}:5",
            "2026-12-03T12:05:49.000Z",
            "",
            "3 Query\tSELECT 1 /* request_id=abc123 */",
        ),
        (
            f"{f}:10",
            "2026-12-03T12:05:50.000Z",
            "",
            "4 Query\tSELECT nosuch /* request_id=abc123 */",
        ),
        (
            f"{f}:13",
            "2026-12-03T12:05:51.000Z",
            "",
            "5 Query\tSELECT 4 /* request_id=abc123 */",
        ),
    ]
    assert adhoc("mariadb", "request_id=abc123") == rows
    assert adhoc("mariadb", "abc123") == rows


def test_winston_3_19_simple_format_lines_are_records_with_the_json_tail_time():
    # `info: order received {"request_id":"abc123","timestamp":"…"}`: the level
    # word first, the metadata (and time) in the JSON that ends the line
    rows = adhoc("winston", "abc123")
    assert [row for row in rows if row[0].startswith("winston/simple")] == [
        ("winston/simple.log:1", "2026-12-03T12:09:33.479Z", "info", "order received"),
        ("winston/simple.log:3", "2026-12-03T12:09:33.480Z", "error", "charge failed"),
    ]
    assert [row[:3] for row in rows if not row[0].startswith("winston/simple")] == [
        ("winston/default.log:1", None, "info"),  # winston's default: no time
        ("winston/default.log:3", None, "error"),
        ("winston/timestamp.log:1", "2026-12-03T12:09:33.473Z", "info"),
        ("winston/timestamp.log:3", "2026-12-03T12:09:33.478Z", "error"),
        ("winston/timestamp.log:5", "2026-12-03T12:09:33.480Z", "info"),
    ]
    # The spoof's `note` is not a key: left out, and counted in one note.
    note = trace("--path", str(REAL / "winston"), "abc123")[2].splitlines()[-2:]
    assert note == [
        (
            "tracerun: note: 3 more records hold 'abc123' only in a field that is not"
            f" a key: 'note' (first: {REAL}/winston/default.log:4); they were not printed"
        ),
        "  hint: add note=abc123 to the terms (they are OR-ed) to print them",
    ]


def test_haproxy_2_6_raw_httplog_lines_are_records_at_their_accept_date():
    # `127.0.0.1:49346 [03/Dec/2026:12:01:39.593] fe be/s1 …`: the client and
    # its port before the date (ms, the server's zone: UTC); the id in the query
    rows = adhoc("haproxy", "request_id=abc123")
    assert [row[:3] for row in rows] == [
        ("haproxy/haproxy.log:1", "2026-12-03T12:01:39.593Z", ""),
        ("haproxy/haproxy.log:3", "2026-12-03T12:01:40.622Z", ""),
        ("haproxy/haproxy-rfc3164.log:1", "2026-12-03T12:01:54.000Z", "info"),
    ]
    # read field by field (extract/auto.py HAPROXY): the request is the message
    assert rows[0][3] == "GET /?request_id=abc123 HTTP/1.1"


# AWS Lambda as CloudWatch holds it (and `sam logs` / `aws logs tail` print it,
# a stream name and an ingestion time before each event): the platform's
# `START|END|REPORT RequestId: ID` lines (no time of their own: each takes the
# time before it), the Node.js runtime's `TIME\tID\tLEVEL\tmessage`, the
# platform's `TIME ID Task timed out after …` and the Python runtime's
# `[LEVEL]\tTIME\tID\tmessage` (its bootstrap's logging format).
L1 = "8f5e1c2a-3b4d-4e6f-8a9b-0c1d2e3f4a5b"
L2 = "8f5e1c2a-3b4d-4e6f-8a9b-0c1d2e3f4a5c"
LAMBDA_NODE = (
    "INIT_START Runtime Version: nodejs:20.v13\tRuntime Version ARN: "
    "arn:aws:lambda:us-east-1::runtime:0a1b\n"
    f"START RequestId: {L1} Version: $LATEST\n"
    f"2024-01-01T10:00:00.123Z\t{L1}\tINFO\torder placed\n"
    f"2024-01-01T10:00:00.200Z\t{L1}\tWARN\tstock low\n"
    f"END RequestId: {L1}\n"
    f"REPORT RequestId: {L1}\tDuration: 80.12 ms\tBilled Duration: 81 ms\t"
    "Memory Size: 128 MB\tMax Memory Used: 70 MB\tInit Duration: 150.00 ms\t\n"
    f"START RequestId: {L2} Version: $LATEST\n"
    f"2024-01-01T10:00:01.000Z\t{L2}\tINFO\tretry of {L1}\n"
    f"2024-01-01T10:00:04.010Z {L2} Task timed out after 3.00 seconds\n"
    f"END RequestId: {L2}\n"
    f"REPORT RequestId: {L2}\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\t"
    "Memory Size: 128 MB\tMax Memory Used: 71 MB\t\n"
)
LAMBDA_PYTHON = (
    f"START RequestId: {L2[:-1]}d Version: $LATEST\n"
    f"[INFO]\t2024-01-01T10:00:00.500Z\t{L2[:-1]}d\torder placed request_id=ord-1\n"
    f"[ERROR]\t2024-01-01T10:00:00.600Z\t{L2[:-1]}d\tcharge failed\n"
    'Traceback (most recent call last):\n  File "/var/task/app.py", line 5, in h\n'
    "ValueError: boom\n"
    f"END RequestId: {L2[:-1]}d\n"
)


def test_aws_lambda_node_runtime_and_platform_lines_are_each_a_record(tmp_path):
    (tmp_path / "node.log").write_text(LAMBDA_NODE)

    code, rows, stderr = trace("--path", str(tmp_path), L1, cwd=tmp_path)

    assert (code, rows) == (
        0,
        [
            ("node.log:2", None, "", f"START RequestId: {L1} Version: $LATEST"),
            ("node.log:3", "2024-01-01T10:00:00.123Z", "info", "order placed"),
            ("node.log:4", "2024-01-01T10:00:00.200Z", "warn", "stock low"),
            ("node.log:5", "2024-01-01T10:00:00.200Z", "", f"END RequestId: {L1}"),
            (
                "node.log:6",
                "2024-01-01T10:00:00.200Z",
                "",
                LAMBDA_NODE.splitlines()[5].rstrip("\t"),
            ),
        ],
    )
    assert stderr == (
        f"tracerun: warning: {tmp_path}/node.log:2: record has no timestamp and "
        "none precedes it; it is shown first, without a time\n"
    )
    code, rows, _ = trace("--path", str(tmp_path), f"RequestId={L2}", cwd=tmp_path)
    assert [row[:3] for row in rows] == [
        ("node.log:7", "2024-01-01T10:00:00.200Z", ""),
        ("node.log:8", "2024-01-01T10:00:01.000Z", "info"),
        ("node.log:9", "2024-01-01T10:00:04.010Z", ""),
        ("node.log:10", "2024-01-01T10:00:04.010Z", ""),
        ("node.log:11", "2024-01-01T10:00:04.010Z", ""),
    ]
    assert rows[2][3] == "Task timed out after 3.00 seconds"


def test_aws_lambda_python_runtime_lines_and_their_traceback(tmp_path):
    (tmp_path / "python.log").write_text(LAMBDA_PYTHON)
    (tmp_path / "node.log").write_text(LAMBDA_NODE)  # other ids only: decoys

    code, rows, _ = trace("--path", str(tmp_path), f"{L2[:-1]}d", cwd=tmp_path)

    assert (code, rows) == (
        0,
        [
            ("python.log:1", None, "", f"START RequestId: {L2[:-1]}d Version: $LATEST"),
            ("python.log:2", "2024-01-01T10:00:00.500Z", "info", "order placed"),
            ("python.log:3", "2024-01-01T10:00:00.600Z", "error", "charge failed"),
            (
                "python.log:7",
                "2024-01-01T10:00:00.600Z",
                "",
                f"END RequestId: {L2[:-1]}d",
            ),
        ],
    )


def test_aws_lambda_through_sam_logs_and_aws_logs_tail(tmp_path):
    stream = "2024/01/01/[$LATEST]0a1b2c3d4e5f67890a1b2c3d4e5f6789"
    # `sam logs`: STREAM TIME MESSAGE (the time: CloudWatch's, in UTC, naive)
    (tmp_path / "sam.log").write_text(
        f"{stream} 2024-01-01T10:00:00.100000 START RequestId: {L1} Version: $LATEST\n"
        f"{stream} 2024-01-01T10:00:00.124000 2024-01-01T10:00:00.123Z\t{L1}\tINFO"
        "\torder placed\n"
        f"{stream} 2024-01-01T10:00:00.201000 2024-01-01T10:00:00.200Z\t{L2}\tINFO"
        "\tother\n"
    )
    # `aws logs tail`: TIME STREAM MESSAGE
    (tmp_path / "tail.log").write_text(
        f"2024-01-01T10:00:00.300000+00:00 {stream} END RequestId: {L1}\n"
    )

    code, rows, stderr = trace("--path", str(tmp_path), L1, cwd=tmp_path)

    assert (code, stderr) == (0, "")
    assert rows == [
        (
            "sam.log:1",
            "2024-01-01T10:00:00.100Z",
            "",
            f"START RequestId: {L1} Version: $LATEST",
        ),
        ("sam.log:2", "2024-01-01T10:00:00.123Z", "info", "order placed"),
        ("tail.log:1", "2024-01-01T10:00:00.300Z", "", f"END RequestId: {L1}"),
    ]


# HAProxy's `option httplog` with `capture request header X-Request-ID len 64`
# and `capture request header User-Agent len 64`, through rsyslog (HAProxy's
# documented example line, section 8.2.3).
HAPROXY = (
    "Feb  6 12:14:14 localhost haproxy[14389]: 10.0.1.2:33317 "
    "[06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - "
    '---- 1/1/1/1/0 0/0 {abc123|Mozilla/5.0} {} "GET /index.html HTTP/1.1"\n'
    "Feb  6 12:14:15 localhost haproxy[14389]: 10.0.1.2:33318 "
    "[06/Feb/2009:12:14:15.001] http-in static/srv1 10/0/30/69/109 200 2750 - - "
    '---- 1/1/1/1/0 0/0 {abc1234|Mozilla/5.0} {} "GET /retry?of=abc123 HTTP/1.1"\n'
    "Feb  6 12:14:16 localhost haproxy[14389]: 10.0.1.2:33319 "
    "[06/Feb/2009:12:14:15.900] http-in dynamic/srv2 10/0/30/69/109 502 0 - - "
    'SH-- 1/1/1/1/0 0/0 {abc123|curl/8.5.0} {} "POST /pay HTTP/1.1"\n'
)


def test_haproxy_captured_headers_are_found_by_their_field(tmp_path):
    (tmp_path / "haproxy.log").write_text(HAPROXY)

    code, rows, _ = trace(
        "--path", str(tmp_path), "captured_request_headers=abc123", cwd=tmp_path
    )

    assert (code, rows) == (
        0,
        [
            (
                "haproxy.log:1",
                "2009-02-06T12:14:14.655Z",
                "",
                "GET /index.html HTTP/1.1",
            ),
            ("haproxy.log:3", "2009-02-06T12:14:15.900Z", "", "POST /pay HTTP/1.1"),
        ],
    )


def test_a_bare_id_in_haproxys_captures_is_named_not_matched(tmp_path):
    # A capture has no name in the line (as Rails' tags): a bare id searches
    # the key fields only, and when nothing matched the trace names the field
    # (line 2: the query parameter `of` holds it, counted too).
    (tmp_path / "haproxy.log").write_text(HAPROXY)

    code, rows, stderr = trace("--path", str(tmp_path), "abc123", cwd=tmp_path)

    assert (code, rows) == (1, [])
    assert stderr == (
        "tracerun: nothing matched: the id was found in 3 records but in no key "
        f"field; field 'captured_request_headers' holds it (first: {tmp_path}/"
        "haproxy.log:1; keys searched: request_id, req_id, rid, trace_id, "
        "correlation_id; write captured_request_headers=abc123 to search it)\n"
    )


def test_a_profile_whose_keys_name_the_captures_finds_them_by_a_bare_id(tmp_path):
    (tmp_path / "haproxy.log").write_text(HAPROXY)
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "version: 1\nkeys: [request_id, captured_request_headers]\n"
        "sources:\n  edge: {type: file, paths: [haproxy.log]}\n"
    )

    code, rows, _ = trace("-p", str(profile), "abc123", cwd=tmp_path)

    assert (code, [row[:2] for row in rows]) == (
        0,
        [
            ("haproxy.log:1", "2009-02-06T12:14:14.655Z"),
            ("haproxy.log:3", "2009-02-06T12:14:15.900Z"),
        ],
    )


# logback's default console layout (BasicConfigurator, logback 1.5:
# `%d{HH:mm:ss.SSS} [%thread] %-5level %logger{36} -%kvp- %msg%n`; 1.2 wrote
# ` - `), log4j2's default PatternLayout alike: a time of day without a date.
LOGBACK = (
    "23:59:58.500 [main] INFO  com.example.Orders -- order received request_id=abc123\n"
    "23:59:59.000 [main] INFO  com.example.Orders -- other request_id=abc1234\n"
    "00:00:01.250 [http-nio-8080-exec-1] ERROR com.example.Orders -- charge failed "
    "request_id=abc123\njava.lang.IllegalStateException: boom\n"
    "\tat com.example.Orders.charge(Orders.java:42)\n"
    '00:00:03.000 [main] WARN  com.example.Orders -request_id="abc123"- retrying\n'
)


def test_logback_times_of_day_take_the_files_date_and_merge_in_order(tmp_path):
    import os

    log = tmp_path / "app.log"
    log.write_text(LOGBACK)
    # last written a minute after its last line, after midnight (UTC)
    written = datetime_us("2026-03-21T00:01:00Z")
    os.utime(log, ns=(written * 1000, written * 1000))
    paid = [("2026-03-20T23:59:59.900Z", "info", "paid")]
    paid.append(("2026-03-21T00:00:02.000Z", "warn", "refund"))
    (tmp_path / "pay.log").write_text(
        "".join(
            json.dumps({"time": t, "level": v, "msg": m, "request_id": "abc123"}) + "\n"
            for t, v, m in paid
        )
    )

    code, rows, stderr = trace("--path", str(tmp_path), "abc123", cwd=tmp_path)

    assert (code, stderr) == (0, "")
    assert rows == [  # the lines before midnight are of the day before
        ("app.log:1", "2026-03-20T23:59:58.500Z", "info", "order received"),
        ("pay.log:1", "2026-03-20T23:59:59.900Z", "info", "paid"),
        ("app.log:3", "2026-03-21T00:00:01.250Z", "error", "charge failed"),
        ("pay.log:2", "2026-03-21T00:00:02.000Z", "warn", "refund"),
        ("app.log:6", "2026-03-21T00:00:03.000Z", "warn", "retrying"),
    ]


def test_logback_times_of_day_are_read_in_the_sources_zone(tmp_path):
    import os

    log = tmp_path / "app.log"
    log.write_text(LOGBACK)
    written = datetime_us("2026-03-20T23:01:00Z")  # 00:01 in Berlin (CET)
    os.utime(log, ns=(written * 1000, written * 1000))
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "version: 1\ntimezone: Europe/Berlin\n"
        "sources:\n  app: {type: file, paths: [app.log]}\n"
    )

    code, rows, _ = trace("-p", str(profile), "abc123", cwd=tmp_path)

    assert (code, [row[1] for row in rows]) == (
        0,
        [
            "2026-03-20T22:59:58.500Z",
            "2026-03-20T23:00:01.250Z",
            "2026-03-20T23:00:03.000Z",
        ],
    )


def test_a_command_sources_times_of_day_have_no_date_so_no_instant(
    tmp_path, monkeypatch
):
    import sys

    (tmp_path / "app.log").write_text(LOGBACK)
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "version: 1\nsources:\n  app:\n    type: command\n"
        f"    argv: [{sys.executable}, -c, 'import sys; "
        'sys.stdout.write(open("app.log").read())\']\n'
        f"    cwd: {tmp_path}\n"
    )
    monkeypatch.setenv("TRACERUN_TRUST", "all")  # run it without `tracerun trust`

    code, rows, stderr = trace("-p", str(profile), "abc123", cwd=Path("/"))

    assert (code, [row[1:] for row in rows]) == (
        0,
        [
            (None, "info", "order received"),
            (None, "error", "charge failed"),
            (None, "warn", "retrying"),
        ],
    )
    assert stderr.startswith("tracerun: warning: ")
    assert stderr.endswith(
        ":1: record has no timestamp and none precedes it; it is shown first, "
        "without a time; and 2 more like it (first at line 1, last at 6)\n"
    )


def datetime_us(text: str) -> int:
    from tracerun.timeparse import parse_time

    us = parse_time(text)
    assert us is not None
    return us


def test_java_util_logging_17_two_line_records_take_the_header_time():
    # SimpleFormatter: `Dec 03, 2026 1:44:05 PM Jul handle` then `LEVEL: msg`;
    # each message line is a record at the header line's time (12-hour clock)
    t = "2026-12-03T13:44:0"
    rows = [
        ("jul/jul.log:2", f"{t}5.000Z", "info", "order received"),
        ("jul/jul.log:4", f"{t}5.000Z", "info", "tax table loaded"),  # CONFIG
        ("jul/jul.log:6", f"{t}5.000Z", "debug", "cart priced"),  # FINE
        ("jul/jul.log:8", f"{t}5.000Z", "warn", "payment slow"),
        ("jul/jul.log:10", f"{t}5.000Z", "error", "charge failed"),  # SEVERE
        ("jul/stderr.log:2", f"{t}5.000Z", "info", "order received"),
        ("jul/stderr.log:4", f"{t}5.000Z", "warn", "payment slow"),
        ("jul/stderr.log:6", f"{t}5.000Z", "error", "charge failed"),
        ("jul/jul.log:28", f"{t}6.000Z", "info", "refund issued"),
        ("jul/stderr.log:24", f"{t}6.000Z", "info", "refund issued"),
    ]
    assert adhoc("jul", "abc123") == rows
    assert adhoc("jul", "request_id=abc1230") == [
        ("jul/jul.log:26", f"{t}5.000Z", "info", "other order"),
        ("jul/stderr.log:22", f"{t}5.000Z", "info", "other order"),
    ]


def test_java_util_logging_17_a_records_stack_trace_is_its_body_and_no_header():
    # the SEVERE record holds its whole trace (Suppressed:, Caused by:, `... 2
    # more`) and the blank line SimpleFormatter ends it with, never the next
    # record's header line
    log = REAL / "jul" / "jul.log"
    result = CliRunner().invoke(cli, ["--path", str(log), "abc123", "--color", "never"])
    body = log.read_text().splitlines()[10:24]
    assert (result.exit_code, result.stdout.splitlines()[4:]) == (
        0,
        [
            "2026-12-03T13:44:05.000Z jul ERROR charge failed request_id=abc123",
            *(f"    {line}" for line in body),
            "2026-12-03T13:44:06.000Z jul INFO  refund issued request_id=abc123",
        ],
    )
    assert body[4:6] == [
        "\tSuppressed: java.io.UncheckedIOException: close failed",
        "\t\tat Jul.charge(Jul.java:15)",
    ]
    assert body[-1] == ""


def test_loguru_0_7_default_format_gives_level_logger_and_message():
    # `2026-12-03 13:46:52.898 | INFO     | __main__:<module>:15 - message`, in
    # the file sink and (coloured) the terminal's; the id only in `bind()`'s
    # extra (line 3) is not written by the default format
    expected = [
        (1, "52.898", "info", "order received"),
        (2, "52.898", "warn", "payment slow"),
        (4, "52.902", "info", "paid"),  # SUCCESS
        (5, "52.902", "debug", "cart priced"),
        (6, "52.902", "error", "charge failed"),
        (18, "52.913", "fatal", "disk full"),  # CRITICAL
    ]
    rows = [
        (f"loguru/{name}:{line}", f"2026-12-03T13:46:{time}Z", level, message)
        for name in ("color.log", "default.log")
        for line, time, level, message in expected
    ]
    # in time order; of one time, the sources in order (color before default)
    assert adhoc("loguru", "request_id=abc123") == sorted(rows, key=lambda r: r[1])


def test_loguru_0_7_a_traceback_with_its_variables_is_the_records_body():
    log = REAL / "loguru" / "default.log"
    result = CliRunner().invoke(
        cli, ["--path", str(log), "request_id=abc123", "--color", "never"]
    )
    lines = log.read_text().splitlines()
    pairs = "logger=__main__ request_id=abc123"
    assert result.stdout.splitlines()[4:17] == [
        f"2026-12-03T13:46:52.902Z default ERROR charge failed {pairs}",
        *(f"    {line}" for line in lines[6:17]),
        f"2026-12-03T13:46:52.913Z default FATAL disk full {pairs}",
    ]
    assert lines[16] == "ZeroDivisionError: division by zero"


def test_redis_7_0_level_characters_and_a_client_name_that_carries_the_id():
    # `31047:M 03 Dec 2026 13:49:53.743 - Client closed connection id=3 …
    # name=req-abc123 …`: pid, role, then `.` `-` debug, `*` notice, `#` warning
    rows = adhoc("redis", "pid=31047")
    assert [row[2] for row in rows] == [
        *("warn", "warn", "warn", "info", "info", "warn", "warn", "info"),
        *("debug", "debug", "debug", "debug", "debug", "warn", "info", "warn"),
    ]
    assert [row[3] for row in rows][:3] == [
        "oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo",
        (
            "Redis version=7.0.15, bits=64, commit=00000000, modified=0, pid=31047, "
            "just started"
        ),
        "Configuration loaded",
    ]
    assert adhoc("redis", "name=req-abc123") == [
        (
            "redis/redis.log:10",
            "2026-12-03T13:49:53.743Z",
            "debug",
            "Client closed connection",
        ),
    ]


def test_flask_3_1_dev_servers_request_lines_are_records_of_their_own():
    # werkzeug's `127.0.0.1 - - [03/Dec/2026 13:53:08] "GET /?… HTTP/1.1" 200 -`
    # (a space after the year) was glued to the record before it; Flask's
    # `[…] WARNING in flask_app: …` names its module, the logger. The request
    # lines' times are whole seconds, so they sort before that second's others.
    t, query = "2026-12-03T13:53:", "?request_id=abc123"
    assert adhoc("flask", "abc123") == [
        ("flask/stderr.log:5", f"{t}08.000Z", "", "GET /?request_id=abc123 HTTP/1.1"),
        ("flask/stderr.log:23", f"{t}08.000Z", "", f"GET /boom{query} HTTP/1.1"),
        ("flask/stderr.log:4", f"{t}08.803Z", "warn", "order received"),
        (
            "flask/stderr.log:6",
            "2026-12-03T13:53:08.819Z",
            "error",
            "Exception on /boom [GET]",
        ),
    ]
    code, rows, _ = trace("--path", str(REAL / "flask"), "request_id=abc1234")
    assert (code, [row[:3] for row in rows]) == (
        0,
        [
            ("flask/stderr.log:25", "2026-12-03T13:53:08.000Z", ""),
            ("flask/stderr.log:24", "2026-12-03T13:53:08.837Z", "warn"),
        ],
    )


@pytest.mark.parametrize(
    ("name", "lines"),
    [
        (
            "dev",  # the status coloured: \x1b[32m200\x1b[0m
            [
                "GET /?request_id=abc123 200 1.512 ms - 2",
                "GET /boom?request_id=abc123 500 10.306 ms - 977",
                "GET /?request_id=abc1234 200 0.428 ms - 2",
            ],
        ),
        (
            "tiny",
            [
                "GET /?request_id=abc123 200 2 - 1.512 ms",
                "GET /boom?request_id=abc123 500 977 - 10.306 ms",
                "GET /?request_id=abc1234 200 2 - 0.428 ms",
            ],
        ),
        (
            "short",
            [
                "127.0.0.1 - GET /?request_id=abc123 HTTP/1.1 200 2 - 1.512 ms",
                "127.0.0.1 - GET /boom?request_id=abc123 HTTP/1.1 500 977 - 10.306 ms",
                "127.0.0.1 - GET /?request_id=abc1234 HTTP/1.1 200 2 - 0.428 ms",
            ],
        ),
    ],
)
def test_morgan_1_10_request_lines_without_a_time_are_a_record_each(name, lines):
    # morgan's `dev`, `tiny` and `short` formats write no time: every line was
    # glued to the first (one record holding three requests, the decoy's too)
    f = f"morgan/{name}.log"
    assert adhoc(f, "abc123") == [
        (f"{f}:1", None, "", lines[0]),
        (f"{f}:2", None, "", lines[1]),
    ]
    assert adhoc(f, "request_id=abc1234") == [(f"{f}:3", None, "", lines[2])]


def test_express_5_default_error_output_is_one_record_with_its_stack():
    log = REAL / "morgan" / "stderr.log"
    result = CliRunner().invoke(
        cli, ["--path", str(log), "abc123", "--color", "never", "-o", "ndjson"]
    )
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["line"], r["level"]) for r in records] == [(1, "error")]
    # `request_id=abc123` ends the first line: a field, out of the message
    lines = log.read_text().splitlines()
    assert records[0]["message"].split("\n") == ["boom", *lines[1:]]
    assert (len(lines), records[0]["fields"]["request_id"]) == (11, "abc123")


def test_mariadb_10_11_error_log_levels_and_thread_id_leave_the_message():
    # `2026-12-03 12:05:45 0 [Note] InnoDB: …`: the thread id, then [Note],
    # [Warning] or [ERROR]; line 20 (`Version: '10.11.19-…'`) continues 19
    code, rows, _ = trace("--path", str(REAL / "mariadb" / "error.log"), "tid=0")
    assert code == 0
    assert [row[0] for row in rows] == [
        f"mariadb/error.log:{n}" for n in (*range(1, 20), *range(21, 29))
    ]
    assert {row[2] for row in rows} == {"info"} | {rows[16][2]}
    assert rows[16] == (
        "mariadb/error.log:17",
        "2026-12-03T12:05:45.000Z",
        "warn",
        (
            "You need to use --log-bin to make --expire-logs-days or "
            "--binlog-expire-logs-seconds work."
        ),
    )
    assert rows[1][3] == "InnoDB: Compressed tables use zlib 1.2.13"


KUBECTL_ENVOY = (
    "GET /pay HTTP/1.1 pod=web-7d9f8b6c5-x2k4q container=envoy method=GET path=/pay "
    "status=502 x-forwarded-for=- user-agent=curl/8.5.0 x-request-id=abc123 "
    "authority=web upstream=10.0.0.9:8080"
)


@pytest.mark.parametrize("name", ["prefix-timestamps", "prefix"])
def test_kubectl_1_32_logs_prefix_lines_are_the_containers_records(name):
    # `[pod/web-7d9f8b6c5-x2k4q/app] [2026-…Z ]LINE`: the whole file was one
    # record (no line starts with a time); each container line now is one,
    # its stack trace continuing it, at the line's own time (else the
    # kubelet's), in time order across the containers kubectl printed in turn
    log = REAL / "kubectl" / f"{name}.log"
    result = CliRunner().invoke(cli, ["--path", str(log), "abc123", "--color", "never"])
    lines = log.read_text().splitlines()
    failed = next(n for n, line in enumerate(lines) if "charge failed" in line)
    app = "pod=web-7d9f8b6c5-x2k4q container=app request_id=abc123"
    at = f"2026-12-03T13:31:37.{{}} {name}"
    assert (result.exit_code, result.stdout.splitlines()) == (
        0,
        [
            f"{at.format('123Z')} INFO  order received {app}",
            f"{at.format('323Z')} -     {KUBECTL_ENVOY}",
            f"{at.format('623Z')} ERROR charge failed {app}",
            *(f"    {line}" for line in lines[failed + 1 : failed + 4]),
        ],
    )
    assert lines[failed + 3].endswith(" ValueError: card declined")
    code, rows, _ = trace("--path", str(log), "request_id=abc1234", cwd=log.parent)
    # no kubelet time (`--prefix` alone): the record before it gives the time
    stamp = "900Z" if name == "prefix-timestamps" else "623Z"
    assert (code, rows) == (
        0,
        [
            (
                f"{name}.log:{failed + 5}",
                f"2026-12-03T13:31:37.{stamp}",
                "",
                "plain print",
            )
        ],
    )


def test_django_5_2_request_errors_are_records_not_the_request_line_before():
    # runserver's stderr: `Internal Server Error: /boom` (django.request's
    # default `%(message)s`, no time) and its traceback were glued to the
    # request line before it, another request's; now a record, an error (a
    # 4xx's `Not Found: /missing`, line 15, a warning), at the time before it
    t = "2026-12-03T14:17:07.000Z"
    rows = adhoc("django", "abc123")
    assert rows == [
        ("django/stderr.log:1", None, "", "order received"),
        ("django/stderr.log:2", t, "", '"GET /?request_id=abc123 HTTP/1.1" 200 2'),
        ("django/stderr.log:3", t, "error", "Internal Server Error: /boom"),
        ("django/stderr.log:14", t, "", '"GET /boom?request_id=abc123 HTTP/1.1" 500 55516'),
        ("django/stderr.log:16", t, "", '"GET /missing?request_id=abc123 HTTP/1.1" 404 2353'),
    ]  # fmt: skip
    # A line without a time of its own (the view's logger, with no handler
    # configured: Python's last resort writes the message alone) continues the
    # record before it, as a traceback's lines do: line 17's abc1234 is found
    # in line 16's record.
    assert [row[0] for row in adhoc("django", "request_id=abc1234")] == [
        "django/stderr.log:16",
        "django/stderr.log:18",
    ]


def test_pino_pretty_and_bunyans_cli_give_the_fields_under_and_after_a_record(
    tmp_path,
):
    # pino-pretty: `[14:20:21.143] INFO (20715): order received` then the
    # fields, `    request_id: "abc123"`, one a line (the id was only there:
    # every record was lost); bunyan's CLI: `… (request_id=abc123, note="…")`
    # after the message, and `-o short`'s time of day in UTC (`14:20:22.533Z`)
    import os
    import shutil

    written = datetime_us("2026-12-03T14:21:00Z") * 1000  # a time of day's date
    for log in (REAL / "node-cli").iterdir():
        shutil.copy(log, tmp_path / log.name)
        os.utime(tmp_path / log.name, ns=(written, written))

    code, rows, stderr = trace("--path", str(tmp_path), "abc123", cwd=tmp_path)

    t = "2026-12-03T14:20:2"
    assert (code, stderr) == (0, "")
    assert rows == [
        ("pino-pretty-color.log:1", f"{t}1.143Z", "info", "order received"),
        ("pino-pretty.log:1", f"{t}1.143Z", "info", "order received"),
        ("pino-pretty-color.log:3", f"{t}1.146Z", "warn", "payment slow"),
        ("pino-pretty-color.log:6", f"{t}1.146Z", "error", "charge failed"),
        ("pino-pretty.log:3", f"{t}1.146Z", "warn", "payment slow"),
        ("pino-pretty.log:6", f"{t}1.146Z", "error", "charge failed"),
        ("bunyan-cli-short.log:1", f"{t}2.533Z", "info", "shop: order received"),
        ("bunyan-cli.log:1", f"{t}2.533Z", "info", "order received"),
        ("bunyan-cli-short.log:2", f"{t}2.534Z", "warn", "shop: payment slow"),
        ("bunyan-cli.log:2", f"{t}2.534Z", "warn", "payment slow"),
    ]
    _, rows, _ = trace("--path", str(tmp_path), "request_id=abc1234", cwd=tmp_path)
    assert [row[0] for row in rows] == [
        "pino-pretty-color.log:21",
        "pino-pretty.log:21",
        "bunyan-cli-short.log:3",
        "bunyan-cli.log:3",
    ]
    note = "note=a long note with spaces, and a comma"
    _, rows, _ = trace("--path", str(tmp_path), note, cwd=tmp_path)
    assert [row[0] for row in rows] == ["bunyan-cli-short.log:2", "bunyan-cli.log:2"]


def test_apache_2_4_error_log_pid_tid_client_and_a_query_in_parentheses():
    # `[…] [core:error] [pid 22460:tid 22468] [client 127.0.0.1:43628] AH10244:
    # invalid URI path (/../../etc?request_id=abc123)`: the id was read as
    # `abc123)` (the record lost), pid, tid and client were message text
    error = (
        "apache/error.log:3",
        "2026-12-03T14:23:57.774Z",
        "error",
        "AH10244: invalid URI path (/../../etc?request_id=abc123)",
    )
    access = [f"GET {path}?request_id=abc123 HTTP/1.1" for path in ("/", "/missing")]
    access.append("GET /../../etc?request_id=abc123 HTTP/1.1")
    assert adhoc("apache", "abc123") == [
        *(
            (f"apache/access.log:{n}", "2026-12-03T14:23:57.000Z", "", request)
            for n, request in enumerate(access, 1)
        ),
        error,
    ]
    assert adhoc("apache", "client=127.0.0.1:43628") == [error]
    assert adhoc("apache", "tid=22468") == [error]
