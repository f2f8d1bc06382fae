# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 01 Quickstart — open the warehouse, one query, one chart
#
# `make ingest` builds `data/ogi.duckdb` and publishes a read-only snapshot in `data/snapshot/`;
# notebooks read the snapshot, so an open notebook never blocks the next ingest.

# %%
from pipeline import analysis as an
from pipeline.analysis import charts

con = an.connect()
an.reports(con).head(10)

# %%
con.sql("""SELECT issuer, year, new_received_total, total_processed_total, carried_forward_total
           FROM applications_wide WHERE issuer LIKE '灤河%'""").df()

# %%
charts.outcome_bars(an.outcomes(con, by=["year"]))
