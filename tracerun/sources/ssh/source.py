"""SSH source: the `ssh` type's Source, put together from its parts.

Discovery lists each host's files (select.py); one-shot reading runs the
search on the host, one `ssh` session per host for all of its files, over
one multiplexed connection per host (logs.py); following runs `tail -F` there (tail.py);
`sources` shows each file's time coverage from its head and tail.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tracerun.config.spec import SshSourceConfig
from tracerun.plain import plain
from tracerun.query import Query
from tracerun.read.target import Target
from tracerun.sources.base import (
    Clock,
    Discovery,
    Family,
    Following,
    OriginResult,
    ReadJob,
    Sampled,
    SourceDefaults,
)
from tracerun.sources.ssh import adhoc, client, logs, peek, select


@plain(frozen=True, slots=True)
class HostFile:
    """One remote file's read job, with the batch its host's files share."""

    target: Target
    batch: logs.HostBatch
    size: int = 0


MARGIN_US = 60 * 1_000_000
"""Slack when skipping files by modification time (clocks, late writes)."""


class SshSource(SourceDefaults):
    """Searches log files on remote hosts, on the hosts themselves."""

    kind = "ssh"
    in_processes = False  # network-bound: threads

    def discover(self, name: str, index: int, config: SshSourceConfig) -> Discovery:
        """List each host's files behind the source's remote globs."""
        return select.discover(name, index, config)

    def jobs(
        self,
        targets: Sequence[Target],
        query: Query,
        workers: int,  # noqa: ARG002 - hosts search in parallel anyway
    ) -> list[list[ReadJob]]:
        """One job per file, none for a file last written before the window.

        A host's files share one batch: the first of its jobs to run searches
        them all in one `ssh` session (#14: a session per file cost about 7 ms
        of local CPU each, and a remote `sh` each).
        """
        since = query.since
        kept: list[Target] = []
        for target in targets:
            mtime_us = logs.remote_of(target).mtime * 1_000_000
            if not (since is not None and mtime_us < since - MARGIN_US):
                kept.append(target)
        groups: dict[tuple[object, ...], list[Target]] = {}
        for target in kept:
            groups.setdefault(logs.batch_key(target, query), []).append(target)
        batches: dict[int, logs.HostBatch] = {}
        for group in groups.values():
            batch = logs.HostBatch(group, query, query.timeout)
            for target in group:
                batches[id(target)] = batch
        return [
            [HostFile(target, batches[id(target)])] if id(target) in batches else []
            for target in targets
        ]

    def read_job(self, job: ReadJob, query: Query) -> OriginResult:
        """Read a file's job: through its host's batch when it has one."""
        if isinstance(job, HostFile):
            return job.batch.result_of(job.target)
        return self.read(job.target, query)

    def join(self, target: Target, results: list[OriginResult]) -> OriginResult:  # noqa: ARG002
        """Return the one job's result, or nothing for a file the window skipped."""
        return results[0] if results else OriginResult()

    def abandon(self) -> None:
        """Stop every ssh session still being read (their reads then end at once)."""
        client.cut_all()

    def read(self, target: Target, query: Query) -> OriginResult:
        """Search one remote file on its host."""
        return logs.read_remote(target, query, query.timeout)

    def follow(
        self,
        template: Target,
        targets: list[Target],
        config: SshSourceConfig,  # noqa: ARG002 - the targets say everything
        query: Query,
        clock: Clock,
    ) -> Following:
        """Follow each host's files with `tail -F` there."""
        from tracerun.sources.ssh.tail import SshFeed  # noqa: PLC0415 - start-up: follow only

        return Following(SshFeed(template, targets, query, clock))

    def coverage(self, target: Target) -> tuple[int | None, int | None]:
        """First and last timestamp of a remote file, from its head and tail."""
        return peek.coverage(target)

    def sample(self, target: Target, count: int) -> Sampled:
        """Read the first lines of a remote file."""
        return Sampled(peek.head(target, count), target.is_start)

    def adhoc(
        self, values: Sequence[str], taken: frozenset[str] = frozenset()
    ) -> dict[str, SshSourceConfig]:
        """Make sources of `--ssh [user@]host[:port]:PATH` values."""
        return adhoc.adhoc_sources(values, taken)

    def families(self, values: Sequence[str], out_dir: Path | None) -> list[Family]:  # noqa: ARG002
        """One family per `--ssh HOST:PATH`, from its newest file's first lines."""
        return adhoc.families(values)
