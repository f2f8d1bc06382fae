"""`ogi serve`: the warehouse in a browser, read-only, in datasette.

datasette reads SQLite, so the warehouse's views are published as a SQLite copy (sqlite-utils,
typed columns, keys) with a datasette metadata file: titles, every column's description from the
data dictionary, licence and source notes, facets (province, level, year, scope, format, status),
and canned queries for the comparisons researchers ask first. Foreign keys make every number a
link to its report and document: the ``facts`` table carries the raw text, the page and the
source URL of each number. datasette adds CSV and JSON downloads of every table and query.

``ogi ingest`` rebuilds the copy beside the snapshot (data/snapshot/ogi.sqlite); ``ogi serve``
rebuilds it when the warehouse is newer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ..store.dictionary import VIEW_NOTES, describe
from ..store.schema import VIEW_NAMES
from . import connect, warehouse_path

# Every view is served as it is, but `facts` carries the issuer, year and URL of each number
# (its row page then cites it); keys make every number a link to its report and document.
SELECT = {
    "facts": """SELECT f.*, r.issuer, r.year, d.source_url FROM facts f JOIN reports r USING (report_id)
                LEFT JOIN documents d USING (doc_id)""",
    # the province by its name beside its code (facets read names, not 350000)
    "reports": """SELECT r.*, p.name AS province_name
                  FROM reports r LEFT JOIN _provinces p ON p.code = r.province""",
}
PRIMARY_KEY = {
    "documents": "doc_id",
    "reports": "report_id",
    **{
        v: "report_id"
        for v in ("applications_wide", "appeals_wide", "proactive_wide", "metrics", "panel")
    },
}


def served() -> list[tuple[str, str, str | None, list[tuple[str, str, str]]]]:
    """(view, SELECT over the warehouse, primary key, foreign keys) of what datasette serves;
    a foreign key whose column a view lacks is left out when the table is made."""
    out = []
    for name in VIEW_NAMES:
        if name == "reports":
            fks = [("doc_id", "documents", "doc_id")]
        elif name in ("documents", "document_urls"):
            fks = [("doc_id", "documents", "doc_id")] if name == "document_urls" else []
        else:
            fks = [("report_id", "reports", "report_id")]
        out.append((name, SELECT.get(name, f"SELECT * FROM {name}"), PRIMARY_KEY.get(name), fks))
    return out


FACETS = {
    "reports": ["province_name", "level", "year", "scope", "format", "status", "generated"],
    "metrics": ["level", "year", "scope", "format"],
    **{
        t: ["level", "year", "scope", "format", "status"]
        for t in ("applications_wide", "appeals_wide", "proactive_wide")
    },
    "checks": ["check_id", "ok"],
    "facts": ["table_name", "year"],
    "legacy": ["indicator", "year", "level"],
    "panel": ["definitions", "year", "level", "scope", "generated"],
    "timeliness": ["verdict", "published_from", "year", "scope", "level", "generated"],
    "coverage": ["outcome", "year"],
    "reporting_quality": ["verdict", "year", "level", "generated"],
    "reporting_quality_by": ["grouped_by", "year"],
}
# Canned queries compare like with like: one level and one year at a time, a minimum number of
# reports or requests behind every rate, N shown; generated examples only when asked for.
QUERIES = {
    "grant_rate_by_province_year": {
        "title": "予以公开率，按省份和年份 / Grant rate by province and year",
        "description": "One level and one scope at a time (agency reports of :level, current versions); "
        "granted and processed summed over the reports that give both (never an average of rates); "
        "only provinces with at least :min_reports such reports. include_generated=1 adds the "
        "generated examples.",
        "sql": """SELECT r.province, a.year, a.level, count(*) AS reports, sum(a.granted_total) AS granted,
       sum(a.total_processed_total) AS processed,
       round(1.0 * sum(a.granted_total) / sum(a.total_processed_total), 4) AS grant_rate
FROM applications_wide a JOIN reports r ON r.report_id = a.report_id
WHERE a.is_current = 'true' AND a.scope = 'agency' AND a.level = coalesce(nullif(:level, ''), 'department')
  AND a.granted_total IS NOT NULL AND a.total_processed_total > 0
  AND (:include_generated = '1' OR r.generated = 'false')
GROUP BY r.province, a.year, a.level
HAVING count(*) >= coalesce(CAST(nullif(:min_reports, '') AS INTEGER), 3)
ORDER BY r.province, a.year""",
    },
    "litigation_per_100_applications": {
        "title": "每百件申请的行政诉讼 / Lawsuits per 100 applications",
        "description": "Bodies of one level (:level) and one year (:year) only, with at least "
        ":min_applications applications; lawsuits = direct + after reconsideration.",
        "sql": """SELECT a.issuer, a.year, a.level, a.scope, a.new_received_total AS applications,
       p.litigation_direct_total + p.litigation_after_reconsideration_total AS lawsuits,
       round(100.0 * (p.litigation_direct_total + p.litigation_after_reconsideration_total) / a.new_received_total, 2)
           AS litigation_per_100_applications, a.report_id
FROM applications_wide a JOIN appeals_wide p ON p.report_id = a.report_id JOIN reports r ON r.report_id = a.report_id
WHERE a.is_current = 'true' AND a.scope = 'agency'
  AND a.level = coalesce(nullif(:level, ''), 'department')
  AND a.year = coalesce(CAST(nullif(:year, '') AS INTEGER), (SELECT max(year) FROM applications_wide))
  AND a.new_received_total >= coalesce(CAST(nullif(:min_applications, '') AS INTEGER), 20)
  AND p.litigation_direct_total IS NOT NULL AND p.litigation_after_reconsideration_total IS NOT NULL
  AND (:include_generated = '1' OR r.generated = 'false')
ORDER BY litigation_per_100_applications DESC, applications DESC""",
    },
    "on_time_share_by_level_year": {
        "title": "按期公开的比例 / Share of reports published on time, by level and year",
        "description": "Current reports with a verdict (on time or late) only; those without one "
        "(no possible date, no deadline for the body) are counted apart. Deadlines: 2008 条例 第三十一条 "
        "(31 March) for 2008–2018; 2019 条例 第四十九条 (departments 31 January, governments 31 March).",
        "sql": """SELECT level, year, count(*) AS reports,
       sum(CASE WHEN verdict = 'on_time' THEN 1 ELSE 0 END) AS on_time,
       sum(CASE WHEN verdict = 'late' THEN 1 ELSE 0 END) AS late,
       sum(CASE WHEN verdict = 'unknown' THEN 1 ELSE 0 END) AS unknown,
       round(1.0 * sum(CASE WHEN verdict = 'on_time' THEN 1 ELSE 0 END)
             / nullif(sum(CASE WHEN verdict <> 'unknown' THEN 1 ELSE 0 END), 0), 4) AS on_time_share
FROM timeliness WHERE is_current = 'true' AND (:include_generated = '1' OR generated = 'false')
GROUP BY level, year ORDER BY level, year""",
    },
    "missing_reports": {
        "title": "未找到的年报 / Registry sources without a report for a year",
        "description": "Every source and year with no report, and why: not_found (crawled, none "
        "listed), unreachable, blocked (anti-bot), robots, not_crawled — with the evidence.",
        "sql": """SELECT source_id, body, year, outcome, evidence FROM coverage
WHERE outcome <> 'reported' ORDER BY source_id, year""",
    },
    "publisher_errors_by_level_year": {
        "title": "发布方计算错误 / Reports whose own printed numbers break an identity",
        "description": "Current reports; a publisher error is an identity broken among printed "
        "cells all read with full confidence (not a reading doubt). N = reports.",
        "sql": """SELECT level, year, count(*) AS reports,
       sum(CASE WHEN publisher_errors > 0 THEN 1 ELSE 0 END) AS reports_with_publisher_errors,
       round(1.0 * sum(CASE WHEN publisher_errors > 0 THEN 1 ELSE 0 END) / count(*), 4) AS publisher_error_rate
FROM reporting_quality WHERE is_current = 'true' AND (:include_generated = '1' OR generated = 'false')
GROUP BY level, year ORDER BY level, year""",
    },
    "reports_with_failed_checks": {
        "title": "未通过校验的报告 / Reports with failed checks",
        "description": "Every identity a report's own numbers break (and checks across reports). "
        "Flagged, never corrected.",
        "sql": """SELECT r.issuer, r.year, c.check_id, c.expected, c.actual, c.detail, r.report_id, r.generated
FROM checks c JOIN reports r ON r.report_id = c.report_id WHERE c.ok = 'false' ORDER BY r.issuer, r.year, c.check_id""",
    },
}


def publish_sqlite(db: str | Path | None, target: str | Path) -> Path:
    """Write the served views to a SQLite file and its datasette metadata (TARGET.json)."""
    import sqlite_utils

    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.unlink(missing_ok=True)
    out = sqlite_utils.Database(tmp)
    con = connect(db)
    try:
        con.register("_provinces", _provinces())
        for name, sql, pk, fks in served():
            cols = con.execute(f"DESCRIBE ({sql})").fetchall()
            select = ", ".join(_as_sqlite(c[0], c[1]) for c in cols)
            out[name].create(
                {c[0]: _py_type(c[1]) for c in cols},
                pk=pk,
                foreign_keys=[fk for fk in fks if fk[0] in {c[0] for c in cols}],
            )
            reader = con.execute(f"SELECT {select} FROM ({sql})").to_arrow_reader(20_000)
            for batch in reader:
                out[name].insert_all(batch.to_pylist(), batch_size=2_000)
            for facet in FACETS.get(name, []):
                if facet in {c[0] for c in cols}:
                    out[name].create_index([facet], if_not_exists=True)
    finally:
        con.close()
    out.close()
    tmp.replace(target)
    target.with_suffix(".json").write_text(
        json.dumps(metadata(target), ensure_ascii=False, indent=1)
    )
    return target


def _provinces():
    """Province code -> name, from the division table (GB/T 2260)."""
    import pandas as pd

    from ..normalise.divisions import table

    by_name = table()[0]
    rows = {d.code: d.name for ds in by_name.values() for d in ds if d.level == "province"}
    return pd.DataFrame(sorted(rows.items()), columns=["code", "name"])


def _py_type(duck_type: str):
    t = duck_type.upper()
    if t in ("BIGINT", "INTEGER", "SMALLINT", "TINYINT", "HUGEINT"):
        return int
    if t.startswith(("DECIMAL", "DOUBLE", "FLOAT", "REAL")):
        return float
    return str


def _as_sqlite(name: str, duck_type: str) -> str:
    """DuckDB values SQLite can store: exact decimals as doubles for display and sorting (the
    warehouse keeps them exact), lists as JSON text, booleans as 0/1."""
    t = duck_type.upper()
    if t.startswith("DECIMAL"):
        return f'CAST("{name}" AS DOUBLE) AS "{name}"'
    if t.endswith("[]"):
        return f'CAST(to_json("{name}") AS VARCHAR) AS "{name}"'
    if t == "BOOLEAN":  # words, not 1/0: facets and CSV downloads read true / false
        return f'CASE WHEN "{name}" THEN \'true\' WHEN NOT "{name}" THEN \'false\' END AS "{name}"'
    if t.startswith(("TIMESTAMP", "DATE")):
        return f'CAST("{name}" AS VARCHAR) AS "{name}"'
    return f'"{name}"'


# Human default sorts: newest reports first; a number's table by report.
SORT = {
    "reports": {"sort_desc": "year"},
    "documents": {"sort": "source_url"},
    **{
        v: {"sort_desc": "year"}
        for v in ("applications_wide", "appeals_wide", "proactive_wide", "metrics", "panel")
    },
}
PROJECT_URL = "https://github.com/ogi-reports/ogi-reports"


def metadata(target: Path) -> dict:
    """datasette metadata for the SQLite copy: title, description, licence, source and about;
    facets, sorts, canned queries; every column's description from the data dictionary — but
    for the wide views, whose ~240 cell columns follow one pattern (ROW_COL), the pattern once."""
    import sqlite3

    tables = {}
    con = sqlite3.connect(target)
    try:
        for name in VIEW_NAMES:
            cols = {}
            if not name.endswith("_wide"):
                for (col,) in con.execute(f'SELECT name FROM pragma_table_info("{name}")'):
                    text = " · ".join(x for x in describe(name, col) if x)
                    if text:
                        cols[col] = text
            description = VIEW_NOTES.get(name, "")
            if name.endswith("_wide"):
                description += (
                    " Cell columns are named ROW_COL (new_received_total: row new_received, column "
                    "total); every meaning, unit and Chinese label is in data_dictionary.csv of "
                    "`ogi export` and in the warehouse's column comments."
                )
            tables[name] = {
                "description": description,
                "facets": FACETS.get(name, []),
                "columns": cols,
                **SORT.get(name, {}),
            }
    finally:
        con.close()
    return {
        "title": "OGI Reports — 政府信息公开工作年度报告",
        "description": "Numbers from the open-government-information annual reports of Chinese government "
        "bodies, read, checked against the identities of the national format, and loaded with their "
        "provenance: every number with its report's URL and where it was printed (page, table, row "
        "and column as printed). Read-only. Reports marked generated = true are examples, not "
        "published reports: never cite them.",
        "license": "Public government information; GB/T 2260 codes CC BY 4.0",
        "license_url": "https://creativecommons.org/licenses/by/4.0/",
        "source": "政府信息公开工作年度报告 as published on government portals (each report's URL in documents)",
        "source_url": PROJECT_URL,
        "about": "OGI Reports: how the numbers are read and checked",
        "about_url": PROJECT_URL,
        "databases": {target.stem: {"tables": tables, "queries": QUERIES}},
    }


def serve(
    db: str | Path | None,
    port: int = 8001,
    host: str = "127.0.0.1",
    target: str | Path | None = None,
    rebuild: bool = False,
    say=print,
) -> int:
    """Publish the SQLite copy (when missing or older than the warehouse) and serve it in
    datasette until SIGINT or SIGTERM; returns 0, or 130/143 for the signal that stopped it.

    The copy and its metadata go beside the warehouse's snapshot, under ``snapshot/`` (ignored
    by git in this checkout), never beside a warehouse in the source tree."""
    import signal

    source = warehouse_path(db)
    target = Path(target) if target else sqlite_copy(source)
    if rebuild or not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
        say(f"writing the SQLite copy datasette serves: {target} (from {source})")
        publish_sqlite(source, target)
    say(f"serving {target} at http://{host}:{port}/ (Ctrl-C stops)")
    cmd = [
        sys.executable,
        "-m",
        "datasette",
        "serve",
        "--immutable",
        str(target),
        "--metadata",
        str(target.with_suffix(".json")),
        "--plugins-dir",
        str(Path(__file__).with_name("datasette_plugins")),
        "--host",
        host,
        "--port",
        str(port),
        "--setting",
        "sql_time_limit_ms",
        "5000",
    ]
    child = subprocess.Popen(cmd, env={**os.environ}, preexec_fn=_end_with_parent)
    stopped: list[int] = []

    def stop(signum, frame):
        stopped.append(signum)
        child.terminate()

    old = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        code = child.wait()
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)
    if stopped:
        return 128 + stopped[0]
    return code


def sqlite_copy(source: Path) -> Path:
    """Where the SQLite copy of a warehouse goes: its snapshot folder (data/snapshot/ for the
    default warehouse; the published snapshot's own folder for a snapshot)."""
    folder = source.parent if source.parent.name == "snapshot" else source.parent / "snapshot"
    return folder / f"{source.stem}.sqlite"


def _end_with_parent() -> None:
    """In datasette's process before it starts: end it when `ogi serve` ends (a SIGTERM to ogi
    must not leave a server holding the port)."""
    import ctypes
    import signal

    try:
        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux
