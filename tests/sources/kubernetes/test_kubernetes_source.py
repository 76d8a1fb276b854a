"""Kubernetes source through the real `kubectl`, against loopback fake API servers.

Contract tests: no real cluster runs here. The fake servers
(helpers/kube_api.py) implement what kubectl asks for and record it, so the
tests state the exact timeline and the exact requests. With
TRACERUN_TEST_KUBECONFIG set, the last test also reads a real cluster.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from helpers.kube_api import Container, KubeApi

from tracerun.cli import cli
from tracerun.config import spec
from tracerun.query import Query, Term
from tracerun.sources import get_source
from tracerun.sources.kubernetes import tail
from tracerun.trace.plan import build_plan
from tracerun.trace.runner import run

RID = "req-k8s1"
T0 = 1_774_015_800 * 1_000_000_000  # 2026-03-20T14:10:00Z, in ns
S = 1_000_000_000


def at(seconds: float) -> int:
    return T0 + int(seconds * S)


def app_line(message: str, **fields: str) -> str:
    extra = "".join(f" {k}={v}" for k, v in fields.items())
    return f"level=info msg={message!r} request_id={RID}{extra}".replace("'", '"')


def trace(root: Path, profile: str, *args: str) -> Result:
    path = root / "profile.yaml"
    path.write_text(profile)
    return CliRunner().invoke(
        cli, ["--color", "never", "-p", str(path), *args], env={"TRACERUN_PROFILE": ""}
    )


def orders(api: KubeApi, name: str, *lines: tuple[float, str], **kw: Any) -> Container:
    pod = api.pod(name, app="orders")
    box = Container(lines=[(at(t), text) for t, text in lines], **kw)
    pod.containers["app"] = box
    return box


PROFILE = """\
version: 1
sources:
  edge:
    type: file
    paths: [{edge}]
  orders:
    type: kubernetes
    contexts: [eu, us]
    selector: app=orders
    parser: logfmt
"""


ONE = """\
version: 1
sources:
  orders: {type: kubernetes, selector: app=orders, parser: logfmt}
"""


def test_two_contexts_and_a_file_merge_into_one_exact_timeline(clusters, tmp_path):
    eu, us = clusters.add("eu"), clusters.add("us")
    orders(eu, "orders-eu-1", (1, app_line("order received")), (4, "plain line, no id"))
    orders(us, "orders-us-1", (2, app_line("charged", amount="12.00")))
    edge = tmp_path / "edge.log"
    edge.write_text(
        f"2026-03-20T14:10:00.500Z POST /orders request_id={RID}\n"
        f"2026-03-20T14:10:03.000Z 201 request_id={RID}\n"
    )

    result = trace(tmp_path, PROFILE.format(edge=edge), RID)

    assert result.stderr == ""
    assert result.exit_code == 0
    assert result.stdout == (
        f"2026-03-20T14:10:00.500Z edge   -     POST /orders request_id={RID}\n"
        f"2026-03-20T14:10:01.000Z orders INFO  order received request_id={RID}\n"
        f"2026-03-20T14:10:02.000Z orders INFO  charged request_id={RID} amount=12.00\n"
        f"2026-03-20T14:10:03.000Z edge   -     201 request_id={RID}\n"
    )
    for api in (eu, us):
        (listing,) = [
            r for r in api.requests if r.startswith("/api/v1/namespaces/shop/pods?")
        ]
        assert "labelSelector=app%3Dorders" in listing
        (log,) = api.log_requests()
        assert log == {"container": ["app"], "timestamps": ["true"]}


def test_a_line_without_its_own_time_is_placed_by_the_kubelet(clusters, tmp_path):
    api = clusters.add("eu")
    orders(api, "orders-1", (1.25, app_line("no time of its own")), (2, "no id"))

    result = trace(tmp_path, ONE, RID, "-o", "ndjson")

    lines = result.stdout.splitlines()
    assert '"time":"2026-03-20T14:10:01.250000Z"' in lines[0]
    assert '"origin":"eu/shop/orders-1/app"' in lines[0]
    assert len(lines) == 1


def test_previous_reads_the_instance_before_the_restart(clusters, tmp_path):
    api = clusters.add("eu")
    orders(
        api, "orders-1", (5, app_line("after restart")),
        restarts=1, previous=[(at(1), app_line("before crash"))],
    )  # fmt: skip
    profile = """\
version: 1
sources:
  orders: {type: kubernetes, selector: app=orders, previous: true, parser: logfmt}
"""
    result = trace(tmp_path, profile, RID, "-o", "ndjson")

    assert result.exit_code == 0, result.stderr
    origins = [
        line.split('"origin":"')[1].split('"')[0] for line in result.stdout.splitlines()
    ]
    assert origins == ["eu/shop/orders-1/app (previous)", "eu/shop/orders-1/app"]
    assert {
        "container": ["app"],
        "previous": ["true"],
        "timestamps": ["true"],
    } in api.log_requests()


def test_since_becomes_since_time_and_until_is_cut_here(clusters, tmp_path):
    api = clusters.add("eu")
    orders(api, "orders-1", *[(t, app_line(f"m{t}")) for t in range(8)])
    profile = ONE

    result = trace(tmp_path, profile, RID, "--since", "2026-03-20T14:10:02.5Z",
                   "--until", "2026-03-20T14:10:05Z")  # fmt: skip

    assert [line.split()[3] for line in result.stdout.splitlines()] == [
        "m3",
        "m4",
        "m5",
    ]
    assert api.log_requests()[0]["sinceTime"] == ["2026-03-20T14:10:02Z"]


def test_a_forbidden_namespace_is_one_line_and_the_rest_answer(clusters, tmp_path):
    api = clusters.add("eu")
    api.forbidden.add("payments")
    orders(api, "orders-1", (1, app_line("ok")))
    profile = """\
version: 1
sources:
  orders: {type: kubernetes, namespaces: [shop, payments], selector: app=orders, parser: logfmt}
"""
    result = trace(tmp_path, profile, RID)

    assert result.exit_code == 3
    assert result.stdout.count("\n") == 1
    assert result.stderr.splitlines()[0] == (
        'tracerun: error: source orders: eu/payments: pods is forbidden: User "tester" '
        'cannot list resource "pods" in API group "" in the namespace "payments"'
    )
    assert (
        len([x for x in result.stderr.splitlines() if x.startswith("tracerun:")]) == 1
    )


def test_an_unreachable_context_is_one_line_and_the_rest_answer(clusters, tmp_path):
    api = clusters.add("eu")
    clusters.unreachable("down")
    orders(api, "orders-1", (1, app_line("ok")))
    profile = """\
version: 1
sources:
  orders: {type: kubernetes, contexts: [eu, down], namespaces: [shop, other], selector: app=orders}
"""
    result = trace(tmp_path, profile, RID)

    assert result.exit_code == 3
    assert result.stdout.count("\n") == 1
    errors = [x for x in result.stderr.splitlines() if x.startswith("tracerun: error")]
    assert len(errors) == 1
    assert errors[0].startswith(
        "tracerun: error: source orders: down: cluster unreachable:"
    )
    assert "hint: check the cluster answers: kubectl --context=down" in result.stderr


def test_a_log_read_past_the_host_timeout_is_cut_keeping_what_came(clusters, tmp_path):
    api = clusters.add("eu")
    orders(api, "orders-1", (1, app_line("early")), stall=30)

    started = time.monotonic()
    result = trace(tmp_path, ONE, RID, "--host-timeout", "1s")

    assert time.monotonic() - started < 10
    assert result.exit_code == 3
    assert result.stdout.count("\n") == 1
    assert result.stderr == (
        "tracerun: error: source orders: eu/shop/orders-1/app: kubectl logs took "
        "longer than 1 s and was cut\n"
        "  hint: what it sent is kept; give it longer with --host-timeout DURATION\n"
    )


def test_an_unknown_context_names_the_ones_there(clusters, tmp_path):
    clusters.add("eu")
    profile = (
        "version: 1\nsources:\n  o: {type: kubernetes, contexts: [eux], pods: ['*']}\n"
    )

    result = trace(tmp_path, profile, RID)

    assert result.exit_code == 3
    assert result.stderr == (
        "tracerun: error: source o: eux: no such context in the kubeconfig\n"
        "  hint: contexts there: eu\n"
    )


def test_kubectl_missing_from_path_is_one_clear_error(clusters, tmp_path, monkeypatch):
    clusters.add("eu")
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    profile = "version: 1\nsources:\n  o: {type: kubernetes, selector: app=orders}\n"

    result = trace(tmp_path, profile, RID)

    assert result.exit_code == 3
    assert result.stderr == (
        "tracerun: error: source o: kubectl is not on PATH\n"
        "  hint: install kubectl (https://kubernetes.io/docs/tasks/tools/) or add its "
        "folder to PATH; tracerun runs the kubectl it finds there\n"
    )


def test_a_kubectl_that_prints_no_json_is_one_failure_not_a_crash(
    clusters, tmp_path, monkeypatch
):
    clusters.add("eu")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "kubectl"
    fake.write_text("#!/bin/sh\necho 'please run gcloud auth login'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))

    result = trace(tmp_path, ONE, RID)

    assert result.exit_code == 3
    assert result.stderr == (
        "tracerun: error: source orders: kubectl printed no JSON object: "
        "'please run gcloud auth login\\n'\n"
        "  hint: run the same kubectl command yourself to see why\n"
    )


def test_pod_and_container_globs_choose_what_is_read(clusters, tmp_path):
    api = clusters.add("eu")
    for name in ("orders-1", "orders-2", "billing-1"):
        pod = api.pod(name, app="shop")
        pod.containers["app"] = Container(lines=[(at(1), app_line(name))])
        pod.containers["istio-proxy"] = Container(lines=[(at(2), app_line("proxy"))])
        pod.init["migrate"] = Container(lines=[(at(0), app_line("init " + name))])
    config = spec.KubernetesSourceConfig(
        pods=["orders-*"], containers=["app", "mig*"], init_containers=True
    )
    plan = build_plan(spec.Profile(sources={"o": config}))

    assert [t.origin.name for t in plan.targets] == [
        "eu/shop/orders-1/app", "eu/shop/orders-1/migrate",
        "eu/shop/orders-2/app", "eu/shop/orders-2/migrate",
    ]  # fmt: skip
    result = run(plan, Query(terms=(Term("request_id", RID),)))
    assert [r.message for r in result.records] == [
        "init orders-1",
        "init orders-2",
        "orders-1",
        "orders-2",
    ]


def test_sources_lists_each_container_and_names_what_failed(clusters, tmp_path):
    api = clusters.add("eu")
    api.forbidden.add("payments")
    orders(api, "orders-1", (1, "a"), (3, "b"), restarts=2)
    profile = tmp_path / "p.yaml"
    profile.write_text(
        "version: 1\nsources:\n  o: {type: kubernetes, namespaces: [shop, payments], "
        "selector: app=orders}\n"
    )

    result = CliRunner().invoke(cli, ["sources", "-p", str(profile)])

    assert result.exit_code == 3
    assert result.stdout == (
        "o (kubernetes, parser auto): 1 origin\n"
        "  eu/shop/orders-1/app  ?  running  started 2026-03-20T14:00:00Z  2 restarts  "
        "2026-03-20T14:10:01.000Z → 2026-03-20T14:10:03.000Z\n"
    )
    assert "source o: eu/payments: pods is forbidden" in result.stderr


def test_follow_picks_up_a_pod_that_appears(clusters, monkeypatch):
    monkeypatch.setattr(tail, "RELIST", 0.2)
    api = clusters.add("eu")
    first = orders(api, "orders-1", (1, app_line("old")))
    config = spec.KubernetesSourceConfig(selector="app=orders", parser="logfmt")
    plan = build_plan(spec.Profile(sources={"o": config}))
    query = Query(terms=(Term("request_id", RID),))
    feed = (
        get_source("kubernetes")
        .follow(plan.templates["o"], list(plan.targets), config, query, lambda: 0)
        .feed
    )
    try:
        history = feed.start(history=True)
        api.append(first, at(2), app_line("live"))
        orders(api, "orders-2", (3, app_line("new pod")))
        got = wait_for(feed, 2)
        api.remove("orders-1")
        notes = wait_for_note(feed, "pod removed")
    finally:
        got += feed.close()

    assert [r.message for r in history] == ["old"]
    assert sorted((r.origin, r.message) for r in got) == [
        ("eu/shop/orders-1/app", "live"),
        ("eu/shop/orders-2/app", "new pod"),
    ]
    assert notes == ["source o: eu/shop/orders-1/app: pod removed"]


def test_follow_continues_a_restarted_container_after_the_last_line(
    clusters, monkeypatch
):
    api = clusters.add("eu")
    box = orders(api, "orders-1", (1, app_line("one")))
    config = spec.KubernetesSourceConfig(selector="app=orders", parser="logfmt")
    plan = build_plan(spec.Profile(sources={"o": config}))
    feed = get_source("kubernetes").follow(
        plan.templates["o"], list(plan.targets), config, Query(terms=(Term("request_id", RID),)),
        lambda: 0,
    ).feed  # fmt: skip
    try:
        feed.start(history=False)
        api.append(box, at(2), app_line("two"))
        got = wait_for(feed, 1)
        with api.changed:  # the container restarts: its stream ends, a new one begins
            box.ended = True
            api.changed.notify_all()
        time.sleep(0.3)
        box.ended = False
        api.append(box, at(3), app_line("three"))
        got += wait_for(feed, 1)
    finally:
        got += feed.close()

    assert [r.message for r in got] == ["two", "three"]


def wait_for(feed: Any, count: int, limit: float = 15) -> list[Any]:
    got: list[Any] = []
    deadline = time.monotonic() + limit
    while len(got) < count and time.monotonic() < deadline:
        time.sleep(0.05)
        got += feed.poll(time.monotonic())
    return got


def wait_for_note(feed: Any, text: str, limit: float = 15) -> list[str]:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        feed.poll(time.monotonic())
        notes = [n.message for n in feed.notes() if text in n.message]
        if notes:
            return notes
        time.sleep(0.05)
    return []


@pytest.mark.skipif(
    not os.environ.get("TRACERUN_TEST_KUBECONFIG"),
    reason="TRACERUN_TEST_KUBECONFIG names no real cluster's kubeconfig",
)
def test_a_real_cluster_lists_and_reads_pods(monkeypatch):
    monkeypatch.setenv("KUBECONFIG", os.environ["TRACERUN_TEST_KUBECONFIG"])
    config = spec.KubernetesSourceConfig(pods=["*"], namespaces=["kube-system"])
    plan = build_plan(spec.Profile(sources={"k": config}))

    assert plan.failures == ()
    assert plan.targets
    result = run(plan, Query(terms=(Term(None, "a"),)))
    assert result.failures == []


def test_follow_end_to_end_history_live_new_and_removed_pods(
    clusters, tmp_path, monkeypatch
):
    monkeypatch.setattr(tail, "RELIST", 0.2)
    api = clusters.add("eu")
    clusters.unreachable("down")
    box = orders(
        api, "orders-1", (1, app_line("old")),
        restarts=1, previous=[(at(0), app_line("before the restart"))],
    )  # fmt: skip
    profile = """\
version: 1
sources:
  o: {type: kubernetes, contexts: [eu, down], selector: app=orders, previous: true, parser: logfmt}
"""

    def drive() -> None:  # each step once kubectl is seen following what it needs
        wait_until(
            lambda: any(
                "orders-1/log" in r and "follow=true" in r for r in api.requests
            )
        )
        api.append(box, at(2), app_line("live"))
        orders(api, "orders-2", (3, app_line("new pod")))
        wait_until(
            lambda: any(
                "orders-2/log" in r and "follow=true" in r for r in api.requests
            )
        )
        time.sleep(0.3)
        api.remove("orders-1")
        orders(api, "orders-3", (4, app_line("the end")))

    driver = threading.Thread(target=drive, daemon=True)
    driver.start()
    stop = "--exit-on=message == 'the end'"
    result = trace(tmp_path, profile, "-f", "--timeout", "30s", stop, RID)
    driver.join(5)

    assert result.stdout == (
        f"2026-03-20T14:10:00.000Z o INFO  before the restart request_id={RID}\n"
        f"2026-03-20T14:10:01.000Z o INFO  old request_id={RID}\n"
        f"2026-03-20T14:10:02.000Z o INFO  live request_id={RID}\n"
        f"2026-03-20T14:10:03.000Z o INFO  new pod request_id={RID}\n"
        f"2026-03-20T14:10:04.000Z o INFO  the end request_id={RID}\n"
    )
    errors = [x for x in result.stderr.splitlines() if x.startswith("tracerun: error")]
    assert len(errors) == 1
    assert errors[0].startswith("tracerun: error: source o: down: cluster unreachable")
    assert (
        "tracerun: warning: source o: eu/shop/orders-1/app: pod removed"
        in result.stderr
    )
    assert result.exit_code == 0


def wait_until(condition: Any, limit: float = 20) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
