"""Kubectl: an argv for the user's own `kubectl` → its output, or its failure in one line.

Why kubectl and not an API client: the user's kubeconfig, contexts, exec
auth plugins (aws, gke, oidc) and proxies apply unchanged. It is found on
PATH only (a profile can never name the program), run without a shell, and
every value a profile gives (context, namespace, selector, pod) is one argv
item of the `--flag=value` form, so none can read as another flag.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from typing import IO

from tracerun.errors import mask_cut_start
from tracerun.sources.base import ReadError

LIST_TIMEOUT = "20s"
"""How long one pod listing may take (`--request-timeout`)."""
_KLOG = re.compile(rb"^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ [^\]]*\] ?")
_SERVER_SAID = re.compile(r"^Error from server(?: \([A-Za-z]+\))?: ")
_STDERR_KEEP = 16 * 1024
_UNREACHABLE = (
    "connection refused",
    "no such host",
    "i/o timeout",
    "unable to connect",
    "timeout awaiting",
    "context deadline exceeded",
    "network is unreachable",
    "was refused",
)


class KubectlError(ReadError):
    """kubectl is missing, or it failed; carries the reason in one line and a hint."""


def program() -> str:
    """Find `kubectl` on PATH.

    Raises:
        KubectlError: it is not there.
    """
    found = shutil.which("kubectl")
    if found is None:
        reason = "kubectl is not on PATH"
        hint = (
            "install kubectl (https://kubernetes.io/docs/tasks/tools/) or add its "
            "folder to PATH; tracerun runs the kubectl it finds there"
        )
        raise KubectlError(reason, hint)
    return found


def argv(context: str | None, *args: str) -> list[str]:
    """Build a kubectl command line for `context` (None: the kubeconfig's current)."""
    head = [program()]
    if context is not None:
        head.append(f"--context={context}")
    return [*head, *args]


def run(command: Sequence[str], where: str, timeout: float = 60.0) -> bytes:
    """Run kubectl to the end and return its stdout.

    Raises:
        KubectlError: it failed or took longer than `timeout` seconds.
    """
    try:
        done = subprocess.run(
            list(command),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        reason = f"kubectl did not answer within {timeout:g} s"
        raise KubectlError(reason, _reach_hint(where)) from None
    except OSError as exc:
        msg = f"cannot run kubectl: {exc.strerror}"
        raise KubectlError(msg, None) from None
    if done.returncode != 0:
        raise classify(done.stderr, where)
    return done.stdout


class Stream:
    """A running kubectl whose stdout is read as a stream; its stderr kept aside."""

    def __init__(self, command: Sequence[str], where: str) -> None:
        self.where = where
        self.killed = False
        self._stderr: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        try:
            self.process = subprocess.Popen(
                list(command),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                bufsize=0,
            )
        except OSError as exc:
            self._stderr.close()
            msg = f"cannot run kubectl: {exc.strerror}"
            raise KubectlError(msg, None) from None
        assert self.process.stdout is not None
        self.stdout = self.process.stdout

    def finish(self) -> KubectlError | None:
        """Wait for kubectl to end; return its failure, if it failed."""
        code = self.process.wait()
        if code == 0:
            return None
        size = self._stderr.seek(0, 2)
        self._stderr.seek(max(0, size - _STDERR_KEEP))
        return classify(self._stderr.read(), self.where, cut_start=size > _STDERR_KEEP)

    def kill(self) -> None:
        """Stop kubectl if it still runs (from another thread: its reader sees the end)."""
        if self.process.poll() is None:
            self.killed = True
            self.process.kill()

    def close(self) -> None:
        """Stop kubectl (if still running) and release its pipes."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.stdout.close()
        self._stderr.close()


def classify(stderr: bytes, where: str, *, cut_start: bool = False) -> KubectlError:
    """Turn kubectl's stderr into one reason and a hint naming `where` (context/namespace).

    `cut_start`: the stderr kept is the end of a longer one, so its first line
    is a fragment; a secret the cut went through is not masked whole there.
    """
    lines = [_KLOG.sub(b"", line).strip() for line in stderr.splitlines()]
    told = [(at, line) for at, line in enumerate(lines) if line]
    at, last = told[-1] if told else (-1, b"kubectl failed")
    text = last.decode("utf-8", "replace")
    if cut_start and at == 0:
        text = mask_cut_start(text)
    text = _SERVER_SAID.sub("", text.removeprefix("error: ").removeprefix("Error: "))
    lower = text.lower()
    if "forbidden" in lower:
        hint = (
            f"your account may not read pods there ({where}); ask for get/list on "
            "pods and get on pods/log, or leave that namespace out"
        )
        return KubectlError(_short(text), hint)
    if "not found" in lower and "pods" in lower:
        hint = "the pod went away after it was listed; its logs went with it"
        return KubectlError(_short(text), hint)
    if "does not exist" in lower and "context" in lower:
        hint = "list the kubeconfig's contexts with: kubectl config get-contexts"
        return KubectlError(_short(text), hint)
    if any(word in lower for word in _UNREACHABLE):
        return KubectlError(f"cluster unreachable: {_short(text)}", _reach_hint(where))
    if "unauthorized" in lower or "credentials" in lower:
        hint = f"log in again for {where.split('/', maxsplit=1)[0]} (kubectl's auth plugin)"
        return KubectlError(_short(text), hint)
    return KubectlError(_short(text), None)


def _reach_hint(where: str) -> str:
    context = where.split("/", maxsplit=1)[0]
    command = ["kubectl", f"--context={context}", "get", "--raw=/version"]
    return f"check the cluster answers: {shlex.join(command)}"


def _short(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
