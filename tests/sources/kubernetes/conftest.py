"""Fixtures for the kubernetes tests: fake API servers and a private kubeconfig.

Contract tests, not cluster tests: the real `kubectl` talks to loopback API
servers (helpers/kube_api.py). KUBECONFIG, HOME and the kubectl cache point
into the test's folder, so ~/.kube is never read or written.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.kube_api import KubeApi, closed_port_url, need_kubectl, write_kubeconfig


class Clusters:
    """Fake clusters by context name, and the kubeconfig naming them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.apis: dict[str, KubeApi] = {}
        self.contexts: dict[str, tuple[str, str | None]] = {}
        self.current: str | None = None

    def add(self, context: str, namespace: str | None = "shop") -> KubeApi:
        """Start a fake cluster reached through `context` (the first is current)."""
        api = KubeApi()
        self.apis[context] = api
        self.contexts[context] = (api.url, namespace)
        self.current = self.current or context
        self.write()
        return api

    def unreachable(self, context: str) -> None:
        """Add a context whose server does not answer."""
        self.contexts[context] = (closed_port_url(), "shop")
        self.write()

    def write(self) -> None:
        write_kubeconfig(self.root / "kubeconfig", self.contexts, self.current)

    def close(self) -> None:
        for api in self.apis.values():
            api.close()


def private_kubectl_env(root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point kubectl at a kubeconfig (and cache) under `root`; never ~/.kube."""
    home = root / "home"
    home.mkdir(exist_ok=True)
    monkeypatch.setenv("KUBECONFIG", str(root / "kubeconfig"))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("KUBECACHEDIR", str(root / "kube-cache"))
    return root / "kubeconfig"


@pytest.fixture
def clusters(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Clusters]:
    need_kubectl()
    private_kubectl_env(tmp_path, monkeypatch)
    made = Clusters(tmp_path)
    yield made
    made.close()
