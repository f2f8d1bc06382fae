"""The warehouse: views, idempotent re-ingest, versions, bulk load, metrics."""

import shutil

import duckdb
import pytest

from pipeline.api import ExtractHere, ingest
from pipeline.errors import WarehouseUnavailable
from pipeline.store import Warehouse
from tests.corpus import SAMPLES
from tests.corpus.synth import PANEL_DIR, SAMPLES_DIR
from tests.corpus.synth_legacy import narrative_report

CORPUS = SAMPLES
# The documents these tests were written on: the founding example, the real excerpts, the
# demo's generated pages and panel (76 documents; the real pages are tested on their own).
MIXED = [CORPUS / "luanhe-2023.txt", CORPUS / "real", SAMPLES_DIR, PANEL_DIR]


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "ogi.duckdb"
    summary = ingest(MIXED, db=path)
    assert summary.exit_code == 0
    return path


def q(db, sql):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql).fetchall()
    finally:
        con.close()


def test_views_exist(db):
    names = {r[0] for r in q(db, "SELECT view_name FROM duckdb_views() WHERE NOT internal")}
    assert {
        "documents",
        "crawl_outcomes",
        "reports",
        "facts",
        "checks",
        "sections",
        "applications_wide",
        "appeals_wide",
        "proactive_wide",
        "metrics",
        "extraction_errors",
    } <= names


def test_luanhe_in_applications_wide(db):
    row = q(
        db,
        """SELECT new_received_total, total_processed_total, carried_forward_total, other_total, format
                   FROM applications_wide WHERE issuer = '灤河回族区人民政府' AND year = 2023""",
    )
    assert row == [(78, 71, 7, 11, "2021")]


def test_facts_keep_raw_text_and_exact_decimals(db):
    rows = q(
        db,
        """SELECT f.value, f.raw_text FROM facts f JOIN reports r USING (report_id)
                    WHERE r.issuer = '灤河回族区人民政府' AND f.row_key = 'fees'""",
    )
    assert [(str(v), t) for v, t in rows] == [("621.952000", "621.952")]  # DECIMAL(18,6): exact
    assert (
        q(db, "SELECT fees_amount FROM proactive_wide WHERE issuer = '灤河回族区人民政府'")[0][0]
        * 1000
        == 621952
    )


def test_every_report_row_has_provenance(db):
    rows = q(
        db, "SELECT r.report_id, d.path, d.bytes FROM reports r JOIN documents d USING (doc_id)"
    )
    assert len(rows) == 76 and all(p and b > 0 for _, p, b in rows)


def test_metrics(db):
    m = q(
        db,
        """SELECT applications, grant_rate, disclosure_rate, denial_rate, not_held_rate,
                        reconsideration_per_100_applications, litigation_per_100_applications,
                        reconsideration_correction_rate, litigation_correction_rate
                 FROM metrics WHERE issuer = '灤河回族区人民政府'""",
    )[0]
    assert m[0] == 78
    assert m[1] == pytest.approx(43 / 71) and m[2] == pytest.approx(43 / 71)
    assert m[3] == 0 and m[4] == pytest.approx(17 / 71)
    assert m[5] == pytest.approx(100 / 78) and m[6] == pytest.approx(100 / 78)
    assert m[7] == 1.0 and m[8] == 0.0


def test_rates_are_null_when_the_denominator_is_zero(tmp_path):
    # 上海市人民政府参事室 prints no table 三: no denominator, no rate.
    db = tmp_path / "x.duckdb"
    ingest([CORPUS / "real" / "018_shanghai_canshishi_2022.txt"], db=db)
    assert q(
        db, "SELECT applications, grant_rate, litigation_per_100_applications FROM metrics"
    ) == [(None, None, None)]


def test_failed_checks_are_loaded_and_flagged(db):
    rows = q(
        db,
        """SELECT c.check_id, c.expected, c.actual FROM checks c JOIN reports r USING (report_id)
                    WHERE NOT c.ok ORDER BY c.detail""",
    )
    assert [(i, int(e), int(a)) for i, e, a in rows] == [
        ("applications.balance", 47, 48),
        ("applications.balance", 49, 50),
    ]
    assert q(
        db, "SELECT carried_forward_total FROM applications_wide WHERE issuer LIKE '红叶县%'"
    ) == [(6,)]


def test_reingest_changes_nothing(db):
    before = q(db, "SELECT count(*), max(ingested_at) FROM reports") + q(
        db, "SELECT count(*) FROM facts"
    )
    summary = ingest(MIXED, db=db)
    assert summary.unchanged == summary.documents == 76 and summary.reports == 0
    after = q(db, "SELECT count(*), max(ingested_at) FROM reports") + q(
        db, "SELECT count(*) FROM facts"
    )
    assert before == after


def test_new_version_is_kept_and_marked_current(db, tmp_path):
    old = (CORPUS / "luanhe-2023.txt").read_text()
    fixed = old.replace("行政处罚\t399", "行政处罚\t401")
    path = tmp_path / "luanhe-2023-corrected.txt"
    path.write_text(fixed)
    ingest([path], db=db)
    rows = q(
        db,
        """SELECT w.penalty_decisions, r.is_current FROM reports r JOIN proactive_wide w USING (report_id)
                    WHERE r.issuer_key = '滦河区' AND r.year = 2023 ORDER BY r.ingested_at""",
    )
    assert rows == [(399, False), (401, True)]


def test_same_bytes_under_two_paths_load_once(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    shutil.copy(CORPUS / "luanhe-2023.txt", a)
    shutil.copy(CORPUS / "luanhe-2023.txt", b)
    summary = ingest([a, b], db=tmp_path / "w.duckdb")
    assert summary.reports == 1 and summary.repeated == 1 and summary.unchanged == 0


def test_a_failing_load_rolls_back_only_itself(tmp_path, monkeypatch):
    from pipeline import store

    db = tmp_path / "w.duckdb"
    real_rows = store.batch_tables

    def poisoned(batch, *args):
        tables = real_rows(batch, *args)
        if any("luanhe" in d.url for d, _ in batch) and len(batch) > 1:
            raise duckdb.ConversionException("simulated failure in a batch")
        if any("luanhe" in d.url for d, _ in batch):
            raise duckdb.ConversionException("simulated failure of this report")
        return tables

    monkeypatch.setattr(store, "batch_tables", poisoned)
    summary = ingest([CORPUS / "luanhe-2023.txt", SAMPLES_DIR], db=db)
    assert [s for s, _ in summary.errors] == [str(CORPUS / "luanhe-2023.txt")]
    assert q(db, "SELECT count(*) FROM reports") == [(5,)]
    assert q(db, "SELECT count(*) FROM reports WHERE issuer LIKE '灤%'") == [(0,)]


def test_open_database_lock_is_explained(db):
    holder = duckdb.connect(str(db))
    try:
        with pytest.raises(WarehouseUnavailable, match="open in another process"):
            import multiprocessing as mp

            ctx = mp.get_context("spawn")
            with ctx.Pool(1) as pool:
                pool.apply(_open, (str(db),))
    finally:
        holder.close()


def _open(path):
    Warehouse(path).close()


def test_reports_without_numbers_say_why(db, tmp_path):
    rows = dict(q(db, "SELECT status, count(*) FROM reports GROUP BY status"))
    # the seven reports without the mandated tables (2012–2018 and one 2020 body that ignored
    # the format) are read through their 统计表 or prose: numbers in the legacy table
    assert rows == {"ok": 71, "partial": 5}
    assert q(
        db,
        """SELECT format, count(DISTINCT r.report_id) FROM reports r JOIN facts f USING (report_id)
                    WHERE f.table_name = 'legacy' GROUP BY format ORDER BY format""",
    ) == [("pre2019", 6), ("unknown", 1)]
    # every report either has numbers or a status that says it has none
    assert q(
        db,
        """SELECT count(*) FROM reports r WHERE status IN ('ok', 'partial')
                    AND NOT EXISTS (SELECT 1 FROM facts f WHERE f.report_id = r.report_id)""",
    ) == [(0,)]
    # a report that states no figure at all says so, by its year
    corpus = tmp_path / "narrative"
    corpus.mkdir()
    for year in (2012, 2020):
        (corpus / f"{year}.txt").write_text(
            narrative_report("青杉市人民政府", year), encoding="utf-8"
        )
    other = tmp_path / "narrative.duckdb"
    assert ingest([corpus], db=other).exit_code == 0
    assert q(other, "SELECT year, format, status FROM reports ORDER BY year") == [
        (2012, "pre2019", "pre2019"),
        (2020, "unknown", "no_tables"),
    ]
    assert q(other, "SELECT count(*) FROM facts") == [(0,)]


def test_snapshot_is_not_copied_again_when_nothing_changed(tmp_path):
    db = tmp_path / "ogi.duckdb"
    real = SAMPLES / "real"
    ingest([real / "010_pingtanxian_2012.txt"], db=db, publish=True)
    snap = tmp_path / "snapshot" / "ogi.duckdb"
    first = snap.stat().st_mtime_ns
    assert q(snap, "SELECT count(*) FROM reports") == [(1,)]
    again = ingest([real / "010_pingtanxian_2012.txt"], db=db, publish=True)
    assert (
        again.unchanged == 1 and snap.stat().st_mtime_ns == first
    )  # an ingest that adds nothing copies nothing
    ingest([real / "009_pingtan_2018.txt"], db=db, publish=True)
    assert q(snap, "SELECT count(*) FROM reports") == [(2,)]


def test_a_large_warehouse_is_not_copied_where_blocks_cannot_be_shared(tmp_path):
    from pipeline.run.publish import publish_snapshot

    db = tmp_path / "ogi.duckdb"
    ingest([SAMPLES / "real" / "010_pingtanxian_2012.txt"], db=db)
    snap = tmp_path / "snapshot" / "ogi.duckdb"
    snap.parent.mkdir()
    snap.write_bytes(b"stale")
    out = publish_snapshot(db, snap, copy_max_mb=0)
    if out is None:  # no reflink on this filesystem: no copy, and no stale snapshot left to mislead
        assert not snap.exists()
    else:  # the filesystem shares blocks: a reflinked copy costs nothing
        assert q(snap, "SELECT count(*) FROM reports") == [(1,)]


def test_checks_across_years_on_the_bundled_series(db):
    # the generated panel's bodies carry their numbers from year to year: every check holds
    got = dict(
        ((c, ok), n)
        for c, ok, n in q(db, "SELECT check_id, ok, count(*) FROM cross_checks GROUP BY ALL")
    )
    assert got == {
        ("aggregate_vs_agency", True): 7,
        ("cross_year.carry", True): 329,
        ("proactive.stock_flow", True): 58,
    }
    assert q(
        db,
        """SELECT detail FROM cross_checks WHERE check_id = 'proactive.stock_flow' AND issuer = '白沙县人民政府'
                    AND year = 2022 ORDER BY detail""",
    )[0][0].startswith("normative_documents: in_force 2021 46 + issued 5")


def test_checks_name_the_report_the_issuer_and_the_other_report(db):
    # a check across years, as `checks` gives it: its report's issuer and year, the other report's id
    rows = q(
        db,
        """SELECT c.issuer, c.year, c.detail, x.other_report_id, o.year
                    FROM checks c JOIN cross_checks x USING (report_id, check_id)
                    JOIN reports o ON o.report_id = x.other_report_id
                    WHERE c.check_id = 'cross_year.carry' AND c.issuer = '白沙县人民政府' AND c.year = 2022""",
    )
    assert rows and all(
        issuer == "白沙县人民政府" and year == 2022 and other_year == 2021
        for issuer, year, *_, other_year in rows
    )
    # `checks` appends the other report's id to the detail of every check across reports
    suffixed = q(
        db,
        """SELECT count(*) FROM checks c JOIN cross_checks x USING (report_id, check_id)
                        WHERE c.detail = x.detail || ' [other report ' || x.other_report_id || ']'""",
    )
    assert suffixed == q(db, "SELECT count(*) FROM cross_checks")
    # a check within one report has no other report: its detail stays as the check wrote it
    assert q(
        db,
        """SELECT count(*) FROM checks WHERE check_id = 'applications.balance' AND detail LIKE '%[other report%'""",
    ) == [(0,)]
    assert q(
        db, "SELECT count(*) FROM checks WHERE issuer IS NULL AND check_id = 'applications.balance'"
    ) == [(0,)]


def test_a_schema_8_warehouse_is_upgraded_in_place(db):
    # what schema 8 stored: cross checks knew the other report by number only; no archive URL,
    # no place of a fact on the page, no `generated` in the wide tables and metrics
    con = duckdb.connect(str(db))
    expected = con.execute(
        "SELECT report_no, check_id, detail, other_report_id FROM cross_check ORDER BY ALL"
    ).fetchall()
    wide = con.execute(
        "SELECT * EXCLUDE (generated) FROM w_applications ORDER BY report_no"
    ).fetchall()
    metrics = con.execute("SELECT report_id, grant_rate FROM m_metrics ORDER BY ALL").fetchall()
    con.execute("ALTER TABLE cross_check DROP COLUMN other_report_id")
    con.execute("ALTER TABLE doc DROP COLUMN archive_url")
    for column in ("row_label", "col_label", "table_index", "row_index", "line"):
        con.execute(f"ALTER TABLE fact DROP COLUMN {column}")
    for table in ("w_applications", "w_appeals", "w_proactive", "m_metrics"):
        con.execute(f"ALTER TABLE {table} DROP COLUMN generated")
    for column in ("url_date", "pdf_date", "crawl_date"):  # (schema 11's)
        con.execute(f"ALTER TABLE report DROP COLUMN {column}")
    con.execute("ALTER TABLE check_result DROP COLUMN blame")
    con.execute("UPDATE meta SET value = '8' WHERE key = 'schema_version'")
    con.close()
    with Warehouse(db) as wh:
        version = wh.con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        got = wh.con.execute(
            "SELECT report_no, check_id, detail, other_report_id FROM cross_check ORDER BY ALL"
        ).fetchall()
        wide_after = wh.con.execute(
            "SELECT * EXCLUDE (generated) FROM w_applications ORDER BY report_no"
        ).fetchall()
        generated = wh.con.execute(
            "SELECT count(*) FILTER (WHERE generated) FROM applications_wide"
        ).fetchone()
        metrics_after = wh.con.execute(
            "SELECT report_id, grant_rate FROM metrics ORDER BY ALL"
        ).fetchall()
        # schema 11's columns are there (empty until the next ingest re-extracts), and its views
        judged = wh.con.execute("SELECT count(*), count(pdf_date) FROM report").fetchone()
        quality = wh.con.execute("SELECT count(*) FROM reporting_quality").fetchone()
    assert version == ("11",)
    assert judged[0] > 0 and judged[1] == 0 and quality[0] == judged[0]
    assert got == expected and len(got) == 394 and all(row[3] for row in got)
    # the tables kept at load are rebuilt from the facts, the same rows with `generated` added
    assert wide_after == wide and metrics_after == metrics and generated == (63,)


def test_pipelined_ingest_across_chunks(tmp_path, monkeypatch):
    """Chunk k+1 goes to the workers before chunk k loads: with chunks of two, the same bytes in
    two chunks are loaded once, every URL is linked, and the warehouse equals a one-chunk run."""
    from pipeline import settings

    corpus = tmp_path / "c"
    corpus.mkdir()
    real = SAMPLES / "real"
    names = [
        "009_pingtan_2018.txt",
        "010_pingtanxian_2012.txt",
        "012_zhengzhou_zhongyuanqu_shenjiju_2015.txt",
        "013_tunchang_xianbumen_2015.txt",
        "018_shanghai_canshishi_2022.txt",
    ]
    for n in names:
        shutil.copy(real / n, corpus / n)
    shutil.copy(real / names[0], corpus / "zz-copy-of-009.txt")  # the same bytes, in the last chunk
    monkeypatch.setattr(settings, "PIPELINE_CHUNK", 2)
    small = ingest([corpus], db=tmp_path / "small.duckdb", extraction=ExtractHere(workers=2))
    assert (small.documents, small.repeated, small.reports, small.exit_code) == (6, 1, 5, 0)
    monkeypatch.setattr(settings, "PIPELINE_CHUNK", 100)
    whole = ingest([corpus], db=tmp_path / "whole.duckdb", extraction=ExtractHere(workers=2))
    assert (whole.documents, whole.repeated, whole.reports) == (6, 1, 5)
    sql = (
        "SELECT report_id, status, (SELECT count(*) FROM facts f WHERE f.report_id = r.report_id) "
        "FROM reports r ORDER BY 1"
    )
    assert q(tmp_path / "small.duckdb", sql) == q(tmp_path / "whole.duckdb", sql)
    assert q(tmp_path / "small.duckdb", "SELECT count(*) FROM document_urls") == [(6,)]


def test_every_metric_follows_its_definition_where_no_two_rates_coincide(tmp_path):
    """Each rate of `metrics` against its definition (report-format.md), on a report whose every
    operand is non-zero and different, so a wrong operand or sign cannot go unseen."""
    import random

    from tests.corpus.synth import random_spec, write_html

    spec = random_spec(random.Random(11), 1, fmt="2021")
    apps = spec.applications
    picked = {
        "granted": [30, 2, 1, 0, 0, 1],
        "partially_granted": [7, 1, 0, 0, 1, 0],
        "denied_state_secret": [2, 0, 0, 0, 0, 0],
        "denied_process": [3, 1, 0, 0, 0, 0],
        "unavailable_not_held": [11, 0, 1, 0, 0, 0],
    }
    for row in apps:
        if row not in ("new_received", "carried_over", "total_processed", "carried_forward"):
            apps[row] = picked.get(row, [0] * 6)
    processed = [sum(apps[r][c] for r in picked) for c in range(6)]
    apps["total_processed"] = processed
    apps["carried_over"] = [4, 0, 0, 0, 0, 0]
    apps["carried_forward"] = [6, 1, 0, 0, 0, 0]
    apps["new_received"] = [
        p + f - o for p, f, o in zip(processed, apps["carried_forward"], apps["carried_over"])
    ]
    spec.narrative_apps = sum(apps["new_received"])
    # reconsideration 2/1/0/1 of 4; direct suits 1/1/0/1 of 3; suits after reconsideration 2/0/1/0 of 3
    spec.appeals = [2, 1, 0, 1, 4, 1, 1, 0, 1, 3, 2, 0, 1, 0, 3]
    write_html(spec, tmp_path / "r.html")
    db = tmp_path / "w.duckdb"
    ingest([tmp_path / "r.html"], db=db)

    total = lambda row: sum(apps[row])  # noqa: E731
    granted, partial = total("granted"), total("partially_granted")
    denied, not_held = (
        total("denied_state_secret") + total("denied_process"),
        total("unavailable_not_held"),
    )
    done, received = sum(processed), total("new_received")
    decided = granted + partial + denied
    expected = {
        "applications": received,
        "total_processed": done,
        "decided": decided,
        "grant_rate": granted / done,
        "grant_rate_decided": granted / decided,
        "disclosure_rate": (granted + partial) / done,
        "denial_rate": denied / done,
        "denial_rate_decided": denied / decided,
        "not_held_rate": not_held / done,
        "reconsideration_per_100_applications": 100 * 4 / received,
        "litigation_per_100_applications": 100 * (3 + 3) / received,
        "reconsideration_correction_rate": 1 / (4 - 1),
        "litigation_correction_rate": (1 + 0) / ((3 - 1) + (3 - 0)),
    }
    assert len(set(expected.values())) == len(expected)  # no two coincide
    got = dict(zip(expected, q(db, f"SELECT {', '.join(expected)} FROM metrics")[0]))
    assert got == pytest.approx(expected)


def test_the_version_published_last_is_current_whatever_order_they_were_loaded_in(tmp_path):
    """A correction published on 20 March, loaded before the original of 15 January, is still
    the current version; the original stays, not current."""
    import dataclasses

    from tests.corpus.synth import sample_specs, write_html

    spec = sample_specs()["baiyunwan-2023-trs.html"]
    corrected = dataclasses.replace(
        spec, published="2024-03-20", narrative_apps=spec.narrative_apps
    )
    corrected.proactive = {k: dict(v) for k, v in spec.proactive.items()}
    corrected.proactive["penalty"]["decisions"] += 1
    write_html(corrected, tmp_path / "corrected.html")
    write_html(dataclasses.replace(spec, published="2024-01-15"), tmp_path / "original.html")
    db = tmp_path / "w.duckdb"
    ingest([tmp_path / "corrected.html"], db=db)
    ingest([tmp_path / "original.html"], db=db)
    rows = q(
        db,
        """SELECT r.published_on, r.is_current, w.penalty_decisions
           FROM reports r JOIN proactive_wide w USING (report_id) ORDER BY r.published_on""",
    )
    penalty = spec.proactive["penalty"]["decisions"]
    assert [(str(d), cur, n) for d, cur, n in rows] == [
        ("2024-01-15", False, penalty),
        ("2024-03-20", True, penalty + 1),
    ]
