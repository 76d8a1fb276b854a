"""Fixtures for profile tests: write YAML files into tmp_path, load them, get issues."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from tracerun.config.loader import load_profile
from tracerun.errors import ConfigIssue, ProfileError

Write = Callable[[str, str], Path]
Problems = Callable[..., list[ConfigIssue]]


@pytest.fixture
def write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Write:
    """Write a dedented file below tmp_path (the working directory); return its path."""
    monkeypatch.chdir(tmp_path)

    def _write(name: str, text: str) -> Path:
        path = Path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return path

    return _write


@pytest.fixture
def problems() -> Problems:
    """Load a profile that must fail; return its issues (sorted, as reported)."""

    def _problems(
        path: Path, env: Mapping[str, str] | None = None
    ) -> list[ConfigIssue]:
        with pytest.raises(ProfileError) as caught:
            load_profile(path, env={} if env is None else env)
        return caught.value.issues

    return _problems
