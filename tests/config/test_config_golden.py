"""Golden tests: each profile error kind, printed exactly as `tracerun` prints it.

One folder per case in testdata/: `profile.yaml` (+ files it needs) and
`expected.txt`; regenerate with `pytest tests/config --update-testdata`. Profiles
go through `tracerun validate`'s path, so parser samples are checked too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tracerun.cli.validate import validate_profile
from tracerun.config.report import format_profile_error
from tracerun.errors import ProfileError

TESTDATA = Path(__file__).parent / "testdata"
CASES = sorted(path for path in TESTDATA.iterdir() if path.is_dir())


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_profile_error_is_printed_as_in_expected_txt(case, monkeypatch, request):
    monkeypatch.chdir(case)
    with pytest.raises(ProfileError) as caught:
        validate_profile(Path("profile.yaml"), env={"HOME": str(case)})
    text = format_profile_error(caught.value)
    expected = case / "expected.txt"
    if request.config.getoption("--update-testdata"):
        expected.write_text(text, encoding="utf-8")
    assert expected.is_file(), "no expected.txt: run pytest with --update-testdata"
    assert text == expected.read_text(encoding="utf-8")


def test_there_is_a_golden_case_for_each_error_kind():
    assert {case.name for case in CASES} >= {
        "syntax_error",
        "duplicate_key",
        "unknown_key",
        "bad_source_type",
        "bad_parser_type",
        "bad_parser_reference",
        "bad_regex",
        "bad_jmespath",
        "unknown_jmespath_function",
        "missing_env_var",
        "extends_cycle",
        "extends_missing_base",
        "newer_version",
        "missing_required_key",
        "several_problems",
        "failing_sample",
        "alias_bomb",
        "nested_too_deep",
        "extends_not_a_profile",
        "secret_in_message",
        "oversized_value",
        "bad_time_format",
        "path_too_long",
        "bad_engine_url",
        "version_not_a_number",
        "bad_template",
    }
