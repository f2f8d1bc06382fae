"""Checks across reports, computed in the warehouse for the series a batch touches.

A series is one issuing body over the years (``report.series_key``: place | body | scope; see
pipeline.normalise.names.series_key) — never a place alone, so a city's 应急管理局 is never checked
against its 水利局. Among each touched series' current reports, each report is paired with the
one of the year before (a window over the series, ordered by year) and checked:

* ``cross_year.carry``      carried_forward of year N = carried_over of year N+1, every applicant column
* ``proactive.stock_flow``  2021+: in_force(N+1) = in_force(N) + issued(N+1) − repealed(N+1) (soft)
* ``copy_paste``            table 三 or 二 identical to the year before (with a non-zero number), or
                            section 一 at least 90 % identical (character 4-grams)
* ``aggregate_vs_agency``   an area's aggregate (scope jurisdiction) is not smaller than its own
                            government's report, for the place-years a batch touches

Each result is filed on the later (or aggregate) report and names the other. The cost of a batch
depends on the series it touches, not on the warehouse's size; memory on the batch.
"""

from __future__ import annotations

from .. import catalogue as cat
from ..validate.cross import similarity

COLUMNS = (*cat.APPLICANT_COLS, "total")


def refresh(con, touched: str) -> None:
    """Recompute the checks across reports for the series in table `touched` (series_key) and
    for the place-years of its reports."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE _x_reports AS
        SELECT report_no, series_key, year, format, scope, level,
               coalesce(jurisdiction_id, jurisdiction_simplified) AS place
        FROM report WHERE series_key IN (SELECT series_key FROM {touched})""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _x_places AS
        SELECT DISTINCT place, year FROM _x_reports WHERE place IS NOT NULL AND year IS NOT NULL""")
    con.execute("""
        DELETE FROM cross_check
        WHERE (check_id <> 'aggregate_vs_agency' AND report_no IN (SELECT report_no FROM _x_reports))
           OR (check_id = 'aggregate_vs_agency' AND report_no IN (
                SELECT r.report_no FROM report r JOIN _x_places p
                ON coalesce(r.jurisdiction_id, r.jurisdiction_simplified) = p.place AND r.year = p.year))""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _x_pairs AS
        SELECT report_no AS no, prev_no, year, prev_year, format, prev_format FROM (
            SELECT r.report_no, r.year, r.format,
                   lag(r.report_no) OVER w AS prev_no, lag(r.year) OVER w AS prev_year,
                   lag(r.format) OVER w AS prev_format
            FROM report r
            WHERE r.is_current AND r.year IS NOT NULL AND r.series_key IN (SELECT series_key FROM _x_reports)
            WINDOW w AS (PARTITION BY r.series_key ORDER BY r.year))
        WHERE prev_year = year - 1""")
    # Results are gathered here, then stored with the other report's id (read once, here).
    con.execute("""CREATE OR REPLACE TEMP TABLE _x_new AS
                   SELECT * EXCLUDE (other_report_id) FROM cross_check LIMIT 0""")
    if con.execute("SELECT count(*) FROM _x_pairs").fetchone()[0]:
        _pairs(con)
    con.execute("""
        INSERT INTO _x_new
        WITH here AS (
            SELECT r.report_no, r.scope, r.level, r.year,
                   coalesce(r.jurisdiction_id, r.jurisdiction_simplified) AS place,
                   coalesce(r.jurisdiction_simplified, r.jurisdiction) AS name, w.new_received_total AS n
            FROM report r JOIN w_applications w USING (report_no)
            JOIN _x_places p ON coalesce(r.jurisdiction_id, r.jurisdiction_simplified) = p.place AND r.year = p.year
            WHERE r.is_current AND w.new_received_total IS NOT NULL)
        SELECT j.report_no, 'aggregate_vs_agency', j.n >= a.n, a.n, j.n,
               j.name || ' ' || j.year || ': the aggregate''s new_received total vs its own government''s', a.report_no
        FROM here j JOIN here a ON a.place = j.place AND a.year = j.year
        WHERE j.scope = 'jurisdiction' AND a.scope = 'agency' AND a.level IS DISTINCT FROM 'department'""")
    con.execute("""INSERT INTO cross_check
                   SELECT x.*, o.report_id FROM _x_new x LEFT JOIN report o ON o.report_no = x.other_report_no""")
    for t in ("_x_reports", "_x_places", "_x_pairs", "_x_new"):
        con.execute(f"DROP TABLE IF EXISTS {t}")


def _pairs(con) -> None:
    """The checks between each touched report and the one of the year before, on the two
    reports' facts only, pulled once with their keys (joining the whole fact table four times
    costs seconds; joining facts to `cell` cell by cell let the planner build large intermediates:
    3 s for 2,000 pairs, on keys a few hash joins)."""
    con.execute("""
        CREATE OR REPLACE TEMP TABLE _x_cells AS
        SELECT f.report_no, c.table_name, c.row_key, c.col_key, f.cell_id, f.value, f.raw_text LIKE '=%' AS derived
        FROM fact f JOIN cell c USING (cell_id)
        WHERE f.value IS NOT NULL AND f.report_no IN (SELECT no FROM _x_pairs UNION SELECT prev_no FROM _x_pairs)""")
    cols = ", ".join(f"'{c}'" for c in COLUMNS)
    con.execute(f"""
        INSERT INTO _x_new
        SELECT p.no, 'cross_year.carry', a.value = b.value, a.value, b.value,
               a.col_key || ': carried_forward of ' || p.prev_year || ' vs carried_over of ' || p.year, p.prev_no
        FROM _x_pairs p
        JOIN _x_cells a ON a.report_no = p.prev_no AND a.table_name = 'applications' AND a.row_key = 'carried_forward'
                           AND a.col_key IN ({cols})
        JOIN _x_cells b ON b.report_no = p.no AND b.table_name = 'applications' AND b.row_key = 'carried_over'
                           AND b.col_key = a.col_key""")
    # The three cells per row and report first (joining them cell by cell let the planner build
    # cross products: 1.6 s for 300 reports; this way 10 ms).
    con.execute("""
        INSERT INTO _x_new
        WITH pf AS (
            SELECT report_no, row_key, max(value) FILTER (WHERE col_key = 'in_force') AS in_force,
                   max(value) FILTER (WHERE col_key = 'issued') AS issued,
                   max(value) FILTER (WHERE col_key = 'repealed') AS repealed
            FROM _x_cells
            WHERE table_name = 'proactive' AND row_key IN ('regulations', 'normative_documents')
              AND col_key IN ('in_force', 'issued', 'repealed')
            GROUP BY ALL)
        SELECT p.no, 'proactive.stock_flow', b.in_force + n.issued - n.repealed = n.in_force,
               b.in_force + n.issued - n.repealed, n.in_force,
               n.row_key || ': in_force ' || p.prev_year || ' ' || printf('%g', b.in_force::DOUBLE)
               || ' + issued ' || printf('%g', n.issued::DOUBLE) || ' − repealed '
               || printf('%g', n.repealed::DOUBLE) || ' vs in_force ' || p.year
               || ' (soft: amendments blur it)', p.prev_no
        FROM _x_pairs p
        JOIN pf b ON b.report_no = p.prev_no
        JOIN pf n ON n.report_no = p.no AND n.row_key = b.row_key
        WHERE p.format = '2021' AND p.prev_format = '2021'
          AND b.in_force IS NOT NULL AND n.in_force IS NOT NULL AND n.issued IS NOT NULL AND n.repealed IS NOT NULL""")
    # Identical tables: the same cells with the same numbers (derived cells aside), one non-zero.
    con.execute("""
        INSERT INTO _x_new
        WITH cells AS (
            SELECT report_no, table_name, cell_id, value FROM _x_cells
            WHERE NOT derived AND table_name IN ('applications', 'proactive')),
        counts AS (SELECT report_no, table_name, count(*) AS n, max(abs(value)) AS top FROM cells GROUP BY ALL),
        before AS MATERIALIZED (
            SELECT p.no, p.prev_no, a.table_name, a.cell_id, a.value
            FROM _x_pairs p JOIN cells a ON a.report_no = p.prev_no),
        same AS (
            SELECT x.no, x.prev_no, x.table_name, count(*) AS n
            FROM before x JOIN cells b ON b.report_no = x.no AND b.cell_id = x.cell_id AND b.value = x.value
            GROUP BY ALL)
        SELECT p.no, 'copy_paste', false, NULL, NULL,
               'table ' || s.table_name || ' is identical to ' || p.prev_year || '''s (' || s.n || ' cells)', p.prev_no
        FROM _x_pairs p JOIN same s ON s.no = p.no AND s.prev_no = p.prev_no
        JOIN counts cp ON cp.report_no = p.prev_no AND cp.table_name = s.table_name
        JOIN counts cc ON cc.report_no = p.no AND cc.table_name = s.table_name
        WHERE cp.n = s.n AND cc.n = s.n AND cp.top > 0""")
    # Section 一 copied: compared in Python, for the touched pairs only.
    rows = con.execute("""
        SELECT p.no, p.prev_no, p.prev_year, a.body, b.body FROM _x_pairs p
        JOIN section a ON a.report_no = p.prev_no AND a.section_no = 1
        JOIN section b ON b.report_no = p.no AND b.section_no = 1""").fetchall()
    copied = []
    for no, prev_no, prev_year, before, now in rows:
        sim = similarity(before or "", now or "")
        if sim is not None and sim >= 0.9:
            copied.append(
                (
                    no,
                    "copy_paste",
                    False,
                    None,
                    round(sim, 3),
                    f"section 一 is {sim:.0%} identical to {prev_year}'s",
                    prev_no,
                )
            )
    if copied:
        con.executemany("INSERT INTO _x_new VALUES (?, ?, ?, ?, ?, ?, ?)", copied)
    con.execute("DROP TABLE IF EXISTS _x_cells")
