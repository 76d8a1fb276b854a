"""The shared source contract: every registered source type passes the same tests.

Each type's World (tests/helpers/contract.py) makes real origins holding the
same corpus; a type registered without a World fails here, so the registry
and this suite cannot drift. A type whose source is one origin (a command)
gives one source per origin (`World.sources`); one that `sources` cannot read
cheaply (`covers = False`) must say so (coverage and sample None).
"""

from __future__ import annotations

import time
import typing
from pathlib import Path
from typing import Any

import pytest
from helpers.contract import CORPUS, RID, WORLDS, World

from tracerun.config import model, spec
from tracerun.query import Query, Term
from tracerun.sources import SOURCES, get_source
from tracerun.trace.plan import build_plan
from tracerun.trace.runner import run

KINDS = sorted(SOURCES)
ORDER = [(name, m) for name, messages in CORPUS.items() for m in messages]


def query(**window: int) -> Query:
    return Query(terms=(Term("request_id", RID),), **window)


@pytest.fixture(params=KINDS)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, World]:
    kind = request.param
    assert kind in WORLDS, f"source type {kind} has no World in helpers/contract.py"
    return kind, WORLDS[kind](tmp_path, request)


def profile(**sources: spec.SourceConfig) -> spec.Profile:
    return spec.Profile(sources=sources)


def named(world: World, *, live: bool = False) -> dict[str, spec.SourceConfig]:
    """The World's sources: `svc`, or one per origin for a type whose source is one."""
    many = getattr(world, "sources", None)
    return many(live=live) if many is not None else {"svc": world.source(live=live)}


def timeline(records: list[Any], world: World) -> list[tuple[str, str]]:
    names = {world.origin(name): name for name in CORPUS}
    return [(names.get(r.origin, r.origin), r.message) for r in records]


def test_registry_and_both_unions_name_the_same_types() -> None:
    def tags(union: Any) -> set[str]:
        members = typing.get_args(union)
        if typing.get_origin(union) is typing.Annotated:
            members = typing.get_args(members[0])
        return {typing.get_args(m.__annotations__["type"])[0] for m in members}

    plain = {
        typing.get_args(typing.get_type_hints(m)["type"])[0]
        for m in typing.get_args(spec.SourceConfig)
    }
    validated = {
        typing.get_args(m.model_fields["type"].annotation)[0]
        for m in typing.get_args(typing.get_args(model.SourceConfig)[0])
    }
    assert set(SOURCES) == plain == validated
    for kind, entry in SOURCES.items():
        assert entry.kind == kind
        assert get_source(kind).kind == kind


def test_discovery_finds_every_origin(world: tuple[str, World]) -> None:
    _, it = world
    plan = build_plan(profile(**named(it)))

    assert sorted(t.origin.name for t in plan.targets) == sorted(
        it.origin(n) for n in CORPUS
    )
    assert plan.failures == ()


def test_records_come_back_exactly_and_in_order(world: tuple[str, World]) -> None:
    _, it = world
    sources = named(it)
    result = run(build_plan(profile(**sources)), query())

    assert timeline(result.records, it) == ORDER
    assert result.failures == []
    assert {r.source for r in result.records} == set(sources)


def test_since_and_until_keep_exactly_the_window(world: tuple[str, World]) -> None:
    _, it = world
    plan = build_plan(profile(**named(it)))
    times = [r.time for r in run(plan, query()).records]

    windowed = run(plan, query(since=times[1] - 1000, until=times[3] + 1000))

    assert timeline(windowed.records, it) == ORDER[1:4]


def test_a_failing_source_is_reported_while_the_others_answer(
    world: tuple[str, World],
) -> None:
    _, it = world
    plan = build_plan(profile(**named(it), broken=it.broken()))
    result = run(plan, query())

    assert timeline(result.records, it) == ORDER
    assert [f.source for f in result.failures] == ["broken"]
    assert result.failures[0].reason


def test_follow_picks_up_an_appended_record(world: tuple[str, World]) -> None:
    _, it = world
    sources = named(it, live=True)
    plan = build_plan(profile(**sources))
    feeds = []
    for name, config in sources.items():
        targets = [t for t in plan.targets if t.origin.source == name]
        following = get_source(config.type).follow(
            plan.templates[name], targets, config, query(), lambda: 0
        )
        feeds.append(following.feed)
    history: list[Any] = []
    got: list[Any] = []
    try:
        for feed in feeds:
            history += feed.start(history=True)
        it.append("a", "a-late")
        deadline = time.monotonic() + 15
        while not got and time.monotonic() < deadline:
            time.sleep(0.1)
            got = [r for feed in feeds for r in feed.poll(time.monotonic())]
        got += [r for feed in feeds for r in feed.close()]
    finally:
        for feed in feeds:
            feed.close()

    assert sorted(m for _, m in timeline(history, it)) == sorted(m for _, m in ORDER)
    assert [(o, m) for o, m in timeline(got, it)] == [("a", "a-late")]


def test_coverage_is_the_first_and_last_record_time(world: tuple[str, World]) -> None:
    _, it = world
    plan = build_plan(profile(**named(it)))
    records = run(plan, query()).records
    source = get_source(plan.targets[0].origin.kind)

    for target in plan.targets:
        mine = [r.time for r in records if r.origin == target.origin.name]
        expected = (mine[0], mine[-1]) if getattr(it, "covers", True) else None
        assert source.coverage(target) == expected


def test_sample_gives_the_first_lines_as_the_parser_sees_them(
    world: tuple[str, World],
) -> None:
    _, it = world
    plan = build_plan(profile(**named(it)))
    source = get_source(plan.targets[0].origin.kind)

    for target in plan.targets:
        name = next(n for n in CORPUS if it.origin(n) == target.origin.name)
        sampled = source.sample(target, 2)
        if not getattr(it, "covers", True):
            assert sampled is None
            continue
        assert sampled is not None
        parsed = [target.parser.parse(x.decode(), target.tz) for x in sampled.lines]
        assert [p.message for p in parsed if p] == CORPUS[name][:2]
        assert all(sampled.is_start(x) for x in sampled.lines)
