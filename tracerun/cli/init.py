"""The init command: the logs the ad hoc flags name → a commented starter profile.

Asks each source type for the logs behind its flag (`--path`, `--docker`),
sniffs the first lines of each family (sniff.py), and writes one parser and
one source per family; each parser
carries a sample taken from its log, so `tracerun validate` tests it from day one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from tracerun.cli.options import adhoc_options, adhoc_values, debug_option
from tracerun.config.format import DEFAULT_KEYS
from tracerun.errors import ExitCode, TracerunError
from tracerun.extract.clock import (
    EXAMPLE_ZONES,
    local_offset,
    offset_text,
    zone_warning,
)
from tracerun.extract.sniff import (
    ID_KEYS,
    Sniffed,
    describe_time,
    id_key,
    sniff_lines,
)
from tracerun.plain import plain, replace
from tracerun.sources import get_source
from tracerun.sources.base import Family, unique_names
from tracerun.timeparse import format_rfc3339_us

if TYPE_CHECKING:
    from tracerun.extract import Parser

_ACCESS_TIME = "%d/%b/%Y:%H:%M:%S"
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_][\w.-]*")
_PLAIN_VALUE = re.compile(r"[A-Za-z_][\w./-]*")
_NO_ID = frozenset({"-", "", "null", "none", "None"})
# What YAML 1.1 reads as a number, not a string: 0, -1, 1.5, 1e3, 0x1f, 1_000, 12:30.
_NOT_A_STRING = re.compile(
    r"[-+]?(?:[\d_]+(?:\.[\d_]*)?(?:[eE][-+]?\d+)?|\.\d[\d_]*|0[xob][\da-fA-F_]+"
    r"|[\d_]+(?::[0-5]?\d)+(?:\.\d*)?|\.(?:inf|nan))",
    re.IGNORECASE,
)
_YAML_WORDS = frozenset(
    {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}
)
_FIELDS_HINT = "add one to `fields` (a JMESPath over the record)"
_PATTERN_HINT = (
    "for one inside the text (`[abc123]`), use type: regex with (?P<request_id>…)"
)
_NO_ID_HINT = {
    "json": _FIELDS_HINT,
    "wrapped": _PATTERN_HINT,
    "logfmt": _FIELDS_HINT,
    "access": "log one after the known fields (rid=$request_id), then run init again",
    "text": _PATTERN_HINT,
}
_UNTIMED = "its records print first, without a time: log one to merge them in order"
_KIND_TEXT = {
    "json": "JSON, one object per line",
    "wrapped": "JSON records that hold a program's line (docker json-file, journald)",
    "logfmt": "logfmt (key=value pairs)",
    "access": "access log",
    "text": "plain text that starts with a timestamp",
    "unknown": "a format init does not recognise (the auto parser tries each line)",
}


@plain(frozen=True, slots=True)
class Described:
    """One future source: where its logs are, and what their first lines say.

    `offset`: the UTC offset (s) its naive timestamps look written in, when
    that is not the profile's UTC (extract/clock.py).
    """

    family: Family
    sniffed: Sniffed
    offset: int | None = None


def starter_text(
    flags: Mapping[str, Sequence[str]],
    out_dir: Path | None,
    warnings: list[str] | None = None,
    name: str = "THIS_FILE",
) -> str:
    """Build the starter profile for the logs the ad hoc flags name.

    Args:
        flags: source type → the values of its flag (`--path DIR`, `--docker GLOB`).
        out_dir: Where the profile is written (None: stdout, absolute paths).
        warnings: collects a line per log whose naive times look like local
            time in another zone than UTC.
        name: How the header's commands name the profile (`-o FILE` as given).

    Raises:
        TracerunError: No log was found, or the engine cannot be reached.
    """
    families: list[Family] = []
    for kind, values in flags.items():
        if values:
            families += get_source(kind).families(values, out_dir)
    if not families:
        msg = "found no log file to describe"
        hint = "give --path DIR (every log file below it) or --path FILE"
        raise TracerunError(msg, hint)
    shown = [
        *flags.get("file", ()),
        *(f"containers {c}" for c in flags.get("docker", ())),
    ]
    names = unique_names([(f.kind, f.name) for f in families])
    described = [
        _with_offset(Described(replace(f, name=n), sniff_lines(f.lines)))
        for f, n in zip(families, names, strict=True)
    ]
    if warnings is not None:
        warnings += [
            f"source {d.family.name}: {zone_warning(d.offset, 'UTC')}"
            for d in described
            if d.offset is not None
        ]
    return render_profile(described, ", ".join(shown), name)


def _with_offset(described: Described) -> Described:
    """Compare the family's last timestamp with its log's modification time."""
    family = described.family
    if family.written is None or not family.tail:
        return described
    parser = _parser(parser_config(described.sniffed))
    offset = local_offset(parser, UTC, family.tail, family.written)
    return replace(described, offset=offset)


def _parser(config: dict[str, Any]) -> Parser:
    from pydantic import TypeAdapter  # noqa: PLC0415

    from tracerun.config.model import ParserConfig, parser_spec  # noqa: PLC0415 - start-up: pydantic
    from tracerun.extract import build_parser  # noqa: PLC0415 - start-up: not for --help

    validated = TypeAdapter(ParserConfig).validate_python(config)
    return build_parser(parser_spec(validated), {})


def write_starter(path: Path, text: str, *, force: bool) -> None:
    """Write the profile to `path`, refusing to overwrite one unless `force`."""
    if path.exists() and not force:
        msg = f"{path} already exists"
        raise TracerunError(msg, "choose another -o FILE, or add --force to replace it")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        msg = f"cannot write {path}: {exc.strerror or exc}"
        raise TracerunError(msg, "choose another -o FILE, or leave -o out") from None


# --- parser configuration ---------------------------------------------------------


_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _path_expression(where: str) -> str:
    """Write a dotted path as JMESPath: a part such as `x-request-id` is quoted."""
    parts = where.split(".")
    return ".".join(p if _IDENTIFIER.fullmatch(p) else f'"{p}"' for p in parts)


def parser_config(sniffed: Sniffed) -> dict[str, Any]:
    """Choose the parser settings for a sniffed log, as the profile will hold them."""
    config: dict[str, Any] = {"type": _PARSER_TYPE[sniffed.kind]}
    nested = {
        id_key(name) or name: _path_expression(where)
        for name, where in sniffed.ids
        if name != where
    }
    if nested:
        config["fields"] = nested
    if sniffed.kind == "access":
        config["pattern"] = access_pattern(sniffed)
        config["time"] = {"field": "time", "format": _access_format(sniffed)}
        config["message"] = "request"
    elif sniffed.time_key is not None:
        config["time"] = {"field": sniffed.time_key}
    return config


_PARSER_TYPE = {
    "json": "json",
    "wrapped": "auto",
    "logfmt": "logfmt",
    "access": "regex",
    "text": "auto",
    "unknown": "auto",
}


def access_pattern(sniffed: Sniffed) -> str:
    """Build a regex for a common/combined access log, with a group per id key.

    Every field is anchored at its place in the format: an id logged after
    the User-Agent (`rid=$http_x_request_id`) is read there, never from inside
    the quoted agent, which any client can fill with `rid=...`; an id sent
    as a query parameter (`?request_id=`) is read from the request's query.
    """
    query = "".join(
        rf'(?:(?=(?:[^\s"&]*&)*{re.escape(name)}=(?P<{name}>[^&\s"#]*)))?'
        for name in sniffed.query
    )
    pattern = (
        r"^(?P<client>\S+) \S+ (?P<user>\S+) \[(?P<time>[^\]]+)\] "
        r'"(?P<request>(?P<method>[A-Z]+) (?P<path>[^\s?"]*)'
        rf'(?:\?{query}(?P<query>[^\s"]*))?[^"]*|[^"]*)" '
        r"(?P<status>\d{3}) (?P<bytes>\d+|-)"
    )
    if sniffed.combined:
        pattern += r' "(?P<referer>[^"]*)" "(?P<agent>[^"]*)"'
    ids = {name for name, _ in sniffed.ids}
    for key in sniffed.tail:
        value = rf'(?P<{key}>[^\s"]*)' if key in ids else r'(?:"[^"]*"|\S*)'
        pattern += rf"(?: {re.escape(key)}={value})?"
    return pattern


def _access_format(sniffed: Sniffed) -> str:
    text = sniffed.time_text or ""
    return f"{_ACCESS_TIME} %z" if re.search(r" [+-]\d{4}$", text) else _ACCESS_TIME


def sample_of(sniffed: Sniffed, config: dict[str, Any]) -> dict[str, Any] | None:
    """Pick a line the parser reads (one with an id if there is one) and its `expect`.

    `expect` holds what the parser extracts from it (ids and time), so the sample
    passes today and fails the day the log format drifts.
    """
    parser = _parser(config)
    candidates: list[tuple[int, str, dict[str, Any]]] = []
    for line in sniffed.lines:
        parsed = parser.parse(line, UTC)
        if parsed is None or not _round_trips(line):
            continue
        fields = parsed.fields
        expect = {
            n: str(fields[n]) for n, _ in sniffed.ids if fields.get(n) is not None
        }
        if parsed.time is not None:
            expect["time"] = format_rfc3339_us(parsed.time)
        placeholders = sum(value in _NO_ID for value in expect.values())
        if expect:
            candidates.append((placeholders - len(expect), line, expect))
    if not candidates:
        return None
    _, line, expect = min(candidates, key=lambda item: item[0])
    return {"line": line, "expect": expect}


# --- rendering ---------------------------------------------------------------------


def render_profile(
    families: Sequence[Described], described: str, name: str = "THIS_FILE"
) -> str:
    """Write the starter profile: header, keys, one parser and one source per family."""
    seen = {id_key(name) for family in families for name in _names(family)}
    ids = [key for key in ID_KEYS if key in seen]
    lines = [
        "# Starter profile written by `tracerun init` from the first lines of each log.",
        f"# Check it:          tracerun validate -p {name}",
        f"# See what it reads: tracerun sources -p {name} --check",
        f"# Trace a request:   tracerun -p {name} REQUEST_ID",
        "version: 1",
        f"description: {quote(f'Starter profile for {described}')}",
    ]
    if ids:
        # The usual keys too: a key first seen past the sampled lines, or in a
        # log init did not sample, still matches (as it does without a profile).
        keys = [*ids, *(key for key in DEFAULT_KEYS if key not in ids)]
        lines.append(
            f"keys: [{', '.join(keys)}]  # the id keys seen in these logs, then the usual ones"
        )
    else:
        lines.append("# keys: [request_id, trace_id]  # no usual id key was seen")
    lines.append("timezone: UTC  # for timestamps without an offset")
    lines += ["", "parsers:"]
    for family in families:
        lines += _parser_lines(family)
    lines += ["", "sources:"]
    for family in families:
        found = family.family
        lines += [
            f"  {_key(found.name)}:",
            f"    type: {found.kind}",
            f"    {found.key}: [{quote(found.pattern)}]",
            f"    parser: {_key(found.name)}",
            *(f"    {key}: {value}  # {why}" for key, value, why in found.settings),
        ]
        if family.offset is not None:
            example = EXAMPLE_ZONES.get(family.offset, "ZONE")
            shown = offset_text(family.offset)
            why = "last timestamp vs the file's modification time"
            lines += [
                f"    # its naive times look like local time at {shown}, not UTC ({why}):",
                f"    # timezone: {example}",
            ]
    return "\n".join(lines) + "\n"


def _names(family: Described) -> set[str]:
    return {name for name, _ in family.sniffed.ids}


def _parser_lines(family: Described) -> list[str]:
    sniffed, name = family.sniffed, family.family.name
    config = parser_config(sniffed)
    lines = [f"  # {name}: {_kind_text(sniffed)}", *_notes(sniffed)]
    lines.append(f"  {_key(name)}:")
    for key, value in config.items():
        lines.append(f"    {key}: {_flow(value)}")
    sample = sample_of(sniffed, config)
    if sample is not None:
        lines += [
            "    samples:  # checked by `tracerun validate`",
            f"      - line: {quote(sample['line'])}",
            f"        expect: {_flow(sample['expect'])}",
        ]
    return lines


def _kind_text(sniffed: Sniffed) -> str:
    if sniffed.kind == "text" and sniffed.time_text is None:
        return "plain text without timestamps"
    return _KIND_TEXT[sniffed.kind]


def _notes(sniffed: Sniffed) -> list[str]:
    if sniffed.kind == "unknown":
        return []
    where = f" in `{sniffed.time_key}`" if sniffed.time_key else ""
    notes = [f"  # time{where}: {describe_time(sniffed.time_text)}"]
    if sniffed.time_text is None:
        notes.append(f"  # {_UNTIMED}")
    if sniffed.ids:
        shown = [n if n == w else f"{n} (at {w})" for n, w in sniffed.ids]
        notes.append(f"  # ids: {', '.join(shown)}")
    else:
        notes.append(
            f"  # no usual id key seen as a field; {_NO_ID_HINT[sniffed.kind]}"
        )
    return notes


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        inner = ", ".join(f"{_key(str(k))}: {_flow(v)}" for k, v in value.items())
        return "{" + inner + "}"
    text = str(value)
    plain = _PLAIN_VALUE.fullmatch(text) and text.lower() not in _YAML_WORDS
    return text if plain else quote(text)


def _key(name: str) -> str:
    """Write a name as a YAML key: plain when YAML reads it back as that string.

    Why: a log named `0.log` (the kubelet's) or `on.log` makes the name `0` or
    `on`, which YAML reads as a number or a boolean: the profile is refused.
    """
    plain = _PLAIN_NAME.fullmatch(name) and not _NOT_A_STRING.fullmatch(name)
    return name if plain and name.lower() not in _YAML_WORDS else quote(name)


def _round_trips(line: str) -> bool:
    """Tell whether YAML reads the quoted line back as it is (no control bytes)."""
    import yaml  # noqa: PLC0415

    try:
        return bool(yaml.safe_load(quote(line)) == line)
    except yaml.YAMLError:
        return False


def quote(text: str) -> str:
    """Quote text as a single-quoted YAML scalar (`'` doubled; nothing is special)."""
    return "'" + text.replace("'", "''") + "'"


@click.command("init")
@adhoc_options(init=True)
@click.option(
    "-o", "--output", type=Path, metavar="FILE", help="Write here, not stdout."
)
@click.option("--force", is_flag=True, help="Replace FILE if it exists.")
@debug_option
def init_command(output: Path | None, force: bool, **flags: tuple[str, ...]) -> int:
    """Write a starter profile from the first lines of the logs found.

    Recognises JSON, logfmt, access logs and text with leading timestamps;
    each parser gets a sample from its log, so `tracerun validate` tests it.

    \b
    Example:
      tracerun init --path ./logs -o profiles/local.yaml
      tracerun init --path /var/log/nginx --docker 'shop-*'
    """
    values = adhoc_values(flags)
    if not values:
        msg = "give --path DIR (or --docker PATTERN) to say which logs to describe"
        raise click.UsageError(msg)
    warnings: list[str] = []
    import shlex  # noqa: PLC0415 - start-up: init only

    name = shlex.quote(str(output)) if output else "THIS_FILE"
    text = starter_text(values, output.parent if output else None, warnings, name)
    for warning in warnings:
        click.echo(f"tracerun: warning: {warning}", err=True)
    if output is None:
        click.echo(text, nl=False)
        return ExitCode.OK
    write_starter(output, text, force=force)
    click.echo(
        f"tracerun: wrote {output}; check it: tracerun validate -p {name}", err=True
    )
    return ExitCode.OK


COMMAND = init_command
