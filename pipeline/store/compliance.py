"""What no one else measures: reporting on time, who is missing, the publisher's own errors.

Four views over what the warehouse already holds (the interface spec names them):

* ``timeliness`` — one row per report: its publication date, weighed from the page, the URL, the
  PDF's metadata and the crawl; the deadline of the rule in force for it (:data:`RULES`, plus the
  provincial rules of the table ``deadline_rule``, empty by default); days late and a verdict.
* ``coverage`` — one row per registry source and year: reported, or why not (the crawl's outcome).
* ``reporting_quality`` — one row per report: checks run and failed, the failures that are the
  publisher's own arithmetic (``check_result.blame``, pipeline/validate), and our reading doubts;
  ``reporting_quality_by`` sums them per body, level, province and year.
* ``metrics_per_capita`` — counts per 10,000 people (or per any covariate ``ogi covariates``
  loaded), by division code and year.

The dates are weighed, not trusted: a date before the report's year ended is impossible and is
passed over for the next source (the reason says so), and dates more than
:data:`DISAGREE_DAYS` apart are flagged. A report whose kind decides its deadline but is not known
(scope and level unknown) is judged only where both deadlines give the same answer.
"""

from __future__ import annotations

from .sqltext import literal

# The rules of the 条例 by the reports' years: (first year, last year, kind, month, day, rule).
# `kind` says whose reports: every body, a department of a county-level or higher government, a
# county-level or higher government's own report, or those the 条例 sets no date for.
RULES = (
    (2008, 2018, "all", 3, 31, "2008 条例 第三十一条: every body by 31 March"),
    (2019, None, "department", 1, 31,
     "2019 条例 第四十九条: a department of a county-level or higher government by 31 January"),
    (2019, None, "government", 3, 31,
     "2019 条例 第四十九条: a county-level or higher government's report, by its OGI authority, "
     "by 31 March"),
    (2019, None, "none", None, None,
     "2019 条例 第四十九条 sets no date for township governments and other bodies "
     "(no provincial rule configured in deadline_rule)"),
)  # fmt: skip
DISAGREE_DAYS = 7  # page, URL and PDF dates further apart than this are flagged (not the crawl's)
SOURCES = ("page", "url", "pdf_metadata", "crawl")  # in the order they are trusted
# coverage.outcome, reported first
COVERAGE_OUTCOMES = ("reported", "not_found", "unreachable", "blocked", "robots", "not_crawled")
GOVERNMENT_LEVELS = ("province", "prefecture", "county")

TABLES_DDL = [
    # the registry rows crawled (ogi crawl / ingest --sources, ogi discover's rows among them)
    "CREATE TABLE IF NOT EXISTS source (source_id VARCHAR PRIMARY KEY, name VARCHAR, level VARCHAR, "
    "parent_id VARCHAR, division_code VARCHAR, entry_url VARCHAR, discovered_from VARCHAR, "
    "registered_at TIMESTAMP);",
    # a user's covariates (ogi covariates FILE.csv): one value per division code, year and name
    "CREATE TABLE IF NOT EXISTS covariate (division_code VARCHAR, year INTEGER, name VARCHAR, "
    "value DOUBLE, file VARCHAR, loaded_at TIMESTAMP, UNIQUE (division_code, year, name));",
    # provincial deadlines where the 条例 sets none (townships, other bodies), or local earlier
    # ones: empty by default. province: a province code (350000) or NULL for all; level: as in
    # reports.level or NULL for all; years inclusive (NULL: open).
    "CREATE TABLE IF NOT EXISTS deadline_rule (province VARCHAR, level VARCHAR, first_year INTEGER, "
    "last_year INTEGER, month INTEGER, day INTEGER, rule VARCHAR);",
]


def _rule(kind: str) -> tuple:
    return next(r for r in RULES if r[2] == kind)


def timeliness_view() -> str:
    dep, gov, old, none = (_rule(k) for k in ("department", "government", "all", "none"))
    valid = ",\n       ".join(
        f"CASE WHEN d_{s} >= year_end THEN d_{s} END AS v_{s}" for s in SOURCES
    )
    impossible = ", ".join(
        f"CASE WHEN d_{s} < year_end THEN '{s} date ' || d_{s} || ' is before the year ended: "
        f"not used' END"
        for s in SOURCES
    )
    first = " ".join(f"WHEN v_{s} IS NOT NULL THEN '{s}'" for s in SOURCES)
    vs = ", ".join(f"v_{s}" for s in SOURCES)
    stated = ", ".join(f"v_{s}" for s in SOURCES if s != "crawl")  # what the document says
    return f"""CREATE OR REPLACE VIEW timeliness AS
WITH r AS (
    SELECT report_id, issuer, year, scope, level, province, generated, is_current,
           published_on AS d_page, url_date AS d_url, pdf_date AS d_pdf_metadata,
           crawl_date AS d_crawl,
           make_date(year + 1, 1, 1) AS year_end
    FROM report WHERE status <> 'error'),
v AS (
    SELECT *, {valid},
           concat_ws('; ', {impossible}) AS impossible
    FROM r),
p AS (
    SELECT *, coalesce({vs}) AS published_on,
           CASE {first} END AS published_from,
           date_diff('day', least({stated}), greatest({stated})) AS spread,
           (SELECT {{'month': lr.month, 'day': lr.day, 'rule': lr.rule}} FROM deadline_rule lr
            WHERE v.year >= coalesce(lr.first_year, 2019) AND v.year <= coalesce(lr.last_year, 9999)
              AND (lr.province IS NULL OR lr.province = v.province)
              AND (lr.level IS NULL OR lr.level = v.level)
            ORDER BY lr.province IS NULL, lr.level IS NULL
            LIMIT 1) AS local_rule
    FROM v),
k AS (
    SELECT *,
           CASE WHEN year IS NULL THEN 'no_year'
                WHEN year <= {old[1]} THEN 'all'
                WHEN local_rule IS NOT NULL THEN 'local'
                WHEN level = 'department' THEN 'department'
                WHEN level IN {GOVERNMENT_LEVELS} THEN 'government'
                WHEN level = 'township' THEN 'none'
                WHEN scope = 'jurisdiction' THEN 'government'
                ELSE 'either' END AS kind
    FROM p),
d AS (
    SELECT *,
           CASE kind WHEN 'all' THEN make_date(year + 1, {old[3]}, {old[4]})
                     WHEN 'department' THEN make_date(year + 1, {dep[3]}, {dep[4]})
                     WHEN 'government' THEN make_date(year + 1, {gov[3]}, {gov[4]})
                     WHEN 'local' THEN make_date(year + 1, local_rule.month, local_rule.day)
                     WHEN 'either' THEN CASE
                         WHEN published_on <= make_date(year + 1, {dep[3]}, {dep[4]})
                              THEN make_date(year + 1, {dep[3]}, {dep[4]})
                         WHEN published_on > make_date(year + 1, {gov[3]}, {gov[4]})
                              THEN make_date(year + 1, {gov[3]}, {gov[4]}) END
                END AS deadline
    FROM k)
SELECT report_id, issuer, year, scope, generated, published_on, published_from,
       CASE kind WHEN 'all' THEN {literal(old[5])} WHEN 'department' THEN {literal(dep[5])}
                 WHEN 'government' THEN {literal(gov[5])} WHEN 'local' THEN local_rule.rule
                 WHEN 'none' THEN {literal(none[5])}
                 WHEN 'either' THEN 'scope not known: 31 January (a department) or 31 March '
                                    || '(a government), 2019 条例 第四十九条'
       END AS rule,
       deadline,
       date_diff('day', deadline, published_on) AS days_late,
       CASE WHEN published_on IS NULL OR deadline IS NULL THEN 'unknown'
            WHEN published_on <= deadline THEN 'on_time' ELSE 'late' END AS verdict,
       concat_ws('; ',
           CASE WHEN kind = 'no_year' THEN 'no report year' END,
           CASE WHEN published_on IS NULL THEN 'no possible publication date' END,
           CASE WHEN kind = 'none' THEN 'no deadline for this kind of body' END,
           CASE WHEN kind = 'either' AND published_on IS NOT NULL AND deadline IS NULL
                THEN 'published between 31 January and 31 March, and not known to be a department''s '
                     || 'or a government''s report' END,
           nullif(impossible, ''),
           CASE WHEN spread > {DISAGREE_DAYS} THEN 'dates disagree by ' || spread || ' days' END) AS reason,
       coalesce(spread > {DISAGREE_DAYS}, false) AS dates_disagree,
       d_page AS date_page, d_url AS date_url, d_pdf_metadata AS date_pdf_metadata,
       d_crawl AS date_crawl,
       level, province, is_current
FROM d"""


COVERAGE = """CREATE OR REPLACE VIEW coverage AS
WITH found AS (
    SELECT r.source_id, r.year, min(coalesce(u.url, d.source_url)) AS url
    FROM report r LEFT JOIN doc d USING (doc_id) LEFT JOIN doc_url u ON u.doc_id = r.doc_id
    WHERE r.status <> 'error' AND r.source_id IS NOT NULL AND r.year IS NOT NULL
    GROUP BY ALL),
span AS (
    SELECT range::INTEGER AS year FROM range(
        (SELECT coalesce(min(year), 2019) FROM found), (SELECT coalesce(max(year), 2019) FROM found) + 1)),
src AS (
    SELECT source_id, name FROM source
    UNION ALL
    SELECT DISTINCT source_id, NULL FROM crawl_outcome
    WHERE source_id NOT IN (SELECT source_id FROM source)
    UNION ALL
    SELECT DISTINCT source_id, NULL FROM found
    WHERE source_id NOT IN (SELECT source_id FROM source) AND source_id NOT IN (SELECT source_id FROM crawl_outcome)),
last AS (
    SELECT source_id, outcome, detail FROM crawl_outcome
    QUALIFY row_number() OVER (PARTITION BY source_id ORDER BY crawled_at DESC) = 1),
err AS (
    SELECT source_id, min(error) AS error FROM crawl_errors GROUP BY source_id)
SELECT s.source_id, s.name AS body, y.year,
       CASE WHEN f.source_id IS NOT NULL THEN 'reported'
            WHEN l.outcome IS NULL OR l.outcome = 'interrupted' THEN 'not_crawled'
            WHEN l.outcome = 'blocked' THEN 'blocked'
            WHEN l.outcome = 'robots_disallowed' THEN 'robots'
            WHEN l.outcome = 'unreachable' THEN 'unreachable'
            ELSE 'not_found' END AS outcome,
       CASE WHEN f.source_id IS NOT NULL THEN f.url
            WHEN l.outcome IS NULL THEN 'no crawl recorded'
            ELSE l.outcome || ': ' || l.detail
                 || coalesce('; ' || CASE WHEN l.outcome = 'unreachable' THEN e.error END, '')
       END AS evidence
FROM src s CROSS JOIN span y
LEFT JOIN found f ON f.source_id = s.source_id AND f.year = y.year
LEFT JOIN last l ON l.source_id = s.source_id
LEFT JOIN err e ON e.source_id = s.source_id"""


def reporting_quality_view(low_confidence: float) -> str:
    return f"""CREATE OR REPLACE VIEW reporting_quality AS
WITH k AS (
    SELECT report_no, count(*) AS total, count(*) FILTER (WHERE NOT ok) AS failed,
           count(*) FILTER (WHERE NOT ok AND blame = 'publisher') AS publisher,
           count(*) FILTER (WHERE NOT ok AND blame IN ('reading', 'unclear')) AS doubtful
    FROM check_result GROUP BY report_no),
f AS (
    SELECT report_no, count(*) FILTER (WHERE confidence < {low_confidence}) AS low,
           count(*) FILTER (WHERE value IS NULL) AS nulls
    FROM fact GROUP BY report_no),
q AS (
    SELECT r.report_id, r.issuer, r.year, r.generated, coalesce(k.total, 0) AS checks_total,
           coalesce(k.failed, 0) AS checks_failed, coalesce(k.publisher, 0) AS publisher_errors,
           coalesce(k.doubtful, 0) AS checks_failed_doubtful, coalesce(f.low, 0) AS low_confidence_cells,
           coalesce(f.nulls, 0) AS cells_not_read, len(r.warnings) AS warnings,
           r.level, r.province, r.series_key, r.is_current
    FROM report r LEFT JOIN k USING (report_no) LEFT JOIN f USING (report_no)
    WHERE r.status <> 'error'),
d AS (SELECT *, checks_failed_doubtful + low_confidence_cells + cells_not_read + warnings AS doubts FROM q)
SELECT report_id, issuer, year, generated, checks_total, checks_failed, publisher_errors,
       doubts AS reading_doubts,
       CASE WHEN publisher_errors > 0 AND doubts > 0 THEN 'both'
            WHEN publisher_errors > 0 THEN 'publisher_error'
            WHEN doubts > 0 THEN 'reading_doubt'
            ELSE 'clean' END AS verdict,
       checks_failed_doubtful, low_confidence_cells, cells_not_read, warnings, level, province,
       series_key, is_current
FROM d"""


# per body (series), level, province — each by year — and per year alone: current reports only
REPORTING_QUALITY_BY = """CREATE OR REPLACE VIEW reporting_quality_by AS
SELECT CASE WHEN grouping(series_key) = 0 THEN 'body' WHEN grouping(level) = 0 THEN 'level'
            WHEN grouping(province) = 0 THEN 'province' ELSE 'year' END AS grouped_by,
       coalesce(CASE WHEN grouping(series_key) = 0 THEN series_key WHEN grouping(level) = 0 THEN level
                     WHEN grouping(province) = 0 THEN province END, '(all)') AS grp,
       year, generated, count(*) AS reports, sum(checks_total)::BIGINT AS checks_total,
       sum(checks_failed)::BIGINT AS checks_failed, sum(publisher_errors)::BIGINT AS publisher_errors,
       count(*) FILTER (WHERE publisher_errors > 0) AS reports_with_publisher_errors,
       round(count(*) FILTER (WHERE publisher_errors > 0) / count(*), 4) AS publisher_error_rate,
       sum(reading_doubts)::BIGINT AS reading_doubts
FROM reporting_quality WHERE is_current
GROUP BY GROUPING SETS ((series_key, year, generated), (level, year, generated),
                        (province, year, generated), (year, generated))"""

PER_CAPITA_COUNTS = (
    ("applications", "m.applications"),
    ("total_processed", "m.total_processed"),
    ("reconsiderations", "p.reconsideration_total"),
    (
        "lawsuits",
        "p.litigation_direct_total + p.litigation_after_reconsideration_total",
    ),
)


def metrics_per_capita_view() -> str:
    counts = ",\n       ".join(
        f"{sql} AS {name}, round(10000.0 * ({sql}) / nullif(c.value, 0), 4) AS {name}_per_10k"
        for name, sql in PER_CAPITA_COUNTS
    )
    return f"""CREATE OR REPLACE VIEW metrics_per_capita AS
SELECT m.report_id, m.issuer, m.year, m.level, m.scope, m.is_current, m.generated,
       c.division_code, c.name AS covariate, c.value AS covariate_value,
       {counts}
FROM m_metrics m JOIN report r USING (report_no)
LEFT JOIN w_appeals p USING (report_no)
JOIN covariate c ON c.division_code = coalesce(r.jurisdiction_code, r.current_code) AND c.year = m.year"""
