# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
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
G = {"include_generated": True}
an.appeals(con, by=["year"], **G)

# %%
charts.volume_vs_litigation(an.appeals(con, by=["issuer", "year"], **G))

# %% [markdown]
# Jurisdictions compared: an area's published aggregate, or where it publishes none the sum of its
# bodies' own reports — with how many of its bodies that sum covers.

# %%
areas = an.areas(con, **G)
areas[
    [
        "jurisdiction",
        "year",
        "source",
        "coverage",
        "applications",
        "grant_rate",
        "litigation_per_100_applications",
    ]
]

# %%
charts.areas(areas[areas.year == areas.year.max()])
