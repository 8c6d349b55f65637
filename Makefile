# Xiqia: two commands.
#   make demo   set everything up, load the demo data and serve on http://127.0.0.1:8000 (SQLite)
#   make test   set everything up, lint, and run the whole suite (unit, integration, browser)
# DATABASE_URL=postgres://... selects PostgreSQL instead of SQLite for either.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM ?= /usr/bin/chromium
# The suite runs in parallel workers, one per core (pytest-xdist); PYTEST_ARGS= runs it serially.
PYTEST_ARGS ?= -n auto --dist loadgroup
export DJANGO_ALLOW_ASYNC_UNSAFE := true

.PHONY: demo test lint install serve check-chromium clean bench

demo: install
	@echo "==> Migrating the database"
	$(PY) manage.py migrate --no-input
	@echo "==> Loading the demo data"
	$(PY) manage.py load_demo
	@echo "==> Serving on http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install check-chromium lint
	@echo "==> Running the test suite on $${DATABASE_URL:-SQLite}"
	XIQIA_ENV=test $(BIN)/pytest $(PYTEST_ARGS) -m "not concurrency"
	@echo "==> Races and storms, alone on the machine"
	XIQIA_ENV=test $(BIN)/pytest -m concurrency

lint: install
	@echo "==> Lint (ruff)"
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

install: $(VENV)/.installed node_modules/.installed xiqia/locale/.compiled

$(VENV)/.installed: pyproject.toml requirements.lock
	@echo "==> Creating the virtual environment and installing pinned dependencies"
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade --progress-bar on pip
	$(PY) -m pip install --progress-bar on -c requirements.lock -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	@echo "==> Installing front-end assets from the npm registry"
	npm ci --no-audit --no-fund
	touch $@

xiqia/locale/.compiled: $(VENV)/.installed $(wildcard xiqia/locale/*/LC_MESSAGES/*.po)
	@echo "==> Compiling translations"
	$(PY) manage.py compile_catalogues
	touch $@

# The browser tests drive Debian's Chromium, and the catalogue test extracts strings with GNU
# gettext; install both where missing (the demo itself needs neither).
check-chromium:
	@if [ ! -x "$(CHROMIUM)" ] || ! command -v xgettext >/dev/null; then \
	  echo "==> Installing Chromium, CJK fonts and gettext (Debian packages)"; \
	  SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk gettext; \
	fi

clean:
	rm -rf $(VENV) node_modules staticfiles xiqia/locale/.compiled

# The benchmarks. Check-in: its own PostgreSQL database (xiqia_bench on 127.0.0.1, recreated),
# gunicorn on 127.0.0.1, bounded load. Scheduling: pure Python, generated instances. Both
# write benchmarks/results/ and their section of docs/benchmarks.md.
bench: install
	$(PY) benchmarks/checkin.py
	$(PY) benchmarks/scheduling.py
	$(PY) benchmarks/recommendations.py
	$(PY) benchmarks/investment.py
	$(PY) benchmarks/vouchers.py
