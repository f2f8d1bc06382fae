"""`ogi export`: every view as Parquet (one file per year where the view has one) or CSV, with a
data dictionary that describes every column, generated from the catalogue and the rate table.

Files open anywhere: Parquet files carry pandas metadata, so ``pandas.read_parquet(DIR/view)``
gives ``year`` as an integer column in its place and counts as nullable integers (``Int64``,
not float64 with NaN); ``--excel`` CSVs are UTF-8 with a byte-order mark, so Excel opens Chinese
intact. Amounts stay exact decimals.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pyarrow as pa

from .. import catalogue as cat
from ..store.schema import RATES, VIEW_NAMES
from . import connect

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
    "status": "ok / partial (cut off or missing a table) / pre2019 / no_tables (no number read) / error",
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
    "outcome": "ok / blocked / unreachable / robots_disallowed / no_reports / interrupted",
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
    "value": "the number as printed (DECIMAL; amounts in 万元)",
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
    # metrics
    "applications": "applications received (一、本年新收 总计)",
    "total_processed": "requests processed (三（七）总计)",
    "decided": "granted + partially granted + denied",
}


def export(
    out_dir: str | Path, fmt: str = "parquet", db: str | Path | None = None, excel: bool = False
) -> list[Path]:
    if fmt not in ("parquet", "csv"):
        raise ValueError("format must be parquet or csv")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    con = connect(db)
    written, rows = [], []
    try:
        for view in VIEW_NAMES:
            cols = con.execute(f"DESCRIBE {view}").fetchall()
            names = [c[0] for c in cols]
            frame = _frame(con.execute(f"SELECT * FROM {view}").to_arrow_table())
            if fmt == "parquet" and "year" in names:
                target = out / view
                target.mkdir(exist_ok=True)
                for year, part in frame.groupby(
                    frame.year.astype("object").fillna("unknown"), dropna=False
                ):
                    part.to_parquet(target / f"{year}.parquet", index=False)
            elif fmt == "parquet":
                target = out / f"{view}.parquet"
                frame.to_parquet(target, index=False)
            else:
                target = out / f"{view}.csv"
                frame.to_csv(target, index=False, encoding="utf-8-sig" if excel else "utf-8")
            written.append(target)
            for name, typ, *_ in cols:
                rows.append((view, name, typ, *describe(view, name)))
    finally:
        con.close()
    with open(
        out / "data_dictionary.csv", "w", newline="", encoding="utf-8-sig" if excel else "utf-8"
    ) as f:
        w = csv.writer(f)
        w.writerow(["view", "column", "type", "meaning", "unit", "label_zh"])
        w.writerows(rows)
    written.append(out / "data_dictionary.csv")
    return written


def _frame(table: pa.Table) -> pd.DataFrame:
    """Arrow to pandas with nullable integers (a blank count stays NULL, not a float NaN)."""
    ints = {
        pa.int8(): pd.Int8Dtype(),
        pa.int16(): pd.Int16Dtype(),
        pa.int32(): pd.Int32Dtype(),
        pa.int64(): pd.Int64Dtype(),
        pa.bool_(): pd.BooleanDtype(),
    }
    return table.to_pandas(types_mapper=ints.get)


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
    if column in RATES:
        return RATES[column], "per 100" if "per_100" in column else "ratio (0–1)", ""
    if column in MEANING:
        unit = (
            "count"
            if column in ("applications", "total_processed", "decided", "bytes", "attempts")
            else ""
        )
        return MEANING[column], unit, ""
    return "", "", ""
