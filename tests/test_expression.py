import pickle

import pytest

from tracerun.errors import EvaluationError, ExpressionError
from tracerun.expression import compare, compile_expression, truthy


def rejected(text):
    with pytest.raises(ExpressionError) as info:
        compile_expression(text)
    return info.value


def failure(text, data):
    with pytest.raises(EvaluationError) as info:
        compile_expression(text).search(data)
    return info.value


def test_unknown_function_is_rejected_before_reading_with_the_closest_name():
    error = rejected("level == 'x' || contians(message, 'a')")

    assert str(error) == "unknown function contians()"
    assert (error.offset, error.width) == (16, 8)
    assert error.hint.startswith(
        "did you mean contains()? JMESPath functions: abs, avg"
    )


def test_wrong_number_of_arguments_is_rejected_with_the_signature():
    error = rejected("contains(message)")

    assert str(error) == "contains() takes 2 arguments, got 1"
    assert error.hint == "write contains(array|string, any)"
    assert str(rejected("not_null()")) == "not_null() takes at least 1 argument, got 0"


def test_literal_of_the_wrong_type_is_rejected():
    error = rejected("abs('5') > `1`")

    assert str(error) == "abs() needs a number as argument 1, got a string"
    assert (
        error.hint == "in JMESPath `500` is a number, '500' a string, `true` a boolean"
    )


def test_expression_reference_only_where_a_function_takes_one():
    assert str(rejected("sort_by(items, price)")) == (
        "sort_by() needs an &expression as argument 2"
    )
    error = rejected("to_string(&price)")
    assert (
        str(error)
        == "'&' makes an expression reference, which only a function can take"
    )
    assert error.offset == 10
    assert (
        compile_expression("max_by(items, &price).id").search(
            {"items": [{"price": 1, "id": "a"}, {"price": 3, "id": "b"}]}
        )
        == "b"
    )


def test_slice_step_zero_is_rejected():
    assert str(rejected("items[::0]")) == "a slice step cannot be 0"


def test_syntax_error_says_where_it_ends():
    error = rejected("a ||")

    assert str(error) == "not a valid JMESPath expression: it ends too early"
    assert (error.offset, error.hint) == (
        2,
        "it ends with '||': write what follows it, or remove it",
    )


@pytest.mark.parametrize("text", ["", "  ", "\t\n"])
def test_an_empty_expression_is_named_empty_not_an_unclosed_bracket(text):
    error = rejected(text)

    assert (str(error), error.offset, error.hint) == (
        "an empty expression",
        None,
        "write a field name or a JMESPath expression there, or remove it",
    )


def test_deep_nesting_is_rejected_not_a_crash():
    error = rejected("(" * 5000 + "a" + ")" * 5000)

    assert str(error) == "not a valid JMESPath expression: it is nested too deeply"


def test_type_error_at_run_time_names_the_function_and_types():
    error = failure("abs(message)", {"message": "boom"})

    assert error.reason == "abs() needs a number, got a string"
    assert (
        error.hint == "to_number(x) reads a number from text (null when it is not one)"
    )
    missing = failure("contains(path, 'api')", {})
    assert missing.reason == "contains() needs an array or a string, got null"


def test_python_errors_inside_a_function_are_evaluation_errors():
    error = failure("ceil(x)", {"x": float("inf")})

    assert error.reason == "ceil() failed: cannot convert float infinity to integer"
    assert failure("max_by(@, &a)", [{"a": 1}, {"a": "b"}]).reason.startswith(
        "max_by() failed: "
    )


@pytest.mark.parametrize(
    ("op", "left", "right", "expected"),
    [
        ("gte", "503", 500, True),  # a regex capture against a number
        ("gte", 503, 500, True),  # a JSON number
        ("lt", "20", "100", True),  # two numeric strings compare as numbers
        ("lt", "b", "a", False),  # other strings compare as text
        ("gt", "abc", 1, None),  # a word cannot be ordered against a number
        ("gt", True, 0, None),
        ("gt", None, 0, None),
        ("gte", "1e3", 999, True),
        ("gte", "9" * 5000, 1, True),  # more digits than int() reads: a float
        ("eq", "500", 500, True),  # equality compares text
        ("eq", 500, "500", True),
        ("eq", "500.0", 500, False),
        ("eq", "true", True, True),
        ("ne", "503", 503, False),
        ("eq", 1, True, False),  # JMESPath: 1 is not true
        ("eq", {"a": [1]}, {"a": [1]}, True),
    ],
)
def test_comparisons_work_the_way_a_user_writes_them(op, left, right, expected):
    assert compare(op, left, right) is expected


def test_the_same_comparison_holds_on_regex_and_json_fields():
    expressions = ["status >= `500`", "status == '503'", "status == `503`"]

    for text in expressions:
        expression = compile_expression(text)
        assert [expression.search({"status": s}) for s in ("503", 503, "200", 200)] == [
            True,
            True,
            False,
            False,
        ], text


def test_truthiness_is_jmespath_s():
    values = [None, False, "", [], {}, 0, "0", [0], {"a": None}, True]

    assert [truthy(v) for v in values] == [False] * 5 + [True] * 5


def test_an_expression_pickles_as_its_text():
    expression = pickle.loads(pickle.dumps(compile_expression("a || b")))

    assert (expression.text, expression.search({"b": 2})) == ("a || b", 2)
