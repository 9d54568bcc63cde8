# The README's two commands, and a few helpers.
PY ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test lint setup setup-dev browser office bench

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

setup: $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt

setup-dev: $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt

# The browser tests drive Debian's Chromium. As root it is installed when missing;
# otherwise say so here, and the browser tests fail (never skip) until it is installed.
browser:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for the browser tests…"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	else \
		echo "WARNING: $(CHROMIUM) is missing and cannot be installed here (run as root: apt-get install -y chromium)." \
		     "The browser tests in tests/e2e will FAIL." >&2; \
	fi

# The import tests convert workbooks to .xls/.ods with LibreOffice, as offices save them.
office:
	@if command -v soffice >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing LibreOffice Calc for the import tests…"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends libreoffice-calc; \
	else \
		echo "WARNING: soffice is missing (run as root: apt-get install -y libreoffice-calc); the .xls/.ods import tests will FAIL." >&2; \
	fi

run: setup
	$(BIN)/flask --app app run --host 127.0.0.1 --port 5000

test: setup-dev browser office
	$(BIN)/python -m pytest
	$(BIN)/ruff check .

lint: setup-dev
	$(BIN)/ruff check .

# Speed and memory figures (minutes each; they print comparable numbers, they assert nothing).
bench: setup-dev
	$(BIN)/python bench/bench_lookup.py
	$(BIN)/python bench/bench_export.py
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_backup.py
