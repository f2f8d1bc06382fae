"""One document through the stages: bytes → extract → normalise → (settle OCR) → checks.

What every way of ingesting runs on each document (in this process, in a pool's worker, on a
Dask worker), and what ``ogi extract`` prints.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from ..extract import extract, sniff
from ..model import ExtractionError, Provenance, Report
from ..normalise import normalise
from ..validate import run_checks
from ..validate.ocr import settle_ocr

log = logging.getLogger("ogi")


def extract_bytes(
    data: bytes, source: str, cores: int | None = None, provenance: Provenance | None = None
) -> Report:
    """Extract, normalise and check one document. Never raises for bad input: the reason is in
    ``report.error``. `cores`: how many cores its OCR may use (default: all of this process's).
    `provenance`, when known, tells the reader what the crawl knew: the stored file's name (its
    extension is what the bytes and the server said, where a URL's may mislead) and the body
    the registry row names."""
    sha = hashlib.sha256(data).hexdigest()
    name = provenance.path if provenance and provenance.path else source
    try:
        report = normalise(extract(data, source, sha, cores=cores, name=name), provenance)
    except ExtractionError as exc:
        return error_report(data, source, str(exc), sha)
    except Exception as exc:  # a bug on one odd document must not stop a batch of thousands
        log.exception("unexpected failure on %s", source)
        return error_report(data, source, f"internal error: {type(exc).__name__}: {exc}", sha)
    if report.read_by_ocr:
        settle_ocr(report)  # OCR'd numbers are held against the identities before the checks
    run_checks(report)
    report.fact_columns()  # ready for the warehouse (computed in the worker, not the writer)
    report.check_columns()
    return report


def error_report(data: bytes, source: str, reason: str, sha: str | None = None) -> Report:
    """The report of a document that yielded none: its identity and the one-line reason."""
    return Report(
        source=source,
        sha256=sha or hashlib.sha256(data).hexdigest(),
        media_type=sniff(data, source),
        error=reason,
    )


def extract_file(path: str | Path) -> Report:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        return Report(source=str(p), sha256="", error=f"cannot read file: {exc.strerror}")
    return extract_bytes(data, str(p))
