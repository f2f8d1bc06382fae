"""Where things are unless told otherwise. A module of its own, importing nothing heavy: the
command line reads it to build its --help before it imports the pipeline."""

from pathlib import Path

DEFAULT_DB = Path("data/ogi.duckdb")  # the warehouse
DEFAULT_CORPUS = Path("data/samples")  # what `ogi ingest` with no paths reads (the bundled corpus)
