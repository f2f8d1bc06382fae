# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 02 Disclosure volumes
# Applications received, normative documents issued, licensing and penalty decisions — by level
# and year, agency reports only (aggregates are kept apart so nothing is counted twice).

# %%
from pipeline import analysis as an
from pipeline.analysis import charts

con = an.connect()
vol = an.volumes(con, by=["level", "year"])
vol

# %%
charts.by_year(vol, "applications", facet="level")

# %%
an.year_over_year(con, metric="applications").dropna(subset=["previous"])
