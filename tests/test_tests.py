"""The test tree mirrors the package: each test module names the module it tests."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).parent
PACKAGE = TESTS.parent / "tracerun"

# Test modules that test a whole flow rather than one module.
NOT_A_MODULE = {
    "test_tests.py",  # this file
    "test_readme.py",  # the README against the CLI
    "test_demo.py",  # the bundled demo profile traced end to end
    "test_layers.py",  # the package's imports against ARCHITECTURE.md
    "test_faults.py",  # damaged files, permissions, rotation under a read (#12)
    "sources/test_contract.py",  # every registered source type, one contract
    "test_real_logs.py",  # logs real programs wrote, traced end to end
    "sources/test_engine_smoke.py",  # the private Docker engine the tests start
    "test_sshd_harness.py",  # the private sshd hosts the ssh tests start
    "config/test_config_golden.py",  # loader + report: each error kind, verbatim
    "config/test_config_documents.py",  # loader + report: generated documents
    "extract/test_extract_parser.py",  # extract/__init__.py: Parser, build_parser
}


def module_under_test(test_file: Path) -> Path:
    """tests/config/test_config_loader.py → tracerun/config/loader.py."""
    folder = test_file.parent.relative_to(TESTS)
    stem = test_file.stem.removeprefix("test_")
    if folder.parts:
        stem = stem.removeprefix(f"{folder.parts[-1]}_")
    return PACKAGE / folder / f"{stem}.py"


def test_every_test_module_mirrors_a_package_module() -> None:
    orphans = [
        str(path.relative_to(TESTS))
        for path in sorted(TESTS.rglob("test_*.py"))
        if "helpers" not in path.parts
        and str(path.relative_to(TESTS)) not in NOT_A_MODULE
        and not module_under_test(path).is_file()
        and not (module_under_test(path).with_suffix("") / "__init__.py").is_file()
    ]

    assert orphans == [], "name test modules after the module they test"
