"""Source registries: one CSV row per reporting body (format in interfaces.md).

    source_id,name,level,parent_id,division_code,entry_url,family[,verified,params,…]

A new ordinary site is a new row. Extra columns are kept in `Body.extra` and ignored by code
that does not know them. `{mirror:NAME}` at the start of an entry URL stands for the address of a local server of the
mirror folder NAME (see crawlers/mirror.py), so the bundled offline mirror lives in a registry too.
"""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

_MIRROR = re.compile(r"^\{mirror:([A-Za-z0-9_-]+)\}")
REQUIRED = ("source_id", "name", "level", "parent_id", "division_code", "entry_url", "family")
FAMILIES = ("generic", "trs", "hanweb", "gkmlpt")


class RegistryError(ValueError):
    pass


@dataclass(frozen=True)
class Body:
    """A reporting body, as one registry row: the portal to crawl for its reports. Its
    ``source_id`` names it in the crawl's records and the warehouse."""

    source_id: str
    name: str
    level: str
    parent_id: str
    division_code: str
    entry_url: str
    family: str = ""
    extra: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def mirror_site(self) -> str | None:
        """NAME of an entry URL that starts with {mirror:NAME} (a site of a local mirror)."""
        m = _MIRROR.match(self.entry_url)
        return m.group(1) if m else None

    def as_row(self) -> dict:
        """The row as plain JSON data (the Redis queue, the crawl's runs.jsonl)."""
        return {**asdict(self), "extra": dict(self.extra)}

    def with_base(self, base: str) -> "Body":
        return Body(
            **{**self.__dict__, "entry_url": _MIRROR.sub(base.rstrip("/"), self.entry_url, count=1)}
        )


def load(path: str | Path) -> list[Body]:
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise RegistryError(f"{path}: missing column(s) {', '.join(missing)}")
        out, seen = [], set()
        for n, row in enumerate(reader, start=2):
            sid = (row.get("source_id") or "").strip()
            if not sid or sid.startswith("#"):
                continue
            if sid in seen:
                raise RegistryError(f"{path}:{n}: duplicate source_id {sid!r}")
            seen.add(sid)
            family = (row.get("family") or "").strip()
            if family and family not in FAMILIES:
                raise RegistryError(
                    f"{path}:{n}: unknown family {family!r} (one of {', '.join(FAMILIES)})"
                )
            url = (row.get("entry_url") or "").strip()
            if not (url.startswith(("http://", "https://")) or _MIRROR.match(url)):
                raise RegistryError(f"{path}:{n}: entry_url must be an http(s) URL")
            extra = {k: v for k, v in row.items() if k not in REQUIRED and k is not None}
            out.append(
                Body(
                    sid,
                    row["name"].strip(),
                    row["level"].strip(),
                    (row["parent_id"] or "").strip(),
                    (row["division_code"] or "").strip(),
                    url,
                    family,
                    extra,
                )
            )
        return out
