"""`ogi report`: a static, offline HTML report with the comparison charts and their tables.

plotly.js is written into the page once (the first chart), not once per chart; each chart is
also exported as PNG with kaleido (Debian's chromium) when a browser is available.
"""
from __future__ import annotations

import html
import os
import shutil
from pathlib import Path

from . import appeals, connect, outcomes, quality, rankings, rates, reports, sankey_flows, volumes
from . import charts


def figures(con) -> list[tuple[str, object, object]]:
    """(slug, figure, table) for every chart of the report."""
    r_year = rates(con, by=["year"])
    out = [("outcomes_by_year", charts.outcome_bars(outcomes(con, by=["year"])), outcomes(con, by=["year"])),
           ("grant_rate_by_year_level", charts.by_year(rates(con, by=["year", "level"]), "grant_rate_handled"),
            rates(con, by=["year", "level"])),
           ("ranking_grant_rate", charts.ranking(rankings(con)), rankings(con))]
    per_body = appeals(con, by=["issuer", "year"])
    out.append(("volume_vs_litigation", charts.volume_vs_litigation(per_body), per_body))
    q = quality(con)
    out.append(("data_quality", charts.quality(q), q))
    biggest = reports(con, scope="agency")
    vols = volumes(con, by=["issuer", "year"])
    if len(vols.dropna(subset=["applications"])):
        top = vols.dropna(subset=["applications"]).sort_values("applications").iloc[-1]
        rid = biggest[(biggest.issuer == top.issuer) & (biggest.year == top.year)].report_id.iloc[0]
        flows = sankey_flows(con, rid)
        out.append(("sankey_largest", charts.sankey(flows, f"{top.issuer} {int(top.year)}：申请人 → 办理结果 / "
                                                            "applicant → outcome"), flows))
    out.append(("rates_by_year", None, r_year))
    return out


def write_report(out_dir: str | Path, db: str | Path | None = None, png: bool = True) -> Path:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    con = connect(db)
    try:
        figs = figures(con)
    finally:
        con.close()
    parts, first = [], True
    for slug, fig, table in figs:
        parts.append(f'<section id="{slug}"><h2>{html.escape(slug.replace("_", " "))}</h2>')
        if fig is not None:
            parts.append(fig.to_html(full_html=False, include_plotlyjs=first, div_id=slug,
                                     default_height="540px", default_width="100%"))
            first = False
            if png and _browser():
                fig.write_image(out / f"{slug}.png", width=1000, height=600)
        parts.append(table.head(50).to_html(index=False, na_rep="", float_format=lambda v: f"{v:.4g}",
                                            classes="data", border=0))
        parts.append("</section>")
    page = f"""<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">
<title>OGI Reports — 政府信息公开年度报告比较 / comparison</title>
<style>body{{font-family:"Noto Sans CJK SC",sans-serif;max-width:1100px;margin:auto;padding:1em}}
table.data{{border-collapse:collapse;font-size:12px}} table.data td,table.data th{{padding:2px 6px;border-bottom:1px solid #ddd}}</style>
</head><body><h1>政府信息公开年度报告比较 / Comparing open-government-information annual reports</h1>
<p>Rates sum numerators and denominators over current reports; agency reports and jurisdiction aggregates are
kept apart. Each table says how many reports it covers.</p>
{''.join(parts)}</body></html>"""
    path = out / "index.html"
    path.write_text(page, encoding="utf-8")
    return path


def _browser() -> bool:
    if os.environ.get("BROWSER_PATH"):
        return True
    exe = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if exe:
        os.environ["BROWSER_PATH"] = exe
    return bool(exe)
