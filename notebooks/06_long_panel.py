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
# # 06 The long panel, 2008–2025
# The regulations took effect in 2008, the mandated tables only in 2019. Reports of 2008–2018 are
# read through their 政府信息公开情况统计表 and the figures their prose states (the `legacy` table);
# the view `panel` puts both on the few measures whose definitions align. Where they differ, the
# `<measure>_comparable` note says how, and the charts draw the 2019 break instead of a line
# across it (docs/panel.md). The bundled 平潭 reports run from 2012 to 2025.

# %%
from pipeline import analysis as an
from pipeline.analysis import charts

charts.notebook()
con = an.connect()
long = an.long_panel(con, scope="jurisdiction")
long[
    [
        "year",
        "definitions",
        "reports",
        "applications",
        "applications_reports",
        "granted",
        "grant_rate_decided",
        "reconsideration",
        "litigation",
    ]
]

# %%
charts.long_series(long, "applications")

# %% [markdown]
# Granted over decided requests (granted + partially granted + denied). Before 2019 these are
# replies (申请答复数), after 2019 outcomes of the requests processed in the year:

# %%
print(long.granted_comparable.iloc[0])
charts.long_series(long, "grant_rate_decided")

# %%
charts.long_series(long, "reconsideration")

# %% [markdown]
# Every 2008–2018 figure, with the table cell or the sentence it came from:

# %%
con.sql(
    "SELECT issuer, year, indicator, value, raw_text FROM legacy WHERE NOT cumulative "
    "ORDER BY year, issuer, indicator LIMIT 30"
).df()
