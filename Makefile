# Paper Club. `make run` serves the app; `make test` runs the whole suite. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
UV_VERSION := 0.13.9
# The production-like run: the machine's PostgreSQL and Redis. Override to point elsewhere.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/paperclub
TEST_REDIS_URL ?= redis://127.0.0.1:6379/7
PYTEST_WORKERS ?= 2

.PHONY: setup run test test-sqlite test-postgres lint format chromium worker beat bench

$(VENV)/.synced: pyproject.toml uv.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { echo "Python 3.12+ is needed ($(PYTHON) is $$($(PYTHON) --version))"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	test -x $(UV) || $(PY) -m pip install -q "uv==$(UV_VERSION)"
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --inexact --python $(PY)
	touch $@

setup: $(VENV)/.synced

## Run the app on the embedded default (SQLite, console email): the web server and a Celery worker
## with beat on a broker of files in .run/ (the Procfile's processes; Ctrl-C stops both).
run: setup
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_sample
	@# Refused (and skipped) outside the embedded default: the demo user's password is public.
	-$(PY) manage.py load_demo
	@# Today's and yesterday's daily papers: queued for the worker below, so the server starts at
	@# once (the home page says an import is running). Without network it fails in seconds, on record.
	$(VENV)/bin/celery -A config call papers.import_daily_catch_up
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" PYTHONUNBUFFERED=1 $(VENV)/bin/honcho start

## The whole suite, twice: on SQLite with eager tasks, then on PostgreSQL with Redis.
test: setup chromium test-sqlite test-postgres

test-sqlite: setup
	env -u DATABASE_URL -u REDIS_URL $(PY) -m pytest -n $(PYTEST_WORKERS) -p no:cacheprovider

test-postgres: setup
	@# Subprocess tests (check --deploy) connect to the database itself, not only to its test copy.
	$(PY) -c 'import sys, psycopg; from urllib.parse import urlsplit; u = urlsplit(sys.argv[1]); name = u.path.lstrip("/"); conn = psycopg.connect(sys.argv[1].replace(u.path, "/postgres"), autocommit=True); exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone(); exists or conn.execute(f"CREATE DATABASE \"{name}\"")' $(TEST_DATABASE_URL)
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(PY) -m pytest -n $(PYTEST_WORKERS) -p no:cacheprovider

chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu-core; }

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## Benchmarks (scripts that print numbers; each uses a PostgreSQL database of its own).
bench: setup
	env -u DATABASE_URL $(PY) bench/pages.py
	env -u DATABASE_URL $(PY) bench/load.py
	env -u DATABASE_URL $(PY) bench/papers.py
	env -u DATABASE_URL $(PY) bench/groups.py
	env -u DATABASE_URL $(PY) bench/notes.py
	$(PY) bench/discussions.py
	env -u DATABASE_URL $(PY) bench/moderation.py
	env -u DATABASE_URL $(PY) bench/ranked.py
	env -u DATABASE_URL $(PY) bench/history.py
	env -u DATABASE_URL $(PY) bench/similar.py

worker: setup
	$(VENV)/bin/celery -A config worker --loglevel=INFO

beat: setup
	$(VENV)/bin/celery -A config beat --loglevel=INFO
