# Two commands do everything on a fresh machine: `make demo` and `make test`.
# The first run creates .venv; each target installs only what it needs: the demo the app alone,
# a real call the app and its built-in tunnel, the tests the app with its test and build tools.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
APP := $(VENV)/.installed-app
CALL := $(VENV)/.installed-call
DEV := $(VENV)/.installed-dev

.PHONY: demo run test test-fast lint bench exe icons clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(APP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(CALL): $(APP)
	$(BIN)/python -m pip install -q -e '.[tunnel]'
	touch $@

$(DEV): $(APP)
	$(BIN)/python -m pip install -q -e '.[test,build,tunnel]'
	touch $@

demo: $(APP)  ## the console with the embedded simulator running the TeamMeeting scenario
	$(BIN)/moderator --demo

run: $(CALL)  ## the console against real Twilio
	$(BIN)/moderator

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint  ## lint, types, then every test (the executable build included)
	$(BIN)/pytest

test-fast: $(DEV)  ## the edit-and-rerun loop: every test but the builds and the e2e processes, 20 cases a property
	$(BIN)/pytest -q -m "not build and not e2e" --hypothesis-profile=loop

bench: $(DEV)  ## every speed figure as one JSON object (`--quick`: about four minutes, half the test loop)
	$(BIN)/python -m benchmarks --quick

exe: $(DEV)  ## the one-file executable under dist/
	$(BIN)/python build_spec.py --onefile

icons: $(APP)  ## render resources/icons/app.svg into resources/executable/ (.ico, .icns, .png)
	$(BIN)/python packaging/icons.py

clean:
	rm -rf build dist .pytest_cache .ruff_cache .mypy_cache
	rm -rf moderator/resources  # the old layout's __pycache__ (resources are in resources/)
