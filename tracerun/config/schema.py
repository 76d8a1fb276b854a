"""Profile JSON Schema: config/model.py → schemas/profile.schema.json.

Printed by `tracerun schema`, read by editors (yaml-language-server); a test keeps
the committed file equal to `schema_json()`.
"""

from __future__ import annotations

import json
from typing import Any

from tracerun.config.format import PROFILE_VERSION
from tracerun.config.model import Profile

SCHEMA_ID = f"urn:tracerun:profile:v{PROFILE_VERSION}"
TITLE = "tracerun profile"


def profile_schema() -> dict[str, Any]:
    """Build the JSON Schema (draft 2020-12) of a profile file."""
    schema = Profile.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "$id": SCHEMA_ID,
        "title": TITLE,
    }


def schema_json() -> str:
    """Render the schema as stable text: sorted keys, 2-space indent, final newline."""
    return (
        json.dumps(profile_schema(), indent=2, sort_keys=True, ensure_ascii=False)
        + "\n"
    )
