# One task runner. `make test` is the README's test command and what CI runs.
VENV ?= .venv
BIN := $(VENV)/bin
PYTHON ?= python3

.PHONY: test lint types unit schema update-testdata demo bench clean engine-up engine-down

$(BIN)/tracerun: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

test: $(BIN)/tracerun      ## lint, types, the whole test suite (starts a private Docker engine)
	scripts/test

lint: $(BIN)/tracerun
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: $(BIN)/tracerun
	$(BIN)/mypy

unit: $(BIN)/tracerun      ## pytest only, against whatever engine DOCKER_HOST names
	$(BIN)/pytest

schema: $(BIN)/tracerun
	$(BIN)/tracerun schema > schemas/profile.schema.json

update-testdata: $(BIN)/tracerun
	$(BIN)/pytest tests/config --update-testdata

demo: $(BIN)/tracerun
	$(BIN)/tracerun -p demo req-7f3a9c2e

bench: $(BIN)/tracerun
	$(BIN)/python bench/run.py --all

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache
