"""Real programs for end-to-end tests: find them, run them as a user would, stop them.

nginx, PostgreSQL and logrotate come from Debian (`scripts/test-programs.sh`
installs them when missing and root); python-json-logger and structlog are dev
dependencies. Without a program its tests skip with the reason, except under
CI=true, where they fail: CI must never skip them silently.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers.docker_fixtures import in_ci

_SBIN = ("/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/local/bin")


def require(program: str, *more: str) -> str:
    """Return the program's path; skip (fail under CI=true) when it is missing."""
    found = shutil.which(program) or next(
        (
            f"{d}/{program}"
            for d in (*_SBIN, *more)
            if os.access(f"{d}/{program}", os.X_OK)
        ),
        None,
    )
    if found is None:
        reason = f"{program} is not installed (scripts/test-programs.sh installs it)"
        if in_ci():
            pytest.fail(f"CI=true and {reason}", pytrace=False)
        pytest.skip(reason)
    return found


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the program exited with {process.returncode}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    pytest.fail(f"nothing listened on port {port} within 10 s")


NGINX_CONF = """
daemon off; master_process off; pid {run}/nginx.pid; error_log {out}/error.log;
events {{}}
http {{
    log_format rid '$remote_addr - $remote_user [$time_local] "$request" $status '
                   '$body_bytes_sent "$http_referer" "$http_user_agent" rid=$http_x_request_id';
    access_log {out}/access.log combined; access_log {out}/access_rid.log rid;
    client_body_temp_path {run}/body; proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi; uwsgi_temp_path {run}/uwsgi; scgi_temp_path {run}/scgi;
    server {{ listen 127.0.0.1:{port}; root {run}/html;
             location /api/ {{ return 200 "ok\\n"; }} }}
}}
"""


def run_nginx(out: Path, requests: list[tuple[str, dict[str, str]]]) -> None:
    """Start nginx (its default `combined` log plus a rid= log), send the requests, stop it."""
    nginx = require("nginx")
    run = out / ".run"
    (run / "html").mkdir(parents=True)
    port = free_port()
    conf = run / "nginx.conf"
    conf.write_text(NGINX_CONF.format(run=run, out=out, port=port), encoding="utf-8")
    process = subprocess.Popen([nginx, "-p", str(run), "-c", str(conf)])
    try:
        _wait_for_port(port, process)
        for path, headers in requests:
            request = urllib.request.Request(
                f"http://127.0.0.1:{port}{path}", headers=headers
            )
            with contextlib.suppress(urllib.error.HTTPError):  # a 404 is logged too
                urllib.request.urlopen(request, timeout=5).read()
    finally:
        process.terminate()
        process.wait(timeout=10)


def _postgres_bin(name: str) -> str:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    return require(name, *map(str, versions))


def run_postgres(out: Path, zone: str, statements: list[tuple[str, str]]) -> Path:
    """Run PostgreSQL with initdb's default logging and `log_statement=all`.

    Each (application_name, SQL) runs in its own psql session. Returns the
    server's stderr log, `out/postgresql.log`; the cluster is removed. As root,
    the server runs as `nobody` (it refuses root).
    """
    for program in ("postgres", "initdb", "psql"):
        _postgres_bin(program)  # skip before making anything
    root = Path(tempfile.mkdtemp(prefix="tracerun-pg-"))
    root.chmod(0o755)
    as_user: list[str] = []
    if os.geteuid() == 0:
        as_user = [
            "setpriv",
            "--reuid=nobody",
            "--regid=nogroup",
            "--clear-groups",
            "--",
        ]
        shutil.chown(root, "nobody")
    data, log = root / "data", out / "postgresql.log"
    try:
        _run_postgres(root, data, log, as_user, zone, statements)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return log


def _run_postgres(
    root: Path,
    data: Path,
    log: Path,
    as_user: list[str],
    zone: str,
    statements: list[tuple[str, str]],
) -> None:
    postgres, initdb = _postgres_bin("postgres"), _postgres_bin("initdb")
    psql = _postgres_bin("psql")
    subprocess.run(
        [*as_user, initdb, "-D", str(data), "-U", "postgres", "--auth-local=trust"],
        check=True,
        capture_output=True,
    )
    port = free_port()
    with log.open("wb") as stderr:
        server = subprocess.Popen(
            [*as_user, postgres, "-D", str(data), "-p", str(port), "-k", str(root),
             "-c", "listen_addresses=127.0.0.1", "-c", "log_statement=all",
             "-c", "log_connections=on", "-c", f"timezone={zone}",
             "-c", f"log_timezone={zone}"],
            stderr=stderr,
        )  # fmt: skip
    try:
        _wait_for_port(port, server)
        for name, sql in statements:
            conninfo = f"host={root} port={port} user=postgres dbname=postgres application_name={name}"
            subprocess.run(
                [psql, "-q", conninfo, "-c", sql], check=False, capture_output=True
            )
    finally:
        server.terminate()  # SIGTERM: smart shutdown, the sessions are gone
        server.wait(timeout=30)


def run_logrotate(log: Path, batches: list[Callable[[], list[str]]]) -> None:
    """Append each batch's lines to `log`, running the real logrotate between batches.

    `create` + `compress` + `delaycompress`, as Debian's own configs do.
    """
    logrotate = require("logrotate")
    conf = log.parent / ".logrotate.conf"
    conf.write_text(
        f"{log} {{\n  rotate 5\n  missingok\n  create 0644\n  compress\n  delaycompress\n}}\n",
        encoding="utf-8",
    )
    conf.chmod(0o644)
    state = log.parent / ".logrotate.state"
    for number, batch in enumerate(batches):
        if number:
            subprocess.run([logrotate, "-f", "-s", str(state), str(conf)], check=True)
        with log.open("a", encoding="utf-8") as out:
            out.writelines(f"{line}\n" for line in batch())
