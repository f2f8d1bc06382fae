"""Exports as other tools expect them: Parquet every reader opens with the warehouse's row
counts, a Frictionless Data Package that validates, a warehouse that documents itself."""

from __future__ import annotations

import json
import os

import duckdb
import pandas as pd
import polars as pl
import pyarrow.dataset as ds
import pytest

from pipeline.analysis.export import export
from pipeline.api import ingest
from pipeline.store.schema import VIEW_NAMES
from tests.corpus import SAMPLES
from tests.corpus.synth import SAMPLES_DIR


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """Real reports of many years (blank columns in some years) and generated pages beside them."""
    path = tmp_path_factory.mktemp("wh") / "ogi.duckdb"
    ingest([SAMPLES, SAMPLES_DIR], db=path, publish=False)
    return path


def counts(db) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {v: con.execute(f"SELECT count(*) FROM {v}").fetchone()[0] for v in VIEW_NAMES}
    finally:
        con.close()


def test_every_view_in_parquet_is_read_whole_by_pandas_pyarrow_polars_and_duckdb(db, tmp_path):
    export(tmp_path, db=db)
    expected = counts(db)
    for view, n in expected.items():
        path = tmp_path / view if (tmp_path / view).is_dir() else tmp_path / f"{view}.parquet"
        files = str(path / "*.parquet") if path.is_dir() else str(path)
        got = (
            len(pd.read_parquet(path)),
            ds.dataset(path, partitioning="hive").count_rows(),
            len(pl.read_parquet(files)),
            duckdb.sql(f"SELECT count(*) FROM read_parquet('{files}')").fetchone()[0],
        )
        assert got == (n,) * 4, view
    # one schema across the years: counts are integers, a blank stays blank, years in place
    reports = pd.read_parquet(tmp_path / "reports")
    assert str(reports.year.dtype) == "Int32" and str(reports.generated.dtype) == "boolean"
    wide = pd.read_parquet(tmp_path / "applications_wide")
    assert str(wide.new_received_total.dtype) == "Int64" and wide.new_received_total.isna().any()
    facts = pd.read_parquet(tmp_path / "facts.parquet")
    assert str(facts.value.dtype) == "float64" and str(facts.row_index.dtype) == "Int16"
    assert facts.value.max() == 3985758  # 淮安市 2024: 行政处罚 decisions


def test_the_csv_export_is_a_valid_frictionless_data_package(db, tmp_path):
    from frictionless import Package

    export(tmp_path, fmt="csv", db=db)
    descriptor = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert {r["title"] for r in descriptor["resources"]} == set(VIEW_NAMES)
    assert descriptor["licenses"] and descriptor["sources"] and descriptor["created"]
    facts = next(r for r in descriptor["resources"] if r["title"] == "facts")
    fields = {f["name"]: f for f in facts["schema"]["fields"]}
    assert fields["value"]["type"] == "number" and fields["row_label"]["description"]
    assert facts["schema"]["foreignKeys"][0]["reference"] == {
        "resource": "reports",
        "fields": ["report_id"],
    }
    cwd = os.getcwd()
    os.chdir(tmp_path)  # resources are paths relative to the package
    try:
        report = Package("datapackage.json").validate()
    finally:
        os.chdir(cwd)
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_the_parquet_export_writes_its_data_package_too(db, tmp_path):
    export(tmp_path, db=db)
    descriptor = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    reports = next(r for r in descriptor["resources"] if r["title"] == "reports")
    assert reports["format"] == "parquet" and all(p.startswith("reports/") for p in reports["path"])
    assert reports["schema"]["primaryKey"] == ["report_id"]


def test_the_warehouse_documents_every_view_and_column(db):
    con = duckdb.connect(str(db), read_only=True)
    try:
        blank = con.execute(
            """SELECT table_name, column_name FROM duckdb_columns()
               WHERE table_name IN (SELECT unnest(?)) AND (comment IS NULL OR comment = '')""",
            [list(VIEW_NAMES)],
        ).fetchall()
        views = dict(
            con.execute(
                "SELECT view_name, comment FROM duckdb_views() WHERE view_name IN (SELECT unnest(?))",
                [list(VIEW_NAMES)],
            ).fetchall()
        )
        wide = con.execute(
            """SELECT comment FROM duckdb_columns()
               WHERE table_name = 'applications_wide' AND column_name = 'new_received_total'"""
        ).fetchone()[0]
    finally:
        con.close()
    assert blank == []
    assert set(views) == set(VIEW_NAMES) and all(views.values())
    assert "本年新收" in wide and "count" in wide
