"""Value checks: a profile's strings → themselves, or a ValueError saying why not.

The checks pydantic validators call (config/model.py) for values that reach a
standard-library call that can raise at run time (file names, strptime
formats, engine URLs): said here, the error names the key that holds the value
instead of aborting a trace later (issue #12).
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

from tracerun.config.format import NAME_MAX_BYTES
from tracerun.errors import cut, quoted


class CheckError(ValueError):
    """A value that fails its check: why (the message), and how to fix it (`hint`)."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


_GLOB_CLASS = re.compile(r"\[!?\]?[^\]]*\]")


def check_path_pattern(pattern: str) -> str:
    """Refuse a path or glob no file can ever match: a NUL, or a part over 255 bytes.

    Why: the OS refuses such a name (ENAMETOOLONG) wherever it is used. A glob
    part counts what it must match at least (`*` nothing, `[ab]` and `?` one
    character).
    """
    if "\0" in pattern:
        msg = "a path cannot contain a NUL character"
        raise CheckError(msg, "remove the \\0 from the path")
    for part in pattern.split("/"):
        least = _GLOB_CLASS.sub("?", part).replace("*", "")
        if len(least.encode("utf-8", "surrogatepass")) > NAME_MAX_BYTES:
            size = len(part.encode("utf-8", "surrogatepass"))
            msg = f"a part of this path is {size:,} bytes long"
            hint = f"no file or folder name can be longer than {NAME_MAX_BYTES} bytes"
            raise CheckError(msg, hint)
    return pattern


PathPattern = Annotated[str, AfterValidator(check_path_pattern)]
"""A file source's path or glob, checked where it is written."""


def check_strptime(fmt: str) -> str:
    """Refuse a strptime format that strptime cannot use (each reason in words).

    Why: strptime raises `re.error` (not ValueError) for a directive used twice
    (`%z%z`), which would abort a trace at its first line.
    """
    from datetime import datetime  # noqa: PLC0415 - only for a profile with a format

    try:
        datetime.strptime("", fmt)
    except re.error:
        raise CheckError(_why_format(fmt) or _TWICE, _FORMAT_HINT) from None
    except ValueError as exc:
        if not str(exc).startswith("time data"):  # the format itself is fine
            raise CheckError(_why_format(fmt) or _BAD_FORMAT, _FORMAT_HINT) from None
    return fmt


_BAD_FORMAT = "not a valid strptime format"
_FORMAT_HINT = "e.g. '%d/%b/%Y:%H:%M:%S %z'; the directives: docs.python.org/3/library/datetime.html#format-codes"
_TWICE = f"{_BAD_FORMAT}: two directives read the same field (e.g. %c and %a)"


def _why_format(fmt: str) -> str | None:
    """Name the first unknown directive, a lone % at the end, or a repeated one."""
    from datetime import datetime  # noqa: PLC0415

    seen: set[str] = set()
    for match in re.finditer(r"%(.?)", fmt, re.DOTALL):
        letter = match[1]
        if not letter:
            return f"{_BAD_FORMAT}: it ends with a lone %; write %% for a literal %"
        try:
            datetime.strptime("", f"%{letter}")
        except ValueError as exc:
            if not str(exc).startswith("time data"):
                return f"{_BAD_FORMAT}: %{letter} is not a strptime directive"
        if letter in seen and letter != "%":
            return f"{_BAD_FORMAT}: %{letter} appears twice; a field can be read once"
        seen.add(letter)
    return None


StrptimeFormat = Annotated[str, AfterValidator(check_strptime)]
"""A parser's `time.format`, checked where it is written."""


def check_format_version(value: object) -> object:
    """Let only a whole number on to the `version: 1` check: not `true`, `1.0` or `'1'`.

    Why: `True == 1.0 == 1` in Python, so pydantic's `Literal[1]` takes them.
    """
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    got = quoted(value)
    if value is None or isinstance(value, bool):
        got = "nothing" if value is None else str(value).lower()
    msg = f"the format version is a whole number, got {got}"
    raise CheckError(msg, "write `version: 1`")


ENGINE_SCHEMES = ("unix", "http+unix", "tcp", "http", "https", "ssh", "npipe")
_ENGINE_HINT = "e.g. unix:///var/run/docker.sock, tcp://HOST:2376 or ssh://USER@HOST"


def check_engine_url(url: str) -> str:
    """Refuse a Docker engine URL the Docker SDK cannot use, saying why.

    The SDK's own rules (docker/utils/utils.py `parse_host`): no scheme means
    tcp, tcp needs a port, ssh takes no path; `urlsplit` refuses a bad port
    or a broken IPv6 address.
    """
    from urllib.parse import urlsplit  # noqa: PLC0415 - only for a source with a host

    head = "not a Docker engine URL"
    text = url.strip()
    scheme = text.partition("://")[0] if "://" in text else "tcp"
    if scheme not in ENGINE_SCHEMES:
        msg = f"{head}: {quoted(scheme)} is not one of {', '.join(ENGINE_SCHEMES)}"
        raise CheckError(msg, _ENGINE_HINT)
    try:
        parts = urlsplit(text if "://" in text else f"tcp://{text}")
        port = parts.port
    except ValueError as exc:  # "Port out of range 0-65535", "Invalid IPv6 URL"
        msg = f"{head}: {cut(str(exc)).lower()}"
        raise CheckError(msg, _ENGINE_HINT) from None
    problem = None
    if "\0" in text:
        problem = "it contains a NUL character"
    elif scheme in ("tcp", "http", "https") and not port:
        problem = "a tcp engine URL needs a port"
    elif parts.query or parts.fragment or parts.password:
        problem = "it cannot hold a query, a fragment or a password"
    elif scheme == "ssh" and parts.path:
        problem = "an ssh engine URL has no path"
    if problem is not None:
        msg = f"{head}: {problem}"
        raise CheckError(msg, _ENGINE_HINT)
    return url
