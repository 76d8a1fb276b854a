"""Pods (#15): unknown contexts, repeated contexts and selectors, bad kubeconfigs."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers.kube_api import Container, KubeApi

from tracerun.cli import cli
from tracerun.config import spec
from tracerun.query import Query, Term
from tracerun.sources import get_source
from tracerun.sources.kubernetes import tail
from tracerun.sources.kubernetes.adhoc import adhoc_sources
from tracerun.trace.plan import build_plan

RID = "req-k8s1"
T0 = 1_774_015_800 * 1_000_000_000  # 2026-03-20T14:10:00Z, in ns
S = 1_000_000_000
NOPE = (
    "tracerun: error: source orders: nope: no such context in the kubeconfig\n"
    "  hint: contexts there: c1\n"
)
ONE_LINE = f"2026-03-20T14:10:01.000Z orders INFO  up request_id={RID}\n"


def pod(api: KubeApi, name: str, message: str = "up", **labels: str) -> None:
    api.pod(name, **(labels or {"app": "orders"})).containers["app"] = Container(
        lines=[(T0 + S, f"level=info msg={message} request_id={RID}")]
    )


def invoke(*args: str) -> Result:
    return CliRunner().invoke(
        cli, ["--color", "never", *args], env={"TRACERUN_PROFILE": ""}
    )


def trace(root: Path, profile: str, *args: str) -> Result:
    path = root / "profile.yaml"
    path.write_text(profile)
    return invoke("-p", str(path), *args)


def log_reads(api: KubeApi) -> int:
    return len(api.log_requests())


def test_an_unknown_context_next_to_a_good_one_fails_alone_ad_hoc(clusters) -> None:
    api = clusters.add("c1")
    pod(api, "orders-1")

    result = invoke("--k8s", "app=orders", "--k8s-context", "c1",
                    "--k8s-context", "nope", RID)  # fmt: skip

    assert (result.exit_code, result.stdout, result.stderr) == (3, ONE_LINE, NOPE)


def test_an_unknown_context_next_to_a_good_one_fails_alone_profile(
    clusters, tmp_path
) -> None:
    api = clusters.add("c1")
    pod(api, "orders-1")
    profile = (
        "version: 1\nsources:\n  orders: {type: kubernetes, contexts: [c1, nope], "
        "selector: app=orders, parser: logfmt}\n"
    )

    result = trace(tmp_path, profile, RID)

    assert (result.exit_code, result.stdout, result.stderr) == (3, ONE_LINE, NOPE)


def test_sources_lists_the_good_context_and_names_the_unknown_one(
    clusters, tmp_path
) -> None:
    api = clusters.add("c1")
    pod(api, "orders-1")
    path = tmp_path / "p.yaml"
    path.write_text(
        "version: 1\nsources:\n  orders: {type: kubernetes, contexts: [c1, nope], "
        "selector: app=orders}\n"
    )

    result = CliRunner().invoke(cli, ["sources", "-p", str(path)])

    assert result.exit_code == 3
    assert result.stdout == (
        "orders (kubernetes, parser auto): 1 origin\n"
        "  c1/shop/orders-1/app  ?  running  started 2026-03-20T14:00:00Z  0 restarts  "
        "2026-03-20T14:10:01.000Z → 2026-03-20T14:10:01.000Z\n"
    )
    assert result.stderr == NOPE


def test_follow_reads_the_good_context_and_tells_the_unknown_one_once(
    clusters,
) -> None:
    api = clusters.add("c1")
    pod(api, "orders-1")
    config = spec.KubernetesSourceConfig(
        contexts=["c1", "nope"], selector="app=orders", parser="logfmt"
    )
    plan = build_plan(spec.Profile(sources={"orders": config}))
    query = Query(terms=(Term("request_id", RID),))
    feed = (
        get_source("kubernetes")
        .follow(plan.templates["orders"], list(plan.targets), config, query, lambda: 0)
        .feed
    )
    try:
        history = feed.start(history=True)
        feed.poll(0.0)
        notes = [(n.message, n.hint) for n in feed.notes()]
    finally:
        feed.close()

    assert [(r.origin, r.message) for r in history] == [("c1/shop/orders-1/app", "up")]
    assert notes == [
        ("source orders: nope: no such context in the kubeconfig", "contexts there: c1")
    ]


@pytest.mark.parametrize(
    "flags",
    [
        ["--k8s", "app=orders", "--k8s-context", "c1", "--k8s-context", "c1"],
        ["--k8s", "app=orders", "--k8s", "app=orders"],
        ["--k8s", "app=orders", "--k8s", "shop/app=orders"],
        ["--k8s", "shop/app=orders", "--k8s", "shop/app=orders", "--k8s", "app=orders"],
    ],
)
def test_repeated_ad_hoc_contexts_and_selectors_read_each_container_once(
    clusters, flags: list[str]
) -> None:
    api = clusters.add("c1")
    pod(api, "orders-1")

    result = invoke(*flags, RID)

    assert (result.exit_code, result.stdout, result.stderr) == (0, ONE_LINE, "")
    assert log_reads(api) == 1


def test_two_ad_hoc_selectors_of_one_pod_read_it_once_as_the_first(clusters) -> None:
    api = clusters.add("c1")
    pod(api, "orders-1", app="orders", tier="web")
    pod(api, "web-2", "other", app="front", tier="web")

    result = invoke("--k8s", "app=orders", "--k8s", "tier=web", RID)

    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        ONE_LINE + f"2026-03-20T14:10:01.000Z web    INFO  other request_id={RID}\n"
    )
    assert log_reads(api) == 2


def test_repeated_profile_contexts_and_namespaces_read_each_container_once(
    clusters, tmp_path
) -> None:
    api = clusters.add("c1")
    pod(api, "orders-1")
    profile = (
        "version: 1\nsources:\n  orders: {type: kubernetes, contexts: [c1, c1], "
        "namespaces: [shop, shop], selector: app=orders, parser: logfmt}\n"
    )

    result = trace(tmp_path, profile, RID)

    assert (result.exit_code, result.stdout, result.stderr) == (0, ONE_LINE, "")
    assert log_reads(api) == 1


def test_two_profile_sources_of_one_pod_both_read_it_as_files_do(
    clusters, tmp_path
) -> None:
    api = clusters.add("c1")
    pod(api, "orders-1")
    profile = (
        "version: 1\nsources:\n"
        "  a: {type: kubernetes, selector: app=orders, parser: logfmt}\n"
        "  b: {type: kubernetes, pods: ['orders-*'], parser: logfmt}\n"
    )

    result = trace(tmp_path, profile, RID)

    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        f"2026-03-20T14:10:01.000Z a INFO  up request_id={RID}\n"
        f"2026-03-20T14:10:01.000Z b INFO  up request_id={RID}\n"
    )


HINT = (
    "  hint: point KUBECONFIG at your kubeconfig file (unset, kubectl reads "
    "~/.kube/config); check it with: kubectl config view\n"
)


def bad_kubeconfig(tmp_path: Path, kind: str) -> str:
    if kind == "garbage":
        (tmp_path / "kc").write_text("garbage: [\n")
    elif kind == "directory":
        (tmp_path / "kc").mkdir()
    elif kind == "passwd":
        return "/etc/passwd"
    return str(tmp_path / "kc")


@pytest.mark.parametrize(
    ("kind", "what"),
    [
        ("garbage", "is not a kubeconfig (line 1: did not find expected node content)"),
        ("directory", "is a directory"),
        ("passwd", "is not a kubeconfig (no apiVersion and kind)"),
        ("missing", "does not exist"),
    ],
)
def test_a_bad_kubeconfig_is_one_line_naming_it(
    clusters, tmp_path, monkeypatch, kind: str, what: str
) -> None:
    path = bad_kubeconfig(tmp_path, kind)
    monkeypatch.setenv("KUBECONFIG", path)

    result = invoke("--k8s", "app=orders", RID)

    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr == (
        f"tracerun: error: source orders: the kubeconfig {path} (KUBECONFIG) {what}\n"
        + HINT
    )


def test_no_kubeconfig_at_all_names_the_default_file(clusters, tmp_path, monkeypatch):
    monkeypatch.delenv("KUBECONFIG")

    result = invoke("--k8s", "app=orders", RID)

    home = tmp_path / "home"
    assert result.exit_code == 3
    assert result.stderr == (
        f"tracerun: error: source orders: the kubeconfig {home}/.kube/config "
        "does not exist\n" + HINT
    )


def test_several_kubeconfig_files_none_there(clusters, tmp_path, monkeypatch):
    value = f"{tmp_path}/a:{tmp_path}/b"
    monkeypatch.setenv("KUBECONFIG", value)

    result = invoke("--k8s", "app=orders", RID)

    assert result.stderr == (
        f"tracerun: error: source orders: the kubeconfig KUBECONFIG={value} "
        "names no file that exists\n" + HINT
    )


def test_init_hints_a_command_quoted_for_the_shell(clusters) -> None:
    clusters.add("c1")

    result = CliRunner().invoke(cli, ["init", "--k8s", "app=it's"])

    assert result.exit_code == 2
    assert result.stderr == (
        'tracerun: error: --k8s "app=it\'s" matches no started pod\n'
        "  hint: check it: kubectl get pods '--selector=app=it'\"'\"'s'\n"
    )


def test_an_unreachable_context_hint_is_quoted_for_the_shell(
    clusters, tmp_path
) -> None:
    clusters.unreachable("it's")
    profile = (
        'version: 1\nsources:\n  o: {type: kubernetes, contexts: ["it\'s"], '
        "pods: ['*']}\n"
    )

    result = trace(tmp_path, profile, RID)

    assert result.exit_code == 3
    assert result.stderr.splitlines()[-1] == (
        "  hint: check the cluster answers: kubectl '--context=it'\"'\"'s' get "
        "--raw=/version"
    )


def test_follow_reads_a_new_pod_two_ad_hoc_selectors_match_once(
    clusters, monkeypatch
) -> None:
    monkeypatch.setattr(tail, "RELIST", 0.2)
    api = clusters.add("c1")
    pod(api, "orders-1", app="orders", tier="web")
    configs = adhoc_sources(["app=orders", "tier=web"])
    plan = build_plan(spec.Profile(sources=configs))
    query = Query(terms=(Term("request_id", RID),))
    feeds = [
        get_source("kubernetes")
        .follow(plan.templates[name], list(plan.targets), config, query, lambda: 0)
        .feed
        for name, config in configs.items()
    ]
    got: list[tuple[str, str, str]] = []
    try:
        for feed in feeds:
            got += [(r.source, r.origin, r.message) for r in feed.start(history=True)]
        pod(api, "orders-2", "new", app="orders", tier="web")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and len(got) < 2:
            time.sleep(0.05)
            for feed in feeds:
                got += [
                    (r.source, r.origin, r.message) for r in feed.poll(time.monotonic())
                ]
        time.sleep(1)  # several listings more: the other source must not read it
        for feed in feeds:
            got += [
                (r.source, r.origin, r.message) for r in feed.poll(time.monotonic())
            ]
    finally:
        for feed in feeds:
            got += [(r.source, r.origin, r.message) for r in feed.close()]

    # whichever source lists the new pod first reads it; the other never does
    assert min(got, key=lambda r: r[1]) == (
        "orders",
        "c1/shop/orders-1/app",
        "up",
    )
    assert sorted((origin, message) for _, origin, message in got) == [
        ("c1/shop/orders-1/app", "up"),
        ("c1/shop/orders-2/app", "new"),
    ]
