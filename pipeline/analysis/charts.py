"""Plotly charts over pipeline.analysis frames. Titles in Chinese with English alternatives.

Each function takes the tidy frame it draws (so a notebook can filter it first) and returns a
plotly Figure; nothing here queries the warehouse.
"""
from __future__ import annotations

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from . import OUTCOMES

FONT = "Noto Sans CJK SC, Noto Serif CJK SC, sans-serif"


def _style(fig: go.Figure, title: str) -> go.Figure:
    fig.update_layout(title=title, font_family=FONT, template="plotly_white", legend_title_text="")
    return fig


def ranking(df: pd.DataFrame, metric: str = "grant_rate_handled", label: str = "issuer", top: int = 30) -> go.Figure:
    d = df.dropna(subset=[metric]).sort_values(metric, ascending=True).tail(top)
    fig = px.bar(d, x=metric, y=label, orientation="h", hover_data=[c for c in ("handled", "reports", "year") if c in d])
    return _style(fig, f"排名 / Ranking: {metric}")


def by_year(df: pd.DataFrame, metric: str, facet: str | None = "level") -> go.Figure:
    """Small multiples: one panel per `facet`, the metric over the years."""
    fig = px.line(df.sort_values("year"), x="year", y=metric, facet_col=facet if facet in df else None,
                  facet_col_wrap=3, markers=True)
    return _style(fig, f"逐年 / By year: {metric}")


def outcome_bars(long: pd.DataFrame, x: str = "year") -> go.Figure:
    """Stacked outcome shares in the template's order (予以公开 … 其他处理)."""
    d = long.copy()
    d[x] = d[x].astype(str) if x in d else "all"
    order = [f"{zh} / {en}" for _, zh, en in OUTCOMES]
    d["outcome_label"] = d.label_zh + " / " + d.label_en
    fig = px.bar(d, x=x if x in long else None, y="share", color="outcome_label",
                 category_orders={"outcome_label": order}, hover_data=["count", "total_processed", "reports"])
    fig.update_layout(barmode="stack", yaxis_tickformat=".0%")
    return _style(fig, "办理结果构成 / Outcomes of requests handled")


def sankey(flows: pd.DataFrame, title: str = "") -> go.Figure:
    nodes = list(dict.fromkeys([*flows.source, *flows.target]))
    idx = {n: i for i, n in enumerate(nodes)}
    fig = go.Figure(go.Sankey(node={"label": nodes, "pad": 12},
                              link={"source": flows.source.map(idx), "target": flows.target.map(idx),
                                    "value": flows.value}))
    return _style(fig, title or "申请人 → 办理结果 → 结转 / Applicant → outcome → carried forward")


def volume_vs_litigation(df: pd.DataFrame) -> go.Figure:
    """One dot per body: applications received vs litigation per 100 applications."""
    fig = px.scatter(df, x="applications", y="litigation_per_100_applications", hover_name="issuer",
                     hover_data=[c for c in ("year", "reports", "litigation") if c in df], log_x=True)
    return _style(fig, "申请量与诉讼率 / Volume vs litigation rate")


def quality(df: pd.DataFrame) -> go.Figure:
    d = df.melt(id_vars=["year"], value_vars=["reports", "partial", "with_failed_checks"], var_name="what",
                value_name="n")
    labels = {"reports": "报告 / reports", "partial": "不完整 / partial", "with_failed_checks": "校验未通过 / failed a check"}
    d["what"] = d.what.map(labels)
    fig = px.bar(d, x="year", y="n", color="what", barmode="group")
    return _style(fig, "数据质量 / Data quality")
