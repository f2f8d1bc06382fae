"""The wiring: the only code that connects the stages (extract → normalise → validate → store)
and the ways of running them. Each module has one job:

    document   one document through the stages (what every worker runs)
    sources    what an ingest reads: local files, a crawl folder, a fresh crawl
    ingest     extract and load a batch, on this machine's process pool
    pool       that process pool: each document under a time and memory cap
    cluster    extraction on Dask, the one DuckDB writer loading Parquet shards
    summary    what an ingest did (``ogi ingest``'s lines and exit code)
    publish    the read-only snapshot (and SQLite copy) readers open after an ingest

The stages never import this package; this package never imports the façade
(:mod:`pipeline.api`), which re-exports it.
"""
