"""Stage 4 — the DuckDB warehouse.

Base tables (``doc``, ``report``, ``fact``, ``check_result``, ``section``, ``crawl_outcome``) are
internal; researchers query the views named in the interface spec, which are rebuilt from the
catalogue on every open. A batch of reports is loaded in one transaction (bulk, from Arrow);
if it fails, each report is retried in a transaction of its own so one bad report never takes
its neighbours down and never leaves half its rows behind.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from .. import catalogue as cat
from ..model import EXTRACTOR_VERSION, Report

DEFAULT_DB = Path("data/ogi.duckdb")
SCHEMA_VERSION = "1"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS doc (
    doc_id VARCHAR PRIMARY KEY, source_id VARCHAR, source_url VARCHAR, page_url VARCHAR,
    fetched_at TIMESTAMP, media_type VARCHAR, bytes BIGINT, path VARCHAR, title VARCHAR,
    http_status INTEGER, year_guess INTEGER, published_on DATE);
CREATE TABLE IF NOT EXISTS report (
    report_id VARCHAR PRIMARY KEY, doc_id VARCHAR, source_id VARCHAR, issuer VARCHAR,
    issuer_key VARCHAR, aliases VARCHAR[], scope VARCHAR, jurisdiction VARCHAR,
    jurisdiction_simplified VARCHAR, jurisdiction_code VARCHAR, level VARCHAR, parent VARCHAR,
    year INTEGER, format VARCHAR, title VARCHAR, published_on DATE, status VARCHAR,
    error VARCHAR, warnings VARCHAR[], method VARCHAR, extractor_version VARCHAR,
    ingested_at TIMESTAMP);
CREATE TABLE IF NOT EXISTS fact (
    report_id VARCHAR, table_name VARCHAR, row_key VARCHAR, col_key VARCHAR,
    value DECIMAL(24, 6), raw_text VARCHAR);
CREATE TABLE IF NOT EXISTS check_result (
    report_id VARCHAR, check_id VARCHAR, ok BOOLEAN, expected DECIMAL(24, 6),
    actual DECIMAL(24, 6), detail VARCHAR);
CREATE TABLE IF NOT EXISTS section (report_id VARCHAR, section_no INTEGER, heading VARCHAR, body VARCHAR);
CREATE TABLE IF NOT EXISTS crawl_outcome (
    source_id VARCHAR, crawled_at TIMESTAMP, outcome VARCHAR, detail VARCHAR);
"""


def _wide_view(table: str) -> str:
    units = {c.key: c.unit for c in cat.PROACTIVE_COLS} if table == "proactive" else {}
    cols = []
    for row, col in cat.wide_columns(table):
        pick = f"max(f.value) FILTER (WHERE f.row_key = '{row}' AND f.col_key = '{col}')"
        if units.get(col, "count") == "amount_wan":
            cols.append(f"{pick} AS {row}_{col}")
        else:
            # Counts as integers; a non-integer count (flagged by values.types) stays visible in `facts`.
            cols.append(f"CAST(CASE WHEN {pick} = trunc({pick}) THEN {pick} END AS BIGINT) AS {row}_{col}")
    return f"""
CREATE OR REPLACE VIEW {table}_wide AS
SELECT r.report_id, r.issuer, r.jurisdiction, r.level, r.scope, r.year, r.format, r.status, r.is_current,
       {', '.join(cols)}
FROM reports r LEFT JOIN fact f ON f.report_id = r.report_id AND f.table_name = '{table}'
WHERE r.status <> 'error'
GROUP BY ALL"""


def _sum(*cols: str) -> str:
    return " + ".join(cols)


_DENIED = _sum(*(f"a.{k}_total" for k in cat.outcome_rows("denied")))


VIEWS = [
    "CREATE OR REPLACE VIEW documents AS SELECT * FROM doc",
    "CREATE OR REPLACE VIEW crawl_outcomes AS SELECT * FROM crawl_outcome",
    """CREATE OR REPLACE VIEW reports AS
SELECT r.*, (r.status <> 'error' AND row_number() OVER (
        PARTITION BY coalesce(r.issuer_key, r.report_id), coalesce(r.year, -1), r.scope
        ORDER BY (r.status = 'error'), r.published_on DESC NULLS LAST, r.ingested_at DESC, r.report_id) = 1
    ) AS is_current
FROM report r""",
    "CREATE OR REPLACE VIEW facts AS SELECT * FROM fact",
    "CREATE OR REPLACE VIEW checks AS SELECT * FROM check_result",
    "CREATE OR REPLACE VIEW sections AS SELECT * FROM section",
    """CREATE OR REPLACE VIEW extraction_errors AS
SELECT r.report_id, r.doc_id, d.source_url, d.path, r.error, r.ingested_at
FROM report r LEFT JOIN doc d USING (doc_id) WHERE r.status = 'error'""",
]


def _metrics_view() -> str:
    tp = "nullif(a.total_processed_total, 0)"
    apps = "nullif(a.new_received_total, 0)"
    denied = f"coalesce({_DENIED}, a.denied_subtotal_total)"
    return f"""
CREATE OR REPLACE VIEW metrics AS
SELECT a.report_id, a.issuer, a.jurisdiction, a.level, a.scope, a.year, a.format, a.is_current,
       a.new_received_total AS applications,
       a.total_processed_total AS total_processed,
       a.granted_total / {tp} AS grant_rate,
       (a.granted_total + a.partially_granted_total) / {tp} AS disclosure_rate,
       {denied} / {tp} AS denial_rate,
       a.unavailable_not_held_total / {tp} AS not_held_rate,
       100.0 * p.reconsideration_total / {apps} AS reconsideration_per_100_applications,
       100.0 * (p.litigation_direct_total + p.litigation_after_reconsideration_total) / {apps}
           AS litigation_per_100_applications,
       p.reconsideration_corrected / nullif(p.reconsideration_total - p.reconsideration_pending, 0)
           AS reconsideration_correction_rate,
       (p.litigation_direct_corrected + p.litigation_after_reconsideration_corrected)
           / nullif(p.litigation_direct_total - p.litigation_direct_pending
                    + p.litigation_after_reconsideration_total - p.litigation_after_reconsideration_pending, 0)
           AS litigation_correction_rate
FROM applications_wide a LEFT JOIN appeals_wide p USING (report_id)"""


@dataclass
class DocumentRecord:
    """Provenance of one stored document (from a local path or, later, the crawler's manifest)."""
    doc_id: str
    source_url: str
    media_type: str
    bytes: int
    path: str | None = None
    source_id: str | None = None
    page_url: str | None = None
    fetched_at: dt.datetime | None = None
    http_status: int | None = None
    year_guess: int | None = None


class Warehouse:
    def __init__(self, path: str | Path = DEFAULT_DB, read_only: bool = False):
        self.path = Path(path)
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path), read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise RuntimeError(
                    f"{self.path} is open in another process (a notebook?). DuckDB allows one writer "
                    f"or many readers: close it there, or read a snapshot instead.") from None
            raise
        if not read_only:
            self.con.execute(SCHEMA)
            self.con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
            for sql in VIEWS:
                self.con.execute(sql)
            for t in ("proactive", "applications", "appeals"):
                self.con.execute(_wide_view(t))
            self.con.execute(_metrics_view())

    def close(self) -> None:
        self.con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # ------------------------------------------------------------ loading
    def known(self, doc_ids: list[str]) -> set[str]:
        """Documents already loaded by this extractor version: re-ingesting them changes nothing."""
        if not doc_ids:
            return set()
        rows = self.con.execute(
            "SELECT doc_id FROM report WHERE doc_id IN (SELECT unnest(?)) AND extractor_version = ?",
            [doc_ids, EXTRACTOR_VERSION]).fetchall()
        return {r[0] for r in rows}

    def load(self, batch: list[tuple[DocumentRecord, Report]]) -> list[tuple[DocumentRecord, str]]:
        """Load reports; returns the (document, reason) pairs that could not be stored."""
        if not batch:
            return []
        try:
            self._load(batch)
            return []
        except duckdb.Error:
            failed = []
            for item in batch:
                try:
                    self._load([item])
                except duckdb.Error as exc:
                    failed.append((item[0], f"warehouse: {exc}".splitlines()[0]))
            return failed

    def _load(self, batch: list[tuple[DocumentRecord, Report]]) -> None:
        now = dt.datetime.now()
        tables = _rows(batch, now)
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            for name, arrow in tables.items():
                con.register(f"_new_{name}", arrow)
            ids = "SELECT report_id FROM _new_report"
            for t in ("fact", "check_result", "section", "report"):
                con.execute(f"DELETE FROM {t} WHERE report_id IN ({ids})")
            con.execute("INSERT OR IGNORE INTO doc SELECT * FROM _new_doc")
            con.execute("INSERT INTO report SELECT * FROM _new_report")
            con.execute("INSERT INTO fact SELECT report_id, table_name, row_key, col_key, "
                        "CAST(value AS DECIMAL(24, 6)), raw_text FROM _new_fact")
            con.execute("INSERT INTO check_result SELECT report_id, check_id, ok, CAST(expected AS DECIMAL(24, 6)), "
                        "CAST(actual AS DECIMAL(24, 6)), detail FROM _new_check")
            con.execute("INSERT INTO section SELECT * FROM _new_section")
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        finally:
            for name in tables:
                try:
                    con.unregister(f"_new_{name}")
                except Exception:  # pragma: no cover
                    pass

    def record_crawl_outcome(self, source_id: str, outcome: str, detail: str = "") -> None:
        self.con.execute("INSERT INTO crawl_outcome VALUES (?, ?, ?, ?)", [source_id, dt.datetime.now(), outcome, detail])

    # ------------------------------------------------------------ reading
    def query(self, sql: str, params=None):
        return self.con.execute(sql, params or []).df()


def _str(v) -> str | None:
    return None if v is None else str(v)


def _rows(batch: list[tuple[DocumentRecord, Report]], now: dt.datetime) -> dict[str, pa.Table]:
    doc = {k: [] for k in ("doc_id", "source_id", "source_url", "page_url", "fetched_at", "media_type",
                           "bytes", "path", "title", "http_status", "year_guess", "published_on")}
    rep = {k: [] for k in ("report_id", "doc_id", "source_id", "issuer", "issuer_key", "aliases", "scope",
                           "jurisdiction", "jurisdiction_simplified", "jurisdiction_code", "level", "parent",
                           "year", "format", "title", "published_on", "status", "error", "warnings", "method",
                           "extractor_version", "ingested_at")}
    fact = {k: [] for k in ("report_id", "table_name", "row_key", "col_key", "value", "raw_text")}
    chk = {k: [] for k in ("report_id", "check_id", "ok", "expected", "actual", "detail")}
    sec = {k: [] for k in ("report_id", "section_no", "heading", "body")}
    for d, r in batch:
        published = dt.date.fromisoformat(r.published_on) if r.published_on else None
        for k, v in (("doc_id", d.doc_id), ("source_id", d.source_id), ("source_url", d.source_url),
                     ("page_url", d.page_url), ("fetched_at", d.fetched_at), ("media_type", d.media_type),
                     ("bytes", d.bytes), ("path", d.path), ("title", r.title), ("http_status", d.http_status),
                     ("year_guess", d.year_guess or r.year), ("published_on", published)):
            doc[k].append(v)
        rid = d.doc_id
        j = r.jurisdiction
        for k, v in (("report_id", rid), ("doc_id", d.doc_id), ("source_id", d.source_id), ("issuer", r.issuer),
                     ("issuer_key", r.issuer_key), ("aliases", j.get("aliases") or []), ("scope", r.scope),
                     ("jurisdiction", j.get("name")), ("jurisdiction_simplified", j.get("name_simplified")),
                     ("jurisdiction_code", j.get("code")), ("level", j.get("level")), ("parent", j.get("parent")),
                     ("year", r.year), ("format", r.format), ("title", r.title), ("published_on", published),
                     ("status", r.status), ("error", r.error), ("warnings", list(r.warnings)), ("method", r.method),
                     ("extractor_version", EXTRACTOR_VERSION), ("ingested_at", now)):
            rep[k].append(v)
        for table, rows in r.tables.items():
            for row, cells in rows.items():
                for col, cell in cells.items():
                    fact["report_id"].append(rid)
                    fact["table_name"].append(table)
                    fact["row_key"].append(row)
                    fact["col_key"].append(col)
                    fact["value"].append(_str(cell.value))
                    fact["raw_text"].append(cell.raw)
        for c in r.checks:
            for k, v in (("report_id", rid), ("check_id", c.id), ("ok", c.ok), ("expected", _str(c.expected)),
                         ("actual", _str(c.actual)), ("detail", c.detail)):
                chk[k].append(v)
        for s in r.sections:
            for k, v in (("report_id", rid), ("section_no", s.no), ("heading", s.heading), ("body", s.body)):
                sec[k].append(v)
    schema_doc = pa.schema([("doc_id", pa.string()), ("source_id", pa.string()), ("source_url", pa.string()),
                            ("page_url", pa.string()), ("fetched_at", pa.timestamp("us")), ("media_type", pa.string()),
                            ("bytes", pa.int64()), ("path", pa.string()), ("title", pa.string()),
                            ("http_status", pa.int32()), ("year_guess", pa.int32()), ("published_on", pa.date32())])
    schema_rep = pa.schema([("report_id", pa.string()), ("doc_id", pa.string()), ("source_id", pa.string()),
                            ("issuer", pa.string()), ("issuer_key", pa.string()), ("aliases", pa.list_(pa.string())),
                            ("scope", pa.string()), ("jurisdiction", pa.string()),
                            ("jurisdiction_simplified", pa.string()), ("jurisdiction_code", pa.string()),
                            ("level", pa.string()), ("parent", pa.string()), ("year", pa.int32()),
                            ("format", pa.string()), ("title", pa.string()), ("published_on", pa.date32()),
                            ("status", pa.string()), ("error", pa.string()), ("warnings", pa.list_(pa.string())),
                            ("method", pa.string()), ("extractor_version", pa.string()),
                            ("ingested_at", pa.timestamp("us"))])
    strings = pa.string()
    return {
        "doc": pa.table(doc, schema=schema_doc),
        "report": pa.table(rep, schema=schema_rep),
        "fact": pa.table(fact, schema=pa.schema([(k, strings) for k in fact])),
        "check": pa.table(chk, schema=pa.schema([("report_id", strings), ("check_id", strings), ("ok", pa.bool_()),
                                                 ("expected", strings), ("actual", strings), ("detail", strings)])),
        "section": pa.table(sec, schema=pa.schema([("report_id", strings), ("section_no", pa.int32()),
                                                   ("heading", strings), ("body", strings)])),
    }
