# The README's two commands, and a few helpers.
PY ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test lint setup setup-dev browser bench

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

setup: $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt

setup-dev: $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt

# The browser tests drive Debian's Chromium. As root it is installed when missing, waiting
# up to APT_LOCK_WAIT seconds for another apt/dpkg (unattended-upgrades) to release its lock;
# otherwise this says exactly why and what to run, and the browser tests fail (never skip).
APT_LOCK_WAIT ?= 300
browser:
	@if [ -x "$(CHROMIUM)" ]; then :; \
	elif [ "$$(id -u)" != 0 ]; then \
		echo "WARNING: $(CHROMIUM) is missing and this user is not root, so it cannot be installed here." >&2; \
		echo "  Install it:  sudo apt-get install -y chromium   (or set CHROMIUM=/path/to/chromium)" >&2; \
		echo "  Until then the browser tests in tests/e2e will FAIL." >&2; \
	elif ! command -v apt-get >/dev/null; then \
		echo "WARNING: $(CHROMIUM) is missing and there is no apt-get (not Debian/Ubuntu)." >&2; \
		echo "  Install Chromium with this system's package manager and set CHROMIUM=/path/to/chromium." >&2; \
		echo "  Until then the browser tests in tests/e2e will FAIL." >&2; \
	else \
		echo "Installing Debian's chromium for the browser tests (waits up to $(APT_LOCK_WAIT) s for the apt lock)…"; \
		if apt-get -o DPkg::Lock::Timeout=$(APT_LOCK_WAIT) update -q \
		   && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=$(APT_LOCK_WAIT) install -y -q chromium; then :; \
		else \
			echo "WARNING: installing chromium failed (see apt's message above)." >&2; \
			echo "  'Could not get lock': another apt/dpkg (often unattended-upgrades) held it for $(APT_LOCK_WAIT) s;" >&2; \
			echo "  wait for it to finish, then run 'make browser' again (or APT_LOCK_WAIT=900 make browser)." >&2; \
			echo "  No network: install chromium from local media. The browser tests in tests/e2e will FAIL until then." >&2; \
		fi; \
	fi

run: setup
	$(BIN)/flask --app app run --host 127.0.0.1 --port 5000

test: setup-dev browser
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
	$(BIN)/python bench/bench_audit.py
