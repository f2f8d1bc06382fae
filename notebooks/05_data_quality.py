# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
# ---

# %% [markdown]
# # 05 Data quality — what to trust before citing a number
# Reports cut off, identities broken, checks across years. A report that breaks an identity is
# loaded and flagged, never corrected: look before you cite.

# %%
from pipeline import analysis as an
from pipeline.analysis import charts

con = an.connect()
q = an.quality(con)
charts.quality(q)

# %%
con.sql("SELECT check_id, count(*) AS failures FROM checks WHERE NOT ok GROUP BY check_id").df()

# %%
con.sql("SELECT * FROM cross_checks WHERE NOT ok").df()
