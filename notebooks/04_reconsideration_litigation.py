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
# # 04 Reconsideration and litigation
# Per 100 applications, and how often the body was corrected (corrected / decided cases). Each
# rate is summed over the reports that give both its numerator and its denominator.

# %%
from pipeline import analysis as an
from pipeline.analysis import charts

charts.notebook()
con = an.connect()
an.appeals(con, by=["year"], scope="jurisdiction")

# %%
charts.volume_vs_litigation(an.appeals(con, by=["issuer", "year"], scope="jurisdiction"))

# %% [markdown]
# Jurisdictions compared: an area's published aggregate, or where it publishes none the sum of its
# bodies' own reports — with how many of its bodies that sum covers. Areas of one level at a time
# (a prefecture is not set against counties).

# %%
areas = an.areas(con, year=2023, level="county")
areas[["jurisdiction", "year", "level", "source", "coverage", "applications", "grant_rate"]]

# %%
charts.areas(areas)
