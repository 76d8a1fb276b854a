"""Colour: the auto/always/never decision and the few ANSI codes tracerun uses."""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from typing import Literal, TextIO

ColorSetting = Literal["auto", "always", "never"]

RESET = "\x1b[0m"
DIM = "\x1b[2m"
BOLD_RED = "\x1b[1;31m"
YELLOW = "\x1b[33m"
SOURCE_COLORS = ("\x1b[36m", "\x1b[35m", "\x1b[32m", "\x1b[34m", "\x1b[33m", "\x1b[96m")


def use_color(setting: ColorSetting, stream: TextIO, env: Mapping[str, str]) -> bool:
    """Decide on colour: an explicit setting wins, then FORCE_COLOR, NO_COLOR, a TTY."""
    if setting != "auto":
        return setting == "always"
    if env.get("FORCE_COLOR", "") not in ("", "0"):
        return True
    if env.get("NO_COLOR", ""):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def source_color(name: str) -> str:
    """Pick the colour of a source name; the same name gets it on every run."""
    return SOURCE_COLORS[
        zlib.crc32(name.encode("utf-8", "surrogatepass")) % len(SOURCE_COLORS)
    ]


def level_color(level: str) -> str:
    """Pick a level's colour: red for error/fatal, yellow for warn, else none."""
    if level in ("error", "fatal"):
        return BOLD_RED
    return YELLOW if level == "warn" else ""
