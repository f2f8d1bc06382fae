"""The warehouse schema: base tables, the tables kept up to date at load, and the views.

Researchers query the views named in the interface spec. Three kinds of objects stand behind
them:

* **base tables** (``doc``, ``report``, ``fact``, …) declared once in :data:`TABLES`, from which
  both the DDL and the Arrow batches of a load are made;
* **tables maintained at load** (``w_applications``, ``w_appeals``, ``w_proactive``, ``m_metrics``):
  one row per report, a column per canonical cell (generated from the catalogue), written for
  the reports a batch adds and updated when a report stops being current. Panel queries then read
  stored columns — a filter on year or issuer reaches the storage — instead of pivoting every fact
  at query time;
* **views** that are plain projections of those (so filters push down), plus the few that join.
"""

from __future__ import annotations

import re

import pyarrow as pa

from .. import catalogue as cat
from ..model import LOW_CONFIDENCE
from . import compliance
from .sqltext import literal

S, I32, I64, TS, DATE, BOOL, NUM = (
    pa.string(),
    pa.int32(),
    pa.int64(),
    pa.timestamp("us"),
    pa.date32(),
    pa.bool_(),
    pa.string(),
)
SQL_TYPE = {
    S: "VARCHAR",
    I32: "INTEGER",
    I64: "BIGINT",
    TS: "TIMESTAMP",
    DATE: "DATE",
    BOOL: "BOOLEAN",
    pa.int16(): "SMALLINT",
    pa.float32(): "REAL",
    pa.list_(S): "VARCHAR[]",
}
# Numbers travel as text and land as DECIMAL(18,6): exact for counts and for 万元 amounts to 0.01 元.
NUMERIC = "DECIMAL(18, 6)"

# Base tables: (name, [(column, arrow type)]). One declaration feeds the DDL and the Arrow
# batches (and the Parquet shards of a distributed extraction), so they cannot drift apart.
TABLES = {
    "doc": [
        ("doc_id", S),
        ("source_id", S),
        ("source_url", S),
        ("page_url", S),
        ("fetched_at", TS),
        ("media_type", S),
        ("bytes", I64),
        ("path", S),
        ("title", S),
        ("http_status", I32),
        ("year_guess", I32),
        ("published_on", DATE),
        ("archive_url", S),  # where an archive keeps this copy (a mirror's Link: rel="memento")
    ],
    "report": [
        ("report_no", I64),
        ("report_id", S),
        ("doc_id", S),
        ("source_id", S),
        ("issuer", S),
        ("issuer_key", S),
        ("series_key", S),
        ("aliases", pa.list_(S)),
        ("scope", S),
        ("jurisdiction", S),
        ("jurisdiction_simplified", S),
        ("jurisdiction_code", S),
        ("jurisdiction_id", S),
        ("jurisdiction_flag", S),
        ("current_code", S),
        ("province", S),
        ("level", S),
        ("parent", S),
        ("year", I32),
        ("format", S),
        ("title", S),
        ("published_on", DATE),
        ("status", S),
        ("error", S),
        ("warnings", pa.list_(S)),
        ("method", S),
        ("extractor_version", S),
        ("ingested_at", TS),
        ("generated", BOOL),
        ("is_current", BOOL),
        # the other dates a report can be dated by (the view `timeliness` weighs them with
        # published_on, the page's): its URL's, its PDF's CreationDate, the crawl's (Last-Modified)
        ("url_date", DATE),
        ("pdf_date", DATE),
        ("crawl_date", DATE),
    ],
    # One row per number: the cell is a small id into `cell` (the catalogue's keys), the report a
    # number into `report` — a narrow table loads at millions of rows a second.
    "fact": [
        ("report_no", I64),
        ("cell_id", pa.int16()),
        ("value", NUM),
        ("raw_text", S),
        ("page", I32),
        ("confidence", pa.float32()),
        # where it was printed (pipeline.model.Cell): to cite a number from the warehouse alone
        ("row_label", S),
        ("col_label", S),
        ("table_index", pa.int16()),
        ("row_index", pa.int16()),
        ("line", I32),
    ],
    "check_result": [
        ("report_no", I64),
        ("check_id", S),
        ("ok", BOOL),
        ("expected", NUM),
        ("actual", NUM),
        ("detail", S),
        ("blame", S),  # a failed check: publisher / reading / unclear (pipeline/validate)
    ],
    "section": [("report_no", I64), ("section_no", I32), ("heading", S), ("body", S)],
}
NUMERIC_COLUMNS = {("fact", "value"), ("check_result", "expected"), ("check_result", "actual")}
PRIMARY = {("doc", "doc_id"), ("report", "report_no")}
WIDE = ("proactive", "applications", "appeals")


def ddl() -> str:
    out = [
        "CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);",
        "CREATE TABLE IF NOT EXISTS cell (cell_id SMALLINT PRIMARY KEY, table_name VARCHAR, row_key VARCHAR, "
        "col_key VARCHAR, UNIQUE (table_name, row_key, col_key));",
        "CREATE TABLE IF NOT EXISTS crawl_outcome (source_id VARCHAR, crawled_at TIMESTAMP, outcome VARCHAR, "
        "detail VARCHAR, column_url VARCHAR, trail VARCHAR[]);",
        # URLs that failed for good in a crawl (after retries), and requests a closed source left
        "CREATE TABLE IF NOT EXISTS crawl_error (source_id VARCHAR, url VARCHAR, error VARCHAR, attempts INTEGER, "
        "last_tried_at TIMESTAMP, role VARCHAR, run_id VARCHAR, UNIQUE (source_id, url, last_tried_at));",
        "CREATE TABLE IF NOT EXISTS cross_check (report_no BIGINT, check_id VARCHAR, ok BOOLEAN, "
        "expected DECIMAL(18, 6), actual DECIMAL(18, 6), detail VARCHAR, other_report_no BIGINT, "
        # the other report's id, stored: `checks` then needs no second join with `report`
        "other_report_id VARCHAR);",
        # Every URL a document was fetched from (the same bytes under two URLs: one doc, two rows).
        "CREATE TABLE IF NOT EXISTS doc_url (doc_id VARCHAR, url VARCHAR, page_url VARCHAR, source_id VARCHAR, "
        "fetched_at TIMESTAMP, http_status INTEGER, UNIQUE (doc_id, url));",
        # Parquet shards of a distributed extraction already loaded (pipeline/store/shards.py).
        "CREATE TABLE IF NOT EXISTS loaded_shard (shard VARCHAR PRIMARY KEY, extractor_version VARCHAR, "
        "loaded_at TIMESTAMP);",
    ]
    out += compliance.TABLES_DDL
    for name, cols in TABLES.items():
        defs = []
        for col, typ in cols:
            sql = NUMERIC if (name, col) in NUMERIC_COLUMNS else SQL_TYPE[typ]
            defs.append(f"{col} {sql}{' PRIMARY KEY' if (name, col) in PRIMARY else ''}")
        out.append(f"CREATE TABLE IF NOT EXISTS {name} ({', '.join(defs)});")
    return "\n".join(out)


# ---------------------------------------------------------------- tables maintained at load
def wide_columns(table: str) -> list[tuple[str, str, str]]:
    """(column name, SQL type, unit) of a wide table's cells, in template order."""
    units = cat.PROACTIVE_UNITS if table == "proactive" else {}
    return [
        (
            f"{row}_{col}",
            NUMERIC if units.get(col) == "amount_wan" else "BIGINT",
            units.get(col, "count"),
        )
        for row, col in cat.wide_columns(table)
    ]


def wide_ddl(table: str) -> str:
    cols = ", ".join(f"{n} {t}" for n, t, _ in wide_columns(table))
    return (
        f"CREATE TABLE IF NOT EXISTS w_{table} (report_no BIGINT, report_id VARCHAR, issuer VARCHAR, "
        f"jurisdiction VARCHAR, level VARCHAR, scope VARCHAR, year INTEGER, format VARCHAR, status VARCHAR, "
        f"is_current BOOLEAN, generated BOOLEAN, {cols});"
    )


def wide_insert(table: str, cell_ids: dict[str, int], reports: str) -> str:
    """Rows of the wide table for the reports whose numbers are in `reports` (a table of
    report_no): one PIVOT over those reports' facts. (Two hundred filtered aggregates cost
    ~0.5 s a statement whatever the batch; the pivot, ~0.15 s for a thousand reports.)"""
    picks, ids, amounts = [], [], []
    for (row, col), (name, typ, unit) in zip(cat.wide_columns(table), wide_columns(table)):
        cid = cell_ids[f"{table}|{row}|{col}"]
        ids.append(str(cid))
        if unit == "amount_wan":
            amounts.append(str(cid))
            picks.append(f'p."{cid}" AS {name}')
        else:
            # Counts as integers; a non-integer count (flagged by values.types) stays visible in `facts`.
            picks.append(f'CAST(p."{cid}" AS BIGINT) AS {name}')
    keep = f"cell_id IN ({', '.join(amounts)}) OR " if amounts else ""
    return f"""
INSERT INTO w_{table}
SELECT r.report_no, r.report_id, r.issuer, r.jurisdiction, r.level, r.scope, r.year, r.format, r.status, r.is_current,
       r.generated, {", ".join(picks)}
FROM report r LEFT JOIN (
    PIVOT (SELECT report_no, cell_id, CASE WHEN {keep}value = trunc(value) THEN value END AS v
           FROM fact WHERE report_no IN (SELECT report_no FROM {reports}) AND cell_id IN ({", ".join(ids)}))
    ON cell_id IN ({", ".join(ids)}) USING first(v) GROUP BY report_no) p USING (report_no)
WHERE r.report_no IN (SELECT report_no FROM {reports}) AND r.status <> 'error'"""


METRICS_DDL = """CREATE TABLE IF NOT EXISTS m_metrics (report_no BIGINT, report_id VARCHAR, issuer VARCHAR,
    jurisdiction VARCHAR, level VARCHAR, scope VARCHAR, year INTEGER, format VARCHAR, is_current BOOLEAN,
    generated BOOLEAN, applications BIGINT, total_processed BIGINT, decided BIGINT, grant_rate DOUBLE,
    grant_rate_decided DOUBLE,
    disclosure_rate DOUBLE, denial_rate DOUBLE, denial_rate_decided DOUBLE, not_held_rate DOUBLE,
    reconsideration_per_100_applications DOUBLE, litigation_per_100_applications DOUBLE,
    reconsideration_correction_rate DOUBLE, litigation_correction_rate DOUBLE);"""

# The rates researchers compare, named once (metrics, pipeline.analysis and the charts use these
# names): over all requests processed, or over those that reached a decision (granted, partially
# granted or denied — unavailable, not processed and other handling left out).
RATES = {
    "grant_rate": "granted / total_processed (三（七）总计)",
    "grant_rate_decided": "granted / (granted + partially granted + denied)",
    "disclosure_rate": "(granted + partially granted) / total_processed",
    "denial_rate": "denied / total_processed",
    "denial_rate_decided": "denied / (granted + partially granted + denied)",
    "not_held_rate": "本机关不掌握 / total_processed",
    "reconsideration_per_100_applications": "100 × reconsideration cases / applications received",
    "litigation_per_100_applications": "100 × (direct + after-reconsideration lawsuits) / applications received",
    "reconsideration_correction_rate": "corrected / (reconsideration cases − pending)",
    "litigation_correction_rate": "corrected / (lawsuits − pending)",
}


def decided_sql(prefix: str = "a.") -> str:
    """Requests that reached a decision: granted + partially granted + denied (RATES)."""
    return f"({prefix}granted_total + {prefix}partially_granted_total + {cat.outcome_sum_sql('denied', prefix)})"


def metrics_insert(reports: str) -> str:
    tp = "nullif(a.total_processed_total, 0)"
    apps = "nullif(a.new_received_total, 0)"
    decided = decided_sql()
    denied = cat.outcome_sum_sql("denied")
    return f"""
INSERT INTO m_metrics
SELECT a.report_no, a.report_id, a.issuer, a.jurisdiction, a.level, a.scope, a.year, a.format, a.is_current,
       a.generated, a.new_received_total, a.total_processed_total, {decided},
       a.granted_total / {tp},
       a.granted_total / nullif({decided}, 0),
       (a.granted_total + a.partially_granted_total) / {tp},
       {denied} / {tp},
       {denied} / nullif({decided}, 0),
       a.unavailable_not_held_total / {tp},
       100.0 * p.reconsideration_total / {apps},
       100.0 * (p.litigation_direct_total + p.litigation_after_reconsideration_total) / {apps},
       p.reconsideration_corrected / nullif(p.reconsideration_total - p.reconsideration_pending, 0),
       (p.litigation_direct_corrected + p.litigation_after_reconsideration_corrected)
           / nullif(p.litigation_direct_total - p.litigation_direct_pending
                    + p.litigation_after_reconsideration_total - p.litigation_after_reconsideration_pending, 0)
FROM w_applications a LEFT JOIN w_appeals p USING (report_no)
WHERE a.report_no IN (SELECT report_no FROM {reports})"""


DERIVED = ("w_applications", "w_appeals", "w_proactive", "m_metrics")

# ---------------------------------------------------------------- views
VIEWS = [
    "CREATE OR REPLACE VIEW documents AS SELECT * FROM doc",
    "CREATE OR REPLACE VIEW crawl_outcomes AS SELECT * FROM crawl_outcome",
    "CREATE OR REPLACE VIEW document_urls AS SELECT * FROM doc_url",
    # one row per URL whose latest try failed and that no later fetch stored (a row without an
    # error says a URL that failed before answered later: a listing page, say)
    """CREATE OR REPLACE VIEW crawl_errors AS
SELECT e.source_id, e.url, e.error, e.attempts, e.last_tried_at, e.role
FROM crawl_error e
WHERE e.last_tried_at = (SELECT max(x.last_tried_at) FROM crawl_error x
                         WHERE x.source_id = e.source_id AND x.url = e.url)
  AND e.error IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM doc_url u WHERE u.url = e.url AND u.fetched_at >= e.last_tried_at)""",
    # (the other dates are the view `timeliness`'s)
    "CREATE OR REPLACE VIEW reports AS SELECT * EXCLUDE (report_no, url_date, pdf_date, crawl_date) FROM report",
    # every number with where it was printed: "p. 4, 表三, row 一、本年新收…, col 总计" from here alone
    """CREATE OR REPLACE VIEW facts AS
SELECT r.report_id, c.table_name, c.row_key, c.col_key, f.value, f.raw_text, f.page, f.confidence,
       f.row_label, f.col_label, f.table_index, f.row_index, f.line, r.generated
FROM fact f JOIN cell c USING (cell_id) JOIN report r USING (report_no)""",
    # issuer and year ride along (after the spec's columns), so "which reports fail which check"
    # is one scan, not a second join on the text report_id
    """CREATE OR REPLACE VIEW checks AS
SELECT r.report_id, k.check_id, k.ok, k.expected, k.actual, k.detail, r.issuer, r.year, r.generated
FROM check_result k JOIN report r USING (report_no)
UNION ALL
SELECT r.report_id, x.check_id, x.ok, x.expected, x.actual,
       x.detail || coalesce(' [other report ' || x.other_report_id || ']', ''), r.issuer, r.year, r.generated
FROM cross_check x JOIN report r USING (report_no)""",
    """CREATE OR REPLACE VIEW cross_checks AS
SELECT r.report_id, r.issuer, r.year, x.check_id, x.ok, x.expected, x.actual, x.detail,
       x.other_report_id, o.issuer AS other_issuer, o.year AS other_year, r.generated
FROM cross_check x JOIN report r USING (report_no) LEFT JOIN report o ON o.report_no = x.other_report_no""",
    """CREATE OR REPLACE VIEW sections AS
SELECT r.report_id, s.section_no, s.heading, s.body, r.generated
FROM section s JOIN report r USING (report_no)""",
    """CREATE OR REPLACE VIEW extraction_errors AS
SELECT r.report_id, r.doc_id, d.source_url, d.path, r.error, r.ingested_at, r.generated
FROM report r LEFT JOIN doc d USING (doc_id) WHERE r.status = 'error'""",
    *(f"CREATE OR REPLACE VIEW {t}_wide AS SELECT * EXCLUDE (report_no) FROM w_{t}" for t in WIDE),
    "CREATE OR REPLACE VIEW metrics AS SELECT * EXCLUDE (report_no) FROM m_metrics",
    # the figures of 2008–2018 reports (统计表 or prose), one row per figure, with where it came from
    """CREATE OR REPLACE VIEW legacy AS
SELECT r.report_id, r.issuer, r.jurisdiction, r.level, r.scope, r.year, r.format, r.is_current,
       c.row_key AS indicator, ends_with(c.row_key, '_cumulative') AS cumulative, f.value, f.raw_text, f.page,
       r.generated
FROM fact f JOIN cell c USING (cell_id) JOIN report r USING (report_no)
WHERE c.table_name = 'legacy'""",
]


def panel_view() -> str:
    """`panel`: one row per report on the measures 2008–2018 and 2019+ reports share
    (catalogue.PANEL_MEASURES), each with a `<measure>_comparable` note. docs/panel.md."""
    legacy_keys = sorted({key for _, key, _, _ in cat.PANEL_MEASURES})
    picks = ",\n       ".join(
        f"CASE WHEN l.report_no IS NOT NULL THEN {_legacy_value(key)} ELSE {sql} END AS {measure},\n"
        f"       {literal(note)} AS {measure}_comparable"
        for measure, key, sql, note in cat.PANEL_MEASURES
    )
    pivot = ", ".join(f"max(f.value) FILTER (WHERE c.row_key = '{k}') AS {k}" for k in legacy_keys)
    return f"""CREATE OR REPLACE VIEW panel AS
WITH l AS (
    SELECT f.report_no, {pivot}
    FROM fact f JOIN cell c USING (cell_id)
    WHERE c.table_name = 'legacy' GROUP BY f.report_no)
SELECT r.report_id, r.issuer, r.jurisdiction, r.jurisdiction_code, r.level, r.scope, r.year, r.format, r.status,
       r.is_current, r.generated, r.series_key,
       CASE WHEN l.report_no IS NOT NULL THEN 'legacy' ELSE 'mandated' END AS definitions,
       {picks}
FROM report r
LEFT JOIN l USING (report_no)
LEFT JOIN w_applications a USING (report_no)
LEFT JOIN w_appeals p USING (report_no)
WHERE r.status IN ('ok', 'partial', 'unread') AND (l.report_no IS NOT NULL OR a.report_no IS NOT NULL)"""


def _legacy_value(key: str) -> str:
    # counts as integers like the 2019+ columns; money (元) as printed
    return f"l.{key}" if cat.LEGACY[key].unit == "yuan" else f"CAST(l.{key} AS BIGINT)"


VIEWS.append(panel_view())
VIEWS += [
    compliance.timeliness_view(),
    compliance.COVERAGE,
    compliance.reporting_quality_view(LOW_CONFIDENCE),
    compliance.REPORTING_QUALITY_BY,
    compliance.metrics_per_capita_view(),
]

# The views researchers query, in the order the docs, exports and datasette list them: the one
# list of them (the interface spec names them).
VIEW_NAMES = (
    "documents",
    "document_urls",
    "crawl_outcomes",
    "crawl_errors",
    "reports",
    "facts",
    "checks",
    "cross_checks",
    "sections",
    "applications_wide",
    "appeals_wide",
    "proactive_wide",
    "metrics",
    "extraction_errors",
    "legacy",
    "panel",
    "timeliness",
    "coverage",
    "reporting_quality",
    "reporting_quality_by",
    "metrics_per_capita",
)
assert sorted(VIEW_NAMES) == sorted(re.match(r"CREATE OR REPLACE VIEW (\w+)", v)[1] for v in VIEWS)
