"""Message templates: Serilog's `@mt` + the record's properties → the rendered message.

Serilog's compact JSON (CLEF) writes the template (`Order {OrderId} received`)
and the properties, not the text; `@r` holds the renderings of the tokens that
have a format (`{Amount:0.00}`), in order. Rendered as Serilog does: strings
in quotes unless formatted with `:l`, other scalars as written, a missing
property as its token.
"""

from __future__ import annotations

import re
from typing import Any

from tracerun.record import field_text

_TOKEN = re.compile(
    r"\{\{|\}\}|\{(?P<hint>[@$]?)(?P<name>[\w.]+)(?:,-?\d+)?(?::(?P<format>[^}]*))?\}"
)


def render_template(template: str, fields: dict[str, Any]) -> str:
    """Fill a message template's `{Name}` tokens from the record's fields."""
    if "{" not in template and "}" not in template:
        return template
    renderings = iter(r for r in fields.get("@r") or () if isinstance(r, str))

    def fill(token: re.Match[str]) -> str:
        text = token[0]
        if text in ("{{", "}}"):
            return text[0]
        if token["format"] is not None and token["format"] != "l":
            rendered = next(renderings, None)
            if rendered is not None:
                return rendered
        if token["name"] not in fields:
            return text
        return _shown(fields[token["name"]], literal=token["format"] == "l")

    return _TOKEN.sub(fill, template)


def _shown(value: Any, *, literal: bool) -> str:
    if isinstance(value, str):
        return value if literal else '"' + value + '"'
    if isinstance(value, dict | list):
        import orjson  # noqa: PLC0415 - start-up: only for a nested value (it costs ~7 ms)

        return orjson.dumps(value).decode()
    return field_text(value)
