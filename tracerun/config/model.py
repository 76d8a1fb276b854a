"""Profile model: YAML data → frozen, validated pydantic configuration.

Configuration only: nothing here runs per log line, and nothing that runs a
trace reads these classes: `to_spec` hands the pipeline a plain copy (spec.py).
Regexes, JMESPath expressions and time zones are compiled/checked inside
validators so their errors carry the location of the key that holds them.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from tracerun.config import spec
from tracerun.config.checks import (
    CheckError,
    PathPattern,
    StrptimeFormat,
    check_engine_url,
    check_format_version,
)
from tracerun.config.discover import expand_user
from tracerun.config.format import BUILTIN_PARSERS, DEFAULT_KEYS, is_dotted_path
from tracerun.config.spec import STREAMS, Stream
from tracerun.errors import ExpressionError, quoted


def check_jmespath(expression: str) -> str:
    """Compile and check a JMESPath expression, raising ExpressionError with a reason."""
    if is_dotted_path(expression):
        return expression
    from tracerun.expression import compile_expression  # noqa: PLC0415 - start-up: only for real expressions

    compile_expression(expression)
    return expression


def check_regex(pattern: str) -> str:
    """Compile a regular expression, raising ExpressionError with position and reason."""
    try:
        with warnings.catch_warnings():  # "possible nested set" is not our user's
            warnings.simplefilter("ignore")
            re.compile(pattern)
    except re.error as exc:
        where = f" at position {exc.pos}" if exc.pos is not None else ""
        msg = f"not a valid regular expression: {exc.msg}{where}"
        raise ExpressionError(msg, exc.pos) from None
    except (RecursionError, OverflowError) as exc:  # `((((…`, `a{99999999999}`
        why = "it is nested too deeply" if isinstance(exc, RecursionError) else exc
        msg = f"not a valid regular expression: {why}"
        raise ExpressionError(msg, None) from None
    return pattern


_ZONE_MAX_SLASHES = 3
"""IANA names have at most two (America/Argentina/Buenos_Aires)."""


def check_timezone(name: str) -> str:
    """Check that `name` is an IANA time zone known to this machine."""
    import zoneinfo  # noqa: PLC0415

    msg = f"unknown time zone {quoted(name)} (use an IANA name such as 'Europe/Berlin')"
    if name.count("/") > _ZONE_MAX_SLASHES:  # tzdata's lookup recurses per part
        raise ValueError(msg)
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError, RecursionError):
        raise ValueError(msg) from None
    return name


class _Config(BaseModel):
    model_config = ConfigDict(
        frozen=True, extra="forbid", use_attribute_docstrings=True
    )


class TimeConfig(_Config):
    """Where a record's timestamp is and how to read it."""

    field: str | None = Field(default=None, examples=["ts"])
    """Field holding the timestamp; absent: the first of time/ts/timestamp/@timestamp."""
    format: StrptimeFormat | None = Field(
        default=None, examples=["%d/%b/%Y:%H:%M:%S %z"]
    )
    """strptime pattern; absent: detect RFC 3339, unix epoch numbers, syslog."""


class SampleConfig(_Config):
    """A log line and what its parser must extract from it (checked by `validate`)."""

    line: str = Field(examples=['{"ts": "2026-03-20T14:10:00Z", "msg": "ok"}'])
    """One raw log line, as it appears in the log."""
    expect: dict[str, Any] = Field(examples=[{"time": "2026-03-20T14:10:00Z"}])
    """Expected fields; `time` is compared as an instant (RFC 3339)."""


_SAMPLE_LINE = '{"ts": "2026-03-20T14:10:00Z", "request_id": "abc123"}'
_SAMPLE_EXPECT = {"request_id": "abc123", "time": "2026-03-20T14:10:00Z"}


def check_abbreviation(name: str) -> str:
    """Check that a `zone_abbreviations` key is one: 1-6 ASCII letters."""
    if not (name.isascii() and name.isalpha() and len(name) <= 6):
        msg = f"{name!r} is not a zone abbreviation (1-6 letters, e.g. IST)"
        raise ValueError(msg)
    return name


def check_zone_or_offset(text: str) -> str:
    """Check a `zone_abbreviations` value: an IANA zone or a UTC offset."""
    from tracerun.timeparse import zone_of  # noqa: PLC0415 - validation only

    zone_of(text)
    return text


Abbreviation = Annotated[str, AfterValidator(check_abbreviation)]
ZoneOrOffset = Annotated[str, AfterValidator(check_zone_or_offset)]
JmesPathExpression = Annotated[str, AfterValidator(check_jmespath)]
"""A field expression, checked where it is written (so its error names its key)."""


class _ParserBase(_Config):
    fields: dict[str, JmesPathExpression] = Field(
        default_factory=dict, examples=[{"request_id": "ctx.request.id"}]
    )
    """Extra fields: name → JMESPath expression over the parsed record."""
    time: TimeConfig = Field(default_factory=TimeConfig, examples=[{"field": "ts"}])
    """Timestamp location and format."""
    level: str | None = Field(default=None, examples=["severity"])
    """Field holding the level; absent: level/severity/lvl/loglevel."""
    message: str | None = Field(default=None, examples=["msg"])
    """Field holding the message; absent: msg/message."""
    samples: list[SampleConfig] = Field(
        default_factory=list,
        examples=[[{"line": _SAMPLE_LINE, "expect": _SAMPLE_EXPECT}]],
    )
    """Example lines with expected fields, checked by `tracerun validate`."""
    timezone: str | None = Field(default=None, examples=["Europe/Berlin"])
    """Time zone for this format's timestamps without an offset; a source's wins."""

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str | None) -> str | None:
        return None if value is None else check_timezone(value)


class JsonParserConfig(_ParserBase):
    """One JSON object per line; top-level keys are fields."""

    type: Literal["json"] = Field(examples=["json"])
    """Parser kind: `json`."""


class LogfmtParserConfig(_ParserBase):
    """`key=value key2="quoted value"` pairs."""

    type: Literal["logfmt"] = Field(examples=["logfmt"])
    """Parser kind: `logfmt`."""


class RegexParserConfig(_ParserBase):
    """A regular expression whose named groups become fields."""

    type: Literal["regex"] = Field(examples=["regex"])
    """Parser kind: `regex`."""
    pattern: str = Field(examples=[r"^(?P<time>\S+) (?P<level>\w+) (?P<msg>.*)$"])
    """Python regular expression with named groups `(?P<name>…)`."""

    @field_validator("pattern")
    @classmethod
    def _compile_pattern(cls, value: str) -> str:
        check_regex(value)
        if not re.compile(value).groupindex:
            msg = "the pattern has no named group (?P<name>...), so it extracts nothing"
            raise ValueError(msg)
        return value


class AutoParserConfig(_ParserBase):
    """Detect per line: JSON object, else logfmt pairs and a leading timestamp."""

    type: Literal["auto"] = Field(examples=["auto"])
    """Parser kind: `auto`."""


ParserConfig = Annotated[
    JsonParserConfig | LogfmtParserConfig | RegexParserConfig | AutoParserConfig,
    Field(discriminator="type"),
]


class MultilineConfig(_Config):
    """How to tell where a multi-line record (a stack trace) starts."""

    start: str = Field(examples=[r"^\d{4}-\d{2}-\d{2}"])
    """A line matching this regex starts a record; other lines continue the previous one."""

    @field_validator("start")
    @classmethod
    def _compile_start(cls, value: str) -> str:
        return check_regex(value)


class _SourceBase(_Config):
    parser: str | ParserConfig = Field(default="auto", examples=["app"])
    """A parser name (from `parsers`, or auto/json/logfmt), or an inline parser."""
    multiline: MultilineConfig | None = Field(
        default=None, examples=[{"start": r"^\d{4}-\d{2}-\d{2} "}]
    )
    """Record start rule; absent: a line not starting with a timestamp or `{` continues."""
    timezone: str | None = Field(default=None, examples=["Europe/Berlin"])
    """Time zone for timestamps without an offset; absent: the profile's."""

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str | None) -> str | None:
        return None if value is None else check_timezone(value)


class FileSourceConfig(_SourceBase):
    """Log files, rotated siblings and `.gz` archives on this machine."""

    type: Literal["file"] = Field(examples=["file"])
    """Source kind: `file`."""
    paths: list[PathPattern] = Field(min_length=1, examples=[["./logs/orders/*.log*"]])
    """Globs (`**` allowed) or directories (every log file below: `*.log*`, `*_log`, `*.out`, syslog's names); relative to the profile."""

    @field_validator("paths")
    @classmethod
    def _resolve_paths(cls, value: list[str], info: ValidationInfo) -> list[str]:
        base = _context_base_dir(info)
        if base is None:
            return value
        # normpath: `profiles/../logs/x.log` is shown as `logs/x.log`.
        return [
            p if Path(expand_user(p)).is_absolute() else os.path.normpath(base / p)
            for p in value
        ]


class DockerSourceConfig(_SourceBase):
    """Containers on a Docker engine, read through the engine's log API."""

    type: Literal["docker"] = Field(examples=["docker"])
    """Source kind: `docker`."""
    containers: list[str] = Field(default_factory=list, examples=[["shop-orders-*"]])
    """Container names or globs, matched without the leading `/`."""
    labels: dict[str, str] | list[str] = Field(
        default_factory=dict, examples=[{"com.docker.compose.service": "orders"}]
    )
    """Labels that must all match: a mapping, or a list of `key=value`."""
    compose: ComposeSelectorConfig | None = Field(
        default=None, examples=[{"project": "shop", "service": "orders"}]
    )
    """Shorthand for the compose project/service labels."""
    host: str | None = Field(default=None, examples=["unix:///var/run/docker.sock"])
    """Engine URL; absent: DOCKER_HOST, else the local socket."""
    stopped: bool = Field(default=False, examples=[True])
    """Also read exited containers."""
    streams: list[Stream] = Field(
        default_factory=lambda: list(STREAMS), min_length=1, examples=[["stderr"]]
    )
    """Which output streams to read."""

    @field_validator("host")
    @classmethod
    def _check_host(cls, value: str | None) -> str | None:
        return None if value is None else check_engine_url(value)

    @field_validator("labels")
    @classmethod
    def _check_label_list(
        cls, value: dict[str, str] | list[str]
    ) -> dict[str, str] | list[str]:
        if isinstance(value, list):
            for item in value:
                if not item.partition("=")[0].strip() or "=" not in item:
                    msg = f"label {quoted(item)} is not of the form key=value"
                    raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _needs_selector(self) -> DockerSourceConfig:
        if not (self.containers or self.labels or self.compose):
            msg = "a docker source needs at least one of: containers, labels, compose"
            raise ValueError(msg)
        return self


class ComposeSelectorConfig(_Config):
    """Select containers of a docker compose project (and optionally one service)."""

    project: str | None = Field(default=None, examples=["shop"])
    """Compose project name (label com.docker.compose.project)."""
    service: str | None = Field(default=None, examples=["orders"])
    """Compose service name (label com.docker.compose.service)."""

    @model_validator(mode="after")
    def _needs_one(self) -> ComposeSelectorConfig:
        if self.project is None and self.service is None:
            msg = "compose needs project, service or both"
            raise ValueError(msg)
        return self


DockerSourceConfig.model_rebuild()

_SSH_HOST = re.compile(
    r"(?:[^@\s/]+@)?(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.%-]+)(?::\d{1,5})?"
)
_SSH_OPTION = re.compile(r"([A-Za-z][A-Za-z0-9]*)=(\S.*)")
SAFE_SSH_OPTIONS = {
    name.lower(): name
    for name in (
        "AddressFamily", "BindAddress", "BindInterface", "CertificateFile",
        "CheckHostIP", "Ciphers", "Compression", "ConnectionAttempts",
        "ConnectTimeout", "ControlPath", "HostKeyAlgorithms", "HostKeyAlias",
        "HostName", "IdentitiesOnly", "IdentityFile", "IPQoS",
        "KbdInteractiveAuthentication", "KexAlgorithms", "LogLevel", "MACs",
        "NumberOfPasswordPrompts", "PasswordAuthentication", "Port",
        "PreferredAuthentications", "ProxyJump", "PubkeyAcceptedAlgorithms",
        "PubkeyAcceptedKeyTypes", "PubkeyAuthentication", "RekeyLimit",
        "ServerAliveCountMax", "ServerAliveInterval", "StrictHostKeyChecking",
        "TCPKeepAlive", "User", "VerifyHostKeyDNS",
    )
}  # fmt: skip
"""ssh options a profile may set: none runs or loads a local program, writes a
file or forwards credentials. Everything else (`ProxyCommand`, `LocalCommand`,
`KnownHostsCommand`, `PKCS11Provider`, `SecurityKeyProvider`, `XAuthLocation`,
`ForwardAgent`, `UserKnownHostsFile`, `Include`, ...) belongs in the user's own
~/.ssh/config: a profile comes from a repository others can write to."""


def check_ssh_host(host: str) -> str:
    """Check `[user@]host[:port]` (or a ~/.ssh/config alias); never an ssh option."""
    if host.startswith("-") or _SSH_HOST.fullmatch(host) is None:
        msg = (
            f"{host!r} is not a host: write [user@]host[:port] or a Host name "
            "from ~/.ssh/config"
        )
        raise ValueError(msg)
    return host


def check_ssh_option(option: str) -> str:
    """Check one `Key=Value` ssh option: only those in SAFE_SSH_OPTIONS."""
    match = _SSH_OPTION.fullmatch(option)
    if match is None or "\n" in option:
        msg = f"{option!r} is not an ssh option: write Key=Value, e.g. Port=2222"
        raise ValueError(msg)
    if match[1].lower() not in SAFE_SSH_OPTIONS:
        msg = (
            f"a profile may not set the ssh option {match[1]} (it could run or load "
            "a program, write a file or forward credentials); put it in your "
            "~/.ssh/config for that host (the README's ssh section lists what a "
            "profile may set)"
        )
        raise ValueError(msg)
    return option


def check_remote_path(path: str) -> str:
    """Check a remote glob: absolute or under `~/`, one line, no NUL."""
    if not path.startswith(("/", "~/")) or "\n" in path or "\0" in path:
        msg = f"{path!r} is not a remote path: write an absolute path or one under ~/"
        raise ValueError(msg)
    return path


MAX_SECONDS = 7 * 24 * 3600
"""The longest timeout a profile may set: a week (the OS cannot wait much longer)."""


def check_seconds(seconds: float) -> float:
    """Refuse a timeout over MAX_SECONDS (an infinite one included)."""
    if not seconds <= MAX_SECONDS:
        msg = (
            f"{seconds:g} seconds is more than the most allowed, {MAX_SECONDS} (a week)"
        )
        raise CheckError(msg, f"write at most {MAX_SECONDS}")
    return seconds


Seconds = Annotated[float, Field(gt=0), AfterValidator(check_seconds)]


class SshSourceConfig(_SourceBase):
    """Log files on remote hosts, searched there through the system `ssh` client."""

    type: Literal["ssh"] = Field(examples=["ssh"])
    """Source kind: `ssh`."""
    hosts: list[Annotated[str, AfterValidator(check_ssh_host)]] = Field(
        min_length=1, examples=[["deploy@web-1", "web-2:2222"]]
    )
    """Hosts: `[user@]host[:port]` or Host names from ~/.ssh/config."""
    paths: list[Annotated[str, AfterValidator(check_remote_path)]] = Field(
        min_length=1, examples=[["/var/log/app/*.log*"]]
    )
    """Remote globs or directories (every log file below, as for files), read on each host."""
    ssh_options: list[Annotated[str, AfterValidator(check_ssh_option)]] = Field(
        default_factory=list, examples=[["IdentityFile=~/.ssh/ops"]]
    )
    """Options for `ssh`, each `Key=Value` (passed as `-o Key=Value`)."""
    connect_timeout: Seconds = Field(default=5.0, examples=[5])
    """Seconds to wait for a host to answer (ConnectTimeout)."""
    max_parallel: int = Field(default=16, ge=1, examples=[16])
    """How many `ssh` processes this source runs at once."""


PLACEHOLDERS = ("{since}", "{until}", "{since_epoch}", "{until_epoch}")
"""What a command's argv may hold for the trace's window (sources/command/window.py)."""


def check_argv(argv: list[str]) -> list[str]:
    """Check a command's argv: a program first, no NUL anywhere (exec refuses one)."""
    if not argv[0].strip():
        msg = "the first item of argv is the program to run; it is empty here"
        raise CheckError(msg, "e.g. argv: [journalctl, -o, short-iso]")
    for item in argv:
        if "\0" in item:
            msg = f"argv item {quoted(item)} holds a NUL character"
            raise CheckError(msg, "a program's arguments cannot contain NUL")
    if any(p in argv[0] for p in PLACEHOLDERS):
        msg = "the program (argv's first item) cannot be a placeholder"
        raise CheckError(msg, "placeholders such as {since} go in its arguments")
    return argv


def check_env_name(name: str) -> str:
    """Check an environment variable name: letters, digits, `_`, not first a digit."""
    if _ENV_NAME.fullmatch(name) is None:
        msg = f"{quoted(name)} is not an environment variable name"
        raise CheckError(msg, "use letters, digits and _, e.g. AWS_PROFILE")
    return name


def check_env_value(value: str) -> str:
    """Check an environment value: no NUL (the OS cannot pass one)."""
    if "\0" in value:
        msg = "an environment value cannot contain a NUL character"
        raise CheckError(msg, "remove the \\0 from the value")
    return value


_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
Argv = Annotated[list[str], Field(min_length=1), AfterValidator(check_argv)]


class CommandSourceConfig(_SourceBase):
    """A program's stdout, read like a log file; runs only once you trust the profile."""

    type: Literal["command"] = Field(examples=["command"])
    """Source kind: `command`."""
    argv: Argv = Field(
        examples=[
            ["journalctl", "-u", "orders", "-o", "short-iso", "--since", "{since}"]
        ]
    )
    """Program and arguments (never a shell); `{since}`, `{until}` (RFC 3339) and
    `{since_epoch}`, `{until_epoch}` (seconds) are the trace's window."""
    env: dict[
        Annotated[str, AfterValidator(check_env_name)],
        Annotated[str, AfterValidator(check_env_value)],
    ] = Field(default_factory=dict, examples=[{"AWS_PROFILE": "prod"}])
    """Variables set for the program, over tracerun's own environment."""
    cwd: str | None = Field(default=None, examples=["./scripts"])
    """Folder the program runs in (relative to the profile); absent: the current one."""
    timeout: Seconds = Field(default=60.0, examples=[120])
    """Seconds a one-shot run may take; then its process group is killed."""
    follow: bool | Argv = Field(
        default=False,
        examples=[["journalctl", "-u", "orders", "-o", "short-iso", "-f"]],
    )
    """Under `-f`: true keeps `argv` running and reads it live; a list is the argv
    run instead (e.g. with `-f`); false reads `argv` once, for the history."""

    @field_validator("cwd")
    @classmethod
    def _resolve_cwd(cls, value: str | None, info: ValidationInfo) -> str | None:
        base = _context_base_dir(info)
        if value is None or base is None or Path(expand_user(value)).is_absolute():
            return value
        return os.path.normpath(base / value)

    @field_validator("argv", "follow")
    @classmethod
    def _resolve_program(
        cls, value: list[str] | bool, info: ValidationInfo
    ) -> list[str] | bool:
        if isinstance(value, bool):
            return value
        return resolve_program(value, _context_base_dir(info))


def resolve_program(argv: list[str], base: Path | None) -> list[str]:
    """Make a relative program path (`./bin/fetch`) relative to the profile's folder.

    Why: the profile names a program of its repository wherever tracerun is run
    from, as file sources' relative `paths` do; a bare name is looked up on PATH.
    """
    program = argv[0]
    if base is None or "/" not in program or Path(expand_user(program)).is_absolute():
        return argv
    resolved = os.path.normpath(base / program)
    if "/" not in resolved:  # `./fetch` next to the profile: still a path
        resolved = f".{os.sep}{resolved}"
    return [resolved, *argv[1:]]


_NAMESPACE = re.compile(r"[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?")


def check_kube_word(value: str) -> str:
    """Check a context name, selector or name glob: one line, no NUL, no leading `-`."""
    if not value.strip() or value.startswith("-") or "\n" in value or "\0" in value:
        msg = f"{value!r} is empty, spans lines or starts with '-'"
        raise ValueError(msg)
    return value


def check_namespace(name: str) -> str:
    """Check a namespace name: a DNS label (lowercase letters, digits, `-`)."""
    if _NAMESPACE.fullmatch(name) is None:
        msg = f"{name!r} is not a namespace name (a DNS label such as 'shop-prod')"
        raise ValueError(msg)
    return name


KubeWord = Annotated[str, AfterValidator(check_kube_word)]


class KubernetesSourceConfig(_SourceBase):
    """Pod logs on Kubernetes clusters, read through the user's own `kubectl`."""

    type: Literal["kubernetes"] = Field(examples=["kubernetes"])
    """Source kind: `kubernetes`."""
    contexts: list[KubeWord] = Field(default_factory=list, examples=[["prod-eu"]])
    """kubeconfig contexts to read; absent: the kubeconfig's current context."""
    namespaces: list[Annotated[str, AfterValidator(check_namespace)]] = Field(
        default_factory=list, examples=[["shop"]]
    )
    """Namespaces to read in each context; absent: the context's own."""
    selector: KubeWord | None = Field(default=None, examples=["app=orders"])
    """Label selector the pods must match (`app=orders,tier!=canary`)."""
    pods: list[KubeWord] = Field(default_factory=list, examples=[["orders-*"]])
    """Pod names or globs (with `selector`: pods matching both)."""
    containers: list[KubeWord] = Field(default_factory=list, examples=[["app"]])
    """Container names or globs; absent: every container of each pod."""
    init_containers: bool = Field(default=False, examples=[True])
    """Also read the pods' init containers."""
    previous: bool = Field(default=False, examples=[True])
    """Also read the previous instance of each restarted container."""
    max_parallel: int = Field(default=16, ge=1, examples=[16])
    """How many `kubectl` processes this source runs at once."""

    @model_validator(mode="after")
    def _needs_selector(self) -> KubernetesSourceConfig:
        if self.selector is None and not self.pods:
            msg = "a kubernetes source needs at least one of: selector, pods"
            raise ValueError(msg)
        return self


SourceConfig = Annotated[
    FileSourceConfig
    | DockerSourceConfig
    | SshSourceConfig
    | KubernetesSourceConfig
    | CommandSourceConfig,
    Field(discriminator="type"),
]


class TextOutputConfig(_Config):
    """Human-readable timeline, one line per record."""

    type: Literal["text"] = Field(examples=["text"])
    """Output kind: `text`."""
    color: Literal["auto", "always", "never"] = Field(
        default="auto", examples=["never"]
    )
    """Colour: only on a terminal (auto), always, or never."""
    fields: bool = Field(default=True, examples=[False])
    """Show the record's remaining fields as key=value after the message."""


class NdjsonOutputConfig(_Config):
    """One JSON object per record: time, source, origin, line, level, message, fields."""

    type: Literal["ndjson"] = Field(examples=["ndjson"])
    """Output kind: `ndjson`."""


class SummaryOutputConfig(_Config):
    """A terminal waterfall: one bar per source, the largest gaps, the first error."""

    type: Literal["summary"] = Field(examples=["summary"])
    """Output kind: `summary`."""


class MarkdownOutputConfig(_Config):
    """A Markdown table of the records plus the summary and the command, for tickets."""

    type: Literal["markdown"] = Field(examples=["markdown"])
    """Output kind: `markdown`."""


class HtmlOutputConfig(_Config):
    """One self-contained HTML page: SVG waterfall, filterable table, folded traces."""

    type: Literal["html"] = Field(examples=["html"])
    """Output kind: `html`."""


class JaegerOutputConfig(_Config):
    """The JSON file the Jaeger UI loads: one span per source, records as span logs."""

    type: Literal["jaeger"] = Field(examples=["jaeger"])
    """Output kind: `jaeger`."""


class OtlpOutputConfig(_Config):
    """OTLP/JSON traces (Tempo, a collector): one span per source, records as events."""

    type: Literal["otlp"] = Field(examples=["otlp"])
    """Output kind: `otlp`."""


class MermaidOutputConfig(_Config):
    """A Mermaid sequenceDiagram of the hand-offs between sources."""

    type: Literal["mermaid"] = Field(examples=["mermaid"])
    """Output kind: `mermaid`."""


class TemplateOutputConfig(_Config):
    """One line per record from a template of named placeholders."""

    type: Literal["template"] = Field(examples=["template"])
    """Output kind: `template`."""
    line: str = Field(
        examples=["{time:%H:%M:%S.%f} {source:>12:color} {level:color} {message}"]
    )
    """Placeholders: time (strftime spec), source, origin, line, level, message, raw,
    fields[KEY] (or a bare field name); specs align (`>12`); `:color` colours."""
    color: Literal["auto", "always", "never"] = Field(
        default="auto", examples=["never"]
    )
    """Colour helpers: only on a terminal (auto), always, or never."""

    @field_validator("line")
    @classmethod
    def _check_line(cls, value: str) -> str:
        from tracerun.config.template import TemplateError, parse_template  # noqa: PLC0415 - start-up: only a template output needs it

        try:
            parse_template(value)
        except TemplateError as exc:
            msg = f"not a valid template: {exc}"
            raise ExpressionError(msg, exc.offset, exc.hint) from None
        return value


OutputConfig = Annotated[
    TextOutputConfig
    | NdjsonOutputConfig
    | SummaryOutputConfig
    | MarkdownOutputConfig
    | HtmlOutputConfig
    | JaegerOutputConfig
    | OtlpOutputConfig
    | MermaidOutputConfig
    | TemplateOutputConfig,
    Field(discriminator="type"),
]


class IgnoreConfig(_Config):
    """What `--expand` never follows, whatever record carries it."""

    values: list[str] = Field(default_factory=list, examples=[["anonymous", "n/a"]])
    """Values that are not ids (besides empty, `-`, `null`, `none`, `0`)."""
    fields: list[str] = Field(default_factory=list, examples=[["tenant_id"]])
    """Fields of `correlate` (or `keys`) whose values are not followed."""


class ExpectConfig(_Config):
    """An expected hop: a source that should hold a record of the request."""

    source: str = Field(examples=["payments"])
    """The source's name."""
    where: JmesPathExpression | None = Field(
        default=None, examples=["level != 'error'"]
    )
    """JMESPath over the record (as `--where`): a record must also satisfy it."""


class Profile(_Config):
    """A tracerun profile: where one environment's logs are and how to read them."""

    version: Literal[1] = Field(examples=[1])
    """Profile format version; this tracerun reads version 1."""
    extends: str | None = Field(default=None, examples=["base"])
    """Another profile (name or relative path) merged underneath this one."""
    description: str = Field(default="", examples=["Staging compose stack"])
    """One line shown by `tracerun profiles`."""
    keys: list[str] = Field(
        default_factory=lambda: list(DEFAULT_KEYS),
        min_length=1,
        examples=[["request_id", "trace_id"]],
    )
    """Fields a bare search term is matched against."""
    timezone: str = Field(default="UTC", examples=["UTC"])
    """IANA time zone for timestamps that carry no offset."""
    zone_abbreviations: dict[Abbreviation, ZoneOrOffset] = Field(
        default_factory=dict, examples=[{"IST": "Asia/Kolkata", "XST": "+03:00"}]
    )
    """Zone abbreviations read in timestamps (`IST`) → an IANA zone or a UTC
    offset; changes or adds to the built-in ones."""
    parsers: dict[str, ParserConfig] = Field(
        default_factory=dict,
        examples=[{"app": {"type": "json", "time": {"field": "ts"}}}],
    )
    """Named parsers, referenced by sources' `parser`."""
    sources: dict[str, SourceConfig] = Field(
        min_length=1,
        examples=[{"orders": {"type": "file", "paths": ["./logs/orders/"]}}],
    )
    """Named places to read logs from, in tie-break order."""
    outputs: dict[str, OutputConfig] = Field(
        default_factory=dict,
        examples=[{"runbook": {"type": "text", "color": "never"}}],
    )
    """Named output formats for `-o NAME`; text and ndjson always exist."""
    correlate: list[JmesPathExpression] = Field(
        default_factory=list, examples=[["request_id", "order_id", "job_id"]]
    )
    """Fields that link records (a name, a dotted path or a JMESPath expression):
    `--expand` searches again for every new value of them; default: `keys`."""
    expand: bool = Field(default=False, examples=[True])
    """Expand every trace (as `--expand`); `--no-expand` turns it off."""
    ignore: IgnoreConfig = Field(
        default_factory=IgnoreConfig,
        examples=[{"values": ["anonymous"], "fields": ["tenant_id"]}],
    )
    """Values and fields `--expand` never follows."""
    expect: list[str | ExpectConfig] = Field(
        default_factory=list,
        examples=[["gateway", {"source": "payments", "where": "level != 'error'"}]],
    )
    """Sources a request should pass (a name, or `{source, where}`): each one
    without a record is reported after the trace; `--strict-hops` makes it exit 6."""

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        return check_timezone(value)

    @field_validator("version", mode="before")
    @classmethod
    def _whole_number(cls, value: object) -> object:
        return check_format_version(value)


def _context_base_dir(info: ValidationInfo) -> Path | None:
    context = info.context
    if isinstance(context, ProfileContext):
        return context.base_dir
    return None


class ProfileContext:
    """Validation context: where the profile file lives (relative paths resolve there)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.base_dir = path.parent if path is not None else None


ReferenceIssue = tuple[tuple[str | int, ...], str, str]
"""An undefined reference: (key path, message, hint)."""


def reference_issues(profile: Profile) -> list[ReferenceIssue]:
    """List references to undefined parsers/outputs as (key path, message, hint)."""
    used = {name: source.parser for name, source in profile.sources.items()}
    return parser_reference_issues(profile.parsers, used)


def expect_reference_issues(
    source_names: Iterable[str], expect: object
) -> list[ReferenceIssue]:
    """Check that every `expect` entry names a source of the profile."""
    if not isinstance(expect, list):
        return []
    known = sorted(source_names)
    issues: list[ReferenceIssue] = []
    for index, entry in enumerate(expect):
        name = entry.get("source") if isinstance(entry, dict) else entry
        if not isinstance(name, str) or name in known:
            continue
        import difflib  # noqa: PLC0415 - error path only

        close = difflib.get_close_matches(name, known, n=1)
        guess = f"did you mean {close[0]!r}? " if close else ""
        where: tuple[str | int, ...] = ("expect", index)
        if isinstance(entry, dict):
            where = (*where, "source")
        message = f"unknown source {quoted(name)}"
        issues.append((where, message, guess + "sources here: " + ", ".join(known)))
    return issues


def parser_reference_issues(
    parser_names: Iterable[str], used: Mapping[str, object]
) -> list[ReferenceIssue]:
    """Check sources' `parser` names (source name → value) against the defined ones.

    Why: works on plain data too, so the loader can report a bad reference in the
    same run as validation errors elsewhere in the profile.
    """
    known = sorted(set(BUILTIN_PARSERS) | set(parser_names))
    issues: list[ReferenceIssue] = []
    for name, parser in used.items():
        if isinstance(parser, str) and parser not in known:
            import difflib  # noqa: PLC0415 - error path only

            close = difflib.get_close_matches(parser, known, n=1)
            guess = f"did you mean {close[0]!r}? " if close else ""
            message = f"unknown parser {quoted(parser)}"
            hint = f"{guess}parsers defined here: " + ", ".join(known)
            issues.append((("sources", name, "parser"), message, hint))
    return issues


def to_spec(profile: Profile) -> spec.Profile:
    """Turn a validated profile into the plain form the pipeline reads (spec.py)."""
    plain = _spec_of(profile)
    assert isinstance(plain, spec.Profile)
    return plain


def parser_spec(config: BaseModel) -> spec.ParserConfig:
    """Turn one validated parser into its plain form (for `init`, which checks one)."""
    plain = _spec_of(config)
    assert isinstance(plain, spec.ParserConfig)
    return plain


def _spec_of(value: Any) -> Any:
    # Each model class has a spec class of the same name and fields.
    if isinstance(value, BaseModel):
        kind = getattr(spec, type(value).__name__)
        names = type(value).model_fields
        return kind(**{name: _spec_of(getattr(value, name)) for name in names})
    if isinstance(value, dict):
        return {key: _spec_of(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_spec_of(item) for item in value]
    return value
