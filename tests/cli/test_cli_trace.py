"""The trace command on real files: --where and its types, failing expressions,
the time window, and why a trace that matched nothing found nothing (#11, #12)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tracerun.cli import cli

WEB = [  # a regex source: every field is a string
    "2026-03-20T14:10:00.050Z 200 r1 GET /ok",
    "2026-03-20T14:10:00.060Z 503 r1 GET /fail",
    "2026-03-20T14:10:00.070Z 500 r1 GET /boom",
]
APP = [  # a JSON source: numbers are numbers, the message is `msg`
    '{"ts":"2026-03-20T14:10:00.100Z","level":"info","msg":"reserved","request_id":"r1","status":200}',
    '{"ts":"2026-03-20T14:10:00.200Z","level":"error","msg":"charge failed","request_id":"r1","status":503}',
    '{"ts":"2026-03-20T14:10:00.300Z","level":"info","request_id":"r1","status":500}',
]
PROFILE = """\
version: 1
timezone: {zone}
parsers:
  web:
    type: regex
    pattern: '^(?P<time>\\S+) (?P<status>\\d{{3}}) (?P<request_id>\\S+) (?P<msg>.*)$'
  app:
    type: json
    time: {{field: ts}}
    fields: {fields}
sources:
  web: {{type: file, paths: [web.log], parser: web}}
  app: {{type: file, paths: [app.log], parser: app}}
"""


def write_profile(root: Path, *, zone: str = "UTC", fields: str = "{}") -> str:
    (root / "web.log").write_text("\n".join(WEB) + "\n")
    (root / "app.log").write_text("\n".join(APP) + "\n")
    path = root / "p.yaml"
    path.write_text(PROFILE.format(zone=zone, fields=fields))
    return str(path)


@pytest.fixture
def profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    return write_profile(tmp_path)


def run(*args: str) -> Result:
    env = {"NO_COLOR": "", "FORCE_COLOR": "", "TRACERUN_PROFILE": ""}
    return CliRunner().invoke(cli, list(args), env=env)


def stderr(result: Result, profile: str) -> list[str]:
    """stderr's lines, with the logs' folder (origins are absolute) left out."""
    return result.stderr.replace(str(Path(profile).parent) + "/", "").splitlines()


def records(result: Result) -> list[tuple[str, int, str]]:
    """(source, line, message) of each ndjson record."""
    found: list[dict[str, Any]] = [json.loads(x) for x in result.stdout.splitlines()]
    return [(r["source"], r["line"], r["message"]) for r in found]


FIVE_HUNDREDS = [
    ("web", 2, "GET /fail"),
    ("web", 3, "GET /boom"),
    ("app", 2, "charge failed"),
    ("app", 3, ""),
]


@pytest.mark.parametrize(
    "where",
    ["status >= `500`", "status > '499'", "to_number(status) >= `500`"],
)
def test_where_orders_a_regex_string_and_a_json_number_alike(profile, where):
    result = run("-p", profile, "r1", "--where", where, "-o", "ndjson")

    assert (result.exit_code, result.stderr) == (0, "")
    assert records(result) == FIVE_HUNDREDS


@pytest.mark.parametrize("where", ["status == '503'", "status == `503`"])
def test_where_equality_compares_a_number_and_a_string_as_text(profile, where):
    result = run("-p", profile, "r1", "--where", where, "-o", "ndjson")

    assert records(result) == [("web", 2, "GET /fail"), ("app", 2, "charge failed")]


def test_where_sees_the_message_whatever_the_parser_called_it(profile):
    result = run(
        "-p", profile, "r1", "--where", "message == 'reserved'", "-o", "ndjson"
    )

    assert records(result) == [("app", 1, "reserved")]


def test_where_sees_time_origin_line_and_source(profile):
    where = (
        "time >= '2026-03-20T14:10:00.2' && ends_with(origin, '/app.log') && line > `2`"
    )
    result = run("-p", profile, "r1", "--where", where, "-o", "ndjson")

    assert records(result) == [("app", 3, "")]


def test_a_type_error_costs_only_those_records_with_one_warning(profile):
    result = run(
        "-p", profile, "r1", "--where", "starts_with(status, '5')", "-o", "ndjson"
    )

    assert result.exit_code == 0
    assert records(result) == [("web", 2, "GET /fail"), ("web", 3, "GET /boom")]
    assert stderr(result, profile) == [
        (
            "tracerun: warning: --where \"starts_with(status, '5')\": starts_with() "
            "needs a string, got a number at app.log:1; records where it fails do not match"
        ),
        "  hint: to_string(x) turns a number or boolean into text",
    ]


def test_an_expression_failing_on_every_record_matches_nothing_and_says_so(profile):
    result = run("-p", profile, "r1", "--where", "abs(message)")

    assert (result.exit_code, result.stdout) == (1, "")
    assert stderr(result, profile) == [
        (
            'tracerun: warning: --where "abs(message)": abs() needs a number, got a '
            "string at web.log:1; records where it fails do not match"
        ),
        "  hint: to_number(x) reads a number from text (null when it is not one)",
        (
            "tracerun: nothing matched: 6 records carry it but --where dropped them "
            "(first: web.log:1)"
        ),
    ]


def test_an_unknown_function_is_a_usage_error_before_reading(profile):
    result = run("-p", profile, "r1", "--where", "length(@) > `1` && foo(status)")

    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr.splitlines()[0] == (
        "tracerun: error: --where 'length(@) > `1` && foo(status)': unknown function foo()"
    )
    assert result.stderr.splitlines()[1].startswith(
        "  hint: did you mean floor()? JMESPath functions: abs, avg, ceil"
    )


def test_a_field_expression_that_fails_leaves_the_field_out_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    profile = write_profile(tmp_path, fields='{x: "abs(status)", y: "abs(msg)"}')

    result = run("-p", profile, "r1", "--source", "app", "-o", "ndjson")

    found = [json.loads(x)["fields"] for x in result.stdout.splitlines()]
    assert [(f.get("x"), "y" in f) for f in found] == [
        (200, False),
        (503, False),
        (500, False),
    ]
    assert stderr(result, profile) == [
        (
            "tracerun: warning: parser 'app', fields.y \"abs(msg)\": abs() needs a number, "
            "got a string at app.log:1; records where it fails have no field y"
        ),
        "  hint: to_number(x) reads a number from text (null when it is not one)",
    ]


def test_until_before_since_is_a_usage_error_naming_both(profile):
    result = run("-p", profile, "r1", "--since", "2026-03-21", "--until", "2026-03-20")

    assert (result.exit_code, result.stdout) == (2, "")
    assert stderr(result, profile) == [
        (
            "tracerun: error: --until '2026-03-20' is before --since '2026-03-21': the "
            "window 2026-03-21T00:00:00.000Z → 2026-03-20T00:00:00.000Z UTC is empty"
        ),
        "  hint: swap them: --since '2026-03-20' --until '2026-03-21'",
    ]


def test_a_naive_bound_is_read_in_the_profile_zone_and_the_window_is_shown(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    profile = write_profile(tmp_path, zone="Europe/Berlin")

    result = run(
        "-p", profile, "r1", "--since", "2026-03-20 15:10:00.1", "--until",
        "2026-03-20T14:10:00.2Z", "-o", "ndjson",
    )  # fmt: skip

    assert records(result) == [("app", 1, "reserved"), ("app", 2, "charge failed")]
    assert stderr(result, profile) == [
        (
            "tracerun: warning: window 2026-03-20T14:10:00.100Z → 2026-03-20T14:10:00.200Z "
            "UTC: --since '2026-03-20 15:10:00.1' has no UTC offset and was read in "
            "Europe/Berlin, the profile's timezone"
        )
    ]


def test_bounds_with_an_offset_or_a_duration_say_nothing(profile):
    result = run(
        "-p", profile, "r1", "--since", "2026-03-20T14:10:00.25Z", "--until", "0s"
    )

    assert (result.exit_code, result.stderr) == (0, "")


def test_nothing_matched_because_the_lines_did_not_parse(profile):
    Path("web.log").write_text("2026-03-20T14:10:00.050Z broken r9 line\n")

    result = run("-p", profile, "r9")

    assert (result.exit_code, result.stdout) == (1, "")
    assert stderr(result, profile) == [
        (
            "tracerun: nothing matched: the id was found in 1 line that did not parse with "
            "parser 'web' (web.log:1: 2026-03-20T14:10:00.050Z broken r9 line)"
        )
    ]


def test_lines_that_did_not_parse_are_a_warning_when_something_matched(profile):
    Path("web.log").write_text("2026-03-20T14:10:00.050Z broken r1 line\n")

    result = run("-p", profile, "r1", "-o", "ndjson")

    assert result.exit_code == 0
    assert stderr(result, profile) == [
        (
            "tracerun: warning: web.log:1: 1 line(s) contain a search value but do not "
            "parse with parser 'web'; they were skipped"
        )
    ]


def test_nothing_matched_because_the_id_is_only_in_message_text(profile):
    result = run("-p", profile, "GET")

    assert stderr(result, profile) == [
        (
            "tracerun: nothing matched: the id was found in 3 records only in message "
            "text, not in a key field (first: web.log:1; keys searched: request_id, "
            "req_id, rid, trace_id, correlation_id; write key=VALUE to search another "
            "field)"
        )
    ]


def test_nothing_matched_because_the_id_is_in_a_field_that_is_not_a_key(profile):
    result = run("-p", profile, "503")

    assert result.exit_code == 1
    assert stderr(result, profile) == [
        (
            "tracerun: nothing matched: the id was found in 2 records but in no key "
            "field; field 'status' holds it (first: web.log:2; keys searched: "
            "request_id, req_id, rid, trace_id, correlation_id; write status=503 to "
            "search it)"
        )
    ]


def test_nothing_matched_because_the_records_lie_outside_the_window(profile):
    result = run("-p", profile, "r1", "--since", "2026-03-20T14:10:00.5Z")

    assert stderr(result, profile) == [
        (
            "tracerun: nothing matched: 6 records carry it but lie outside the window "
            "2026-03-20T14:10:00.500Z → … UTC (first: web.log:1)"
        )
    ]


def test_nothing_matched_because_no_record_is_in_the_window(profile):
    # Small files wholly after --until by their head and tail are read (their
    # clock may have gone back in between), so the message names the records.
    result = run("-p", profile, "r1", "--until", "2026-03-20T13:00:00Z")

    assert (result.exit_code, stderr(result, profile)) == (
        1,
        [
            (
                "tracerun: nothing matched: 6 records carry it but lie outside "
                "the window … → 2026-03-20T13:00:00.000Z UTC (first: web.log:1)"
            )
        ],
    )


def test_an_id_found_nowhere_says_nothing(profile):
    result = run("-p", profile, "nowhere")

    assert (result.exit_code, result.stdout, result.stderr) == (1, "", "")


# --- the command line shown, and --summary (#17) ---

ROOT = Path(__file__).resolve().parents[2]


def test_markdown_shows_the_command_as_typed_with_quoting(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner(env={"TRACERUN_PROFILE": ""}).invoke(
        cli,
        [
            "-p",
            "demo",
            "--source",
            "pay*",
            "--where",
            "level == 'error'",
            "-C",
            "1",
            "-o",
            "markdown",
            "request_id=req-7f3a9c2e",
        ],
    )

    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith(
        "\nProduced by:\n\n```sh\n"
        "tracerun -p demo --source 'pay*' --where 'level == '\"'\"'error'\"'\"'' "
        "-o markdown -C 1 request_id=req-7f3a9c2e\n```\n"
    )


def test_summary_with_summary_output_prints_it_once(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner(env={"COLUMNS": "100", "TRACERUN_PROFILE": ""}).invoke(
        cli, ["-p", "demo", "req-7f3a9c2e", "-o", "summary", "--summary"]
    )

    golden = (ROOT / "tests" / "testdata" / "demo.summary.txt").read_text("utf-8")
    assert result.stdout == golden
    assert result.stderr.startswith("tracerun: note: 1 more record holds")
    assert golden.splitlines()[0] not in result.stderr


def _trace_lines(frames: int, time: str) -> list[str]:
    return [
        f"2024-05-01T12:00:{time}.000Z ERROR boom in handler",
        *(f"\tat com.example.Foo.bar{i}(Foo.java:{i})" for i in range(frames)),
        "Caused by: java.lang.IllegalStateException: request_id=abc123",
        "\tat com.example.End(End.java:1)",
    ]


@pytest.mark.parametrize("frames", [5_000, 125_000])  # ~200 KiB, ~5 MiB
@pytest.mark.parametrize("gz", [False, True])
def test_an_id_near_the_end_of_a_long_stack_trace_prints_the_whole_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, frames: int, gz: bool
) -> None:
    # The id is only on the trace's `Caused by:` line, more than LOOKBACK
    # (64 KiB) after its first line, and a scan block (8 MiB) ends inside the
    # trace: the record was lost without a word.
    import gzip

    monkeypatch.chdir(tmp_path)
    trace = _trace_lines(frames, "01")
    size = sum(len(line) + 1 for line in trace)
    filler = "2024-05-01T11:{:02d}:{:02d}.000Z INFO filler {:09d} x"
    count = (8 * 2**20 - size // 2) // len(filler.format(0, 0, 0) + "\n")
    lines = [filler.format(i // 60 % 60, i % 60, i) for i in range(count)]
    lines += [
        "2024-05-01T12:00:00.000Z INFO begin request_id=abc123",
        *trace,
        "2024-05-01T12:00:09.000Z INFO done request_id=abc123",
    ]
    data = ("\n".join(lines) + "\n").encode()
    path = tmp_path / ("app.log.gz" if gz else "app.log")
    path.write_bytes(gzip.compress(data, 1) if gz else data)

    result = run("--path", str(path), "abc123")

    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        "2024-05-01T12:00:00.000Z app INFO  begin request_id=abc123",
        "2024-05-01T12:00:01.000Z app ERROR boom in handler",
        *(f"    {line}" for line in trace[1:]),
        "2024-05-01T12:00:09.000Z app INFO  done request_id=abc123",
    ]


# Serilog's CompactJsonFormatter and logrus' TextFormatter lines, as a .NET
# StreamWriter with UTF8Encoding(true) / PowerShell 7 `Out-File -Encoding
# utf8BOM` write them: a UTF-8 BOM before the first line.
BOM_LINES = {
    "json": [
        '{"@t":"2024-01-01T00:00:00.0000000Z","@mt":"start","request_id":"abc123"}',
        '{"@t":"2024-01-01T00:00:01.0000000Z","@mt":"done","request_id":"abc123"}',
    ],
    "logfmt": [
        'time="2024-01-01T00:00:00Z" level=info msg=start request_id=abc123',
        'time="2024-01-01T00:00:01Z" level=info msg=done request_id=abc123',
    ],
}


@pytest.mark.parametrize("shape", sorted(BOM_LINES))
@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("term", ["abc123", "request_id=abc123"])
def test_a_utf8_bom_before_the_first_line_is_no_part_of_its_record(
    tmp_path: Path, shape: str, gz: bool, term: str
) -> None:
    # The first record was lost: the auto parser saw "\ufeff{" (or "\ufefftime=").
    import gzip

    data = b"\xef\xbb\xbf" + ("\n".join(BOM_LINES[shape]) + "\n").encode()
    path = tmp_path / ("app.log.gz" if gz else "app.log")
    path.write_bytes(gzip.compress(data) if gz else data)

    result = run("--path", str(path), term)

    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.splitlines() == [
        "2024-01-01T00:00:00.000Z app INFO  start request_id=abc123",
        "2024-01-01T00:00:01.000Z app INFO  done request_id=abc123",
    ]


@pytest.mark.parametrize(
    ("bom", "encoding"), [(b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")]
)
@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("since", [None, "2024-01-01T00:00:01Z"])
def test_utf16_text_is_searched_as_its_text(
    tmp_path: Path, bom: bytes, encoding: str, gz: bool, since: str | None
) -> None:
    # Windows PowerShell 5.1 `... | Out-File app.log` (and `>`) writes UTF-16LE
    # after FF FE with CRLF; `-Encoding BigEndianUnicode` UTF-16BE after FE FF.
    # Every record was lost without a word: the search ran on UTF-8 needles.
    import gzip

    lines = BOM_LINES["logfmt"]
    data = bom + ("\r\n".join(lines) + "\r\n").encode(encoding)
    path = tmp_path / ("app.log.gz" if gz else "app.log")
    path.write_bytes(gzip.compress(data) if gz else data)
    window = () if since is None else ("--since", since)

    result = run("--path", str(path), "request_id=abc123", "-o", "ndjson", *window)

    assert (result.exit_code, result.stderr) == (0, "")
    found = [json.loads(x) for x in result.stdout.splitlines()]
    assert [(r["line"], r["time"], r["message"]) for r in found] == [
        (1, "2024-01-01T00:00:00.000000Z", "start"),
        (2, "2024-01-01T00:00:01.000000Z", "done"),
    ][0 if since is None else 1 :]


def test_traefik_json_access_log_header_field_is_a_request_id(tmp_path: Path) -> None:
    # Traefik v2/v3 `--accesslog.format=json` with
    # `--accesslog.fields.headers.names.X-Request-Id=keep`: the header is logged
    # as `request_<canonical name>`; the default key request_id did not find it.
    line = (
        '{"ClientHost":"10.0.0.1","DownstreamStatus":200,"Duration":1234567,'
        '"RequestMethod":"GET","RequestPath":"/api","RouterName":"api@docker",'
        '"level":"info","msg":"","request_X-Request-Id":"abc123",'
        '"time":"2024-01-01T00:00:00Z"}'
    )
    path = tmp_path / "access.log"
    path.write_text(line + "\n" + line.replace("abc123", "abc1234") + "\n")

    result = run("--path", str(path), "abc123")

    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        "2024-01-01T00:00:00.000Z access INFO  ClientHost=10.0.0.1 "
        "DownstreamStatus=200 Duration=1234567 RequestMethod=GET RequestPath=/api "
        "RouterName=api@docker request_X-Request-Id=abc123\n"
    )


def trace_lines(path: Path, lines: list[str], *args: str) -> list[str]:
    """Write `lines` to `path`, trace it ad hoc; return stdout's lines (stderr empty)."""
    path.write_text("\n".join(lines) + "\n")
    result = run("--path", str(path), *args)
    assert (result.exit_code, result.stderr) == (0, "")
    return result.stdout.splitlines()


def test_rust_tracing_span_fields_carry_the_id(tmp_path: Path) -> None:
    # tracing-subscriber's default format: a request id recorded on the request's
    # span is on every line logged inside it, only between the span's braces.
    lines = [
        "2024-01-01T10:00:00.000000Z  INFO shop::api: accepted request_id=abc123",
        "2024-01-01T10:00:01.000000Z  WARN request{request_id=abc123}: shop::db: slow",
        "2024-01-01T10:00:02.000000Z  INFO request{method=GET request_id=abc123}: done",
        "2024-01-01T10:00:03.000000Z  INFO request{request_id=abc1234}: shop::api: other",
    ]
    assert trace_lines(tmp_path / "shop.log", lines, "abc123") == [
        "2024-01-01T10:00:00.000Z shop INFO  shop::api: accepted request_id=abc123",
        "2024-01-01T10:00:01.000Z shop WARN  request{request_id=abc123}: shop::db: slow",
        "2024-01-01T10:00:02.000Z shop INFO  request{method=GET request_id=abc123}: done",
    ]


def test_go_initialism_spellings_of_an_id_key_carry_the_id(tmp_path: Path) -> None:
    # Go writes initialisms upper case (golint): a struct's `json:"requestID"`
    # tag, Jaeger's and Tempo's own `traceID`; `init` already took them for
    # request_id and trace_id, but a bare id found none of them.
    lines = [
        '{"ts":"2024-01-01T10:00:00Z","msg":"a","RequestID":"abc123"}',
        '{"ts":"2024-01-01T10:00:01Z","msg":"b","requestID":"abc123"}',
        '{"ts":"2024-01-01T10:00:02Z","msg":"c","traceID":"abc123"}',
        '{"ts":"2024-01-01T10:00:03Z","msg":"d","auditID":"abc123"}',
    ]
    path = tmp_path / "go.log"
    path.write_text("\n".join(lines) + "\n")
    result = run("--path", str(path), "abc123")
    assert (result.exit_code, result.stdout.splitlines()) == (
        0,
        [
            "2024-01-01T10:00:00.000Z go -     a RequestID=abc123",
            "2024-01-01T10:00:01.000Z go -     b requestID=abc123",
            "2024-01-01T10:00:02.000Z go -     c traceID=abc123",
        ],
    )
    # auditID is no spelling of a key, but the run says it held the id.
    assert result.stderr.splitlines() == [
        (
            "tracerun: note: 1 more record holds 'abc123' only in a field that is not"
            f" a key: 'auditID' (first: {path}:4); it was not printed"
        ),
        "  hint: add auditID=abc123 to the terms (they are OR-ed) to print it",
    ]


def test_records_only_other_fields_hold_are_counted_named_and_found_by_the_hint(
    tmp_path: Path,
) -> None:
    # A bare id searches key fields only; records whose id sits in another
    # field (a child's parent_ref, a nested upstream.ref) were left out
    # without a word when other records matched. Message text is not a field.
    app = tmp_path / "app.log"
    app.write_text(
        '{"time":"2026-12-03T10:00:00Z","request_id":"req-1","msg":"start"}\n'
        '{"time":"2026-12-03T10:00:01Z","parent_ref":"req-1","msg":"child"}\n'
        '{"time":"2026-12-03T10:00:02Z","msg":"mentions req-1 in text"}\n'
        '{"time":"2026-12-03T10:00:03Z","upstream":{"ref":"req-1"},"msg":"n"}\n'
        '{"time":"2026-12-03T10:00:04Z","parent_ref":"req-1","msg":"again"}\n'
    )
    result = run("--path", str(app), "req-1")
    assert (result.exit_code, result.stdout.splitlines()) == (
        0,
        ["2026-12-03T10:00:00.000Z app -     start request_id=req-1"],
    )
    assert result.stderr.splitlines() == [
        (
            "tracerun: note: 3 more records hold 'req-1' only in fields that are not"
            f" keys: 'parent_ref', 'upstream.ref' (first: {app}:2); they were not printed"
        ),
        (
            "  hint: add parent_ref=req-1 upstream.ref=req-1 to the terms (they are"
            " OR-ed) to print them"
        ),
    ]
    hinted = run("--path", str(app), "req-1", "parent_ref=req-1", "upstream.ref=req-1")
    assert (hinted.exit_code, hinted.stderr) == (0, "")
    assert [line[:24] for line in hinted.stdout.splitlines()] == [
        f"2026-12-03T10:00:0{i}.000Z" for i in (0, 1, 3, 4)
    ]
    # A field term names its field: nothing is said of the others.
    named = run("--path", str(app), "request_id=req-1")
    assert (named.exit_code, named.stderr) == (0, "")


def test_a_log_and_a_link_to_it_print_each_record_once(tmp_path: Path) -> None:
    # A directory with a link to the file being written (`current.log ->
    # app-20240101.log`): read under both names, every record printed twice.
    (tmp_path / "current.log").symlink_to("app-20240101.log")
    (tmp_path / "more.log").symlink_to(tmp_path / "app-20240101.log")
    lines = ["2024-01-01T10:00:00Z INFO a request_id=abc123"]
    path = tmp_path / "app-20240101.log"
    assert trace_lines(path, lines, "--path", str(tmp_path), "abc123") == [
        "2024-01-01T10:00:00.000Z app-20240101 INFO  a request_id=abc123",
    ]
    result = run("--path", str(tmp_path / "current.log"), "--path", str(path), "abc123")
    assert result.stdout.splitlines() == [
        "2024-01-01T10:00:00.000Z app-20240101 INFO  a request_id=abc123",
    ]


def test_monolog_line_and_json_formats_give_their_time_level_and_context_ids(
    tmp_path: Path,
) -> None:
    # PHP's Monolog (Laravel, Symfony): the line format ends with the context and
    # extra (`{…} []`), its JsonFormatter writes `datetime` and a level number.
    (tmp_path / "json.log").write_text(
        '{"message":"Order failed","context":{"request_id":"abc123"},"level":400,'
        '"level_name":"ERROR","channel":"app","datetime":'
        '"2024-01-01T10:00:01.500000+00:00","extra":{}}\n'
    )
    lines = [
        '[2024-01-01 10:00:00] production.INFO: Order received {"request_id":"abc123"} []',
        (
            '[2024-01-01 10:00:02] production.ERROR: Order failed {"request_id":"abc123",'
            '"order":5} {"memory":"2MB"}'
        ),
        '[2024-01-01 10:00:03] production.INFO: Other {"request_id":"abc1234"} []',
    ]
    assert trace_lines(
        tmp_path / "line.log", lines, "--path", str(tmp_path), "abc123"
    ) == [
        (
            "2024-01-01T10:00:00.000Z line INFO  Order received logger=production "
            "request_id=abc123"
        ),
        (
            '2024-01-01T10:00:01.500Z json ERROR Order failed context={"request_id":"abc123"} '
            "level_name=ERROR channel=app extra={}"
        ),
        (
            "2024-01-01T10:00:02.000Z line ERROR Order failed logger=production "
            "request_id=abc123 order=5 memory=2MB"
        ),
    ]


def test_hclog_json_gives_its_level_and_message(tmp_path: Path) -> None:
    # HashiCorp's hclog with JSONFormat (Nomad, Consul, Vault `-log-json`)
    lines = [
        (
            '{"@level":"error","@message":"rpc failed","@module":"agent","@timestamp":'
            '"2024-01-01T10:00:00.000000Z","request_id":"abc123"}'
        ),
    ]
    assert trace_lines(tmp_path / "nomad.log", lines, "abc123") == [
        "2024-01-01T10:00:00.000Z nomad ERROR rpc failed @module=agent request_id=abc123",
    ]


def test_php_error_log_lines_are_records_with_their_time_and_level(
    tmp_path: Path,
) -> None:
    # php-fpm's / mod_php's error_log: `[d-M-Y H:i:s e]`, the zone PHP's
    # date.timezone. No line started a record: the whole file was one record
    # without a time, another request's line printed inside this one.
    lines = [
        (
            "[01-Jan-2024 11:00:00 Europe/Berlin] PHP Fatal error:  Uncaught Exception: "
            "boom request_id=abc123 in /app/x.php:3"
        ),
        "Stack trace:",
        "#0 {main}",
        "  thrown in /app/x.php on line 3",
        "[01-Jan-2024 10:00:01 UTC] PHP Warning:  other request_id=zzz",
        "[01-Jan-2024 10:00:02 UTC] PHP Notice:  again request_id=abc123",
    ]
    assert trace_lines(tmp_path / "php.log", lines, "abc123") == [
        (
            "2024-01-01T10:00:00.000Z php FATAL PHP Fatal error:  Uncaught Exception: boom "
            "request_id=abc123 in /app/x.php:3"
        ),
        "    Stack trace:",
        "    #0 {main}",
        "      thrown in /app/x.php on line 3",
        "2024-01-01T10:00:02.000Z php INFO  PHP Notice:  again request_id=abc123",
    ]


def test_dotnet_console_logger_records_are_split_at_their_level_word(
    tmp_path: Path,
) -> None:
    # .NET's default console logger writes `level: Category[EventId]`, then the
    # message on the next line, indented. No line started a record: the whole
    # file was one record, the others' messages printed inside this one.
    lines = [
        "info: Microsoft.Hosting.Lifetime[14]",
        "      Now listening on: http://localhost:5000",
        "info: Shop.Orders.Api[0]",
        "      Handling order request_id=abc123",
        "fail: Shop.Orders.Api[0]",
        "      Charge failed request_id=abc123",
        "info: Shop.Orders.Api[0]",
        "      Handling order request_id=zzz",
    ]
    path = tmp_path / "shop.log"
    path.write_text("\n".join(lines) + "\n")
    result = run("--path", str(path), "abc123")
    assert (result.exit_code, result.stderr) == (
        0,
        (
            f"tracerun: warning: {path}:3: record has no timestamp and none precedes it; "
            "it is shown first, without a time; and 1 more like it (first at line 3, "
            "last at 5)\n"
        ),
    )
    assert result.stdout.splitlines() == [
        "-                        shop INFO  Shop.Orders.Api[0]",
        "          Handling order request_id=abc123",
        "-                        shop ERROR Shop.Orders.Api[0]",
        "          Charge failed request_id=abc123",
    ]


def test_a_term_written_key_equals_equals_value_says_how_to_write_it(
    tmp_path: Path,
) -> None:
    # `==` from --where's habit: one bare value (base64's `abc==` stays one), in
    # no log: exit 1 and not a word.
    path = tmp_path / "app.log"
    path.write_text("2024-01-01T10:00:00Z INFO a request_id=abc123\n")

    result = run("--path", str(path), "request_id==abc123", "dGVzdA==")

    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        "tracerun: nothing matched: 'request_id==abc123' was searched as one value; "
        "for the field request_id write request_id=abc123\n"
    )


def test_uwsgi_request_log_lines_are_records_with_their_time(tmp_path: Path) -> None:
    # uWSGI's default request log holds its time mid-line; no line started a
    # record, so the whole file was one record without a time.
    line = (
        "[pid: 1|app: 0|req: {n}/{n}] 10.0.0.1 () {{34 vars in 600 bytes}} "
        "[Mon Jan  1 10:00:0{n} 2024] GET /x?request_id={rid} => generated 2 bytes "
        "in 1 msecs (HTTP/1.1 200) 2 headers in 79 bytes (1 switches on core 0)"
    )
    lines = [line.format(n=1, rid="abc123"), line.format(n=2, rid="zzz")]
    assert trace_lines(tmp_path / "uwsgi.log", lines, "abc123") == [
        (
            "2024-01-01T10:00:01.000Z uwsgi -     GET /x?request_id=abc123 pid=1 "
            "client=10.0.0.1 bytes=2 status=200 method=GET path=/x "
            'query="request_id=abc123"'
        ),
    ]


def test_timezone_reads_an_ad_hoc_logs_naive_times_and_rejects_an_unknown_zone(
    tmp_path: Path,
) -> None:
    # Go's log package writes local time without an offset; ad hoc there was
    # no way to say which zone it is (it was read as UTC, an hour off here).
    go = tmp_path / "go.log"
    utc = tmp_path / "utc.log"
    utc.write_text("2026-12-03T12:30:00Z INFO paid request_id=abc123\n")
    lines = ["2026/12/03 13:13:48 order placed request_id=abc123"]
    args = ("abc123", "--path", str(utc), "--timezone", "Europe/Berlin", "-o", "ndjson")
    found = [json.loads(x) for x in trace_lines(go, lines, *args)]
    assert [(r["time"], r["message"]) for r in found] == [
        ("2026-12-03T12:13:48.000000Z", "order placed"),
        ("2026-12-03T12:30:00.000000Z", "paid"),
    ]

    bad = run("--path", str(go), "abc123", "--timezone", "Mars/Olympus")
    assert bad.exit_code == 2
    assert bad.stderr == (
        "tracerun: error: --timezone: unknown time zone 'Mars/Olympus'\n"
        "  hint: use an IANA name such as Europe/Berlin, or UTC\n"
    )
