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
    connect,
    long_panel,
    outcomes,
    quality,
    rankings,
    rates,
    reports,
    sankey_flows,
    volumes,
)

log = logging.getLogger(__name__)


class NothingToReport(RuntimeError):
    """The warehouse holds no report in the population the report charts."""


def figures(con, include_generated: bool = False) -> list[tuple[str, object, object]]:
    """(slug, figure, table) for every chart of the report."""
    g = {"include_generated": include_generated}
    out = []
    o = outcomes(con, by=["year"], **g)
    out.append(("outcomes_by_year", charts.outcome_bars(o), o))
    r = rates(con, by=["year", "level"], **g)
    out.append(("grant_rate_by_year_level", charts.by_year(r, "grant_rate"), r))
    rk = rankings(con, **g)
    out.append(("ranking_grant_rate", charts.ranking(rk), rk))
    per_body = appeals(con, by=["issuer", "year"], **g)
    out.append(("volume_vs_litigation", charts.volume_vs_litigation(per_body), per_body))
    years = o.year.dropna()
    ar = areas(con, year=int(years.max()) if len(years) else None, **g)
    if len(ar.dropna(subset=["grant_rate"])):
        out.append(("areas_grant_rate", charts.areas(ar), ar))
    q = quality(con, include_generated=include_generated)
    out.append(("data_quality", charts.quality(q), q))
    vols = volumes(con, by=["issuer", "year"], **g).dropna(subset=["applications"])
    if len(vols):
        top = vols.sort_values("applications").iloc[-1]
        rid = (
            reports(con, scope="agency")
            .query("issuer == @top.issuer and year == @top.year")
            .report_id.iloc[0]
        )
        flows = sankey_flows(con, rid)
        out.append(("sankey_largest", charts.sankey(flows, top.issuer, int(top.year)), flows))
    lp = long_panel(con, **g)
    if lp.applications.notna().any():
        out.append(("long_series_applications", charts.long_series(lp, "applications"), lp))
    out.append(("rates_by_year", None, rates(con, by=["year"], **g)))
    return out


def write_report(
    out_dir: str | Path,
    db: str | Path | None = None,
    png: bool = True,
    include_generated: bool = False,
) -> Path:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    con = connect(db)
    try:
        r = reports(con)
        usable = r[(r.status.isin(["ok", "partial"])) & (include_generated | ~r.generated)]
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
    finally:
        con.close()
    parts, first = [], True
    for slug, fig, table in figs:
        parts.append(f'<section id="{slug}"><h2>{html.escape(slug.replace("_", " "))}</h2>')
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
        parts.append(_table(table))
        parts.append("</section>")
    page = f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>OGI Reports — 政府信息公开年度报告比较 / comparison</title>
<style>body{{font-family:"Noto Sans CJK SC",sans-serif;max-width:1100px;margin:auto;padding:1em}}
table.data{{border-collapse:collapse;font-size:12px;display:block;overflow-x:auto;max-width:100%}}
table.data td,table.data th{{padding:2px 6px;border-bottom:1px solid #ddd;white-space:nowrap}}</style>
</head><body><h1>政府信息公开年度报告比较 / Comparing open-government-information annual reports</h1>
<p>Rates sum numerators and denominators over the current reports that give both; agency reports and
jurisdiction aggregates are kept apart. Each chart names its population and how many reports stand behind it.
{"<p><b>含生成的示例数据 / This report includes generated example data.</b></p>" if include_generated else ""}</p>
{"".join(parts)}</body></html>"""
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def _table(df) -> str:
    """A table that fits the page: the columns a reader needs first, rates as percentages."""
    from . import RATE_PARTS
    from .charts import PERCENT

    d = df.head(50).copy()
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
    return d.to_html(
        index=False,
        na_rep="",
        formatters=fmt,
        float_format=lambda v: f"{v:,.0f}",
        classes="data",
        border=0,
    )


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
