"""The window's placeholders in a command's argv (sources/command/window.py)."""

from __future__ import annotations

from tracerun.sources.command.window import expand_argv

US = 1_000_000
T0 = 1774015800  # 2026-03-20T14:10:00Z


def test_each_placeholder_is_filled_wherever_it_stands() -> None:
    argv = ["tool", "--since={since}", "{until}", "{since_epoch}:{until_epoch}"]

    got = expand_argv(argv, T0 * US, (T0 + 60) * US, 0)

    assert got == [
        "tool",
        "--since=2026-03-20T14:10:00Z",
        "2026-03-20T14:11:00Z",
        "1774015800:1774015860",
    ]


def test_the_window_is_widened_to_whole_seconds() -> None:
    got = expand_argv(["t", "{since}", "{until}"], T0 * US + 999_999, T0 * US + 1, 0)

    assert got == ["t", "2026-03-20T14:10:00Z", "2026-03-20T14:10:01Z"]


def test_an_open_window_runs_from_the_epoch_to_now() -> None:
    got = expand_argv(["t", "{since}", "{until_epoch}"], None, None, T0 * US + 5)

    assert got == ["t", "1970-01-01T00:00:00Z", "1774015801"]


def test_other_braces_stay_as_written() -> None:
    argv = ["jq", "{}", "{sinces}", "{ since }", "{a: .b}", "{SINCE}"]

    assert expand_argv(argv, 0, 0, 0) == argv


def test_times_beyond_rfc_3339_are_clamped_to_its_range() -> None:
    got = expand_argv(["t", "{until}"], None, 10**18 * US, 0)

    assert got == ["t", "9999-12-31T23:59:59Z"]
