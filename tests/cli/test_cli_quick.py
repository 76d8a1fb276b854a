"""The quick argument reader against click's, over the trace command's real options.

Every argument list must give what click gives the trace command (terms,
keyword arguments, the command line rebuilt), or be handed to click (None).
"""

from __future__ import annotations

import itertools
import random
from typing import Any

import click
import pytest

from tracerun.cli.app import COMMANDS, cli
from tracerun.cli.quick import COMMAND_NAMES, FLAG, MANY, Parsed, options, parse
from tracerun.cli.trace import _command_line, trace_command

TOKENS: list[list[str]] = [
    ["abc"],
    ["request_id=abc-1"],
    [""],
    ["x y"],
    ["it's"],
    ["é=ü"],
    ["a\tb"],
    ["@%+=:,./-_Z9"],
    ["--path", "/tmp/a.log"],
    ["--path=/tmp/b.log"],
    ["--path="],
    ["--docker", "web-*"],
    ["--ssh", "host:/var/log"],
    ["--k8s", "app=web"],
    ["--k8s-context", "kind"],
    ["-p", "demo"],
    ["-pdemo"],
    ["-p=demo"],
    ["--profile=demo"],
    ["--source", "pay*"],
    ["-i"],
    ["--ignore-case"],
    ["-if"],
    ["--since", "-15m"],
    ["--until", "now"],
    ["--where", "status == `500`"],
    ["--limit", "5"],
    ["--limit", "0"],
    ["--limit", "+5"],
    ["--limit", " 5"],
    ["--limit", "5_0"],
    ["--limit", "٣"],
    ["--limit=7"],
    ["--max-records", "1"],
    ["--host-timeout", "5s"],
    ["-o", "ndjson"],
    ["--output", "text"],
    ["-o"],
    ["--color", "auto"],
    ["--color", "AUTO"],
    ["--color=never"],
    ["-A", "0"],
    ["-B", "2"],
    ["-C", "3"],
    ["--context", "-1"],
    ["--summary"],
    ["--expand"],
    ["--no-expand"],
    ["--max-depth", "0"],
    ["--max-ids", "0"],
    ["--max-fanout", "9"],
    ["--auto-window"],
    ["--no-auto-window"],
    ["--margin", "1m"],
    ["--strict-hops"],
    ["-f"],
    ["--follow=1"],
    ["--history"],
    ["--no-history"],
    ["--reorder-window", "1s"],
    ["--exit-on", "status != null"],
    ["--timeout", "2s"],
    ["--debug"],
    ["--ids-from", "/nonexistent/ids.txt"],
    ["--pa", "x"],
    ["--", "-x"],
    ["-"],
    ["-5"],
    ["--help"],
    ["-h"],
    ["--version"],
    ["trace"],
    ["sources"],
]

QUICK = [
    ["--path", "/tmp/a.log", "abc"],
    ["abc", "--path", "/tmp/a.log", "-o", "ndjson", "--limit", "5"],
    ["-p", "demo", "req-7f3a9c2e"],
    ["-p", "demo", "-f", "--timeout", "2s", "request_id=x"],
    ["--path=/tmp/a", "--no-expand", "--since", "-1h", "a", "b"],
]
"""Common argument lists the quick reader must take (not hand to click)."""


def clicks(args: list[str]) -> Parsed | None:
    """What click's trace command makes of `args` under the group; None on its error."""
    parent = click.Context(
        cli, info_name="tracerun", help_option_names=["-h", "--help"]
    )
    try:
        ctx = trace_command.make_context("trace", list(args), parent=parent)
    except (click.ClickException, click.exceptions.Exit):
        return None
    params = dict(ctx.params)
    terms = params.pop("terms")
    return Parsed(terms, params, _command_line(ctx, terms))


def argument_lists() -> list[list[str]]:
    singles = [[*token, "abc"] for token in TOKENS]
    pairs = [[*a, *b] for a, b in itertools.product(TOKENS, repeat=2)]
    rng = random.Random(18)
    mixes = [
        [word for token in rng.sample(TOKENS, rng.randint(3, 7)) for word in token]
        for _ in range(1500)
    ]
    readable = [token for token in TOKENS if parse([*token, "abc"], {}) is not None]
    repeats = [
        [
            *(w for token in rng.choices(readable, k=rng.randint(2, 9)) for w in token),
            "t",
        ]
        for _ in range(1500)
    ]
    return [*singles, *pairs, *mixes, *repeats, *QUICK]


def test_the_command_names_are_the_groups() -> None:
    assert tuple(sorted(COMMANDS)) == COMMAND_NAMES


def test_the_table_is_clicks_option_table() -> None:
    params = [p for p in trace_command.params if isinstance(p, click.Option)]
    ours = {option.dest: option for option in options()}

    assert [p.name for p in params] == [o.dest for o in options()]
    for param in params:
        assert param.name is not None
        option = ours[param.name]
        assert list(option.opts) == param.opts, param.name
        assert [option.off] if option.off else param.secondary_opts == [], param.name
        assert (option.kind == FLAG) == param.is_flag, param.name
        assert (option.kind == MANY) == param.multiple, param.name
        assert option.shown == param.expose_value, param.name


@pytest.mark.parametrize("args", QUICK, ids=" ".join)
def test_common_argument_lists_are_read_quickly(args: list[str]) -> None:
    quick = parse(args, {})

    assert quick is not None
    assert quick == clicks(args)


def test_every_argument_list_reads_as_click_reads_it_or_goes_to_click(
    capsys: pytest.CaptureFixture[str],
) -> None:
    differ: list[tuple[list[str], Any, Any]] = []
    taken = 0
    for args in argument_lists():
        quick = parse(args, {})
        if quick is None:
            continue
        taken += 1
        theirs = clicks(args)
        if quick != theirs:
            differ.append((args, quick, theirs))
    capsys.readouterr()  # click's --help text

    assert differ == []
    assert taken > 2000  # the reader is not handing everything over


@pytest.mark.parametrize(
    ("args", "environ"),
    [
        ([], {}),
        (["sources", "--path", "x"], {}),
        (["trace", "abc"], {}),
        (["--path", "x"], {}),  # no TERM: click's usage error
        (["--path", "x", "abc"], {"_TRACERUN_COMPLETE": "bash_complete"}),
        (["--path", "x", "abc", "--limit", "0"], {}),
        (["--path", "x", "abc", "--color", "Auto"], {}),
        (["--path", "x", "abc", "-o"], {}),
        (["--path", "x", "abc", "--ids-from", "ids.txt"], {}),
        (["--path", "x", "abc", "--", "-x"], {}),
    ],
)
def test_what_the_reader_is_not_sure_of_goes_to_click(
    args: list[str], environ: dict[str, str]
) -> None:
    assert parse(args, environ) is None


def test_the_parsed_keywords_and_command_line() -> None:
    parsed = parse(
        ["abc", "--path", "a b.log", "-o", "ndjson", "-i", "--no-expand"], {}
    )

    assert parsed is not None
    assert parsed.terms == ("abc",)
    assert parsed.options["path"] == ("a b.log",)
    assert parsed.options["output"] == "ndjson"
    assert parsed.options["ignore_case"] is True
    assert parsed.options["expand"] is False
    assert parsed.options["max_records"] == 100_000
    assert "debug" not in parsed.options
    assert parsed.command == "tracerun --path 'a b.log' -i -o ndjson abc"
