"""Worlds for the shared source contract (tests/sources/test_contract.py).

A World makes real origins of one source type holding a known corpus: files
in a temporary folder, containers on the test engine. Every registered type
must have one here; the contract test fails for a type without it.

Each origin `a`, `b` prints its lines in order (`a` before `b`); each line is a
JSON record carrying RID and its message. File lines carry their own time,
one second apart; container lines carry none, so the engine's time places
them (the containers run one after the other, so `a`'s lines come first).
"""

from __future__ import annotations

import gzip
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from helpers.kube_api import (
    Container,
    KubeApi,
    closed_port_url,
    need_kubectl,
    ns_of,
    write_kubeconfig,
)
from tracerun.config import spec

RID = "req-c0n7ract"
CORPUS = {"a": ["a-one", "a-two", "a-three"], "b": ["b-one", "b-two", "b-three"]}
"""Messages per origin, in the order the origin writes them."""
BASE = "2026-03-20T14:10:0{}.000Z"


def line(message: str, second: int | None = None) -> str:
    """One JSON log line: the message and the id, and a time when given."""
    record: dict[str, Any] = {"request_id": RID, "msg": message}
    if second is not None:
        record = {"ts": BASE.format(second), **record}
    return json.dumps(record)


class World(Protocol):
    """Real origins of one source type, made on demand."""

    def source(self, *, live: bool = False) -> spec.SourceConfig:
        """A source whose origins `a` and `b` hold CORPUS (`live`: they can grow)."""
        ...

    def origin(self, name: str) -> str:
        """The origin name the user sees for corpus origin `name`."""
        ...

    def broken(self) -> spec.SourceConfig:
        """A source of this type whose reading fails."""
        ...

    def append(self, name: str, message: str) -> None:
        """Add a record to live origin `name`."""
        ...


@dataclass
class FileWorld:
    """Log files in a folder: `a.log`, `b.log`."""

    root: Path

    def source(self, *, live: bool = False) -> spec.SourceConfig:  # noqa: ARG002
        second = 0
        for name, messages in CORPUS.items():
            lines = []
            for message in messages:
                lines.append(line(message, second))
                second += 1
            (self.root / f"{name}.log").write_text("\n".join(lines) + "\n")
        return spec.FileSourceConfig(paths=[str(self.root / "*.log")], parser="json")

    def origin(self, name: str) -> str:
        return str(self.root / f"{name}.log")

    def broken(self) -> spec.SourceConfig:
        bad = self.root / "broken" / "damaged.log.gz"
        bad.parent.mkdir()
        whole = gzip.compress((line("x", 9) + "\n").encode() * 2000)
        bad.write_bytes(whole[:10] + b"\x00" * 64 + whole[74:])
        return spec.FileSourceConfig(paths=[str(bad)], parser="json")

    def append(self, name: str, message: str) -> None:
        with (self.root / f"{name}.log").open("a") as file:
            file.write(line(message, 8) + "\n")


@dataclass
class DockerWorld:
    """Containers on the test engine: `…-a`, then `…-b`, each printing its lines."""

    containers: Callable[..., Any]
    root: Path
    names: dict[str, str] = field(default_factory=dict)
    live_ones: dict[str, Any] = field(default_factory=dict)

    def source(self, *, live: bool = False) -> spec.SourceConfig:
        label = f"contract-{time.monotonic_ns()}"
        for name, messages in CORPUS.items():
            prints = [_say(line(m)) for m in messages]
            wait = "while [ ! -f /tmp/go ]; do sleep 0.1; done; cat /tmp/go"
            tail = f"; {wait}; exec sleep 300" if live else ""
            script = "; usleep 300000; ".join(prints) + tail
            container = self.containers(
                f"contract-{name}",
                script,
                labels={"tracerun.contract": label},
                wait_exit=not live,
            )
            container.reload()
            self.names[name] = container.name
            self.live_ones[name] = container
            if live:
                _wait_for_lines(container, len(messages))
        labels = {"tracerun.contract": label}
        return spec.DockerSourceConfig(labels=labels, parser="json", stopped=True)

    def origin(self, name: str) -> str:
        return self.names[name]

    def broken(self) -> spec.SourceConfig:
        dead = f"unix://{self.root / 'no-engine.sock'}"
        return spec.DockerSourceConfig(containers=["x"], host=dead, parser="json")

    def append(self, name: str, message: str) -> None:
        text = line(message).replace("'", "'\\''")
        self.live_ones[name].exec_run(
            ["sh", "-c", f"printf '%s\\n' '{text}' > /tmp/go"]
        )


def _say(text: str) -> str:
    return "printf '%s\\n' '" + text.replace("'", "'\\''") + "'"


def _wait_for_lines(container: Any, count: int) -> None:
    deadline = time.monotonic() + 20
    while container.logs().count(b"\n") < count:
        if time.monotonic() > deadline:
            msg = f"{container.name} did not print its {count} lines"
            raise AssertionError(msg)
        time.sleep(0.05)


@dataclass
class SshWorld:
    """Files on two ssh hosts of the test fleet: `a.log` on web-1, `b.log` on web-2."""

    fleet: Any
    hosts: dict[str, Any] = field(default_factory=dict)

    def source(self, *, live: bool = False) -> spec.SourceConfig:  # noqa: ARG002
        second = 0
        for name, host in zip(CORPUS, self.fleet.hosts, strict=False):
            self.hosts[name] = host
            lines = []
            for message in CORPUS[name]:
                lines.append(line(message, second))
                second += 1
            (host.log_dir / f"{name}.log").write_text("\n".join(lines) + "\n")
        remote = self.fleet.hosts[0].remote_dir
        aliases = [self.hosts[n].alias for n in CORPUS]
        return spec.SshSourceConfig(
            hosts=aliases, paths=[f"{remote}/*.log"], parser="json"
        )

    def origin(self, name: str) -> str:
        host = self.hosts[name]
        return f"{host.alias}:{host.remote_dir}/{name}.log"

    def broken(self) -> spec.SourceConfig:
        refused = self.fleet.endpoints.refused.alias
        return spec.SshSourceConfig(
            hosts=[refused], paths=["/srv/x/*.log"], parser="json", connect_timeout=2
        )

    def append(self, name: str, message: str) -> None:
        with (self.hosts[name].log_dir / f"{name}.log").open("a") as file:
            file.write(line(message, 8) + "\n")


_TAIL = """
import sys, time
path, live = sys.argv[1], sys.argv[2] == "live"
with open(path) as log:
    while True:
        line = log.readline()
        if line:
            sys.stdout.write(line)
            sys.stdout.flush()
        elif live:
            time.sleep(0.05)
        else:
            break
"""


@dataclass
class CommandWorld:
    """Programs `a` and `b`, each printing its log (and, live, what is added to it).

    A command source is one program: the World gives one source per origin
    (`sources`), and the contract runs them together.
    """

    root: Path
    covers: bool = False
    """`sources` runs nothing: no coverage, no sample (they would run the program)."""

    def sources(self, *, live: bool = False) -> dict[str, spec.SourceConfig]:
        FileWorld(self.root).source()
        found: dict[str, spec.SourceConfig] = {}
        for name in CORPUS:
            program = self.root / name
            program.write_text(f"#!{sys.executable}\n{_TAIL}")
            program.chmod(0o755)
            argv = [str(program), str(self.root / f"{name}.log")]
            found[f"svc-{name}"] = spec.CommandSourceConfig(
                argv=[*argv, "live" if live else "once"], parser="json", follow=live
            )
        return found

    def source(self, *, live: bool = False) -> spec.SourceConfig:
        return self.sources(live=live)["svc-a"]

    def origin(self, name: str) -> str:
        return str(self.root / name)

    def broken(self) -> spec.SourceConfig:
        fails = [sys.executable, "-c", "import sys; sys.exit('no such log group')"]
        return spec.CommandSourceConfig(argv=fails, parser="json")

    def append(self, name: str, message: str) -> None:
        FileWorld(self.root).append(name, message)


def _command_world(tmp_path: Path, request: Any) -> World:
    return CommandWorld(tmp_path)


@dataclass
class KubernetesWorld:
    """Pods `contract-a`, `contract-b` on a fake API server (helpers/kube_api.py).

    Their lines carry no time: the kubelet's (one second apart, `a`'s first)
    places them, as the engine's does for containers.
    """

    root: Path
    api: Any = None
    boxes: dict[str, Any] = field(default_factory=dict)

    def source(self, *, live: bool = False) -> spec.SourceConfig:  # noqa: ARG002
        base = ns_of("2026-03-20T14:10:00+00:00")
        second = 0
        for name, messages in CORPUS.items():
            box = Container()
            for message in messages:
                box.lines.append((base + second * 1_000_000_000, line(message)))
                second += 1
            self.api.pod(f"contract-{name}", app="contract").containers["app"] = box
            self.boxes[name] = box
        return spec.KubernetesSourceConfig(selector="app=contract", parser="json")

    def origin(self, name: str) -> str:
        return f"ctx/shop/contract-{name}/app"

    def broken(self) -> spec.SourceConfig:
        return spec.KubernetesSourceConfig(
            contexts=["down"], selector="app=contract", parser="json"
        )

    def append(self, name: str, message: str) -> None:
        late = ns_of("2026-03-20T14:10:08+00:00")
        self.api.append(self.boxes[name], late, line(message))


def _kubernetes_world(tmp_path: Path, request: Any) -> World:
    need_kubectl()
    monkeypatch = request.getfixturevalue("monkeypatch")
    api = KubeApi()
    request.addfinalizer(api.close)
    contexts = {"ctx": (api.url, "shop"), "down": (closed_port_url(), "shop")}
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", contexts, "ctx")
    monkeypatch.setenv("KUBECONFIG", str(kubeconfig))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("KUBECACHEDIR", str(tmp_path / "kube-cache"))
    return KubernetesWorld(tmp_path, api)


def _ssh_world(tmp_path: Path, request: Any) -> World:
    fleet = request.getfixturevalue("ssh_fleet")
    monkeypatch = request.getfixturevalue("monkeypatch")
    monkeypatch.setenv("TRACERUN_SSH_CONFIG", str(fleet.config))
    return SshWorld(fleet)


def _file_world(tmp_path: Path, request: Any) -> World:
    return FileWorld(tmp_path)


def _docker_world(tmp_path: Path, request: Any) -> World:
    request.applymarker("docker")
    return DockerWorld(request.getfixturevalue("containers"), tmp_path)


WORLDS: dict[str, Callable[[Path, Any], World]] = {
    "file": _file_world,
    "docker": _docker_world,
    "ssh": _ssh_world,
    "kubernetes": _kubernetes_world,
    "command": _command_world,
}
"""Source type → how to make its World (the contract test looks every registered type up)."""
