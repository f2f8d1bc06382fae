"""Reading a test's warehouse: one read-only connection per question, closed at once (an open
connection would hold DuckDB's lock against the next `ogi` the test runs)."""

from pathlib import Path

import duckdb


def rows(db: Path, sql: str, params=None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
