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
# and year, agency reports only (aggregates are kept apart so nothing is counted twice). Each
# sum says how many reports gave that number: a blank is not a zero.

# %%
from pipeline import analysis as an
from pipeline.analysis import charts

charts.notebook()
con = an.connect()
G = {"include_generated": True}
vol = an.volumes(con, by=["level", "year"], **G)
vol[
    [
        "level",
        "year",
        "reports",
        "applications",
        "applications_reports",
        "licensing_decisions",
        "licensing_decisions_reports",
    ]
]

# %%
charts.by_year(vol, "applications", facet="level")

# %% [markdown]
# Year over year per body (a series is one issuing body, not one place):

# %%
an.year_over_year(con, metric="applications", **G).dropna(subset=["previous"]).head(20)
