"""Select: an ssh source's hosts and remote globs → the remote files, as origins.

One `ssh` per host lists the files (size, modification time) behind every
pattern; the hosts are asked in parallel. The connection it opens stays up
(ControlMaster) for the reading that follows.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tracerun.config.spec import SshSourceConfig
from tracerun.errors import SourceFailure
from tracerun.origin import Origin
from tracerun.plain import plain
from tracerun.sources.base import Discovery
from tracerun.sources.ssh import client, script

_NO_HOST = client.Host("")
DISCOVER_TIMEOUT = 30.0
"""Seconds one host may take to list its files."""


@plain(frozen=True, slots=True)
class RemoteOrigin(Origin):
    """A file on a host: shown as `host:/path`; read over `ssh` on that host."""

    host: client.Host = _NO_HOST
    mtime: float = 0.0


def hosts_of(config: SshSourceConfig) -> list[client.Host]:
    """How to reach each of the source's hosts."""
    options = tuple(config.ssh_options)
    return [client.Host(h, options, config.connect_timeout) for h in config.hosts]


def discover(name: str, index: int, config: SshSourceConfig) -> Discovery:
    """List the remote files of an ssh source, host by host (in parallel)."""
    hosts = hosts_of(config)
    found = Discovery()
    workers = min(config.max_parallel, len(hosts))
    with ThreadPoolExecutor(workers) as pool:
        answers = list(pool.map(lambda h: _list_host(h, config.paths), hosts))
    for host, answer in zip(hosts, answers, strict=True):
        if isinstance(answer, client.SshError):
            found.failures.append(
                SourceFailure(name, host.spec, answer.reason, answer.hint)
            )
            continue
        _take(found, name, index, host, config.paths, answer)
    return found


def _list_host(host: client.Host, patterns: list[str]) -> list[bytes] | client.SshError:
    try:
        return client.run(host, script.discover_script(patterns), DISCOVER_TIMEOUT)
    except client.SshError as exc:
        return exc


def _take(
    found: Discovery,
    name: str,
    index: int,
    host: client.Host,
    patterns: list[str],
    lines: list[bytes],
) -> None:
    """Turn one host's listing into origins, warnings and failures."""
    seen: set[str] = set()
    for raw in lines:
        text = raw.decode("utf-8", "surrogateescape")
        kind, _, rest = text.partition(" ")
        if kind == "@F":
            size, mtime, path = rest.split(" ", 2)
            if path in seen:
                continue
            seen.add(path)
            found.origins.append(
                RemoteOrigin(
                    name,
                    index,
                    "ssh",
                    f"{host.spec}:{path}",
                    path,
                    size=int(size),
                    host=host,
                    mtime=float(mtime),
                )
            )
        elif kind == "@N":
            pattern = patterns[int(rest)]
            found.warnings.append(
                f"source {name}: {host.spec}: {pattern} matches no file"
            )
        elif kind == "@D":
            pattern = patterns[int(rest)]
            found.failures.append(
                SourceFailure(
                    name,
                    f"{host.spec}:{pattern}",
                    "permission denied: the directory cannot be read",
                    "log in as a user who may read it (often: a member of group adm)",
                )
            )
        elif kind == "@T":
            found.failures.append(
                SourceFailure(
                    name,
                    host.spec,
                    f"the host has no {rest}",
                    "tracerun needs sh, grep, find, stat, awk and tail on the host",
                )
            )
    found.origins.sort(key=lambda origin: origin.name)
