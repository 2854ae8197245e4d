# The two commands: `make run` (the service) and `make test` (the whole suite).
# Both build .venv from pyproject.toml first, so a fresh clone needs nothing else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONFIG ?= feeds.toml

.PHONY: run fetch test lint typecheck check clean

$(BIN)/aggregator: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

run: $(BIN)/aggregator
	$(BIN)/aggregator --config $(CONFIG) run

fetch: $(BIN)/aggregator
	$(BIN)/aggregator --config $(CONFIG) fetch

test: $(BIN)/aggregator
	$(BIN)/ruff check aggregator tests
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(BIN)/aggregator
	$(BIN)/ruff check aggregator tests

typecheck: $(BIN)/aggregator
	$(BIN)/mypy

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .mypy_cache .ruff_cache
