"""`ogi discover`: registry rows for the bodies a portal lists (loopback portals as virtual hosts)."""

import csv
import os
import subprocess
import sys

from crawlers.bodies import listed_bodies
from crawlers.registry import load
from crawlers.run import discover
from tests.corpus.sites import build_hierarchy

FAST = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "LOG_LEVEL": "ERROR",
    "DOWNLOAD_TIMEOUT": 5,
}


def test_a_province_lists_governments_in_a_select_and_departments_in_a_block(tmp_path):
    site = build_hierarchy(tmp_path / "web")
    rows, failures = discover([site["province"]], depth=1, mirror=tmp_path / "web", overrides=FAST)
    got = {(r["name"], r["level"], r["division_code"], r["entry_url"]) for r in rows}
    assert got == {
        ("福州市", "prefecture", "350100", "http://www.fuzhou.test/"),
        ("平潭县", "county", "350128", "http://www.pingtan.test/"),
        ("福建省教育厅", "department", "350000", "http://jyt.fujian.test/"),
        ("福建省财政厅", "department", "350000", "http://czt.fujian.test/"),
    }
    assert {r["discovered_from"] for r in rows} == {site["province"]}
    assert {r["parent_id"] for r in rows} == {"fujian-test"}
    assert failures == []


def test_depth_two_reads_the_city_it_lists_and_leaves_known_bodies_out(tmp_path):
    site = build_hierarchy(tmp_path / "web")
    known = tmp_path / "known.csv"
    known.write_text(
        "source_id,name,level,parent_id,division_code,entry_url,family\n"
        "fujian,福建省人民政府,province,china,350000,http://www.fujian.test/,\n"
        "fj-jyt,福建省教育厅,department,fujian,350000,http://jyt.fujian.test/,\n"
    )
    rows, _ = discover(
        [site["province"]], depth=2, known=known, mirror=tmp_path / "web", overrides=FAST
    )
    by_name = {r["name"]: r for r in rows}
    assert set(by_name) == {"福州市", "平潭县", "福建省财政厅", "鼓楼区", "台江区"}
    assert by_name["鼓楼区"]["division_code"] == "350102" and by_name["鼓楼区"]["level"] == "county"
    assert by_name["鼓楼区"]["parent_id"] == by_name["福州市"]["source_id"] == "gov-350100"
    assert by_name["鼓楼区"]["discovered_from"] == site["city"]
    assert by_name["福建省财政厅"]["parent_id"] == "fujian"  # the known row's id
    assert "福建省人民政府" not in by_name  # the city's link up is not a new body


def test_ogi_discover_writes_a_registry_the_crawler_accepts(tmp_path):
    site = build_hierarchy(tmp_path / "web")
    out = tmp_path / "new.csv"
    ogi = os.path.join(os.path.dirname(sys.executable), "ogi")
    p = subprocess.run(
        [ogi, "discover", site["city"], "--out", str(out), "--mirror", str(tmp_path / "web")],
        capture_output=True,
        text=True,
    )
    assert p.returncode == 0, p.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["name"] for r in rows] == ["鼓楼区", "台江区"]
    assert list(rows[0]) == [
        "source_id",
        "name",
        "level",
        "parent_id",
        "division_code",
        "entry_url",
        "family",
        "discovered_from",
    ]
    assert [s.source_id for s in load(out)] == ["gov-350102", "gov-350103"]


def test_media_app_and_up_links_are_not_bodies():
    html = (
        '<h3>友情链接</h3><a href="http://www.people.com.cn/">人民网</a>'
        '<div><div>政府网站</div><a href="http://www.gov.cn/">中国政府网</a><a href="/app/">客户端下载</a>'
        '<a href="http://www.a.test/">甲县人民政府</a></div>'
    )
    got = [(b.name, b.kind) for b in listed_bodies(html, "http://www.x.test/", "乙市人民政府")]
    assert got == [("甲县人民政府", "government")]


def test_every_usual_layout_of_a_city_portal_yields_its_bodies(tmp_path):
    from tests.corpus.sites import build_layouts

    site = build_layouts(tmp_path / "web")
    rows, failures = discover([site["city"]], depth=1, mirror=tmp_path / "web", overrides=FAST)
    got = {(r["name"], r["level"], r["division_code"]) for r in rows}
    assert got == site["expected"]  # tabs, headed <ul>, footer, <select>, 更多, 机构设置
    assert len(rows) == len(site["expected"])  # each once, no junk (media, app, up, 新闻中心)
    by_name = {r["name"]: r for r in rows}
    assert by_name["长沙市林业局"]["entry_url"] == "http://www.changsha.test/jgsz/lyj/index.html"
    assert by_name["长沙市林业局"]["discovered_from"] == "http://www.changsha.test/jgsz/index.html"
    assert by_name["浏阳市"]["source_id"] == "gov-430181"
    assert failures == []
