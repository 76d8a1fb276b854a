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
    assert sorted(p.name for p in where.parent.iterdir()) == [
        "trusted.json",
        "trusted.json.lock",
    ]
    assert trusted_digest("/repo/a.yaml", env) == "sha256:aa"
    assert trusted_digest("/repo/c.yaml", env) is None


@pytest.mark.parametrize(
    ("text", "why"),
    [
        (
            '{"profiles": ["/repo/a.yaml"',
            "is not valid JSON (Expecting ',' delimiter: line 1 column 29 (char 28))",
        ),
        ('["/repo/a.yaml"]', "is not a trust record (no `profiles` object)"),
    ],
)
def test_a_damaged_record_trusts_nothing_and_is_never_rewritten(
    tmp_path: Path, text: str, why: str
) -> None:
    from tracerun.config.trust import DamagedTrustError
    from tracerun.errors import cut

    env = {"XDG_CONFIG_HOME": str(tmp_path)}
    (tmp_path / "tracerun").mkdir()
    where = tmp_path / "tracerun" / "trusted.json"
    where.write_text(text)

    with pytest.raises(DamagedTrustError) as checked:
        trusted_digest("/repo/a.yaml", env)
    with pytest.raises(DamagedTrustError) as recorded:
        record_trust("/repo/b.yaml", "sha256:bb", env)

    assert (
        checked.value.message
        == recorded.value.message
        == (f"the trust record {cut(str(where))} {why}, so no profile is trusted")
    )
    assert recorded.value.hint == (
        "fix it, or delete it and trust your profiles again (tracerun trust -p "
        "NAME); it is not rewritten, so no entry is lost"
    )
    assert where.read_text() == text


def _record_many(folder: str, worker: int) -> None:
    for n in range(25):
        record_trust(
            f"/repo/{worker}-{n}.yaml", "sha256:aa", {"XDG_CONFIG_HOME": folder}
        )


def test_concurrent_trust_runs_keep_every_entry(tmp_path: Path) -> None:
    import multiprocessing

    context = multiprocessing.get_context("fork")
    workers = [
        context.Process(target=_record_many, args=(str(tmp_path), w)) for w in range(4)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)

    entries = json.loads((tmp_path / "tracerun" / "trusted.json").read_text())
    assert [w.exitcode for w in workers] == [0] * 4
    assert len(entries["profiles"]) == 100


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
