"""tracerun/config/checks.py: values that would raise at run time are refused, saying why."""

from __future__ import annotations

import pytest

from tracerun.config.checks import (
    CheckError,
    check_engine_url,
    check_format_version,
    check_path_pattern,
    check_strptime,
)


def message_of(check, value):
    with pytest.raises(CheckError) as caught:
        check(value)
    return str(caught.value)


@pytest.mark.parametrize(
    "pattern",
    ["logs/*.log", "A" * 255 + "/x.log", "[ab]" * 100 + "*.log", "/var/log/**/*.log"],
)
def test_usable_paths_pass(pattern):
    assert check_path_pattern(pattern) == pattern


def test_a_path_part_over_255_bytes_is_refused_with_its_size():
    error = message_of(check_path_pattern, "logs/" + "é" * 150 + "/x.log")
    assert error == "a part of this path is 300 bytes long"


def test_a_glob_part_that_must_match_over_255_bytes_is_refused():
    error = message_of(check_path_pattern, "A" * 300 + "*/x.log")
    assert error == "a part of this path is 301 bytes long"


def test_a_path_with_a_nul_is_refused():
    assert (
        message_of(check_path_pattern, "a\0b")
        == "a path cannot contain a NUL character"
    )


@pytest.mark.parametrize(
    "fmt", ["%d/%b/%Y:%H:%M:%S %z", "%Y-%m-%dT%H:%M:%S.%f", "100%% %H", "plain"]
)
def test_usable_strptime_formats_pass(fmt):
    assert check_strptime(fmt) == fmt


@pytest.mark.parametrize(
    ("fmt", "why"),
    [
        ("%z%z", "%z appears twice; a field can be read once"),
        ("%Y %", "it ends with a lone %; write %% for a literal %"),
        ("%Y-%m-%d %Q", "%Q is not a strptime directive"),
        ("%c %a", "two directives read the same field (e.g. %c and %a)"),
    ],
)
def test_a_strptime_format_strptime_cannot_use_is_refused(fmt, why):
    assert message_of(check_strptime, fmt) == f"not a valid strptime format: {why}"


@pytest.mark.parametrize(
    "url",
    [
        "unix:///var/run/docker.sock",
        "tcp://10.0.0.5:2376",
        "10.0.0.5:2375",
        "https://[::1]:2376",
        "ssh://deploy@build-7",
        "npipe:////./pipe/docker_engine",
    ],
)
def test_engine_urls_the_sdk_takes_pass(url):
    assert check_engine_url(url) == url


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("tcp://localhost:99999", "port out of range 0-65535"),
        ("tcp://[::1", "invalid ipv6 url"),
        (
            "ftp://x",
            "'ftp' is not one of unix, http+unix, tcp, http, https, ssh, npipe",
        ),
        ("tcp://build-7", "a tcp engine URL needs a port"),
        ("s3cr3t-token-value", "a tcp engine URL needs a port"),
        ("tcp://h:2375/?x=1", "it cannot hold a query, a fragment or a password"),
        ("ssh://h/path", "an ssh engine URL has no path"),
    ],
)
def test_engine_urls_the_sdk_refuses_are_refused(url, why):
    assert message_of(check_engine_url, url) == f"not a Docker engine URL: {why}"


def test_the_format_version_is_a_whole_number():
    assert check_format_version(1) == 1
    assert check_format_version(2) == 2  # the Literal check says "expected 1"


@pytest.mark.parametrize(
    ("value", "got"), [(True, "true"), (1.0, "1.0"), ("1", "'1'"), (None, "nothing")]
)
def test_a_version_that_is_not_a_whole_number_is_refused(value, got):
    error = message_of(check_format_version, value)
    assert error == f"the format version is a whole number, got {got}"
