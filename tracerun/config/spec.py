"""Spec: the plain, frozen form of a validated profile that the pipeline reads.

Why not the pydantic model itself: importing pydantic and building the model's
validators costs ~170 ms, more than the scan of a gigabyte takes on two cores,
and an ad hoc run (`--path`, `--docker`) has nothing to validate. So model.py
validates a profile file and `model.to_spec` turns the result into these
plain classes (tracerun/plain.py: dataclasses without their start-up cost,
issue #18); ad hoc runs build them directly, and nothing that runs a trace
imports pydantic. Each class has the name, fields and defaults of its model
class (tests/config/test_config_spec.py holds the two in step); the model keeps
what only validation needs (examples, docstrings, validators).

Why no `slots=True`: a profile has a handful of these objects, and a slotted
class is built twice at import.
"""

from __future__ import annotations

from typing import Any, Literal

from tracerun.config.format import DEFAULT_KEYS
from tracerun.plain import field, plain

Stream = Literal["stdout", "stderr"]
STREAMS: tuple[Stream, ...] = ("stdout", "stderr")
COMPOSE_PROJECT_LABEL = "com.docker.compose.project"
COMPOSE_SERVICE_LABEL = "com.docker.compose.service"


@plain(frozen=True, kw_only=True)
class TimeConfig:
    """Where a record's timestamp is (`field`) and how to read it (`format`)."""

    field: str | None = None
    format: str | None = None


@plain(frozen=True, kw_only=True)
class SampleConfig:
    """A log line and the fields its parser must extract from it."""

    line: str
    expect: dict[str, Any]


@plain(frozen=True, kw_only=True)
class _ParserBase:
    fields: dict[str, str] = field(default_factory=dict)
    time: TimeConfig = field(default_factory=TimeConfig)
    level: str | None = None
    message: str | None = None
    samples: list[SampleConfig] = field(default_factory=list)
    timezone: str | None = None


@plain(frozen=True, kw_only=True)
class JsonParserConfig(_ParserBase):
    """One JSON object per line."""

    type: Literal["json"] = "json"


@plain(frozen=True, kw_only=True)
class LogfmtParserConfig(_ParserBase):
    """`key=value` pairs."""

    type: Literal["logfmt"] = "logfmt"


@plain(frozen=True, kw_only=True)
class RegexParserConfig(_ParserBase):
    """A regular expression whose named groups become fields."""

    pattern: str
    type: Literal["regex"] = "regex"


@plain(frozen=True, kw_only=True)
class AutoParserConfig(_ParserBase):
    """JSON object, else logfmt pairs and a leading timestamp, decided per line."""

    type: Literal["auto"] = "auto"


ParserConfig = (
    JsonParserConfig | LogfmtParserConfig | RegexParserConfig | AutoParserConfig
)


@plain(frozen=True, kw_only=True)
class MultilineConfig:
    """A line matching `start` begins a record; other lines continue it."""

    start: str


@plain(frozen=True, kw_only=True)
class _SourceBase:
    parser: str | ParserConfig = "auto"
    multiline: MultilineConfig | None = None
    timezone: str | None = None


@plain(frozen=True, kw_only=True)
class FileSourceConfig(_SourceBase):
    """Log files, rotated siblings and `.gz` archives on this machine."""

    paths: list[str]
    type: Literal["file"] = "file"


@plain(frozen=True, kw_only=True)
class ComposeSelectorConfig:
    """The containers of a compose project (and optionally one service)."""

    project: str | None = None
    service: str | None = None

    def labels(self) -> dict[str, str]:
        """Return the compose labels this selector stands for."""
        pairs = {
            COMPOSE_PROJECT_LABEL: self.project,
            COMPOSE_SERVICE_LABEL: self.service,
        }
        return {key: value for key, value in pairs.items() if value is not None}


@plain(frozen=True, kw_only=True)
class DockerSourceConfig(_SourceBase):
    """Containers on a Docker engine, read through the engine's log API."""

    containers: list[str] = field(default_factory=list)
    labels: dict[str, str] | list[str] = field(default_factory=dict)
    compose: ComposeSelectorConfig | None = None
    host: str | None = None
    stopped: bool = False
    streams: list[Stream] = field(default_factory=lambda: list(STREAMS))
    type: Literal["docker"] = "docker"

    def label_filters(self) -> list[str]:
        """Return every required label as `key=value` (`labels` plus `compose`)."""
        pairs = (
            dict(item.split("=", 1) for item in self.labels)
            if isinstance(self.labels, list)
            else dict(self.labels)
        )
        if self.compose is not None:
            pairs.update(self.compose.labels())
        return [f"{key}={value}" for key, value in pairs.items()]


@plain(frozen=True, kw_only=True)
class SshSourceConfig(_SourceBase):
    """Log files on remote hosts, searched there through the system `ssh` client."""

    hosts: list[str]
    paths: list[str]
    ssh_options: list[str] = field(default_factory=list)
    connect_timeout: float = 5.0
    max_parallel: int = 16
    type: Literal["ssh"] = "ssh"


@plain(frozen=True, kw_only=True)
class KubernetesSourceConfig(_SourceBase):
    """Pod logs on Kubernetes clusters, read through the user's own `kubectl`."""

    contexts: list[str] = field(default_factory=list)
    namespaces: list[str] = field(default_factory=list)
    selector: str | None = None
    pods: list[str] = field(default_factory=list)
    containers: list[str] = field(default_factory=list)
    init_containers: bool = False
    previous: bool = False
    max_parallel: int = 16
    type: Literal["kubernetes"] = "kubernetes"


@plain(frozen=True, kw_only=True)
class CommandSourceConfig(_SourceBase):
    """A program's stdout, read like a file: `journalctl`, a vendor CLI (never a shell)."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    cwd: str | None = None
    timeout: float = 60.0
    follow: bool | list[str] = False
    type: Literal["command"] = "command"


SourceConfig = (
    FileSourceConfig
    | DockerSourceConfig
    | SshSourceConfig
    | KubernetesSourceConfig
    | CommandSourceConfig
)


@plain(frozen=True, kw_only=True)
class TextOutputConfig:
    """Human-readable timeline, one line per record."""

    color: Literal["auto", "always", "never"] = "auto"
    fields: bool = True
    type: Literal["text"] = "text"


@plain(frozen=True, kw_only=True)
class NdjsonOutputConfig:
    """One JSON object per record."""

    type: Literal["ndjson"] = "ndjson"


@plain(frozen=True, kw_only=True)
class SummaryOutputConfig:
    """A terminal waterfall of the trace: one bar per source, gaps, first error."""

    type: Literal["summary"] = "summary"


@plain(frozen=True, kw_only=True)
class MarkdownOutputConfig:
    """A Markdown table of the records, the summary and the command, for tickets."""

    type: Literal["markdown"] = "markdown"


@plain(frozen=True, kw_only=True)
class HtmlOutputConfig:
    """One self-contained HTML page: waterfall, filterable table, folded traces."""

    type: Literal["html"] = "html"


@plain(frozen=True, kw_only=True)
class JaegerOutputConfig:
    """The Jaeger UI's JSON file: one span per source, each record a span log."""

    type: Literal["jaeger"] = "jaeger"


@plain(frozen=True, kw_only=True)
class OtlpOutputConfig:
    """OTLP/JSON traces: one span per source, each record a span event."""

    type: Literal["otlp"] = "otlp"


@plain(frozen=True, kw_only=True)
class MermaidOutputConfig:
    """A Mermaid sequenceDiagram of the hops between sources."""

    type: Literal["mermaid"] = "mermaid"


@plain(frozen=True, kw_only=True)
class TemplateOutputConfig:
    """One line per record from a template: `{time:%H:%M:%S} {source:>10} {message}`."""

    line: str
    color: Literal["auto", "always", "never"] = "auto"
    type: Literal["template"] = "template"


OutputConfig = (
    TextOutputConfig
    | NdjsonOutputConfig
    | SummaryOutputConfig
    | MarkdownOutputConfig
    | HtmlOutputConfig
    | JaegerOutputConfig
    | OtlpOutputConfig
    | MermaidOutputConfig
    | TemplateOutputConfig
)


@plain(frozen=True, kw_only=True)
class IgnoreConfig:
    """What `--expand` never follows."""

    values: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)


@plain(frozen=True, kw_only=True)
class ExpectConfig:
    """An expected hop: a source that should hold a record of the request."""

    source: str
    where: str | None = None


@plain(frozen=True, kw_only=True)
class Profile:
    """Where one environment's logs are and how to read them."""

    sources: dict[str, SourceConfig]
    version: Literal[1] = 1
    extends: str | None = None
    description: str = ""
    keys: list[str] = field(default_factory=lambda: list(DEFAULT_KEYS))
    timezone: str = "UTC"
    zone_abbreviations: dict[str, str] = field(default_factory=dict)
    parsers: dict[str, ParserConfig] = field(default_factory=dict)
    outputs: dict[str, OutputConfig] = field(default_factory=dict)
    correlate: list[str] = field(default_factory=list)
    expand: bool = False
    ignore: IgnoreConfig = field(default_factory=IgnoreConfig)
    expect: list[str | ExpectConfig] = field(default_factory=list)
