"""Stage 4 — the DuckDB warehouse.

Base tables (``doc``, ``report``, ``fact``, ``check_result``, ``section``, ``crawl_outcome``) are
internal; researchers query the views named in the interface spec, which are rebuilt from the
catalogue on every open. A batch of reports is loaded in one transaction (bulk, from Arrow);
if it fails, each report is retried in a transaction of its own so one bad report never takes
its neighbours down and never leaves half its rows behind.
"""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from .. import catalogue as cat
from ..model import EXTRACTOR_VERSION, Report

DEFAULT_DB = Path("data/ogi.duckdb")
SCHEMA_VERSION = "7"

S, I32, I64, TS, DATE, BOOL, NUM = (pa.string(), pa.int32(), pa.int64(), pa.timestamp("us"), pa.date32(),
                                    pa.bool_(), pa.string())
_SQL = {S: "VARCHAR", I32: "INTEGER", I64: "BIGINT", TS: "TIMESTAMP", DATE: "DATE", BOOL: "BOOLEAN",
        pa.int16(): "SMALLINT", pa.float32(): "REAL", pa.list_(S): "VARCHAR[]"}
# Numbers travel as text and land as DECIMAL(18,6): exact for counts and for 万元 amounts to 0.01 元.
NUMERIC = "DECIMAL(18, 6)"

# Base tables: (name, [(column, arrow type, SQL type override)]). One declaration feeds both the
# DDL and the Arrow batches, so they cannot drift apart.
TABLES = {
    "doc": [("doc_id", S), ("source_id", S), ("source_url", S), ("page_url", S), ("fetched_at", TS),
            ("media_type", S), ("bytes", I64), ("path", S), ("title", S), ("http_status", I32),
            ("year_guess", I32), ("published_on", DATE)],
    "report": [("report_no", I64), ("report_id", S), ("doc_id", S), ("source_id", S), ("issuer", S),
               ("issuer_key", S), ("aliases", pa.list_(S)), ("scope", S), ("jurisdiction", S),
               ("jurisdiction_simplified", S), ("jurisdiction_code", S), ("jurisdiction_id", S),
               ("jurisdiction_flag", S), ("current_code", S), ("level", S), ("parent", S),
               ("year", I32), ("format", S), ("title", S), ("published_on", DATE), ("status", S), ("error", S),
               ("warnings", pa.list_(S)), ("method", S), ("extractor_version", S), ("ingested_at", TS)],
    # One row per number: the cell is a small id into `cell` (the catalogue's keys), the report a
    # number into `report` — a narrow table loads at millions of rows a second.
    "fact": [("report_no", I64), ("cell_id", pa.int16()), ("value", NUM), ("raw_text", S), ("page", I32),
             ("confidence", pa.float32())],
    "check_result": [("report_no", I64), ("check_id", S), ("ok", BOOL), ("expected", NUM), ("actual", NUM),
                     ("detail", S)],
    "section": [("report_no", I64), ("section_no", I32), ("heading", S), ("body", S)],
}
NUMERIC_COLUMNS = {("fact", "value"), ("check_result", "expected"), ("check_result", "actual")}


def _ddl() -> str:
    out = ["CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);",
           "CREATE TABLE IF NOT EXISTS cell (cell_id SMALLINT PRIMARY KEY, table_name VARCHAR, row_key VARCHAR, "
           "col_key VARCHAR, UNIQUE (table_name, row_key, col_key));",
           "CREATE TABLE IF NOT EXISTS crawl_outcome (source_id VARCHAR, crawled_at TIMESTAMP, outcome VARCHAR, "
           "detail VARCHAR, column_url VARCHAR, trail VARCHAR[]);",
           # URLs that failed for good in a crawl (after retries), and requests a closed source left
           "CREATE TABLE IF NOT EXISTS crawl_error (source_id VARCHAR, url VARCHAR, error VARCHAR, attempts INTEGER, "
           "last_tried_at TIMESTAMP, role VARCHAR, run_id VARCHAR, UNIQUE (source_id, url, last_tried_at));",
           "CREATE TABLE IF NOT EXISTS cross_check (report_no BIGINT, check_id VARCHAR, ok BOOLEAN, "
           "expected DECIMAL(18, 6), actual DECIMAL(18, 6), detail VARCHAR, other_report_id VARCHAR);",
           # Every URL a document was fetched from (the same bytes under two URLs: one doc, two rows).
           "CREATE TABLE IF NOT EXISTS doc_url (doc_id VARCHAR, url VARCHAR, page_url VARCHAR, source_id VARCHAR, "
           "fetched_at TIMESTAMP, http_status INTEGER, UNIQUE (doc_id, url));"]
    for name, cols in TABLES.items():
        defs = []
        for col, typ in cols:
            sql = NUMERIC if (name, col) in NUMERIC_COLUMNS else _SQL[typ]
            key = " PRIMARY KEY" if (name, col) in (("doc", "doc_id"), ("report", "report_no")) else ""
            defs.append(f"{col} {sql}{key}")
        out.append(f"CREATE TABLE IF NOT EXISTS {name} ({', '.join(defs)});")
    return "\n".join(out)


def _wide_view(table: str, cell_ids: dict[str, int]) -> str:
    units = cat.PROACTIVE_UNITS if table == "proactive" else {}
    cols = []
    for row, col in cat.wide_columns(table):
        pick = f"max(f.value) FILTER (WHERE f.cell_id = {cell_ids[f'{table}|{row}|{col}']})"
        if units.get(col, "count") == "amount_wan":
            cols.append(f"{pick} AS {row}_{col}")
        else:
            # Counts as integers; a non-integer count (flagged by values.types) stays visible in `facts`.
            cols.append(f"CAST(CASE WHEN {pick} = trunc({pick}) THEN {pick} END AS BIGINT) AS {row}_{col}")
    ids = ", ".join(str(cell_ids[f"{table}|{r}|{c}"]) for r, c in cat.wide_columns(table))
    return f"""
CREATE OR REPLACE VIEW {table}_wide AS
SELECT r.report_id, r.issuer, r.jurisdiction, r.level, r.scope, r.year, r.format, r.status, r.is_current,
       {', '.join(cols)}
FROM reports r LEFT JOIN fact f ON f.report_no = r.report_no AND f.cell_id IN ({ids})
WHERE r.status <> 'error'
GROUP BY ALL"""


VIEWS = [
    "CREATE OR REPLACE VIEW documents AS SELECT * FROM doc",
    "CREATE OR REPLACE VIEW crawl_outcomes AS SELECT * FROM crawl_outcome",
    # one row per URL whose latest try failed and that no later fetch stored
    """CREATE OR REPLACE VIEW crawl_errors AS
SELECT e.source_id, e.url, e.error, e.attempts, e.last_tried_at, e.role
FROM crawl_error e
WHERE e.last_tried_at = (SELECT max(x.last_tried_at) FROM crawl_error x WHERE x.source_id = e.source_id AND x.url = e.url)
  AND NOT EXISTS (SELECT 1 FROM doc_url u WHERE u.url = e.url AND u.fetched_at >= e.last_tried_at)""",
    "CREATE OR REPLACE VIEW document_urls AS SELECT * FROM doc_url",
    """CREATE OR REPLACE VIEW reports AS
SELECT r.* EXCLUDE (report_no), (r.status <> 'error' AND row_number() OVER (
        PARTITION BY coalesce(r.issuer_key, r.report_id), coalesce(r.year, -1), r.scope
        ORDER BY (r.status = 'error'), r.published_on DESC NULLS LAST, r.ingested_at DESC, r.report_id) = 1
    ) AS is_current,
    CASE WHEN regexp_matches(coalesce(r.current_code, r.jurisdiction_code, ''), '^[0-9]{6}$')
         THEN left(coalesce(r.current_code, r.jurisdiction_code), 2) || '0000' END AS province,
    r.report_no
FROM report r""",
    """CREATE OR REPLACE VIEW facts AS
SELECT r.report_id, c.table_name, c.row_key, c.col_key, f.value, f.raw_text, f.page, f.confidence
FROM fact f JOIN cell c USING (cell_id) JOIN report r USING (report_no)""",
    """CREATE OR REPLACE VIEW checks AS
SELECT r.report_id, k.check_id, k.ok, k.expected, k.actual, k.detail
FROM check_result k JOIN report r USING (report_no)
UNION ALL
SELECT r.report_id, x.check_id, x.ok, x.expected, x.actual, x.detail || ' [other report ' || x.other_report_id || ']'
FROM cross_check x JOIN report r USING (report_no)""",
    """CREATE OR REPLACE VIEW cross_checks AS
SELECT r.report_id, r.issuer, r.year, x.check_id, x.ok, x.expected, x.actual, x.detail,
       x.other_report_id, o.issuer AS other_issuer, o.year AS other_year
FROM cross_check x JOIN report r USING (report_no) LEFT JOIN report o ON o.report_id = x.other_report_id""",
    """CREATE OR REPLACE VIEW sections AS
SELECT r.report_id, s.section_no, s.heading, s.body FROM section s JOIN report r USING (report_no)""",
    """CREATE OR REPLACE VIEW extraction_errors AS
SELECT r.report_id, r.doc_id, d.source_url, d.path, r.error, r.ingested_at
FROM report r LEFT JOIN doc d USING (doc_id) WHERE r.status = 'error'""",
]


def _metrics_view() -> str:
    tp = "nullif(a.total_processed_total, 0)"
    apps = "nullif(a.new_received_total, 0)"
    denied = " + ".join(f"a.{k}_total" for k in cat.outcome_rows("denied"))
    return f"""
CREATE OR REPLACE VIEW metrics AS
SELECT a.report_id, a.issuer, a.jurisdiction, a.level, a.scope, a.year, a.format, a.is_current,
       a.new_received_total AS applications,
       a.total_processed_total AS total_processed,
       a.granted_total / {tp} AS grant_rate,
       (a.granted_total + a.partially_granted_total) / {tp} AS disclosure_rate,
       coalesce({denied}, a.denied_subtotal_total) / {tp} AS denial_rate,
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
    title: str | None = None  # link text from the crawl; the report's own title wins when found


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
            self._migrate()
        # "table|row|col" -> cell id, the key Report.fact_columns() uses.
        self.cell_ids = self._cell_ids()

    def _cell_ids(self) -> dict[str, int]:
        return {f"{t}|{r}|{c}": i for i, t, r, c in self.con.execute(
            "SELECT cell_id, table_name, row_key, col_key FROM cell").fetchall()}

    def _migrate(self) -> None:
        con = self.con
        version = None
        if con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'").fetchone()[0]:
            row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = row[0] if row else None
        if version not in (None, SCHEMA_VERSION):
            raise RuntimeError(f"{self.path} has warehouse schema {version}, this version writes {SCHEMA_VERSION}: "
                               f"re-ingest into a new file (see README, migrations)")
        con.execute(_ddl())
        con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
        # Cell ids are stable: existing cells keep theirs, new catalogue cells get the next free ids.
        known = {tuple(r) for r in con.execute("SELECT table_name, row_key, col_key FROM cell").fetchall()}
        next_id = con.execute("SELECT coalesce(max(cell_id), 0) + 1 FROM cell").fetchone()[0]
        for table in ("proactive", "applications", "appeals"):
            for row, col in cat.wide_columns(table):
                if (table, row, col) not in known:
                    con.execute("INSERT INTO cell VALUES (?, ?, ?, ?)", [next_id, table, row, col])
                    next_id += 1
        ids = self._cell_ids()
        for sql in VIEWS:
            con.execute(sql)
        for t in ("proactive", "applications", "appeals"):
            con.execute(_wide_view(t, ids))
        con.execute(_metrics_view())

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
        except (duckdb.Error, ValueError, pa.ArrowException):
            failed = []
            for item in batch:
                try:
                    self._load([item])
                except (duckdb.Error, ValueError, pa.ArrowException) as exc:
                    failed.append((item[0], f"warehouse: {exc}".splitlines()[0]))
            return failed

    def _load(self, batch: list[tuple[DocumentRecord, Report]]) -> None:
        con = self.con
        # A report re-extracted (new extractor version) replaces its old rows: same report_id.
        ids = [d.doc_id for d, _ in batch]
        old = [r[0] for r in con.execute("SELECT report_no FROM report WHERE report_id IN (SELECT unnest(?))",
                                         [ids]).fetchall()]
        first_no = con.execute("SELECT coalesce(max(report_no), 0) + 1 FROM report").fetchone()[0]
        tables = _rows(batch, first_no, self.cell_ids, dt.datetime.now())
        with self._staged(tables):
            if old:
                for t in ("fact", "check_result", "section", "report"):
                    con.execute(f"DELETE FROM {t} WHERE report_no IN (SELECT unnest(?))", [old])
            con.execute("INSERT OR IGNORE INTO doc SELECT * FROM _new_doc")
            for name in ("report", "fact", "check_result", "section"):
                cols = ", ".join(f"CAST({c} AS {NUMERIC})" if (name, c) in NUMERIC_COLUMNS else c
                                 for c, _ in TABLES[name])
                con.execute(f"INSERT INTO {name} SELECT {cols} FROM _new_{name}")

    @contextmanager
    def _staged(self, tables: dict[str, pa.Table]):
        """Arrow tables registered as _new_NAME inside one transaction: all of it, or none."""
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            for name, arrow in tables.items():
                con.register(f"_new_{name}", arrow)
            yield
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        finally:
            for name in tables:
                con.unregister(f"_new_{name}")

    def cross_check_inputs(self):
        """Current reports with their numbers and section 一, for pipeline.validate.cross."""
        from ..validate.cross import ReportFacts
        rows = self.con.execute("""
            SELECT r.report_no, r.report_id, coalesce(r.current_code, r.issuer_key) || '|' || r.scope, r.year,
                   r.format, r.scope, coalesce(r.jurisdiction_id, r.jurisdiction_simplified), r.level,
                   (SELECT body FROM section s WHERE s.report_no = r.report_no AND s.section_no = 1)
            FROM reports r
            WHERE r.is_current AND r.year IS NOT NULL AND coalesce(r.current_code, r.issuer_key) IS NOT NULL
        """).fetchall()
        facts: dict[int, dict] = {}
        for no, t, row, col, v in self.con.execute("""
                SELECT f.report_no, c.table_name, c.row_key, c.col_key, CAST(f.value AS DOUBLE)
                FROM fact f JOIN cell c USING (cell_id) WHERE f.value IS NOT NULL AND f.raw_text NOT LIKE '=%'
                  AND f.report_no IN (SELECT report_no FROM reports WHERE is_current)""").fetchall():
            facts.setdefault(no, {})[(t, row, col)] = v
        return [ReportFacts(rid, series, year, fmt, scope, place, level, facts.get(no, {}), body or "")
                for no, rid, series, year, fmt, scope, place, level, body in rows]

    def replace_cross_checks(self, results) -> None:
        table = pa.table({
            "report_id": pa.array([r.report_id for r in results], S),
            "check_id": pa.array([r.check_id for r in results], S), "ok": pa.array([r.ok for r in results], BOOL),
            "expected": pa.array([None if r.expected is None else repr(float(r.expected)) for r in results], S),
            "actual": pa.array([None if r.actual is None else repr(float(r.actual)) for r in results], S),
            "detail": pa.array([r.detail for r in results], S),
            "other_report_id": pa.array([r.other_report_id for r in results], S)})
        with self._staged({"cross": table}):
            self.con.execute("DELETE FROM cross_check")
            self.con.execute(f"""INSERT INTO cross_check
                SELECT r.report_no, x.check_id, x.ok, CAST(x.expected AS {NUMERIC}), CAST(x.actual AS {NUMERIC}),
                       x.detail, x.other_report_id
                FROM _new_cross x JOIN report r USING (report_id)""")

    def record_crawl_outcomes(self, outcomes: list[dict]) -> None:
        self.con.executemany("INSERT INTO crawl_outcome VALUES (?, ?, ?, ?, ?, ?)",
                             [[o["source_id"], dt.datetime.fromisoformat(o["crawled_at"]), o["outcome"], o["detail"],
                               o.get("column_url"), o.get("trail")] for o in outcomes])

    def record_crawl_errors(self, errors: list[dict]) -> None:
        """URLs that failed for good (crawlers.store errors.jsonl); the same row twice is kept once."""
        if errors:
            self.con.executemany("INSERT OR IGNORE INTO crawl_error VALUES (?, ?, ?, ?, ?, ?, ?)",
                                 [[e["source_id"], e["url"], e["error"], e.get("attempts"),
                                   dt.datetime.fromisoformat(e["last_tried_at"]), e.get("role"), e.get("run_id")]
                                  for e in errors])

    def link_urls(self, docs: list[DocumentRecord]) -> None:
        """Record every URL a document came from; a URL seen before is kept once."""
        if not docs:
            return
        rows = pa.table({"doc_id": [d.doc_id for d in docs], "url": [d.source_url for d in docs],
                         "page_url": [d.page_url for d in docs], "source_id": [d.source_id for d in docs],
                         "fetched_at": pa.array([d.fetched_at for d in docs], TS),
                         "http_status": pa.array([d.http_status for d in docs], I32)})
        with self._staged({"links": rows}):
            self.con.execute("INSERT OR IGNORE INTO doc_url SELECT DISTINCT ON (doc_id, url) * FROM _new_links")

    # ------------------------------------------------------------ reading
    def query(self, sql: str, params=None):
        return self.con.execute(sql, params or []).df()


def _rows(batch: list[tuple[DocumentRecord, Report]], first_no: int, cell_ids: dict, now: dt.datetime
          ) -> dict[str, pa.Table]:
    cols = {name: {c: [] for c, _ in spec} for name, spec in TABLES.items()}
    doc, rep, fact, chk, sec = (cols[n] for n in ("doc", "report", "fact", "check_result", "section"))
    for no, (d, r) in enumerate(batch, start=first_no):
        published = dt.date.fromisoformat(r.published_on) if r.published_on else None
        j = r.jurisdiction
        for k, v in (("doc_id", d.doc_id), ("source_id", d.source_id), ("source_url", d.source_url),
                     ("page_url", d.page_url), ("fetched_at", d.fetched_at), ("media_type", d.media_type),
                     ("bytes", d.bytes), ("path", d.path), ("title", r.title or d.title), ("http_status", d.http_status),
                     ("year_guess", d.year_guess or r.year), ("published_on", published)):
            doc[k].append(v)
        for k, v in (("report_no", no), ("report_id", d.doc_id), ("doc_id", d.doc_id), ("source_id", d.source_id),
                     ("issuer", r.issuer), ("issuer_key", r.issuer_key), ("aliases", j.get("aliases") or []),
                     ("scope", r.scope), ("jurisdiction", j.get("name")),
                     ("jurisdiction_simplified", j.get("name_simplified")), ("jurisdiction_code", j.get("code")),
                     ("jurisdiction_id", j.get("id")), ("jurisdiction_flag", j.get("flag")),
                     ("current_code", j.get("current_code")),
                     ("level", j.get("level")), ("parent", j.get("parent")), ("year", r.year),
                     ("format", r.format), ("title", r.title), ("published_on", published), ("status", r.status),
                     ("error", r.error), ("warnings", list(r.warnings)), ("method", r.method),
                     ("extractor_version", EXTRACTOR_VERSION), ("ingested_at", now)):
            rep[k].append(v)
        keys, values, raws, pages, confs = r.fact_columns()
        fact["report_no"] += [no] * len(keys)
        fact["cell_id"] += [cell_ids[k] for k in keys]
        fact["value"] += values
        fact["raw_text"] += raws
        fact["page"] += pages
        fact["confidence"] += confs
        ids, oks, expected, actual, details = r.check_columns()
        chk["report_no"] += [no] * len(ids)
        chk["check_id"] += ids
        chk["ok"] += oks
        chk["expected"] += expected
        chk["actual"] += actual
        chk["detail"] += details
        for s in r.sections:
            for k, v in (("report_no", no), ("section_no", s.no), ("heading", s.heading), ("body", s.body)):
                sec[k].append(v)
    return {name: pa.table(cols[name], schema=pa.schema(TABLES[name])) for name in TABLES}
