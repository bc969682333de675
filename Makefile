# Everything the project needs is installed by these targets; nothing by hand.
# `make demo` and `make test` are the two commands of the README's quickstart.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(shell command -v uv 2>/dev/null || echo $(TOOLS)/bin/uv)
VENV := .venv
BIN := $(VENV)/bin
export UV_PYTHON_DOWNLOADS := never

.PHONY: setup serve test lint typecheck pytest bench clean sysdeps

setup: $(VENV)/.synced

$(TOOLS)/bin/uv:
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --all-groups
	touch $@

serve: setup
	$(BIN)/portfolio serve --workers 2

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: setup
	$(BIN)/mypy src

# System packages the tests need (wrk for the bench, goaccess for cross-checks, ...).
sysdeps:
	bash scripts/ensure-sysdeps.sh

pytest: setup sysdeps
	$(BIN)/pytest

test: lint typecheck pytest

bench: setup sysdeps
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) $(TOOLS) .mypy_cache .ruff_cache .pytest_cache
