"""Template syntax: placeholders parsed once; what is not allowed is located."""

from __future__ import annotations

import pytest

from tracerun.config.template import Placeholder, TemplateError, parse_template


def test_literals_and_placeholders_with_specs_and_styles() -> None:
    assert parse_template(
        "{time:%H:%M:%S} {source:>12:color} {{x}} {fields[a:b]:>3}"
    ) == (
        Placeholder("time", (), "%H:%M:%S"),
        " ",
        Placeholder("source", (), ">12", "color"),
        " {x} ",
        Placeholder("fields", ("a:b",), ">3"),
    )


def test_a_bare_unknown_name_is_a_field() -> None:
    assert parse_template("{order_id}") == (Placeholder("fields", ("order_id",)),)


@pytest.mark.parametrize(
    ("template", "message", "offset"),
    [
        ("ab {source", "this '{' is not closed", 3),
        ("ab } x", "a single '}' outside a placeholder", 3),
        ("{message.__class__}", "attribute access is not allowed", 8),
        ("{source[0]}", "only fields can be indexed, not 'source'", 7),
        ("{message!r}", "conversions (!r, !s) are not allowed", 8),
        ("x {}", "an empty placeholder name", 3),
        ("{0}", "not a placeholder name", 1),
        ("{fields}", "{fields} needs a key", 1),
        ("{level:d}", "format spec 'd' does not apply to text", 7),
        ("{source:{x}}", "a placeholder cannot contain '{'", 8),
        ("{fields[a]x}", "unexpected 'x' after 'fields'", 10),
    ],
)
def test_what_is_not_allowed_is_reported_at_its_character(
    template: str, message: str, offset: int
) -> None:
    with pytest.raises(TemplateError) as caught:
        parse_template(template)

    assert str(caught.value).startswith(message)
    assert caught.value.offset == offset
