"""Ad hoc pods: `--k8s SELECTOR` (with `--k8s-context NAME`, repeatable) → kubernetes sources.

`--k8s 'app=orders'` reads the pods with that label in the current context's
namespace; a value `NAMESPACE/SELECTOR` names the namespace too
(`--k8s 'shop/app=orders'`); `--k8s-context c1 --k8s-context c2` reads them
in each. Why not `--context`: it is already grep's `-C/--context` lines.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence

from tracerun.config.spec import KubernetesSourceConfig
from tracerun.errors import QueryError, TracerunError
from tracerun.sources.base import Family
from tracerun.sources.kubernetes.claims import AdhocKubernetesSourceConfig, AdhocPods

HEAD_LINES = 50
"""How many lines of a container's log `init` looks at."""
CONTEXT_FLAG = "--k8s-context"
"""The companion flag naming the contexts the `--k8s` pods are read in."""
_NAMESPACE = re.compile(r"[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?")
_WORD = re.compile(r"[A-Za-z0-9]")


def split_value(value: str) -> tuple[str | None, str]:
    """`shop/app=orders` → ("shop", "app=orders"); `app=orders` → (None, "app=orders").

    Raises:
        QueryError: the selector is empty, starts with `-` or spans lines.
    """
    namespace, slash, selector = value.partition("/")
    if not slash or "=" in namespace or _NAMESPACE.fullmatch(namespace) is None:
        namespace, selector = "", value
    if not selector.strip() or selector.startswith("-") or "\n" in selector:
        msg = f"--k8s {value!r} is not a label selector"
        hint = "write --k8s 'app=orders' or --k8s 'NAMESPACE/app=orders'"
        raise QueryError(msg, hint)
    return namespace or None, selector


def source_name(selector: str) -> str:
    """Name an ad hoc source after its selector's first value (`app=orders` → `orders`)."""
    first = selector.split(",", 1)[0]
    value = re.split(r"!=|==|=| in | notin ", first, maxsplit=1)[-1]
    name = re.sub(r"[^A-Za-z0-9_.-]+", "", value.strip("() "))
    return name if _WORD.search(name) else "pods"


def adhoc_sources(
    values: Sequence[str], taken: frozenset[str] = frozenset()
) -> dict[str, KubernetesSourceConfig]:
    """One kubernetes source per `--k8s` selector, read in each `--k8s-context`.

    `values` holds the selectors, then `--k8s-context=NAME` items (the
    flag's companion, cli/options.py). Repeated contexts count once; values
    with the same selector make one source (their namespaces together), and
    a container two sources select is read by the first (AdhocPods). A name
    in `taken` (the profile's sources) gets `-k8s` as a suffix.
    """
    prefix = CONTEXT_FLAG + "="
    contexts = [v.removeprefix(prefix) for v in values if v.startswith(prefix)]
    for context in contexts:
        if not context.strip() or context.startswith("-") or "\n" in context:
            msg = f"{CONTEXT_FLAG} {context!r} is not a context name"
            raise QueryError(msg, "list them with: kubectl config get-contexts")
    contexts = list(dict.fromkeys(contexts))
    by_selector: dict[str, tuple[bool, list[str]]] = {}
    for value in (v for v in values if not v.startswith(prefix)):
        namespace, selector = split_value(value)
        own, namespaces = by_selector.setdefault(selector, (False, []))
        if namespace is None:
            by_selector[selector] = (True, namespaces)
        elif namespace not in namespaces:
            namespaces.append(namespace)
    group = AdhocPods()
    found: dict[str, KubernetesSourceConfig] = {}
    for selector, (own, namespaces) in by_selector.items():
        name = source_name(selector)
        base = name if name not in taken else f"{name}-k8s"
        name, count = base, 1
        while name in found:
            count += 1
            name = f"{base}-{count}"
        found[name] = AdhocKubernetesSourceConfig(
            contexts=list(contexts),
            namespaces=namespaces,
            selector=selector,
            own_namespace=own and bool(namespaces),
            group=group,
        )
    return found


def families(values: Sequence[str]) -> list[Family]:
    """One family per `--k8s` value, from the first lines of its first container.

    Raises:
        TracerunError: kubectl fails, or no pod matches.
    """
    from tracerun.sources.kubernetes import kubectl, logs, pods  # noqa: PLC0415 - start-up: init only
    from tracerun.sources.kubernetes.stamps import bare  # noqa: PLC0415 - start-up: init only

    prefix = CONTEXT_FLAG + "="
    contexts = [v for v in values if v.startswith(prefix)]
    found: list[Family] = []
    sources: dict[str, KubernetesSourceConfig] = {}
    for value in dict.fromkeys(v for v in values if not v.startswith(prefix)):
        # one family per value: a profile cannot say "its own namespace and shop"
        ((base, made),) = adhoc_sources([value, *contexts]).items()
        name, count = base, 1
        while name in sources:
            count += 1
            name = f"{base}-{count}"
        sources[name] = made
    for name, config in sources.items():
        discovery = pods.discover(name, 0, config)
        if discovery.failures:
            failure = discovery.failures[0]
            raise TracerunError(failure.text(), failure.hint)
        started = [
            o for o in discovery.origins if isinstance(o, pods.PodOrigin) and o.ran
        ]
        if not started:
            msg = f"--k8s {config.selector!r} matches no started pod"
            command = ["kubectl", "get", "pods", f"--selector={config.selector}"]
            hint = f"check it: {shlex.join(command)}"
            raise TracerunError(msg, hint)
        try:
            head, _ = logs.head_and_last(started[0], HEAD_LINES)
        except kubectl.KubectlError as exc:
            raise TracerunError(exc.reason, exc.hint) from None
        lines = tuple(bare(line).decode("utf-8", "replace") for line in head)
        settings = [("selector", _quote(config.selector or ""), "the pods' labels")]
        for key, items in (
            ("contexts", config.contexts),
            ("namespaces", config.namespaces),
        ):
            if items:
                shown = ", ".join(_quote(item) for item in items)
                settings.append((key, f"[{shown}]", "each read concurrently"))
        found.append(Family(name, "kubernetes", "pods", "*", lines, tuple(settings)))
    return found


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
