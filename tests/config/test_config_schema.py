"""tracerun/config/schema.py and the committed schemas/profile.schema.json."""

from __future__ import annotations

import json
from pathlib import Path

from tracerun.config.schema import SCHEMA_ID, profile_schema, schema_json

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schemas/profile.schema.json"


def test_committed_schema_matches_the_model(request):
    if request.config.getoption("--update-testdata"):
        SCHEMA_FILE.write_text(schema_json(), encoding="utf-8")
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    assert committed == schema_json(), "schema drifted: run `make schema`"


def test_schema_text_is_stable_sorted_and_ends_with_newline():
    text = schema_json()
    assert text == schema_json()
    assert text.endswith("}\n")
    assert (
        text
        == json.dumps(json.loads(text), indent=2, sort_keys=True, ensure_ascii=False)
        + "\n"
    )


def test_schema_has_id_title_and_draft():
    schema = profile_schema()
    assert schema["$id"] == SCHEMA_ID
    assert schema["title"] == "tracerun profile"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def _objects(schema):
    yield "Profile", schema
    yield from schema["$defs"].items()


def _properties(schema):
    """Every (model.field, spec) in the schema, found by walking all of it."""

    def walk(node, owner):
        if isinstance(node, dict):
            for field, spec in node.get("properties", {}).items():
                yield f"{owner}.{field}", spec
            for key, value in node.items():
                inner = key if key in schema["$defs"] and owner == "$defs" else owner
                yield from walk(value, inner)
        elif isinstance(node, list):
            for item in node:
                yield from walk(item, owner)

    yield from walk({k: v for k, v in schema.items() if k != "$defs"}, "Profile")
    yield from walk(schema["$defs"], "$defs")


def test_the_walk_finds_the_fields_of_every_model():
    found = {path for path, _ in _properties(profile_schema())}
    assert {"Profile.version", "TimeConfig.format", "SampleConfig.expect"} <= found
    assert {path.split(".")[0] for path in found} == {
        "Profile",
        *profile_schema()["$defs"],
    }


def test_every_field_has_a_description_and_an_example():
    fields = list(_properties(profile_schema()))
    no_description = [path for path, spec in fields if not spec.get("description")]
    no_example = [path for path, spec in fields if not spec.get("examples")]
    assert (no_description, no_example) == ([], [])


def test_every_model_has_a_description():
    assert [
        name for name, obj in _objects(profile_schema()) if not obj.get("description")
    ] == []


def test_examples_given_in_the_model_reach_the_schema():
    defs = profile_schema()["$defs"]
    assert defs["FileSourceConfig"]["properties"]["paths"]["examples"] == [
        ["./logs/orders/*.log*"]
    ]
    assert defs["DockerSourceConfig"]["properties"]["containers"]["examples"]


def test_unknown_keys_are_forbidden_everywhere():
    assert [
        name
        for name, obj in _objects(profile_schema())
        if obj.get("type") == "object" and obj.get("additionalProperties") is not False
    ] == []
