# The two commands a fresh machine needs: `make ingest` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup ingest test bench check clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Ingest the bundled corpus under data/samples into data/ogi.duckdb (no network).
ingest: $(STAMP)
	$(BIN)/ogi ingest

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python bench/run.py

check: $(STAMP)
	$(BIN)/ogi check

clean:
	rm -rf $(VENV) data/ogi.duckdb data/ogi.duckdb.wal
