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
# # 01 Quickstart — open the warehouse, one query, one chart
#
# `make ingest` builds `data/ogi.duckdb` from the bundled **real** reports and publishes a
# read-only snapshot in `data/snapshot/`; notebooks read the snapshot, so an open notebook never
# blocks the next ingest. Every report carries its publisher's (or archive's) URL
# (`documents.source_url`) and every number where it was printed (`facts`: page, table, row,
# column, line). The generated demo lives apart (`make demo`, `data/demo.duckdb`); its charts
# carry a watermark. Never cite it.

# %%
from pipeline import analysis as an
from pipeline.analysis import charts

charts.notebook()  # figures that also show in a notebook exported to static HTML
con = an.connect()
an.reports(con).groupby(["scope", "status"]).size()

# %% [markdown]
# One body's seven-year series — 平潭综合实验区, 2019–2025, as its portal published it — straight
# from the warehouse, with where each report came from:

# %%
con.sql("""SELECT a.year, a.new_received_total, a.carried_over_total, a.total_processed_total,
                  a.carried_forward_total, d.source_url
           FROM applications_wide a JOIN reports r USING (report_id) JOIN documents d USING (doc_id)
           WHERE a.issuer = '平潭综合实验区' AND a.year >= 2019 ORDER BY a.year""").df()

# %% [markdown]
# The founding example (`data/samples/luanhe-2023.txt`) is an example of **unverified
# provenance**: its place has no division code and its source was never recorded. Its numbers,
# and where each was printed:

# %%
con.sql("""SELECT row_label, col_label, value, line FROM facts f JOIN reports r USING (report_id)
           WHERE r.issuer LIKE '灤河%' AND f.table_name = 'applications' AND f.col_key = 'total'
           ORDER BY f.row_index""").df()

# %% [markdown]
# Outcomes by year, for area aggregates (a government reporting for its area) — every bar says
# how many reports stand behind it, and what the population leaves out:

# %%
charts.outcome_bars(an.outcomes(con, by=["year"], scope="jurisdiction"))

# %%
charts.by_year(
    an.rates(con, by=["year", "issuer"], scope="jurisdiction"),
    "grant_rate",
    facet=None,
    series="issuer",
)
