# Kaohe: the two commands are `make run` and `make test`; both start with `make setup`.
# Each step leaves a stamp in .stamps/ and reruns only when its inputs change.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .stamps
# Python 3.13 (or 3.12): pyenv picks 3.13 from .python-version; otherwise the first one found.
PYTHON ?= $(shell for p in python3.13 python3.12 python3; do \
	  if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; \
	  then command -v $$p; break; fi; done)

export DJANGO_SETTINGS_MODULE := kaohe.settings

.PHONY: setup install run test test-fast lint fmt check clean system python assets messages db

# install: everything the code needs; setup: that, plus the development database with the demo school.
install: system python assets messages
setup: install db

system:
	@bash scripts/install-system-deps.sh

python: $(STAMPS)/python
$(STAMPS)/python: requirements-dev.lock
	@test -n "$(PYTHON)" || { echo "Kaohe needs Python 3.12 or 3.13 (python3.13 not found)."; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	@mkdir -p $(STAMPS) && touch $@

assets: $(STAMPS)/assets
$(STAMPS)/assets: package-lock.json scripts/copy-vendor.mjs
	@command -v npm >/dev/null || { echo "Kaohe needs Node.js and npm to install its browser assets."; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	node scripts/copy-vendor.mjs
	@mkdir -p $(STAMPS) && touch $@

messages: $(STAMPS)/messages
$(STAMPS)/messages: kaohe/locale/zh_Hans/LC_MESSAGES/django.po $(STAMPS)/python
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v 0
	@touch $@

db: python
	@mkdir -p var
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py load_demo

# The web server and, beside it, the worker that runs background work (Excel imports).
run: setup
	@echo
	@echo "Kaohe is starting on http://127.0.0.1:8000 (Ctrl+C stops it)"
	@KAOHE_DEBUG=1 $(PY) manage.py db_worker --no-reload > var/worker.log 2>&1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  KAOHE_DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

# The tests make their own databases (SQLite in memory, or test_* on DATABASE_URL's server).
test: install
	$(PY) -m pytest

test-fast: python messages
	$(PY) -m pytest -m "not browser" -x -q

lint: python
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run -v 0

fmt: python
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: lint test

clean:
	rm -rf $(STAMPS) $(VENV) node_modules kaohe/static/vendor staticfiles
