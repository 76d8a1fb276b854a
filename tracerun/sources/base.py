"""Source protocol: what every source type does, with defaults for what one cannot.

A source type (`type:` in a profile) is one package under `sources/`; the runner,
the follow driver and the `sources`/`init` commands reach it only through this
protocol, so nothing outside `sources/` and `config/` branches on a source's
type. `SourceDefaults` gives every method a default, as pre-commit's
`lang_base` does for its languages: a type that cannot be followed, sampled or
named ad hoc inherits the behaviour that says so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from tracerun.plain import field, plain
from tracerun.read.tally import Tally

if TYPE_CHECKING:
    from tracerun.errors import SourceFailure
    from tracerun.origin import Origin
    from tracerun.query import Query
    from tracerun.read.assemble import Timeless
    from tracerun.read.runs import Run
    from tracerun.read.target import Target
    from tracerun.record import Record
    from tracerun.sources.feed import Feed

Clock = Callable[[], int]
"""The time (µs since the epoch) given to a live record that has none."""


@plain
class Discovery:
    """What a source resolves to, found without reading any log content."""

    origins: list[Origin] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    failures: list[SourceFailure] = field(default_factory=list)


@plain
class OriginResult:
    """What reading one origin produced.

    `tally` says why hits were dropped; the runner turns its count of lines
    that did not parse into a warning, or into the reason nothing matched.
    """

    records: list[Record] = field(default_factory=list)
    """Matched records in any order (types that do not build runs)."""
    runs: list[Run] = field(default_factory=list)
    """Matched records as sorted runs (read/runs.py), capped to what can be printed."""
    warnings: list[str] = field(default_factory=list)
    failure: SourceFailure | None = None
    bytes_read: int = 0
    tally: Tally = field(default_factory=Tally)
    timeless: Timeless | None = None
    """Records that got no time, when the type leaves their warning to the runner."""
    capped: list[str] = field(default_factory=list)
    """What a size cap left out (`origin:line: …`): reported as errors, exit 3."""


class ReadJob(Protocol):
    """One unit of one-shot reading: a whole origin unless its type cuts it up.

    `size` is the bytes it covers when known: the runner starts worker processes
    only for CPU-bound types with enough bytes to pay for them.
    """

    @property
    def target(self) -> Target:
        """The origin this job reads (part of)."""
        ...

    @property
    def size(self) -> int:
        """Bytes this job covers (0: unknown or not CPU-bound)."""
        ...


# Plain classes (tracerun/plain.py), not NamedTuples: a NamedTuple compiles
# each of its string annotations at import (~0.3 ms a class here, issue #18).


@plain(frozen=True, slots=True)
class WholeOrigin:
    """The default read job: one whole origin."""

    target: Target
    size: int = 0


@plain(frozen=True, slots=True)
class Following:
    """How a source is followed: its live feed, and what is read once for history.

    `rediscovers`: the feed finds its origins again itself and reports their
    failures, so the driver does not repeat the plan's. `polled` False: the
    feed is started (its history) but another source's feed reads for it
    (the ad hoc sources of one flag share one), so the driver never polls it.
    """

    feed: Feed
    once: list[Target] = []  # noqa: RUF012 - never mutated
    rediscovers: bool = False
    polled: bool = True


@plain(frozen=True, slots=True)
class Sampled:
    """The first lines of one origin, for `sources --check`.

    Attributes:
        lines: the lines, as the parser will see them (transport prefixes removed).
        is_start: which of them start a record.
        stand_in_time: the transport's time stands in for a line without one.
    """

    lines: list[bytes]
    is_start: Callable[[bytes], bool]
    stand_in_time: bool = False


@plain(frozen=True, slots=True)
class Family:
    """Logs that `init` turns into one source: where they are and their first lines.

    Attributes:
        name: the source's (and its parser's) name.
        kind: the source type (`type:` value).
        key: the profile key the pattern goes under (`paths`, `containers`).
        pattern: the glob or name written there.
        lines: the first lines of its first non-empty log, decoded.
        settings: further `key: value  # comment` lines for the source.
        tail: the last lines of its newest plain log, decoded.
        written: that log's modification time (µs), for the clock check.
    """

    name: str
    kind: str
    key: str
    pattern: str
    lines: tuple[str, ...]
    settings: tuple[tuple[str, str, str], ...] = ()
    tail: tuple[str, ...] = ()
    written: int | None = None


@plain(frozen=True, slots=True)
class AdhocFlag:
    """A command-line flag that names sources of one type without a profile."""

    option: str
    """The flag, e.g. `--path`."""
    metavar: str
    help: str
    init_help: str
    """Its help text under `tracerun init`."""
    companion: tuple[str, str, str] | None = None
    """A repeatable option that qualifies the flag's values (`--k8s-context NAME`):
    option, metavar, help. Its values reach `Source.adhoc` after the flag's,
    each as `OPTION=VALUE`."""

    @property
    def dest(self) -> str:
        """Name the click parameter: `--path` → `path`."""
        return self.option.lstrip("-").replace("-", "_")


class CannotError(Exception):
    """A source type lacks what was asked of it (follow, a flag); the message says so."""


class ReadError(Exception):
    """An origin could not be read (engine gone, decoder missing); carries reason and hint."""

    def __init__(self, reason: str, hint: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.hint = hint


class Source(Protocol):
    """One source type (`type:` in a profile)."""

    kind: str
    in_processes: bool
    """Reading is CPU-bound (searching bytes): large inputs go to worker processes."""

    def discover(self, name: str, index: int, config: Any) -> Discovery:
        """Resolve a configured source to concrete origins (files, containers)."""
        ...

    def jobs(
        self, targets: Sequence[Target], query: Query, workers: int
    ) -> list[list[ReadJob]]:
        """Cut the reading of these origins into jobs: one list per target, in order."""
        ...

    def read_job(self, job: ReadJob, query: Query) -> Any:
        """Read one job (in a worker process when `in_processes`)."""
        ...

    def join(self, target: Target, results: list[Any]) -> OriginResult:
        """Put the results of one target's jobs together (in job order)."""
        ...

    def follow(
        self,
        template: Target,
        targets: list[Target],
        config: Any,
        query: Query,
        clock: Clock,
    ) -> Following:
        """Start following one source (raises CannotError when it cannot be)."""
        ...

    def coverage(self, target: Target) -> tuple[int | None, int | None] | None:
        """First and last timestamp of an origin, read cheaply (None: not known).

        Raises ReadError when the origin cannot be read: `sources` lists it as
        a failed origin, as a trace would.
        """
        ...

    def sample(self, target: Target, count: int) -> Sampled | None:
        """Read the first `count` lines of an origin (None: this type cannot).

        Raises ReadError as `coverage` does.
        """
        ...

    def local_offset(self, target: Target) -> int | None:
        """Offset (s) that its naive last timestamp looks written in, if not the zone's."""
        ...

    def adhoc(
        self, values: Sequence[str], taken: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        """Make sources of the type's ad hoc flag values, keyed by source name.

        A name in `taken` (the profile's sources) gets the flag's name as a
        suffix (`orders-path`), also for what appears while following.
        """
        ...

    def families(self, values: Sequence[str], out_dir: Path | None) -> list[Family]:
        """Find the logs `init` describes for the ad hoc flag's values."""
        ...

    def abandon(self) -> None:
        """Stop what this type's reads still run: the run is abandoned (Ctrl-C).

        Why: a read in a worker thread cannot be interrupted, and the
        interpreter waits for its threads at exit.
        """
        ...


class SourceDefaults:
    """Defaults for a source type: one job per origin, no follow, no sample, no flag."""

    kind = "?"
    in_processes = False

    def read(self, target: Target, query: Query) -> OriginResult:
        """Read one whole origin (types that keep the default jobs implement this)."""
        raise NotImplementedError

    def jobs(
        self,
        targets: Sequence[Target],
        query: Query,  # noqa: ARG002 - the protocol's signature
        workers: int,  # noqa: ARG002
    ) -> list[list[ReadJob]]:
        """One job per target."""
        return [[WholeOrigin(target)] for target in targets]

    def read_job(self, job: ReadJob, query: Query) -> Any:
        """Read the job's whole origin."""
        return self.read(job.target, query)

    def join(self, target: Target, results: list[Any]) -> OriginResult:  # noqa: ARG002
        """Return the one job's result."""
        result: OriginResult = results[0]
        return result

    def follow(
        self,
        template: Target,  # noqa: ARG002
        targets: list[Target],  # noqa: ARG002
        config: Any,  # noqa: ARG002
        query: Query,  # noqa: ARG002
        clock: Clock,  # noqa: ARG002
    ) -> Following:
        """Refuse: this type has no live reading."""
        msg = f"{self.kind} sources cannot be followed; only their history is shown"
        raise CannotError(msg)

    def coverage(self, target: Target) -> tuple[int | None, int | None] | None:  # noqa: ARG002
        """Not known."""
        return None

    def sample(self, target: Target, count: int) -> Sampled | None:  # noqa: ARG002
        """Not supported."""
        return None

    def local_offset(self, target: Target) -> int | None:  # noqa: ARG002
        """Not known: the origin has no modification time to compare with."""
        return None

    def adhoc(
        self,
        values: Sequence[str],  # noqa: ARG002
        taken: frozenset[str] = frozenset(),  # noqa: ARG002
    ) -> dict[str, Any]:
        """Refuse: this type has no ad hoc flag."""
        msg = f"{self.kind} sources need a profile"
        raise CannotError(msg)

    def families(self, values: Sequence[str], out_dir: Path | None) -> list[Family]:  # noqa: ARG002
        """Refuse: this type has no ad hoc flag."""
        msg = f"{self.kind} sources need a profile"
        raise CannotError(msg)

    def abandon(self) -> None:
        """Nothing to stop: reads end on their own (or at their timeout)."""


@plain(frozen=True, slots=True)
class Program:
    """A program a profile makes tracerun run, as the trust check shows it.

    Attributes:
        argv: the program and its arguments, as the profile writes them.
        cwd: the folder it runs in (None: the current one).
        env: the variables the profile sets for it.
        when: when it runs (`-f` for a follow-only argv; "" always).
    """

    argv: tuple[str, ...]
    cwd: str | None = None
    env: tuple[tuple[str, str], ...] = ()
    when: str = ""


@plain(frozen=True, slots=True)
class SourceType:
    """A registry entry: the type's name, how to load its code, its ad hoc flag.

    Why a loader: the reading code of a type (and, for docker, its SDK) is
    imported only when a plan has a source of that type.

    `runs` is set by a type whose configuration names programs to run: it lists
    them (from the plain config, without loading the type's code), and a
    profile with any runs only once the user trusts it (cli/trust.py).
    """

    kind: str
    load: Callable[[], Source]
    flag: AdhocFlag | None = None
    runs: Callable[[Any], list[Program]] | None = None


def unique_names(keys: list[tuple[str, str]]) -> list[str]:
    """Make family names unique: `(group, name)` → name, `group-name`, then `-2`, `-3`.

    Args:
        keys: each family's group (its folder, its type) and preferred name.
    """
    counts = Counter(name for _, name in keys)
    names = [f"{g}-{n}" if counts[n] > 1 and g else n for g, n in keys]
    seen: Counter[str] = Counter()
    unique = []
    for name in names:
        seen[name] += 1
        unique.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return unique
