"""Fixture portals for crawler tests and the demo's offline mirror (data/demo/mirror).

Each builder writes a small site into a folder, in the shape one CMS family publishes it, and
returns what a correct crawl stores from it. Served by crawlers.mirror.MirrorServer.

Run ``python -m tests.corpus.sites`` to rebuild data/demo/mirror.
"""

from __future__ import annotations

import json
from pathlib import Path

from crawlers.mirror import query_file

from . import ROOT
from .synth import SAMPLES_DIR, sample_specs

SPECS = sample_specs()
PAGE = """<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title>
<meta name="ogi-generated" content="tests/sites.py: a generated fixture page"></head><body>
<div class="nav"><a href="/">首页</a> <a href="/zwgk/">政务公开</a></div>
{body}
<div class="footer">网站标识码：1234567890</div></body></html>"""
ATTACHMENTS = {
    ".pdf": b"%PDF-1.4\n% fixture\n",
    ".doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1fixture-doc",
    ".docx": b"PK\x03\x04fixture-docx",
    ".wps": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1fixture-wps",
    ".xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1fixture-xls",
    ".et": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1fixture-et",
    ".jpg": b"\xff\xd8\xff\xe0fixture-jpg",
    ".png": b"\x89PNG\r\n\x1a\nfixture-png",
}


def write(root: Path, rel: str, data: bytes | str, encoding: str = "utf-8") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))


def page(title: str, body: str, charset: str = "utf-8") -> str:
    return PAGE.format(title=title, body=body, charset=charset)


def report_page(name: str) -> bytes:
    return (SAMPLES_DIR / name).read_bytes()


def simple_report(issuer: str, year: int) -> str:
    """A short narrative-only report page (the tables of these years are not the point here)."""
    return page(
        f"{issuer}{year}年政府信息公开工作年度报告",
        f"<h1>{issuer}{year}年政府信息公开工作年度报告</h1><p>一、总体情况</p>"
        f"<p>{year}年，{issuer}认真贯彻落实《中华人民共和国政府信息公开条例》，全年主动公开政府信息"
        f"{100 + year % 50}条，通过门户网站、政务新媒体和公开栏等渠道及时发布政策文件和工作动态。</p>"
        f"<p>全年共受理政府信息公开申请{year % 7}件，均在法定期限内依申请公开答复，未发生行政复议和行政诉讼案件。</p>"
        f"<p>二、存在的主要问题及改进情况</p><p>政策解读形式较为单一，下一步将加强业务培训，提升公开质量。</p>",
    )


def links(items: list[tuple[str, str]]) -> str:
    return (
        '<ul class="list">'
        + "".join(
            f'<li><a href="{h}" title="{t}">{t}</a><span>2024-01-20</span></li>' for h, t in items
        )
        + "</ul>"
    )


# ---------------------------------------------------------------- TRS WCM county portal
def build_trs(root: Path, with_attachments: bool = True) -> dict:
    """Home page -> 政府信息公开年报 column -> index.html, index_1.html, index_2.html (createPageHTML)."""
    col = "zwgk/zfxxgknb/"
    write(
        root,
        "index.html",
        page(
            "白云湾区人民政府门户网站",
            links([("/zwgk/zcwj/", "政策文件"), (f"/{col}", "政府信息公开年报")]),
        ),
    )
    reports = {
        f"{col}202401/t20240126_1001.html": (
            "白云湾区人民政府2023年政府信息公开工作年度报告",
            report_page("baiyunwan-2023-trs.html"),
        ),
        f"{col}202301/t20230130_901.html": (
            "白云湾区人民政府2022年政府信息公开工作年度报告",
            simple_report("白云湾区人民政府", 2022).encode(),
        ),
        f"{col}202201/t20220128_801.html": (
            "白云湾区人民政府2021年政府信息公开工作年度报告",
            simple_report("白云湾区人民政府", 2021).encode(),
        ),
        f"{col}202101/t20210129_701.html": (
            "白云湾区人民政府2020年政府信息公开工作年度报告",
            simple_report("白云湾区人民政府", 2020).encode(),
        ),
        f"{col}202001/t20200130_601.html": (
            "白云湾区人民政府2019年政府信息公开工作年度报告",
            simple_report("白云湾区人民政府", 2019).encode(),
        ),
    }
    items = list(reports.items())
    lookalike = (
        f"{col}202401/t20240115_999.html",
        "白云湾区人民政府门户网站2023年政府网站工作年度报表",
    )
    write(root, lookalike[0], simple_report("白云湾区人民政府门户网站", 2023))
    pages = [items[0:2] + [(lookalike[0], (lookalike[1], b""))], items[2:4], items[4:5]]
    for i, chunk in enumerate(pages):
        name = "index.html" if i == 0 else f"index_{i}.html"
        body = links([("/" + rel if False else "./" + rel[len(col) :], t) for rel, (t, _) in chunk])
        body += '<script>createPageHTML(3, %d, "index", "html");</script>' % i
        write(root, col + name, page("政府信息公开年报", body))
    for rel, (_, data) in reports.items():
        write(root, rel, data)
    expected = {f"/{rel}" for rel in reports}
    if with_attachments:
        # The 2022 report carries attachments the four ways portals link them.
        rel = f"{col}202301/t20230130_901.html"
        att = {
            "P020230130_1.pdf": ".pdf",
            "P020230130_2.doc": ".doc",
            "P020230130_3.docx": ".docx",
            "P020230130_4.wps": ".wps",
            "P020230130_5.xls": ".xls",
            "P020230130_6.et": ".et",
            "P020230130_7.jpg": ".jpg",
            "P020230130_8.pdf": ".pdf",
            "P020230130_9.pdf": ".pdf",
        }
        for name, ext in att.items():
            write(root, f"{col}202301/{name}", ATTACHMENTS[ext] + name.encode())
        body = (
            "<h1>白云湾区人民政府2022年政府信息公开工作年度报告</h1><p>一、总体情况</p><p>附件：</p>"
            + "".join(f'<p><a href="./{n}">附件{i}</a></p>' for i, n in enumerate(list(att)[:7]))
            + '<iframe src="/static/pdfjs/web/viewer.html?file=/zwgk/zfxxgknb/202301/P020230130_8.pdf"></iframe>'
            + '<a href="javascript:void(0)" onclick="window.open(\'./P020230130_9.pdf\')">下载</a>'
        )
        write(root, rel, page("白云湾区人民政府2022年政府信息公开工作年度报告", body))
        expected |= {f"/{col}202301/{n}" for n in att}
    return {
        "entry": "/index.html",
        "family": "trs",
        "expected": expected,
        "lookalike": f"/{lookalike[0]}",
    }


DEPARTMENTS = [
    "教育局",
    "财政局",
    "民政局",
    "水利局",
    "农业农村局",
    "自然资源局",
    "卫生健康局",
    "文化和旅游局",
    "交通运输局",
    "应急管理局",
    "审计局",
]


# ---------------------------------------------------------------- Hanweb portal
def build_hanweb(root: Path, total: int = 50) -> dict:
    """Column page with a jpage script; records come from dataproxy.jsp in calls of 45."""
    write(
        root,
        "col/col1229/index.html",
        page(
            "政府信息公开年报",
            """
<div id="1229"><script type="text/javascript">
var jpage = {columnid: 1229, unitid: 5871, webid: 1, perpage: 15};
$.ajax({url: '/module/web/jpage/dataproxy.jsp', data: jpage});
</script></div>""",
        ),
    )
    specs = {
        1: ("shiqiao-2020-hanweb-gbk.html", "石桥镇人民政府2020年政府信息公开工作年度报告"),
        2: ("hongye-2021-balance-break.html", "红叶县人民政府办公室2021年政府信息公开工作年度报告"),
    }
    records = []
    expected = set()
    for i in range(1, total + 1):
        if i in specs:
            name, title = specs[i]
            data = report_page(name)
        else:
            body = f"红叶县{DEPARTMENTS[i % len(DEPARTMENTS)]}"
            year = 2019 + i % 6
            title = (
                f"{body}{year}年政府信息公开工作年度报告"
                if i % 5
                else f"红叶县{year}年政务公开工作要点"
            )
            data = simple_report(body, year).encode()
        href = f"/art/2021/1/{i}/art_1229_{i}.html"
        write(root, href.lstrip("/"), data)
        if i % 5 or i in specs:
            expected.add(href)
        records.append(
            f'<record><![CDATA[<li><a href="{href}" title="{title}" target="_blank">{title}</a>'
            f"<span>2021-01-{i % 28 + 1:02d}</span></li>]]></record>"
        )
    for start in range(1, total + 1, 45):
        chunk = records[start - 1 : start + 44]
        xml = (
            f'<?xml version="1.0" encoding="utf-8"?><datastore><nextgroup><![CDATA[]]></nextgroup>'
            f"<recordset>{''.join(chunk)}</recordset><totalrecord>{total}</totalrecord><totalpage>"
            f"{(total + 14) // 15}</totalpage></datastore>"
        )
        q = f"startrecord={start}&endrecord={start + 44}&perpage=15&columnid=1229&unitid=5871&webid=1"
        write(root, query_file("module/web/jpage/dataproxy.jsp", q), xml)
    return {"entry": "/col/col1229/index.html", "family": "hanweb", "expected": expected}


# ---------------------------------------------------------------- Guangdong gkmlpt
def build_gkmlpt(root: Path, total: int = 23, size: int = 10) -> dict:
    write(
        root,
        "gkmlpt/index.html",
        page(
            "政府信息公开年报",
            """
<div id="app"></div><script>window._CONFIG = {SID: 'gd7551', catId: 2291, siteName: '绿水市市场监督管理局'};</script>
<script src="/gkmlpt/static/js/app.js"></script>""",
        ),
    )
    arts = []
    expected = set()
    for i in range(1, total + 1):
        year = 2024 - i
        title = f"绿水市市场监督管理局{year}年政府信息公开工作年度报告"
        url = f"/gkmlpt/content/0/{i}/post_{i}.html"
        data = (
            report_page("lvshui-amr-2022-gkmlpt.html")
            if year == 2022
            else simple_report("绿水市市场监督管理局", year).encode()
        )
        write(root, url.lstrip("/"), data)
        expected.add(url)
        arts.append({"id": i, "title": title, "url": url, "first_publish_time": 1700000000 + i})
    arts.append(
        {
            "id": 999,
            "title": "绿水市住房公积金2022年年度报告",
            "url": "/gkmlpt/content/0/999/post_999.html",
        }
    )
    write(root, "gkmlpt/content/0/999/post_999.html", simple_report("绿水市住房公积金", 2022))
    for p in range(1, (len(arts) + size - 1) // size + 1):
        chunk = arts[(p - 1) * size : p * size]
        body = json.dumps(
            {"articles": chunk, "total": len(arts), "page": p, "page_size": size},
            ensure_ascii=False,
        )
        write(root, query_file("gkmlpt/api/all/2291", f"page={p}&sid=gd7551"), body)
    return {"entry": "/gkmlpt/index.html", "family": "gkmlpt", "expected": expected}


# ---------------------------------------------------------------- generic ?page=N + 下一页
def build_generic(root: Path) -> dict:
    expected = set()
    for p in range(1, 4):
        items = []
        for k in range(3):
            i = (p - 1) * 3 + k
            href = f"/news/show.php?id={100 + i}"
            title = f"青杉市{2015 + i}年政府信息公开工作年度报告"
            write(
                root,
                query_file("news/show.php", f"id={100 + i}"),
                simple_report("青杉市", 2015 + i),
            )
            items.append((href, title))
            expected.add(href)
        nav = f'<a href="/news/list.php?page={p + 1}">下一页</a>' if p < 3 else ""
        write(
            root,
            query_file("news/list.php", f"page={p}") if p > 1 else "news/list.php",
            page("年报", links(items) + nav),
        )
    return {"entry": "/news/list.php", "family": "", "expected": expected}


# ---------------------------------------------------------------- the bundled mirror
MIRROR = ROOT / "data" / "demo" / "mirror"
MIRROR_SITES = {"baiyunwan": build_trs, "shiqiao": build_hanweb, "lvshui": build_gkmlpt}


def build_mirror(root: Path = MIRROR) -> None:
    """Three portals, each served on its own port ({mirror:NAME} in crawlers/sources/demo.csv)."""
    import shutil

    if root.exists():
        shutil.rmtree(root)
    build_trs(root / "baiyunwan", with_attachments=False)
    build_hanweb(root / "hanweb", total=12)
    build_gkmlpt(root / "lvshui", total=4, size=3)


if __name__ == "__main__":
    build_mirror()
    print(MIRROR)


# ---------------------------------------------------------------- portals: from a home page to the column
NOISE = [
    ("/xwdt/", "新闻动态"),
    ("/zcwj/", "政策文件"),
    ("/rsxx/", "人事信息"),
    ("/zsyz/", "招商引资"),
    ("/hdjl/", "互动交流"),
    ("/bsfw/", "办事服务"),
    ("/zwgk/gzyd/", "政务公开工作要点"),
    ("/wzbb/", "政府网站工作年度报表"),
    ("/english/", "English"),
]


def _nav_page(title: str, items: list[tuple[str, str]]) -> str:
    return page(title, links(NOISE + items))


def _column(
    root: Path, host: str, col: str, issuer: str = "青杉县人民政府", years=(2021, 2022, 2023)
) -> set[str]:
    """An annual-report column with one report per year; returns the report URLs (host + path)."""
    items, out = [], set()
    for y in years:
        rel = f"{col}t{y + 1}0120_{y}.html"
        write(root / host, rel, simple_report(issuer, y))
        items.append((f"/{rel}", f"{issuer}{y}年政府信息公开工作年度报告"))
        out.add(f"http://{host}/{rel}")
    write(root / host, col + "index.html", page("政府信息公开年报", links(items)))
    return out


def build_portal(root: Path, kind: str, site: str = "qingshan") -> dict:
    """A county portal www.SITE.test whose annual-report column is `kind`:
    depth1 / depth2 / depth3 clicks from the home page, behind a 404 hop, only in the site map,
    on the 信息公开 subdomain xxgk.SITE.test, or absent. Served as virtual hosts."""
    www = f"www.{site}.test"
    home = []
    expected: set[str] = set()
    trail: list[str] = []
    if kind == "depth1":
        home = [("/zwgk/zfxxgknb/", "政府信息公开年报")]
        expected = _column(root, www, "zwgk/zfxxgknb/")
        trail = ["政府信息公开年报"]
    elif kind == "depth2":
        home = [("/zwgk/", "政务公开")]
        write(
            root / www,
            "zwgk/index.html",
            _nav_page(
                "政务公开", [("/zwgk/zfxxgknb/", "政府信息公开年报"), ("/zwgk/zcjd/", "政策解读")]
            ),
        )
        expected = _column(root, www, "zwgk/zfxxgknb/")
        trail = ["政务公开", "政府信息公开年报"]
    elif kind in ("depth3", "hop404"):
        home = (
            [("/zwgk/", "政务公开")]
            if kind == "depth3"
            else [("/zwgk/", "政务公开"), ("/sitemap.html", "网站地图")]
        )
        if kind == "depth3":
            write(
                root / www,
                "zwgk/index.html",
                _nav_page(
                    "政务公开", [("/zwgk/zfxxgk/", "政府信息公开"), ("/zwgk/zcjd/", "政策解读")]
                ),
            )
        else:  # /zwgk/ answers 404; the site map names the 政府信息公开 page
            write(
                root / www,
                "sitemap.html",
                page(
                    "网站地图",
                    links(
                        [
                            ("/zwgk/", "政务公开"),
                            ("/zwgk/zfxxgk/", "政府信息公开"),
                            ("/xwdt/", "新闻动态"),
                        ]
                    ),
                ),
            )
        write(
            root / www,
            "zwgk/zfxxgk/index.html",
            _nav_page(
                "政府信息公开",
                [
                    ("/zwgk/zfxxgk/zn/", "政府信息公开指南"),
                    ("/zwgk/zfxxgk/zd/", "政府信息公开制度"),
                    ("/zwgk/zfxxgk/fdzdgk/", "法定主动公开内容"),
                    ("/zwgk/zfxxgk/zfxxgknb/", "政府信息公开年报"),
                ],
            ),
        )
        write(
            root / www,
            "zwgk/zfxxgk/fdzdgk/index.html",
            _nav_page("法定主动公开内容", [("/zwgk/zfxxgk/fdzdgk/ghxx/", "规划信息")]),
        )
        expected = _column(root, www, "zwgk/zfxxgk/zfxxgknb/")
        trail = (
            ["政务公开", "政府信息公开", "政府信息公开年报"]
            if kind == "depth3"
            else ["网站地图", "政府信息公开", "政府信息公开年报"]
        )
    elif kind == "sitemap":
        home = []
        write(
            root / www,
            "sitemap.html",
            page("网站地图", links([("/xwdt/", "新闻动态"), ("/gk/nb/", "年度报告")])),
        )
        expected = _column(root, www, "gk/nb/")
        trail = ["网站地图", "年度报告"]
    elif kind == "subdomain":
        xxgk = f"xxgk.{site}.test"
        home = [(f"http://{xxgk}/", "信息公开")]
        write(
            root / xxgk,
            "index.html",
            _nav_page(
                "青杉县政府信息公开",
                [("/gknb/", "政府信息公开年报"), ("/gkzn/", "政府信息公开指南")],
            ),
        )
        expected = _column(root, xxgk, "gknb/")
        trail = ["信息公开", "政府信息公开年报"]
    elif kind == "none":
        write(
            root / www,
            "sitemap.html",
            page("网站地图", links([("/xwdt/", "新闻动态"), ("/zcwj/", "政策文件")])),
        )
    for rel, title in NOISE:
        write(
            root / www,
            rel.lstrip("/") + "index.html",
            page(title, links([(f"{rel}t1.html", f"{title}一则")])),
        )
    write(root / www, "index.html", page("青杉县人民政府门户网站", links(NOISE + home)))
    return {"entry": f"http://{www}/", "expected": expected, "trail": trail}


def build_attachment_only(root: Path) -> dict:
    """A column whose report pages say only 详见附件: the reports are a DOCX behind
    downfile.jsp?filename=…, a PDF behind /attach/download?id= (RFC 6266 filename*), and a PDF
    behind file.do?fid= (a GBK file name) — plus the decorative images every page carries."""
    from .forms import cid_pdf, docx_report

    host = "www.baisha.test"
    specs = sample_specs()
    b = root / host
    root.mkdir(parents=True, exist_ok=True)
    docx_bytes = docx_report(specs["baiyunwan-2023-trs.html"])
    tmp = root / "_tmp.pdf"
    cid_pdf(specs["lvshui-amr-2022-gkmlpt.html"], tmp)
    pdf_a = tmp.read_bytes()
    cid_pdf(specs["hongye-2021-balance-break.html"], tmp)
    pdf_b = tmp.read_bytes()
    tmp.unlink()
    write(
        b,
        query_file("module/download/downfile.jsp", "classid=0&filename=2023年报.docx"),
        docx_bytes,
    )
    write(b, query_file("attach/download", "id=77"), pdf_a)
    write(b, query_file("xxgk/file.do", "fid=9"), pdf_b)
    for img in ("images/logo.png", "images/dzjg.png", "images/share.png"):
        write(b, img, ATTACHMENTS[".png"])
    rules = {
        "/attach/download": {
            "headers": {
                "Content-Type": "application/octet-stream",
                "Content-Disposition": "attachment; filename*=UTF-8''2022%E5%B9%B4%E6%8A%A5.pdf",
            }
        },
        "/xxgk/file.do": {
            "headers": {
                "Content-Type": "application/octet-stream",
                "Content-Disposition": 'attachment; filename="'
                + "2021年报.pdf".encode("gbk").decode("latin-1")
                + '"',
            }
        },
    }
    write(b, "_server.json", json.dumps(rules))
    deco = '<img src="/images/logo.png" alt="logo"><img src="/images/dzjg.png"><img src="/images/share.png">'
    pages = {
        "gknb/t1.html": (
            "白云湾区人民政府2023年政府信息公开工作年度报告",
            '<a href="/module/download/downfile.jsp?classid=0&filename=2023年报.docx">2023年报.docx</a>',
        ),
        "gknb/t2.html": (
            "绿水市市场监督管理局2022年政府信息公开工作年度报告",
            '<a href="/attach/download?id=77">绿水市市场监督管理局2022年政府信息公开工作年度报告</a>',
        ),
        "gknb/t3.html": (
            "红叶县人民政府办公室2021年政府信息公开工作年度报告",
            '<a href="/xxgk/file.do?fid=9" title="附件：2021年报">下载附件</a>',
        ),
    }
    for rel, (title, link) in pages.items():
        write(
            b,
            rel,
            page(
                title,
                f"{deco}<h1>{title}</h1><p>详见附件。</p><p>附件：{link}</p>"
                '<p><a href="/zwgk/">返回政务公开</a> <a href="/download/app.apk">客户端下载</a></p>',
            ),
        )
    write(
        b,
        "gknb/index.html",
        page("政府信息公开年报", deco + links([(f"/{r}", t) for r, (t, _) in pages.items()])),
    )
    write(b, "index.html", page("白沙门户", links([("/gknb/", "政府信息公开年报")])))
    return {
        "entry": f"http://{host}/",
        "host": host,
        "attachments": {
            f"http://{host}/module/download/downfile.jsp?classid=0&filename=2023年报.docx",
            f"http://{host}/attach/download?id=77",
            f"http://{host}/xxgk/file.do?fid=9",
        },
        "images": {"/images/logo.png", "/images/dzjg.png", "/images/share.png"},
    }


# ---------------------------------------------------------------- portals that list the bodies below them
def build_hierarchy(root: Path) -> dict:
    """A province portal listing two governments in a footer <select> and two departments in a
    link block, beside media links, an app download and a link up to 中国政府网; the city it
    lists names its districts (and links up to the province)."""
    media = (
        '<div class="yqlj"><h3>友情链接</h3><a href="http://www.people.com.cn/">人民网</a>'
        '<a href="http://www.xinhuanet.com/">新华网</a><a href="/app/">客户端下载</a></div>'
    )
    up = '<div class="top"><a href="http://www.gov.cn/">中国政府网</a></div>'
    write(
        root / "www.fujian.test",
        "index.html",
        page(
            "福建省人民政府门户网站",
            up
            + """
<div class="box"><div class="title">省直部门</div><ul>
<li><a href="http://jyt.fujian.test/">福建省教育厅</a></li><li><a href="http://czt.fujian.test/">福建省财政厅</a></li>
</ul></div>"""
            + media
            + """
<div class="footer"><select onchange="window.open(this.value)"><option value="">市、县(区)政府网站</option>
<option value="http://www.fuzhou.test/">福州市</option><option value="http://www.pingtan.test/">平潭县</option></select></div>""",
        ),
    )
    write(
        root / "www.fuzhou.test",
        "index.html",
        page(
            "福州市人民政府",
            """
<p><a href="http://www.fujian.test/">福建省人民政府</a></p>
<h3>县(市、区)政府</h3><ul><li><a href="http://www.gulou.test/">鼓楼区</a></li><li><a href="http://www.taijiang.test/">台江区</a></li></ul>
<h3>新闻动态</h3><ul><li><a href="/xw/1.html">福州市召开常务会议</a></li></ul>""",
        ),
    )
    write(root / "www.pingtan.test", "index.html", page("平潭县人民政府", "<p>首页</p>"))
    return {"province": "http://www.fujian.test/", "city": "http://www.fuzhou.test/"}


# ---------------------------------------------------------------- discovery: the usual layouts
CHANGSHA_COUNTIES = [
    ("芙蓉区", "430102"),
    ("天心区", "430103"),
    ("岳麓区", "430104"),
    ("开福区", "430105"),
    ("雨花区", "430111"),
    ("望城区", "430112"),
    ("长沙县", "430121"),
    ("浏阳市", "430181"),
    ("宁乡市", "430182"),
]
CHANGSHA_DEPARTMENTS = [
    ("长沙市教育局", "jyj"),
    ("长沙市财政局", "czj"),
    ("长沙市民政局", "mzj"),
    ("长沙市交通运输局", "jtysj"),
    ("长沙市卫生健康委员会", "wjw"),
    ("长沙市生态环境局", "sthjj"),
    ("长沙市商务局", "swj"),
    ("长沙市司法局", "sfj"),
    ("长沙市审计局", "sjj"),
    ("长沙市统计局", "tjj"),
    ("长沙市医疗保障局", "ybj"),
    ("长沙市林业局", "lyj"),
]


def _site(name: str) -> str:
    return f"http://{name}.changsha.test/"


def build_layouts(root: Path) -> dict:
    """A city portal (长沙市, real names and codes) listing its bodies the ways real portals do:
    a tab strip whose titles and panels are apart (counties in one panel, departments in the
    other), a <ul> whose first <li> is its heading, footer links after a 县市区： label, a
    <select> labelled before it, a 市直部门 block whose 更多 leads to the full list, and a
    机构设置 page (a table of departments) linked from the home page — beside media, app and
    central-government links, a 新闻中心, and the link up to the province."""
    counties, depts = CHANGSHA_COUNTIES, CHANGSHA_DEPARTMENTS
    a = lambda name, url: f'<a href="{url}" target="_blank">{name}</a>'  # noqa: E731
    county_url = {n: f"http://www.{code}.test/" for n, code in counties}
    dept_url = {n: _site(s) for n, s in depts}
    tab = (
        '<div class="tab"><ul class="tab-hd"><li class="on">县市区网站</li><li>部门网站</li>'
        '<li>媒体链接</li></ul><div class="tab-bd">'
        '<div class="item">' + "".join(a(n, county_url[n]) for n, _ in counties[:5]) + "</div>"
        '<div class="item" style="display:none">'
        + "".join(a(n, dept_url[n]) for n, _ in depts[:3])
        + "</div>"
        '<div class="item" style="display:none"><a href="http://www.people.com.cn/">人民网</a></div>'
        "</div></div>"
    )
    headed_ul = (
        '<ul class="links"><li class="tit">市直部门</li>'
        + "".join(f"<li>{a(n, dept_url[n])}</li>" for n, _ in depts[3:5])
        + "</ul>"
    )
    more = (
        '<div class="box"><h3>市直单位</h3><ul>'
        + "".join(f"<li>{a(n, dept_url[n])}</li>" for n, _ in depts[5:7])
        + '</ul><a class="more" href="/bmwz/index.html">更多</a></div>'
    )
    labelled_select = (
        '<label>县市区政府</label><select onchange="window.open(this.value)">'
        '<option value="">请选择</option>'
        + "".join(f'<option value="{county_url[n]}">{n}</option>' for n, _ in counties[5:7])
        + "</select>"
    )
    footer = (
        '<div class="footer"><span>县市区：</span>'
        + "".join(a(n, county_url[n]) for n, _ in counties[7:])
        + '<a href="http://www.hunan.test/">湖南省人民政府</a>'
        + '<a href="http://www.gov.cn/">中国政府网</a><a href="/app/">长沙发布客户端</a></div>'
    )
    nav = (
        '<div class="nav"><a href="/xwzx/">新闻中心</a><a href="/jgsz/index.html">机构设置</a>'
        '<a href="/zwgk/">政务公开</a></div>'
    )
    write(
        root / "www.changsha.test",
        "index.html",
        page("长沙市人民政府门户网站", nav + tab + headed_ul + more + labelled_select + footer),
    )
    # 更多: the full list of departments, no heading of its own
    write(
        root / "www.changsha.test",
        "bmwz/index.html",
        page(
            "部门网站",
            '<div class="crumb"><a href="/">首页</a> &gt; 部门网站</div><ul class="all">'
            + "".join(f"<li>{a(n, dept_url[n])}</li>" for n, _ in depts[5:10])
            + "</ul>",
        ),
    )
    # 机构设置: departments in a table, each linking to its page on the portal
    rows = "".join(
        f"<tr><td>{a(n, f'/jgsz/{s}/index.html')}</td><td>市政府工作部门</td></tr>"
        for n, s in depts[10:]
    )
    write(
        root / "www.changsha.test",
        "jgsz/index.html",
        page(
            "机构设置", f'<table class="jg"><tr><th>机构名称</th><th>类别</th></tr>{rows}</table>'
        ),
    )
    expected = {(n, "county", code) for n, code in counties}
    expected |= {(n, "department", "430100") for n, _ in depts}
    return {"city": "http://www.changsha.test/", "expected": expected}


# ---------------------------------------------------------------- gkmlpt as the platform serves it
def build_gkmlpt_platform(root: Path, prefix: str = "", fragment: bool = True) -> dict:
    """A department's site on the Guangdong 政府信息公开 platform: the home page links the
    column as a script page with a fragment (``/gkmlpt/index#2641``, or the bare index when
    `fragment` is off); that page is only ``window._CONFIG = {SID, TREE}`` (no catId, the
    category only in the fragment or by its name in the tree); the records come from
    ``/gkmlpt/api/all/2641?page=N&sid=…`` (no page_size: the first page's length tells it; URLs
    absolute, as the platform gives them). One report is a page with its PDF attached. The
    platform may live under a path (`prefix`, /szlh/)."""
    host = "www.gkdept.test"
    site = root / host
    base = f"http://{host}{prefix}"
    tree = (
        "[{id: 2600, name: '信息公开指南', parent: 0}, {id: 2640, name: '法定主动公开内容', "
        "parent: 0, children: [{id: 2641, name: '政府信息公开年报', parent: 2640}, "
        "{id: 2642, name: '政策文件', parent: 2640}]}, {id: 2700, name: '政府网站工作年度报表', "
        "parent: 0}]"
    )
    write(
        site,
        f"{prefix.strip('/')}/gkmlpt/index".lstrip("/"),
        page(
            "政府信息公开",
            f"""<div id="app"></div><script>window._CONFIG = {{SID: 'gk430041', SITE_NAME: '绿水市交通运输局',
  TREE: {tree}, THEME: {{color: '#c00'}}}};</script><script src="{prefix}/gkmlpt/static/js/app.js"></script>""",
        ),
    )
    column = f"{prefix}/gkmlpt/index" + ("#2641" if fragment else "")
    write(
        site,
        "index.html",
        page(
            "绿水市交通运输局",
            links([("/xwdt/", "新闻动态"), (column, "政府信息公开年报"), ("/hdjl/", "互动交流")]),
        ),
    )
    arts, expected = [], set()
    for i in range(23):
        year = 2024 - i % 12
        n = 5000 + i
        url = f"{base}/gkmlpt/content/0/{n}/post_{n}.html"
        write(site, url.split(host, 1)[1].lstrip("/"), simple_report("绿水市交通运输局", year))
        arts.append(
            {"id": n, "title": f"绿水市交通运输局{year}年政府信息公开工作年度报告", "url": url}
        )
        expected.add(url.split(host, 1)[1])
    # one report is a page whose text is its PDF attachment
    pdf = f"{prefix}/attachment/0/9/9999/nb2023.pdf"
    write(site, pdf.lstrip("/"), b"%PDF-1.4 a report attached")
    arts[0]["url"] = f"{base}/gkmlpt/content/0/5000/post_5000.html"
    write(
        site,
        f"{prefix}/gkmlpt/content/0/5000/post_5000.html".lstrip("/"),
        page("年报", f'<p>见附件：<a href="{pdf}">2024年度报告.pdf</a></p>'),
    )
    expected.add(pdf)
    arts.insert(
        3, {"id": 1, "title": "绿水市交通运输局2023年政府网站工作年度报表", "url": f"{base}/x.html"}
    )
    size = 10
    for p in range(1, (len(arts) + size - 1) // size + 1):
        body = json.dumps(
            {"articles": arts[(p - 1) * size : p * size], "total": len(arts)}, ensure_ascii=False
        )
        write(
            site,
            query_file(
                f"{prefix.strip('/')}/gkmlpt/api/all/2641".lstrip("/"), f"page={p}&sid=gk430041"
            ),
            body,
        )
    return {"entry": f"http://{host}/", "expected": expected, "host": host}
