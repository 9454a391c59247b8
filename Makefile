# Two commands: `make serve` runs the gateway locally, `make test` runs every test and template check.
# Both create .venv with python3.12 (the Lambda runtime) on first use and install pinned versions.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# python3.12 wherever it is: an explicit PYTHON312, pyenv's versions, then PATH.
PYTHON312 ?= $(shell for p in "$$(pyenv root 2>/dev/null)"/versions/3.12.*/bin/python3.12 \
	"$$HOME"/.pyenv/versions/3.12.*/bin/python3.12 /usr/local/bin/python3.12 /usr/bin/python3.12; do \
	[ -x "$$p" ] && "$$p" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null && { echo "$$p"; break; }; done)
# sam build needs python3.12 on PATH; neither SAM nor the tests may phone home.
export PATH := $(dir $(PYTHON312)):$(CURDIR)/$(BIN):$(PATH)
export SAM_CLI_TELEMETRY := 0
export AWS_DEFAULT_REGION ?= us-east-1

NODE_STAMP := node_modules/.installed
# pytest-xdist workers: each runs its own emulator and gateways on free ports.
TEST_WORKERS ?= 2
# The browser tests drive Debian's chromium (Playwright downloads no browser); root installs it directly.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help serve test test-only lint-template lint-state-machines build-template bench bench-peer soak clean chromium

help:
	@echo "make serve   run the gateway on http://127.0.0.1:8787"
	@echo "make test    install, run all tests and template checks"
	@echo "make lint    ruff, mypy (strict) and the import-layering contract (run by make test)"
	@echo "make openapi write docs/openapi.json, the API's description (also at /openapi.json and /docs)"
	@echo "make fuzz    schemathesis over every route, FUZZ_EXAMPLES (100) cases each"
	@echo "make soak    ten minutes of mixed load on tollway serve (SOAK_DURATION=seconds to change)"

$(STAMP): pyproject.toml constraints.txt
	@test -n "$(PYTHON312)" || { echo "python3.12 not found: set PYTHON312=/path/to/python3.12" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON312) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e ".[local,dev]"
	@touch $(STAMP)

serve: $(STAMP)
	$(BIN)/tollway serve --host 127.0.0.1 --port 8787

test: $(STAMP) chromium
	@$(BIN)/python -m pytest -q -n $(TEST_WORKERS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: the suite is missing" >&2; exit 1; fi; exit $$rc
	$(MAKE) --no-print-directory lint lint-template lint-state-machines build-template

chromium:
	@test -x /usr/lib/chromium/chromium || test -x /usr/bin/chromium || { \
		echo "installing chromium (Debian's package) for the console's browser tests"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

# asl-validator, pinned in package-lock.json, installed with npm ci the first time.
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(NODE_STAMP)

lint-state-machines: $(NODE_STAMP)
	npx --no-install asl-validator $(foreach f,$(wildcard statemachines/*.asl.json),--json-path $(f))

.PHONY: lint fuzz openapi

# Static checks, configured in pyproject.toml: ruff (correctness rules), mypy strict on the layer (with
# a shrinking list of modules not yet clean) and import-linter (the package order of the layer).
lint: $(STAMP)
	$(BIN)/ruff check layers functions tests bench
	$(BIN)/mypy
	PYTHONPATH=$(CURDIR)/layers/core $(BIN)/lint-imports

# The OpenAPI document of every route, built from the function apps (tests check it is current).
openapi: $(STAMP)
	PYTHONPATH=$(CURDIR)/layers/core $(BIN)/python -m tollway.local.openapi template.yaml > docs/openapi.json

# Not part of `make test`: schemathesis with many examples per route (make test runs 2).
FUZZ_EXAMPLES ?= 100
fuzz: $(STAMP)
	TOLLWAY_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/python -m pytest -q tests/integration/test_schemathesis.py

lint-template: $(STAMP)
	$(BIN)/cfn-lint template.yaml
	$(BIN)/sam validate --lint --region us-east-1

build-template: $(STAMP)
	$(BIN)/sam build --build-dir .aws-sam/build --cache-dir .aws-sam/cache --cached >/dev/null
	@echo "sam build: ok"

bench: $(STAMP)
	$(BIN)/python bench/overhead.py
	$(BIN)/python bench/cold_import.py

# Tollway beside LiteLLM's proxy and the direct path in one run of the shared harness (README: Performance).
PEER_HARNESS ?= ../shared/bench/run_peer.sh
bench-peer: $(STAMP)
	@test -f $(PEER_HARNESS) || { echo "no harness at $(PEER_HARNESS): set PEER_HARNESS=/path/to/run_peer.sh" >&2; exit 1; }
	GATEWAY_NAME=tollway GATEWAY_URL=http://127.0.0.1:8790 GATEWAY_HEALTH=http://127.0.0.1:8790/health \
	GATEWAY_MODEL=gpt-4o-mini GATEWAY_KEY=sk-tw-0123456789abcdefpeerharnesskey0000000000000000000000 \
	GATEWAY_CMD=$(CURDIR)/bench/peer_gateway.sh CALIBRATE=0 STRACE=0 bash $(PEER_HARNESS)

# Not part of `make test`: minutes of load, judged on errors, leaks and p99 drift (bench/soak.py).
SOAK_DURATION ?= 600
soak: $(STAMP)
	$(BIN)/python bench/soak.py --duration $(SOAK_DURATION)

clean:
	rm -rf $(VENV) .aws-sam .pytest_cache node_modules
