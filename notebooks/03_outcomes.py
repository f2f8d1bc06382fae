# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 03 Outcomes — granted, partial, denied by reason, unavailable, not processed
# Two grant rates, as UK FOI statistics give them: over all requests handled, and over requests
# that reached a decision. Numerators and denominators are summed, never rates averaged.

# %%
from pipeline import analysis as an
from pipeline.analysis import charts

con = an.connect()
an.rates(con, by=["year"])[["year", "reports", "granted", "handled", "decided", "grant_rate_handled", "grant_rate_decided"]]

# %%
charts.outcome_bars(an.outcomes(con, by=["year"]))

# %%
rank = an.rankings(con, metric="grant_rate_handled")
charts.ranking(rank)

# %%
largest = an.volumes(con, by=["issuer", "year"]).dropna(subset=["applications"]).sort_values("applications").iloc[-1]
rid = an.reports(con).query("issuer == @largest.issuer and year == @largest.year").report_id.iloc[0]
charts.sankey(an.sankey_flows(con, rid))
