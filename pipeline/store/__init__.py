"""Stage 4 — the DuckDB warehouse.

Base tables are internal; researchers query the views named in the interface spec
(:mod:`.schema`). A batch of reports is loaded in one transaction (bulk, from Arrow): its rows,
then what is kept up to date at load — which report of each body and year is current, the wide
tables and metrics of the new reports, and the checks across reports of the series the batch
touches (:mod:`.cross`). If the batch fails, each report is retried in a transaction of its own,
so one bad report never takes its neighbours down and never leaves half its rows behind. The
cost of a load depends on what it adds, not on what the warehouse already holds.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from .. import catalogue as cat
from .. import interrupts
from ..errors import WarehouseUnavailable
from ..model import EXTRACTOR_VERSION, Provenance, Report
from ..settings import DEFAULT_DB, LOAD_BATCH
from . import cross
from .dictionary import VIEW_NOTES, comment, dictionary_stamp
from .rows import batch_tables, timestamp
from .schema import (
    DERIVED,
    I32,
    METRICS_DDL,
    NUMERIC,
    NUMERIC_COLUMNS,
    TABLES,
    TS,
    VIEW_NAMES,
    VIEWS,
    WIDE,
    ddl,
    metrics_insert,
    wide_ddl,
    wide_insert,
)
from .shards import SHARD_TABLES
from .sqltext import literal

SCHEMA_VERSION = "11"
# In-place upgrades, one step at a time ({from: statements to the next version}), run in the
# migration's transaction. The tables kept at load (wide tables, metrics) are derived: an
# upgrade that changes them drops them, and they are rebuilt from the facts.
UPGRADES = {
    "8": [
        "ALTER TABLE cross_check ADD COLUMN other_report_id VARCHAR",
        "UPDATE cross_check SET other_report_id = o.report_id FROM report o "
        "WHERE o.report_no = cross_check.other_report_no",
    ],
    "9": [
        "ALTER TABLE doc ADD COLUMN archive_url VARCHAR",
        *(
            f"ALTER TABLE fact ADD COLUMN {c} {t}"
            for c, t in (
                ("row_label", "VARCHAR"),
                ("col_label", "VARCHAR"),
                ("table_index", "SMALLINT"),
                ("row_index", "SMALLINT"),
                ("line", "INTEGER"),
            )
        ),
        *(f"DROP TABLE IF EXISTS {t}" for t in DERIVED),
    ],
    "10": [
        *(
            f"ALTER TABLE report ADD COLUMN {c} DATE"
            for c in ("url_date", "pdf_date", "crawl_date")
        ),
        "ALTER TABLE check_result ADD COLUMN blame VARCHAR",
    ],
}
NEXT = {"8": "9", "9": "10", "10": "11"}
__all__ = ["Warehouse", "LOAD_BATCH", "batch_tables"]


class Warehouse:
    def __init__(self, path: str | Path = DEFAULT_DB, read_only: bool = False):
        self.path = Path(path)
        if read_only and not self.path.exists():
            raise WarehouseUnavailable(f"no warehouse at {self.path}; run `ogi ingest` first")
        try:
            if not read_only:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self.con = duckdb.connect(str(self.path), read_only=read_only)
            interrupts.watch(self.con)
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise WarehouseUnavailable(
                    f"{self.path} is open in another process (a notebook?). DuckDB allows one writer "
                    f"or many readers: close it there, or read a snapshot instead."
                ) from None
            raise WarehouseUnavailable(
                f"cannot open the warehouse {self.path}: {str(exc).splitlines()[0]}"
            ) from None
        except OSError as exc:
            raise WarehouseUnavailable(
                f"cannot create the warehouse {self.path}: {exc.strerror}"
            ) from None
        if not read_only:
            self._migrate()
        # "table|row|col" -> cell id, the key Report.fact_columns() uses.
        self.cell_ids = self._cell_ids()

    def _cell_ids(self) -> dict[str, int]:
        return {
            f"{t}|{r}|{c}": i
            for i, t, r, c in self.con.execute(
                "SELECT cell_id, table_name, row_key, col_key FROM cell"
            ).fetchall()
        }

    def _migrate(self) -> None:
        con = self.con
        version = None
        if con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'"
        ).fetchone()[0]:
            row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = row[0] if row else None
        if version not in (None, SCHEMA_VERSION, *UPGRADES):
            raise WarehouseUnavailable(
                f"{self.path} has warehouse schema {version}, this version writes {SCHEMA_VERSION}: "
                f"re-ingest into a new file (see README, migrations)"
            )
        # One transaction: a commit per statement made creating a warehouse take 1.5 s.
        con.execute("BEGIN TRANSACTION")
        try:
            rebuild = version is not None and version != SCHEMA_VERSION
            step = version
            while step in UPGRADES:
                for sql in UPGRADES[step]:
                    con.execute(sql)
                step = NEXT[step]
            con.execute(ddl())
            con.execute(
                "INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION]
            )
            self._add_cells()
            for t in WIDE:
                con.execute(wide_ddl(t))
            con.execute(METRICS_DDL)
            self._views()
            if rebuild:
                self._rebuild_derived()
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def _views(self) -> None:
        """The views researchers query, each with its comments (COMMENT ON the view and every
        column, from the data dictionary: DESCRIBE, DBeaver and the DuckDB UI show what a
        column means). Recreating a view drops its comments, so both are written together —
        and only when they changed (a hash of both in `meta`), not on every open."""
        con = self.con
        stamp = dictionary_stamp()
        row = con.execute("SELECT value FROM meta WHERE key = 'views'").fetchone()
        if row and row[0] == stamp:
            return
        for sql in VIEWS:
            con.execute(sql)
        columns = con.execute(
            "SELECT table_name, column_name FROM duckdb_columns() WHERE table_name IN (SELECT unnest(?))",
            [list(VIEW_NAMES)],
        ).fetchall()
        for view in VIEW_NAMES:
            con.execute(f"COMMENT ON VIEW {view} IS {literal(VIEW_NOTES[view])}")
        for view, column in columns:
            con.execute(f'COMMENT ON COLUMN {view}."{column}" IS {literal(comment(view, column))}')
        con.execute("INSERT OR REPLACE INTO meta VALUES ('views', ?)", [stamp])

    def _rebuild_derived(self) -> None:
        """The wide tables and metrics of every report, from the facts (after an upgrade that
        dropped them)."""
        con = self.con
        if con.execute("SELECT count(*) FROM w_applications").fetchone()[0]:
            return  # not dropped by this upgrade
        con.execute("CREATE OR REPLACE TEMP TABLE _all_nos AS SELECT report_no FROM report")
        cell_ids = self._cell_ids()
        for t in WIDE:
            con.execute(wide_insert(t, cell_ids, "_all_nos"))
        con.execute(metrics_insert("_all_nos"))
        con.execute("DROP TABLE _all_nos")

    def _add_cells(self) -> None:
        """Cell ids are stable: existing cells keep theirs, new catalogue cells get the next free ids."""
        con = self.con
        known = {
            tuple(r)
            for r in con.execute("SELECT table_name, row_key, col_key FROM cell").fetchall()
        }
        next_id = con.execute("SELECT coalesce(max(cell_id), 0) + 1 FROM cell").fetchone()[0]
        new = [
            (table, row, col)
            for table in cat.TABLES
            for row, col in cat.wide_columns(table)
            if (table, row, col) not in known
        ]
        if new:
            rows = pa.table(
                {
                    "cell_id": pa.array(range(next_id, next_id + len(new)), pa.int16()),
                    "table_name": [t for t, _, _ in new],
                    "row_key": [r for _, r, _ in new],
                    "col_key": [c for _, _, c in new],
                }
            )
            con.register("_new_cells", rows)
            con.execute("INSERT INTO cell SELECT * FROM _new_cells")
            con.unregister("_new_cells")

    def close(self) -> None:
        interrupts.unwatch(self.con)
        if interrupts.interrupted():
            # DuckDB may have surfaced the signal while its query still runs: stop it, or
            # close() would wait for it
            self.con.interrupt()
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
            [doc_ids, EXTRACTOR_VERSION],
        ).fetchall()
        return {r[0] for r in rows}

    def load(self, batch: list[tuple[Provenance, Report]]) -> list[tuple[Provenance, str]]:
        """Load reports; returns the (document, reason) pairs that could not be stored."""
        if not batch:
            return []
        interrupts.pause_point("query", self.con)  # (the interrupt tests stop here)
        try:
            self._load(batch)
            return []
        except (duckdb.Error, ValueError, pa.ArrowException) as exc:
            if isinstance(exc, duckdb.InterruptException) or interrupts.interrupted():
                raise  # a signal, not a bad report: the command stops
            failed = []
            for item in batch:
                try:
                    self._load([item])
                except (duckdb.Error, ValueError, pa.ArrowException) as exc:
                    failed.append((item[0], f"warehouse: {exc}".splitlines()[0]))
            return failed

    def _load(self, batch: list[tuple[Provenance, Report]]) -> None:
        first_no = self.con.execute(
            "SELECT coalesce(max(report_no), 0) + 1 FROM report"
        ).fetchone()[0]
        self.load_tables(batch_tables(batch, first_no, self.cell_ids, dt.datetime.now()))

    def load_shards(self, shards: list[str | Path]) -> list[dict]:
        """Load Parquet shards (pipeline/store/shards.py) in bulk, in one transaction: their
        reports not yet loaded by this extractor version, renumbered after the warehouse's last
        report. Returns one row per report loaded (source_url, status, error, cells,
        failed_checks); shards loaded before are not read again."""
        con = self.con
        names = {Path(p).name: Path(p) for p in shards}
        done = {
            r[0]
            for r in con.execute(
                "SELECT shard FROM loaded_shard WHERE shard IN (SELECT unnest(?))", [list(names)]
            ).fetchall()
        }
        todo = [p for n, p in names.items() if n not in done]
        if not todo:
            return []
        src = {t: [str(p / f"{t}.parquet") for p in todo] for t in SHARD_TABLES}
        first_no = con.execute("SELECT coalesce(max(report_no), 0) + 1 FROM report").fetchone()[0]
        # A report's number inside a shard is unique only there: (file, number) is the key.
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _shard_map AS
            SELECT filename, report_no AS old_no,
                   {int(first_no)} + row_number() OVER (ORDER BY filename, report_no) - 1 AS report_no
            FROM (SELECT DISTINCT ON (doc_id) filename, report_no, doc_id
                  FROM read_parquet(?, filename = true) ORDER BY doc_id, filename)
            WHERE doc_id NOT IN (SELECT doc_id FROM report WHERE extractor_version = ?)""",
            [src["report"], EXTRACTOR_VERSION],
        )

        def renumbered(t: str, select: str = "", join: str = "") -> pa.Table:
            cols = select or ", ".join(
                "m.report_no" if c == "report_no" else f"s.{c}" for c, _ in TABLES[t]
            )
            return con.execute(
                f"""SELECT {cols} FROM read_parquet(?, filename = true) s
                                   JOIN _shard_map m
                                     ON replace(s.filename, '/{t}.parquet', '/report.parquet') = m.filename
                                    AND s.report_no = m.old_no {join}""",
                [src[t]],
            ).to_arrow_table()

        tables = {t: renumbered(t) for t in ("report", "check_result", "section")}
        tables["fact"] = renumbered(
            "fact",
            ", ".join(
                "m.report_no" if c == "report_no" else "c.cell_id" if c == "cell_id" else f"s.{c}"
                for c, _ in TABLES["fact"]
            ),
            "JOIN (SELECT cell_id, table_name || '|' || row_key || '|' || col_key AS cell_key "
            "FROM cell) c USING (cell_key)",
        )
        tables["doc"] = con.execute(
            """
            SELECT DISTINCT ON (doc_id) * EXCLUDE (filename) FROM read_parquet(?, filename = true)
            WHERE doc_id IN (SELECT s.doc_id FROM read_parquet(?, filename = true) s
                             JOIN _shard_map m ON s.filename = m.filename AND s.report_no = m.old_no)""",
            [src["doc"], src["report"]],
        ).to_arrow_table()
        loaded = self.load_tables(tables, shards=[p.name for p in todo])
        con.execute("DROP TABLE IF EXISTS _shard_map")
        return loaded

    def load_tables(
        self, tables: dict[str, pa.Table], shards: list[str] | None = None
    ) -> list[dict]:
        """Load the base-table rows of a batch (Arrow tables named as in schema.TABLES, report
        numbers already assigned) and bring what is maintained at load up to date — in one
        transaction. A report re-extracted by a new extractor version replaces its old rows.
        `shards` (names) are recorded as loaded in the same transaction."""
        con = self.con
        with self._staged(tables):
            con.execute("""CREATE OR REPLACE TEMP TABLE _old AS SELECT report_no, coalesce(series_key, report_id) AS k
                           FROM report WHERE report_id IN (SELECT report_id FROM _new_report)""")
            if con.execute("SELECT count(*) FROM _old").fetchone()[0]:
                for t in ("fact", "check_result", "section", *DERIVED, "report"):
                    con.execute(f"DELETE FROM {t} WHERE report_no IN (SELECT report_no FROM _old)")
                con.execute(
                    "DELETE FROM cross_check WHERE report_no IN (SELECT report_no FROM _old) "
                    "OR other_report_no IN (SELECT report_no FROM _old)"
                )
            con.execute("INSERT OR IGNORE INTO doc SELECT * FROM _new_doc")
            for name in ("report", "fact", "check_result", "section"):
                cols = ", ".join(
                    f"CAST({c} AS {NUMERIC})" if (name, c) in NUMERIC_COLUMNS else c
                    for c, _ in TABLES[name]
                )
                con.execute(f"INSERT INTO {name} SELECT {cols} FROM _new_{name}")
            con.execute("""CREATE OR REPLACE TEMP TABLE _touched AS
                           SELECT DISTINCT coalesce(series_key, report_id) AS k, series_key FROM _new_report
                           UNION SELECT k, NULL FROM _old""")
            self._mark_current("_touched")
            con.execute(
                "CREATE OR REPLACE TEMP TABLE _new_nos AS SELECT report_no FROM _new_report"
            )
            for t in WIDE:
                con.execute(wide_insert(t, self.cell_ids, "_new_nos"))
            con.execute(metrics_insert("_new_nos"))
            cross.refresh(con, "_touched")
            for t in ("_old", "_touched", "_new_nos"):
                con.execute(f"DROP TABLE IF EXISTS {t}")
            loaded = (
                [
                    dict(zip(("source_url", "status", "error", "cells", "failed_checks"), row))
                    for row in con.execute("""
                SELECT d.source_url, r.status, r.error,
                       (SELECT count(*) FROM _new_fact f WHERE f.report_no = r.report_no),
                       (SELECT count(*) FROM _new_check_result c WHERE c.report_no = r.report_no AND NOT c.ok)
                FROM _new_report r LEFT JOIN _new_doc d USING (doc_id) ORDER BY r.report_no""").fetchall()
                ]
                if shards is not None
                else []
            )
            now = dt.datetime.now()
            if shards:
                con.executemany(
                    "INSERT INTO loaded_shard VALUES (?, ?, ?)",
                    [[n, EXTRACTOR_VERSION, now] for n in shards],
                )
        return loaded

    def _mark_current(self, touched: str) -> None:
        """Which report of each body (series) and year is current: the newest published, then
        the newest ingested — recomputed for the touched series only, and copied to the tables
        maintained at load."""
        con = self.con
        con.execute(f"""
            UPDATE report SET is_current = c.cur FROM (
                SELECT report_no, (status <> 'error' AND row_number() OVER (
                    PARTITION BY coalesce(series_key, report_id), coalesce(year, -1)
                    ORDER BY (status = 'error'), published_on DESC NULLS LAST, ingested_at DESC, report_id) = 1) AS cur
                FROM report WHERE coalesce(series_key, report_id) IN (SELECT k FROM {touched})) c
            WHERE report.report_no = c.report_no AND report.is_current IS DISTINCT FROM c.cur""")
        for t in DERIVED:
            con.execute(f"""UPDATE {t} SET is_current = r.is_current FROM report r
                            WHERE {t}.report_no = r.report_no AND coalesce(r.series_key, r.report_id) IN
                                  (SELECT k FROM {touched}) AND {t}.is_current IS DISTINCT FROM r.is_current""")

    @contextmanager
    def _staged(self, tables: dict[str, pa.Table]):
        """Arrow tables registered as _new_NAME inside one transaction: all of it, or none."""
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            for name, arrow in tables.items():
                con.register(f"_new_{name}", arrow)
            yield
            interrupts.pause_point("commit", con)  # (the interrupt tests stop here)
            con.execute("COMMIT")
        except BaseException:  # an error, or an interrupt (SIGINT/SIGTERM): nothing half-written
            if interrupts.interrupted():
                con.interrupt()  # (a query DuckDB left running when it surfaced the signal)
            con.execute("ROLLBACK")
            raise
        finally:
            for name in tables:
                con.unregister(f"_new_{name}")

    def record_crawl_outcomes(self, outcomes: list[dict]) -> None:
        self.con.executemany(
            "INSERT INTO crawl_outcome VALUES (?, ?, ?, ?, ?, ?)",
            [
                [
                    o["source_id"],
                    dt.datetime.fromisoformat(o["crawled_at"]),
                    o["outcome"],
                    o["detail"],
                    o.get("column_url"),
                    o.get("trail"),
                ]
                for o in outcomes
            ],
        )

    def load_covariates(self, rows: list[tuple], file: str, now: dt.datetime) -> None:
        """(division code, year, name, value) rows: a name's values for those codes and years
        replace what was loaded before (pipeline/run/covariates.py)."""
        if rows:
            self.con.executemany(
                "INSERT OR REPLACE INTO covariate VALUES (?, ?, ?, ?, ?, ?)",
                [[c, y, n, v, file, now] for c, y, n, v in rows],
            )

    def record_sources(self, rows: list[dict]) -> None:
        """The registry rows crawled (crawlers.store runs.jsonl): the bodies `coverage` counts."""
        if rows:
            self.con.executemany(
                "INSERT OR REPLACE INTO source VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    [
                        r["source_id"],
                        r.get("name"),
                        r.get("level"),
                        r.get("parent_id"),
                        r.get("division_code"),
                        r.get("entry_url"),
                        (r.get("extra") or {}).get("discovered_from") or None,
                        dt.datetime.fromisoformat(r["registered_at"])
                        if r.get("registered_at")
                        else None,
                    ]
                    for r in rows
                ],
            )

    def record_crawl_errors(self, errors: list[dict]) -> None:
        """URLs that failed for good (crawlers.store errors.jsonl); the same row twice is kept once."""
        if errors:
            self.con.executemany(
                "INSERT OR IGNORE INTO crawl_error VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    [
                        e["source_id"],
                        e["url"],
                        e["error"],
                        e.get("attempts"),
                        dt.datetime.fromisoformat(e["last_tried_at"]),
                        e.get("role"),
                        e.get("run_id"),
                    ]
                    for e in errors
                ],
            )

    def link_urls(self, docs: list[Provenance]) -> None:
        """Record every URL a document came from; a URL seen before is kept once."""
        if not docs:
            return
        rows = pa.table(
            {
                "doc_id": [d.doc_id for d in docs],
                "url": [d.url for d in docs],
                "page_url": [d.page_url for d in docs],
                "source_id": [d.source_id for d in docs],
                "fetched_at": pa.array([timestamp(d.fetched_at) for d in docs], TS),
                "http_status": pa.array([d.http_status for d in docs], I32),
            }
        )
        with self._staged({"links": rows}):
            self.con.execute(
                "INSERT OR IGNORE INTO doc_url SELECT DISTINCT ON (doc_id, url) * FROM _new_links"
            )

    # ------------------------------------------------------------ reading
    def query(self, sql: str, params=None):
        return self.con.execute(sql, params or []).df()
