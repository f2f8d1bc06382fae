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
# # 02 Disclosure volumes
# Applications received, normative documents issued, licensing and penalty decisions — by level
# and year, each population apart (an agency's own report, an area's aggregate: summing both
# counts twice). Each sum says how many reports gave that number: a blank is not a zero. A count
# summed over a year moves with who reported: every point shows its N, and `balanced=True`
# keeps only the bodies present in every year of the range.

# %%
from pipeline import analysis as an
from pipeline.analysis import charts

charts.notebook()
con = an.connect()
vol = an.volumes(con, by=["level", "year"], scope="jurisdiction")
print(an.left_out_note(vol))
vol[["level", "year", "reports", "applications", "applications_reports", "licensing_decisions"]]

# %%
charts.by_year(vol, "applications", facet="level")

# %% [markdown]
# The balanced panel: the bodies that reported in every year of the range.

# %%
balanced = an.volumes(con, by=["year"], scope="jurisdiction", balanced=True)
balanced[["year", "reports", "applications"]]

# %% [markdown]
# Year over year per body (a series is one issuing body, not one place):

# %%
an.year_over_year(con, metric="applications", scope="jurisdiction").dropna(
    subset=["previous"]
).head(20)
