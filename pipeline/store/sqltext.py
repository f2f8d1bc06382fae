"""SQL text the warehouse writes itself (views, comments): one way to quote a string literal."""


def literal(text: str) -> str:
    """`text` as a SQL string literal ('it''s')."""
    return "'" + text.replace("'", "''") + "'"
