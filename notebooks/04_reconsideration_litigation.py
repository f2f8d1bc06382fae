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
# Per 100 applications, and how often the body was corrected (corrected / decided cases).

# %%
from pipeline import analysis as an
from pipeline.analysis import charts

con = an.connect()
an.appeals(con, by=["year"])

# %%
charts.volume_vs_litigation(an.appeals(con, by=["issuer", "year"]))
