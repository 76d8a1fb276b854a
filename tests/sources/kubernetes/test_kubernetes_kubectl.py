"""Kubectl: its stderr becomes one reason and a hint, secrets masked even in a cut stderr."""

from __future__ import annotations

import pytest

from tracerun.errors import mask, register_secret
from tracerun.sources.kubernetes.kubectl import classify


@pytest.mark.parametrize(
    ("stderr", "reason", "hint"),
    [
        (
            b'Error from server (Forbidden): pods is forbidden: User "dev" cannot list',
            'pods is forbidden: User "dev" cannot list',
            (
                "your account may not read pods there (prod/shop); ask for get/list on "
                "pods and get on pods/log, or leave that namespace out"
            ),
        ),
        (
            (
                b"E1202 10:00:00.000000   4242 memcache.go:265] couldn't get current server API "
                b"group list\nThe connection to the server 127.0.0.9:6443 was refused - did you "
                b"specify the right host or port?\n"
            ),
            (
                "cluster unreachable: The connection to the server 127.0.0.9:6443 was refused"
                " - did you specify the right host or port?"
            ),
            "check the cluster answers: kubectl --context=prod get --raw=/version",
        ),
        (b"", "kubectl failed", None),
    ],
)
def test_the_last_line_kubectl_said_is_the_reason(stderr, reason, hint):
    failure = classify(stderr, "prod/shop")
    assert (str(failure), failure.hint) == (reason, hint)


def test_a_secret_cut_by_the_kept_end_of_stderr_shows_none_of_itself():
    secret = "s3cr3t-token-kubectl-test"
    register_secret(secret, "KUBE_TOKEN")
    # one line longer than what is kept: the cut goes through the secret
    line = f"error: bad token {secret} " + "x" * 40
    kept = line[12 + 10 :].encode()  # starts mid-secret, as the kept 16 KiB would
    failure = classify(kept, "prod/shop", cut_start=True)
    shown = mask(str(failure))
    assert secret[10:] not in shown
    assert shown.endswith("x" * 10)
