"""`ogi export`: every view as Parquet (partitioned by year where there is one) or CSV, with a
data dictionary generated from the catalogue."""
from __future__ import annotations

import csv
from pathlib import Path

from .. import catalogue as cat
from . import connect

VIEWS = ("documents", "document_urls", "crawl_outcomes", "reports", "facts", "checks", "cross_checks", "sections",
         "applications_wide", "appeals_wide", "proactive_wide", "metrics", "extraction_errors")
MEANING = {
    "report_id": "sha256 of the document the report was read from", "issuer": "the body as printed",
    "year": "statistics year of the report", "scope": "agency (one body) or jurisdiction (aggregate over an area)",
    "value": "the number as printed (DECIMAL; amounts in 万元)", "raw_text": "the cell as printed",
    "is_current": "the newest version of this body's report for this year",
}


def export(out_dir: str | Path, fmt: str = "parquet", db: str | Path | None = None) -> list[Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    con = connect(db)
    written = []
    rows = []
    try:
        for view in VIEWS:
            cols = con.execute(f"DESCRIBE {view}").fetchall()
            names = [c[0] for c in cols]
            if fmt == "parquet":
                target = out / view
                if "year" in names:
                    con.execute(f"COPY (SELECT * FROM {view}) TO '{target}' "
                                f"(FORMAT parquet, PARTITION_BY (year), OVERWRITE_OR_IGNORE)")
                else:
                    target = out / f"{view}.parquet"
                    con.execute(f"COPY (SELECT * FROM {view}) TO '{target}' (FORMAT parquet)")
            elif fmt == "csv":
                target = out / f"{view}.csv"
                con.execute(f"COPY (SELECT * FROM {view}) TO '{target}' (FORMAT csv, HEADER)")
            else:
                raise ValueError("format must be parquet or csv")
            written.append(target)
            for name, typ, *_ in cols:
                rows.append((view, name, typ, *_describe(view, name)))
    finally:
        con.close()
    with open(out / "data_dictionary.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["view", "column", "type", "meaning", "unit", "label_zh"])
        w.writerows(rows)
    written.append(out / "data_dictionary.csv")
    return written


def _describe(view: str, column: str) -> tuple[str, str, str]:
    if view.endswith("_wide"):
        table = view[:-5]
        for row, col in cat.wide_columns(table):
            if column == f"{row}_{col}":
                t = cat.TABLES[table]
                unit = cat.PROACTIVE_UNITS.get(col, "count") if table == "proactive" else "count"
                label = f"{t.row(row).label} · {next((c.label for c in t.cols if c.key == col), col)}"
                return f"{table}: {row} × {col}", "万元" if unit == "amount_wan" else unit, label
    return MEANING.get(column, ""), "", ""
