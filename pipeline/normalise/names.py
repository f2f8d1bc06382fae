"""Names of issuing bodies and places: simplified forms, keys, levels and in-document aliases.

The key of a name is what two spellings of one body share: simplified characters (opencc t2s),
NFKC, the body suffix dropped (人民政府, 办公室 …) and ethnic/status forms reduced (灤河回族区 and
灤河区 → 滦河区). Cross-document resolution against division codes is the jurisdictions issue;
here we only make the names inside one report agree, and flag slips rather than hide them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from .. import catalogue as cat

t2s = cat.t2s  # traditional -> simplified (opencc), shared with the extractors
mostly_traditional = cat.mostly_traditional


BODY_SUFFIXES = (
    "人民政府办公厅",
    "人民政府办公室",
    "人民政府",
    "管理委员会",
    "管委会",
    "行政公署",
    "办事处",
)
DEPARTMENT_WORDS = (
    "局",
    "委员会",
    "厅",
    "办公室",
    "办公厅",
    "委",
    "办",
    "中心",
    "署",
    "院",
    "室",
    "所",
    "站",
    "队",
    "会",
    "部",
)
# Place suffixes, longest first; each is one administrative level.
PLACE_SUFFIXES = (
    ("特别行政区", "province"),
    ("自治区", "province"),
    ("省", "province"),
    ("自治州", "prefecture"),
    ("地区", "prefecture"),
    ("盟", "prefecture"),
    ("市", "prefecture"),
    ("自治县", "county"),
    ("自治旗", "county"),
    ("县", "county"),
    ("旗", "county"),
    ("区", "county"),
    ("民族乡", "township"),
    ("街道", "township"),
    ("乡", "township"),
    ("镇", "township"),
    ("苏木", "township"),
)
# Ethnic and status words that some spellings of a place carry and others drop.
_ETHNIC = re.compile(
    r"(?:回族|满族|蒙古族|土家族|苗族|瑶族|彝族|壮族|侗族|藏族|羌族|畲族|黎族|傣族|白族|哈尼族|"
    r"佤族|纳西族|布依族|仡佬族|朝鲜族|锡伯族|达斡尔族|鄂温克族|哈萨克族|各族)+(?:自治)?(?=县|区|旗|乡)"
)
# Characters that, after a place suffix, show it was part of a word (市场, 区域, 县级 …).
_NOT_A_SUFFIX_AFTER = {
    "市": "场民政辖",
    "区": "域划块",
    "县": "级域",
    "省": "级",
    "镇": "压",
    "乡": "建村镇",
}
_PLACE_SEGMENT = re.compile(
    r"[\u4e00-\u9fff]{1,10}?(?:特别行政区|自治区|自治州|自治县|自治旗|民族乡|地区|街道|苏木|[省市州盟县旗区乡镇])"
)


def normalise_text(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))


def place_prefix(issuer: str) -> str | None:
    """The place part of an issuer's name: 郑州市中原区审计局 → 郑州市中原区."""
    s = normalise_text(issuer)
    pos = 0
    end = 0
    while pos < len(s):
        m = _PLACE_SEGMENT.match(s, pos)
        if not m:
            break
        stop = m.end()
        if s[stop - 1] == "州" and s[stop : stop + 1] == "市":
            stop += 1  # 福州市, 郑州市: the 州 is part of the city's name, not a suffix
        if s[stop - 2 : stop] == "城乡":
            break  # 城乡规划, 城乡建设: the word 城乡, not a township
        nxt = s[stop : stop + 1]
        suffix = s[stop - 1]
        if nxt and nxt in _NOT_A_SUFFIX_AFTER.get(suffix, ""):
            break
        end = stop
        pos = stop
    return s[:end] or None


def level_of(issuer: str) -> str | None:
    s = normalise_text(issuer)
    place = place_prefix(s)
    rest = s[len(place) :] if place else s
    for suffix in BODY_SUFFIXES:
        if rest.startswith(suffix):
            rest = rest[len(suffix) :]
            break
    if rest and any(w in rest for w in DEPARTMENT_WORDS):
        return "department"
    if not place:
        return None
    for suffix, level in PLACE_SUFFIXES:
        if place.endswith(suffix):
            return level
    return None


@lru_cache(maxsize=8192)
def name_key(name: str) -> str:
    """What spellings of one body share: 灤河回族区人民政府, 灤河区 and 滦河区 all give 滦河区."""
    s = t2s(normalise_text(name))
    for suffix in BODY_SUFFIXES:
        if s.endswith(suffix) and len(s) > len(suffix):
            s = s[: -len(suffix)]
            break
    return _ETHNIC.sub("", s)


def is_slip(a: str, b: str) -> bool:
    """Two place names differing in one character before the same suffix (漣河区 for 灤河区)."""
    if len(a) != len(b) or len(a) < 3 or a[-1] != b[-1]:
        return False
    diffs = [i for i, (x, y) in enumerate(zip(a, b)) if x != y]
    return (
        len(diffs) == 1
        and diffs[0] < len(a) - 1
        and all("\u4e00" <= ch <= "\u9fff" for ch in a + b)
    )


def aliases_in_text(text: str, jurisdiction: str) -> tuple[list[str], list[str]]:
    """Other spellings of `jurisdiction` used in `text`: (aliases, slips). An alias shares the
    name key; a slip differs in one character and is reported so a reader can check it."""
    key = name_key(jurisdiction)
    if len(key) < 2:
        return [], []
    suffix = key[-1]
    aliases: dict[str, None] = {}
    slips: dict[str, None] = {}
    long_form = normalise_text(jurisdiction)
    for m in re.finditer(re.escape(suffix), text):
        end = m.end()
        for cand in {text[max(0, end - len(key)) : end], text[max(0, end - len(long_form)) : end]}:
            if cand == long_form or len(cand) < 2:
                continue
            ck = name_key(cand)
            if ck == key:
                aliases[cand] = None
            elif len(cand) == len(key) and is_slip(ck, key):
                slips[cand] = None
    return list(aliases), list(slips)


def series_key(
    issuer: str | None, place_id: str | None, level: str | None, scope: str
) -> str | None:
    """One issuing body over the years: place id | the body's name within the place | scope.
    A government's own reports (人民政府, its 办公室) share the body part "" whatever the place is
    called (太谷县 → 太谷区 keeps its current code); a department keeps its own name (审计局), so a
    city's departments never pair with each other."""
    if not issuer or not place_id:
        return None
    key = name_key(issuer)
    body = ""
    if level == "department":
        place = place_prefix(normalise_text(issuer)) or ""
        body = name_key(t2s(normalise_text(issuer))[len(place) :]) if place else key
    return f"{place_id}|{body}|{scope}"
