"""Profile loader: a YAML file → a validated Profile, or a ProfileError with every issue.

Reads YAML keeping each key's position, checks `version` first, expands ${ENV},
merges `extends` bases underneath, then validates once (config/model.py).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tracerun.config.format import PROFILE_VERSION
from tracerun.config.marks import KeyPath, Marks, located
from tracerun.config.reader import read_yaml
from tracerun.errors import (
    ConfigIssue,
    ProfileError,
    ProfileNotFoundError,
    cut,
    register_secret,
)
from tracerun.plain import field, plain

if TYPE_CHECKING:
    from tracerun.config.model import Profile

_WHOLE_ENTRIES = frozenset({"sources", "parsers", "outputs"})
# `$${` is a literal `${`; `${NAME}` / `${NAME:-default}`; any other `${` is malformed.
_ENV_REF = re.compile(r"\$\$\{|\$\{(?:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\})?")


def load_profile(path: Path, env: Mapping[str, str] | None = None) -> Profile:
    """Read, merge and validate a profile file.

    Args:
        path: The profile file; messages name it as given (relative stays relative).
        env: Variables for `${VAR}` references; default `os.environ`.

    Returns:
        The validated, frozen Profile.

    Raises:
        ProfileError: With every problem found, each located at file:line:col.
    """
    return load_profile_with_marks(path, env)[0]


def load_profile_with_marks(
    path: Path, env: Mapping[str, str] | None = None
) -> tuple[Profile, Marks]:
    """Like `load_profile`, and also return where each key path is written.

    Why: checks that run after validation (parser samples in `tracerun validate`)
    locate their findings with the marks, in the base file for an inherited key.
    Pass them to `marks.located` to build a ConfigIssue.
    """
    profile, marks, _ = _load(path, env, None)
    return profile, marks


def load_profile_chain(
    path: Path, env: Mapping[str, str] | None = None
) -> tuple[Profile, list[tuple[str, str]]]:
    """Like `load_profile`, and also return every file read: (real path, text).

    The profile comes first, then its `extends` bases in the order read; the
    trust check (config/trust.py) hashes exactly these texts, so what was
    validated is what was trusted.
    """
    profile, _, texts = _load(path, env, [])
    return profile, texts


def _load(
    path: Path, env: Mapping[str, str] | None, texts: list[tuple[str, str]] | None
) -> tuple[Profile, Marks, list[tuple[str, str]]]:
    run = _Run(top=str(path), env=os.environ if env is None else env, texts=texts)
    layer = _read_layer(path, str(path), run, ())
    profile = None if layer is None else _validate(path, layer, run)
    if run.issues or profile is None or layer is None:
        raise ProfileError(run.top, list(dict.fromkeys(run.issues)))
    return profile, layer.marks, texts or []


def read_profile_data(
    path: Path, env: Mapping[str, str] | None = None
) -> dict[Any, Any] | None:
    """Read a profile with its `extends` bases into one mapping, without validating.

    Why: shell completion needs only names (sources, outputs, keys), must be fast
    (pydantic is not imported) and must work on a profile that has problems, so
    problems are ignored here. None when the file gives no mapping at all.
    """
    run = _Run(top=str(path), env=os.environ if env is None else env)
    try:
        layer = _read_layer(path, str(path), run, ())
    except ProfileError:  # a newer `version:`
        return None
    return None if layer is None else layer.data


@plain
class _Run:
    top: str
    env: Mapping[str, str]
    issues: list[ConfigIssue] = field(default_factory=list)
    texts: list[tuple[str, str]] | None = None
    """Files read, (real path, text), when the caller wants them."""
    unexpanded: set[tuple[str, str]] = field(default_factory=set)
    """(file, key path) of the values whose `${VAR}` could not be expanded."""


@plain(frozen=True)
class _Layer:
    data: dict[Any, Any]
    marks: Marks
    folder: Path
    """The file's folder as shown; relative `paths` of its file sources start here."""


def _read_layer(
    path: Path, name: str, run: _Run, chain: tuple[tuple[Path, str], ...]
) -> _Layer | None:
    read = read_yaml(path, name, run.issues, run.texts)
    if read is None:
        return None
    raw, marks = read
    _check_version(raw, marks, run)
    data = _expand(raw, (), _EnvExpander(run, marks))
    layer = _Layer(data, marks, Path(name).parent)
    if "extends" not in data:
        return layer
    here = (*chain, (Path(os.path.realpath(path)), name))
    base = _read_base(data.pop("extends"), layer, run, here)
    return None if base is None else _merge_layers(base, layer)


def _check_version(data: dict[Any, Any], marks: Marks, run: _Run) -> None:
    """Stop at a newer `version:`: one sentence instead of many unknown keys."""
    version = data.get("version")
    newer = isinstance(version, int) and version > PROFILE_VERSION
    if newer and not isinstance(version, bool):
        message = (
            f"this profile needs tracerun profile format version {version}; "
            f"this tracerun reads version {PROFILE_VERSION}"
        )
        hint = "upgrade tracerun (pip install --upgrade tracerun) to use this profile"
        raise ProfileError(run.top, [located(marks, ("version",), message, hint)])


# --- ${ENV} ------------------------------------------------------------------


class _EnvExpander:
    """Expand `${VAR}` / `${VAR:-default}` in string values; `$${` is a literal `${`."""

    def __init__(self, run: _Run, marks: Marks) -> None:
        self.run = run
        self.marks = marks

    def __call__(self, text: str, path: KeyPath) -> str:
        if "${" not in text:
            return text
        return _ENV_REF.sub(lambda match: self.replace(match, path), text)

    def replace(self, match: re.Match[str], path: KeyPath) -> str:
        name, default = match.group(1, 2)
        if match.group(0) == "$${":
            return "${"
        if name is None:
            hint = "write ${NAME} or ${NAME:-default}; $${ gives a literal ${"
            self.report(path, "malformed ${...} reference", hint)
            return match.group(0)
        value = self.run.env.get(name)
        if value is not None and (value or default is None):
            register_secret(value, name)
            return value
        if default is not None:
            return default
        hint = f"set it, or write ${{{name}:-default}}"
        self.report(path, f"environment variable {name} is not set", hint)
        return match.group(0)

    def report(self, path: KeyPath, message: str, hint: str) -> None:
        issue = located(self.marks, path, message, hint)
        self.run.issues.append(issue)
        self.run.unexpanded.add((issue.file, issue.key_path))


def _expand(value: Any, path: KeyPath, expand: Callable[[str, KeyPath], str]) -> Any:
    if isinstance(value, str):
        return expand(value, path)
    if isinstance(value, dict):
        return {k: _expand(v, (*path, k), expand) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v, (*path, i), expand) for i, v in enumerate(value)]
    return value


# --- extends -------------------------------------------------------------------


def _read_base(
    ref: Any, layer: _Layer, run: _Run, chain: tuple[tuple[Path, str], ...]
) -> _Layer | None:
    def report(message: str, hint: str | None = None) -> None:
        run.issues.append(located(layer.marks, ("extends",), message, hint))

    if not isinstance(ref, str) or not ref.strip():
        report("expected a profile name or a path", "e.g. `extends: base`")
        return None

    def missing(message: str, hint: str | None = None) -> None:
        if len(chain) > 1:  # name how a base of a base was reached
            message += "; chain: " + " → ".join([*(n for _, n in chain), ref])
        report(message, hint)

    found = _find_base(ref, layer.folder, run.env, missing)
    if found is None:
        return None
    real = Path(os.path.realpath(found))
    starts = [i for i, (seen, _) in enumerate(chain) if seen == real]
    if starts:
        names = [name for _, name in chain[starts[0] :]]
        hint = "remove one `extends`: a profile cannot be its own base"
        report("profiles extend each other: " + " → ".join([*names, names[0]]), hint)
        return None
    return _read_layer(found, str(found), run, chain)


def _find_base(
    ref: str, folder: Path, env: Mapping[str, str], report: Callable[..., None]
) -> Path | None:
    """Resolve a path from the profile's folder, or a name: sibling, then discovery."""
    from tracerun.config.discover import (  # noqa: PLC0415 - rare path
        REGULAR,
        SUFFIXES,
        expand_user,
        file_beside,
        find_profile,
        path_kind,
    )

    if "/" in ref or os.sep in ref or ref.endswith(SUFFIXES):
        candidate = Path(os.path.normpath(folder / expand_user(ref)))
        if path_kind(candidate) is None:
            where = f"{folder}{os.sep}" if str(folder) != "." else "the current folder"
            guess = file_beside(Path(ref), candidate)
            report(
                f"no such file: {cut(str(candidate))}",
                f"a path here is relative to {where}" + (f"; {guess}" if guess else ""),
            )
            return None
        return _profile_file(candidate, report)
    for suffix in SUFFIXES:
        if path_kind(folder / f"{ref}{suffix}") == REGULAR:
            return folder / f"{ref}{suffix}"
    try:
        found = find_profile(ref, cwd=folder, env=env)
    except ProfileNotFoundError as exc:
        report(exc.message, exc.hint)
        return None
    return _profile_file(found, report)


def _profile_file(path: Path, report: Callable[..., None]) -> Path | None:
    """Take a base only if it is a regular .yaml/.yml file; anything else is never read.

    Why: `extends: /etc/shadow` or `/proc/self/environ` would otherwise print
    that file's lines in the syntax error's excerpt (issue #12).
    """
    from tracerun.config.discover import REGULAR, SUFFIXES, path_kind  # noqa: PLC0415 - rare path

    kind = path_kind(path)
    if kind == REGULAR and path.suffix in SUFFIXES:
        return path
    why = (
        "its name does not end in .yaml or .yml" if kind == REGULAR else f"it is {kind}"
    )
    hint = "extends takes a profile: a .yaml or .yml file, or a profile name"
    report(f"{cut(str(path))} is not a profile: {why}", hint)
    return None


def _merge_layers(base: _Layer, child: _Layer) -> _Layer:
    """Put `base` under `child`: mappings merge, lists and named entries replace."""
    replaced: list[KeyPath] = []
    rebased = _rebase_sources(base.data, base.folder, child.folder)
    data = _merge(rebased, child.data, (), replaced)
    marks = {
        path: mark
        for path, mark in base.marks.items()
        if not any(path[: len(gone)] == gone for gone in replaced)
    }
    marks.update(child.marks)
    return _Layer(data, marks, child.folder)


def _merge(
    base: dict[Any, Any], child: dict[Any, Any], path: KeyPath, replaced: list[KeyPath]
) -> dict[Any, Any]:
    merged = dict(base)
    for key, value in child.items():
        here = (*path, key)
        old = merged.get(key)
        whole = len(here) == 2 and here[0] in _WHOLE_ENTRIES
        if isinstance(value, dict) and isinstance(old, dict) and not whole:
            merged[key] = _merge(old, value, here, replaced)
            continue
        if key in merged:
            replaced.append(here)
        merged[key] = value
    return merged


def _rebase_sources(data: dict[Any, Any], old: Path, new: Path) -> dict[Any, Any]:
    """Rewrite a base's relative file `paths` so they resolve from `new` as from `old`."""
    sources = data.get("sources")
    if old == new or not isinstance(sources, dict):
        return data
    rebased = {}
    for name, source in sources.items():
        paths = source.get("paths") if isinstance(source, dict) else None
        if isinstance(paths, list):
            source = {**source, "paths": [_rebase(p, old, new) for p in paths]}
        rebased[name] = source
    return {**data, "sources": rebased}


def _rebase(path: Any, old: Path, new: Path) -> Any:
    from tracerun.config.discover import expand_user  # noqa: PLC0415 - rare path

    if not isinstance(path, str) or Path(expand_user(path)).is_absolute():
        return path
    moved = os.path.relpath(old / path, new)
    return moved + "/" if path.endswith("/") and not moved.endswith("/") else moved


# --- validation ----------------------------------------------------------------


_OF_CONTENT = frozenset(
    ["value_error", "literal_error", "enum", "string_pattern_mismatch"]
)
"""Validation errors about what a string says, not its type: of an unset `${VAR}`'s
value they repeat what was said of the variable (a list given as a string is still
said)."""


def _validate(path: Path, layer: _Layer, run: _Run) -> Profile | None:
    from pydantic import ValidationError  # noqa: PLC0415 - loaded by model.py already

    from tracerun.config.model import Profile, ProfileContext  # noqa: PLC0415 - start-up: pydantic (completion reads layers without it)

    profile = None
    try:
        profile = Profile.model_validate(layer.data, context=ProfileContext(path))
    except ValidationError as exc:
        from tracerun.config.locate import validation_issues  # noqa: PLC0415 - start-up: error path only

        errors = [
            error
            for error in exc.errors(include_url=False)
            if error["type"] not in _OF_CONTENT
            or not all(  # `timezone: ${TZ}` unset: "unknown time zone '${TZ}'" adds nothing
                (i.file, i.key_path) in run.unexpanded
                for i in validation_issues([error], layer.marks)
            )
        ]
        run.issues.extend(validation_issues(errors, layer.marks))
    run.issues.extend(_reference_issues(layer))
    return profile


def _reference_issues(layer: _Layer) -> list[ConfigIssue]:
    """List sources naming an undefined parser, `expect` an unknown source (merged data)."""
    from tracerun.config.model import (  # noqa: PLC0415 - start-up: pydantic
        expect_reference_issues,
        parser_reference_issues,
    )

    parsers, sources = layer.data.get("parsers", {}), layer.data.get("sources")
    if not isinstance(parsers, dict) or not isinstance(sources, dict):
        return []
    used = {
        name: source.get("parser", "auto")
        for name, source in sources.items()
        if isinstance(name, str) and isinstance(source, dict)
    }
    names = [name for name in parsers if isinstance(name, str)]
    found = parser_reference_issues(names, used)
    found += expect_reference_issues(sources, layer.data.get("expect"))
    return [
        located(layer.marks, where, message, hint) for where, message, hint in found
    ]
