"""`kubectl logs` argv, the --since-time text and the local cut at --until."""

from __future__ import annotations

import io

from tracerun.sources.kubernetes.logs import Cut, log_argv, since_text
from tracerun.sources.kubernetes.pods import PodOrigin

T0 = 1_774_015_800 * 1_000_000_000


def lines(*seconds: int) -> bytes:
    return b"".join(f"2026-03-20T14:10:{s:02d}Z line {s}\n".encode() for s in seconds)


def read_all(cut: Cut, block: int) -> bytes:
    out = b""
    while data := cut.read(block):
        out += data
    return out


def test_every_value_is_one_argv_item_of_the_flag_form(monkeypatch) -> None:
    monkeypatch.setattr("shutil.which", lambda _: "/bin/kubectl")
    origin = PodOrigin(
        "o", 0, "kubernetes", "n", "n", context="-ctx", namespace="shop",
        pod="orders-1", container="app", previous=True,
    )  # fmt: skip

    assert log_argv(origin, 1_774_015_801_500_000, follow=True) == [
        "/bin/kubectl", "--context=-ctx", "logs", "pod/orders-1", "--namespace=shop",
        "--container=app", "--timestamps", "--previous", "--follow",
        "--since-time=2026-03-20T14:10:01Z",
    ]  # fmt: skip


def test_since_time_is_the_whole_second_at_or_before() -> None:
    assert since_text(1_774_015_800_999_999) == "2026-03-20T14:10:00Z"


def test_the_cut_ends_at_the_first_line_past_until_whatever_the_blocks() -> None:
    data = lines(*range(10))
    for block in (1, 7, 33, 39, 40, 41, 64, 4096):
        cut = Cut(io.BytesIO(data), until=T0 + 4 * 1_000_000_000)
        assert read_all(cut, block) == lines(*range(5)), block
        assert cut.stopped


def test_without_until_everything_passes() -> None:
    data = lines(*range(10))
    cut = Cut(io.BytesIO(data), until=None)

    assert read_all(cut, 16) == data
    assert cut.count == len(data)
    assert not cut.stopped
