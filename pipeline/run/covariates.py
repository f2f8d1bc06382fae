"""`ogi covariates FILE.csv`: a user's table keyed by division code and year — population,
caseload, budget … — loaded into the warehouse (table ``covariate``) for ``metrics_per_capita``.

The file has a ``division_code`` (GB/T 2260, six digits, or ``code``) and a ``year`` column, and
either one column per covariate (``population,budget``: each column's header is its name) or the
long form ``name,value``. A value that is not a number is refused with the line it is on. Codes
the bundled GB/T 2260 table does not know, and codes or years no report of the warehouse has, are
reported (and loaded: the user's data is theirs) — they match no report until one is loaded.
Loading a name again replaces that name's values for the codes and years given. No covariate data
is bundled: a source's licence must allow it.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError
from ..normalise import divisions
from ..settings import DEFAULT_DB
from ..store import Warehouse

CODE_COLUMNS = ("division_code", "code")


@dataclass
class CovariatesLoaded:
    rows: int = 0
    names: list[str] = field(default_factory=list)
    unknown_codes: list[str] = field(default_factory=list)  # not in the GB/T 2260 table
    unmatched: list[tuple[str, int]] = field(default_factory=list)  # (code, year) of no report

    def lines(self) -> list[str]:
        out = [f"loaded {self.rows} values of {', '.join(self.names) or 'nothing'}"]
        if self.unknown_codes:
            out.append(
                f"{len(self.unknown_codes)} codes not in the GB/T 2260 table: "
                + ", ".join(self.unknown_codes[:10])
                + (" …" if len(self.unknown_codes) > 10 else "")
            )
        if self.unmatched:
            out.append(
                f"{len(self.unmatched)} code-years match no report in the warehouse: "
                + ", ".join(f"{c} {y}" for c, y in self.unmatched[:10])
                + (" …" if len(self.unmatched) > 10 else "")
            )
        return out


def read_covariates(path: str | Path) -> list[tuple[str, int, str, float]]:
    """(division code, year, name, value) rows of a covariates CSV; UsageError on a bad file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UsageError(f"{path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not UTF-8 text (save the CSV as UTF-8)") from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in reader.fieldnames or []]
    code_col = next((c for c in CODE_COLUMNS if c in header), None)
    if code_col is None or "year" not in header:
        raise UsageError(
            f"{path}: needs a division_code and a year column (found: {', '.join(header)})"
        )
    long = "name" in header and "value" in header
    names = [h for h in header if h not in (code_col, "year")] if not long else []
    if not long and not names:
        raise UsageError(f"{path}: no covariate columns beside {code_col} and year")
    out = []
    for n, raw in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        code = row[code_col]
        try:
            year = int(row["year"])
        except ValueError:
            raise UsageError(f"{path}, line {n}: year {row['year']!r} is not a year") from None
        pairs = [(row["name"], row["value"])] if long else [(h, row[h]) for h in names]
        for name, value in pairs:
            if value == "":
                continue  # not given
            try:
                number = float(value.replace(",", ""))
            except ValueError:
                raise UsageError(f"{path}, line {n}: {name} {value!r} is not a number") from None
            out.append((code, year, name, number))
    return out


def load_covariates(path: str | Path, db: str | Path = DEFAULT_DB) -> CovariatesLoaded:
    """Read FILE.csv and load it into the warehouse's ``covariate`` table (see module doc)."""
    rows = read_covariates(path)
    _, by_code, _ = divisions.table()
    summary = CovariatesLoaded(rows=len(rows), names=sorted({r[2] for r in rows}))
    summary.unknown_codes = sorted({r[0] for r in rows if r[0] not in by_code})
    with Warehouse(db) as wh:
        wh.load_covariates(rows, str(path), dt.datetime.now())
        known = {
            (c, y)
            for c, y in wh.con.execute(
                "SELECT DISTINCT coalesce(jurisdiction_code, current_code), year FROM report "
                "WHERE year IS NOT NULL AND coalesce(jurisdiction_code, current_code) IS NOT NULL"
            ).fetchall()
        }
    summary.unmatched = sorted({(r[0], r[1]) for r in rows} - known)
    return summary
