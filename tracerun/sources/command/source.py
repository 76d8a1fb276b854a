"""Command source: the `command` type's Source, put together from its parts.

Discovery makes one origin per source (nothing is run); a one-shot read runs
the program with the window's placeholders filled and scans its stdout as a
file is scanned (same prefilter, parser, record-start rule); following keeps
the program (or its `follow:` argv) running and reads it live (tail.py).
"""

from __future__ import annotations

import time

from tracerun.config.spec import CommandSourceConfig
from tracerun.errors import SourceFailure, mask
from tracerun.query import Query
from tracerun.read.assemble import Assembler
from tracerun.read.match import Matcher
from tracerun.read.scan import Needles, Scan, ScanNotice
from tracerun.read.target import Target
from tracerun.sources.base import (
    CannotError,
    Clock,
    Discovery,
    Following,
    OriginResult,
    ReadError,
    SourceDefaults,
)
from tracerun.sources.command.process import (
    LEFT_OVER,
    CommandOrigin,
    Output,
    last_lines,
    spawn,
    stop_all,
)
from tracerun.sources.command.window import expand_argv


def command_of(target: Target) -> CommandOrigin:
    """Return the target's origin, a command (discovery made it)."""
    origin = target.origin
    assert isinstance(origin, CommandOrigin)
    return origin


class CommandSource(SourceDefaults):
    """Runs a program and reads its stdout as a log."""

    kind = "command"
    in_processes = False  # the program does the work: threads

    def discover(self, name: str, index: int, config: CommandSourceConfig) -> Discovery:
        """One origin: the program, described by its argv (nothing is run)."""
        import shlex  # noqa: PLC0415 - start-up: only a plan with a command

        live = config.follow
        live_argv = tuple(live) if isinstance(live, list) else None
        if live is True:
            live_argv = tuple(config.argv)
        # Shown (stdout's `origin`, messages): an expanded ${SECRET} is masked.
        program = mask(config.argv[0])
        origin = CommandOrigin(
            name,
            index,
            "command",
            program,
            program,
            detail=mask(f"runs: {shlex.join(config.argv)}"),
            argv=tuple(config.argv),
            env=tuple(config.env.items()),
            cwd=config.cwd,
            timeout=config.timeout,
            live_argv=live_argv,
        )
        return Discovery(origins=[origin])

    def read(self, target: Target, query: Query) -> OriginResult:
        """Run the program once and return the matching records of its stdout."""
        origin = command_of(target)
        argv = expand_argv(origin.argv, query.since, query.until, _now_us())
        result = OriginResult()
        try:
            output = Output(spawn(origin, argv), origin.timeout)
        except ReadError as exc:
            result.failure = SourceFailure(
                origin.source, origin.name, exc.reason, exc.hint
            )
            return result
        try:
            _scan(target, query, output, result)
            output.finish()
        finally:
            output.close()
            result.bytes_read = output.count
        failed = output.failure()
        where = f"source {origin.source}: {origin.name}"
        if failed is not None:
            result.failure = SourceFailure(origin.source, origin.name, *failed)
        elif said := last_lines(bytes(output.stderr), cut_start=output.stderr_cut):
            result.warnings.append(f"{where}: exited with status 0{said}")
        if output.left_over:
            result.warnings.append(f"{where}: {LEFT_OVER}")
        return result

    def follow(
        self,
        template: Target,  # noqa: ARG002 - the origin says everything
        targets: list[Target],
        config: CommandSourceConfig,  # noqa: ARG002
        query: Query,
        clock: Clock,
    ) -> Following:
        """Keep the program (or its `follow:` argv) running and read it live."""
        origin = command_of(targets[0]) if targets else None
        if origin is None or origin.live_argv is None:
            msg = "a command without `follow:` runs once; only its history is shown"
            raise CannotError(msg)
        from tracerun.sources.command.tail import CommandFeed  # noqa: PLC0415 - start-up: follow only

        return Following(CommandFeed(targets[0], query, clock))

    def abandon(self) -> None:
        """Stop every program still being read (their reads then end at once)."""
        stop_all()


def _scan(target: Target, query: Query, output: Output, result: OriginResult) -> None:
    """Scan the program's stdout as a file: hits → records, notices → capped."""
    name = target.origin.name
    assembler = Assembler(target, Matcher(query))
    needles = Needles.of(query.values, ignore_case=query.ignore_case)
    notices: list[ScanNotice] = []
    scan = Scan(
        output,
        needles,
        target.is_start,
        notices,
        before=query.before,
        after=query.after,
    )
    for hit in scan:
        result.records += assembler.records(hit)
    result.capped += [f"{name}:{n.line}: {n.message}" for n in notices]
    result.warnings += assembler.warnings
    result.warnings += assembler.tally.failure_warnings(name)
    result.tally = assembler.tally
    result.timeless = assembler.timeless


def _now_us() -> int:
    return time.time_ns() // 1000
