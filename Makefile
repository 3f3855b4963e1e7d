# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# The dev server's own address is its public origin unless API_BASE_URL says otherwise.
API_BASE_URL ?= http://$(HOST):$(PORT)

.PHONY: install run test lint check bench scale soak clean

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed: set PYTHON=python3.11")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "Installing dependencies into $(VENV) (first run takes a minute or two)..."
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(INSTALLED)

install: $(INSTALLED)

# Every process of `make run` (the seed, the server, the worker) agrees on one origin.
run: export API_BASE_URL := $(API_BASE_URL)
run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_content
	$(PY) manage.py ensure_local_admin
	@echo "Serving on http://$(HOST):$(PORT)/  (admin: /admin/, API: /api/v1/, health: /healthz/)"
	$(PY) manage.py run_local $(HOST):$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

# Latency, throughput, SQL queries and memory under load, next to Wagtail's API v2 (bench/run.py).
# BENCH_ARGS=--quick for a smoke run.
bench: install
	$(PY) -m bench.run $(BENCH_ARGS)

# 100,000 conditions (about 210,000 items): generation, a full refresh, one widely cited snippet,
# a full sync walk and the benchmark, each timed with its peak memory (bench/scale.py; hours the
# first time, resumable). SCALE_ARGS="--conditions 2000 --duration 2" for a short run.
scale: install
	$(PY) -m bench.scale $(SCALE_ARGS)

# Ten minutes of load on PostgreSQL + Redis with two gunicorn workers and two run_workers while
# an editor publishes every 2 s (bench/soak.py). SOAK_ARGS="--minutes 1" for a short run.
soak: install
	$(PY) -m bench.soak $(SOAK_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: install
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var/test-media var/bench

# TypeScript types from the OpenAPI document, and an example consumer type-checked against them
# (clients/typescript/check.sh; needs Node 20+ and npm).
# The email's labels in each other content language (locale/<language>/LC_MESSAGES/django.po):
# new strings extracted, then compiled to the .mo the server reads (needs GNU gettext). The .mo
# is committed, so a fresh machine needs no gettext; tests/api/test_messages.py checks it is
# current.
MESSAGE_LANGUAGES ?= es
.PHONY: messages
messages: install
	$(PY) manage.py makemessages --no-location --no-obsolete $(foreach l,$(MESSAGE_LANGUAGES),-l $(l)) \
		--ignore='.venv/*' --ignore='tests/*' --ignore='bench/*' --ignore='clients/*' --ignore='static/*'
	$(PY) manage.py compilemessages --ignore='.venv/*'

.PHONY: typescript
typescript: install
	PYTHON_BIN=$(PY) bash clients/typescript/check.sh
