"""Claims: the `--k8s` sources' settings, and the containers each has claimed.

Apart from adhoc.py so that pods.py (discovery) reads them without importing
the ad hoc flag's code, nor it pods.py.
"""

from __future__ import annotations

import threading

from tracerun.config.spec import KubernetesSourceConfig
from tracerun.plain import field, plain


class AdhocPods:
    """The containers the `--k8s` sources have claimed: each is read by the first to list it.

    Why: two `--k8s` values may select the same pod (`app=orders` and
    `tier=web`); like a file named by two `--path` values, a container is
    read once per trace, by the first source that lists it (sources are
    discovered in order; while following, the first to list a new pod).
    Sources named in a profile share no group: each reads what it selects,
    as two file sources naming one file both read it.
    """

    def __init__(self) -> None:
        self._owner: dict[tuple[str, ...], str] = {}
        self._lock = threading.Lock()

    def claim(self, source: str, key: tuple[str, ...]) -> bool:
        """Claim a container (context, namespace, pod, container) for `source`, if free."""
        with self._lock:
            return self._owner.setdefault(key, source) == source


@plain(frozen=True, kw_only=True)
class AdhocKubernetesSourceConfig(KubernetesSourceConfig):
    """A kubernetes source made from `--k8s` values rather than read from a profile.

    Attributes:
        own_namespace: also each context's own namespace (a value without
            `NAMESPACE/`), besides `namespaces`.
        group: what the flag's sources have claimed, shared by them.
    """

    own_namespace: bool = False
    group: AdhocPods | None = field(default=None, compare=False)
