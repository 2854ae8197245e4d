# The two commands: `make run` (the service) and `make test` (the whole suite).
# Both build .venv from pyproject.toml first, so a fresh clone needs nothing else.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONFIG ?= feeds.toml

.PHONY: run fetch test lint typecheck bench bench-scale clean

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
	$(BIN)/ruff check aggregator tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(BIN)/aggregator
	$(BIN)/ruff check aggregator tests benchmarks

typecheck: $(BIN)/aggregator
	$(BIN)/mypy

# Side by side with reader (its own venv, built on first use): prints the table and
# writes it to docs/benchmarks.md. SIZE=small (CI, seconds), medium (minutes), full.
SIZE ?= full
bench: $(BIN)/aggregator
	$(BIN)/python -m benchmarks.bench --size $(SIZE)

# Memory and start-up with 1,000 and 100,000 configured feeds (about a minute).
bench-scale: $(BIN)/aggregator
	$(BIN)/python -m benchmarks.scale

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache .mypy_cache .ruff_cache
