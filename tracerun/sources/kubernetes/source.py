"""Kubernetes source: the `kubernetes` type's Source, put together from its parts.

Discovery lists the pods of each context and namespace (pods.py); one-shot
reading runs one `kubectl logs` per container in a thread, at most
`max_parallel` at once per source (logs.py); following streams them with
`--follow` and lists the pods again for new ones (tail.py); `sources` shows
the kubelet's time of each container's first and last line.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tracerun.config.spec import KubernetesSourceConfig
from tracerun.query import Query
from tracerun.read.target import Target, stdout_start_rule
from tracerun.sources.base import (
    Clock,
    Discovery,
    Family,
    Following,
    OriginResult,
    ReadError,
    ReadJob,
    Sampled,
    SourceDefaults,
    WholeOrigin,
)
from tracerun.sources.kubernetes import adhoc, logs, pods
from tracerun.sources.kubernetes.stamps import bare, kubelet_us

MARGIN_US = 60 * 1_000_000
"""Slack when skipping an instance that ended before the window (clocks)."""


class KubernetesSource(SourceDefaults):
    """Reads the logs of pods' containers with the user's `kubectl`."""

    kind = "kubernetes"
    in_processes = False  # waiting on kubectl: threads

    def discover(
        self, name: str, index: int, config: KubernetesSourceConfig
    ) -> Discovery:
        """List the containers of the matching pods in each context and namespace."""
        return pods.discover(name, index, config)

    def jobs(
        self,
        targets: Sequence[Target],
        query: Query,
        workers: int,  # noqa: ARG002 - bounded by max_parallel instead
    ) -> list[list[ReadJob]]:
        """One job per container that has run, none for one that ended before --since."""
        since = query.since
        jobs: list[list[ReadJob]] = []
        for target in targets:
            origin = logs.pod_of(target)
            ended = origin.ended
            old = since is not None and ended is not None and ended < since - MARGIN_US
            jobs.append([WholeOrigin(target)] if origin.ran and not old else [])
        return jobs

    def join(self, target: Target, results: list[OriginResult]) -> OriginResult:  # noqa: ARG002
        """Return the one job's result, or nothing for a container not read."""
        return results[0] if results else OriginResult()

    def read(self, target: Target, query: Query) -> OriginResult:
        """Stream one container's log and return its matching records."""
        return logs.read_container(target, query)

    def follow(
        self,
        template: Target,
        targets: list[Target],
        config: KubernetesSourceConfig,
        query: Query,
        clock: Clock,  # noqa: ARG002 - the kubelet stamps every line
    ) -> Following:
        """Stream the containers live; list the pods again for new ones.

        Previous instances have ended: they are read once, for the history.
        """
        from tracerun.sources.kubernetes.tail import KubernetesFeed  # noqa: PLC0415 - start-up: follow only

        previous = [t for t in targets if logs.pod_of(t).previous]
        return Following(
            KubernetesFeed(template, config, query), once=previous, rediscovers=True
        )

    def coverage(self, target: Target) -> tuple[int | None, int | None]:
        """Read the kubelet's times of a container's first and last line (µs)."""
        if not logs.pod_of(target).ran:
            return None, None
        head, last = logs.head_and_last(logs.pod_of(target), 1)
        first = kubelet_us(head[0]) if head else None
        return first, kubelet_us(last) if last else None

    def sample(self, target: Target, count: int) -> Sampled:
        """Read the first lines of a container's log, without the kubelet's stamps."""
        if not logs.pod_of(target).ran:
            msg = "the container has not started"
            raise ReadError(msg, "it has no log yet")
        head, _ = logs.head_and_last(logs.pod_of(target), count)
        lines = [bare(line) for line in head if bare(line).strip()][:count]
        return Sampled(lines, stdout_start_rule(target), stand_in_time=True)

    def adhoc(
        self, values: Sequence[str], taken: frozenset[str] = frozenset()
    ) -> dict[str, KubernetesSourceConfig]:
        """One kubernetes source per `--k8s SELECTOR`."""
        return adhoc.adhoc_sources(values, taken)

    def families(self, values: Sequence[str], out_dir: Path | None) -> list[Family]:  # noqa: ARG002
        """One family per `--k8s` selector, from its first container's log."""
        return adhoc.families(values)
