"""Pods: a kubernetes source's contexts, namespaces and selectors → one origin per container.

tracerun lists the pods itself (`kubectl get pods -o json`, one listing per
context and namespace, run concurrently) rather than `kubectl logs -l`, which
stops at a few lines per pod and reads the pods one after another. A context
that cannot be reached, or a namespace we may not read, is one failure naming
it; the others still answer.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tracerun.config.spec import KubernetesSourceConfig
from tracerun.errors import SourceFailure
from tracerun.origin import Origin
from tracerun.plain import plain
from tracerun.sources.base import Discovery
from tracerun.sources.kubernetes import kubectl
from tracerun.sources.kubernetes.claims import AdhocKubernetesSourceConfig
from tracerun.sources.kubernetes.kubectl import KubectlError
from tracerun.timeparse import parse_time

PREVIOUS = " (previous)"
"""What the origin of a container's previous instance adds to its name."""


@plain(frozen=True, slots=True)
class PodOrigin(Origin):
    """One container of one pod (or its previous instance), where kubectl finds it."""

    context: str = ""
    namespace: str = ""
    pod: str = ""
    container: str = ""
    previous: bool = False
    ran: bool = True
    """The container has started at least once (so it has a log)."""
    ended: int | None = None
    """When this instance ended (µs), if it did: a window after that skips it."""
    gate: int = 16
    """The source's `max_parallel`."""


@plain(frozen=True, slots=True)
class Place:
    """One context and namespace to list pods in."""

    context: str
    namespace: str

    def __str__(self) -> str:
        return f"{self.context}/{self.namespace}"


_LAST: dict[tuple[str, int, int], Discovery] = {}
_LAST_LOCK = threading.Lock()


def discover(name: str, index: int, config: KubernetesSourceConfig) -> Discovery:
    """List the containers of a kubernetes source, per context and namespace.

    The result is also kept for `last_discovery`: following starts from the
    plan's listing instead of waiting a second time for a context that does
    not answer.
    """
    found = _discover(name, index, config)
    with _LAST_LOCK:
        _LAST[name, index, id(config)] = found
    return found


def last_discovery(
    name: str, index: int, config: KubernetesSourceConfig
) -> Discovery | None:
    """Take the listing `discover` made last for this source, if it was not taken.

    Keyed by the config object too: the plan and the follow driver hand the
    same one, and a listing of another profile's source is never taken.
    """
    with _LAST_LOCK:
        return _LAST.pop((name, index, id(config)), None)


def _discover(name: str, index: int, config: KubernetesSourceConfig) -> Discovery:
    found = Discovery()
    try:
        places, unknown = places_of(config)
    except KubectlError as exc:
        found.failures.append(SourceFailure(name, "", exc.reason, exc.hint))
        return found
    for context, problem in unknown:  # the other contexts still answer
        found.failures.append(
            SourceFailure(name, context, problem.reason, problem.hint)
        )
    listed = _list_all(places, config)
    down: set[str] = set()
    for place, pods in zip(places, listed, strict=True):
        if isinstance(pods, KubectlError):
            if place.context in down:
                continue  # one line for a context that cannot be reached
            unreachable = pods.reason.startswith("cluster unreachable")
            if unreachable:
                down.add(place.context)
            where = place.context if unreachable else str(place)
            found.failures.append(SourceFailure(name, where, pods.reason, pods.hint))
            continue
        chosen = [pod for pod in pods if _wanted(pod, config)]
        if not chosen:
            found.warnings.append(f"source {name}: no pod {_what(config)} in {place}")
        for pod in chosen:
            found.origins.extend(origins_of(name, index, place, pod, config))
    if isinstance(config, AdhocKubernetesSourceConfig) and config.group is not None:
        claims = config.group
        found.origins = [o for o in found.origins if claims.claim(name, _key(o))]
    found.origins.sort(key=lambda origin: origin.name)
    return found


Unknown = list[tuple[str, KubectlError]]
"""Contexts of a source that the kubeconfig does not have, each with its failure."""


def places_of(config: KubernetesSourceConfig) -> tuple[list[Place], Unknown]:
    """Each context (default: the current one) with each namespace (default: its own).

    Repeated contexts and namespaces are listed once. A context the
    kubeconfig does not have is returned apart, so the others are read.

    Raises:
        KubectlError: kubectl is missing, the kubeconfig cannot be read or
            names no current context.
    """
    try:
        out = kubectl.run(kubectl.argv(None, "config", "view", "-o", "json"), "")
    except KubectlError as exc:
        raise kubeconfig_error(exc) from None
    view = _json(out)
    own = {
        str(item.get("name", "")): str(
            _dict(item.get("context")).get("namespace") or "default"
        )
        for item in _dicts(view.get("contexts"))
    }
    if not own:
        missing = kubeconfig_missing()
        if missing is not None:
            raise missing
    contexts = list(dict.fromkeys(config.contexts))
    if not contexts:
        current = str(view.get("current-context") or "")
        if not current:
            reason = "the kubeconfig has no current context"
            hint = (
                "name contexts: in the source, or run kubectl config use-context NAME"
            )
            raise KubectlError(reason, hint)
        contexts = [current]
    known = ", ".join(sorted(own)) or "none"
    unknown: Unknown = [
        (
            c,
            KubectlError(
                "no such context in the kubeconfig", f"contexts there: {known}"
            ),
        )
        for c in contexts
        if c not in own
    ]
    own_too = not config.namespaces or (
        isinstance(config, AdhocKubernetesSourceConfig) and config.own_namespace
    )
    places = [
        Place(context, namespace)
        for context in contexts
        if context in own
        for namespace in dict.fromkeys(
            [*([own[context]] if own_too else []), *config.namespaces]
        )
    ]
    return places, unknown


def kubeconfig_files() -> tuple[str, list[str]]:
    """Name the kubeconfig as the user gave it (KUBECONFIG, else ~/.kube/config); its files."""
    value = os.environ.get("KUBECONFIG", "")
    files = [f for f in value.split(os.pathsep) if f]
    if len(files) == 1:
        return f"{files[0]} (KUBECONFIG)", files
    if files:
        return f"KUBECONFIG={value}", files
    default = str(Path("~/.kube/config").expanduser())
    return default, [default]


def kubeconfig_missing() -> KubectlError | None:
    """Say which kubeconfig is missing when none of its files exists (else None)."""
    shown, files = kubeconfig_files()
    if any(Path(f).exists() for f in files):
        return None
    what = "does not exist" if len(files) == 1 else "names no file that exists"
    return KubectlError(f"the kubeconfig {shown} {what}", _KUBECONFIG_HINT)


_KUBECONFIG_HINT = (
    "point KUBECONFIG at your kubeconfig file (unset, kubectl reads ~/.kube/config); "
    "check it with: kubectl config view"
)
_LOADING = re.compile(r'^error loading config file "(.*)": (.*)$', re.DOTALL)


def kubeconfig_error(exc: KubectlError) -> KubectlError:
    """Name the kubeconfig file kubectl could not load, and what is wrong with it."""
    found = _LOADING.match(exc.reason)
    if found is None:
        return exc
    path, detail = found[1], found[2]
    if "is a directory" in detail:
        what = "is a directory"
    elif "couldn't get version/kind" in detail:
        what = "is not a kubeconfig (no apiVersion and kind)"
    else:
        what = f"is not a kubeconfig ({detail.removeprefix('yaml: ')})"
    shown, files = kubeconfig_files()
    name = shown if files == [path] else path
    return KubectlError(f"the kubeconfig {name} {what}", _KUBECONFIG_HINT)


def _key(origin: Origin) -> tuple[str, ...]:
    """Name an origin's container: context, namespace, pod, container, instance."""
    assert isinstance(origin, PodOrigin)  # origins_of made it
    instance = PREVIOUS if origin.previous else ""
    return (origin.context, origin.namespace, origin.pod, origin.container, instance)


def list_pods(place: Place, selector: str | None) -> list[dict[str, Any]]:
    """List the pods of one namespace (those matching `selector`, when given).

    Raises:
        KubectlError: kubectl failed (cluster unreachable, namespace forbidden).
    """
    args = ["get", "pods", f"--namespace={place.namespace}", "--output=json"]
    args.append(f"--request-timeout={kubectl.LIST_TIMEOUT}")
    if selector is not None:
        args.append(f"--selector={selector}")
    items = _json(kubectl.run(kubectl.argv(place.context, *args), str(place))).get(
        "items"
    )
    return _dicts(items)


def _json(data: bytes) -> dict[str, Any]:
    """Read kubectl's JSON output (a JSON object).

    Raises:
        KubectlError: it printed something else (a plugin's words, a cut answer).
    """
    try:
        value = json.loads(data)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        reason = (
            f"kubectl printed no JSON object: {data[:80].decode('utf-8', 'replace')!r}"
        )
        raise KubectlError(reason, "run the same kubectl command yourself to see why")
    return value


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list_all(
    places: list[Place], config: KubernetesSourceConfig
) -> list[list[dict[str, Any]] | KubectlError]:
    def one(place: Place) -> list[dict[str, Any]] | KubectlError:
        try:
            return list_pods(place, config.selector)
        except KubectlError as exc:
            return exc

    if len(places) <= 1:
        return [one(place) for place in places]
    with ThreadPoolExecutor(min(config.max_parallel, len(places))) as pool:
        return list(pool.map(one, places))


def _wanted(pod: dict[str, Any], config: KubernetesSourceConfig) -> bool:
    name = pod.get("metadata", {}).get("name", "")
    return not config.pods or any(fnmatch.fnmatchcase(name, p) for p in config.pods)


def _what(config: KubernetesSourceConfig) -> str:
    parts = [f"with labels {config.selector}"] if config.selector else []
    if config.pods:
        parts.append(f"named {', '.join(config.pods)}")
    return " ".join(parts)


def origins_of(
    name: str,
    index: int,
    place: Place,
    pod: dict[str, Any],
    config: KubernetesSourceConfig,
) -> Iterator[PodOrigin]:
    """One origin per chosen container of a pod, plus its previous instance if asked."""
    meta, spec, status = (_dict(pod.get(k)) for k in ("metadata", "spec", "status"))
    pod_name = str(meta.get("name", ""))
    kinds = [("containers", "containerStatuses")]
    if config.init_containers:
        kinds.insert(0, ("initContainers", "initContainerStatuses"))
    for spec_key, status_key in kinds:
        states = {s.get("name"): s for s in _dicts(status.get(status_key))}
        for container in _dicts(spec.get(spec_key)):
            cname = str(container.get("name", ""))
            if config.containers and not any(
                fnmatch.fnmatchcase(cname, g) for g in config.containers
            ):
                continue
            state = states.get(cname, {})
            path = f"{place}/{pod_name}/{cname}"
            yield PodOrigin(
                name, index, "kubernetes", path, path,
                detail=describe(state),
                context=place.context, namespace=place.namespace,
                pod=pod_name, container=cname,
                ran=_ran(state), ended=_ended(state.get("state")),
                gate=config.max_parallel,
            )  # fmt: skip
            if config.previous and _restarts(state) > 0:
                last = _dict(state.get("lastState"))
                yield PodOrigin(
                    name, index, "kubernetes", path + PREVIOUS, path,
                    detail=_state_text(last) + "  (previous instance)",
                    context=place.context, namespace=place.namespace,
                    pod=pod_name, container=cname, previous=True,
                    ran="terminated" in last, ended=_ended(last),
                    gate=config.max_parallel,
                )  # fmt: skip


def describe(status: dict[str, Any]) -> str:
    """Summarise a container status as `running  started TIME  2 restarts` (for `sources`)."""
    restarts = _restarts(status)
    count = f"{restarts} restart{'' if restarts == 1 else 's'}"
    return f"{_state_text(_dict(status.get('state')))}  {count}"


def _state_text(state: dict[str, Any]) -> str:
    if "running" in state:
        return f"running  started {_dict(state['running']).get('startedAt', '?')}"
    if "terminated" in state:
        done = _dict(state["terminated"])
        return f"exited ({done.get('exitCode', '?')})  started {done.get('startedAt', '?')}"
    if "waiting" in state:
        return f"waiting ({_dict(state['waiting']).get('reason', '?')})"
    return "not started"


def _restarts(status: dict[str, Any]) -> int:
    count = status.get("restartCount", 0)
    return count if isinstance(count, int) else 0


def _dicts(value: object) -> list[dict[str, Any]]:
    return (
        [item for item in value if isinstance(item, dict)]
        if isinstance(value, list)
        else []
    )


def _ran(status: dict[str, Any]) -> bool:
    state = _dict(status.get("state"))
    return "running" in state or "terminated" in state or bool(status.get("lastState"))


def _ended(state: object) -> int | None:
    done = _dict(_dict(state).get("terminated"))
    finished = done.get("finishedAt")
    if not isinstance(finished, str):
        return None
    return parse_time(finished)
