# The README's two commands, and a few helpers.
PY ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: run test lint setup setup-dev

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

setup: $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt

setup-dev: $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt

run: setup
	$(BIN)/flask --app app run --host 127.0.0.1 --port 5000

test: setup-dev
	$(BIN)/python -m pytest
	$(BIN)/ruff check .

lint: setup-dev
	$(BIN)/ruff check .
