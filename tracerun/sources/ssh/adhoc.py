"""Ad hoc hosts: `--ssh [user@]host[:port]:/remote/glob` → ssh sources (trace, init).

`--ssh 'deploy@web-{1..3}:/var/log/app/*.log'` is one source (named after
the log: `app`) searching three hosts; a brace list `{a,b}` or range
`{1..3}` in the host part is expanded here, as a shell would.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from tracerun.config.spec import SshSourceConfig
from tracerun.errors import QueryError, TracerunError
from tracerun.sources.base import Family

HEAD_LINES = 50
"""How many lines of a remote log `init` looks at."""
_BRACES = re.compile(r"\{([^{}]*)\}")
_RANGE = re.compile(r"(\d+)\.\.(\d+)")
_MAX_HOSTS = 1000


def split_value(value: str) -> tuple[list[str], str]:
    """`deploy@web-{1..2}:/var/log/x.log` → (["deploy@web-1", "deploy@web-2"], "/var/log/x.log").

    Raises:
        QueryError: the value has no `:/path` (or `:~/path`) part.
    """
    match = re.search(r":(?=/|~/)", value)
    if match is None:
        msg = f"--ssh {value!r} names no remote path"
        hint = "write --ssh HOST:/remote/path, e.g. --ssh 'deploy@web-1:/var/log/app/*.log'"
        raise QueryError(msg, hint)
    return expand_braces(value[: match.start()]), value[match.end() :]


def expand_braces(text: str) -> list[str]:
    """Expand `{a,b}` lists and `{1..3}` ranges (zero-padded like `{01..12}`)."""
    match = _BRACES.search(text)
    if match is None:
        return [text]
    inner = match[1]
    span = _RANGE.fullmatch(inner)
    if span is not None:
        low, high = int(span[1]), int(span[2])
        width = len(span[1]) if span[1].startswith("0") else 0
        step = 1 if high >= low else -1
        items = [str(n).zfill(width) for n in range(low, high + step, step)]
    else:
        items = inner.split(",")
    if len(items) > _MAX_HOSTS:
        msg = f"{text!r} expands to more than {_MAX_HOSTS} hosts"
        raise QueryError(msg, "name fewer hosts")
    head, tail = text[: match.start()], text[match.end() :]
    return [host for item in items for host in expand_braces(head + item + tail)]


def source_name(path: str) -> str:
    """Name a remote log: its file name's stem (`app.log*` → `app`), else its folder."""
    folder, _, name = path.rstrip("/").rpartition("/")
    name = re.split(r"[*?\[]", name, maxsplit=1)[0]
    stem = re.sub(r"\.log.*$|(?:[.-]\d+|\.(?:gz|zst))+$|\.$", "", name)
    return stem or folder.rpartition("/")[2] or "ssh"


def adhoc_sources(
    values: Sequence[str], taken: frozenset[str] = frozenset()
) -> dict[str, SshSourceConfig]:
    """One ssh source per remote path (its hosts gathered), named after the log.

    A name in `taken` (the profile's sources) gets `-ssh` as a suffix.
    """
    grouped: dict[str, tuple[list[str], list[str]]] = {}
    for value in values:
        hosts, path = split_value(value)
        name = source_name(path)
        name = name if name not in taken else f"{name}-ssh"
        known_hosts, paths = grouped.setdefault(name, ([], []))
        known_hosts += [h for h in hosts if h not in known_hosts]
        if path not in paths:
            paths.append(path)
    return {
        name: SshSourceConfig(hosts=hosts, paths=paths)
        for name, (hosts, paths) in grouped.items()
    }


def families(values: Sequence[str]) -> list[Family]:
    """One family per `--ssh HOST:PATH`, from the first lines of its newest file.

    Raises:
        TracerunError: no host answers, or the path matches no file on any.
    """
    from tracerun.sources.ssh import client, script, select  # noqa: PLC0415 - start-up: init only

    found: list[Family] = []
    for name, config in adhoc_sources(values).items():
        lines: tuple[str, ...] = ()
        for host in select.hosts_of(config):
            try:
                listing = client.run(host, script.discover_script(config.paths))
                newest = _newest(listing)
                if newest is None:
                    continue
                code = f"head -n {HEAD_LINES} -- {script.quote(newest)}\n"
                if newest.endswith(".gz"):
                    code = (
                        f"gzip -dc -- {script.quote(newest)} | head -n {HEAD_LINES}\n"
                    )
                head = client.run(host, code)
            except client.SshError as exc:
                raise TracerunError(exc.reason, exc.hint) from None
            lines = tuple(line.decode("utf-8", "replace") for line in head)
            break
        else:
            msg = f"--ssh {', '.join(config.hosts)}:{config.paths[0]} matches no file"
            raise TracerunError(msg, "check the path on the host: ssh HOST ls PATH")
        hosts = ", ".join(_yaml_quote(h) for h in config.hosts)
        found.append(
            Family(
                name,
                "ssh",
                "paths",
                config.paths[0],
                lines,
                (("hosts", f"[{hosts}]", "searched over ssh, in parallel"),),
            )
        )
    return found


def _newest(listing: list[bytes]) -> str | None:
    files = []
    for raw in listing:
        if raw.startswith(b"@F "):
            _, size, mtime, path = raw.decode("utf-8", "surrogateescape").split(" ", 3)
            files.append((float(mtime), int(size) > 0, path))
    files = [f for f in files if f[1]]
    return max(files)[2] if files else None


def _yaml_quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
