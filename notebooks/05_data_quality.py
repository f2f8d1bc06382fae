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

# %% [markdown]
# Every failed check, with the report's URL: 洪泽区 2023 printed its appeals totals as 0 under
# non-zero parts — a publisher's error, kept as printed and flagged.

# %%
con.sql("""SELECT c.issuer, c.year, c.check_id, c.expected, c.actual, d.source_url
           FROM checks c JOIN reports r USING (report_id) JOIN documents d USING (doc_id)
           WHERE NOT c.ok ORDER BY c.issuer, c.year""").df()

# %%
con.sql("SELECT * FROM cross_checks WHERE NOT ok").df()
