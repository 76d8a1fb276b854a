"""File source: the `file` type's Source, put together from its parts.

Discovery expands globs and directories; one-shot reading is cut into pieces
(pieces.py) that the runner scans in worker processes; following tails the
files (tail.py); `sources` shows each file's time coverage (coverage.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from tracerun.config.spec import FileSourceConfig
from tracerun.origin import Origin
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
from tracerun.sources.file import adhoc
from tracerun.sources.file.adhoc import AdhocFileSourceConfig
from tracerun.sources.file.open import denied_failure
from tracerun.sources.file.paths import expand_paths, no_match
from tracerun.sources.file.pieces import (
    Piece,
    PieceResult,
    file_jobs,
    join_pieces,
    read_piece,
)


class FileSource(SourceDefaults):
    """Reads log files, rotated siblings and compressed archives."""

    kind = "file"
    in_processes = True

    def discover(self, name: str, index: int, config: FileSourceConfig) -> Discovery:
        """List the files of a file source with their sizes."""
        files, empty, denied = expand_paths(config.paths)
        found = Discovery()
        for pattern in empty:
            found.warnings.append(f"source {name}: {no_match(pattern)}")
        if isinstance(config, AdhocFileSourceConfig):
            denied = sorted({*denied, *config.denied})  # found by adhoc_sources
        found.failures += [denied_failure(name, folder) for folder in denied]
        for path in files:
            try:
                size = path.stat().st_size
            except OSError:
                size = None
            found.origins.append(
                Origin(name, index, "file", str(path), str(path), size=size)
            )
        return found

    def jobs(
        self, targets: Sequence[Target], query: Query, workers: int
    ) -> list[list[ReadJob]]:
        """Pieces of each file: its window's range, cut for the workers."""
        return [list(pieces) for pieces in file_jobs(targets, query, workers)]

    def read_job(self, job: ReadJob, query: Query) -> PieceResult:
        """Scan one piece."""
        assert isinstance(job, Piece)  # jobs() made it
        return read_piece(job, query)

    def join(self, target: Target, results: list[PieceResult]) -> OriginResult:
        """Join a file's pieces, numbering lines from the file's start."""
        return join_pieces(target, results)

    def read(self, target: Target, query: Query) -> OriginResult:
        """Scan one whole file."""
        return join_pieces(target, [read_piece(Piece(target), query)])

    def follow(
        self,
        template: Target,
        targets: list[Target],
        config: FileSourceConfig,
        query: Query,
        clock: Clock,
    ) -> Following:
        """Tail the plain files behind the globs; archives are read once, for history."""
        from tracerun.sources.file.tail import SourceTail  # noqa: PLC0415 - start-up: follow only
        from tracerun.sources.file.tracked import archives_of  # noqa: PLC0415 - start-up: follow only

        if isinstance(config, AdhocFileSourceConfig) and config.group is not None:
            from tracerun.sources.file.group import follow_group  # noqa: PLC0415 - start-up: follow only

            return follow_group(template, targets, config.group, query, clock)
        archives, skip = archives_of(targets)
        feed = SourceTail(template, config.paths, query, clock, skip)
        return Following(feed, archives)

    def coverage(self, target: Target) -> tuple[int | None, int | None]:
        """First and last timestamp of a file, from its head and tail."""
        from tracerun.sources.file import coverage  # noqa: PLC0415 - start-up: `sources` only

        return coverage.time_coverage(target)

    def local_offset(self, target: Target) -> int | None:
        """Compare a plain file's last naive timestamp with its modification time."""
        from tracerun.sources.file import coverage  # noqa: PLC0415 - start-up: `sources` only

        return coverage.local_offset(target)

    def sample(self, target: Target, count: int) -> Sampled:
        """Read the first lines of a file (decompressed)."""
        from tracerun.sources.file import coverage  # noqa: PLC0415 - start-up: `sources` only

        return Sampled(coverage.head_sample(target, count), target.is_start)

    def adhoc(
        self, values: Sequence[str], taken: frozenset[str] = frozenset()
    ) -> dict[str, FileSourceConfig]:
        """One file source per log (its rotations included), named after the log."""
        return adhoc.adhoc_sources(values, taken)

    def families(self, values: Sequence[str], out_dir: Path | None) -> list[Family]:
        """One family per log and its rotations, with the first lines of its newest file."""
        return adhoc.families(values, out_dir)
