"""Expand: follow a request through every id its records carry, a loop around `run`.

Pass 0 is the query itself (found newest first with the automatic window,
trace/window.py). Each further pass searches every id that the previous pass's
new records carried in one of the profile's `correlate` fields (one multi-needle
pass over each origin: the ids are the query's terms, as with --ids-from), over
the origins that meet the window only, until no new id appears or a limit is
reached (--max-depth passes, --max-ids ids added to the query's own). A value that is not an id (empty,
`-`, `null`, `0`, one of `ignore.values`, a field of `ignore.fields`) is never
followed; nor is one that more than --max-fanout records carry (a tenant id): its
records are left out and the graph says so. A record found by two passes is kept
once (by origin, time and first line: `record_key`); the timeline is sorted by
time, source order, origin, then byte offset (a bisected pass has no line numbers).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from tracerun.config.format import is_dotted_path
from tracerun.config.spec import Profile
from tracerun.errors import EvaluationError, OnceWarning, SourceFailure, quoted
from tracerun.extract.fields import expression_getter
from tracerun.output.idgraph import IdNode
from tracerun.plain import field, plain, replace
from tracerun.query import Query, Term
from tracerun.read.assemble import Timeless, timeless_warnings
from tracerun.read.match import lookup, spellings
from tracerun.record import NO_TIME, Record, field_text
from tracerun.timeparse import format_utc_ms
from tracerun.trace.merge import Timeline
from tracerun.trace.plan import Plan
from tracerun.trace.runner import RunResult, SharedWorkers, run, shared_workers
from tracerun.trace.window import probe

MAX_DEPTH = 3
MAX_IDS = 200
MAX_FANOUT = 100
MARGIN_US = 10 * 60 * 1_000_000
NOT_IDS = frozenset({"", "-", "--", "null", "none", "nil", "undefined", "n/a", "0"})
MAX_ID_CHARS = 256
"""A longer value is not an id (a message, a payload): it is not followed, and
a needle that long would cost the search's set-up (periodic values are slow)."""
"""Values that stand for "no id" (compared lowercased, stripped)."""
_SHOWN = 5
"""Ids named in a limit's message; the rest are counted."""


@plain(frozen=True)
class ExpandSettings:
    """How far to follow ids, and how to bound the time searched."""

    expand: bool = True
    max_depth: int = MAX_DEPTH
    max_ids: int = MAX_IDS
    max_fanout: int = MAX_FANOUT
    margin: int = MARGIN_US
    """µs added on each side of the hits for the automatic window."""
    auto_window: bool = True


@plain
class Expansion:
    """What an expanded trace followed: the id graph, the window, what was left out."""

    nodes: list[IdNode] = field(default_factory=list)
    passes: int = 0
    window: tuple[int, int] | None = None
    notes: list[str] = field(default_factory=list)
    chains: dict[str, str] = field(default_factory=dict)
    """Each id searched (not one left unfollowed) → the `via` of its records."""
    refused: set[str] = field(default_factory=set)
    """The ids found but not followed (over --max-fanout): a follow skips them too."""


class Collected(Timeline):
    """A timeline over records already in memory (an expanded trace's), in total order."""

    def __init__(
        self,
        records: Sequence[Record],
        limit: int | None = None,
        max_records: int | None = None,
    ) -> None:
        super().__init__(limit, max_records)
        self._records = sorted(records, key=_order)
        self.seen = len(self._records)

    def __iter__(self) -> Iterator[Record]:
        """Yield the records to print, oldest first (the newest --limit with it)."""
        kept: Sequence[Record] = self._records
        keep = self.keep
        if keep is not None:
            kept = kept[-keep.records :] if keep.newest else kept[: keep.records]
        for record in kept:
            self.printed += 1
            yield record


class Correlator:
    """Reads the id values a record carries in the profile's `correlate` fields."""

    def __init__(self, profile: Profile) -> None:
        fields = profile.correlate or list(profile.keys)
        ignored = set(profile.ignore.fields)
        self.fields = tuple(f for f in fields if f not in ignored)
        self._ignored_values = frozenset(profile.ignore.values)
        self._paths = [
            (name, spellings(name) if "." not in name else (name,))
            for name in self.fields
            if is_dotted_path(name)
        ]
        self._expressions = [
            (name, expression_getter(name))
            for name in self.fields
            if not is_dotted_path(name)
        ]
        self.warnings: list[str] = []

    @property
    def keys(self) -> tuple[str, ...]:
        """The fields a bare id is matched against besides the profile's keys."""
        return tuple(name for name, _ in self._paths)

    @property
    def expressions(self) -> tuple[str, ...]:
        """The JMESPath entries of `correlate`, for the Matcher (Query.derived)."""
        return tuple(name for name, _ in self._expressions)

    def ids(self, record: Record) -> Iterator[tuple[str, str]]:
        """Yield (field, value) for every id the record carries, fields in order."""
        fields = record.fields
        for name, forms in self._paths:
            for form in forms:
                found = lookup(fields, form)
                if found is not None:
                    yield from self._values(name, found)
                    break
        for name, getter in self._expressions:
            try:
                found = getter.get(fields)
            except EvaluationError as exc:
                self._failed(name, record, exc)
                continue
            yield from self._values(name, found)

    def _values(self, name: str, found: Any) -> Iterator[tuple[str, str]]:
        for item in found if isinstance(found, list) else (found,):
            if item is None or isinstance(item, dict | list | bool):
                continue
            text = field_text(item)
            if text.strip().lower() in NOT_IDS or text in self._ignored_values:
                continue
            why = _not_an_id(text)
            if why is not None:
                self.warnings.append(
                    OnceWarning(
                        f"correlate {name!r}: a value {quoted(text)} is not followed: "
                        f"{why}",
                        f"correlate-skip:{name}",
                        "ids are one line of at most 256 characters; "
                        "`ignore: {fields: [...]}` stops reading this field",
                    )
                )
                continue
            yield name, text

    def _failed(self, name: str, record: Record, exc: EvaluationError) -> None:
        where = f"{record.origin}:{record.line}" if record.line else record.origin
        text = (
            f"correlate {name!r}: {exc} at {where}; records where it fails give no id"
        )
        hint = exc.hint or "to_string(x) or a || b read a value that may be missing"
        self.warnings.append(OnceWarning(text, f"correlate:{name}", hint))


def expanded_query(query: Query, correlator: Correlator) -> Query:
    """Add the correlate fields to the keys (a bare id matches either)."""
    keys = tuple(dict.fromkeys((*query.keys, *correlator.keys)))
    return replace(query, keys=keys, derived=correlator.expressions)


def followed_query(query: Query, profile: Profile, expansion: Expansion) -> Query:
    """Build the query that follows an expanded trace live: every id it followed."""
    terms = tuple(Term(None, value) for value in expansion.chains)
    since = query.since
    if since is None and expansion.window is not None:
        since = expansion.window[0]
    expanded = expanded_query(query, Correlator(profile))
    return replace(expanded, terms=terms or query.terms, since=since)


def run_expanded(
    plan: Plan,
    query: Query,
    profile: Profile,
    settings: ExpandSettings,
    workers: int | None = None,
) -> tuple[RunResult, Expansion]:
    """Run the query, then follow its ids; one RunResult over every pass.

    With `settings.expand` False this is the automatic window alone.
    """
    return _Expander(plan, query, profile, settings, workers).run()


class _Expander:
    def __init__(
        self,
        plan: Plan,
        query: Query,
        profile: Profile,
        settings: ExpandSettings,
        workers: int | None,
    ) -> None:
        self.plan = plan
        self.settings = settings
        self.workers = workers
        self.correlator = Correlator(profile)
        base = expanded_query(query, self.correlator) if settings.expand else query
        # Each pass keeps what it matched: --limit applies to the whole timeline.
        self.query = replace(base, limit=None)
        self.user_query = query
        self.results: list[RunResult] = []
        self.expansion = Expansion()
        self.kept: dict[tuple[int, str, int, str, int], Record] = {}
        """Each record kept, by its record_key and which copy of it it is."""
        self.node_of: dict[str, int] = {}
        self.record_node: dict[int, int] = {}
        """id() of each kept record → the node of the id that found it."""
        self.roots = 0
        """How many nodes are the query's own terms (not counted by --max-ids)."""
        self.shared: SharedWorkers | None = None
        """One process pool for every pass (the window's batches included)."""

    def run(self) -> tuple[RunResult, Expansion]:
        with shared_workers() as self.shared:
            return self._run()

    def _run(self) -> tuple[RunResult, Expansion]:
        query = self.query
        windowed = self.settings.auto_window and query.since is None
        if windowed and query.until is None:
            found = probe(self.plan, query, self.settings.margin, self._pass)
            self.results += found.results
            records, window = found.records, found.window
            targets = found.in_window
        else:
            result, records = self._pass(self.plan, query)
            self.results.append(result)
            window, targets = None, self.plan.targets
        self.expansion.window = window
        if window is not None:
            query = replace(query, since=window[0], until=window[1])
        plan = replace(self.plan, targets=tuple(targets), warnings=(), failures=())
        frontier = self._seed(records)
        if self.settings.expand:
            self._follow(plan, query, frontier)
        nodes = self.expansion.nodes
        self.expansion.chains = {
            value: self._chain(index)
            for value, index in self.node_of.items()
            if not nodes[index].note
        }
        self.expansion.refused = {
            value for value, index in self.node_of.items() if nodes[index].note
        }
        return self._result(), self.expansion

    def _pass(self, plan: Plan, query: Query) -> tuple[RunResult, list[Record]]:
        sub = replace(plan, warnings=(), failures=())
        result = run(sub, query, self.workers, self.shared)
        records = list(result.timeline)
        if result.timeline.capped:
            cap = query.max_records or 0
            result.capped.append(
                f"a pass of the expansion matched more than --max-records {cap:,} "
                f"({', '.join(t.value for t in query.terms[:_SHOWN])}…); "
                "the records past it were not printed nor searched for ids"
            )
        return result, records

    def _seed(self, records: list[Record]) -> list[Record]:
        """Make the query's terms the graph's roots and its records the first frontier."""
        nodes = self.expansion.nodes
        for term in self.user_query.terms:
            if term.value not in self.node_of:
                self.node_of[term.value] = len(nodes)
                nodes.append(IdNode(str(term), None))
        values = [t.value for t in self.user_query.terms]
        self.roots = len(self.node_of)
        return self._keep(records, values, set())

    def _follow(self, plan: Plan, query: Query, frontier: list[Record]) -> None:
        settings = self.settings
        nodes = self.expansion.nodes
        depth = 0
        last = False
        while frontier and not last:
            found = self._candidates(frontier)
            if not found:
                return
            if depth >= settings.max_depth:
                self._left_out(found, f"--max-depth {settings.max_depth} reached")
                return
            # --max-ids counts the ids expansion adds, not the query's own: an
            # --ids-from file of 1,000 ids is one pass, and is still followed.
            added = len(self.node_of) - self.roots
            room = max(settings.max_ids - added, 0)
            if len(found) > room:
                items = list(found.items())
                why = f"--max-ids {settings.max_ids} reached"
                self._left_out(dict(items[room:]), why)
                found, last = dict(items[:room]), True
                if not found:
                    return
            depth += 1
            for value, (name, parent, source) in found.items():
                self.node_of[value] = len(nodes)
                nodes.append(IdNode(f"{name}={value}", parent, source))
            values = list(found)
            terms = tuple(Term(None, v) for v in values)
            result, records = self._pass(plan, replace(query, terms=terms))
            shared = self._fanout(records, values)
            rest = tuple(t for t in terms if t.value not in shared)
            if shared and rest and result.timeline.capped:
                again = replace(query, terms=rest)
                result, records = self._pass(plan, again)
            self.results.append(result)
            self.expansion.passes = depth
            frontier = self._keep(records, values, set(shared))

    def _candidates(self, records: list[Record]) -> dict[str, tuple[str, int, str]]:
        """Find the new ids in the records, in time order: value → (field, parent node, source)."""
        found: dict[str, tuple[str, int, str]] = {}
        for record in records:
            parent = self.record_node[id(record)]
            for name, value in self.correlator.ids(record):
                if value not in self.node_of and value not in found:
                    found[value] = (name, parent, record.source)
        return found

    def _fanout(self, records: list[Record], values: list[str]) -> dict[str, int]:
        """Find the ids that more than --max-fanout records carry: not followed."""
        counts = dict.fromkeys(values, 0)
        for record in records:
            for value in self._carried(record, values):
                counts[value] += 1
        limit = self.settings.max_fanout
        shared = {v: n for v, n in counts.items() if n > limit}
        nodes = self.expansion.nodes
        for value, count in shared.items():
            index = self.node_of[value]
            note = f"not followed: {count:,} records carry it (> --max-fanout {limit})"
            nodes[index] = nodes[index]._replace(note=note)
        return shared

    def _carried(self, record: Record, values: list[str]) -> list[str]:
        """Which of the searched values a record carries (it matched at least one)."""
        mine = {v for _, v in self.correlator.ids(record)}
        mine.update(_scalars(record.fields))
        carried = [v for v in values if v in mine]
        if not carried:
            carried = [v for v in values if v in record.raw] or values[:1]
        return carried

    def _keep(
        self, records: list[Record], values: list[str], shared: set[str]
    ) -> list[Record]:
        """Keep the records no pass kept yet; give each its `via`; count them per id."""
        new: list[Record] = []
        nodes = self.expansion.nodes
        copies: dict[Key, int] = {}
        for record in records:
            carried = [v for v in self._carried(record, values) if v not in shared]
            if not carried:
                continue  # only a shared id (a tenant) led here
            same = record_key(record)
            copies[same] = copies.get(same, 0) + 1
            key = (*same, copies[same])
            if key in self.kept:
                continue
            index = self.node_of[carried[0]]
            record.via = self._chain(index)
            self.kept[key] = record
            self.record_node[id(record)] = index
            new.append(record)
            node = nodes[index]
            sources = node.sources
            if record.source not in sources:
                sources = (*sources, record.source)
            nodes[index] = node._replace(records=node.records + 1, sources=sources)
        return new

    def _chain(self, index: int) -> str:
        """`order_id=ord-8841 ← req-7f3a9c2e` ("" for a term of the query)."""
        nodes = self.expansion.nodes
        if nodes[index].parent is None:
            return ""
        terms = []
        current: int | None = index
        while current is not None:
            terms.append(nodes[current].term)
            current = nodes[current].parent
        return " ← ".join(terms)

    def _left_out(self, found: dict[str, tuple[str, int, str]], why: str) -> None:
        if not found:
            return
        names = list(found.items())[:_SHOWN]
        shown = ", ".join(f"{name}={value}" for value, (name, _, _) in names)
        more = len(found) - len(names)
        tail = f" and {more:,} more" if more else ""
        count = len(found)
        ids = "id was" if count == 1 else "ids were"
        self.expansion.notes.append(
            f"{why}: {count:,} {ids} found but not searched: {shown}{tail}"
        )

    def _result(self) -> RunResult:
        plan = self.plan
        records = list(self.kept.values())
        timeline = Collected(
            records, self.user_query.limit, self.user_query.max_records
        )
        outcome = RunResult(timeline, list(plan.warnings), list(plan.failures))
        failures: set[tuple[str, str]] = set()
        for result in self.results:
            per_pass = set(timeless_warnings(result.timeless))
            for warning in result.warnings:
                if warning not in outcome.warnings and warning not in per_pass:
                    outcome.warnings.append(warning)
            for failure in result.failures:
                if _failure_key(failure) not in failures:
                    failures.add(_failure_key(failure))
                    outcome.failures.append(failure)
            outcome.capped += [c for c in result.capped if c not in outcome.capped]
            outcome.unparsed += [
                u for u in result.unparsed if u not in outcome.unparsed
            ]
            outcome.bytes_read += result.bytes_read
            outcome.tallies += result.tallies
            outcome.skipped += result.skipped
        outcome.warnings += timeless_warnings(_timeless(records, self.results))
        outcome.warnings += self.correlator.warnings
        return outcome


class ViaMarker:
    """Gives a live record (follow mode) the `via` of the first followed id it carries."""

    def __init__(self, expansion: Expansion, known: dict[Any, str]) -> None:
        self._chains = expansion.chains
        self._known = known

    def mark(self, record: Record) -> Record:
        """Set the record's `via` (kept as found by the history's expansion)."""
        via = self._known.get(record_key(record))
        if via is None:
            values = set(_scalars(record.fields))
            carried = [v for v in self._chains if v in values]
            via = self._chains[carried[0]] if carried else ""
        record.via = via
        return record


class LiveExpander:
    """Finds new ids on live records (`-f --expand`) within the expansion's limits.

    The history's expansion is the start: its graph, its chains, its count of
    ids. A live record's new `correlate` values are followed when its chain is
    shorter than --max-depth and fewer than --max-ids ids were added; an id that
    more than --max-fanout live records carry gives no new ids from then on
    (its records matched and are printed; they cannot be taken back). Each
    limit reached is said once.
    """

    def __init__(
        self, profile: Profile, settings: ExpandSettings, expansion: Expansion
    ) -> None:
        self.settings = settings
        self.correlator = Correlator(profile)
        self.chains = expansion.chains
        self._refused = expansion.refused
        self.notes: list[str] = []
        self._depth = {v: c.count(" ← ") for v, c in self.chains.items()}
        """Each followed id → how many ids led to it (a query's own: 0)."""
        self._added = sum(1 for n in expansion.nodes if n.parent is not None)
        self._count: dict[str, int] = {}
        self._told: set[str] = set()

    def found(self, records: Sequence[Record]) -> list[str]:
        """Return the ids to search next that these live records carry."""
        new: list[str] = []
        for record in records:
            parent = self._parent(record)
            if parent is None:
                continue
            for name, value in self.correlator.ids(record):
                if value in self.chains or value in new or value in self._refused:
                    continue
                if not self._room(name, value, self._depth[parent] + 1):
                    continue
                chain = self.chains[parent]
                self.chains[value] = f"{name}={value}" + (
                    f" ← {chain}" if chain else f" ← {parent}"
                )
                self._depth[value] = self._depth[parent] + 1
                self._added += 1
                new.append(value)
        return new

    def _parent(self, record: Record) -> str | None:
        """Find the followed id that led to a record (None: it gives no new ids)."""
        values = set(_scalars(record.fields))
        carried = [v for v in self.chains if v in values]
        if not carried:
            return None
        parent = carried[0]
        count = self._count[parent] = self._count.get(parent, 0) + 1
        limit = self.settings.max_fanout
        if count > limit and self._depth.get(parent, 0) > 0:
            self._tell(
                f"fanout:{parent}",
                f"{parent}: more than --max-fanout {limit} live records carry it; "
                "the ids on its records are not followed from here on",
            )
            return None
        return parent

    def _room(self, name: str, value: str, depth: int) -> bool:
        settings = self.settings
        if depth > settings.max_depth:
            self._tell(
                "depth",
                f"--max-depth {settings.max_depth} reached while following: "
                f"{name}={value} (and any like it) is not searched",
            )
            return False
        if self._added >= settings.max_ids:
            self._tell(
                "ids",
                f"--max-ids {settings.max_ids} reached while following: "
                f"{name}={value} (and any after it) is not searched",
            )
            return False
        return True

    def _tell(self, key: str, text: str) -> None:
        if key not in self._told:
            self._told.add(key)
            self.notes.append(text)


Key = tuple[int, str, int, str]


def _order(record: Record) -> tuple[int, int, str, int, int]:
    """Order an expanded timeline totally: the offset before the line.

    Why: a pass bounded by the window bisects a large file and counts no lines
    (line 0), while the first pass counted them; the offset is the same in both.
    """
    return (record.time, record.source_index, record.origin, record.offset, record.line)


def record_key(record: Record) -> Key:
    """Tell what makes a record the same in two passes: origin, time and first line.

    Why not its line or offset: a pass bounded by the window counts neither from
    the same place (a bisected file has no line numbers, a container's lines
    are counted from --since on). Identical lines at the same instant are told
    apart by their order within a pass (`_keep`).
    """
    return record.source_index, record.origin, record.time, record.raw


def _timeless(
    records: list[Record], results: list[RunResult]
) -> list[tuple[str, Timeless]]:
    """Each origin's kept records without a time, counted once over every pass.

    Why: each pass tells the records without a time it found, so a run of three
    passes said the same thing three times, with different counts (#16).
    """
    found: dict[str, Timeless] = {}
    for result in results:  # the origins in the order the passes met them
        for name, _ in result.timeless:
            found.setdefault(name, Timeless())
    for record in sorted(records, key=lambda r: (r.line, r.offset)):
        if record.time == NO_TIME and record.origin in found:
            found[record.origin].add(record.line)
    return list(found.items())


def _failure_key(failure: SourceFailure) -> tuple[str, str]:
    return failure.text(), failure.hint or ""


def _scalars(fields: dict[str, Any], depth: int = 4) -> Iterator[str]:
    """Every scalar value of a record's fields, as text (nested ones too)."""
    for value in fields.values():
        if isinstance(value, dict):
            if depth > 1:
                yield from _scalars(value, depth - 1)
        elif isinstance(value, list):
            yield from (field_text(v) for v in value if not isinstance(v, dict | list))
        elif value is not None:
            yield field_text(value)


def _not_an_id(text: str) -> str | None:
    """Say why a correlate value is not followed as an id (None: it is one)."""
    if len(text) > MAX_ID_CHARS:
        return f"{len(text):,} characters is longer than an id ({MAX_ID_CHARS})"
    if any(c < " " or c == "\x7f" for c in text):
        return "it holds a control character (a newline, an escape)"
    return None


def window_text(window: tuple[int, int], margin: int) -> str:
    """Say which window the automatic window chose."""
    minutes = margin / 60_000_000
    span = f"{minutes:g}m" if minutes >= 1 else f"{margin / 1_000_000:g}s"
    return (
        f"window {format_utc_ms(window[0])} → {format_utc_ms(window[1])} UTC "
        f"(automatic: the first and last hit ± {span}; --since/--until or "
        "--no-auto-window to choose)"
    )
