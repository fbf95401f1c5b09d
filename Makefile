# Two commands do everything on a fresh machine: `make demo` and `make test`.
# The first run creates .venv and installs the project with its test and build tools.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo run test test-fast lint bench exe clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test,build,tunnel]'
	touch $(STAMP)

demo: $(STAMP)  ## the console with the embedded simulator running the TeamMeeting scenario
	$(BIN)/moderator --demo

run: $(STAMP)  ## the console against real Twilio
	$(BIN)/moderator

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint  ## lint, types, then every test (the executable build included)
	$(BIN)/pytest

test-fast: $(STAMP)  ## the edit-and-rerun loop: every test but the builds and the e2e processes
	$(BIN)/pytest -q -m "not build and not e2e"

bench: $(STAMP)  ## every speed figure as one JSON object (`--quick`: under two minutes)
	$(BIN)/python -m benchmarks --quick

exe: $(STAMP)  ## the one-file executable under dist/
	$(BIN)/python build_spec.py --onefile

clean:
	rm -rf build dist .pytest_cache .ruff_cache .mypy_cache
