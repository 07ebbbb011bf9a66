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
# every transitive dependency, pinned with hashes; `make lock` refreshes it from requirements.txt
LOCK := requirements.lock
PIP_VERSION := 26.3
UV_VERSION := 0.13.9

.PHONY: help venv lock pdf book test test-fast bench serve student wheel coursework coursework-check clean

help:
	@echo "make book     execute every chapter and write $(BUILD)/html"
	@echo "make test     run the whole test suite (library, strict book build, browser)"
	@echo "make test-fast  library tests only (no book build, no browser)"
	@echo "make bench    benchmark the library's hot functions"
	@echo "make serve    serve $(BUILD)/html on http://127.0.0.1:$(PORT)"
	@echo "make student  write the student edition to $(BUILD)/student"
	@echo "make wheel    build the gaebook wheel into $(BUILD)/dist"
	@echo "make coursework  nbgrader releases, instructor versions and gradebooks in $(BUILD)/coursework"
	@echo "make coursework-check  grade three synthetic submissions per chapter, check the scores"
	@echo "make pdf      print the built book to $(BUILD)/html/gaebook.pdf (Chromium, no LaTeX)"
	@echo "make lock     refresh $(LOCK) from requirements.txt (all pins + hashes; needs PyPI)"
	@echo "make clean    remove $(BUILD) and the execution cache"

$(STAMP): $(LOCK) requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip==$(PIP_VERSION)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@# build matplotlib's font cache now, so no chapter prints "building the font cache"
	$(BIN)/python -c "import matplotlib.pyplot"
	@touch $@

venv: $(STAMP)

lock:
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip==$(PIP_VERSION) uv==$(UV_VERSION)
	$(BIN)/python -m uv pip compile requirements.txt --generate-hashes --universal \
		--python-version 3.11 --no-emit-package gaebook \
		--custom-compile-command "make lock" -o $(LOCK)
	@echo "$(LOCK): $$(grep -c '^[A-Za-z0-9].*==' $(LOCK)) packages pinned with hashes"

book: $(STAMP)
	$(BIN)/python tools/build.py
	@echo "The book is in $(BUILD)/html; open $(BUILD)/html/index.html, or run 'make serve'."

pdf: $(STAMP)
	@test -f $(BUILD)/html/index.html || { echo "No book yet: run 'make book' first."; exit 1; }
	$(BIN)/python tools/book_pdf.py --html $(BUILD)/html

test: $(STAMP)
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not book and not browser and not student and not coursework"

bench: $(STAMP)
	$(BIN)/python -m pytest tests/test_benchmarks.py --benchmark-enable --benchmark-only

serve: $(STAMP)
	@test -f $(BUILD)/html/index.html || { echo "No book yet: run 'make book' first."; exit 1; }
	@echo "Serving $(BUILD)/html at http://127.0.0.1:$(PORT)/ (Ctrl-C to stop)"
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory $(BUILD)/html

student: $(STAMP)
	$(BIN)/python tools/student_edition.py --out $(BUILD)/student

wheel: $(STAMP)
	$(BIN)/python book/_ext/gaebook_downloads.py $(BUILD)/dist  # from a clean copy of src/: no build/ in the tree

coursework: $(STAMP)
	$(BIN)/python tools/assignments.py release --out $(BUILD)/coursework

coursework-check: $(STAMP)
	$(BIN)/python tools/assignments.py check --out $(BUILD)/coursework

clean:
	rm -rf $(BUILD) .jupyter_cache
