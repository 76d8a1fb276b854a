"""tracerun/extract/stacks.py: a JSON logger's stack-trace field → its lines."""

import json

import pytest
from helpers.real import REAL

from tracerun.extract.stacks import stack_of


def line(name: str, number: int) -> dict:
    return json.loads((REAL / name).read_text(encoding="utf-8").split("\n")[number - 1])


@pytest.mark.parametrize(
    ("name", "number", "key", "first", "last"),
    [
        ("python-json-logger/default.log", 3, "exc_info", "Traceback (most recent call last):", "ZeroDivisionError: division by zero"),
        ("structlog/json.log", 3, "exception", "Traceback (most recent call last):", "TimeoutError: provider did not answer within 2.0s"),
        ("structlog/json-dict.log", 3, "exception", "Traceback (most recent call last):", "TimeoutError: provider did not answer within 2.0s"),
        ("pino/pino.log", 3, "err", "Error: provider did not answer within 2.0s", "    at node:internal/main/run_main_module:28:49"),
        ("documented/zap.log", 3, "stacktrace", "main.(*Handler).charge", "\t/usr/local/go/src/runtime/proc.go:272"),
        ("documented/logstash-logback-encoder.log", 3, "stack_trace", "java.lang.IllegalStateException: provider did not answer within 2.0s", "\tat java.base/java.lang.Thread.run(Thread.java:1583)"),
        ("documented/log4j2-ecs.log", 3, "error.stack_trace", "java.lang.IllegalStateException: provider did not answer within 2.0s", "\tat java.base/java.lang.Thread.run(Thread.java:1583)"),
        ("documented/log4j2-jsonlayout.log", 3, "thrown", "java.lang.IllegalStateException: provider did not answer within 2.0s", "\tat com.shop.payments.Client.charge(Client.java:57)"),
        ("documented/serilog-clef.log", 3, "@x", "System.TimeoutException: provider did not answer within 2.0s", "   at Shop.Orders.OrderController.Create() in /src/Shop/Orders/OrderController.cs:line 31"),
    ],
)  # fmt: skip
def test_each_librarys_stack_field_becomes_lines(name, number, key, first, last):
    found = stack_of(line(name, number))
    assert found is not None
    assert (found[0], found[1][0], found[1][-1]) == (key, first, last)


def test_a_one_line_error_is_not_a_stack():
    assert (
        stack_of(line("documented/zerolog.log", 3)) is None
    )  # "error": "provider ..."
    assert stack_of({"exception": "ValueError: x"}) is None
