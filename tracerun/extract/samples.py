"""Parser samples: a Parser + `samples:` (line, expect) → every way they disagree.

`tracerun validate` runs these so a team's CI catches a broken extraction rule
before an incident does; trace.py turns the mismatches into located issues.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import tzinfo
from typing import TYPE_CHECKING, Any, Literal

from tracerun.config.spec import SampleConfig
from tracerun.extract.fields import normalise_level
from tracerun.plain import plain
from tracerun.timeparse import format_rfc3339_us, parse_time

if TYPE_CHECKING:
    from tracerun.extract import Parsed, Parser

MismatchKind = Literal["unparsed", "differs", "missing", "unexpected", "bad_expect"]


@plain(frozen=True, slots=True)
class SampleMismatch:
    """One way a sample's parse differs from its `expect`.

    Attributes:
        sample: 0-based index of the sample in its parser's `samples`.
        key: the expected key (`time` included); None when the line did not parse.
        kind: unparsed (no fields at all), differs, missing (no value),
            unexpected (a value where `expect` says null), bad_expect (the
            expected time is not a timestamp).
        expected: the expected value as shown (`time` as RFC 3339), or "".
        got: the extracted value as shown, or "".
        note: where the value came from, or what was extracted instead.
    """

    sample: int
    key: str | None
    kind: MismatchKind
    expected: str = ""
    got: str = ""
    note: str = ""

    def text(self) -> str:
        """One line, e.g. "sample 1: field request_id: expected 'abc', got 'abd'"."""
        head = f"sample {self.sample + 1}: "
        if self.key is None:
            return head + "line did not parse"
        what = "time" if self.key == "time" else f"field {self.key}"
        if self.kind == "bad_expect":
            return f"{head}time: expected value {self.expected} is not a readable timestamp"
        if self.kind == "unexpected":
            return f"{head}{what}: expected no value, got {self.got}"
        got = self.got or ("no timestamp" if self.key == "time" else "nothing")
        return f"{head}{what}: expected {self.expected}, got {got}"


def sample_mismatches(
    parser: Parser, samples: Iterable[SampleConfig], tz: tzinfo
) -> list[SampleMismatch]:
    """Parse each sample line and list every way it differs from `expect`.

    `time` is compared as an instant; other values as text (`str(actual)`); an
    expected null means the field must be absent; `level` also matches its
    normalised name (`expect: {level: error}` accepts `ERROR`).
    """
    found: list[SampleMismatch] = []
    for index, sample in enumerate(samples):
        parsed = parser.parse(sample.line, tz)
        if parsed is None:
            found.append(SampleMismatch(index, None, "unparsed"))
            continue
        for key, expected in sample.expect.items():
            if key == "time":
                mismatch = _time_mismatch(index, parser, parsed, expected, tz)
            else:
                mismatch = _field_mismatch(index, parsed, key, expected)
            if mismatch is not None:
                found.append(mismatch)
    return found


def check_samples(
    parser: Parser, samples: Iterable[SampleConfig], tz: tzinfo
) -> list[str]:
    """Describe every mismatch of `sample_mismatches` in one line each (empty: all pass)."""
    return [mismatch.text() for mismatch in sample_mismatches(parser, samples, tz)]


def _field_mismatch(
    index: int, parsed: Parsed, key: str, expected: Any
) -> SampleMismatch | None:
    if key in parsed.fields:
        actual: Any = parsed.fields[key]
    elif key in ("level", "message"):
        actual = getattr(parsed, key) or None
    else:
        actual = None
    if expected is None:
        if actual is None:
            return None
        return SampleMismatch(index, key, "unexpected", got=repr(str(actual)))
    want = repr(str(expected))
    if actual is None:
        failed = [error.reason for name, _, error in parsed.failed if name == key]
        note = "extracted: " + (", ".join(sorted(parsed.fields)) or "no fields")
        if failed:
            note = f"could not evaluate fields.{key} on this line: {failed[0]}"
        return SampleMismatch(index, key, "missing", want, note=note)
    same_level = key == "level" and normalise_level(expected) == parsed.level
    if str(actual) == str(expected) or same_level:
        return None
    return SampleMismatch(index, key, "differs", want, repr(str(actual)))


def _time_mismatch(
    index: int, parser: Parser, parsed: Parsed, expected: Any, tz: tzinfo
) -> SampleMismatch | None:
    want = parse_time(expected, tz=tz)
    if want is None:
        return SampleMismatch(index, "time", "bad_expect", repr(expected))
    if parsed.time == want:
        return None
    raw = parser.time.get(parsed.fields)
    shown = format_rfc3339_us(want)
    if parsed.time is None:
        note = (
            "no time field found" if raw is None else f"{raw!r} was not read as a time"
        )
        return SampleMismatch(index, "time", "missing", shown, note=note)
    got = format_rfc3339_us(parsed.time)
    return SampleMismatch(index, "time", "differs", shown, got, f"read from {raw!r}")
