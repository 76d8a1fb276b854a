"""Trust: a profile's files → their digest, and the user's record of trusted digests.

A profile that makes tracerun run programs (command sources) runs only when
the user has trusted its exact content: the digest covers every file of its
`extends` chain, each with its real path, so a change to the profile or to
any base (or a profile moved next to other scripts) must be trusted again.
The record is `$XDG_CONFIG_HOME/tracerun/trusted.json` (else
`~/.config/tracerun/trusted.json`), mode 0600, rewritten atomically under
an exclusive lock (`trusted.json.lock`), so concurrent `tracerun trust` runs
keep each other's entries. A damaged record is never rewritten: that would
drop every other profile's entry.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from tracerun.errors import TracerunError, cut

TRUST_VARIABLE = "TRACERUN_TRUST"
"""`TRACERUN_TRUST=all` runs every profile without the check (for CI)."""
TRUST_ALL = "all"
_FORMAT = 1
_DIGEST_TAG = b"tracerun-trust-1\0"


def trusts_all(env: Mapping[str, str]) -> bool:
    """Tell whether TRACERUN_TRUST=all turns the check off."""
    return env.get(TRUST_VARIABLE, "").strip().lower() == TRUST_ALL


def chain_digest(texts: Sequence[tuple[str, str]]) -> str:
    """Hash a profile's files, (real path, text) each, in the order they were read."""
    digest = hashlib.sha256(_DIGEST_TAG)
    for path, text in texts:
        for part in (path.encode("utf-8", "surrogateescape"), text.encode("utf-8")):
            digest.update(len(part).to_bytes(8, "big") + part)
    return "sha256:" + digest.hexdigest()


def trust_file(env: Mapping[str, str] | None = None) -> Path:
    """Where trusted digests are kept: $XDG_CONFIG_HOME/tracerun, else ~/.config/tracerun."""
    env = os.environ if env is None else env
    base = Path(env.get("XDG_CONFIG_HOME") or "relative")
    if not base.is_absolute():  # the XDG spec: a relative value is ignored
        base = Path(env.get("HOME") or Path.home()) / ".config"
    return base / "tracerun" / "trusted.json"


class DamagedTrustError(TracerunError):
    """The trust record exists but is not one tracerun wrote (not JSON, wrong shape)."""


def trusted_digest(profile: str, env: Mapping[str, str] | None = None) -> str | None:
    """Return the digest the user trusted for the profile at real path `profile`.

    Raises:
        DamagedTrustError: the record cannot be read (then nothing is trusted).
    """
    entry = _read(trust_file(env)).get(profile)
    return entry.get("digest") if isinstance(entry, dict) else None


def record_trust(
    profile: str, digest: str, env: Mapping[str, str] | None = None
) -> Path:
    """Record `digest` as trusted for the profile at real path `profile`; return the file.

    Raises:
        TracerunError: the file cannot be written.
    """
    path = trust_file(env)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with _locked(path):
            entries = _read(path)  # a damaged record stops here, not rewritten
            entries[profile] = {"digest": digest}
            _write_atomically(path, {"version": _FORMAT, "profiles": entries})
    except OSError as exc:
        msg = f"cannot record the trust in {cut(str(path))}: {exc.strerror or exc}"
        raise TracerunError(msg, "check that folder's permissions") from None
    return path


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path`.lock (next to it) while reading and rewriting."""
    fd = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def _read(path: Path) -> dict[str, object]:
    """Read the trusted entries; none when the file is missing.

    Raises:
        DamagedTrustError: the file is unreadable, not JSON, or not a record.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        why = exc.strerror or str(exc)
        raise _damaged(path, f"cannot be read: {why}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise _damaged(path, f"is not valid JSON ({exc})") from None
    profiles = data.get("profiles") if isinstance(data, dict) else None
    if not isinstance(profiles, dict):
        raise _damaged(path, "is not a trust record (no `profiles` object)")
    return dict(profiles)


def _damaged(path: Path, why: str) -> DamagedTrustError:
    msg = f"the trust record {cut(str(path))} {why}, so no profile is trusted"
    hint = (
        "fix it, or delete it and trust your profiles again"
        " (tracerun trust -p NAME); it is not rewritten, so no entry is lost"
    )
    return DamagedTrustError(msg, hint)


def _write_atomically(path: Path, data: object) -> None:
    """Write a 0600 temporary file next to `path`, flush it to disk, rename it over."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".trusted-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            json.dump(data, stream, indent=2, sort_keys=True)
            stream.write("\n")
            stream.flush()
            os.fsync(stream.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    folder = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
