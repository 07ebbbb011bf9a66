# Two commands for readers: `make book` and `make test`.
# Everything runs inside .venv, created on first use from requirements.txt.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BUILD := _build
PORT ?= 8000

.PHONY: help venv book test test-fast bench serve student clean

help:
	@echo "make book     execute every chapter and write $(BUILD)/html"
	@echo "make test     run the whole test suite (library, strict book build, browser)"
	@echo "make test-fast  library tests only (no book build, no browser)"
	@echo "make bench    benchmark the library's hot functions"
	@echo "make serve    serve $(BUILD)/html on http://127.0.0.1:$(PORT)"
	@echo "make student  write the student edition to $(BUILD)/student"
	@echo "make clean    remove $(BUILD) and the execution cache"

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade --quiet pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@# build matplotlib's font cache now, so no chapter prints "building the font cache"
	$(BIN)/python -c "import matplotlib.pyplot"
	@touch $@

venv: $(STAMP)

book: $(STAMP)
	$(BIN)/python -m gaebook.build
	@echo "The book is in $(BUILD)/html; open $(BUILD)/html/index.html, or run 'make serve'."

test: $(STAMP)
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not book and not browser and not student"

bench: $(STAMP)
	$(BIN)/python -m pytest tests/test_benchmarks.py --benchmark-enable --benchmark-only

serve: $(STAMP)
	@test -f $(BUILD)/html/index.html || { echo "No book yet: run 'make book' first."; exit 1; }
	@echo "Serving $(BUILD)/html at http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory $(BUILD)/html

student: $(STAMP)
	$(BIN)/python -m gaebook.student_edition --out $(BUILD)/student

clean:
	rm -rf $(BUILD) .jupyter_cache
