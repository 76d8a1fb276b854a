"""Shared pytest configuration for the whole test tree."""

from __future__ import annotations

import pytest

# Docker engine fixtures (tests/ is on sys.path: it has a conftest.py and no
# __init__.py); see tests/helpers/docker_fixtures.py.
pytest_plugins = ["helpers.docker_fixtures"]


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add `--update-testdata`: rewrite golden files instead of comparing with them."""
    parser.addoption(
        "--update-testdata",
        action="store_true",
        default=False,
        help="rewrite golden files (tests/**/testdata, schemas/) from current output",
    )
