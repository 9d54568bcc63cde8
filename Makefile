# The README's two commands, and a few helpers.
PY ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
# SecantusDB, the local server of `make run` and of the wire-store tests, in its own virtualenv
VENV_DB ?= .venv-db
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test test-clocks lint setup setup-dev db browser office bench

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

setup: $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt

setup-dev: $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt

$(VENV_DB)/bin/secantusd-py: requirements-db.txt
	$(PY) -m venv $(VENV_DB)
	$(VENV_DB)/bin/pip install -q -r requirements-db.txt
	touch $@

db: $(VENV_DB)/bin/secantusd-py

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

# The import tests convert workbooks to .xls/.ods with LibreOffice, as offices save them.
office:
	@if command -v soffice >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing LibreOffice Calc for the import tests…"; \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends libreoffice-calc; \
	else \
		echo "WARNING: soffice is missing (run as root: apt-get install -y libreoffice-calc); the .xls/.ods import tests will FAIL." >&2; \
	fi

# The panel on a local SecantusDB whose data stays in ./data (seeded with the demo the first
# time); Ctrl-C stops both. With MONGODB_URI set: that server, none started (no `db` needed).
# PANEL_STORE=memory: the throw-away in-process demo.
run: setup $(if $(MONGODB_URI),,db)
	$(BIN)/python -m services.run_local --host 127.0.0.1 --port 5000

# The whole suite on both stores: the strict in-process store first (quick), then SecantusDB
# over the wire protocol (started by the suite itself on a free port, data in a temp folder).
test: setup-dev browser office db
	$(BIN)/python -m pytest --store=mock
	$(BIN)/python -m pytest --store=wire
	$(MAKE) --no-print-directory test-clocks
	$(BIN)/ruff check .

# The date-sensitive test files again with the clock at the month and year boundaries
# (TEST_CLOCK, read by tests/conftest.py, travels the whole session there with time-machine,
# the clock ticking; a month-day without a year is its next occurrence). 30 November 20:00 UTC
# is already 1 December in Vietnam; 31 December 16:30 UTC is the last half-hour of the year
# there; 1 January 01:00 UTC is the new year on both sides. A fixed date compared with the
# real clock fails here on the day it is written, not on the day it passes. On the mock store
# only: the travel moves this process's clock, not a wire server's.
CLOCKS ?= 11-30T20:00Z 12-31T16:30Z 01-01T01:00Z
DATE_TESTS ?= tests/test_dashboard.py tests/test_handbook.py tests/test_lifecycle.py tests/test_owners.py \
	tests/test_party_flow.py tests/test_party_work.py tests/test_reports.py tests/test_reports_web.py \
	tests/test_role_terms.py tests/test_transfers.py tests/test_vietnam_date.py tests/test_audit.py \
	tests/test_submissions.py tests/test_submissions_web.py tests/test_figures_properties.py \
	tests/test_declaration.py tests/test_month_reports.py tests/test_unit_titles_web.py
test-clocks: setup-dev
	@for clock in $(CLOCKS); do \
		echo "== date-sensitive tests at TEST_CLOCK=$$clock"; \
		TEST_CLOCK=$$clock $(BIN)/python -m pytest --store=mock -p no:cacheprovider $(DATE_TESTS) || exit 1; \
	done

lint: setup-dev
	$(BIN)/ruff check .

# Speed and memory figures (minutes each; they print comparable numbers, they assert nothing).
bench: setup-dev
	$(BIN)/python bench/bench_lookup.py
	$(BIN)/python bench/bench_export.py
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_backup.py
	$(BIN)/python bench/bench_audit.py
