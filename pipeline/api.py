"""The Python API behind the ``ogi`` command: what the CLI does, a notebook can import.

    from pipeline.api import extract_file, ingest, quality_summary
    report = extract_file("data/samples/luanhe-2023.txt")
    summary = ingest(["data/samples"], db="data/ogi.duckdb")

A table of contents: each name lives in the module that does its job.

=============================  ==================================================  ============
name                           does                                                ``ogi``
=============================  ==================================================  ============
extract_file, extract_bytes    one document → a checked :class:`Report`            extract
iter_documents                 the document files under some paths                 extract
ingest                         [crawl →] extract → check → load, idempotent        ingest
bundled_corpus, demo_corpus    the real default corpus; the generated demo        ingest [--demo]
CrawlFirst                     …crawling a registry first                          ingest --sources
ExtractHere, ExtractOnDask     …on this machine's process pool, or on Dask         ingest --workers
load_sources                   extract and load a list of documents                ingest
publish_for_readers            the snapshot notebooks and ``ogi serve`` read       ingest
quality_summary, coverage      data-quality tables of a warehouse                  check
load_covariates                a user's population, caseload … by code and year    covariates
Provenance                     where a document came from, spider to warehouse
UsageError                     a user's mistake (exit 2)
=============================  ==================================================  ============

Reading the warehouse for analysis: :mod:`pipeline.analysis`.
"""

from __future__ import annotations

from .analysis.checkup import QUALITY_QUERIES, coverage, quality_summary
from .errors import UsageError, WarehouseUnavailable
from .model import Provenance, Report
from .run.covariates import load_covariates
from .run.document import error_report, extract_bytes, extract_file
from .run.ingest import ExtractHere, ExtractOnDask, ingest, load_sources
from .run.publish import publish_for_readers, publish_snapshot
from .run.sources import (
    CrawlFirst,
    bundled_corpus,
    crawl_folder_sources,
    demo_corpus,
    iter_documents,
    local_sources,
)
from .run.summary import IngestSummary

__all__ = [
    "CrawlFirst",
    "ExtractHere",
    "ExtractOnDask",
    "IngestSummary",
    "bundled_corpus",
    "demo_corpus",
    "Provenance",
    "QUALITY_QUERIES",
    "Report",
    "UsageError",
    "WarehouseUnavailable",
    "coverage",
    "crawl_folder_sources",
    "error_report",
    "extract_bytes",
    "extract_file",
    "ingest",
    "iter_documents",
    "load_covariates",
    "load_sources",
    "local_sources",
    "publish_for_readers",
    "publish_snapshot",
    "quality_summary",
]
