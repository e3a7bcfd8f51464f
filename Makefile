# copier-pypi-release: the template repo's own tasks. `make help` lists them.

.DEFAULT_GOAL := help
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
MAKEFLAGS += --no-builtin-rules

VENV := .venv
BIN := $(VENV)/bin
# The uv that drives everything: bootstrapped with pip at the version uv.lock also pins.
UV_PIN := $(shell sed -n 's/^ *"uv==\([0-9.]*\)".*/\1/p' pyproject.toml)
SYNCED := $(VENV)/.synced
# The tests run generated repos that call uv, make and copier from this venv.
export PATH := $(abspath $(BIN)):$(PATH)
# Byte-compile at install so every copier start is fast, whatever PYTHONDONTWRITEBYTECODE says.
export UV_COMPILE_BYTECODE := 1
PYTEST_WORKERS ?= auto
DEMO_DIR ?= build/demo
# The generated repos' semantic-release toolchain, installed once from the template's own lockfile.
RELEASE_TOOLS := build/release-tools

.PHONY: help
help: ## List every target with a one-line description
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  %-14s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(BIN)/uv: pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_PIN)"
	touch $@

$(SYNCED): $(BIN)/uv uv.lock pyproject.toml
	$(BIN)/uv sync --locked --quiet
	touch $@

.PHONY: venv
venv: $(SYNCED) ## Create .venv with the locked tooling (copier, uv, pytest, ...)

$(RELEASE_TOOLS)/node_modules/.package-lock.json: template/package.json template/package-lock.json
	rm -rf $(RELEASE_TOOLS) && mkdir -p $(RELEASE_TOOLS)
	cp template/package.json template/package-lock.json $(RELEASE_TOOLS)/
	cd $(RELEASE_TOOLS) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

.PHONY: release-tools
release-tools: $(RELEASE_TOOLS)/node_modules/.package-lock.json ## Install the generated repos' semantic-release toolchain (npm ci)

.PHONY: test
test: venv release-tools ## Run the whole suite, including the generated repos' own make targets
	$(BIN)/pytest -n $(PYTEST_WORKERS)

.PHONY: test-fast
test-fast: venv ## Run the render-only tier (no generated make targets)
	$(BIN)/pytest -n $(PYTEST_WORKERS) -m "not slow"

.PHONY: demo
demo: venv release-tools ## The whole flow on embedded defaults: render, check, release, publish, install
	$(BIN)/python -m tools.demo "$(DEMO_DIR)"

.PHONY: bench
bench: venv release-tools ## Benchmarks: copy, release and publish times (medians, with baselines)
	$(BIN)/python -m bench.copy_time
	$(BIN)/python -m bench.copy_phases
	$(BIN)/python -m bench.release_time
	$(BIN)/python -W ignore::DeprecationWarning -m bench.publish_time

.PHONY: new
new: new-args venv ## Interactively render a new package: make new DEST=path/to/package
	$(BIN)/copier copy --trust "$(CURDIR)" "$(DEST)" # absolute: the answers record it for copier update

# Before the venv is built: a missing DEST or terminal needs saying at once.
.PHONY: new-args
new-args:
	@test -n "$(DEST)" || { echo "usage: make new DEST=path/to/package" >&2; exit 2; }
	@test -t 0 || { echo "make new asks questions, so it needs a terminal; without one: make venv, then .venv/bin/copier copy --trust --defaults -d project_name=... -d author_name=... -d author_email=... -d github_owner=... $(CURDIR) $(DEST)" >&2; exit 2; }

# The template's scripts lint with their own settings (template/scripts/ruff.toml), as in generated repos.
TEMPLATE_RUFF := template/scripts

.PHONY: lint
lint: venv ## Lint this repo's Python (ruff), and the template's scripts as generated repos lint them
	$(BIN)/ruff check tests tools bench hooks
	$(BIN)/ruff format --check tests tools bench hooks
	$(BIN)/ruff check $(TEMPLATE_RUFF)
	$(BIN)/ruff format --check $(TEMPLATE_RUFF)

.PHONY: format
format: venv ## Format this repo's Python (ruff), and the template's scripts with their own settings
	$(BIN)/ruff check --fix tests tools bench hooks
	$(BIN)/ruff format tests tools bench hooks
	$(BIN)/ruff check --fix $(TEMPLATE_RUFF)
	$(BIN)/ruff format $(TEMPLATE_RUFF)

.PHONY: clean
clean: ## Remove the venv, build/ (demo output, the npm release toolchain) and caches
	rm -rf $(VENV) build .pytest_cache .ruff_cache
