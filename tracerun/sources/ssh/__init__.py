"""SSH source: log files on remote hosts, searched on the hosts through the system `ssh`.

`source.py` is the type's Source; `client` (running `ssh`, its failures),
`script` (the remote POSIX sh), `select` (which files), `logs` (one file's
search), `whole` (a file the host sends whole: UTF-16, lone CRs), `peek` (heads
and tails), `tail` (following) and `adhoc` are its parts.
"""

from __future__ import annotations

from tracerun.sources.base import AdhocFlag, Source, SourceType


def _load() -> Source:
    from tracerun.sources.ssh.source import SshSource  # noqa: PLC0415 - start-up: loaded when a plan has ssh

    return SshSource()


TYPE = SourceType(
    "ssh",
    _load,
    AdhocFlag(
        "--ssh",
        "HOST:PATH",
        "Also search files on hosts over ssh: [user@]host[:port]:/remote/glob "
        "(host may be web-{1..3}).",
        "Remote logs to describe: [user@]host[:port]:/remote/path.",
    ),
)
