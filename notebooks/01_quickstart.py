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
#
# The bundled corpus is a handful of real reports (`data/samples/real`, the founding example
# `luanhe-2023.txt`) and a **generated example panel** (`data/samples/generated`: one fictional
# city's government, six departments and two counties, 2019–2024). Generated reports are marked
# (`reports.generated`) and every analysis function leaves them out unless asked —
# `include_generated=True` below — and then says so in each chart's title. Never cite them.

# %%
from pipeline import analysis as an
from pipeline.analysis import charts

charts.notebook()  # figures that also show in a notebook exported to static HTML
con = an.connect()
G = {"include_generated": True}  # this walkthrough shows the generated panel too
an.reports(con).groupby(["generated", "status"]).size()

# %% [markdown]
# The founding example, a real report, straight from the warehouse:

# %%
con.sql("""SELECT issuer, year, new_received_total, total_processed_total, carried_forward_total
           FROM applications_wide WHERE issuer LIKE '灤河%'""").df()

# %% [markdown]
# Outcomes by year: every bar says how many reports stand behind it (title and hover).

# %%
charts.outcome_bars(an.outcomes(con, by=["year"], **G))

# %%
charts.by_year(an.rates(con, by=["year", "issuer"], **G), "grant_rate", facet=None, series="issuer")
