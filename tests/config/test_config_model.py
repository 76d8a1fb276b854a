"""The profile model: a profile's `ssh_options`, only options that run, load or write nothing local.

A profile comes from a repository others can write to; an ssh option such as
`PKCS11Provider` makes the ssh client load a shared object, `ProxyCommand` run
a program, `UserKnownHostsFile` append to any file. Such a profile is refused
before anything connects (validate, sources and a trace alike).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tracerun.cli import cli

REFUSED = [
    "PKCS11Provider=/tmp/evil.so",
    "SecurityKeyProvider=/tmp/evil.so",
    "ProxyCommand=touch MARK",
    "proxycommand=touch MARK",
    "LocalCommand=touch MARK",
    "PermitLocalCommand=yes",
    "KnownHostsCommand=/bin/true",
    "XAuthLocation=/tmp/evil",
    "ForwardX11=yes",
    "ForwardAgent=yes",
    "UserKnownHostsFile=~/.bashrc",
    "Include=/tmp/evil.conf",
    "ControlMaster=yes",
]


def write(tmp_path: Path, option: str) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(
        "version: 1\nsources:\n  app:\n    type: ssh\n    hosts: [web-1]\n"
        f"    paths: [/var/log/app.log]\n    ssh_options: ['{option}']\n"
    )
    return path


@pytest.mark.parametrize("option", REFUSED)
@pytest.mark.parametrize("command", [["validate", "-p"], ["sources", "-p"], ["-p"]])
def test_an_option_that_could_run_load_or_write_is_refused_at_its_line(
    tmp_path: Path, option: str, command: list[str]
) -> None:
    path = write(tmp_path, option)
    name = option.split("=", maxsplit=1)[0]

    trace = ["req-1"] if command == ["-p"] else []

    result = CliRunner().invoke(cli, [*command, str(path), *trace])

    assert result.exit_code == 2
    assert f"{path}:7:" in result.stderr
    assert f"a profile may not set the ssh option {name}" in result.stderr
    assert "put it in your ~/.ssh/config" in result.stderr
    assert not (tmp_path / "MARK").exists()


@pytest.mark.parametrize(
    "option",
    ["Port=2222", "IdentityFile=~/.ssh/ops", "User=deploy", "ProxyJump=bastion",
     "StrictHostKeyChecking=accept-new", "ControlPath=none", "ServerAliveCountMax=3"],
)  # fmt: skip
def test_connection_options_are_accepted(tmp_path: Path, option: str) -> None:
    result = CliRunner().invoke(cli, ["validate", "-p", str(write(tmp_path, option))])

    assert result.exit_code == 0, result.stderr
