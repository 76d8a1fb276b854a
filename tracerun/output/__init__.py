"""Output registry: an output's `type:` → its formatter; the built-in formats always exist.

Why lazy: `text` is what a plain trace prints; every other format (`ndjson`
too: it imports orjson, ~7 ms) is imported only when it is chosen, so `--version` and a plain trace do not pay
for the HTML page or the Jaeger document (tests/cli/test_cli_app.py checks it).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence

from tracerun.config.spec import (
    HtmlOutputConfig,
    JaegerOutputConfig,
    MarkdownOutputConfig,
    MermaidOutputConfig,
    NdjsonOutputConfig,
    OtlpOutputConfig,
    OutputConfig,
    SummaryOutputConfig,
    TextOutputConfig,
)
from tracerun.output.base import DEFAULT_WIDTH, Formatter, OutputContext, RunInfo
from tracerun.output.text import TextFormatter

BUILTIN: dict[str, OutputConfig] = {
    "text": TextOutputConfig(),
    "ndjson": NdjsonOutputConfig(),
    "summary": SummaryOutputConfig(),
    "markdown": MarkdownOutputConfig(),
    "html": HtmlOutputConfig(),
    "jaeger": JaegerOutputConfig(),
    "otlp": OtlpOutputConfig(),
    "mermaid": MermaidOutputConfig(),
}

Factory = Callable[[OutputConfig, OutputContext], Formatter]


def _text(config: OutputConfig, context: OutputContext) -> Formatter:
    assert isinstance(config, TextOutputConfig)  # registry key guarantees it
    return TextFormatter(
        context.sources, color=context.color, show_fields=config.fields
    )


def _ndjson(_config: OutputConfig, context: OutputContext) -> Formatter:
    from tracerun.output.ndjson import NdjsonFormatter  # noqa: PLC0415 - start-up: orjson, only when chosen

    return NdjsonFormatter(via=context.info.expanded, ascii=context.ascii)


def _lazy(module: str) -> Factory:
    """Wrap `tracerun.output.<module>.build(config, context)`, imported when first used."""

    def build(config: OutputConfig, context: OutputContext) -> Formatter:
        factory: Factory = importlib.import_module(f"tracerun.output.{module}").build
        return factory(config, context)

    return build


FORMATTERS: dict[str, Factory] = {
    "text": _text,
    "ndjson": _ndjson,
    "summary": _lazy("summary"),
    "markdown": _lazy("markdown"),
    "html": _lazy("html"),
    "jaeger": _lazy("jaeger"),
    "otlp": _lazy("otlp"),
    "mermaid": _lazy("mermaid"),
    "template": _lazy("template"),
}


def build_formatter(
    config: OutputConfig,
    sources: Sequence[str],
    *,
    color: bool,
    info: RunInfo | None = None,
    width: int = DEFAULT_WIDTH,
    ascii: bool = False,
) -> Formatter:
    """Create the formatter for an output configuration."""
    context = OutputContext(sources, color, info or RunInfo(), width, ascii)
    return FORMATTERS[config.type](config, context)
