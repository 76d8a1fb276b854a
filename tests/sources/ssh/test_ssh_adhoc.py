"""`--ssh [user@]host[:port]:/path` values → ssh sources."""

from __future__ import annotations

import pytest

from tracerun.config.spec import SshSourceConfig
from tracerun.errors import QueryError
from tracerun.sources.ssh.adhoc import (
    adhoc_sources,
    expand_braces,
    source_name,
    split_value,
)


@pytest.mark.parametrize(
    ("text", "hosts"),
    [
        ("web-1", ["web-1"]),
        ("deploy@web-{1..3}", ["deploy@web-1", "deploy@web-2", "deploy@web-3"]),
        ("db-{01..03}", ["db-01", "db-02", "db-03"]),
        ("{a,b}-{1..2}", ["a-1", "a-2", "b-1", "b-2"]),
        ("h{3..1}", ["h3", "h2", "h1"]),
    ],
)
def test_braces_expand_like_a_shell(text: str, hosts: list[str]) -> None:
    assert expand_braces(text) == hosts


def test_value_splits_at_the_path_keeping_a_port() -> None:
    assert split_value("deploy@web-1:2222:/var/log/app/*.log") == (
        ["deploy@web-1:2222"],
        "/var/log/app/*.log",
    )
    assert split_value("web-1:~/logs/") == (["web-1"], "~/logs/")


def test_value_without_a_path_is_a_usage_error() -> None:
    with pytest.raises(QueryError, match="names no remote path"):
        split_value("web-1")


def test_too_many_hosts_are_refused() -> None:
    with pytest.raises(QueryError, match="more than 1000 hosts"):
        expand_braces("h{1..5000}")


def test_one_source_per_log_with_its_hosts_gathered() -> None:
    assert adhoc_sources(
        [
            "web-{1..2}:/var/log/app/*.log",
            "web-3:/var/log/app/*.log",
            "db:/srv/pg/pg.log",
        ]
    ) == {
        "app": SshSourceConfig(
            hosts=["web-1", "web-2", "web-3"], paths=["/var/log/app/*.log"]
        ),
        "pg": SshSourceConfig(hosts=["db"], paths=["/srv/pg/pg.log"]),
    }


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/var/log/app/*.log", "app"),
        ("/var/log/nginx/access.log*", "access"),
        ("/var/log/x/orders.log.1.gz", "orders"),
        ("/srv/logs/", "logs"),
    ],
)
def test_source_is_named_after_the_log(path: str, name: str) -> None:
    assert source_name(path) == name
