"""A real headless Chromium for page tests, driven over the DevTools protocol on a pipe.

Why a pipe and no driver library: `--remote-debugging-pipe` speaks the Chrome
DevTools Protocol as NUL-separated JSON on file descriptors 3 and 4, so the
standard library is enough (no chromedriver, no browser download, no port).

    with Browser.start(tmp_dir) as browser:
        page = browser.open(Path("trace.html"))
        page.evaluate("document.title")
        page.click("#filters input[value=payments]")
        page.screenshot(Path("shot.png"))
        page.requests  # every URL the page asked for

Registered as a pytest plugin (tests/conftest.py), it gives a session-scoped
`browser` fixture: one Chromium for every page test. Without Debian's chromium
the tests that need it skip with a reason; under CI=true they fail instead (as
the docker tests do). `mermaid_js()` finds mermaid's bundle, which scripts/test
fetches from the npm registry into .cache/test/ (see there).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

import pytest

from helpers.docker_fixtures import in_ci

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--remote-debugging-pipe",
)
TIMEOUT = 30.0
_WIRE = (
    "import fcntl, os, sys\n"
    "r, w = (fcntl.fcntl(int(fd), fcntl.F_DUPFD, 10) for fd in sys.argv[1:3])\n"
    "os.dup2(r, 3)\n"
    "os.dup2(w, 4)\n"
    "os.execv(sys.argv[3], sys.argv[3:])\n"
)


def chromium_path() -> str | None:
    """Debian's chromium, if installed."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


def require_chromium() -> str:
    """The browser's path; skip the test without one (fail under CI=true)."""
    found = chromium_path()
    if found is not None:
        return found
    problem = "no chromium (apt-get install chromium; scripts/test installs it as root)"
    if in_ci():
        pytest.fail(f"CI=true and {problem}", pytrace=False)
    pytest.skip(problem)


class ProtocolError(RuntimeError):
    """The browser answered a command with an error, or went away."""


class Browser:
    """One headless Chromium process; `open()` gives a fresh page (tab)."""

    def __init__(
        self, process: subprocess.Popen[bytes], to_browser: int, from_browser: int
    ):
        self._process = process
        self._out = to_browser
        self._in = from_browser
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []

    @classmethod
    def start(cls, profile_dir: Path) -> Browser:
        """Launch chromium with a fresh user-data-dir under `profile_dir`."""
        executable = require_chromium()
        profile_dir.mkdir(parents=True, exist_ok=True)
        commands_r, commands_w = os.pipe()  # we write, the browser reads fd 3
        replies_r, replies_w = os.pipe()  # the browser writes fd 4, we read

        # Chromium reads fd 3 and writes fd 4: a tiny exec wrapper moves the pipe
        # ends there (via fds >= 10, so that neither end overwrites the other).
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _WIRE,
                str(commands_r),
                str(replies_w),
                executable,
                *FLAGS,
                f"--user-data-dir={profile_dir}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(commands_r, replies_w),
        )
        os.close(commands_r)
        os.close(replies_w)
        return cls(process, commands_w, replies_r)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """End the browser process (and only it)."""
        with contextlib.suppress(ProtocolError, OSError):
            self.send("Browser.close")
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        for fd in (self._out, self._in):
            with contextlib.suppress(OSError):
                os.close(fd)

    def send(self, method: str, session: str | None = None, **params: Any) -> Any:
        """Send one command and wait for its result (events seen meanwhile are kept)."""
        self._next_id += 1
        message: dict[str, Any] = {
            "id": self._next_id,
            "method": method,
            "params": params,
        }
        if session is not None:
            message["sessionId"] = session
        os.write(self._out, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    msg = f"{method}: {reply['error']}"
                    raise ProtocolError(msg)
                return reply.get("result", {})
            self._events.append(reply)

    def wait_for(self, method: str, session: str) -> dict[str, Any]:
        """Wait for an event of `method` on a page (seen before or arriving)."""
        while True:
            for event in self._events:
                if event.get("method") == method and event.get("sessionId") == session:
                    self._events.remove(event)
                    return event
            self._events.append(self._read())

    def events(self, method: str, session: str) -> list[dict[str, Any]]:
        """Every event of `method` received so far on a page."""
        return [
            e
            for e in self._events
            if e.get("method") == method and e.get("sessionId") == session
        ]

    def open(self, path: Path) -> Page:
        """Open a local file in a new tab, recording its network requests."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        session = self.send("Target.attachToTarget", targetId=target, flatten=True)[
            "sessionId"
        ]
        for domain in ("Page", "Network", "Runtime"):
            self.send(f"{domain}.enable", session)
        url = path.resolve().as_uri()
        self.send("Page.navigate", session, url=url)
        self.wait_for("Page.loadEventFired", session)
        return Page(self, session, url)

    def _read(self) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline or self._process.poll() is not None:
                msg = "the browser did not answer"
                raise ProtocolError(msg)
            chunk = os.read(self._in, 1 << 16)
            if not chunk:
                msg = "the browser closed its pipe"
                raise ProtocolError(msg)
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)


class Page:
    """One tab showing a file."""

    def __init__(self, browser: Browser, session: str, url: str) -> None:
        self.browser = browser
        self.session = session
        self.url = url

    def evaluate(self, expression: str) -> Any:
        """Run JavaScript in the page and return its (JSON) value."""
        result = self.browser.send(
            "Runtime.evaluate",
            self.session,
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        if "exceptionDetails" in result:
            msg = f"{expression}: {result['exceptionDetails']}"
            raise ProtocolError(msg)
        return result["result"].get("value")

    def click(self, selector: str) -> None:
        """Click the middle of the element, as a mouse would (real input events)."""
        box = self.evaluate(
            f"(() => {{ const e = document.querySelector({json.dumps(selector)});"
            " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
            " return [r.x + r.width / 2, r.y + r.height / 2]; })()"
        )
        x, y = box
        for kind in ("mousePressed", "mouseReleased"):
            self.browser.send(
                "Input.dispatchMouseEvent",
                self.session,
                type=kind,
                x=x,
                y=y,
                button="left",
                clickCount=1,
            )

    def type(self, selector: str, text: str) -> None:
        """Focus an input and type text into it (real key input)."""
        self.click(selector)
        self.browser.send("Input.insertText", self.session, text=text)

    def screenshot(self, path: Path) -> Path:
        """Save a PNG of the whole page."""
        data = self.browser.send(
            "Page.captureScreenshot",
            self.session,
            format="png",
            captureBeyondViewport=True,
        )["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    @property
    def requests(self) -> list[str]:
        """Every URL the page requested so far (its own document included)."""
        return [
            e["params"]["request"]["url"]
            for e in self.browser.events("Network.requestWillBeSent", self.session)
        ]


MERMAID_JS = Path(__file__).resolve().parents[2] / ".cache" / "test" / "mermaid.min.js"


def mermaid_js() -> Path:
    """Mermaid's browser bundle ($TRACERUN_MERMAID_JS, else .cache/test/); skip without."""
    path = Path(os.environ.get("TRACERUN_MERMAID_JS") or MERMAID_JS)
    if path.is_file():
        return path
    problem = f"no mermaid bundle at {path} (scripts/test fetches it with npm pack)"
    if in_ci():
        pytest.fail(f"CI=true and {problem}", pytrace=False)
    pytest.skip(problem)


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    """One headless Chromium for every page test of the session."""
    require_chromium()
    with Browser.start(tmp_path_factory.mktemp("chromium-profile")) as started:
        yield started
