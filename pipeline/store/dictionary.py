"""The data dictionary: what every view and every column of the warehouse means, its unit and
its Chinese label — one source for the warehouse's own comments (COMMENT ON, read by DESCRIBE,
DBeaver, the DuckDB UI), the exports' data_dictionary.csv and datapackage.json, and datasette's
metadata. Cell columns of the wide views are described from the catalogue.
"""

from __future__ import annotations

from .. import catalogue as cat
from .schema import RATES

MEANING = {
    # who and what
    "report_id": "sha256 of the document the report was read from",
    "doc_id": "sha256 of the document's bytes",
    "source_id": "registry row the document was crawled for (empty for local files)",
    "issuer": "the body as the report names it",
    "issuer_key": "the body's name normalised (simplified, suffixes off)",
    "series_key": "one body over the years: place id | the body's name within it | scope",
    "aliases": "other spellings of the issuer found in the text",
    "scope": "agency (one body's own report) or jurisdiction (an aggregate over an area)",
    "jurisdiction": "the place part of the issuer's name",
    "jurisdiction_simplified": "the place in simplified characters",
    "jurisdiction_code": "GB/T 2260 code valid in the report's year (NULL when none)",
    "jurisdiction_id": "the code, or a stable project id (X…) where there is none",
    "jurisdiction_flag": "why there is no code (ambiguous name, township, development zone …)",
    "current_code": "today's code of the place (after 撤县设区, mergers, renames)",
    "province": "province code (first two digits + 0000)",
    "level": "province / prefecture / county / township / department",
    "parent": "parent division code",
    "year": "statistics year of the report",
    "format": "table template: 2021, 2019, pre2019 or unknown",
    "title": "the report's title",
    "published_on": "publication date the page or document states",
    "status": "ok / partial (cut off, or a table or rows not read) / unread (a table the document "
    "shows — heading, row labels or header words — of which no cell was read; warnings say what was "
    "seen and where) / pre2019 / no_tables (no number read and no table evidence) / error",
    "error": "why no report could be read",
    "warnings": "what the reader was unsure of or left out",
    "method": "how it was read: html_table, text, pdf_table, pdf_text, docx, xls, ocr",
    "extractor_version": "version of the extractor that read it",
    "ingested_at": "when it was loaded",
    "generated": "a generated example (tests/synth.py), never a published report: do not cite",
    "is_current": "the newest version of this body's report for this year",
    # documents and crawls
    "source_url": "URL (or path) the document was read from",
    "page_url": "the page that linked to it",
    "fetched_at": "when it was fetched",
    "media_type": "Content-Type as served",
    "bytes": "size in bytes",
    "path": "where the bytes are stored",
    "http_status": "HTTP status of the fetch",
    "year_guess": "year named by the link text",
    "url": "a URL the document was fetched from",
    "crawled_at": "when the source was crawled",
    "outcome": "ok / truncated / blocked / unreachable / robots_disallowed / no_reports / interrupted",
    "detail": "the evidence, in words",
    "column_url": "the annual-report column the crawl reached",
    "trail": "link texts followed from the home page to the column",
    "attempts": "tries before giving up",
    "last_tried_at": "last try",
    "role": "what the URL was: entry, nav, listing, report, attachment",
    # numbers and checks
    "table_name": "proactive (二), applications (三), appeals (四), legacy (2008–2018)",
    "row_key": "canonical row (docs/keys.md)",
    "col_key": "canonical column (docs/keys.md)",
    "value": "the number as printed (exact DECIMAL in the warehouse; amounts of table 二 in 万元, "
    "2008–2018 fees in 元 — see the unit of its row)",
    "raw_text": "the cell as printed, or the sentence it came from",
    "page": "page of a PDF or scan (1-based)",
    "row_label": "the row's label as printed",
    "col_label": "the column's label as printed (NULL where the table does not print it)",
    "table_index": "which table of the document (0-based, in document order)",
    "row_index": "which printed row of that table (0-based)",
    "line": "line of the extracted text where the row's numbers start (1-based)",
    "archive_url": "where a public archive keeps this copy (the bundled samples: the archive they came from)",
    "confidence": "OCR confidence of the cell (0–1)",
    "check_id": "identity checked (README, checks)",
    "ok": "whether the identity holds",
    "expected": "left side of the identity",
    "actual": "right side of the identity",
    "other_report_id": "the other report of a check across reports",
    "other_issuer": "its issuer",
    "other_year": "its year",
    "section_no": "0 = before 一、, 1–6 = the mandated sections",
    "heading": "the section heading as printed",
    "body": "the section's text",
    # 2008–2018 figures and the crosswalk (docs/panel.md)
    "indicator": "the 2008–2018 indicator (a `legacy` key, docs/keys.md)",
    "cumulative": "a 历年累计 (running total) figure, not the year's",
    "definitions": "legacy (统计表 and prose, 2008–2018 definitions) or mandated (the 2019/2021 tables)",
    # timeliness, coverage, reporting quality (pipeline/store/compliance.py)
    "published_from": "where the publication date was read: page, url, pdf_metadata or crawl "
    "(the first possible one in that order)",
    "rule": "the rule that sets this report's deadline (条例 article, or a provincial rule)",
    "deadline": "the last day the rule allows",
    "days_late": "days after the deadline (0 or less: on time)",
    "verdict": "timeliness: on_time / late / unknown (reason says why); reporting_quality: clean / "
    "publisher_error / reading_doubt / both",
    "reason": "why the verdict is unknown, dates passed over as impossible, dates that disagree",
    "dates_disagree": "the page, URL, PDF and crawl dates are more than 7 days apart",
    "date_page": "the date the page or document states (发布日期, page metadata)",
    "date_url": "the date in the document's or its page's URL (t20200306_…)",
    "date_pdf_metadata": "the PDF's CreationDate",
    "date_crawl": "the date the server gave (Last-Modified) or the listing showed",
    "evidence": "the document's URL (reported), else the crawl's outcome and its detail",
    "checks_total": "identities and other checks run on the report's own numbers",
    "checks_failed": "checks that failed",
    "publisher_errors": "failed identities among printed cells all read with full confidence and "
    "under no warning: the publisher's own arithmetic",
    "reading_doubts": "failed checks that may be ours + low-confidence cells + cells not read + warnings",
    "checks_failed_doubtful": "failed checks that may be a reading's (a cell inferred or derived, "
    "low confidence, a warning) or are unclear (prose against a table)",
    "low_confidence_cells": "cells OCR read below the confidence threshold",
    "cells_not_read": "cells left empty (NULL) where the table has the row",
    "grouped_by": "body (series), level, province, or year (all reports)",
    "grp": "the body's series key, the level or the province code ('(all)' for year)",
    "reports": "reports behind the row",
    "reports_with_publisher_errors": "reports with at least one publisher error",
    "publisher_error_rate": "reports_with_publisher_errors / reports",
    "division_code": "GB/T 2260 code the covariate is keyed by",
    "covariate": "the covariate's name (ogi covariates; population by default)",
    "covariate_value": "its value for that code and year",
    "reconsiderations": "administrative reconsiderations (四 total)",
    "lawsuits": "lawsuits, direct and after reconsideration (四)",
    # metrics
    "applications": "applications received (一、本年新收 总计)",
    "total_processed": "requests processed (三（七）总计)",
    "decided": "granted + partially granted + denied",
}

# One line per view: what one row is, and what to read first.
VIEW_NOTES = {
    "documents": "One row per stored document: its sha256, the URL it was read from (the publisher's, "
    "else the archive's), where an archive keeps it, and when it was fetched.",
    "document_urls": "One row per URL a document was fetched from (the same bytes under two URLs: two rows).",
    "crawl_outcomes": "One row per source and crawl: ok, truncated (a page budget cut the walk), blocked, unreachable, "
    "robots_disallowed, no_reports, interrupted, with the evidence.",
    "crawl_errors": "One row per URL that failed for good in a crawl, with the reason and the attempts.",
    "cross_checks": "Checks across two reports of one body (carry from year to year, stocks that flow, copies), "
    "naming the other report.",
    "sections": "The narrative sections of each report (一 … 六), as printed.",
    "extraction_errors": "One row per document from which no report could be read, and why.",
    "reports": "One row per extracted report. status says whether numbers were read; generated marks examples.",
    "facts": "Every number with its raw text, page and source URL: its provenance. Click report_id for the report.",
    "checks": "Every identity checked on every report (and across reports); ok = 0 is flagged, never corrected.",
    "applications_wide": "Table 三 (applications and outcomes), one column per cell (ROW_COL).",
    "appeals_wide": "Table 四 (reconsideration and litigation).",
    "proactive_wide": "Table 二 (proactive disclosure).",
    "metrics": "Per-report rates; NULL where the denominator is 0 or not given.",
    "legacy": "The figures of 2008–2018 reports (统计表 or prose), each with the table row or sentence it came from.",
    "timeliness": "One row per report: when it was published (weighed from page, URL, PDF and "
    "crawl dates), the deadline of the rule in force, days late and a verdict.",
    "coverage": "One row per registry source and year: reported, or why not (not_found, unreachable, "
    "blocked, robots, not_crawled), with the evidence.",
    "reporting_quality": "One row per report: checks run and failed, the publisher's own errors, our "
    "reading doubts, and a verdict.",
    "reporting_quality_by": "reporting_quality summed per body, level, province and year (current "
    "reports), with the share of reports with a publisher error and N.",
    "metrics_per_capita": "Counts per 10,000 people (or per the covariate named), joining `ogi "
    "covariates` data by division code and year.",
    "panel": "One row per report on the measures 2008–2018 and 2019+ reports share; *_comparable says how they differ.",
}


def describe(view: str, column: str) -> tuple[str, str, str]:
    """(meaning, unit, Chinese label) of a column of a view."""
    if view.endswith("_wide"):
        table = view[:-5]
        for row, col in cat.wide_columns(table):
            if column == f"{row}_{col}":
                t = cat.TABLES[table]
                unit = cat.PROACTIVE_UNITS.get(col, "count") if table == "proactive" else "count"
                label = (
                    f"{t.row(row).label} · {next((c.label for c in t.cols if c.key == col), col)}"
                )
                return f"{table}: {row} × {col}", "万元" if unit == "amount_wan" else unit, label
    if view == "panel":
        measures = {m: (key, sql, note) for m, key, sql, note in cat.PANEL_MEASURES}
        if column.endswith("_comparable") and column.removesuffix("_comparable") in measures:
            return (
                f"how {column.removesuffix('_comparable')} compares across 2019 (same / differs / not comparable)",
                "",
                "",
            )
        if column in measures:
            key, sql, note = measures[column]
            unit = "yuan" if cat.LEGACY[key].unit == "yuan" else "count"
            return f"2008–2018: legacy {key}; 2019+: {sql}", unit, cat.LEGACY[key].label
    if view == "legacy" and column == "value":
        return (
            "the figure as printed, in its indicator's unit (counts; fees_collected_yuan in 元; "
            "disclosure_expenditure_10k_yuan in 万元)",
            "see indicator",
            "",
        )
    if view == "coverage" and column == "body":
        return "the body the registry row names", "", ""
    if column in RATES:
        return RATES[column], "per 100" if "per_100" in column else "ratio (0–1)", ""
    if column.endswith("_per_10k") and column.removesuffix("_per_10k") in MEANING:
        base = column.removesuffix("_per_10k")
        return (
            f"{MEANING[base]}, per 10,000 of the covariate (people, for population)",
            "per 10,000",
            "",
        )
    if column in MEANING:
        unit = (
            "count"
            if column in ("applications", "total_processed", "decided", "bytes", "attempts")
            else ""
        )
        return MEANING[column], unit, ""
    return "", "", ""


def view_note(view: str) -> str:
    return VIEW_NOTES.get(view, "")


def comment(view: str, column: str) -> str:
    """The column's comment: its meaning, unit and Chinese label in one line."""
    meaning, unit, label = describe(view, column)
    return " · ".join(x for x in (meaning, f"unit: {unit}" if unit else "", label) if x)


def dictionary_stamp() -> str:
    """Changes whenever a view or anything the dictionary says of its columns changes."""
    import hashlib

    from .schema import VIEWS

    parts = (VIEWS, MEANING, VIEW_NOTES, RATES, cat.TABLES, cat.PANEL_MEASURES, cat.LEGACY)
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
