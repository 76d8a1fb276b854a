"""The trust record: digests of a profile's files, kept 0600 in the user's config dir."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tracerun.config.trust import (
    chain_digest,
    record_trust,
    trust_file,
    trusted_digest,
    trusts_all,
)

CHAIN = [("/repo/profiles/prod.yaml", "version: 1\n"), ("/repo/base.yaml", "x: 1\n")]


def test_the_digest_covers_every_file_its_path_and_its_order() -> None:
    digest = chain_digest(CHAIN)

    assert digest.startswith("sha256:")
    assert len(digest) == len("sha256:") + 64
    assert chain_digest(list(CHAIN)) == digest
    changed_base = [CHAIN[0], ("/repo/base.yaml", "x: 2\n")]
    moved = [("/elsewhere/prod.yaml", CHAIN[0][1]), CHAIN[1]]
    shifted = [
        ("/repo/profiles/prod.yaml", "version: 1\n/"),
        ("/repo/base.yaml", "x: 1\n"),
    ]
    others = {
        chain_digest(c) for c in (changed_base, moved, shifted, CHAIN[::-1], CHAIN[:1])
    }
    assert len(others) == 5
    assert digest not in others


def test_the_file_is_under_xdg_config_home_else_home() -> None:
    assert trust_file({"XDG_CONFIG_HOME": "/x/cfg", "HOME": "/h"}) == Path(
        "/x/cfg/tracerun/trusted.json"
    )
    assert trust_file({"XDG_CONFIG_HOME": "rel", "HOME": "/h"}) == Path(
        "/h/.config/tracerun/trusted.json"
    )
    assert trust_file({"HOME": "/h"}) == Path("/h/.config/tracerun/trusted.json")


def test_recording_writes_a_private_file_and_keeps_other_profiles(
    tmp_path: Path,
) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    record_trust("/repo/a.yaml", "sha256:aa", env)

    where = record_trust("/repo/b.yaml", "sha256:bb", env)

    assert where == tmp_path / "tracerun" / "trusted.json"
    assert stat.S_IMODE(where.stat().st_mode) == 0o600
    assert stat.S_IMODE(where.parent.stat().st_mode) == 0o700
    assert json.loads(where.read_text()) == {
        "version": 1,
        "profiles": {
            "/repo/a.yaml": {"digest": "sha256:aa"},
            "/repo/b.yaml": {"digest": "sha256:bb"},
        },
    }
    assert sorted(p.name for p in where.parent.iterdir()) == ["trusted.json"]
    assert trusted_digest("/repo/a.yaml", env) == "sha256:aa"
    assert trusted_digest("/repo/c.yaml", env) is None


def test_a_damaged_record_trusts_nothing_and_is_rewritten(tmp_path: Path) -> None:
    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    (tmp_path / "tracerun").mkdir()
    (tmp_path / "tracerun" / "trusted.json").write_text('{"profiles": ["/repo/a.yaml"')

    assert trusted_digest("/repo/a.yaml", env) is None
    record_trust("/repo/a.yaml", "sha256:aa", env)
    assert trusted_digest("/repo/a.yaml", env) == "sha256:aa"


def test_an_unwritable_folder_is_one_error_naming_it(tmp_path: Path) -> None:
    from tracerun.errors import TracerunError, cut

    (tmp_path / "tracerun").write_text("a file, not a folder")
    with pytest.raises(TracerunError) as caught:
        record_trust("/repo/a.yaml", "sha256:aa", {"XDG_CONFIG_HOME": str(tmp_path)})

    shown = cut(f"{tmp_path}/tracerun/trusted.json")  # long paths are cut
    assert caught.value.message == f"cannot record the trust in {shown}: File exists"


@pytest.mark.parametrize(
    ("value", "expected"), [("all", True), (" ALL ", True), ("", False), ("yes", False)]
)
def test_only_tracerun_trust_all_turns_the_check_off(
    value: str, expected: bool
) -> None:
    assert trusts_all({"TRACERUN_TRUST": value}) is expected
