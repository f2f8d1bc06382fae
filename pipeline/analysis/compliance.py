"""What no one else measures, as tidy frames: reporting on time, who is missing, the publisher's
own errors — over the views ``timeliness``, ``coverage`` and ``reporting_quality``
(pipeline/store/compliance.py).

    from pipeline.analysis import compliance
    compliance.on_time(con, by=["level", "year"])     # on-time share with N (reports with a verdict)
    compliance.coverage_matrix(con)                    # bodies × years: reported, or why not
    compliance.publisher_errors(con, by=["level", "year"])

Current reports only; generated examples left out unless ``include_generated=True``. Shares are
over the reports that have a verdict (on time or late); those without one are counted apart
(``unknown``), never dropped silently.
"""

from __future__ import annotations

import pandas as pd

from ..store.compliance import COVERAGE_OUTCOMES
from . import _df, _group


def on_time(con, by=("level", "year"), include_generated: bool = False) -> pd.DataFrame:
    """Per group: reports, on_time, late, unknown, on_time_share = on_time / (on_time + late)
    and its N (``judged``), the median days late of the late ones."""
    sel, cols = _group(by)
    gen = "" if include_generated else "AND NOT generated"
    return _df(
        con,
        f"""SELECT {sel}count(*) AS reports,
               count(*) FILTER (WHERE verdict = 'on_time') AS on_time,
               count(*) FILTER (WHERE verdict = 'late') AS late,
               count(*) FILTER (WHERE verdict = 'unknown') AS unknown,
               count(*) FILTER (WHERE verdict <> 'unknown') AS judged,
               round(count(*) FILTER (WHERE verdict = 'on_time')
                     / nullif(count(*) FILTER (WHERE verdict <> 'unknown'), 0), 4) AS on_time_share,
               median(days_late) FILTER (WHERE verdict = 'late') AS median_days_late,
               count(*) FILTER (WHERE generated) AS generated_reports
            FROM timeliness WHERE is_current {gen}
            {"GROUP BY " + cols + " ORDER BY " + cols if cols else ""}""",
    )


def coverage_matrix(con) -> pd.DataFrame:
    """Bodies × years, each cell the outcome (reported, not_found, unreachable, blocked, robots,
    not_crawled) — the frame a heatmap draws; the evidence stays in the view."""
    long = _df(
        con, "SELECT source_id, coalesce(body, source_id) AS body, year, outcome FROM coverage"
    )
    if long.empty:
        return long
    return long.pivot_table(
        index="body", columns="year", values="outcome", aggfunc="first"
    ).sort_index()


def coverage_summary(con, by=("year",)) -> pd.DataFrame:
    """Per group, how many sources reported, were not found, unreachable, blocked, robots, not
    crawled; the share that reported."""
    cols = ", ".join(b for b in by if b in ("year", "source_id")) or "year"
    return _df(
        con,
        f"""SELECT {cols}, count(*) AS sources,
               {", ".join(f"count(*) FILTER (WHERE outcome = '{o}') AS {o}" for o in COVERAGE_OUTCOMES)},
               round(count(*) FILTER (WHERE outcome = 'reported') / count(*), 4) AS reported_share
            FROM coverage GROUP BY {cols} ORDER BY {cols}""",
    )


def publisher_errors(con, by=("level", "year"), include_generated: bool = False) -> pd.DataFrame:
    """Per group: reports, those with at least one publisher error (an identity broken among
    printed, confidently read cells), the rate and N, and the reading doubts beside it."""
    sel, cols = _group(by)
    gen = "" if include_generated else "AND NOT generated"
    return _df(
        con,
        f"""SELECT {sel}count(*) AS reports,
               count(*) FILTER (WHERE publisher_errors > 0) AS reports_with_publisher_errors,
               round(count(*) FILTER (WHERE publisher_errors > 0) / count(*), 4) AS publisher_error_rate,
               sum(publisher_errors) AS publisher_errors,
               count(*) FILTER (WHERE reading_doubts > 0) AS reports_with_reading_doubts,
               count(*) FILTER (WHERE generated) AS generated_reports
            FROM reporting_quality WHERE is_current {gen}
            {"GROUP BY " + cols + " ORDER BY " + cols if cols else ""}""",
    )
