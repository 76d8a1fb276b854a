"""Group: the ad hoc file sources of one `--path` flag → one tail that follows them all.

`--path 'logs/*.log'` makes one source per log, as a one-shot trace names
them; following, one SourceTail over the flag's own globs and directories
gives each file the source a one-shot run would give it, and a log created
later a source of its own, named after it (as a profile's globs pick up new
files). The sources that are not the first share the first one's tail: each
adopts its files when the driver starts it, so `--source` still selects.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from tracerun.query import Query
from tracerun.read.target import Target
from tracerun.record import Record
from tracerun.sources.base import Clock, Following
from tracerun.sources.feed import Note
from tracerun.sources.file.adhoc import AdhocGroup
from tracerun.sources.file.paths import source_name
from tracerun.sources.file.tail import SourceTail
from tracerun.sources.file.tracked import archives_of


def follow_group(
    template: Target,
    targets: list[Target],
    group: AdhocGroup,
    query: Query,
    clock: Clock,
) -> Following:
    """Follow one source of an ad hoc group: the first starts the group's tail."""
    archives, skip = archives_of(targets)
    group.live[template.origin.source] = template.origin.source_index
    if group.tail is None:
        owner = partial(source_of, group)
        tail = SourceTail(template, list(group.values), query, clock, skip, owner)
        group.tail = tail
        return Following(tail, archives)
    tail = group.tail
    tail.skip(skip)
    member = _Member(tail, template.origin.source)
    return Following(member, archives, polled=False)


def source_of(group: AdhocGroup, path: str) -> tuple[str, int | None] | None:
    """Name the source a file's records belong to, with its index if it is followed.

    A file listed by the one-shot naming, or another file of the same log (a
    rotation), belongs to that log's source; any other file is a new log: its
    own source, under the first source's index, when the first is followed
    (None otherwise).
    """
    stem = source_name(Path(path))
    name = group.by_path.get(path) or group.by_stem.get(stem)
    if name is not None:
        return name, group.live.get(name)
    index = group.live.get(group.first)
    if index is None:
        return None
    return (stem if stem not in group.taken else f"{stem}-path"), index


class _Member:
    """The feed of a group source other than the first: its files are in the tail."""

    def __init__(self, tail: SourceTail, source: str) -> None:
        self._tail = tail
        self._source = source

    def start(self, history: bool) -> list[Record]:
        """Let the group's tail take this source's files; their history if asked."""
        return self._tail.adopt(self._source, history)

    def poll(self, now: float) -> list[Record]:  # noqa: ARG002 - the Feed protocol
        """Nothing: the first source's feed polls the group's tail (not polled)."""
        return []

    def notes(self) -> list[Note]:
        """Nothing: the first source's feed tells."""
        return []

    def close(self) -> list[Record]:
        """Nothing: the first source's feed closes the group's tail."""
        return []
