# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
# ---

# %% [markdown]
# # 03 Outcomes — granted, partial, denied by reason, unavailable, not processed
# Two grant rates, as UK FOI statistics give them: `grant_rate` over all requests processed,
# `grant_rate_decided` over requests that reached a decision (granted, partially granted or
# denied). Numerators and denominators are summed over the reports that give both — never rates
# averaged — and each rate says over how many reports.

# %%
from pipeline import analysis as an
from pipeline.analysis import charts

charts.notebook()
con = an.connect()
r = an.rates(con, by=["year"], scope="jurisdiction")
print(an.left_out_note(r))
r[
    [
        "year",
        "reports",
        "grant_rate_num",
        "grant_rate_den",
        "grant_rate",
        "grant_rate_decided_den",
        "grant_rate_decided",
    ]
]

# %%
charts.outcome_bars(an.outcomes(con, by=["year"], scope="jurisdiction"))

# %% [markdown]
# Rankings compare like with like: one year, one level, one scope, at least 20 applications behind
# each rate (`min_applications`); ties share a rank. The bundled corpus has too few bodies of
# one level in one year to rank: the ranking is empty rather than a ranking of one.

# %%
rank = an.rankings(con, metric="grant_rate")
charts.ranking(rank) if len(rank) >= 3 else rank

# %%
largest = (
    an.volumes(con, by=["issuer", "year"], scope="jurisdiction")
    .dropna(subset=["applications"])
    .sort_values("applications")
    .iloc[-1]
)
rid = an.reports(con).query("issuer == @largest.issuer and year == @largest.year").report_id.iloc[0]
charts.sankey(an.sankey_flows(con, rid), largest.issuer, int(largest.year))
