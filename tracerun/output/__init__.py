"""Output registry: an output's `type:` → its formatter; `text` and `ndjson` always exist."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tracerun.config.spec import NdjsonOutputConfig, OutputConfig, TextOutputConfig
from tracerun.output.base import Formatter
from tracerun.output.ndjson import NdjsonFormatter
from tracerun.output.text import TextFormatter

BUILTIN: dict[str, OutputConfig] = {
    "text": TextOutputConfig(),
    "ndjson": NdjsonOutputConfig(),
}


def _text(config: OutputConfig, sources: Sequence[str], color: bool) -> Formatter:
    assert isinstance(config, TextOutputConfig)  # registry key guarantees it
    return TextFormatter(sources, color=color, show_fields=config.fields)


def _ndjson(_config: OutputConfig, _sources: Sequence[str], _color: bool) -> Formatter:
    return NdjsonFormatter()


FORMATTERS: dict[str, Callable[[OutputConfig, Sequence[str], bool], Formatter]] = {
    "text": _text,
    "ndjson": _ndjson,
}


def build_formatter(
    config: OutputConfig, sources: Sequence[str], *, color: bool
) -> Formatter:
    """Create the formatter for an output configuration."""
    return FORMATTERS[config.type](config, sources, color)
