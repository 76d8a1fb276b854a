"""Kubernetes source: pod logs on one or more clusters, read through the user's `kubectl`.

`source.py` is the type's Source; `kubectl` (finding and running it, its
failures in one line), `pods` (which pods and containers), `stamps` (the
kubelet's timestamps), `logs` (one container's log), `tail` (following) and
`adhoc` are its parts.
"""

from __future__ import annotations

from tracerun.sources.base import AdhocFlag, Source, SourceType


def _load() -> Source:
    from tracerun.sources.kubernetes.source import KubernetesSource  # noqa: PLC0415 - start-up: loaded when a plan has kubernetes

    return KubernetesSource()


TYPE = SourceType(
    "kubernetes",
    _load,
    AdhocFlag(
        "--k8s",
        "SELECTOR",
        "Also read the pods matching a label selector with kubectl "
        "([NAMESPACE/]SELECTOR; the current context unless --k8s-context).",
        "Pods to describe (a label selector).",
        (
            "--k8s-context",
            "CONTEXT",
            "With --k8s: read the pods in this kubeconfig context (repeatable).",
        ),
    ),
)
