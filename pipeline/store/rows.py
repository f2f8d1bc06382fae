"""A batch of extracted reports as the warehouse's base-table rows (Arrow tables).

Both ways of loading use it: :meth:`pipeline.store.Warehouse.load` straight into DuckDB, and a
distributed extraction's Parquet shards (:mod:`.shards`), loaded later by the one writer.
"""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from ..model import EXTRACTOR_VERSION, FACT_COLUMNS, Provenance, Report
from ..normalise.metadata import date_in_url, http_date
from .schema import TABLES


def timestamp(value: str | dt.datetime | None) -> dt.datetime | None:
    """A provenance time (ISO text in the manifest) as a timestamp."""
    if value is None or isinstance(value, dt.datetime):
        return value
    return dt.datetime.fromisoformat(value)


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _server_date(d: Provenance) -> dt.date | None:
    """Last-Modified as a publication date — unless the server dated the page about when it was
    fetched (a dynamic page, or a mirror's copy): that says when it was served, not published."""
    modified, fetched = _date(http_date(d.last_modified)), _date(d.fetched_at)
    if modified is None or fetched is None or (fetched - modified).days < 2:
        return None
    return modified


def batch_tables(
    batch: list[tuple[Provenance, Report]],
    first_no: int,
    cell_ids: dict | None,
    now: dt.datetime,
) -> dict[str, pa.Table]:
    """The base-table rows of a batch, as Arrow tables. Without `cell_ids` (a Parquet shard, read
    into any warehouse later) a fact names its cell by key (``table|row|col``) in ``cell_key``."""
    spec = dict(TABLES)
    if cell_ids is None:
        spec["fact"] = [
            ("cell_key", pa.string()) if c == "cell_id" else (c, t) for c, t in TABLES["fact"]
        ]
    cols = {name: {c: [] for c, _ in columns} for name, columns in spec.items()}
    doc, rep, fact, chk, sec = (
        cols[n] for n in ("doc", "report", "fact", "check_result", "section")
    )
    for no, (d, r) in enumerate(batch, start=first_no):
        published = _date(r.published_on)
        j = r.jurisdiction
        for k, v in (
            ("doc_id", d.doc_id),
            ("source_id", d.source_id),
            ("source_url", d.url),
            ("page_url", d.page_url),
            ("fetched_at", timestamp(d.fetched_at)),
            ("media_type", d.media_type or ""),
            ("bytes", d.bytes),
            ("path", d.path),
            ("title", r.title or d.title),
            ("http_status", d.http_status),
            ("year_guess", d.year_guess or r.year),
            ("published_on", published),
            ("archive_url", d.archive_url),
        ):
            doc[k].append(v)
        code = j.get("current_code") or j.get("code")
        province = code[:2] + "0000" if code and len(code) == 6 and code.isdigit() else None
        for k, v in (
            ("report_no", no),
            ("report_id", d.doc_id),
            ("doc_id", d.doc_id),
            ("source_id", d.source_id),
            ("issuer", r.issuer),
            ("issuer_key", r.issuer_key),
            ("series_key", r.series_key),
            ("aliases", j.get("aliases") or []),
            ("province", province),
            ("generated", r.generated),
            ("is_current", False),
            ("scope", r.scope),
            ("jurisdiction", j.get("name")),
            ("jurisdiction_simplified", j.get("name_simplified")),
            ("jurisdiction_code", j.get("code")),
            ("jurisdiction_id", j.get("id")),
            ("jurisdiction_flag", j.get("flag")),
            ("current_code", j.get("current_code")),
            ("level", j.get("level")),
            ("parent", j.get("parent")),
            ("year", r.year),
            ("format", r.format),
            ("title", r.title),
            ("published_on", published),
            ("status", r.status),
            ("error", r.error),
            ("warnings", list(r.warnings)),
            ("method", r.method),
            ("extractor_version", EXTRACTOR_VERSION),
            ("ingested_at", now),
            ("url_date", _date(date_in_url(d.url, d.page_url))),
            ("pdf_date", _date(r.dates.get("pdf_metadata"))),
            ("crawl_date", _date(d.published_on) or _server_date(d)),
        ):
            rep[k].append(v)
        columns = dict(zip(FACT_COLUMNS, r.fact_columns()))
        keys = columns.pop("key")
        fact["report_no"] += [no] * len(keys)
        if cell_ids is None:
            fact["cell_key"] += keys
        else:
            fact["cell_id"] += [cell_ids[k] for k in keys]
        for name, values in columns.items():
            fact[name] += values
        ids, oks, expected, actual, details, blames = r.check_columns()
        chk["report_no"] += [no] * len(ids)
        chk["check_id"] += ids
        chk["ok"] += oks
        chk["expected"] += expected
        chk["actual"] += actual
        chk["detail"] += details
        chk["blame"] += blames
        for s in r.sections:
            for k, v in (
                ("report_no", no),
                ("section_no", s.no),
                ("heading", s.heading),
                ("body", s.body),
            ):
                sec[k].append(v)
    return {name: pa.table(cols[name], schema=pa.schema(spec[name])) for name in spec}
