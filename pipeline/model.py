"""Plain data types passed between the stages.

extract   : bytes            -> Extracted   (lines of cells + page metadata)
normalise : Extracted        -> Report      (canonical keys, metadata, sections)
validate  : Report           -> [Check]     (appended to report.checks)
store     : Report           -> DuckDB rows
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from decimal import Decimal
from typing import Any

Number = int | Decimal

EXTRACTOR_VERSION = "3.5"
# What Report.fact_columns() gives for each cell, in order (the warehouse's fact rows).
FACT_COLUMNS = (
    "key",
    "value",
    "raw_text",
    "page",
    "confidence",
    "row_label",
    "col_label",
    "table_index",
    "row_index",
    "line",
)
WITHOUT_NUMBERS = ("pre2019", "no_tables")  # statuses of a report from which no number was read
# An OCR reading below this confidence is only trusted where an identity confirms it.
LOW_CONFIDENCE = 0.90


class ExtractionError(Exception):
    """A document that yields no report. The message is the one-line reason users see."""


@dataclass
class Provenance:
    """Where one document's bytes are and where they came from: made by the spider for what it
    fetched (or by the ingest for a local file), written to the crawl's manifest as a JSON row,
    carried through extraction, and loaded as the warehouse's ``documents`` and
    ``document_urls`` rows. The document's key is the sha256 of its bytes."""

    url: str  # where it was fetched from (a local file: its path)
    path: str | None = None  # where the bytes are (manifest rows: relative to the crawl's raw/)
    source_id: str | None = None  # the registry row it was crawled for
    body: str | None = None  # the reporting body that row names (a crawl)
    page_url: str | None = None  # the page that linked to it
    fetched_at: str | None = None  # ISO time of the fetch
    http_status: int | None = None
    media_type: str | None = None  # as served (a crawl), else as read from the bytes
    sha256: str | None = None  # of the bytes: the document's key (doc_id)
    bytes: int | None = None
    title: str | None = None  # the link text it was found under (a crawl)
    year_guess: int | None = None  # the year that link text names
    # The crawl's own bookkeeping, kept in the manifest.
    published_on: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    kind: str | None = None  # what the crawl fetched it as: report or attachment
    filename: str | None = None  # the server's file name for it
    run_id: str | None = None  # the crawl run that stored it
    archive_url: str | None = None  # where an archive keeps this copy (Link: rel="memento")

    @property
    def doc_id(self) -> str:
        return self.sha256 or ""

    def row(self) -> dict[str, Any]:
        """The manifest's JSON row."""
        return dict(self.__dict__)

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Provenance:
        """A manifest row (unknown keys, from a newer or older version, are left out)."""
        return cls(**{k: v for k, v in row.items() if k in _PROVENANCE_FIELDS})


@dataclass
class Line:
    """One line of a document: a table row's cells, or a single cell of running text.

    ``exact`` is True when the cells come from a table grid (HTML): positions are reliable and a
    trailing empty cell is a real blank. Text dumps lose that, so there trailing empties are layout.
    """

    cells: list[str]
    exact: bool = False
    raw: str | None = None  # the line as printed, when splitting it into cells lost its spacing
    page: int | None = None  # 1-based page of paged documents (PDF, scans)
    conf: list[float] | None = None  # OCR confidence per cell
    # Grids (HTML, DOCX) only: per position, the colspan of the cell that starts there (> 0),
    # 0 where a cell to the left spans over it, -1 where a cell from a row above spans down over
    # it. It lets the normaliser map values to the header cells above them by grid column.
    spans: list[int] | None = None
    alts: list[list[str] | None] | None = None  # OCR: other readings of each cell, likeliest first
    no: int | None = None  # 1-based place among the document's lines (set by the normaliser)
    # Indexes of the cells that were cut out of a run-together cell (digits glued to a label or
    # to each other, no separator printed): only such a cell may hold several numbers. A cell
    # printed whole — its own line, grid cell, or separated by spaces — is one number.
    glued: frozenset[int] = frozenset()

    @property
    def text(self) -> str:
        if self.raw is None:
            self.raw = "\t".join(c for c in self.cells if c)
        return self.raw


@dataclass
class Extracted:
    source: str
    sha256: str
    media_type: str
    method: str  # html_table | text
    lines: list[Line]
    meta: dict[str, str] = field(
        default_factory=dict
    )  # title, publisher, published, index_no from the page shell
    warnings: list[str] = field(default_factory=list)


class Warnings(list):
    """A report's warnings, in words for people. Those that say a table is cut off or missing
    are also kept, by what is missing, in ``incomplete``: that, not the words, makes the report
    ``partial``. Those that say a table the document shows was not read at all are kept in
    ``unread``: that makes it ``unread``."""

    def __init__(self, items=()):
        super().__init__(items)
        self.incomplete: list[str] = []
        self.unread: list[str] = []

    def add_incomplete(self, what: str) -> None:
        self.incomplete.append(what)
        self.append(f"incomplete: {what}")

    def add_unread(self, what: str) -> None:
        self.unread.append(what)
        self.append(f"unread: {what}")


@dataclass
class Cell:
    value: Number | None
    raw: str
    page: int | None = None
    confidence: float | None = None  # OCR'd cells only
    alternatives: list[str] | None = None  # OCR'd cells: the recogniser's next likeliest readings
    source: str | None = None  # legacy cells: "table" (the 统计表) or "text" (a sentence)
    derived: bool = False  # computed from other cells, not printed (raw says how: "=a+b+c")
    # Where it was printed, to cite it: the row's and the column's labels as printed, which
    # table of the document (0-based, in document order), which printed row of that table
    # (0-based), and the 1-based line of the extracted text where the row's numbers start.
    row_label: str | None = None
    col_label: str | None = None
    table_index: int | None = None
    row_index: int | None = None
    line: int | None = None


@dataclass
class Check:
    id: str
    ok: bool
    expected: Number | None
    actual: Number | None
    detail: str
    # Whose error a failed check shows (pipeline/validate): "publisher" — an identity broken
    # among printed cells all read with full confidence, the publisher's own arithmetic —,
    # "reading" — a cell inferred, derived, read with low confidence or under a warning, so the
    # failure may be ours —, or "unclear" (prose against a table). None when the check holds.
    blame: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "ok": self.ok,
            "expected": _num(self.expected),
            "actual": _num(self.actual),
            "detail": self.detail,
        }


@dataclass
class Section:
    no: int
    heading: str
    body: str


@dataclass
class Report:
    source: str
    sha256: str
    media_type: str = "text/plain"
    method: str | None = None
    title: str | None = None
    issuer: str | None = None
    issuer_key: str | None = None
    jurisdiction: dict[str, Any] = field(
        default_factory=lambda: {"name": None, "name_simplified": None, "level": None, "code": None}
    )
    scope: str = "unknown"
    year: int | None = None
    published_on: str | None = None
    # Other dates the document states about itself, by where they were read: "pdf_metadata"
    # (the PDF's CreationDate). The page's own date is published_on; the URL's and the crawl's
    # come with the provenance (pipeline/store/rows.py). The view `timeliness` weighs them.
    dates: dict[str, str] = field(default_factory=dict)
    format: str = "unknown"
    tables: dict[str, dict[str, dict[str, Cell]]] = field(
        default_factory=lambda: {"proactive": {}, "applications": {}, "appeals": {}, "legacy": {}}
    )
    checks: list[Check] = field(default_factory=list)
    warnings: Warnings = field(default_factory=Warnings)
    sections: list[Section] = field(default_factory=list)
    narrative: dict[str, Number] = field(default_factory=dict)  # numbers stated in prose
    # The series this report belongs to: one issuing body (or one area's aggregate) over the
    # years — the place's current division code (or project id), the body's own name within it,
    # and the scope. Checks across years pair reports of one series, never of one place.
    series_key: str | None = None
    generated: bool = False  # a generated example (the bundled corpus), never a published report
    error: str | None = None
    _facts: list | None = field(default=None, repr=False, compare=False)
    _checks: list | None = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        if not isinstance(self.warnings, Warnings):
            self.warnings = Warnings(self.warnings)

    def fact_columns(self) -> tuple[tuple, ...]:
        """The report's cells as columns (FACT_COLUMNS: key "table|row|col", value text, raw
        text, page, confidence, then where it was printed) for the warehouse. Computed once,
        where the report is extracted (a worker process), so the writer only concatenates."""
        if self._facts is None:
            rows = [
                (
                    f"{table}|{row}|{col}",
                    None if c.value is None else str(c.value),
                    c.raw,
                    c.page,
                    c.confidence,
                    c.row_label,
                    c.col_label,
                    c.table_index,
                    c.row_index,
                    c.line,
                )
                for table, rows_ in self.tables.items()
                for row, cells in rows_.items()
                for col, c in cells.items()
            ]
            self._facts = list(zip(*rows)) if rows else [()] * len(FACT_COLUMNS)
        return tuple(self._facts)

    def check_columns(self) -> tuple[tuple, ...]:
        """The checks as columns (id, ok, expected text, actual text, detail, blame), like
        fact_columns."""
        if self._checks is None:
            rows = [
                (
                    c.id,
                    c.ok,
                    None if c.expected is None else str(c.expected),
                    None if c.actual is None else str(c.actual),
                    c.detail,
                    c.blame,
                )
                for c in self.checks
            ]
            self._checks = list(zip(*rows)) if rows else [(), (), (), (), (), ()]
        return tuple(self._checks)

    @property
    def status(self) -> str:
        """error · unread (the document shows a mandated table — its heading, its row labels or
        its header words — but no cell of it was read) · partial (cut off or missing a table, or
        rows of a table not read) · pre2019 / no_tables (a report, but no number could be read
        from it and it shows no mandated table: a 2008–2018 report, or one without the tables) ·
        ok (numbers read: the mandated tables, or the `legacy` table of a report without them)."""
        if self.error:
            return "error"
        if self.warnings.unread:
            return "unread"
        if self.warnings.incomplete:
            return "partial"
        if not any(cells for rows in self.tables.values() for cells in rows.values()):
            return "pre2019" if self.format == "pre2019" else "no_tables"
        return "ok"

    @property
    def cell_count(self) -> int:
        return sum(len(cells) for rows in self.tables.values() for cells in rows.values())

    @property
    def read_by_ocr(self) -> bool:
        """Whether any of its numbers was read by OCR (such cells carry a confidence)."""
        return any(
            c.confidence is not None
            for rows in self.tables.values()
            for cells in rows.values()
            for c in cells.values()
        )

    def value(self, table: str, row: str, col: str) -> Number | None:
        cell = self.tables[table].get(row, {}).get(col)
        return cell.value if cell else None

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "sha256": self.sha256,
            "title": self.title,
            "jurisdiction": self.jurisdiction,
            "issuer": self.issuer,
            "scope": self.scope,
            "year": self.year,
            "published_on": self.published_on,
            "format": self.format,
            **{
                name: {
                    row: {col: _num(c.value) for col, c in cols.items()}
                    for row, cols in rows.items()
                }
                for name, rows in self.tables.items()
            },
            "checks": [c.to_json() for c in self.checks],
            "warnings": self.warnings,
            "error": self.error,
        }

    def json_line(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False)


_PROVENANCE_FIELDS = {f.name for f in fields(Provenance)}


def _num(v: Number | None) -> int | float | None:
    if v is None or isinstance(v, int):
        return v
    return int(v) if v == v.to_integral_value() else float(v)
