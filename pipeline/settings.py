"""Every default path, tunable and environment variable of the pipeline, in one place.

Paths a command writes are relative to the working directory, as a command-line user expects;
the data bundled with the checkout (samples, the offline mirror, the division table) is found
through ``PROJECT``. The crawler's own knobs are Scrapy settings and live where Scrapy looks for
them (``crawlers/settings.py``). ``docs/settings.md`` lists both, generated from the two modules:
``python -m pipeline.settings > docs/settings.md`` (a test fails if it drifts).

This module imports nothing heavy: the command line reads it to build its ``--help``.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]  # the checkout (bundled data is found from here)

# ---------------------------------------------------------------- paths
DEFAULT_DB = Path("data/ogi.duckdb")  # the warehouse
DEFAULT_CRAWL = Path("data/crawl")  # where a crawl stores documents and its manifest
DEFAULT_REPORT = Path("data/report")  # where `ogi report` writes its HTML page
DEFAULT_EXPORT = Path("data/export")  # where `ogi export` writes its files
SNAPSHOT = Path("data/snapshot/ogi.duckdb")  # the read-only copy notebooks open (beside DEFAULT_DB)
# The bundled corpus, what `ogi ingest` with no paths reads: real reports only. The offline
# mirror serves those with a recorded URL at that URL, for the registry's rows to crawl; the
# rest are read as local files.
DEFAULT_CORPUS = PROJECT / "data" / "samples"  # the real reports and their checked values
BUNDLED_MIRROR = PROJECT / "data" / "mirror"  # the offline mirror `make ingest` crawls
BUNDLED_SOURCES = PROJECT / "crawlers" / "sources" / "bundled.csv"  # the registry it crawls
# The demo (`make demo`, `ogi ingest --demo`): generated examples, never in the default warehouse.
DEMO_DB = Path("data/demo.duckdb")  # its own warehouse
DEMO_CRAWL = Path("data/crawl-demo")  # its crawl folder
DEMO_CORPUS = PROJECT / "data" / "demo"  # generated pages (html/, generated/) and its mirror
DEMO_SOURCES = PROJECT / "crawlers" / "sources" / "demo.csv"  # the demo mirror's registry
DIVISIONS = PROJECT / "data" / "divisions"  # GB/T 2260 codes and their changes (data/divisions)

# ---------------------------------------------------------------- extraction
TIMEOUT_S = 300  # time cap per document (a scanned 40-page report OCRs in about 3 minutes)
GRACE_S = 10  # after the time cap, how long a parser that swallowed the alarm has to stop
MEMORY_MB = 3072  # memory cap per extraction process (RLIMIT_AS)
MAX_PDF_PAGES = 200  # an annual report is 5–40 pages; more is not a report (or a bomb)
MAX_IMAGE_PIXELS = 60_000_000  # about an A3 page at 400 dpi; more is a decompression bomb
MAX_UNZIPPED_MB = 512  # a report's DOCX/XLSX unpacks to a few MB; more is a decompression bomb
CONVERT_TIMEOUT_S = 90  # LibreOffice's time to turn a DOC/WPS into DOCX

# ---------------------------------------------------------------- loading
LOAD_BATCH = 500  # reports per load: a load has a fixed cost (~0.35 s) that smaller ones pay again
PIPELINE_CHUNK = 200  # documents handed to the workers at a time while the previous chunk loads
GC_GROWTH = 200_000  # objects left behind by the loads of an ingest that start a collection
DASK_CHUNK = 25  # documents per Dask task: ~1–5 s of work, scheduling well under 5 ms a document
DASK_TASKS_PER_THREAD = 4  # …but at least this many tasks per worker thread, so the tail is short

# ---------------------------------------------------------------- publishing for readers
SQLITE_MAX_MB = 512  # larger warehouses get their datasette copy from `ogi serve`, on demand
SNAPSHOT_COPY_MAX_MB = 2048  # above this a snapshot is published only where the disk can reflink

# ---------------------------------------------------------------- environment variables
ENV = {
    "OGI_DB": "the warehouse `pipeline.analysis.connect()` opens (default: the snapshot, else DEFAULT_DB)",
    "OGI_SNAPSHOT_COPY_MAX_MB": "overrides SNAPSHOT_COPY_MAX_MB",
    "BROWSER_PATH": "the Chromium kaleido uses for chart PNGs (default: chromium on PATH)",
}


def env_int(name: str, default: int) -> int:
    """An integer setting that the environment may override."""
    return int(os.environ.get(name) or default)


def markdown_table() -> str:
    """docs/settings.md: the settings above and the crawler's, with their comments."""
    out = [
        "# Settings",
        "",
        "Generated from `pipeline/settings.py` and `crawlers/settings.py` "
        "(`python -m pipeline.settings > docs/settings.md`).",
        "",
        "## Pipeline (`pipeline/settings.py`)",
        "",
        "| name | default | meaning |",
        "|---|---|---|",
    ]
    out += [f"| `{n}` | `{v}` | {c} |" for n, v, c in _documented(Path(__file__))]
    out += ["", "## Environment variables", "", "| variable | meaning |", "|---|---|"]
    out += [f"| `{n}` | {m} |" for n, m in ENV.items()]
    out += [
        "",
        "## Crawler (`crawlers/settings.py`, Scrapy settings; `-s NAME=VALUE` overrides one)",
        "",
        "| name | default | meaning |",
        "|---|---|---|",
    ]
    out += [
        f"| `{n}` | `{v}` | {c} |" for n, v, c in _documented(PROJECT / "crawlers" / "settings.py")
    ]
    return "\n".join(out) + "\n"


def _documented(path: Path) -> list[tuple[str, str, str]]:
    """(NAME, value as written, its comment) of every upper-case assignment in a module: the
    comment on its line, else the comment lines just above it."""
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    out = []
    for node in ast.parse(source).body:
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        target = node.targets[0]
        if not (isinstance(target, ast.Name) and target.id.isupper()) or target.id == "ENV":
            continue
        value = ast.get_source_segment(source, node.value) or ""
        if "\n" in value:
            value = value.split("\n")[0].rstrip("([{ ") + " …"
        tail = lines[node.end_lineno - 1].partition("  # ")[2]
        above = []
        i = node.lineno - 2
        while i >= 0 and lines[i].lstrip().startswith("#") and not lines[i].startswith("# ----"):
            above.insert(0, lines[i].lstrip("# ").strip())
            i -= 1
        out.append(
            (target.id, value.replace("|", "\\|"), (tail or " ".join(above)).replace("|", "\\|"))
        )
    return out


if __name__ == "__main__":  # pragma: no cover
    print(markdown_table(), end="")
