"""Title, statistics year, issuer, scope and publication date of a report."""

from __future__ import annotations

import re
import unicodedata

from .. import catalogue as cat
from . import names

_LABEL_PREFIX = re.compile(r"^(?:标题|文章标题|题\s*名|名\s*称)\s*[:：]\s*")
_TITLE_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_ISSUER_IN_TITLE = re.compile(
    r"^(?P<pre>.*?)(?:[(（]?\s*(?P<year>(?:19|20)\d{2})\s*年\s*度?\s*[)）]?)(?P<mid>.*?)(?:关于)?(?:政府信息公开|政务公开|信息公开)"
)
_PERIOD = re.compile(
    r"统计(?:期限|时限|区间|时间)[^。]{0,12}?((?:19|20)\d{2})\s*年?\s*1\s*月\s*1\s*日"
)
_PROSE_YEAR = re.compile(
    r"((?:19|20)\d{2})\s*年度?\s*(?:的)?(?:政府信息公开|政务公开|信息公开)(?:工作)?(?:情况)?(?:年度)?"
    r"(?:报告|年报|总结)"
)
_DATE = re.compile(
    r"(?:发布|公开)(?:日期|时间)\s*[:：]?\s*((?:19|20)\d{2})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})"
)
_PUBLISHER = re.compile(
    r"(?:发布机构|发文机关|发布单位|信息来源|来源)[ \t\u3000]*[:：][ \t\u3000]*([\u4e00-\u9fff（）()]{2,30})"
)
# The opening sentence naming the report when no title line does: 现公布白沙县人民政府2023年度
# 政府信息公开工作年度报告 / 现将2023年度白沙县人民政府政府信息公开工作年度报告公布如下.
_ISSUER_IN_SENTENCE = re.compile(
    r"(?:公布|发布|印发|编制|形成|将|本报告为)(?:了)?(?P<pre>[\u4e00-\u9fff（）()]{2,40}?)?\s*"
    r"(?P<year>(?:19|20)\d{2})\s*年度?(?P<mid>[\u4e00-\u9fff（）()]{0,40}?)"
    r"(?:政府信息公开|政务公开)(?:工作)?(?:年度)?(?:报告|年报)"
)
_COMPILED_BY = re.compile(r"由([\u4e00-\u9fff]{2,30}?)(?:负责)?编制")
_URL_YEAR = re.compile(r"(?<!\d)(20[0-3]\d)(?!\d)")
# An aggregate over an area: it says it covers the area's bodies, or that it was compiled from them.
_UNITS = r"(?:有关|相关|级|直)?(?:单位|部门|区|县|市|乡镇|街道|片区)"
_JURISDICTION_SCOPE = re.compile(
    rf"涵盖.{{0,8}}各{_UNITS}|全(?:省|市|区|县|州|盟|旗)(?:政府信息公开工作年度报告|\d{{4}}年)"
    rf"|汇总.{{0,20}}各{_UNITS}|各{_UNITS}.{{0,12}}汇总|本报告由.{{0,30}}汇总编制|本行政区域"
)
# A figure stated for the whole area (全市共受理…申请, 全区主动公开…), or a government directing
# its departments and lower levels (督促各部门, 组织区直各单位): the report speaks for the area.
_AREA_FIGURE = re.compile(
    r"全(?:省|市|区|县|州|盟|旗)(?:共|累计|全年|各级各部门)?(?:受理|收到|接收|新收|办理|主动公开|公开)"
)
_OVERSEES = re.compile(
    rf"(?:督促|要求|指导|组织|推动|部署)(?:全(?:省|市|区|县)|(?:省|市|区|县)直)?各{_UNITS}"
    r"|督促(?:相关|有关)(?:单位|部门)|(?:省|市|区|县)直(?:各)?(?:部门|单位)"
)
# In the title or the opening paragraph only: 全市政府信息公开工作 (an agency's prose may mention it later).
_AREA_OPENING = re.compile(r"全(?:省|市|区|县|州|盟|旗)(?:的)?政府信息公开(?:工作)?")


_PAIRS = ("《》", "〈〉", "()", "（）", "“”")
_SENTENCE = ("，", "。", ",", "；")
_OPENING = ("根据", "本年", "本报告", "现将", "按照", "依据", "为")


def _title_like(t: str) -> bool:
    """A line that can be a title: short, no sentence punctuation, not the opening words of a
    sentence, and no bracket left open or closed on its own (a citation broken over lines)."""
    return (
        bool(t)
        and len(t) <= 80
        and ">" not in t
        and not any(p in t for p in _SENTENCE)
        and not t.startswith(_OPENING)
        and "〔" not in t
        and all(t.count(a) == t.count(b) for a, b in _PAIRS)
    )


def find_title(lines_text: list[str], meta: dict[str, str]) -> str | None:
    """The report's title: a short line naming a year and a 政府信息公开…年度报告. Titles broken
    over a few short lines (one text node per line: 白沙县20 / 23年政府信息公开…) are joined."""
    head = [_LABEL_PREFIX.sub("", t.strip()) for t in lines_text[:60]]
    candidates = [meta.get("title", "")] + head
    html_title = meta.get("html_title")
    if html_title:
        candidates.append(re.split(r"\s*[-_|—]\s*", html_title)[0])
    plausible = [t for t in candidates if cat.REPORT_TITLE_WORDS.search(t) and _title_like(t)]
    with_year = [t for t in plausible if _TITLE_YEAR.search(unicodedata.normalize("NFKC", t))]
    if not with_year:
        lines = [t for t in head if t]
        for i in range(len(lines)):
            for k in (2, 3, 4):
                part = lines[i : i + k]
                if len(part) == k and all(len(p) <= 40 for p in part):
                    joined = cat.squash("".join(part))
                    if (
                        cat.REPORT_TITLE_WORDS.search(joined)
                        and _title_like(joined)
                        and _TITLE_YEAR.search(unicodedata.normalize("NFKC", joined))
                    ):
                        return joined
    title = (with_year or plausible or [None])[0]
    return _with_body_above(title, head) if title else None


def _with_body_above(title: str, head: list[str]) -> str:
    """A title printed on two lines, the body's name above the rest (洪泽区人民政府 /
    2023 年政府信息公开工作年度报告, as PDFs often lay it out): when the title names no body
    and the line just above it is a body's name and nothing else, the two are one title."""
    if _issuer_in_title(title):
        return title
    lines = [t for t in head if t]
    if title not in lines or lines.index(title) == 0:
        return title
    above = lines[lines.index(title) - 1]
    if _title_like(above) and len(above) <= 30 and _is_body_name(above):
        return above + title
    return title


def _is_body_name(text: str) -> bool:
    s = names.normalise_text(text)
    return s.endswith(names.BODY_SUFFIXES) or names.level_of(s) is not None


def _issuer_in_title(title: str) -> str | None:
    m = _ISSUER_IN_TITLE.match(unicodedata.normalize("NFKC", title))
    if m:
        cand = (m.group("pre").strip() or m.group("mid").strip()).strip('《》“”" ')
        # 湖南省X厅关于2022年度…报告: the words that join a body to its title are no part of it
        cand = _JOINING_WORDS.sub("", cand)
        if len(cand) >= 2 and not _chrome(cand):
            return cand
    return None


_JOINING_WORDS = re.compile(r"(?:关于|有关|发布|公布|印发|编制|公开|的|之)+$")


def lookalike(title: str | None, meta: dict[str, str], lines_text: list[str]) -> str | None:
    """The kind of look-alike document this is (政府网站工作年度报表, 住房公积金年度报告, the format
    notice …), decided by the document's own title only — its report title, page <title> and
    the first line when that is a heading — never by what its running text mentions. A title
    that names a 政府信息公开…年度报告 (not its 格式) is a report, whoever publishes it."""
    first = next((t.strip() for t in lines_text if t.strip()), "")
    probes = [title, meta.get("title"), (meta.get("html_title") or "").split("_")[0], first]
    for probe in filter(None, probes):
        if probe is first and not _title_like(first):
            continue
        p = cat.compact(probe)
        if cat.REPORT_TITLE_WORDS.search(p) and "格式" not in p:
            return None
        for needle, kind in cat.LOOKALIKE_TITLES:
            if needle in p:
                return kind
    return None


def find_year(title: str | None, text: str, source: str) -> tuple[int | None, str | None]:
    """Statistics year (not the publication year) and, when it had to be guessed from the
    file name or URL, a warning."""
    if title:
        m = _TITLE_YEAR.search(unicodedata.normalize("NFKC", title))
        if m:
            return int(m.group(1)), None
    head = text[:6000]
    for probe in (head, cat.squash(head)):  # squashed: a year broken over lines (20 / 23年)
        for rx in (_PERIOD, _PROSE_YEAR, _ISSUER_IN_SENTENCE):
            m = rx.search(probe)
            if m:
                return int(m.group("year") if "year" in rx.groupindex else m.group(1)), None
    m = _URL_YEAR.findall(source.rsplit("/", 1)[-1]) or _URL_YEAR.findall(source)
    if m:
        return int(m[-1]), f"year {m[-1]} taken from the file name or URL, not from the report"
    return None, None


def find_issuer(title: str | None, meta: dict[str, str], text: str) -> str | None:
    """The body that issued the report: named in its title; else in the sentence that names
    the report (no title line); else the page's publisher field; else 由…编制. Never a word of
    the page's chrome (正文, 来源, 发布机构 …)."""
    cands = [_issuer_in_title(title) if title else None]
    m = _ISSUER_IN_SENTENCE.search(cat.squash(text[:3000]))
    if m:
        cands.append((m.group("pre") or m.group("mid") or "").strip("（）()"))
    cands.append(meta.get("publisher"))
    cands += [m.group(1) for m in _PUBLISHER.finditer(text[:3000])]
    m = _COMPILED_BY.search(text[:3000])
    if m and not m.group(1).startswith(("本", "我")):
        cands.append(m.group(1))
    for cand in cands:
        cand = (cand or "").strip()
        if len(cand) >= 2 and not _chrome(cand) and not cand.startswith(("本", "我", "的")):
            return cand
    return None


def _chrome(text: str) -> bool:
    """A page-chrome word (正文, 来源：, 发布机构 …) or nothing but one."""
    t = cat.compact(text).rstrip(":：")
    return any(t == w or t.startswith(w + ":") for w in cat.PAGE_CHROME_WORDS) or t in (
        "本网",
        "本站",
        "本机关",
    )


_ANY_DATE = re.compile(r"((?:19|20)\d{2})\s*[-/年.]\s*(\d{1,2})\s*[-/月.]\s*(\d{1,2})")


# Dates CMSs write into a document's address: TRS's t20200306_123.html and its attachments'
# P020200306…pdf, /2020-03/06/, and an eight-digit path segment /20200306/. A month alone
# (/202003/) is no date.
_URL_DATES = (
    re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_\d+"),
    re.compile(r"/P0((?:19|20)\d{2})(\d{2})(\d{2})\d{4,}"),
    re.compile(r"/((?:19|20)\d{2})-(\d{2})/(\d{2})/"),
    re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})/"),
)


def date_in_url(*urls: str | None) -> str | None:
    """The date a CMS wrote into the first of `urls` that has one (YYYY-MM-DD)."""
    for url in urls:
        for pattern in _URL_DATES if url else ():
            m = pattern.search(url)
            if m:
                y, mo, d = (int(g) for g in m.groups())
                if 1 <= mo <= 12 and 1 <= d <= 31:
                    return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


def http_date(value: str | None) -> str | None:
    """A Last-Modified header's date (RFC 7231), or an ISO date, as YYYY-MM-DD."""
    if not value:
        return None
    from email.utils import parsedate_to_datetime

    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError):
        m = _ANY_DATE.match(value.strip())
        return f"{int(m[1]):04d}-{int(m[2]):02d}-{int(m[3]):02d}" if m else None


def find_published(meta: dict[str, str], text: str) -> str | None:
    m = _ANY_DATE.search(meta.get("published", "")) or _DATE.search(text[:4000])
    if m:
        y, mo, d = (int(g) for g in m.groups())
        if 1 <= mo <= 12 and 1 <= d <= 31:
            return f"{y:04d}-{mo:02d}-{d:02d}"
    return None


def find_scope(title: str | None, issuer: str | None, head_text: str) -> str:
    """'jurisdiction' for an aggregate over an area, 'agency' for one body's own report."""
    probe = cat.squash((title or "") + head_text[:1500])
    department = (
        bool(issuer) and names.level_of(issuer) == "department"
    )  # cites the area's work, is no aggregate
    township = bool(issuer) and names.level_of(issuer) == "township"
    body = cat.squash(head_text[:8000])
    if not department and (
        _JURISDICTION_SCOPE.search(probe)
        or _AREA_OPENING.search(cat.squash((title or "") + head_text[:300]))
        or (not township and (_AREA_FIGURE.search(body) or _OVERSEES.search(body)))
    ):
        return "jurisdiction"
    if issuer:
        s = names.normalise_text(issuer)
        if s.endswith(names.BODY_SUFFIXES) or names.level_of(s) == "department":
            return "agency"
        if names.place_prefix(s) == s and names.level_of(s) == "township":
            return "agency"  # a township has no agencies below it to aggregate
    return "unknown"


def jurisdiction(issuer: str | None, year: int | None = None) -> dict:
    """Place, level, GB/T 2260 code valid in `year` (or a flag and a stable project id)."""
    from . import divisions

    if not issuer:
        return {"name": None, "name_simplified": None, "level": None, "code": None}
    place = names.place_prefix(issuer) or names.normalise_text(issuer)
    level = names.level_of(issuer)
    res = divisions.resolve(place, year)
    if res.flag is None and level != "department":
        level = res.level if res.level != "county" or level != "township" else level
    out = {
        "name": place,
        "name_simplified": names.t2s(place),
        "level": level,
        "code": res.code if res.flag is None else None,
        "id": res.code,
        "parent": res.parent_code,
        "current_code": res.current_code,
    }
    if res.flag:
        out["flag"] = res.flag
    return out
