"""The bundled demo traced end to end, and the profile commands around a trace.

The demo's timeline is a golden file (tests/testdata/demo.txt, colour off);
regenerate it with `pytest tests/test_demo.py --update-testdata` and read the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from tracerun.cli import cli

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "testdata"

# (time, source, origin, line, level, message's first line) of the demo request.
DEMO_TIMELINE = [
    ("2026-03-20T14:09:59.000000Z", "gateway", "gateway/access.log.1.gz", 22, ""),
    ("2026-03-20T14:10:00.141000Z", "orders", "orders/orders.log", 19, "info"),
    ("2026-03-20T14:10:00.158000Z", "orders", "orders/orders.log", 20, "info"),
    ("2026-03-20T14:10:00.176482Z", "inventory", "inventory/inventory.log", 11, "info"),
    ("2026-03-20T14:10:00.177105Z", "inventory", "inventory/inventory.log", 12, "info"),
    ("2026-03-20T14:10:00.184000Z", "orders", "orders/orders.log", 21, "info"),
    ("2026-03-20T14:10:00.190000Z", "payments", "payments/payments.log", 7, "info"),
    ("2026-03-20T14:10:02.193000Z", "payments", "payments/payments.log", 10, "error"),
    ("2026-03-20T14:10:02.197000Z", "orders", "orders/orders.log", 31, "warn"),
    ("2026-03-20T14:10:02.448000Z", "orders", "orders/orders.log", 33, "info"),
    ("2026-03-20T14:10:02.448000Z", "payments", "payments/payments.log", 26, "info"),
    ("2026-03-20T14:10:02.871000Z", "payments", "payments/payments.log", 27, "info"),
    ("2026-03-20T14:10:02.874000Z", "orders", "orders/orders.log", 34, "info"),
    ("2026-03-20T14:10:02.881337Z", "inventory", "inventory/inventory.log", 16, "info"),
    ("2026-03-20T14:10:02.889000Z", "orders", "orders/orders.log", 35, "info"),
    ("2026-03-20T14:10:03.000000Z", "gateway", "gateway/access.log", 7, ""),
]


@pytest.fixture(autouse=True)
def in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the repository root, as the README tells users to."""
    monkeypatch.chdir(ROOT)
    for name in (
        "TRACERUN_PROFILE",
        "TRACERUN_PROFILE_PATH",
        "NO_COLOR",
        "FORCE_COLOR",
    ):
        monkeypatch.delenv(name, raising=False)


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


TRIGGERED_BY_NOTE = (
    "tracerun: note: 1 more record holds 'req-7f3a9c2e' only in a field that is"
    " not a key: 'triggered_by' (first: examples/logs/inventory/inventory.log:17);"
    " it was not printed\n"
    "  hint: add triggered_by=req-7f3a9c2e to the terms (they are OR-ed) to print it\n"
)
"""What a bare id's trace says of the demo's decoy that another field holds."""


def test_demo_trace_tells_the_whole_story_in_time_order() -> None:
    result = run("-p", "demo", "req-7f3a9c2e", "-o", "ndjson")

    assert result.exit_code == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [
        (
            r["time"],
            r["source"],
            r["origin"].removeprefix("examples/logs/"),
            r["line"],
            r["level"],
        )
        for r in records
    ] == DEMO_TIMELINE
    assert result.stderr == TRIGGERED_BY_NOTE


def test_demo_traceback_is_one_record_with_its_continuation() -> None:
    result = run(
        "-p", "demo", "req-7f3a9c2e", "-o", "ndjson", "--where", "level=='error'"
    )

    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    lines = record["message"].splitlines()
    assert (
        lines[0]
        == "charge failed: provider did not answer within 2.0s order=ord-20260320-8841 attempt=1"
    )
    assert lines[1] == "Traceback (most recent call last):"
    assert lines[-1].startswith("requests.exceptions.ReadTimeout: ")
    assert len(lines) == 15


def test_demo_text_output_matches_golden_file(request: pytest.FixtureRequest) -> None:
    result = run("-p", "demo", "req-7f3a9c2e", "--color", "never")

    golden = GOLDEN / "demo.txt"
    if request.config.getoption("--update-testdata"):
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")


GOLDEN_FORMATS = {
    "summary": "demo.summary.txt",
    "markdown": "demo.md",
    "mermaid": "demo.mermaid.md",
    "jaeger": "demo.jaeger.json",
    "otlp": "demo.otlp.json",
    "html": "demo.html",
}


@pytest.mark.parametrize("output", sorted(GOLDEN_FORMATS))
def test_demo_in_every_format_matches_its_golden_file(
    output: str, request: pytest.FixtureRequest
) -> None:
    result = CliRunner(env={"COLUMNS": "100"}).invoke(
        cli, ["-p", "demo", "req-7f3a9c2e", "-o", output]
    )

    assert result.exit_code == 0, result.stderr
    assert result.stderr == TRIGGERED_BY_NOTE
    golden = GOLDEN / GOLDEN_FORMATS[output]
    if request.config.getoption("--update-testdata"):
        golden.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == golden.read_text(encoding="utf-8")


def test_demo_summary_goes_to_stderr_after_records_when_stdout_is_piped() -> None:
    result = CliRunner(env={"COLUMNS": "100"}).invoke(
        cli, ["-p", "demo", "req-7f3a9c2e", "--color", "never", "--summary"]
    )

    assert result.exit_code == 0
    assert result.stdout == (GOLDEN / "demo.txt").read_text(encoding="utf-8")
    summary = (GOLDEN / "demo.summary.txt").read_text(encoding="utf-8")
    assert result.stderr == summary + TRIGGERED_BY_NOTE


def test_demo_decoys_are_left_out_but_found_by_their_own_key() -> None:
    by_other_key = run("-p", "demo", "triggered_by=req-7f3a9c2e", "-o", "ndjson")
    prefix = run("-p", "demo", "req-7f3a9c2e0", "-o", "ndjson")

    (decoy,) = [json.loads(line) for line in by_other_key.stdout.splitlines()]
    assert (decoy["source"], decoy["line"]) == ("inventory", 17)
    assert {
        json.loads(line)["fields"]["request_id"] for line in prefix.stdout.splitlines()
    } == {"req-7f3a9c2e0"}


def test_profile_output_runbook_is_plain_text() -> None:
    result = run("-p", "demo", "req-7f3a9c2e", "-o", "runbook")

    assert result.stdout == (GOLDEN / "demo.txt").read_text(encoding="utf-8")


def test_validate_demo_prints_one_line_summary() -> None:
    result = run("validate", "-p", "demo")

    assert result.exit_code == 0
    assert (
        result.stdout == "profiles/demo.yaml: valid (5 sources, 4 parsers, 1 output)\n"
    )


def test_every_shipped_profile_validates() -> None:
    for path in sorted((ROOT / "profiles").glob("*.yaml")):
        result = run("validate", "-p", str(path))
        assert result.exit_code == 0, result.stderr


def test_shipped_profiles_start_with_schema_comment() -> None:
    for path in sorted((ROOT / "profiles").glob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../schemas/profile.schema.json"


def test_bad_profile_exits_2_with_file_line_and_key(tmp_path: Path) -> None:
    profile = tmp_path / "bad.yaml"
    profile.write_text(
        "version: 1\nsources:\n  app:\n    type: file\n    pathz: [x.log]\n",
        encoding="utf-8",
    )

    result = run("-p", str(profile), "abc")

    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"\n{profile}:5:5: sources.app: unknown key 'pathz'\n" in result.stderr
    assert "  hint: did you mean 'paths'?" in result.stderr


def test_unknown_profile_name_exits_2() -> None:
    result = run("-p", "no-such-profile", "abc")

    assert result.exit_code == 2
    assert result.stderr.startswith("tracerun: error: ")
    assert "no-such-profile" in result.stderr


def test_profiles_lists_demo_with_description() -> None:
    result = run("profiles")

    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "demo  profiles/demo.yaml  Demo shop — a checkout request that fails payment once and is retried"
    ]


def test_schema_command_equals_committed_schema() -> None:
    result = run("schema")

    assert result.stdout == (ROOT / "schemas" / "profile.schema.json").read_text(
        encoding="utf-8"
    )


def test_ids_from_file_searches_every_id_in_it(tmp_path: Path) -> None:
    ids = tmp_path / "ids.txt"
    ids.write_text("# from the incident ticket\nreq-absent-1\n\nreq-7f3a9c2e\n")

    from_file = run("-p", "demo", "--ids-from", str(ids), "-o", "ndjson")
    direct = run("-p", "demo", "req-7f3a9c2e", "-o", "ndjson")

    assert from_file.exit_code == 0, from_file.stderr
    assert from_file.stdout == direct.stdout
    assert len(from_file.stdout.splitlines()) == len(DEMO_TIMELINE)


def test_ids_from_a_file_that_is_not_text_exits_2(tmp_path: Path) -> None:
    ids = tmp_path / "ids.bin"
    ids.write_bytes(b"\xff\xfe\x00")

    result = run("-p", "demo", "--ids-from", str(ids))

    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"tracerun: error: --ids-from {ids}: cannot read it"
    )
