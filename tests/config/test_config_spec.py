"""Spec: the plain profile the pipeline reads stays in step with the pydantic model."""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Any

import pytest
from helpers.probe import run_and_check_import
from pydantic import BaseModel

from tracerun.cli.adhoc import with_adhoc
from tracerun.config import model, spec
from tracerun.config.loader import load_profile
from tracerun.plain import MISSING, Field, FrozenError, fields, is_plain, replace

ROOT = Path(__file__).resolve().parents[2]

MODELS = sorted(
    (
        cls
        for name, cls in vars(model).items()
        if isinstance(cls, type)
        and issubclass(cls, BaseModel)
        and not name.startswith("_")
        and cls.__module__ == model.__name__
    ),
    key=lambda cls: cls.__name__,
)


def spec_default(f: Field) -> Any:
    if f.factory is not MISSING:
        return f.factory()
    return f.default


def test_every_model_class_is_checked() -> None:
    names = [cls.__name__ for cls in MODELS]
    assert "Profile" in names
    assert "DockerSourceConfig" in names
    assert len(names) == 25


@pytest.mark.parametrize("cls", MODELS, ids=lambda cls: cls.__name__)
def test_spec_class_has_the_model_fields_and_defaults(cls: type[BaseModel]) -> None:
    plain = getattr(spec, cls.__name__)
    found = {f.name: f for f in fields(plain)}
    assert set(found) == set(cls.model_fields)
    for name, info in cls.model_fields.items():
        if info.is_required():
            # Only a one-value Literal (`type`, `version`) may gain a default: that value.
            if found[name].default is not MISSING:
                assert typing.get_origin(info.annotation) is typing.Literal, name
                assert typing.get_args(info.annotation) == (found[name].default,)
            continue
        default = info.get_default(call_default_factory=True)
        assert spec_default(found[name]) == model._spec_of(default), name


def walk(value: Any) -> list[Any]:
    """Every object inside a spec value, itself included."""
    found = [value]
    if is_plain(value):
        for f in fields(value):
            found += walk(getattr(value, f.name))
    elif isinstance(value, dict):
        for item in value.values():
            found += walk(item)
    elif isinstance(value, list):
        for item in value:
            found += walk(item)
    return found


def test_demo_profile_converts_to_plain_classes_all_the_way_down() -> None:
    plain = model.to_spec(load_profile(ROOT / "profiles" / "demo.yaml"))

    everything = walk(plain)
    assert not [v for v in everything if isinstance(v, BaseModel)]
    assert {type(v).__name__ for v in everything if is_plain(v)} >= {
        "Profile",
        "FileSourceConfig",
        "RegexParserConfig",
        "JsonParserConfig",
        "TimeConfig",
        "SampleConfig",
    }
    assert list(plain.sources) == [
        "gateway",
        "orders",
        "inventory",
        "payments",
        "worker",
    ]
    payments = plain.sources["payments"]
    assert isinstance(payments, spec.FileSourceConfig)
    assert payments.paths == [str(ROOT / "examples/logs/payments/payments.log")]
    assert payments.parser == "pylog"
    assert payments.multiline == spec.MultilineConfig(start=r"^\d{4}-\d{2}-\d{2} ")


def test_spec_objects_are_frozen() -> None:
    plain = spec.Profile(sources={"a": spec.FileSourceConfig(paths=["x"])})
    with pytest.raises(FrozenError, match=r"^cannot assign to field 'timezone'$"):
        plain.timezone = "Europe/Berlin"  # type: ignore[misc]


def test_adhoc_profile_equals_the_validated_one(tmp_path: Path) -> None:
    log = tmp_path / "orders.log"
    log.write_text("x\n")
    validated = model.to_spec(
        model.Profile(
            version=1, sources={"orders": {"type": "file", "paths": [str(log)]}}
        )
    )
    adhoc = with_adhoc(None, {"file": (str(log),)})

    # The ad hoc config is a FileSourceConfig that also knows its flag's group
    # (sources/file/adhoc.py); as a spec, it is the validated one.
    assert list(adhoc.sources) == list(validated.sources)
    config, twin = adhoc.sources["orders"], validated.sources["orders"]
    assert isinstance(config, spec.FileSourceConfig)
    assert {f.name: getattr(config, f.name) for f in fields(twin)} == {
        f.name: getattr(twin, f.name) for f in fields(twin)
    }
    assert replace(adhoc, sources={}) == replace(validated, sources={})


def test_compose_labels_and_label_lists_become_filters() -> None:
    config = spec.DockerSourceConfig(
        labels=["tier=back"], compose=spec.ComposeSelectorConfig(project="shop")
    )
    assert config.label_filters() == ["tier=back", "com.docker.compose.project=shop"]


def test_an_adhoc_trace_never_imports_pydantic(tmp_path: Path) -> None:
    log = tmp_path / "a.log"
    log.write_text("2026-03-20T14:10:00Z hello request_id=abc\n")
    code, imported, out = run_and_check_import(
        ["--path", str(log), "abc", "-o", "ndjson"], "pydantic"
    )
    assert (code, imported) == (0, False)
    assert '"message":"hello"' in out
