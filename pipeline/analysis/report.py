"""`ogi report`: a static, offline HTML report with the comparison charts and their tables.

plotly.js is written into the page once (the first chart), not once per chart; each chart is
also exported as PNG with kaleido (Debian's chromium) when a browser is available.
"""

from __future__ import annotations

import html
import logging
import os
import shutil
from pathlib import Path

from . import (
    appeals,
    areas,
    charts,
    compliance,
    connect,
    long_panel,
    outcomes,
    quality,
    rankings,
    rates,
    reports,
    sankey_flows,
    volumes,
    warehouse_path,
)

log = logging.getLogger(__name__)


class NothingToReport(RuntimeError):
    """The warehouse holds no report in the population the report charts."""


MIN_RANKED = 3  # a ranking of fewer bodies is no ranking: the report says so instead


def figures(con, include_generated: bool = False) -> list[tuple[str, object, object, str]]:
    """(slug, figure or None, table, note) for every chart of the report: each population
    (agencies' own reports, area aggregates) apart; a chart without enough reports behind it
    is left out with a note that says why."""
    g = {"include_generated": include_generated}
    out: list[tuple[str, object, object, str]] = []
    for scope in ("agency", "jurisdiction"):
        o = outcomes(con, by=["year"], scope=scope, **g)
        if o.reports.sum():
            out.append((f"outcomes_by_year_{scope}", charts.outcome_bars(o), o, ""))
        r = rates(con, by=["year", "level"], scope=scope, **g)
        if r.grant_rate.notna().any():
            out.append(
                (f"grant_rate_by_year_level_{scope}", charts.by_year(r, "grant_rate"), r, "")
            )
        v = volumes(con, by=["year", "level"], scope=scope, **g)
        if v.applications.notna().any():
            out.append((f"applications_by_year_{scope}", charts.by_year(v, "applications"), v, ""))
    rk = rankings(con, **g)
    out.append(
        _drawn(
            "ranking_grant_rate",
            rk,
            charts.ranking,
            f"{len(rk)} bodies of one level and year with ≥ 20 requests behind the rate; "
            f"a ranking needs at least {MIN_RANKED}"
            if len(rk) < MIN_RANKED
            else None,
        )
    )
    per_body = appeals(con, by=["issuer", "year"], **g)
    if per_body.litigation_per_100_applications.notna().any():
        out.append(("volume_vs_litigation", charts.volume_vs_litigation(per_body), per_body, ""))
    # the year and level with the most areas to compare
    counts = (
        volumes(con, by=["year", "level"], scope="area", **g)
        .dropna(subset=["year"])
        .sort_values(["reports", "year"], ascending=False)
    )
    best = counts.iloc[0] if len(counts) else None
    ar = areas(
        con,
        year=int(best.year) if best is not None else None,
        level=best.level if best is not None else None,
        **g,
    )
    few = len(ar.dropna(subset=["grant_rate"])) < 2
    out.append(
        _drawn(
            "areas_grant_rate",
            ar,
            charts.areas,
            "fewer than two areas of one level to compare" if few else None,
        )
    )
    q = quality(con, include_generated=include_generated)
    out.append(("data_quality", charts.quality(q), q, ""))
    vols = volumes(con, by=["issuer", "year"], scope="jurisdiction", **g).dropna(
        subset=["applications"]
    )
    if len(vols):
        top = vols.sort_values("applications").iloc[-1]
        rid = (
            reports(con, scope="jurisdiction", **g)
            .query("issuer == @top.issuer and year == @top.year")
            .report_id.iloc[0]
        )
        flows = sankey_flows(con, rid)
        out.append(("sankey_largest", charts.sankey(flows, top.issuer, int(top.year)), flows, ""))
    for scope in ("agency", "jurisdiction"):
        lp = long_panel(con, scope=scope, **g)
        if lp.applications.notna().any():
            out.append(
                (
                    f"long_series_applications_{scope}",
                    charts.long_series(lp, "applications"),
                    lp,
                    "",
                )
            )
    # what no one else measures: on time, who is missing, the publisher's own errors
    ot = compliance.on_time(con, by=["level", "year"], **g)
    out.append(
        _drawn(
            "on_time_share",
            ot,
            charts.on_time_share,
            None if ot.judged.sum() else "no report has a publication date and a deadline",
        )
    )
    matrix = compliance.coverage_matrix(con)
    if len(matrix):
        out.append(
            ("coverage", charts.coverage_heatmap(matrix), compliance.coverage_summary(con), "")
        )
    pe = compliance.publisher_errors(con, by=["level", "year"], **g)
    if len(pe):
        out.append(("publisher_errors", charts.publisher_error_rate(pe), pe, ""))
    out.append(("rates_by_year", None, rates(con, by=["year"], **g), ""))
    return out


def _drawn(slug: str, table, draw, not_drawn: str | None) -> tuple[str, object, object, str]:
    """(slug, figure, table, note): `draw(table)`, or, when `not_drawn` says why, no figure and
    a note that says it."""
    if not_drawn:
        return (slug, None, table, f"not drawn: {not_drawn}")
    return (slug, draw(table), table, "")


def write_report(
    out_dir: str | Path,
    db: str | Path | None = None,
    png: bool = True,
    include_generated: bool = False,
    progress: bool = False,
) -> Path:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path_db = warehouse_path(db)
    con = connect(db)
    try:
        r = reports(con, include_generated=True)
        usable = r[
            (r.status.isin(["ok", "partial", "unread"])) & (include_generated | ~r.generated)
        ]
        if usable.empty:
            hidden = int(r.generated.sum())
            raise NothingToReport(
                "nothing to chart: the warehouse holds no report with numbers"
                + (
                    f" ({hidden} generated example reports left out; --include-generated shows them)"
                    if hidden and not include_generated
                    else ""
                )
            )
        figs = figures(con, include_generated)
        generated = int(usable.generated.sum())
    finally:
        con.close()
    cite = citation(path_db)
    parts, first = [], True
    bar = _bar(sum(1 for f in figs if f[1] is not None) if png and _browser() else 0, progress)
    for slug, fig, table, note in figs:
        parts.append(f'<section id="{slug}"><h2>{html.escape(slug.replace("_", " "))}</h2>')
        if note:
            parts.append(f"<p><i>{html.escape(note)}</i></p>")
        if fig is not None:
            parts.append(
                fig.to_html(
                    full_html=False,
                    include_plotlyjs=first,
                    div_id=slug,
                    default_height="540px",
                    default_width="100%",
                )
            )
            first = False
            if png and _browser():
                _png(fig, out / f"{slug}.png")
                bar.update(1)
        parts.append(_table(table))
        parts.append("</section>")
    bar.close()
    warning = (
        f'<p class="warn"><b>示例数据 · 请勿引用 / EXAMPLE DATA — do not cite: {generated} generated '
        "reports are in this report.</b></p>"
        if generated
        else ""
    )
    page = f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>OGI Reports — 政府信息公开年度报告比较 / comparison</title>
<style>body{{font-family:"Noto Sans CJK SC",sans-serif;max-width:1100px;margin:auto;padding:1em}}
table.data{{border-collapse:collapse;font-size:12px;display:block;overflow-x:auto;max-width:100%}}
table.data td,table.data th{{padding:2px 6px;border-bottom:1px solid #ddd;white-space:nowrap}}
.warn{{color:#b00}} .cite{{background:#f6f6f6;padding:.5em;font-size:13px}}</style>
</head><body><h1>政府信息公开年度报告比较 / Comparing open-government-information annual reports</h1>
<p class="cite">Generated {html.escape(cite["generated_at"])} by OGI Reports {html.escape(cite["version"])}
from the warehouse snapshot sha256:{html.escape(cite["sha256"][:16])}… ({html.escape(cite["warehouse"])}).<br>
<b>How to cite</b>: {html.escape(cite["text"])}</p>
{warning}
<p>Rates sum numerators and denominators over the current reports that give both; agency reports and
jurisdiction aggregates are kept apart, and each chart names its population, how many reports stand
behind it and how many it leaves out. Charts compare like with like: one level and one year per ranking.</p>
{"".join(parts)}</body></html>"""
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def citation(db: str | Path) -> dict:
    """Who made this, when, from which warehouse (its sha256), and a line to cite it by."""
    import datetime as dt
    import hashlib
    from importlib.metadata import PackageNotFoundError, version

    try:
        v = version("ogi-reports")
    except PackageNotFoundError:  # pragma: no cover - a checkout without install
        v = "unknown"
    h = hashlib.sha256()
    with open(db, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    when = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    text = (
        f"OGI Reports {v}, open-government-information annual reports dataset, generated {when[:10]} "
        f"(warehouse sha256:{h.hexdigest()[:16]}). Cite each number with its report's URL "
        "(documents.source_url) and its place (facts: page, table_index, row_label, col_label)."
    )
    return {
        "version": v,
        "sha256": h.hexdigest(),
        "generated_at": when,
        "warehouse": str(db),
        "text": text,
    }


def _table(df) -> str:
    """A table that fits the page: the columns a reader needs first, rates as percentages."""
    from . import RATE_PARTS
    from .charts import PERCENT

    cut = len(df) > TABLE_ROWS
    d = df.head(TABLE_ROWS).copy()
    drop = [
        c
        for c in d.columns
        if c in ("scope_label", "ranking", "report_id", "series_key", "place")
        or c.endswith(("_num", "_reports", "_comparable"))
        and c != "generated_reports"
    ]
    d = d.drop(columns=drop)
    fmt = {c: (lambda v: f"{v:.1%}") for c in d.columns if c in PERCENT}
    fmt.update(
        {c: (lambda v: f"{v:.2f}") for c in d.columns if c in RATE_PARTS and c not in PERCENT}
    )
    if "share" in d:
        fmt["share"] = lambda v: f"{v:.1%}"
    table = d.to_html(
        index=False,
        na_rep="",
        formatters=fmt,
        float_format=lambda v: f"{v:,.0f}",
        classes="data",
        border=0,
    )
    if cut:
        table += f"<p><i>first {TABLE_ROWS} of {len(df)} rows (ogi export has them all)</i></p>"
    return table


TABLE_ROWS = 50


class _NoBar:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _bar(total: int, enabled: bool):
    """Progress of the PNG export (kaleido takes ~1–2 s a chart)."""
    if not enabled or total < 2:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="chart", desc="PNG", leave=False)


def _png(fig, path: Path) -> None:
    """A chart as PNG. kaleido drives a headless Chromium, which can fail to start on a loaded
    machine: tried twice, then left out with a warning (the HTML page has every chart anyway)."""
    for attempt in (1, 2):
        try:
            fig.write_image(path, width=1000, height=600)
            return
        except Exception as exc:  # kaleido/choreographer raise their own types
            if attempt == 2:
                log.warning("%s not written: %s: %s", path.name, type(exc).__name__, str(exc)[:200])


def _browser() -> bool:
    if os.environ.get("BROWSER_PATH"):
        return True
    exe = (
        shutil.which("chromium")
        or shutil.which("chromium-browser")
        or shutil.which("google-chrome")
    )
    if exe:
        os.environ["BROWSER_PATH"] = exe
    return bool(exe)
