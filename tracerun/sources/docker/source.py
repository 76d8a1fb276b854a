"""Docker source: the `docker` type's Source, put together from its parts.

Discovery selects containers (select.py); one-shot reading streams each
container's log in a thread (logs.py); following streams them live and watches
the engine's events (tail.py); `sources` shows the engine's time of each
container's first and last line.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tracerun.config.spec import DockerSourceConfig
from tracerun.query import Query
from tracerun.read.target import Target
from tracerun.sources.base import (
    Clock,
    Discovery,
    Family,
    Following,
    OriginResult,
    Sampled,
    SourceDefaults,
)
from tracerun.sources.docker import adhoc, logs, select
from tracerun.sources.docker.engine import EngineError
from tracerun.sources.docker.stamps import content, engine_us

_SAMPLE_BYTES = 1024 * 1024


class DockerSource(SourceDefaults):
    """Reads the logs of containers on a Docker engine."""

    kind = "docker"
    in_processes = False  # network-bound: threads

    def discover(self, name: str, index: int, config: DockerSourceConfig) -> Discovery:
        """List the containers of a docker source (name, state, image, start time)."""
        return select.discover(name, index, config)

    def read(self, target: Target, query: Query) -> OriginResult:
        """Stream one container's log and return its matching records."""
        return logs.read_container(target, query)

    def follow(
        self,
        template: Target,
        targets: list[Target],  # noqa: ARG002 - the feed finds them itself
        config: DockerSourceConfig,
        query: Query,
        clock: Clock,  # noqa: ARG002 - the engine stamps every line
    ) -> Following:
        """Stream the containers live; pick up new ones from the engine's events."""
        from tracerun.sources.docker.tail import DockerFeed  # noqa: PLC0415 - start-up: follow only

        return Following(DockerFeed(template, config, query), rediscovers=True)

    def coverage(self, target: Target) -> tuple[int | None, int | None]:
        """Read the engine's times of a container's first and last log line (µs).

        Cheap: the first line is streamed and the stream closed; the last comes
        from the engine's `tail=1`. (None, None) when the engine cannot be asked.
        """
        try:
            head, last = logs.head_and_last(
                logs.container_of(target), 1, _SAMPLE_BYTES, with_last=True
            )
        except EngineError:
            return None, None
        first = engine_us(head[0]) if head else None
        return first, engine_us(last) if last else None

    def sample(self, target: Target, count: int) -> Sampled:
        """Read the first lines of a container's log, without the engine's stamps."""
        head, _ = logs.head_and_last(
            logs.container_of(target), count, _SAMPLE_BYTES, with_last=False
        )
        lines = [content(line) for line in head if content(line).strip()][:count]
        return Sampled(lines, logs.record_start_rule(target), stand_in_time=True)

    def adhoc(
        self, values: Sequence[str], taken: frozenset[str] = frozenset()
    ) -> dict[str, DockerSourceConfig]:
        """One docker source per container matching a `--docker` glob."""
        return adhoc.adhoc_sources(values, taken)

    def families(self, values: Sequence[str], out_dir: Path | None) -> list[Family]:  # noqa: ARG002
        """One family per `--docker` glob, from its first container's log."""
        return adhoc.families(values)
