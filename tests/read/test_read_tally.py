import pickle

from tracerun.errors import EvaluationError, OnceWarning
from tracerun.read.tally import Miss, Tally, excerpt, where


def test_miss_keeps_the_first_line_and_the_first_detail_given():
    miss = Miss()
    miss.note(4)
    miss.note(9, "rid")
    miss.note(12, "other")

    assert miss == Miss(3, 4, "rid")


def test_joined_pieces_shift_lines_by_the_lines_before_them():
    first, second = Tally(), Tally()
    second.unparsed.note(3, "{oops")
    second.fail('--where "abs(x)"', EvaluationError("abs() failed", "hint"), 5, "no")
    first.add(Tally(), 100)
    first.add(second, 100)

    assert first.unparsed == Miss(1, 103, "{oops")
    assert first.failures['--where "abs(x)"'].line == 105


def test_each_failing_expression_is_one_warning_keyed_by_the_expression():
    tally = Tally()
    error = EvaluationError("abs() needs a number, got a string", "use to_number")
    tally.fail(
        '--where "abs(message)"', error, 12, "records where it fails do not match"
    )
    tally.fail(
        '--where "abs(message)"', error, 30, "records where it fails do not match"
    )

    [warning] = tally.failure_warnings("orders.log")

    assert warning == (
        '--where "abs(message)": abs() needs a number, got a string at orders.log:12; '
        "records where it fails do not match"
    )
    assert (warning.key, warning.hint) == ('--where "abs(message)"', "use to_number")


def test_a_once_warning_survives_the_trip_back_from_a_worker_process():
    warning = pickle.loads(pickle.dumps(OnceWarning("text", "key", "hint")))

    assert (warning, warning.key, warning.hint, type(warning)) == (
        "text",
        "key",
        "hint",
        OnceWarning,
    )


def test_places_and_excerpts():
    assert (where("a.log", 3), where("a.log", 0)) == ("a.log:3", "a.log")
    assert excerpt("x" * 61) == "x" * 60 + "…"
    assert excerpt("short") == "short"


def test_a_tally_survives_the_trip_back_from_a_worker_process():
    tally = Tally()
    tally.unkeyed.note(4, "rid")
    tally.fail('--where "x"', EvaluationError("why", "hint"), 9, "effect")

    copy = pickle.loads(pickle.dumps(tally))

    assert copy.unkeyed == Miss(1, 4, "rid")
    assert [(f.subject, f.reason, f.line) for f in copy.failures.values()] == [
        ('--where "x"', "why", 9)
    ]
