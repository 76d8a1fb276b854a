"""Shared pytest configuration for the whole test tree."""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add `--update-testdata`: rewrite golden files instead of comparing with them."""
    parser.addoption(
        "--update-testdata",
        action="store_true",
        default=False,
        help="rewrite golden files (tests/**/testdata, schemas/) from current output",
    )
