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
# Reports cut off, reports from which no number could be read (2008–2018 prose, no mandated
# tables), identities broken, checks across years. A report that breaks an identity is loaded and
# flagged, never corrected: look before you cite.

# %%
from pipeline import analysis as an
from pipeline.analysis import charts

charts.notebook()
con = an.connect()
q = an.quality(con)
charts.quality(q)

# %%
con.sql("SELECT status, count(*) AS reports FROM reports GROUP BY status ORDER BY status").df()

# %%
con.sql("SELECT check_id, count(*) AS failures FROM checks WHERE NOT ok GROUP BY check_id").df()

# %%
con.sql("SELECT * FROM cross_checks WHERE NOT ok").df()
