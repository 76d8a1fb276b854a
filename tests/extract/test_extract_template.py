"""tracerun/extract/template.py: Serilog message templates rendered as Serilog does."""

import pytest

from tracerun.extract.template import render_template


@pytest.mark.parametrize(
    ("template", "fields", "expected"),
    [
        # Serilog CompactJsonFormatter (tests/testdata/real/documented/serilog-clef.log)
        ("Order {OrderId} received", {"OrderId": 1}, "Order 1 received"),
        ("Charged {Amount:0.00}", {"Amount": 61, "@r": ["61.00"]}, "Charged 61.00"),
        ("User {Name} in", {"Name": "bob"}, 'User "bob" in'),
        ("User {Name:l} in", {"Name": "bob"}, "User bob in"),
        ("Got {@Order}", {"Order": {"id": 1}}, 'Got {"id":1}'),
        ("Missing {Nope} {{braces}}", {}, "Missing {Nope} {braces}"),
        ("Plain text", {}, "Plain text"),
    ],
)
def test_templates_render_like_serilog(template, fields, expected):
    assert render_template(template, fields) == expected
