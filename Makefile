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

# The main job, offline: crawl the bundled mirror (served on 127.0.0.1 by ogi itself for the
# duration of the crawl) and ingest what it stored, plus the bundled samples, into data/ogi.duckdb.
# `make ingest SOURCES=crawlers/sources/provinces.csv` crawls the real web instead of the mirror.
SOURCES ?= crawlers/sources/mirror.csv
MIRROR  ?= data/mirror
ingest: $(STAMP)
	$(BIN)/ogi ingest --sources $(SOURCES) $(if $(filter crawlers/sources/mirror.csv,$(SOURCES)),--mirror $(MIRROR) data/samples,)

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python bench/run.py

check: $(STAMP)
	$(BIN)/ogi check

clean:
	rm -rf $(VENV) data/ogi.duckdb data/ogi.duckdb.wal
