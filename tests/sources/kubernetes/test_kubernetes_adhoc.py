"""`--k8s [NAMESPACE/]SELECTOR` and `--k8s-context NAME` values → kubernetes sources."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from helpers.kube_api import Container

from tracerun.cli import cli
from tracerun.errors import QueryError
from tracerun.sources.kubernetes.adhoc import (
    AdhocKubernetesSourceConfig,
    adhoc_sources,
    source_name,
    split_value,
)


def test_a_value_may_name_its_namespace() -> None:
    assert split_value("shop/app=orders") == ("shop", "app=orders")
    assert split_value("app=orders") == (None, "app=orders")
    assert split_value("app in (a,b)") == (None, "app in (a,b)")


@pytest.mark.parametrize("value", ["", "  ", "-l=x", "shop/"])
def test_a_value_that_is_no_selector_is_a_usage_error(value: str) -> None:
    with pytest.raises(QueryError, match="is not a label selector"):
        split_value(value)


@pytest.mark.parametrize(
    ("selector", "name"),
    [("app=orders", "orders"), ("tier!=canary,app=x", "canary"), ("!legacy", "legacy"),
     ("app", "app"), ("app in (a,b)", "a")],
)  # fmt: skip
def test_a_source_is_named_after_the_selector(selector: str, name: str) -> None:
    assert source_name(selector) == name


def test_contexts_apply_to_every_selector_and_names_stay_unique() -> None:
    values = ["app=orders", "shop/app=orders", "tier=web", "app=orders",
              "--k8s-context=eu", "--k8s-context=us", "--k8s-context=eu"]  # fmt: skip

    found = adhoc_sources(values, frozenset({"orders"}))

    assert found == {
        "orders-k8s": AdhocKubernetesSourceConfig(
            contexts=["eu", "us"], namespaces=["shop"], selector="app=orders",
            own_namespace=True,
        ),
        "web": AdhocKubernetesSourceConfig(contexts=["eu", "us"], selector="tier=web"),
    }  # fmt: skip
    groups = {
        id(c.group)
        for c in found.values()
        if isinstance(c, AdhocKubernetesSourceConfig)
    }
    assert len(groups) == 1  # a container both select is read once


def test_k8s_and_its_contexts_trace_without_a_profile(clusters) -> None:
    eu, us = clusters.add("eu"), clusters.add("us")
    for api, name in ((eu, "orders-eu"), (us, "orders-us")):
        api.pod(name, app="orders").containers["app"] = Container(
            lines=[(1_774_015_800_000_000_000, f"msg={name} request_id=abc123")]
        )

    args = ["--color", "never", "--k8s", "app=orders", "--k8s-context", "eu",
            "--k8s-context", "us", "request_id=abc123"]  # fmt: skip
    result = CliRunner().invoke(cli, args, env={"TRACERUN_PROFILE": ""})

    assert result.exit_code == 0, result.stderr
    assert [line.split()[3] for line in result.stdout.splitlines()] == [
        "orders-eu", "orders-us"
    ]  # fmt: skip


def test_a_context_without_k8s_is_a_usage_error() -> None:
    result = CliRunner().invoke(
        cli, ["--k8s-context", "eu", "abc"], env={"TRACERUN_PROFILE": ""}
    )

    assert result.exit_code == 2
    assert "--k8s-context qualifies --k8s, which is not given" in result.stderr


def test_init_describes_the_pods_of_a_selector(clusters, tmp_path) -> None:
    api = clusters.add("eu")
    api.pod("orders-1", app="orders").containers["app"] = Container(
        lines=[
            (1_774_015_800_000_000_000, '{"ts": "2026-03-20T14:10:00Z", "msg": "up"}')
        ]
    )
    out = tmp_path / "profile.yaml"

    made = CliRunner().invoke(
        cli, ["init", "--k8s", "app=orders", "--k8s-context", "eu", "-o", str(out)]
    )
    checked = CliRunner().invoke(cli, ["validate", "-p", str(out)])

    assert made.exit_code == 0, made.stderr
    text = out.read_text()
    assert "    type: kubernetes\n    pods: ['*']\n" in text
    assert "    selector: 'app=orders'  # the pods' labels\n" in text
    assert "    contexts: ['eu']  # each read concurrently\n" in text
    assert checked.exit_code == 0, checked.stderr


def test_init_says_when_no_pod_matches(clusters) -> None:
    clusters.add("eu")

    result = CliRunner().invoke(cli, ["init", "--k8s", "app=nothing"])

    assert result.exit_code == 2
    assert "--k8s 'app=nothing' matches no started pod" in result.stderr
