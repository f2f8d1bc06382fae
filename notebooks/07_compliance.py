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
# # 07 Compliance: on time, who is missing, the publisher's own errors
# Three questions the tables themselves do not answer, from the views `timeliness`, `coverage`
# and `reporting_quality` (README, "What no one else measures"):
#
# * **On time?** Each report's publication date is weighed from the page, its URL, the PDF's
#   metadata and the crawl (a date before the year ended is impossible and passed over), and set
#   against the deadline of the rule in force: 2008 条例 第三十一条 (31 March) for 2008–2018;
#   2019 条例 第四十九条 — departments 31 January, governments 31 March, no date for townships.
# * **Who is missing?** Every registry source and year: reported, or why not.
# * **Whose error?** A failed identity among printed cells all read with full confidence is the
#   publisher's own arithmetic; anything else is a doubt about our reading.

# %%
from pipeline import analysis as an
from pipeline.analysis import charts, compliance

charts.notebook()
con = an.connect()
on_time = compliance.on_time(con, by=["level", "year"])
on_time

# %%
charts.on_time_share(on_time)

# %% [markdown]
# Every report's verdict, with the date used, where it came from and the rule:

# %%
con.sql(
    "SELECT issuer, year, published_on, published_from, deadline, days_late, verdict, reason "
    "FROM timeliness WHERE NOT generated ORDER BY issuer, year"
).df()

# %% [markdown]
# Who published a report for which year. Each cell is the registry source's outcome for that year
# (`coverage`; the evidence — a URL, or the crawl's detail — is in the view):

# %%
charts.coverage_heatmap(compliance.coverage_matrix(con))

# %%
compliance.coverage_summary(con)

# %% [markdown]
# The publisher's own errors, by level and year, with N:

# %%
errors = compliance.publisher_errors(con, by=["level", "year"])
charts.publisher_error_rate(errors)

# %%
con.sql(
    "SELECT issuer, year, checks_total, checks_failed, publisher_errors, reading_doubts, verdict "
    "FROM reporting_quality WHERE verdict <> 'clean' ORDER BY issuer, year"
).df()
