"""Group: `--path` globs and directories followed as one tail, new logs picked up.

Real follows (a subprocess) over real files written while they run.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.follow import Follow

from tracerun.sources.file.adhoc import AdhocGroup
from tracerun.sources.file.group import source_of


def line(n: int, rid: str = "R1") -> str:
    return json.dumps(
        {"ts": f"2026-03-20T14:10:{n:02d}Z", "msg": f"m{n}", "request_id": rid}
    )


@pytest.fixture
def logs(tmp_path: Path) -> Path:
    folder = tmp_path / "logs"
    folder.mkdir()
    (folder / "orders.log").write_text(line(1) + "\n")
    (folder / "payments.log").write_text(line(2) + "\n")
    return folder


@pytest.mark.parametrize("flag", ["logs/*.log", "logs/", "logs"])
def test_a_log_created_later_is_followed_under_its_own_name(logs: Path, flag: str):
    follow = Follow("--path", flag, "R1", "-f", "-o", "ndjson", "--timeout", "4s",
                    cwd=logs.parent)  # fmt: skip
    follow.wait_for(2)
    (logs / "fresh.log").write_text(line(3) + "\n")
    follow.wait_for(3)
    with (logs / "orders.log").open("a") as out:
        out.write(line(4) + "\n")
    follow.wait_for(4)
    code, stderr = follow.finish()

    assert (code, stderr) == (0, "")
    assert follow.records() == [
        ("orders", "orders.log", 1, "m1"),
        ("payments", "payments.log", 1, "m2"),
        ("fresh", "fresh.log", 1, "m3"),
        ("orders", "orders.log", 2, "m4"),
    ]


def test_source_selects_one_log_of_the_group_and_only_it(logs: Path):
    follow = Follow("--path", "logs", "--source", "payments", "R1", "-f",
                    "-o", "ndjson", "--timeout", "3s", cwd=logs.parent)  # fmt: skip
    follow.wait_for(1)
    for name in ("orders.log", "payments.log", "fresh.log"):
        with (logs / name).open("a") as out:
            out.write(line(5) + "\n")
    follow.wait_for(2)
    code, stderr = follow.finish()

    assert (code, stderr) == (0, "")
    assert follow.records() == [
        ("payments", "payments.log", 1, "m2"),
        ("payments", "payments.log", 2, "m5"),
    ]


def test_new_logs_are_named_as_a_one_shot_run_names_them():
    group = AdhocGroup(
        ("logs",),
        {"orders": "orders", "app": "app-path"},
        {"logs/orders.log": "orders", "logs/app.log": "app-path"},
        "orders",
        frozenset({"app", "db"}),
    )
    group.live.update({"orders": 3, "app-path": 4})

    assert source_of(group, "logs/orders.log") == ("orders", 3)
    assert source_of(group, "logs/orders.log.1") == ("orders", 3)  # its rotation
    assert source_of(group, "logs/app.log") == ("app-path", 4)
    assert source_of(group, "logs/new.log.1") == ("new", 3)
    assert source_of(group, "logs/db.log") == ("db-path", 3)  # a profile's name
    group.live.pop("orders")
    assert source_of(group, "logs/orders.log") == ("orders", None)  # not followed
    assert source_of(group, "logs/new.log") is None  # new logs go with the first
