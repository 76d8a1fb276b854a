"""A loopback Kubernetes API server for contract tests: no real cluster runs here.

It implements exactly what `kubectl` (v1.32, also through gcloud's
dispatcher) asks of a server for `get pods -o json` and `logs`: discovery
(`/version`, `/api`, `/apis`, `/api/v1`), the pod list with `labelSelector`,
one pod, and `pods/NAME/log` with `container`, `timestamps`, `sinceTime`,
`previous`, `tailLines`, `limitBytes` and `follow`. A namespace can be made
forbidden (403). Every request is recorded (`requests`), so tests can check
what kubectl was made to ask.
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from helpers.docker_fixtures import in_ci

_RESOURCES = {
    "kind": "APIResourceList",
    "groupVersion": "v1",
    "resources": [
        {
            "name": "pods",
            "singularName": "pod",
            "namespaced": True,
            "kind": "Pod",
            "verbs": ["get", "list", "watch"],
            "shortNames": ["po"],
        },
        {"name": "pods/log", "singularName": "", "namespaced": True, "kind": "Pod", "verbs": ["get"]},
    ],
}  # fmt: skip


def stamp(ns: int) -> str:
    """The kubelet's RFC 3339 with nanoseconds, trailing zeros dropped."""
    seconds, fraction = divmod(ns, 1_000_000_000)
    text = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    digits = f"{fraction:09d}".rstrip("0")
    return f"{text}.{digits}Z" if digits else f"{text}Z"


def ns_of(text: str) -> int:
    """RFC 3339 (`2026-03-20T14:10:00Z`) → ns since the epoch."""
    return int(datetime.fromisoformat(text).timestamp()) * 1_000_000_000


@dataclass
class Container:
    """One container: its log lines (kubelet time ns, text), restarts, previous lines."""

    lines: list[tuple[int, str]] = field(default_factory=list)
    previous: list[tuple[int, str]] = field(default_factory=list)
    restarts: int = 0
    started: str = "2026-03-20T14:00:00Z"
    ended: bool = False
    """The current instance exited: a follow stream ends after its lines."""
    stall: float = 0.0
    """Seconds a one-shot read waits after the lines before it ends (a slow kubelet)."""
    body: bytes | None = None
    """The whole log, kubelet-stamped, served as is to a plain `--timestamps`
    read (bench/k8s_bench.py: a million lines would not fit as tuples)."""


@dataclass
class Pod:
    """A pod: namespace, labels, containers (and init containers) by name."""

    name: str
    namespace: str = "shop"
    labels: dict[str, str] = field(default_factory=dict)
    containers: dict[str, Container] = field(default_factory=dict)
    init: dict[str, Container] = field(default_factory=dict)

    def json(self) -> dict[str, Any]:
        """The pod as the API serves it (only what tracerun and kubectl read)."""

        def status(name: str, c: Container) -> dict[str, Any]:
            state: dict[str, Any] = {"running": {"startedAt": c.started}}
            if c.ended:
                state = {
                    "terminated": {
                        "exitCode": 0,
                        "startedAt": c.started,
                        "finishedAt": c.started,
                    }
                }
            last = {
                "terminated": {
                    "exitCode": 1,
                    "startedAt": "2026-03-20T13:00:00Z",
                    "finishedAt": c.started,
                }
            }
            return {"name": name, "restartCount": c.restarts, "state": state,
                    "lastState": last if c.restarts else {}, "ready": True}  # fmt: skip

        return {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": self.name, "namespace": self.namespace, "labels": self.labels},
            "spec": {
                "containers": [{"name": n} for n in self.containers],
                "initContainers": [{"name": n} for n in self.init],
            },
            "status": {
                "phase": "Running",
                "containerStatuses": [status(n, c) for n, c in self.containers.items()],
                "initContainerStatuses": [status(n, c) for n, c in self.init.items()],
            },
        }  # fmt: skip


def selects(selector: str, labels: dict[str, str]) -> bool:
    """Match equality-based label selectors: `a=b`, `a==b`, `a!=b`, `a`, `!a`, comma = and."""
    for term in filter(None, (t.strip() for t in selector.split(","))):
        if "!=" in term:
            key, value = term.split("!=", 1)
            if labels.get(key.strip()) == value.strip():
                return False
        elif "=" in term:
            key, value = term.replace("==", "=").split("=", 1)
            if labels.get(key.strip()) != value.strip():
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif term not in labels:
            return False
    return True


class KubeApi:
    """One fake cluster: pods, forbidden namespaces, the requests it got."""

    def __init__(self) -> None:
        self.pods: list[Pod] = []
        self.forbidden: set[str] = set()
        self.requests: list[str] = []
        self.changed = threading.Condition()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                api.requests.append(self.path)
                api.answer(self)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        with self.changed:
            self.changed.notify_all()
        self.server.shutdown()
        self.server.server_close()

    def pod(self, name: str, namespace: str = "shop", **labels: str) -> Pod:
        """Add a pod (visible to the next listing)."""
        pod = Pod(name, namespace, labels)
        with self.changed:
            self.pods.append(pod)
            self.changed.notify_all()
        return pod

    def remove(self, name: str) -> None:
        with self.changed:
            self.pods = [p for p in self.pods if p.name != name]
            self.changed.notify_all()

    def append(self, container: Container, ns: int, text: str) -> None:
        """Add a line to a container's log (a follow stream sends it)."""
        with self.changed:
            container.lines.append((ns, text))
            self.changed.notify_all()

    def log_requests(self) -> list[dict[str, list[str]]]:
        """The query parameters of every log request, in order."""
        return [
            parse_qs(urlsplit(p).query)
            for p in self.requests
            if "/log" in urlsplit(p).path
        ]

    # --- serving -----------------------------------------------------------

    def answer(self, h: BaseHTTPRequestHandler) -> None:
        url = urlsplit(h.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        parts = url.path.strip("/").split("/")
        if url.path == "/version":
            return _json(h, {"major": "1", "minor": "32", "gitVersion": "v1.32.4"})
        if url.path == "/api":
            return _json(
                h,
                {
                    "kind": "APIVersions",
                    "versions": ["v1"],
                    "serverAddressByClientCIDRs": [],
                },
            )
        if url.path == "/apis":
            return _json(h, {"kind": "APIGroupList", "apiVersion": "v1", "groups": []})
        if url.path == "/api/v1":
            return _json(h, _RESOURCES)
        if parts[:3] == ["api", "v1", "namespaces"] and len(parts) == 4:
            meta = {"name": parts[3]}
            return _json(h, {"kind": "Namespace", "apiVersion": "v1", "metadata": meta})
        if (
            parts[:3] == ["api", "v1", "namespaces"]
            and len(parts) >= 5
            and parts[4] == "pods"
        ):
            namespace = parts[3]
            if namespace in self.forbidden:
                message = (f'pods is forbidden: User "tester" cannot list resource "pods" '
                           f'in API group "" in the namespace "{namespace}"')  # fmt: skip
                return _status(h, 403, "Forbidden", message)
            with self.changed:
                pods = [p for p in self.pods if p.namespace == namespace]
            if len(parts) == 5:
                chosen = [
                    p.json()
                    for p in pods
                    if selects(query.get("labelSelector", ""), p.labels)
                ]
                return _json(
                    h,
                    {
                        "kind": "PodList",
                        "apiVersion": "v1",
                        "metadata": {},
                        "items": chosen,
                    },
                )
            pod = next((p for p in pods if p.name == parts[5]), None)
            if pod is None:
                return _status(h, 404, "NotFound", f'pods "{parts[5]}" not found')
            if len(parts) == 6:
                return _json(h, pod.json())
            if parts[6:] == ["log"]:
                return self._log(h, pod, query)
        return _status(
            h, 404, "NotFound", "the server could not find the requested resource"
        )

    def _log(self, h: BaseHTTPRequestHandler, pod: Pod, query: dict[str, str]) -> None:
        name = query.get("container") or next(iter(pod.containers))
        container = pod.containers.get(name) or pod.init.get(name)
        if container is None:
            return _status(
                h,
                400,
                "BadRequest",
                f"container {name} is not valid for pod {pod.name}",
            )
        previous = query.get("previous") == "true"
        if previous and not container.restarts:
            return _status(
                h,
                400,
                "BadRequest",
                f'previous terminated container "{name}" in pod "{pod.name}" not found',
            )
        since = ns_of(query["sinceTime"]) if "sinceTime" in query else None
        timestamps = query.get("timestamps") == "true"
        plain = not ({"sinceTime", "tailLines", "limitBytes", "follow"} & set(query))
        if container.body is not None and timestamps and plain and not previous:
            return _text(h, container.body)

        def render(lines: list[tuple[int, str]]) -> bytes:
            kept = [(t, x) for t, x in lines if since is None or t >= since]
            if "tailLines" in query:
                kept = (
                    kept[len(kept) - int(query["tailLines"]) :]
                    if int(query["tailLines"])
                    else []
                )
            return b"".join(
                ((f"{stamp(t)} " if timestamps else "") + x + "\n").encode()
                for t, x in kept
            )

        h.send_response(200)
        h.send_header("Content-Type", "text/plain")
        h.send_header("Connection", "close")
        h.end_headers()
        with self.changed:
            lines = list(container.previous if previous else container.lines)
        body = render(lines)
        if "limitBytes" in query:
            body = body[: int(query["limitBytes"])]
        try:
            h.wfile.write(body)
            h.wfile.flush()
            if query.get("follow") != "true" or previous:
                time.sleep(container.stall)
                return None
            sent = len(lines)
            while True:
                with self.changed:
                    self.changed.wait_for(
                        lambda n=sent: (
                            len(container.lines) > n
                            or container.ended
                            or pod not in self.pods
                        ),
                        timeout=0.5,
                    )
                    fresh = container.lines[sent:]
                    gone = container.ended or pod not in self.pods
                sent += len(fresh)
                if fresh:
                    h.wfile.write(render(fresh))
                    h.wfile.flush()
                if gone or self.server.socket.fileno() == -1:
                    return None
        except (BrokenPipeError, ConnectionResetError):
            return None


def _json(h: BaseHTTPRequestHandler, body: dict[str, Any], code: int = 200) -> None:
    data = json.dumps(body).encode()
    h.send_response(code)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(len(data)))
    h.end_headers()
    h.wfile.write(data)


def _text(h: BaseHTTPRequestHandler, body: bytes) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/plain")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    try:
        h.wfile.write(body)
    except (BrokenPipeError, ConnectionResetError):
        return


def _status(h: BaseHTTPRequestHandler, code: int, reason: str, message: str) -> None:
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": message, "reason": reason, "code": code}  # fmt: skip
    _json(h, body, code)


def closed_port_url() -> str:
    """A loopback URL nothing listens on (an unreachable cluster)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def write_kubeconfig(
    path: Path, contexts: dict[str, tuple[str, str | None]], current: str | None
) -> Path:
    """A kubeconfig: context name → (server URL, its namespace), and the current one."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": n, "cluster": {"server": url}} for n, (url, _) in contexts.items()],
        "users": [{"name": "tester", "user": {"token": "not-a-secret"}}],
        "contexts": [
            {"name": n, "context": {"cluster": n, "user": "tester", **({"namespace": ns} if ns else {})}}
            for n, (_, ns) in contexts.items()
        ],
        "current-context": current or "",
    }  # fmt: skip
    path.write_text(json.dumps(config))
    return path


def need_kubectl() -> None:
    """Skip the test when no kubectl is on PATH; fail instead under CI=true."""
    if shutil.which("kubectl") is not None:
        return
    problem = "kubectl is not on PATH (scripts/test installs kubernetes-client)"
    if in_ci():
        pytest.fail(f"CI=true and {problem}", pytrace=False)
    pytest.skip(problem)
