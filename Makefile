# meshwatch — the two commands are `make demo` and `make test`; both start with `make setup`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The test suite runs on this machine's real PostgreSQL (pytest-django creates test_meshwatch).
TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/meshwatch
FRONTEND_OUT := webapp/ui/static/ui/dist/app.js
FRONTEND_SRC := $(wildcard frontend/src/*.ts) frontend/build.mjs frontend/package-lock.json

.PHONY: setup demo test test-fast lint typecheck clean test-deps

setup: $(VENV)/.installed $(FRONTEND_OUT)

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip==25.2
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(FRONTEND_OUT): frontend/node_modules/.installed $(FRONTEND_SRC)
	cd frontend && npm run --silent build

demo: setup
	MESHWATCH_AUTH=anonymous $(PY) manage.py demo --port $(PORT)

# Chromium comes from Debian (Playwright's own browser download cannot work here); the emoji
# font draws the mTLS lock glyphs. Prometheus (with promtool) is the real one the
# telemetry tests start; docker-compose and shellcheck check the deployment files offline.
DEBIAN_PACKAGES := chromium fonts-noto-color-emoji prometheus docker-compose shellcheck
test-deps:
	@missing=""; for p in $(DEBIAN_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages for the tests:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

test: setup test-deps
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m pytest $(PYTEST_ARGS)

test-fast: setup
	$(PY) -m pytest -m "not e2e" $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy webapp collectors
	cd frontend && npm run --silent typecheck

clean:
	rm -rf $(VENV) frontend/node_modules webapp/ui/static/ui/dist staticfiles test-output meshwatch.sqlite3*

# The benchmark harness (bench/): `make bench SIZE=xs|s|m|l` writes bench/results/. It starts
# its own Prometheus, Daphne and Celery worker on loopback, on its own database
# (meshwatch_bench_<size>) and Redis db 10. wrk (Debian) drives the HTTP figure.
SIZE ?= s
.PHONY: bench bench-smoke
bench: setup test-deps
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq --no-install-recommends wrk >/dev/null; }
	$(PY) -m bench --size $(SIZE)

# The harness at SIZE=xs, as `make test` runs it (tests/bench/test_smoke.py).
bench-smoke: setup test-deps
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m pytest tests/bench $(PYTEST_ARGS)
