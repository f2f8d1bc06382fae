"""The Python API behind the ``ogi`` command: what the CLI does, a notebook can import.

    from pipeline.api import extract_file, ingest, quality_summary
    report = extract_file("data/samples/luanhe-2023.txt")
    summary = ingest(["data/samples"], db="data/ogi.duckdb")
"""
from __future__ import annotations

import hashlib
import logging
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from .extract import extract, sniff
from .model import ExtractionError, Report
from .normalise import normalise
from .store import DEFAULT_DB, DocumentRecord, Warehouse
from .validate import run_checks

log = logging.getLogger("ogi")

DOCUMENT_SUFFIXES = (".html", ".htm", ".shtml", ".jhtml", ".txt", ".pdf", ".doc", ".docx", ".wps",
                     ".xls", ".xlsx", ".et", ".png", ".jpg", ".jpeg", ".gif")
DEFAULT_CORPUS = Path("data/samples")
BATCH_SIZE = 500


def iter_documents(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files named, and document files found below directories named, in a stable order."""
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in DOCUMENT_SUFFIXES and not f.name.startswith("."):
                    yield f
        else:
            yield p


def extract_bytes(data: bytes, source: str) -> Report:
    """Extract, normalise and check one document. Never raises for bad input: the reason is in
    ``report.error``."""
    sha = hashlib.sha256(data).hexdigest()
    try:
        report = normalise(extract(data, source, sha))
    except ExtractionError as exc:
        return Report(source=source, sha256=sha, media_type=sniff(data, source), error=str(exc))
    except Exception as exc:  # a bug on one odd document must not stop a batch of thousands
        log.exception("unexpected failure on %s", source)
        return Report(source=source, sha256=sha, media_type=sniff(data, source),
                      error=f"internal error: {type(exc).__name__}: {exc}")
    run_checks(report)
    return report


def extract_file(path: str | Path) -> Report:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        return Report(source=str(p), sha256="", error=f"cannot read file: {exc.strerror}")
    return extract_bytes(data, str(p))


@dataclass
class IngestSummary:
    documents: int = 0
    unchanged: int = 0
    reports: int = 0
    partial: int = 0
    cells: int = 0
    checks_failed: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0

    def lines(self) -> list[str]:
        return [
            f"documents  {self.documents} ({self.unchanged} unchanged since the last run)",
            f"reports    {self.reports} loaded ({self.partial} incomplete)",
            f"cells      {self.cells}",
            f"checks     {self.checks_failed} failed",
            f"errors     {len(self.errors)}",
        ]


def ingest(paths: Iterable[str | Path] = (), db: str | Path = DEFAULT_DB, progress: bool = False,
           on_error=None) -> IngestSummary:
    """Extract, check and load documents into the warehouse; idempotent.

    A document whose bytes were already loaded by this extractor version is skipped. A document
    that fails is recorded (``reports.status = 'error'``, view ``extraction_errors``) and the
    batch goes on. ``on_error(source, reason)`` is called for each failure as it happens.
    """
    files = list(iter_documents(paths or [DEFAULT_CORPUS]))
    summary = IngestSummary()
    bar = _progress(len(files), progress)
    with Warehouse(db) as wh:
        batch: list[tuple[DocumentRecord, Report]] = []

        def flush():
            for doc, reason in wh.load(batch):
                _fail(summary, doc.source_url, reason, on_error)
            batch.clear()

        for chunk in _chunks(files, BATCH_SIZE):
            blobs = []
            for f in chunk:
                try:
                    data = f.read_bytes()
                except OSError as exc:
                    _fail(summary, str(f), f"cannot read file: {exc.strerror}", on_error)
                    continue
                blobs.append((f, data, hashlib.sha256(data).hexdigest()))
            known = wh.known([sha for _, _, sha in blobs])
            for f, data, sha in blobs:
                summary.documents += 1
                bar.update(1)
                if sha in known:
                    summary.unchanged += 1
                    continue
                known.add(sha)  # the same bytes twice in one run: load once
                report = extract_bytes(data, str(f))
                doc = DocumentRecord(doc_id=sha, source_url=str(f), path=str(f), bytes=len(data),
                                     media_type=report.media_type or mimetypes.guess_type(f.name)[0] or "")
                batch.append((doc, report))
                if report.error:
                    _fail(summary, str(f), report.error, on_error)
                else:
                    summary.reports += 1
                    summary.partial += report.status == "partial"
                    summary.cells += sum(len(c) for rows in report.tables.values() for c in rows.values())
                    summary.checks_failed += sum(not c.ok for c in report.checks)
            flush()
    bar.close()
    return summary


def _fail(summary: IngestSummary, source: str, reason: str, on_error) -> None:
    summary.errors.append((source, reason))
    if on_error:
        on_error(source, reason)


def _chunks(items: list, n: int):
    for i in range(0, len(items), n):
        yield items[i:i + n]


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, enabled: bool):
    if not enabled or total < 2:
        return _NoBar()
    from tqdm import tqdm
    return tqdm(total=total, unit="doc", desc="ingest", leave=False)


# ---------------------------------------------------------------- data quality
QUALITY_QUERIES = {
    "reports": "SELECT status, count(*) AS n FROM reports GROUP BY status ORDER BY status",
    "failed_checks": """
        SELECT c.check_id, count(*) AS failures, count(DISTINCT c.report_id) AS reports
        FROM checks c JOIN reports r USING (report_id) WHERE NOT c.ok GROUP BY c.check_id ORDER BY c.check_id""",
    "failed_check_details": """
        SELECT r.issuer, r.year, c.check_id, c.expected, c.actual, c.detail, d.source_url
        FROM checks c JOIN reports r USING (report_id) LEFT JOIN documents d USING (doc_id)
        WHERE NOT c.ok ORDER BY r.issuer, r.year, c.check_id""",
    "missing_tables": """
        WITH present AS (SELECT report_id, list(DISTINCT table_name) AS tables FROM facts GROUP BY report_id),
        gaps AS (
            SELECT r.issuer, r.year, r.format, d.source_url,
                   list_filter(['proactive', 'applications', 'appeals'],
                               t -> NOT list_contains(coalesce(p.tables, []::VARCHAR[]), t)) AS missing
            FROM reports r LEFT JOIN present p USING (report_id) LEFT JOIN documents d USING (doc_id)
            WHERE r.status <> 'error' AND r.format IN ('2019', '2021'))
        SELECT * FROM gaps WHERE len(missing) > 0 ORDER BY issuer, year""",
    "errors": "SELECT source_url, error FROM extraction_errors ORDER BY source_url",
}


def quality_summary(db: str | Path = DEFAULT_DB) -> dict:
    """Data-quality tables (pandas DataFrames) of a warehouse: what `ogi check` prints."""
    with Warehouse(db, read_only=True) as wh:
        return {name: wh.query(sql) for name, sql in QUALITY_QUERIES.items()}
