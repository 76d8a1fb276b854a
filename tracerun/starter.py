"""Starter profile: log files → a commented profile that validates (`tracerun init`).

Finds the logs behind `--path`, sniffs the first lines of each family of files
(sniff.py), and writes one parser and one file source per family; each parser
carries a sample taken from its log, so `tracerun validate` tests it from day one.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC
from pathlib import Path
from typing import Any

from tracerun.errors import TracerunError
from tracerun.extract.sniff import ID_KEYS, Sniffed, describe_time, sniff_lines
from tracerun.timeparse import format_rfc3339_us

HEAD_LINES = 50
"""How many lines of each log are looked at."""
_HEAD_BYTES = 64 * 1024
_ACCESS_TIME = "%d/%b/%Y:%H:%M:%S"
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_][\w.-]*")
_PLAIN_VALUE = re.compile(r"[A-Za-z_][\w./-]*")
_NO_ID = frozenset({"-", "", "null", "none", "None"})
_YAML_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "null", "y", "n"})
_KIND_TEXT = {
    "json": "JSON, one object per line",
    "logfmt": "logfmt (key=value pairs)",
    "access": "access log",
    "text": "plain text that starts with a timestamp",
    "unknown": "a format init does not recognise (the auto parser tries each line)",
}


@dataclass(frozen=True, slots=True)
class Family:
    """The logs of one future source and what they look like.

    Attributes:
        name: the source's (and its parser's) name.
        kind: `file` (a log and its rotations) or `docker` (containers).
        pattern: the glob written in the profile (`paths` or `containers`).
        sniffed: what the first lines say.
        stopped: docker: some matching containers have exited.
    """

    name: str
    kind: str
    pattern: str
    sniffed: Sniffed
    stopped: bool = False


def find_families(patterns: Sequence[str], out_dir: Path | None) -> list[Family]:
    """Group the logs behind `--path` into families, one per future source.

    Args:
        patterns: Directories (every `*.log*` below), files or globs.
        out_dir: Where the profile will be written; paths are relative to it.
            None (stdout): absolute paths.

    Raises:
        TracerunError: A pattern matches no file.
    """
    from tracerun.config.adhoc import source_name  # noqa: PLC0415
    from tracerun.sources.files import expand_paths  # noqa: PLC0415

    files, empty = expand_paths(list(patterns))
    if empty:
        msg = f"--path {empty[0]} matches no log file"
        hint = "give a directory (every *.log* below it is used), a file or a glob"
        raise TracerunError(msg, hint)
    groups: dict[tuple[Path, str], list[Path]] = {}
    for path in files:
        groups.setdefault((path.parent, source_name(path)), []).append(path)
    names = _unique_names(list(groups))
    return [
        Family(name, "file", _pattern(folder, group, out_dir), _sniff(group))
        for name, ((folder, _), group) in zip(names, groups.items(), strict=True)
    ]


def docker_families(patterns: Sequence[str]) -> list[Family]:
    """One family per `--docker` name glob, sniffed from its first container's log.

    Raises:
        TracerunError: The engine cannot be reached, or a glob matches nothing.
    """
    from tracerun.sources.engine import EngineError, connect  # noqa: PLC0415

    try:
        with connect(None, "--docker") as client:
            rows = client.api.containers(all=True)
            return [_docker_family(client, rows, pattern) for pattern in patterns]
    except EngineError as exc:
        raise TracerunError(exc.reason, _engine_hint(exc)) from None


def _engine_hint(exc: Any) -> str:
    """Reword the engine's hint for `init`, which has no `sources.NAME.host` yet."""
    if exc.reason.startswith("permission denied"):
        return str(exc.hint)
    host = os.environ.get("DOCKER_HOST") or "unset, so the default socket was tried"
    return f"is the engine running? DOCKER_HOST is {host}; try: docker info"


def _docker_family(client: Any, rows: list[dict[str, Any]], pattern: str) -> Family:
    import fnmatch  # noqa: PLC0415

    found = sorted(
        (row["Names"][0].lstrip("/"), row)
        for row in rows
        if any(fnmatch.fnmatchcase(n.lstrip("/"), pattern) for n in row["Names"])
    )
    if not found:
        msg = f"--docker {pattern} matches no container"
        raise TracerunError(msg, "`docker ps -a` lists the containers and their names")
    lines = _container_head(client, found[0][1]["Id"])
    name = re.sub(r"[^\w.-]+", "-", pattern).strip("-_.") or "docker"
    stopped = any(row.get("State") != "running" for _, row in found)
    return Family(name, "docker", pattern, sniff_lines(lines), stopped)


def _container_head(client: Any, container: str) -> list[str]:
    """Read the first HEAD_LINES lines of a container's log, then stop reading."""
    from tracerun.sources.docker import log_head  # noqa: PLC0415 - docker SDK

    head = b"\n".join(log_head(client, container, HEAD_LINES, _HEAD_BYTES))
    return head.decode("utf-8", "replace").splitlines()


def _unique_names(keys: list[tuple[Path, str]]) -> list[str]:
    counts = Counter(name for _, name in keys)
    names = [f"{d.name}-{n}" if counts[n] > 1 and d.name else n for d, n in keys]
    seen: Counter[str] = Counter()
    unique = []
    for name in names:
        seen[name] += 1
        unique.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return unique


def _pattern(folder: Path, group: list[Path], out_dir: Path | None) -> str:
    prefix = os.path.commonprefix([path.name for path in group])  # noqa: RUF071 - names
    shown = folder.absolute() if out_dir is None else _relative(folder, out_dir)
    return f"{shown}{os.sep}{prefix}*"


def _relative(folder: Path, out_dir: Path) -> str:
    """Relative to the profile when the logs are near it (`../logs`), else absolute."""
    relative = os.path.relpath(folder.absolute(), out_dir.absolute())
    far = Path(relative).parts[:2] == (os.pardir, os.pardir)
    return str(folder.absolute()) if far else relative


def _sniff(group: list[Path]) -> Sniffed:
    """Sniff the first file of the family that has lines (the current log first)."""
    from tracerun.sources.files import open_log  # noqa: PLC0415

    sniffed = sniff_lines([])
    for path in group:
        try:
            with open_log(path) as stream:
                head = stream.read(_HEAD_BYTES).decode("utf-8", "replace")
        except (OSError, EOFError):
            continue
        lines = head.splitlines()[:HEAD_LINES]
        if len(head) == _HEAD_BYTES and len(lines) < HEAD_LINES:
            lines = lines[:-1]  # the last one was cut
        sniffed = sniff_lines(lines)
        if sniffed.lines:
            return sniffed
    return sniffed


def starter_text(
    patterns: Sequence[str], containers: Sequence[str], out_dir: Path | None
) -> str:
    """Build the starter profile for the logs behind `--path` and `--docker`.

    Args:
        patterns: `--path` values (see find_families).
        containers: `--docker` container name globs.
        out_dir: Where the profile is written (None: stdout, absolute paths).

    Raises:
        TracerunError: No log was found, or the engine cannot be reached.
    """
    families = find_families(patterns, out_dir) if patterns else []
    if not families and patterns:
        msg = "found no log file to describe"
        hint = "give --path DIR (every *.log* below it) or --path FILE"
        raise TracerunError(msg, hint)
    families += docker_families(containers) if containers else []
    described = ", ".join([*patterns, *(f"containers {c}" for c in containers)])
    return render_profile(_distinct(families), described)


def _distinct(families: list[Family]) -> list[Family]:
    names = _unique_names([(Path(f.kind), f.name) for f in families])
    return [replace(f, name=n) for f, n in zip(families, names, strict=True)]


def write_starter(path: Path, text: str, *, force: bool) -> None:
    """Write the profile to `path`, refusing to overwrite one unless `force`."""
    if path.exists() and not force:
        msg = f"{path} already exists"
        raise TracerunError(msg, "choose another -o FILE, or add --force to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# --- parser configuration ---------------------------------------------------------


def parser_config(sniffed: Sniffed) -> dict[str, Any]:
    """Choose the parser settings for a sniffed log, as the profile will hold them."""
    config: dict[str, Any] = {"type": _PARSER_TYPE[sniffed.kind]}
    nested = {name: where for name, where in sniffed.ids if name != where}
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
    "logfmt": "logfmt",
    "access": "regex",
    "text": "auto",
    "unknown": "auto",
}


def access_pattern(sniffed: Sniffed) -> str:
    """Build a regex for a common/combined access log, with a group per id key."""
    pattern = (
        r"^(?P<client>\S+) \S+ (?P<user>\S+) \[(?P<time>[^\]]+)\] "
        r'"(?P<request>(?P<method>[A-Z]+) (?P<path>\S+)[^"]*|[^"]*)" '
        r"(?P<status>\d{3}) (?P<bytes>\d+|-)"
    )
    if sniffed.combined:
        pattern += r' "(?P<referer>[^"]*)" "(?P<agent>[^"]*)"'
    for name, _ in sniffed.ids:
        pattern += rf'(?:.*? {name}=(?P<{name}>[^\s"]+))?'
    return pattern


def _access_format(sniffed: Sniffed) -> str:
    text = sniffed.time_text or ""
    return f"{_ACCESS_TIME} %z" if re.search(r" [+-]\d{4}$", text) else _ACCESS_TIME


def sample_of(sniffed: Sniffed, config: dict[str, Any]) -> dict[str, Any] | None:
    """Pick a line the parser reads (one with an id if there is one) and its `expect`.

    `expect` holds what the parser extracts from it (ids and time), so the sample
    passes today and fails the day the log format drifts.
    """
    from pydantic import TypeAdapter  # noqa: PLC0415

    from tracerun.config.model import ParserConfig, parser_spec  # noqa: PLC0415
    from tracerun.extract import build_parser  # noqa: PLC0415

    validated = TypeAdapter(ParserConfig).validate_python(config)
    parser = build_parser(parser_spec(validated), {})
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


def render_profile(families: Sequence[Family], described: str) -> str:
    """Write the starter profile: header, keys, one parser and one source per family."""
    ids = [key for key in ID_KEYS if any(key in _names(f) for f in families)]
    lines = [
        "# Starter profile written by `tracerun init` from the first lines of each log.",
        "# Check it:          tracerun validate -p THIS_FILE",
        "# See what it reads: tracerun sources -p THIS_FILE --check",
        "# Trace a request:   tracerun -p THIS_FILE REQUEST_ID",
        "version: 1",
        f"description: {quote(f'Starter profile for {described}')}",
    ]
    if ids:
        lines.append(f"keys: [{', '.join(ids)}]  # the id keys seen in these logs")
    else:
        lines.append("# keys: [request_id, trace_id]  # no usual id key was seen")
    lines.append("timezone: UTC  # for timestamps without an offset")
    lines += ["", "parsers:"]
    for family in families:
        lines += _parser_lines(family)
    lines += ["", "sources:"]
    for family in families:
        where = "paths" if family.kind == "file" else "containers"
        lines += [
            f"  {_key(family.name)}:",
            f"    type: {family.kind}",
            f"    {where}: [{quote(family.pattern)}]",
            f"    parser: {_key(family.name)}",
            *(["    stopped: true  # some have exited"] if family.stopped else []),
        ]
    return "\n".join(lines) + "\n"


def _names(family: Family) -> set[str]:
    return {name for name, _ in family.sniffed.ids}


def _parser_lines(family: Family) -> list[str]:
    sniffed = family.sniffed
    config = parser_config(sniffed)
    lines = [f"  # {family.name}: {_KIND_TEXT[sniffed.kind]}", *_notes(sniffed)]
    lines.append(f"  {_key(family.name)}:")
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


def _notes(sniffed: Sniffed) -> list[str]:
    if sniffed.kind == "unknown":
        return []
    where = f" in `{sniffed.time_key}`" if sniffed.time_key else ""
    notes = [f"  # time{where}: {describe_time(sniffed.time_text)}"]
    if sniffed.ids:
        shown = [n if n == w else f"{n} (at {w})" for n, w in sniffed.ids]
        notes.append(f"  # ids: {', '.join(shown)}")
    else:
        notes.append("  # no usual id key seen as a field; add one to `fields`")
    return notes


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        inner = ", ".join(f"{_key(str(k))}: {_flow(v)}" for k, v in value.items())
        return "{" + inner + "}"
    text = str(value)
    plain = _PLAIN_VALUE.fullmatch(text) and text.lower() not in _YAML_WORDS
    return text if plain else quote(text)


def _key(name: str) -> str:
    return name if _PLAIN_NAME.fullmatch(name) else quote(name)


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
