"""Expressions: JMESPath text → a checked Expression, and its value over a record.

One owner for every JMESPath the user writes (--where, --exit-on, a parser's
`fields:`): what can be known before reading is checked at compile time (syntax,
unknown functions, arity, a literal or `&expr` of the wrong kind); what goes
wrong on one record at run time is an EvaluationError, never an exception from
jmespath or Python. Comparisons follow what a user writes on any parser (a regex
capture "503" and a JSON 503 compare alike). jmespath is imported on first use.
"""

from __future__ import annotations

import functools
import itertools
import operator
import re
from collections.abc import Callable, Sequence
from typing import Any

from tracerun.errors import EvaluationError, ExpressionError

_TRAILING_OPERATOR = re.compile(r"[^\w\s\])}'\"`@*]+$")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "lt": operator.lt,
    "lte": operator.le,
    "gt": operator.gt,
    "gte": operator.ge,
}
_GRAMMAR = "see https://jmespath.org/specification.html for the grammar"
_NOUNS = {
    "number": "a number",
    "string": "a string",
    "boolean": "a boolean",
    "array": "an array",
    "object": "an object",
    "null": "null",
    "expref": "an &expression",
}
_PYTHON_TYPES = {
    "str": "string",
    "int": "number",
    "float": "number",
    "bool": "boolean",
    "list": "array",
    "dict": "object",
    "NoneType": "null",
}


class Expression:
    """A compiled, checked JMESPath expression; `search` fails only as EvaluationError."""

    __slots__ = ("_parsed", "text")

    def __init__(self, text: str, parsed: Any) -> None:
        self.text = text
        self._parsed = parsed

    def __reduce__(self) -> tuple[Callable[[str], Expression], tuple[str]]:
        """Pickle as the text (worker processes compile it again)."""
        return (compile_expression, (self.text,))

    def search(self, data: Any) -> Any:
        """Evaluate over `data` (a record's fields or view).

        Raises:
            EvaluationError: the expression cannot be evaluated on this data.
        """
        from jmespath.exceptions import JMESPathError  # noqa: PLC0415 - loaded by compile

        try:
            return _interpreter().visit(self._parsed, data)
        except JMESPathError as exc:
            raise _runtime_error(exc) from None
        except (TypeError, ValueError, ArithmeticError, RecursionError) as exc:
            raise EvaluationError(_first_line(exc), _FAILED_HINT) from None


def compile_expression(text: str) -> Expression:
    """Compile and check a JMESPath expression.

    Raises:
        ExpressionError: invalid syntax, or a call that can never work (an
            unknown function, a wrong number of arguments, a literal of the
            wrong type, `&expr` where none is taken).
    """
    if not text.strip():
        msg = "an empty expression"
        hint = "write a field name or a JMESPath expression there, or remove it"
        raise ExpressionError(msg, None, hint)
    import jmespath  # noqa: PLC0415 - lazy: +7 ms, only for real expressions
    from jmespath.exceptions import JMESPathError  # noqa: PLC0415

    try:
        parsed = jmespath.compile(text).parsed
    except JMESPathError as exc:
        raise syntax_error(text, exc) from None
    except RecursionError:
        msg = "not a valid JMESPath expression: it is nested too deeply"
        raise ExpressionError(msg, None, "write it with fewer brackets") from None
    _check(text, parsed, expref_ok=False)
    return Expression(text, parsed)


def truthy(value: Any) -> bool:
    """JMESPath truth: false, null, "", [] and {} are false; everything else (0 too) true."""
    if value is None or value is False:
        return False
    if type(value) in (str, list, dict):
        return len(value) > 0
    return True


def compare(op: str, left: Any, right: Any) -> bool | None:
    """Compare two values the way a user means it on any parser.

    `==`/`!=` between a string and a number or boolean compare text (`"503"`
    equals `503`, `"true"` equals `true`), as a key=value term does; otherwise
    JMESPath equality. Ordering treats a numeric string as its number; two
    other strings compare as text; anything else cannot be ordered (None, no
    match, never an exception).
    """
    if op == "eq":
        return _equal(left, right)
    if op == "ne":
        return not _equal(left, right)
    a, b = _orderable(left), _orderable(right)
    if a is None or b is None:
        return None
    if type(a) is str or type(b) is str:
        if type(left) is not str or type(right) is not str:
            return None
        a, b = left, right
    return _ORDER[op](a, b)


def syntax_error(text: str, exc: Exception) -> ExpressionError:
    """Describe why jmespath could not compile `text`, with where and a hint."""
    from jmespath import exceptions  # noqa: PLC0415 - loaded by compile

    head = "not a valid JMESPath expression"
    position = getattr(exc, "lex_position", None)
    offset = position if isinstance(position, int) else None
    if isinstance(exc, exceptions.IncompleteExpressionError):
        before = text.rstrip()
        tail = _TRAILING_OPERATOR.search(before)
        message = f"{head}: it ends too early"
        if tail is None:
            hint = "a bracket or quote opened here is not closed"
            return ExpressionError(message, len(before), hint)
        hint = f"it ends with {tail[0]!r}: write what follows it, or remove it"
        return ExpressionError(message, tail.start(), hint, len(tail[0]))
    if isinstance(exc, exceptions.LexerError):
        reason = str(getattr(exc, "message", "") or _first_line(exc)).rstrip(":")
        return ExpressionError(f"{head}: {reason.lower()}", offset)
    token = getattr(exc, "token_value", None)
    if token is not None and offset is not None:
        message = f"{head}: unexpected {token!r} at column {offset + 1}"
        return ExpressionError(message, offset, _GRAMMAR, len(str(token)))
    return ExpressionError(f"{head}: {_first_line(exc)}", offset, _GRAMMAR)


_FAILED_HINT = (
    "such records hold a value it cannot take; test the value first, "
    "e.g. type(x) == 'number' && …"
)
_CONVERT_HINT = (
    "test the type first, e.g. type(x) == 'string' && …, or convert with "
    "to_string(x) / to_number(x)"
)


def _equal(left: Any, right: Any) -> bool:
    if type(left) is str and type(right) in (int, float, bool):
        return left == _text(right)
    if type(right) is str and type(left) in (int, float, bool):
        return right == _text(left)
    if (type(left) is bool) != (type(right) is bool) and (
        type(left) in (int, float) or type(right) in (int, float)
    ):
        return False  # JMESPath: 1 is not true, 0 is not false
    result: bool = left == right
    return result


def _text(value: float) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value)


def _orderable(value: Any) -> int | float | str | None:
    kind = type(value)
    if kind is int or kind is float:
        return value  # type: ignore[no-any-return]
    if kind is not str:
        return None
    if _NUMBER.fullmatch(value) is None:
        return value  # type: ignore[no-any-return]
    try:
        return int(value)
    except ValueError:  # a fraction, an exponent, or more digits than int() reads
        return float(value)


@functools.cache
def _interpreter() -> Any:
    """Build the one interpreter (stateless between calls) when first needed."""
    from jmespath import visitor  # noqa: PLC0415 - lazy: +7 ms
    from jmespath.exceptions import JMESPathError  # noqa: PLC0415

    class Interpreter(visitor.TreeInterpreter):
        def visit_comparator(self, node: Any, value: Any) -> Any:
            left = self.visit(node["children"][0], value)
            right = self.visit(node["children"][1], value)
            return compare(node["value"], left, right)

        def visit_function_expression(self, node: Any, value: Any) -> Any:
            try:
                return super().visit_function_expression(node, value)
            except JMESPathError:
                raise
            except (TypeError, ValueError, ArithmeticError) as exc:
                reason = f"{node['value']}() failed: {exc}"
                raise EvaluationError(reason, _FAILED_HINT) from None

    return Interpreter()


def _runtime_error(exc: Exception) -> EvaluationError:
    from jmespath import exceptions  # noqa: PLC0415 - loaded by compile

    if isinstance(exc, exceptions.JMESPathTypeError):
        expected = " or ".join(_noun(t) for t in exc.expected_types)
        got = _noun(str(exc.actual_type))
        reason = f"{exc.function_name}() needs {expected}, got {got}"
        return EvaluationError(reason, _type_hint(exc.expected_types, got))
    return EvaluationError(_first_line(exc), _CONVERT_HINT)


def _type_hint(expected: Sequence[str], got: str) -> str:
    if got == "null":
        return "the value is missing from such records; test it first, e.g. x && …"
    if "number" in expected and got == "a string":
        return "to_number(x) reads a number from text (null when it is not one)"
    if "string" in expected:
        return "to_string(x) turns a number or boolean into text"
    return _CONVERT_HINT


def _noun(kind: str) -> str:
    base, _, sub = kind.partition("-")
    base = _PYTHON_TYPES.get(base, base)
    if sub:
        return f"an array of {_PYTHON_TYPES.get(sub, sub)}s"
    return _NOUNS.get(base, base)


def _check(text: str, node: Any, *, expref_ok: bool) -> None:
    """Reject what fails on every record, before anything is read."""
    kind = node["type"]
    if kind == "expref" and not expref_ok:
        msg = "'&' makes an expression reference, which only a function can take"
        hint = "map(), sort_by(), min_by() and max_by() take one, e.g. sort_by(items, &price)"
        raise ExpressionError(msg, _token_at(text, "expref", "&"), hint)
    if kind == "slice" and node["children"][2] == 0:
        msg = "a slice step cannot be 0"
        raise ExpressionError(msg, None, "write [::1] to take every element")
    if kind == "function_expression":
        _check_call(text, node)
        return
    for child in node.get("children", ()):
        if isinstance(child, dict):
            _check(text, child, expref_ok=False)


def _check_call(text: str, node: Any) -> None:
    import difflib  # noqa: PLC0415 - only for an error

    from jmespath.functions import Functions  # noqa: PLC0415 - loaded by compile

    name, args = node["value"], node["children"]
    table: dict[str, Any] = Functions.FUNCTION_TABLE
    at, width = _call_at(text, name), len(name)
    if name not in table:
        close = difflib.get_close_matches(name, list(table), n=1)
        guess = f"did you mean {close[0]}()? " if close else ""
        hint = f"{guess}JMESPath functions: {', '.join(sorted(table))}"
        msg = f"unknown function {name}()"
        raise ExpressionError(msg, at, hint, width)
    signature = table[name]["signature"]
    variadic = bool(signature and signature[-1].get("variadic"))
    if len(args) < len(signature) or (len(args) > len(signature) and not variadic):
        least = "at least " if variadic else ""
        count = len(signature)
        msg = f"{name}() takes {least}{count} argument{'s' * (count != 1)}, got {len(args)}"
        raise ExpressionError(msg, at, f"write {_usage(name, signature)}", width)
    for index, arg in enumerate(args):
        types = signature[min(index, len(signature) - 1)]["types"]
        _check_argument(text, name, index, arg, types, signature)
        _check(text, arg, expref_ok="expref" in types)


def _check_argument(
    text: str, name: str, index: int, arg: Any, types: list[str], signature: Any
) -> None:
    allowed = {t.partition("-")[0] for t in types}
    if not allowed:
        return
    at, width = _call_at(text, name), len(name)
    expected = " or ".join(_noun(t) for t in types)
    if allowed == {"expref"} and arg["type"] != "expref":
        msg = f"{name}() needs {expected} as argument {index + 1}"
        raise ExpressionError(msg, at, f"write {_usage(name, signature)}", width)
    if arg["type"] == "literal":
        got = _PYTHON_TYPES.get(type(arg["value"]).__name__, "?")
        if got not in allowed:
            msg = f"{name}() needs {expected} as argument {index + 1}, got {_noun(got)}"
            hint = "in JMESPath `500` is a number, '500' a string, `true` a boolean"
            raise ExpressionError(msg, at, hint, width)


def _usage(name: str, signature: Any) -> str:
    params = [
        "|".join(t.replace("expref", "&expr") for t in p["types"]) or "any"
        for p in signature
    ]
    if signature and signature[-1].get("variadic"):
        params.append("…")
    return f"{name}({', '.join(params)})"


def _call_at(text: str, name: str) -> int | None:
    """Offset of the first call of function `name` in `text` (for the caret)."""
    tokens = _tokens(text)
    for token, after in itertools.pairwise(tokens):
        if token["value"] == name and after["type"] == "lparen":
            return int(token["start"])
    return None


def _token_at(text: str, kind: str, value: str) -> int | None:
    found = (t for t in _tokens(text) if t["type"] == kind and t["value"] == value)
    token = next(found, None)
    return None if token is None else int(token["start"])


def _tokens(text: str) -> list[Any]:
    from jmespath.lexer import Lexer  # noqa: PLC0415 - loaded by compile

    return list(Lexer().tokenize(text))


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
