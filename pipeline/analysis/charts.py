"""Plotly charts over pipeline.analysis frames — figures a researcher can put in a paper.

Each function takes the tidy frame it draws (so a notebook can filter it first) and returns a
plotly Figure; nothing here queries the warehouse. Every chart: axis titles in words (中文 /
English), rates as percentages from a zero baseline, counts as integers, the population (scope)
and the number of reports behind it in the title, N in every hover, gaps where a year is missing
(no line drawn across it), and a marker when generated example data is in it.
"""

from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import plotly.io as pio

from ..store.schema import RATES
from . import BREAK_YEAR, OUTCOMES, PANEL_NOTES, RATE_PARTS

FONT = "Noto Sans CJK SC, Noto Serif CJK SC, sans-serif"
RATE_TITLES = {
    "grant_rate": "予以公开率 / grant rate",
    "grant_rate_decided": "予以公开率（已决定）/ grant rate of decided requests",
    "disclosure_rate": "公开率（含部分公开）/ disclosure rate",
    "denial_rate": "不予公开率 / denial rate",
    "denial_rate_decided": "不予公开率（已决定）/ denial rate of decided requests",
    "not_held_rate": "本机关不掌握 / information not held",
    "reconsideration_per_100_applications": "每百件申请的行政复议 / reconsiderations per 100 applications",
    "litigation_per_100_applications": "每百件申请的行政诉讼 / lawsuits per 100 applications",
    "reconsideration_correction_rate": "复议纠错率 / reconsideration correction rate",
    "litigation_correction_rate": "诉讼纠错率 / litigation correction rate",
}
PERCENT = {r for r, (_, _, k) in RATE_PARTS.items() if k == 1}
COUNT_TITLES = {
    "applications": "收到申请（件）/ applications received",
    "normative_documents_issued": "制发规范性文件（件）/ normative documents issued",
    "licensing_decisions": "行政许可决定（件）/ licensing decisions",
    "penalty_decisions": "行政处罚决定（件）/ penalty decisions",
    "granted": "同意公开 / 予以公开（件）/ granted",
    "partially_granted": "部分公开（件）/ partially granted",
    "denied": "不同意公开 / 不予公开（件）/ denied",
    "not_held": "信息不存在 / 不掌握（件）/ not held",
    "reconsideration": "行政复议（件）/ reconsideration cases",
    "reconsideration_corrected": "复议纠错（件）/ reconsideration: corrected",
    "litigation": "行政诉讼（件）/ lawsuits",
    "litigation_corrected": "诉讼纠错（件）/ lawsuits: corrected",
    "fees_yuan": "收费（元）/ fees (yuan)",
}
DEFINITIONS = {
    "legacy": "统计表与正文（2008–2018 口径）/ 2008–2018 definitions",
    "mandated": "年报格式表格（2019+ 口径）/ 2019+ mandated tables",
}
YEAR = "年份 / year"
# Facet and legend labels in both languages, as the titles are.
LABELS = {
    "level": {
        "province": "省级 / province",
        "prefecture": "地级 / prefecture",
        "county": "县级 / county",
        "township": "乡级 / township",
        "department": "部门 / department",
        "unknown": "不明 / unknown",
    },
    "scope": {
        "agency": "机关自身 / agency",
        "jurisdiction": "地区汇总 / jurisdiction",
        "unknown": "不明 / unknown",
    },
    "source": {
        "aggregate": "汇总报告 / published aggregate",
        "sum_of_agencies": "各机关之和 / sum of agencies",
    },
}


def _labelled(df: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """The frame with the coded columns (level, scope, source) in words of both languages."""
    d = df.copy()
    for c in columns:
        if c in LABELS and c in d:
            d[c] = d[c].map(lambda v, c=c: LABELS[c].get(v, v) if isinstance(v, str) else v)
    return d


WATERMARK = "示例数据 · 请勿引用 / EXAMPLE DATA — do not cite"


def notebook() -> None:
    """In a notebook: figures carry plotly.js in their own output, so they also show in a
    notebook exported to static HTML (jupyter nbconvert --to html) and offline."""
    pio.renderers.default = "plotly_mimetype+notebook"


def _style(
    fig: go.Figure,
    title: str,
    df: pd.DataFrame | None = None,
    note: str = "",
    generated: int | None = None,
) -> go.Figure:
    """Title, the population and N under it, what the population leaves out, and — whenever
    generated example reports are in it — a watermark across the plot saying so and how many."""
    sub = []
    if df is not None and len(df):
        if "scope_label" in df:
            sub.append(str(df.scope_label.iloc[0]))
        if "reports" in df:
            sub.append(f"N = {int(df.reports.sum())} 份报告 / reports")
    if note:
        sub.append(note)
    if df is not None:
        from . import left_out_note

        if left_out_note(df):
            sub.append(left_out_note(df))
        if generated is None:
            generated = int(df.generated_reports.sum()) if "generated_reports" in df else 0
            generated = generated or int(df.attrs.get("generated_reports", 0))
    text = title + (f"<br><sup>{' · '.join(sub)}</sup>" if sub else "")
    fig.update_layout(
        title={"text": text, "x": 0.01},
        font_family=FONT,
        template="plotly_white",
        legend_title_text="",
        margin={"t": 110},
    )
    if generated:
        watermark(fig, generated)
    return fig


def watermark(fig: go.Figure, generated: int) -> None:
    """Across the plot, where no reader can miss it (a screenshot or PNG keeps it)."""
    fig.add_annotation(
        text=f"{WATERMARK}<br>{generated} 份生成的报告 / generated reports",
        xref="paper",
        yref="paper",
        x=0.5,
        y=0.5,
        showarrow=False,
        textangle=-20,
        font={"size": 30, "color": "rgba(200, 30, 30, 0.28)"},
        name="watermark",
    )


def _rate_axis(fig: go.Figure, metric: str, axis: str = "y") -> None:
    """A rate's axis: its name and definition, percentages from zero; a count's: integers."""
    update = fig.update_yaxes if axis == "y" else fig.update_xaxes
    if metric in RATES:
        title = f"{RATE_TITLES[metric]}<br><sub>{RATES[metric]}</sub>"
        update(
            tickformat=".0%" if metric in PERCENT else ".1f", rangemode="tozero", title_text=title
        )
    else:
        update(tickformat=",d", rangemode="tozero", title_text=COUNT_TITLES.get(metric, metric))


def _hover(df: pd.DataFrame, metric: str | None = None) -> list[str]:
    cols = [c for c in ("reports", "applications") if c in df]
    if metric and f"{metric}_num" in df:
        cols += [f"{metric}_num", f"{metric}_den"]
    return cols


def ranking(df: pd.DataFrame, metric: str = "grant_rate", top: int = 30) -> go.Figure:
    """Bars of one ranking (pipeline.analysis.rankings: one year, one level, one scope)."""
    d = df.dropna(subset=[metric]).sort_values(metric).tail(top).copy()
    d["label"] = (
        d["rank"].astype(str) + ". " + d.issuer + " (N=" + d["n"].astype("Int64").astype(str) + ")"
    )
    fig = px.bar(
        d,
        x=metric,
        y="label",
        orientation="h",
        hover_data=_hover(d, metric) + ["tied"],
        text=d[metric].map(lambda v: f"{v:.0%}" if metric in PERCENT else f"{v:.2f}"),
    )
    _rate_axis(fig, metric, "x")
    fig.update_yaxes(title_text="机关（N = 分母）/ body (N = denominator)")
    ranking_name = df.ranking.iloc[0] if "ranking" in df and len(df) else metric
    return _style(fig, f"排名 / Ranking: {RATE_TITLES.get(metric, metric)}", d, note=ranking_name)


def by_year(
    df: pd.DataFrame, metric: str, facet: str | None = "level", series: str | None = None
) -> go.Figure:
    """Small multiples: one panel per `facet`, the metric over the years; a missing year leaves
    a gap in the line instead of a line drawn across it."""
    d = _labelled(df.dropna(subset=[metric]), *(k for k in (facet, series) if k))
    keys = [k for k in (facet, series) if k and k in d]
    years = range(int(d.year.min()), int(d.year.max()) + 1) if len(d) else range(0)
    if keys:
        full = pd.MultiIndex.from_product(
            [sorted(d[k].dropna().unique()) for k in keys] + [years], names=keys + ["year"]
        )
        d = d.set_index(keys + ["year"]).reindex(full).reset_index()
    else:
        d = d.set_index("year").reindex(years).reset_index()
    faceted = bool(facet and facet in d)
    counts = metric not in RATES and "reports" in d
    if counts:
        # a count summed over a year's reports moves with who reported: N at every point
        n = d[f"{metric}_reports"] if f"{metric}_reports" in d else d["reports"]
        d["N"] = [f"N={int(v)}" if pd.notna(v) else "" for v in n]
    fig = px.line(
        d,
        x="year",
        y=metric,
        facet_col=facet if faceted else None,
        facet_col_wrap=3,
        facet_row_spacing=0.18,
        color=series if series in d else None,
        markers=True,
        text="N" if counts else None,
        hover_data=_hover(d, metric),
        labels={facet: ""} if faceted else None,
    )
    fig.update_traces(connectgaps=False)
    if counts:
        fig.update_traces(mode="lines+markers+text", textposition="top center")
    fig.update_xaxes(dtick=1, tickformat="d", title_text="")
    _rate_axis(fig, metric)
    if faceted:  # one axis title each way, not one per panel
        fig.for_each_annotation(lambda a: a.update(text=a.text.lstrip("=")))
        fig.update_yaxes(title_text="")
        fig.update_layout(yaxis_title_text=fig.layout.yaxis.title.text or "")
        _rate_axis(fig, metric)
        fig.update_yaxes(title_text="", selector=lambda ax: ax.anchor != "x")
        fig.add_annotation(text=YEAR, x=0.5, y=-0.12, xref="paper", yref="paper", showarrow=False)
    else:
        fig.update_xaxes(title_text=YEAR)
    return _style(
        fig, f"逐年 / By year: {RATE_TITLES.get(metric, COUNT_TITLES.get(metric, metric))}", df
    )


def outcome_bars(long: pd.DataFrame, x: str = "year") -> go.Figure:
    """Stacked outcome shares in the template's order (予以公开 … 其他处理), the share of all
    requests processed (三（七）总计)."""
    d = long.copy()
    d[x] = d[x].astype(str) if x in d else "all"
    order = [f"{zh} / {en}" for _, zh, en in OUTCOMES]
    d["outcome_label"] = d.label_zh + " / " + d.label_en
    fig = px.bar(
        d,
        x=x if x in long else None,
        y="share",
        color="outcome_label",
        category_orders={"outcome_label": order},
        hover_data=["count", "total_processed", "reports"],
        text=d["count"].map(lambda v: f"{int(v):,}" if pd.notna(v) and v else ""),
    )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(
        tickformat=".0%", range=[0, 1], title_text="占办理总数的比例 / share of requests processed"
    )
    fig.update_xaxes(title_text=YEAR if x == "year" else x, type="category")
    per_year = long.drop_duplicates(subset=[x] if x in long else None)
    return _style(fig, "办理结果构成 / Outcomes of requests processed", per_year)


def sankey(flows: pd.DataFrame, issuer: str = "", year: int | None = None) -> go.Figure:
    """Applicant type → outcome (→ carried forward) of one report, with the numbers on the nodes
    (and the watermark when the report is a generated example: sankey_flows says so)."""
    totals: dict[str, int] = {}
    for col in ("source", "target"):
        for name, v in flows.groupby(col)["value"].sum().items():
            totals[name] = max(totals.get(name, 0), int(v))
    nodes = list(dict.fromkeys([*flows.source, *flows.target]))
    idx = {n: i for i, n in enumerate(nodes)}
    fig = go.Figure(
        go.Sankey(
            node={"label": [f"{n} {totals.get(n, 0):,}" for n in nodes], "pad": 12},
            link={
                "source": flows.source.map(idx),
                "target": flows.target.map(idx),
                "value": flows.value,
                "hovertemplate": "%{source.label} → %{target.label}: %{value:,}<extra></extra>",
            },
        )
    )
    who = f"{issuer} {year}年 · " if issuer else ""
    return _style(
        fig,
        f"{who}申请人 → 办理结果 / applicant → outcome",
        note=f"{int(flows.value.sum()):,} 件 / requests",
        generated=int(flows.attrs.get("generated_reports", 0)),
    )


def volume_vs_litigation(df: pd.DataFrame) -> go.Figure:
    """One dot per body and year: applications received vs lawsuits per 100 applications."""
    metric = "litigation_per_100_applications"
    d = df.dropna(subset=["applications", metric])
    d = d[d.applications > 0]
    fig = px.scatter(
        d,
        x="applications",
        y=metric,
        hover_name="issuer" if "issuer" in d else None,
        hover_data=[c for c in ("year", "reports", f"{metric}_num", f"{metric}_den") if c in d],
        log_x=True,
    )
    fig.update_xaxes(
        title_text="收到申请（件，对数轴）/ applications received (log scale)", tickformat=",d"
    )
    _rate_axis(fig, metric)
    return _style(fig, "申请量与诉讼率 / Volume vs litigation rate", d)


def areas(df: pd.DataFrame, metric: str = "grant_rate") -> go.Figure:
    """Jurisdictions compared (pipeline.analysis.areas): aggregates and sums of agencies marked."""
    d = _labelled(df.dropna(subset=[metric]), "source")
    d["label"] = d.jurisdiction.fillna(d.place) + " " + d.year.astype(str)
    level = d.level.iloc[0] if len(d) else ""
    fig = px.bar(
        d,
        x=metric,
        y="label",
        orientation="h",
        color="source",
        hover_data=["coverage", "applications", f"{metric}_num", f"{metric}_den"],
        text=d.coverage,
    )
    _rate_axis(fig, metric, "x")
    fig.update_yaxes(title_text="地区与年份 / area and year")
    return _style(
        fig,
        f"地区比较 / Areas compared: {RATE_TITLES.get(metric, metric)}",
        d,
        note=f"{LABELS['level'].get(level, level)} · 汇总报告或各机关之和 / aggregate, else sum of agencies",
    )


def quality(df: pd.DataFrame) -> go.Figure:
    labels = {
        "ok": "完整 / complete",
        "partial": "不完整 / partial",
        "unread": "表格未读出 / a table unread",
        "without_numbers": "无数字 / no numbers read",
        "with_failed_checks": "校验未通过 / failed a check",
    }
    d = df.melt(id_vars=["year"], value_vars=list(labels), var_name="what", value_name="n")
    d["what"] = d.what.map(labels)
    fig = px.bar(d, x="year", y="n", color="what", barmode="group", text="n")
    fig.update_xaxes(title_text=YEAR, dtick=1, tickformat="d")
    fig.update_yaxes(title_text="报告（份）/ reports", tickformat=",d", rangemode="tozero")
    return _style(fig, "数据质量 / Data quality", df)


def long_series(df: pd.DataFrame, metric: str = "applications") -> go.Figure:
    """One measure 2008–2025 (pipeline.analysis.long_panel): one line per set of definitions, no
    line drawn across the 2019 break, a dashed rule and a note at the break, and the measure's
    `comparable` note under the title."""
    d = df.dropna(subset=[metric]).copy()
    years = range(int(d.year.min()), int(d.year.max()) + 1) if len(d) else range(0)
    fig = go.Figure()
    for definitions, part in d.groupby("definitions", sort=False):
        part = part.set_index("year").reindex(years).reset_index()  # a missing year is a gap
        reports = part.get(f"{metric}_reports", part.reports)
        fig.add_scatter(
            x=part.year,
            y=part[metric],
            mode="lines+markers",
            connectgaps=False,
            name=DEFINITIONS.get(str(definitions), str(definitions)),
            customdata=reports.to_numpy(),
            hovertemplate="%{x}: %{y}<br>N = %{customdata} 份报告<extra></extra>",
        )
    if len(d) and d.year.min() < BREAK_YEAR <= d.year.max():
        fig.add_vline(x=BREAK_YEAR - 0.5, line_dash="dash", line_color="grey")
        fig.add_annotation(
            x=BREAK_YEAR - 0.5,
            y=1.02,
            yref="paper",
            showarrow=False,
            xanchor="left",
            text="2019：统计口径变化 / definitions change",
        )
    fig.update_xaxes(dtick=1, tickformat="d", title_text=YEAR)
    _rate_axis(fig, metric)
    note = RATES.get(metric) if metric in RATES else PANEL_NOTES.get(metric, "")
    title = RATE_TITLES.get(metric, COUNT_TITLES.get(metric, metric))
    return _style(fig, f"2008–2025 长序列 / Long series: {title}", df, note=note)


# ---------------------------------------------------------------- compliance (analysis.compliance)
OUTCOME_COLOURS = {
    "reported": ("已公开 / reported", "#2a9d8f"),
    "not_found": ("未找到 / not found", "#e9c46a"),
    "unreachable": ("无法访问 / unreachable", "#f4a261"),
    "blocked": ("被拦截 / blocked (anti-bot)", "#e76f51"),
    "robots": ("robots.txt 禁止 / robots", "#9d4edd"),
    "not_crawled": ("未抓取 / not crawled", "#d9d9d9"),
}


def on_time_share(df: pd.DataFrame) -> go.Figure:
    """On-time share by year (a line per level), N (reports with a verdict) in every hover
    and as text; reports without a verdict are in the frame, not in the share."""
    d = _labelled(df.dropna(subset=["on_time_share"]), "level")
    color = "level" if "level" in d else None
    fig = px.line(
        d, x="year", y="on_time_share", color=color, markers=True, text="judged",
        hover_data=["judged", "on_time", "late", "unknown", "median_days_late"],
    )  # fmt: skip
    fig.update_traces(textposition="top center")
    fig.update_xaxes(title_text=YEAR, dtick=1, tickformat="d")
    fig.update_yaxes(
        title_text="按时公开的比例 / share published on time", tickformat=".0%", range=[0, 1.05]
    )
    unknown = int(df.unknown.sum()) if "unknown" in df else 0
    note = f"N = {int(df.judged.sum())} 份有结论的报告 / reports with a verdict"
    if unknown:
        note += f" · {unknown} 份无法判断 / without one (no date, or no deadline)"
    return _style(
        fig,
        "按期公开年报 / Annual reports published on time",
        note=note,
        generated=int(df.generated_reports.sum()) if "generated_reports" in df else 0,
    )


def coverage_heatmap(matrix: pd.DataFrame) -> go.Figure:
    """Bodies × years, each cell coloured by its outcome (reported, or why not)."""
    codes = list(OUTCOME_COLOURS)
    z = matrix.apply(lambda col: col.map(lambda v: codes.index(v) if v in codes else None))
    n = len(codes)
    scale = []
    for i, c in enumerate(codes):
        scale += [[i / n, OUTCOME_COLOURS[c][1]], [(i + 1) / n, OUTCOME_COLOURS[c][1]]]
    text = matrix.apply(lambda col: col.map(lambda v: OUTCOME_COLOURS.get(v, (v,))[0]))
    fig = go.Figure(
        go.Heatmap(
            z=z.values, x=[str(c) for c in matrix.columns], y=list(matrix.index),
            zmin=-0.5, zmax=n - 0.5, colorscale=scale, text=text.values,
            hovertemplate="%{y} · %{x}: %{text}<extra></extra>",
            colorbar={"tickvals": list(range(n)), "ticktext": [OUTCOME_COLOURS[c][0] for c in codes]},
        )
    )  # fmt: skip
    fig.update_xaxes(title_text=YEAR)
    fig.update_layout(height=max(350, 22 * len(matrix) + 150))
    return _style(
        fig,
        "谁发布了年报 / Who published a report, by year",
        note=f"N = {len(matrix)} 个来源 / registry sources",
    )


def publisher_error_rate(df: pd.DataFrame) -> go.Figure:
    """The share of reports whose own printed numbers break an identity, by year and level,
    N in the text of every bar."""
    d = _labelled(df, "level")
    fig = px.bar(
        d, x="year", y="publisher_error_rate", color="level" if "level" in d else None,
        barmode="group", text="reports",
        hover_data=["reports", "reports_with_publisher_errors", "publisher_errors"],
    )  # fmt: skip
    fig.update_xaxes(title_text=YEAR, dtick=1, tickformat="d")
    fig.update_yaxes(
        title_text="发布方自身计算错误的报告比例 / share of reports with a publisher error",
        tickformat=".0%",
        rangemode="tozero",
    )
    return _style(fig, "发布方的计算错误 / The publisher's own arithmetic errors", df)
