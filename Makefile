# The two commands a fresh machine needs: `make ingest` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup system-deps ingest demo test notebooks pair bench bench-national accuracy lint check mutants lab certs clean

# Debian packages: LibreOffice (DOC/WPS → DOCX, test corpus), CJK fonts, Chromium (chart PNGs,
# browser tests), redis-server (the distributed crawl frontier; tests start their own on loopback).
DEBS := libreoffice-writer-nogui libreoffice-calc-nogui fonts-noto-cjk chromium redis-server

setup: $(STAMP)

system-deps:
	@if ! command -v soffice >/dev/null 2>&1 || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1 \
	    || ! command -v redis-server >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing $(DEBS)"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEBS) >/dev/null; \
	  elif command -v sudo >/dev/null 2>&1; then \
	    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEBS) >/dev/null; \
	  else echo "please install: $(DEBS)" >&2; exit 1; fi; \
	fi

$(STAMP): pyproject.toml | system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The main job, offline: the bundled real reports. Those whose URL is recorded are crawled from
# the offline mirror (data/mirror, served on 127.0.0.1 by ogi itself for the crawl) at that URL;
# the rest are read from data/samples. `make ingest SOURCES=crawlers/sources/provinces.csv`
# crawls the real web instead.
SOURCES ?=
ingest: $(STAMP)
	$(BIN)/ogi ingest $(if $(SOURCES),--sources $(SOURCES),)

# The generated example corpus (a fictional city's panel, three fictional portals), in its own
# warehouse data/demo.duckdb: for trying the charts. Never cite it.
demo: $(STAMP)
	$(BIN)/ogi ingest --demo

test: $(STAMP)
	$(BIN)/python -m pytest -q
	$(MAKE) notebooks

# The notebooks, executed against the warehouse `make ingest` builds (brought up to date first:
# unchanged documents are skipped, so this costs seconds when nothing changed). Executed exactly as
# the README tells a reader to: pair (`make pair`), then `jupyter nbconvert --execute` on the .ipynb.
notebooks: pair
	$(MAKE) ingest
	rm -rf build/notebooks && mkdir -p build/notebooks
	$(BIN)/jupyter nbconvert --to notebook --execute --output-dir build/notebooks notebooks/*.ipynb

# Pair each committed jupytext notebook (notebooks/*.py, py:percent) with an .ipynb beside it
# (git-ignored). Jupyter opens the .ipynb; jupytext keeps the two in step on every save.
pair: $(STAMP)
	$(BIN)/jupytext --sync notebooks/*.py

# Jupyter Lab on the paired notebooks (Lab installed on first use: researchers only).
lab: pair
	@$(BIN)/python -c "import jupyterlab" 2>/dev/null || $(BIN)/pip install --quiet jupyterlab
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP)
	$(BIN)/python -m bench.run

# A national panel: a warehouse of 600,000 reports (about an hour and 10 GB of disk; not in CI).
bench-national: $(STAMP)
	$(BIN)/python -m bench.national --sizes 600000

# Cell-level exact match per format on a generated corpus with known truth (tests/corpus/forms.py).
accuracy: $(STAMP)
	$(BIN)/python -m bench.accuracy

# Lint and format (ruff), as CI runs them before the tests.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: lint
	$(BIN)/ogi check

# One-character bugs in central rules (tests/mutants.py): the suite must fail on each.
mutants: $(STAMP)
	$(BIN)/python -m tests.mutants

# Certificates for a Dask cluster that speaks only TLS (README, "Many machines"): a CA of its own
# and one certificate it signs, in certs/ (git-ignored). Copy the folder to every machine, privately.
certs: $(STAMP)
	$(BIN)/python -m pipeline.locked certs certs

clean:
	rm -rf $(VENV) data/ogi.duckdb data/ogi.duckdb.wal data/demo.duckdb data/snapshot data/crawl data/crawl-demo
